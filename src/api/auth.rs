//! Who may do what. Requests carry `Authorization: Bearer <token>`. The bootstrap admin
//! token comes from `GAPMAP_ADMIN_TOKEN`; others are made with `gapmap token create` and
//! live in the store as digests. Viewers read (when reads are not public), editors
//! upload, admins also read the audit record and change the needs' standards.

use crate::domain::Secret;
use crate::error::{Code, Error, Result};
use crate::store::{Role, Store, token_digest};
use actix_web::HttpRequest;

/// The access policy of a server.
#[derive(Debug)]
pub struct Auth {
    admin_digest: Option<String>,
    anonymous_writes: bool,
    public_reads: bool,
}

/// Who is asking, as the audit record names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The name recorded in the audit log.
    pub actor: String,
    /// What they may do.
    pub role: Role,
}

impl Auth {
    /// The policy: the bootstrap token, whether writes are open without one, whether
    /// reads are open to anyone.
    pub fn new(admin: Option<Secret>, anonymous_writes: bool, public_reads: bool) -> Self {
        Self {
            admin_digest: admin.map(|s| token_digest(s.expose())),
            anonymous_writes,
            public_reads,
        }
    }

    /// True when reads need no token.
    pub fn public_reads(&self) -> bool {
        self.public_reads
    }

    /// The caller if they hold at least `role`; otherwise 401 (no or unknown token) or
    /// 403 (a token with too small a role).
    pub async fn require(&self, req: &HttpRequest, store: &Store, role: Role) -> Result<Caller> {
        self.require_header(authorization(req), store, role).await
    }

    /// As [`Auth::require`], from the `Authorization` header's value.
    pub async fn require_header(
        &self,
        header: Option<String>,
        store: &Store,
        role: Role,
    ) -> Result<Caller> {
        let Some(token) = bearer(header)? else {
            if role == Role::Viewer && self.public_reads {
                return Ok(anonymous(Role::Viewer));
            }
            if role == Role::Editor && self.anonymous_writes && self.admin_digest.is_none() {
                return Ok(anonymous(Role::Editor));
            }
            let what = match role {
                Role::Viewer => "reading",
                Role::Editor => "this is a write: it",
                Role::Admin => "this",
            };
            return Err(Error::new(
                Code::MissingToken,
                format!("{what} needs a token: send the header 'Authorization: Bearer <token>'"),
            ));
        };
        let caller = self.identify(&token, store).await?;
        if caller.role < role {
            return Err(Error::new(
                Code::Forbidden,
                format!(
                    "this needs the {} role; the token has {}",
                    role.as_str(),
                    caller.role.as_str()
                ),
            ));
        }
        Ok(caller)
    }

    async fn identify(&self, token: &str, store: &Store) -> Result<Caller> {
        let digest = token_digest(token);
        // Compare digests without stopping at the first difference.
        if let Some(admin) = &self.admin_digest
            && admin.len() == digest.len()
            && admin
                .bytes()
                .zip(digest.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        {
            return Ok(Caller {
                actor: "admin-token".into(),
                role: Role::Admin,
            });
        }
        match store.find_token(token).await? {
            Some(t) => Ok(Caller {
                actor: format!("token:{} ({}: {})", t.id, t.role.as_str(), t.label),
                role: t.role,
            }),
            None => Err(Error::new(
                Code::InvalidToken,
                "the token is not valid (unknown or revoked)",
            )),
        }
    }
}

fn anonymous(role: Role) -> Caller {
    Caller {
        actor: "anonymous".into(),
        role,
    }
}

/// The `Authorization` header's value (non-text values become an empty string, refused later).
pub fn authorization(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

fn bearer(header: Option<String>) -> Result<Option<String>> {
    let Some(text) = header else {
        return Ok(None);
    };
    let token = text.strip_prefix("Bearer ").ok_or_else(|| {
        Error::new(
            Code::MissingToken,
            "the Authorization header must be 'Bearer <token>'",
        )
    })?;
    Ok(Some(token.trim().to_owned()))
}
