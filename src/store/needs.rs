//! The needs: each program's own standards (migration 0010). The seeding file fills an
//! empty table once; after that each need changes only through [`Store::put_need`], one
//! audited write that bumps the data version like every other.

use super::{Audit, Store, WriteSummary, access, now_rfc3339};
use crate::domain::Need;
use crate::domain::partner_edit::{FieldChange, RecordChange};
use crate::error::{Code, Error, Result};
use sqlx::Row;

/// What seeding the needs did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The table was empty: it now holds the file's needs, each at version 1.
    Seeded(usize),
    /// The store already had this many needs: they stay, the file was not read into it.
    Kept(usize),
}

fn to_json(need: &Need) -> Result<String> {
    serde_json::to_string(&need.definition()).map_err(Error::internal)
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Need> {
    let code: String = r.get(0);
    let mut need: Need = serde_json::from_str(&r.get::<String, _>(1))
        .map_err(|e| Error::internal(format_args!("stored need '{code}' cannot be read: {e}")))?;
    need.version = r.get(2);
    need.updated_at = Some(r.get(3));
    need.updated_by = Some(r.get(4));
    Ok(need)
}

/// The top-level fields of two definitions that differ, before and after (`before` null
/// for a new need).
fn field_changes(before: Option<&Need>, after: &Need) -> Result<Vec<FieldChange>> {
    let value = |n: &Need| serde_json::to_value(n.definition()).map_err(Error::internal);
    let after = value(after)?;
    let before = before.map(value).transpose()?;
    let empty = serde_json::Map::new();
    let (Some(a), b) = (
        after.as_object(),
        before
            .as_ref()
            .and_then(|b| b.as_object())
            .unwrap_or(&empty),
    ) else {
        return Ok(Vec::new());
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter(|k| *k != "version")
        .filter_map(|k| {
            let (x, y) = (b.get(k), a.get(k));
            (x != y).then(|| FieldChange {
                field: k.clone(),
                before: x.cloned().unwrap_or(serde_json::Value::Null),
                after: y.cloned().unwrap_or(serde_json::Value::Null),
            })
        })
        .collect())
}

impl Store {
    /// Every stored need, in its order (the seeding file's, then needs added later).
    pub async fn needs(&self) -> Result<Vec<Need>> {
        let rows = sqlx::query(
            "SELECT code, definition, version, updated_at, updated_by FROM needs ORDER BY position, code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Fills an empty needs table with `needs` (each at version 1, `updated_by` naming
    /// `source`); a table that holds any need is left as it is. Seeding is the store's
    /// starting state, like its migrations: it moves no data version and makes no audit
    /// entry. Concurrent replicas seed once: the data-version row is locked first.
    pub async fn seed_needs(&self, needs: &[Need], source: &str) -> Result<Seeded> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE meta SET value = value WHERE key = 'data_version'")
            .execute(&mut *tx)
            .await?;
        let have: i64 = sqlx::query("SELECT COUNT(*) FROM needs")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if have > 0 {
            tx.rollback().await?;
            return Ok(Seeded::Kept(usize::try_from(have).unwrap_or(0)));
        }
        let at = now_rfc3339();
        let by = format!("seed ({source})");
        for (position, need) in needs.iter().enumerate() {
            sqlx::query(
                "INSERT INTO needs (code, position, definition, version, updated_at, updated_by) \
                 VALUES ($1, $2, $3, 1, $4, $5)",
            )
            .bind(&need.code)
            .bind(position as i64)
            .bind(to_json(need)?)
            .bind(&at)
            .bind(&by)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Seeded::Seeded(needs.len()))
    }

    /// Replaces the stored need of `need.code`, or adds it, in one audited write
    /// (`put_need`, changes listed field by field). With `expected` (the version the
    /// caller edited; 0 for a need it believes new) a need stored at another version is
    /// refused with 409 `conflict` and nothing written. A definition equal to the stored
    /// one writes nothing (`nothing_changed`). Returns the need as stored.
    pub async fn put_need(
        &self,
        need: &Need,
        expected: Option<i64>,
        audit: &Audit,
    ) -> Result<(WriteSummary, Need)> {
        let (mut tx, data_version) = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT code, definition, version, updated_at, updated_by FROM needs WHERE code = $1",
        )
        .bind(&need.code)
        .fetch_optional(&mut *tx)
        .await?;
        let stored = row.as_ref().map(from_row).transpose()?;
        let stored_version = stored.as_ref().map_or(0, |n| n.version);
        if let Some(v) = expected
            && v != stored_version
        {
            tx.rollback().await?;
            return Err(Error::new(
                Code::Conflict,
                match &stored {
                    Some(_) => format!(
                        "need '{}' is at version {stored_version}, not {v}: someone changed it since it was read; load it again and redo the change",
                        need.code
                    ),
                    None => format!(
                        "need '{}' is not stored, so there is no version {v} to change: leave version out (or give 0) to add it",
                        need.code
                    ),
                },
            ));
        }
        let fields = field_changes(stored.as_ref(), need)?;
        if let Some(old) = &stored
            && fields.is_empty()
        {
            tx.rollback().await?;
            let summary = WriteSummary {
                data_version,
                unchanged: 1,
                ..WriteSummary::default()
            }
            .nothing_written();
            return Ok((summary, old.clone()));
        }
        let at = now_rfc3339();
        let version = stored_version + 1;
        if stored.is_some() {
            sqlx::query(
                "UPDATE needs SET definition = $1, version = $2, updated_at = $3, updated_by = $4 WHERE code = $5",
            )
            .bind(to_json(need)?)
            .bind(version)
            .bind(&at)
            .bind(&audit.actor)
            .bind(&need.code)
            .execute(&mut *tx)
            .await?;
        } else {
            let last: Option<i64> = sqlx::query("SELECT MAX(position) FROM needs")
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            sqlx::query(
                "INSERT INTO needs (code, position, definition, version, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&need.code)
            .bind(last.map_or(0, |p| p + 1))
            .bind(to_json(need)?)
            .bind(version)
            .bind(&at)
            .bind(&audit.actor)
            .execute(&mut *tx)
            .await?;
        }
        let mut changes = vec![RecordChange {
            record: "need".into(),
            id: need.code.clone(),
            fields,
            cleared: Vec::new(),
        }];
        changes[0].fields.insert(
            0,
            FieldChange {
                field: "version".into(),
                before: stored
                    .as_ref()
                    .map_or(serde_json::Value::Null, |_| stored_version.into()),
                after: version.into(),
            },
        );
        let summary = WriteSummary {
            data_version,
            added: usize::from(stored.is_none()),
            changed: usize::from(stored.is_some()),
            changes,
            ..WriteSummary::default()
        };
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        let mut now = need.definition();
        now.version = version;
        now.updated_at = Some(at);
        now.updated_by = Some(audit.actor.clone());
        Ok((summary, now))
    }
}
