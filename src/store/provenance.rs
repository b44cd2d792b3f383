//! Where the stored data came from, read from the assessments and the audit record.

use super::Store;
use crate::domain::{AssessmentUpload, PartnerMove, Provenance, Upload};
use crate::error::Result;
use sqlx::Row;

impl Store {
    /// Every assessment version, every area and partner upload on record, and every
    /// change of a partnership's level or stage. Writes made
    /// before the audit record existed have no upload line.
    pub async fn provenance(&self) -> Result<Provenance> {
        let assessments = sqlx::query(
            "SELECT year, version, geography, source, created_at FROM assessments \
             ORDER BY year, version",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| AssessmentUpload {
            year: r.get::<i64, _>(0) as i32,
            version: r.get(1),
            geography: r.get(2),
            file: r.get(3),
            at: r.get(4),
        })
        .collect();
        let uploads = sqlx::query(
            "SELECT at, action, target, added, changed, removed, subject, files FROM audit \
             WHERE action IN ('replace_geography', 'merge_partners', 'replace_partners', 'replace_stops', \
             'put_program_records') \
             ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| {
            // Writes recorded before `subject` and `files` existed keep their display
            // text as the subject.
            let subject: Option<String> = r.get(6);
            let files: Option<String> = r.get(7);
            Upload {
                at: r.get(0),
                action: r.get(1),
                subject: subject.unwrap_or_else(|| r.get(2)),
                files: files
                    .and_then(|f| serde_json::from_str(&f).ok())
                    .unwrap_or_default(),
                added: r.get(3),
                changed: r.get(4),
                removed: r.get(5),
            }
        });
        let (mut geographies, mut partners, mut records) = (Vec::new(), Vec::new(), Vec::new());
        for u in uploads {
            match u.action.as_str() {
                "replace_geography" => geographies.push(u),
                "put_program_records" => records.push(u),
                _ => partners.push(u),
            }
        }
        let partner_moves = sqlx::query(
            "SELECT partner_id, at, field, from_value, to_value FROM partner_history ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| PartnerMove {
            partner_id: r.get(0),
            at: r.get(1),
            field: r.get(2),
            from: r.get(3),
            to: r.get(4),
        })
        .collect();
        Ok(Provenance {
            assessments,
            geographies,
            partners,
            records,
            partner_moves,
        })
    }
}
