//! Access tokens and the audit record. Tokens are kept as SHA-256 digests: the store never
//! holds one in clear, and a token is shown once, when it is created.

use super::{Store, WriteSummary, now_rfc3339};
use crate::error::{Code, Error, Result};
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

/// What a token may do; each role includes the ones before it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read data when reads are not public.
    Viewer,
    /// Upload data.
    Editor,
    /// Manage, read the audit record and change the needs' standards.
    Admin,
}

impl Role {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "viewer" => Self::Viewer,
            "editor" => Self::Editor,
            "admin" => Self::Admin,
            _ => return None,
        })
    }
}

/// A stored token, without its secret.
#[derive(Clone, Debug, Serialize)]
pub struct TokenInfo {
    /// Public id, shown in the audit record.
    pub id: String,
    /// Its role.
    pub role: Role,
    /// What it is for.
    pub label: String,
    /// When it was made.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// Who made a write and what it was, recorded with the write in one transaction.
#[derive(Clone, Debug)]
pub struct Audit {
    /// e.g. `token:k3j2h1 (editor: north office)`, `admin-token`, `cli`, `demo`.
    pub actor: String,
    /// e.g. `replace_geography`, `put_assessment`, `merge_partners`.
    pub action: String,
    /// What was written: a geography, a year or a feed (empty for the directory).
    pub subject: String,
    /// The files it came from.
    pub files: Vec<String>,
}

impl Audit {
    /// An audit entry for a write of `subject` from `files`.
    pub fn new(
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
        files: Vec<String>,
    ) -> Self {
        Self {
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            files,
        }
    }

    /// The action with the files it wrote: `edit_partner`, `merge_partners (stage.csv)`.
    pub fn via(&self) -> String {
        if self.files.is_empty() {
            self.action.clone()
        } else {
            format!("{} ({})", self.action, self.files.join(", "))
        }
    }

    /// The record's one-line text, e.g. `tracts-2020 (tracts.geojson)`.
    pub fn target(&self) -> String {
        match (self.subject.is_empty(), self.files.is_empty()) {
            (_, true) => self.subject.clone(),
            (true, false) => self.files.join(", "),
            (false, false) => format!("{} ({})", self.subject, self.files.join(", ")),
        }
    }
}

/// One line of the audit record.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub data_version: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub unchanged: i64,
    /// The stored records the write changed, field by field (`[]` where it changed none
    /// or was recorded before changes were).
    pub changes: serde_json::Value,
}

/// The hex SHA-256 digest under which a token is stored.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random(n: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

impl Store {
    /// Creates a token and returns it with its secret (shown once, never stored).
    pub async fn create_token(&self, role: Role, label: &str) -> Result<(TokenInfo, String)> {
        let id = random(8).to_lowercase();
        let secret = format!("gm_{}", random(40));
        let info = TokenInfo {
            id: id.clone(),
            role,
            label: label.to_owned(),
            created_at: now_rfc3339(),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO tokens (id, role, digest, label, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&info.id)
        .bind(role.as_str())
        .bind(token_digest(&secret))
        .bind(&info.label)
        .bind(&info.created_at)
        .execute(self.pool())
        .await?;
        Ok((info, secret))
    }

    /// The live (not revoked) token with this secret, if any.
    pub async fn find_token(&self, secret: &str) -> Result<Option<TokenInfo>> {
        let row = sqlx::query(
            "SELECT id, role, label, created_at FROM tokens WHERE digest = $1 AND revoked_at IS NULL",
        )
        .bind(token_digest(secret))
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(TokenInfo {
                id: r.get(0),
                role: Role::parse(&r.get::<String, _>(1))
                    .ok_or_else(|| Error::internal("unknown role in store"))?,
                label: r.get(2),
                created_at: r.get(3),
                revoked_at: None,
            })
        })
        .transpose()
    }

    /// Every token, newest first.
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query("SELECT id, role, label, created_at, revoked_at FROM tokens ORDER BY created_at DESC, id")
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.get(0),
                    role: Role::parse(&r.get::<String, _>(1))
                        .ok_or_else(|| Error::internal("unknown role in store"))?,
                    label: r.get(2),
                    created_at: r.get(3),
                    revoked_at: r.get(4),
                })
            })
            .collect()
    }

    /// Revokes a token by its id.
    pub async fn revoke_token(&self, id: &str) -> Result<()> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_rfc3339())
                .bind(id)
                .execute(self.pool())
                .await?;
        if done.rows_affected() == 0 {
            return Err(Error::new(
                Code::NotFound,
                format!("there is no live token '{id}'"),
            ));
        }
        Ok(())
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target, data_version, added, changed, removed, unchanged, changes \
             FROM audit ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                target: r.get(4),
                data_version: r.get(5),
                added: r.get(6),
                changed: r.get(7),
                removed: r.get(8),
                unchanged: r.get(9),
                changes: r
                    .get::<Option<String>, _>(10)
                    .and_then(|c| serde_json::from_str(&c).ok())
                    .unwrap_or_else(|| serde_json::json!([])),
            })
            .collect())
    }
}

/// Records a write inside its own transaction, so the record and the data commit together.
pub(super) async fn record(
    tx: &mut Transaction<'static, Any>,
    audit: &Audit,
    s: &WriteSummary,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit (at, actor, action, target, data_version, added, changed, removed, unchanged, subject, files, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(now_rfc3339())
    .bind(&audit.actor)
    .bind(&audit.action)
    .bind(audit.target())
    .bind(s.data_version)
    .bind(s.added as i64)
    .bind(s.changed as i64)
    .bind(s.removed as i64)
    .bind(s.unchanged as i64)
    .bind(&audit.subject)
    .bind(serde_json::to_string(&audit.files).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&s.changes).unwrap_or_else(|_| "[]".into()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
