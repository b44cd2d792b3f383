use super::AppState;
use crate::error::{Code, Error, Result};
use crate::store::Role;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    limit: Option<i64>,
}

/// `GET /api/v1/audit[?limit=N]`: who wrote what and when, newest first (admins only).
pub async fn list(
    req: HttpRequest,
    query: web::Query<Query>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    state
        .auth
        .require(&req, &state.services.store, Role::Admin)
        .await?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(Error::new(
            Code::InvalidParameter,
            "limit must be between 1 and 10000",
        ));
    }
    let entries = state.services.store.audit_log(limit).await?;
    Ok(HttpResponse::Ok().json(json!({ "entries": entries })))
}
