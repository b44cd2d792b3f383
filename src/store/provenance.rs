//! Where the stored data came from: the files and dates of each upload, for reports that
//! must state their sources and vintages.

use super::Store;
use crate::error::Result;
use serde::Serialize;
use sqlx::Row;

/// One stored version of an assessment year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssessmentUpload {
    /// The year.
    pub year: i32,
    /// The version (1 for the first upload of the year).
    pub version: i64,
    /// The geography it was uploaded for.
    pub geography: String,
    /// The uploaded file's name.
    pub file: String,
    /// When it was stored (RFC 3339, UTC).
    pub at: String,
}

/// One upload of areas or partners, as the audit record has it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Upload {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// `replace_geography`, `merge_partners`, `replace_partners` or `replace_stops`.
    pub action: String,
    /// What was written, with the file names (e.g. `tracts-2010 (tracts.geojson)`).
    pub target: String,
    /// Rows added, changed and removed.
    pub added: i64,
    /// Rows changed.
    pub changed: i64,
    /// Rows removed.
    pub removed: i64,
}

/// The provenance of everything stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// Every version of every assessment year, oldest first.
    pub assessments: Vec<AssessmentUpload>,
    /// Geography uploads, oldest first.
    pub geographies: Vec<Upload>,
    /// Partner and transit-stop uploads, oldest first.
    pub partners: Vec<Upload>,
}

impl Store {
    /// Every assessment version and every area and partner upload on record. Writes made
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
            "SELECT at, action, target, added, changed, removed FROM audit \
             WHERE action IN ('replace_geography', 'merge_partners', 'replace_partners', 'replace_stops') \
             ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| Upload {
            at: r.get(0),
            action: r.get(1),
            target: r.get(2),
            added: r.get(3),
            changed: r.get(4),
            removed: r.get(5),
        });
        let (geographies, partners) = uploads.partition(|u| u.action == "replace_geography");
        Ok(Provenance {
            assessments,
            geographies,
            partners,
        })
    }
}
