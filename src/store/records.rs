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
        let (mut tx, data_version) = self.begin_write(super::Part::Records).await?;
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
            "SELECT year, record, name, kind, value, source, as_of, notes FROM program_records \
             WHERE year = $1 ORDER BY seq",
        )
        .bind(year as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| record(r).map(|(_, rec)| rec)).collect()
    }

    /// Every year's program records, by year and in upload order.
    pub async fn all_program_records(&self) -> Result<Vec<(i32, Vec<ProgramRecord>)>> {
        let rows = sqlx::query(
            "SELECT year, record, name, kind, value, source, as_of, notes FROM program_records \
             ORDER BY year, seq",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<(i32, Vec<ProgramRecord>)> = Vec::new();
        for r in &rows {
            let (year, rec) = record(r)?;
            match out.last_mut() {
                Some((y, list)) if *y == year => list.push(rec),
                _ => out.push((year, vec![rec])),
            }
        }
        Ok(out)
    }
}

/// One stored row: `year, record, name, kind, value, source, as_of, notes`.
fn record(r: &sqlx::any::AnyRow) -> Result<(i32, ProgramRecord)> {
    let year: i64 = r.get(0);
    let record: String = r.get(1);
    let kind: Option<String> = r.get(3);
    Ok((
        year as i32,
        ProgramRecord {
            record: RecordKind::parse(&record)
                .ok_or_else(|| Error::internal(format!("stored record '{record}'")))?,
            name: r.get(2),
            kind: kind.as_deref().and_then(ProgramKind::parse),
            value: r.get(4),
            source: r.get(5),
            as_of: r.get(6),
            notes: r.get(7),
        },
    ))
}
