//! Travel-time matrices: one per geography and mode, each origin's pairs one compact row
//! (see migration 0009).

use super::{Audit, Store, WriteSummary, access, now_rfc3339};
use crate::domain::{DestinationKind, Geoid, MatrixSource, TravelMatrix, TravelMode};
use crate::error::{Error, Result};
use futures_util::TryStreamExt;
use sqlx::Row;

impl Store {
    /// Replaces the matrix of its geography and mode, in one transaction. The summary
    /// counts pairs: those of the new matrix as added, the old one's as removed.
    pub async fn put_travel_matrix(
        &self,
        matrix: &TravelMatrix,
        audit: &Audit,
    ) -> Result<WriteSummary> {
        let (mut tx, data_version) = self.begin_write(super::Part::Travel).await?;
        let (geography, mode) = (matrix.geography.as_str(), matrix.mode.name());
        let old: Option<i64> =
            sqlx::query("SELECT pairs FROM travel_matrices WHERE geography = $1 AND mode = $2")
                .bind(geography)
                .bind(mode)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get(0));
        sqlx::query("DELETE FROM travel_rows WHERE geography = $1 AND mode = $2")
            .bind(geography)
            .bind(mode)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM travel_matrices WHERE geography = $1 AND mode = $2")
            .bind(geography)
            .bind(mode)
            .execute(&mut *tx)
            .await?;
        let s = &matrix.source;
        sqlx::query(
            "INSERT INTO travel_matrices (geography, mode, kind, destinations, pairs, tool, tool_date, departure, file, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(geography)
        .bind(mode)
        .bind(matrix.kind.name())
        .bind(serde_json::to_string(&matrix.destinations).map_err(Error::internal)?)
        .bind(matrix.pairs() as i64)
        .bind(&s.tool)
        .bind(s.date.as_deref())
        .bind(s.departure.as_deref())
        .bind(&s.file)
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        // Many rows a statement: one round trip to the database per 100 origins, not per
        // origin (a state has tens of thousands).
        const ROWS: usize = 100;
        let origins: Vec<(usize, &Geoid)> = matrix.origins.iter().enumerate().collect();
        for chunk in origins.chunks(ROWS) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = 5 * i;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO travel_rows (geography, mode, seq, origin, pairs) VALUES {}",
                values.join(", ")
            );
            // Only placeholders are formatted in: the values are bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for &(seq, origin) in chunk {
                q = q
                    .bind(geography)
                    .bind(mode)
                    .bind(seq as i64)
                    .bind(origin.as_str())
                    .bind(matrix.row_bytes(seq));
            }
            q.execute(&mut *tx).await?;
        }
        let summary = WriteSummary {
            data_version,
            added: matrix.pairs(),
            removed: old.unwrap_or(0) as usize,
            ..WriteSummary::default()
        };
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Every stored matrix, read row by row.
    pub async fn travel_matrices(&self) -> Result<Vec<TravelMatrix>> {
        let heads = sqlx::query(
            "SELECT geography, mode, kind, destinations, pairs, tool, tool_date, departure, file, created_at \
             FROM travel_matrices ORDER BY geography, mode",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(heads.len());
        for h in heads {
            let geography: String = h.get(0);
            let mode_name: String = h.get(1);
            let corrupt = |what: &str| {
                Error::internal(format_args!(
                    "travel matrix {geography}/{mode_name}: {what}"
                ))
            };
            let mode = TravelMode::parse(&mode_name).ok_or_else(|| corrupt("unknown mode"))?;
            let kind = DestinationKind::parse(&h.get::<String, _>(2))
                .ok_or_else(|| corrupt("unknown destination kind"))?;
            let destinations: Vec<String> = serde_json::from_str(&h.get::<String, _>(3))
                .map_err(|_| corrupt("destinations are not a JSON array"))?;
            let pairs = usize::try_from(h.get::<i64, _>(4)).unwrap_or(0);
            let mut m = TravelMatrix {
                geography: geography.clone(),
                mode,
                source: MatrixSource {
                    tool: h.get(5),
                    date: h.get(6),
                    departure: h.get(7),
                    file: h.get(8),
                    stored_at: h.get(9),
                },
                kind,
                origins: Vec::new(),
                destinations,
                offsets: vec![0],
                to: Vec::with_capacity(pairs),
                minutes: Vec::with_capacity(pairs),
            };
            let mut rows = sqlx::query(
                "SELECT origin, pairs FROM travel_rows WHERE geography = $1 AND mode = $2 ORDER BY seq",
            )
            .bind(&geography)
            .bind(&mode_name)
            .fetch(self.pool());
            while let Some(r) = rows.try_next().await? {
                let origin = Geoid::parse(&r.get::<String, _>(0))
                    .map_err(|_| corrupt("an origin is not a GEOID"))?;
                let bytes: Vec<u8> = r.get(1);
                if !m.push_row_bytes(&bytes) {
                    return Err(corrupt("a row is not whole pairs"));
                }
                m.origins.push(origin);
            }
            out.push(m);
        }
        Ok(out)
    }
}
