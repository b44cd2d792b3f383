use super::{Audit, Store, WriteSummary, access, now_rfc3339};
use crate::domain::{Assessment, AssessmentSummary, Geoid, IndicatorRow, IndicatorTable, Warning};
use crate::error::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// Stores a new version of a year's assessment with what the import warned about;
    /// earlier versions stay retrievable. The summary compares the new rows with the
    /// year's previous version.
    pub async fn put_assessment(
        &self,
        year: i32,
        geography: &str,
        table: &IndicatorTable,
        source: &str,
        warnings: &[Warning],
        audit: &Audit,
    ) -> Result<(i64, WriteSummary)> {
        let (mut tx, data_version) = self.begin_write().await?;
        let previous: Option<i64> =
            sqlx::query("SELECT MAX(version) FROM assessments WHERE year = $1")
                .bind(year as i64)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<Option<i64>, _>(0)?;
        let version = previous.unwrap_or(0) + 1;

        let mut old: HashMap<String, String> = HashMap::new();
        if let Some(prev) = previous {
            let cols: String =
                sqlx::query("SELECT columns FROM assessments WHERE year = $1 AND version = $2")
                    .bind(year as i64)
                    .bind(prev)
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
            for r in sqlx::query(
                "SELECT geoid, vals FROM assessment_rows WHERE year = $1 AND version = $2",
            )
            .bind(year as i64)
            .bind(prev)
            .fetch_all(&mut *tx)
            .await?
            {
                old.insert(r.get(0), format!("{cols}{}", r.get::<String, _>(1)));
            }
        }

        let columns = serde_json::to_string(&table.columns).map_err(Error::internal)?;
        let warnings = serde_json::to_string(warnings).map_err(Error::internal)?;
        sqlx::query(
            "INSERT INTO assessments (year, version, geography, columns, source, created_at, warnings) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(year as i64)
        .bind(version)
        .bind(geography)
        .bind(&columns)
        .bind(source)
        .bind(now_rfc3339())
        .bind(warnings)
        .execute(&mut *tx)
        .await?;

        let mut summary = WriteSummary {
            data_version,
            ..Default::default()
        };
        for (seq, row) in table.rows.iter().enumerate() {
            let vals = serde_json::to_string(&row.values).map_err(Error::internal)?;
            match old.get(row.geoid.as_str()) {
                None => summary.added += 1,
                Some(prev) if *prev == format!("{columns}{vals}") => summary.unchanged += 1,
                Some(_) => summary.changed += 1,
            }
            sqlx::query(
                "INSERT INTO assessment_rows (year, version, seq, geoid, vals) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(year as i64)
            .bind(version)
            .bind(seq as i64)
            .bind(row.geoid.as_str())
            .bind(vals)
            .execute(&mut *tx)
            .await?;
        }
        summary.removed = old.len() - summary.changed - summary.unchanged;
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        Ok((version, summary))
    }

    /// One version of a year (the current one when `version` is `None`).
    pub async fn assessment(&self, year: i32, version: Option<i64>) -> Result<Option<Assessment>> {
        let head = match version {
            Some(v) => {
                sqlx::query("SELECT version, geography, columns, warnings FROM assessments WHERE year = $1 AND version = $2")
                    .bind(year as i64)
                    .bind(v)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => {
                sqlx::query(
                    "SELECT version, geography, columns, warnings FROM assessments WHERE year = $1 \
                     ORDER BY version DESC LIMIT 1",
                )
                .bind(year as i64)
                .fetch_optional(self.pool())
                .await?
            }
        };
        let Some(head) = head else { return Ok(None) };
        let version: i64 = head.get(0);
        let columns: Vec<String> =
            serde_json::from_str(&head.get::<String, _>(2)).map_err(Error::internal)?;
        let warnings: Vec<Warning> =
            serde_json::from_str(&head.get::<String, _>(3)).map_err(Error::internal)?;
        let rows = sqlx::query(
            "SELECT geoid, vals FROM assessment_rows WHERE year = $1 AND version = $2 ORDER BY seq",
        )
        .bind(year as i64)
        .bind(version)
        .fetch_all(self.pool())
        .await?;
        let mut table = IndicatorTable {
            columns,
            rows: Vec::with_capacity(rows.len()),
        };
        for r in rows {
            let geoid = Geoid::parse(&r.get::<String, _>(0)).map_err(Error::internal)?;
            let values: Vec<Option<f64>> =
                serde_json::from_str(&r.get::<String, _>(1)).map_err(Error::internal)?;
            table.rows.push(IndicatorRow { geoid, values });
        }
        Ok(Some(Assessment {
            year,
            version,
            geography: head.get(1),
            table,
            warnings,
        }))
    }

    /// Every year with its current version, oldest year first.
    pub async fn list_assessments(&self) -> Result<Vec<AssessmentSummary>> {
        let rows = sqlx::query(
            "SELECT a.year, a.version, a.geography, a.columns, a.created_at, \
                    (SELECT COUNT(*) FROM assessment_rows r WHERE r.year = a.year AND r.version = a.version) \
             FROM assessments a ORDER BY a.year, a.version",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<AssessmentSummary> = Vec::new();
        for r in rows {
            let year = r.get::<i64, _>(0) as i32;
            let version: i64 = r.get(1);
            let columns: Vec<String> =
                serde_json::from_str(&r.get::<String, _>(3)).map_err(Error::internal)?;
            let summary = AssessmentSummary {
                year,
                geography: r.get(2),
                version,
                versions: vec![version],
                indicators: columns
                    .into_iter()
                    .filter(|c| !c.ends_with("_moe"))
                    .collect(),
                areas: r.get::<i64, _>(5) as usize,
                created_at: r.get(4),
            };
            match out.last_mut() {
                Some(last) if last.year == year => {
                    let mut versions = std::mem::take(&mut last.versions);
                    versions.push(version);
                    *last = AssessmentSummary {
                        versions,
                        ..summary
                    };
                }
                _ => out.push(summary),
            }
        }
        Ok(out)
    }

    /// The current version of every year, for the Atlas.
    pub(super) async fn load_current_assessments(&self) -> Result<Vec<Assessment>> {
        let mut out = Vec::new();
        for s in self.list_assessments().await? {
            if let Some(a) = self.assessment(s.year, Some(s.version)).await? {
                out.push(a);
            }
        }
        Ok(out)
    }
}
