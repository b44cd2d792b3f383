//! Who may write. A write carries `Authorization: Bearer <token>`; the token is compared
//! by its SHA-256 digest so the comparison time does not depend on where it differs.

use crate::config::Secret;
use crate::error::{Code, Error, Result};
use actix_web::HttpRequest;
use sha2::{Digest, Sha256};

/// The write policy.
#[derive(Debug)]
pub struct Auth {
    admin_digest: Option<[u8; 32]>,
}

impl Auth {
    /// With `None`, writes are open (the server refuses to start so unless told).
    pub fn new(admin: Option<Secret>) -> Self {
        Self {
            admin_digest: admin.map(|s| digest(s.expose())),
        }
    }

    /// Ok when the request may write.
    pub fn require_writer(&self, req: &HttpRequest) -> Result<()> {
        let Some(expected) = &self.admin_digest else {
            return Ok(());
        };
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::new(
                    Code::MissingToken,
                    "this is a write: send the header 'Authorization: Bearer <token>'",
                )
            })?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            Error::new(
                Code::MissingToken,
                "the Authorization header must be 'Bearer <token>'",
            )
        })?;
        let given = digest(token.trim());
        // Fold every byte so the time taken does not reveal a prefix match.
        let diff = given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff == 0 {
            Ok(())
        } else {
            Err(Error::new(Code::InvalidToken, "the token is not valid"))
        }
    }
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}
