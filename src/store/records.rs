use super::{Audit, Store, WriteSummary, access};
use crate::domain::{ProgramKind, ProgramRecord, RecordKind};
use crate::error::{Error, Result};
use sqlx::Row;

impl Store {
    /// Replaces a year's program records in one transaction. The summary counts records
    /// by their position: a record at the same place with the same content is unchanged.
    pub async fn put_program_records(
        &self,
        year: i32,
        records: &[ProgramRecord],
        audit: &Audit,
    ) -> Result<WriteSummary> {
        let old = self.program_records(year).await?;
        if old == records {
            // The same records again: nothing to write, the data version stays.
            return Ok(WriteSummary {
                data_version: self.data_version().await?,
                unchanged: records.len(),
                nothing_changed: true,
                ..Default::default()
            });
        }
        let (mut tx, data_version) = self.begin_write().await?;
        sqlx::query("DELETE FROM program_records WHERE year = $1")
            .bind(year as i64)
            .execute(&mut *tx)
            .await?;
        let mut summary = WriteSummary {
            data_version,
            ..Default::default()
        };
        for (seq, r) in records.iter().enumerate() {
            match old.get(seq) {
                None => summary.added += 1,
                Some(o) if o == r => summary.unchanged += 1,
                Some(_) => summary.changed += 1,
            }
            sqlx::query(
                "INSERT INTO program_records (year, seq, record, name, kind, value, source, as_of, notes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(year as i64)
            .bind(seq as i64)
            .bind(r.record.code())
            .bind(r.name.clone())
            .bind(r.kind.map(|k| k.code().to_owned()))
            .bind(r.value)
            .bind(&r.source)
            .bind(r.as_of.clone())
            .bind(r.notes.clone())
            .execute(&mut *tx)
            .await?;
        }
        summary.removed = old.len().saturating_sub(records.len());
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// A year's program records, in upload order (empty when none were uploaded).
    pub async fn program_records(&self, year: i32) -> Result<Vec<ProgramRecord>> {
        let rows = sqlx::query(
            "SELECT record, name, kind, value, source, as_of, notes FROM program_records \
             WHERE year = $1 ORDER BY seq",
        )
        .bind(year as i64)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let record: String = r.get(0);
                let kind: Option<String> = r.get(2);
                Ok(ProgramRecord {
                    record: RecordKind::parse(&record)
                        .ok_or_else(|| Error::internal(format!("stored record '{record}'")))?,
                    name: r.get(1),
                    kind: kind.as_deref().and_then(ProgramKind::parse),
                    value: r.get(3),
                    source: r.get(4),
                    as_of: r.get(5),
                    notes: r.get(6),
                })
            })
            .collect()
    }
}
