use super::{Audit, Store, WriteSummary, access, now_rfc3339};
use crate::domain::{Assessment, AssessmentSummary, Geoid, IndicatorRow, IndicatorTable, Warning};
use crate::error::{Error, Result};
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// Stores a new version of a year's assessment with what the import warned about;
    /// earlier versions stay retrievable. The summary compares the new rows with the
    /// year's previous version. A table equal to the current version (same geography,
    /// columns and rows in the same order) stores nothing and answers that version.
    pub async fn put_assessment(
        &self,
        year: i32,
        geography: &str,
        table: &IndicatorTable,
        source: &str,
        warnings: &[Warning],
        audit: &Audit,
    ) -> Result<(i64, WriteSummary)> {
        let (mut tx, data_version) = self.begin_write(super::Part::Assessments).await?;
        let previous: Option<i64> =
            sqlx::query("SELECT MAX(version) FROM assessments WHERE year = $1")
                .bind(year as i64)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<Option<i64>, _>(0)?;
        let version = previous.unwrap_or(0) + 1;

        // The previous version's geography, columns and rows (in upload order), to
        // report what changed and to tell an upload that changes nothing.
        let mut old: Vec<(String, String)> = Vec::new();
        let mut old_head: Option<(String, String)> = None;
        if let Some(prev) = previous {
            let head = sqlx::query(
                "SELECT geography, columns FROM assessments WHERE year = $1 AND version = $2",
            )
            .bind(year as i64)
            .bind(prev)
            .fetch_one(&mut *tx)
            .await?;
            let cols: String = head.get(1);
            for r in sqlx::query(
                "SELECT geoid, vals FROM assessment_rows WHERE year = $1 AND version = $2 ORDER BY seq",
            )
            .bind(year as i64)
            .bind(prev)
            .fetch_all(&mut *tx)
            .await?
            {
                old.push((r.get(0), format!("{cols}{}", r.get::<String, _>(1))));
            }
            old_head = Some((head.get(0), cols));
        }
        let old_by_geoid: HashMap<&str, &str> = old
            .iter()
            .map(|(geoid, fp)| (geoid.as_str(), fp.as_str()))
            .collect();

        let columns = serde_json::to_string(&table.columns).map_err(Error::internal)?;
        let warnings = serde_json::to_string(warnings).map_err(Error::internal)?;
        let mut summary = WriteSummary {
            data_version,
            ..Default::default()
        };
        let mut new = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let vals = serde_json::to_string(&row.values).map_err(Error::internal)?;
            let fp = format!("{columns}{vals}");
            match old_by_geoid.get(row.geoid.as_str()) {
                None => summary.added += 1,
                Some(prev) if *prev == fp => summary.unchanged += 1,
                Some(_) => summary.changed += 1,
            }
            new.push((row.geoid.as_str(), vals, fp));
        }
        summary.removed = old.len() - summary.changed - summary.unchanged;
        let same = old_head
            .as_ref()
            .is_some_and(|(geo, cols)| geo == geography && *cols == columns)
            && old.len() == new.len()
            && old
                .iter()
                .zip(&new)
                .all(|((geoid, prev), (new_geoid, _, fp))| geoid == new_geoid && prev == fp);
        if let (true, Some(prev)) = (same, previous) {
            // The same table as the current version: no new version, no audit entry.
            tx.rollback().await?;
            return Ok((prev, summary.nothing_written()));
        }

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
        for (seq, (geoid, vals, _)) in new.into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO assessment_rows (year, version, seq, geoid, vals) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(year as i64)
            .bind(version)
            .bind(seq as i64)
            .bind(geoid)
            .bind(vals)
            .execute(&mut *tx)
            .await?;
        }
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
        // In upload order (`seq`, sorted here), then their JSON read on every core.
        let mut raw = Vec::new();
        let mut rows = sqlx::query(
            "SELECT geoid, vals, seq FROM assessment_rows WHERE year = $1 AND version = $2",
        )
        .bind(year as i64)
        .bind(version)
        .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            raw.push((
                r.try_get::<i64, _>(2)?,
                r.try_get::<String, _>(0)?,
                r.try_get::<String, _>(1)?,
            ));
        }
        drop(rows);
        raw.sort_unstable_by_key(|(seq, _, _)| *seq);
        let rows = tokio::task::spawn_blocking(move || {
            crate::parallel::map(raw.len(), |i| {
                let (_, geoid, values) = &raw[i];
                Ok(IndicatorRow {
                    geoid: Geoid::parse(geoid).map_err(Error::internal)?,
                    values: serde_json::from_str(values).map_err(Error::internal)?,
                })
            })
            .into_iter()
            .collect::<Result<Vec<IndicatorRow>>>()
        })
        .await
        .map_err(Error::internal)??;
        let table = IndicatorTable { columns, rows };
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

    /// The latest year stored before `year`, if any.
    pub async fn latest_year_before(&self, year: i32) -> Result<Option<i32>> {
        let row = sqlx::query("SELECT MAX(year) FROM assessments WHERE year < $1")
            .bind(year as i64)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?.map(|y| y as i32))
    }

    /// The current version of every year, for the Atlas.
    pub async fn current_assessments(&self) -> Result<Vec<Assessment>> {
        let mut out = Vec::new();
        for s in self.list_assessments().await? {
            if let Some(a) = self.assessment(s.year, Some(s.version)).await? {
                out.push(a);
            }
        }
        Ok(out)
    }
}
