//! Persistence. The store is the source of truth; every write is one transaction that
//! also bumps the data version. The same code runs on SQLite (embedded default) and
//! PostgreSQL through sqlx's `Any` driver; only the migrations differ per backend.

mod access;
mod assessments;
mod bulk;
mod geographies;
mod needs;
mod options;
mod partners;
mod provenance;
mod records;
mod travel;

pub use access::{Audit, AuditEntry, Role, TokenInfo, token_digest};
pub use needs::Seeded;
pub use options::{DbUrl, StoreOptions};
pub use partners::{HistoryEntry, PartnerWrite};

use crate::domain::partner_edit::RecordChange;
use crate::error::Result;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, Executor, Row, Transaction};
use sqlx::{AnyConnection, AnyPool};
use std::time::Duration;

/// What a write changed, for the uploader and the audit record.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WriteSummary {
    /// The data version the write committed.
    pub data_version: i64,
    /// Rows (areas, area rows of an assessment, sites) that are new.
    pub added: usize,
    /// Rows that existed and differ now.
    pub changed: usize,
    /// Rows that existed and are gone now.
    pub removed: usize,
    /// Rows that existed and are the same.
    pub unchanged: usize,
    /// Partner directory writes: the partners added, changed, removed and unchanged (the
    /// counts above are of sites).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partners: Option<Counts>,
    /// The stored records the write changed, field by field with the values before and
    /// after, and the fields it cleared; at most [`CHANGES_LISTED`] records.
    pub changes: Vec<RecordChange>,
    /// Changed records beyond those listed.
    pub changes_not_listed: usize,
    /// True when the upload held exactly what was stored: nothing was written, the data
    /// version did not move and no audit entry was made.
    #[serde(skip)]
    pub nothing_changed: bool,
}

/// At most this many changed records are listed in an answer and its audit entry.
pub const CHANGES_LISTED: usize = 1000;

/// How many records a write added, changed, removed and left as they were.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
}

impl WriteSummary {
    /// The summary of a write that found nothing to change and rolled back: the version
    /// it reports is the one still current, not the one its transaction had taken.
    fn nothing_written(self) -> Self {
        Self {
            data_version: self.data_version - 1,
            nothing_changed: true,
            ..self
        }
    }
}

/// Which database the store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (WAL mode).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Handle to the store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Rows a multi-row write statement holds at most (see [`Store::with_statement_rows`]).
    statement_rows: usize,
}

impl Store {
    /// Connects (creating a SQLite file if needed) and runs the migrations.
    pub async fn connect(options: &StoreOptions) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let db = &options.url;
        let backend = if db.is_postgres() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let statement_timeout_ms = options.statement_timeout_secs.saturating_mul(1000);
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                4
            } else {
                options.pool_size.max(2)
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn: &mut AnyConnection, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer imports; the busy
                        // timeout queues a second writer instead of failing it.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    } else {
                        // A runaway statement must not hold the write lock forever.
                        sqlx::query("SELECT set_config('statement_timeout', $1, false)")
                            .bind(statement_timeout_ms.to_string())
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            });
        let pool = options
            .connect(&db.connect_url())
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the store at {db}: {e}"))?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&pool).await?,
        }
        let store = Self {
            pool,
            backend,
            statement_rows: bulk::STATEMENT_ROWS,
        };
        let converted = store.convert_text_geometries().await?;
        if converted > 0 {
            tracing::info!(
                converted,
                "area geometries converted from GeoJSON text to WKB"
            );
        }
        let filled = store.fill_extents().await?;
        if filled > 0 {
            tracing::info!(geographies = filled, "geography extents written");
        }
        Ok(store)
    }

    /// The same store writing at most `rows` rows a statement where it writes many (the
    /// partner directory): 1 is one statement per row. The data written is the same
    /// whatever the number; tests compare the two.
    #[doc(hidden)]
    pub fn with_statement_rows(mut self, rows: usize) -> Self {
        self.statement_rows = rows.max(1);
        self
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The data version: it increases with every committed write.
    pub async fn data_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'data_version'")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// True when the store answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// True when the store holds no data at all (no geography, assessment or site).
    pub async fn is_empty(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM geographies) + (SELECT COUNT(*) FROM assessments) \
             + (SELECT COUNT(*) FROM partners)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }

    /// Starts a write of `part`: a transaction whose first statement bumps the data
    /// version (taking that row lock first serialises concurrent writers on both
    /// backends) and which marks `part` changed at that version.
    async fn begin_write(&self, part: Part) -> Result<(Transaction<'static, Any>, i64)> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await?;
        let version = row.try_get::<i64, _>(0)?;
        sqlx::query("UPDATE meta SET value = $1 WHERE key = $2")
            .bind(version)
            .bind(part.key())
            .execute(&mut *tx)
            .await?;
        Ok((tx, version))
    }

    /// The pool, for the submodules.
    fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A part of the store that writes change. Each has its own version in `meta` (the data
/// version of the last write that changed it, migration 0011), so an Atlas is updated
/// from the parts that changed only, by the replica that wrote and by those that poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Geographies and their areas.
    Geographies,
    /// Assessments (indicators).
    Assessments,
    /// Partners and sites (transit stops too).
    Directory,
    /// Program records.
    Records,
    /// Travel-time matrices.
    Travel,
    /// The needs' standards.
    Needs,
}

impl Part {
    /// Every part.
    pub const ALL: [Self; 6] = [
        Self::Geographies,
        Self::Assessments,
        Self::Directory,
        Self::Records,
        Self::Travel,
        Self::Needs,
    ];

    /// Its row in `meta`.
    fn key(self) -> &'static str {
        match self {
            Self::Geographies => "geographies_version",
            Self::Assessments => "assessments_version",
            Self::Directory => "directory_version",
            Self::Records => "records_version",
            Self::Travel => "travel_version",
            Self::Needs => "needs_version",
        }
    }
}

/// The version of each [`Part`]: the data version of the last write that changed it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartVersions([i64; 6]);

impl PartVersions {
    /// The version of `part`.
    pub fn get(&self, part: Part) -> i64 {
        self.0[part as usize]
    }
}

impl Store {
    /// The version of each part. A part without its row counts as changed by the latest
    /// write, so it is never taken for unchanged.
    pub async fn part_versions(&self) -> Result<PartVersions> {
        let rows = sqlx::query("SELECT key, value FROM meta")
            .fetch_all(&self.pool)
            .await?;
        let mut found: [Option<i64>; 6] = [None; 6];
        let mut data_version = 0;
        for r in rows {
            let key: String = r.try_get(0)?;
            let value: i64 = r.try_get(1)?;
            if key == "data_version" {
                data_version = value;
            } else if let Some(p) = Part::ALL.iter().find(|p| p.key() == key) {
                found[*p as usize] = Some(value);
            }
        }
        Ok(PartVersions(found.map(|v| v.unwrap_or(data_version))))
    }
}

/// Now as RFC 3339 UTC text (seconds), without a date-time dependency.
pub(crate) fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339() {
        let t = super::now_rfc3339();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }

    /// `.cargo/config.toml` builds the bundled SQLite without memory statistics, which
    /// made three threads reading at once wait on one mutex for every allocation. A build
    /// run without that file (from outside the repository, or after it was lost) would be
    /// as slow again without saying so: this test says so.
    #[tokio::test]
    async fn the_bundled_sqlite_keeps_no_memory_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let url: super::DbUrl = dir
            .path()
            .join("s.db")
            .display()
            .to_string()
            .parse()
            .unwrap();
        let store = super::Store::connect(&super::StoreOptions::at(url))
            .await
            .unwrap();
        let options: Vec<String> = sqlx::query("PRAGMA compile_options")
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| sqlx::Row::get(r, 0))
            .collect();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "SQLite compile options: {options:?}"
        );
    }
}
