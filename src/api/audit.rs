use super::AppState;
use super::openapi::ErrorBody;
use crate::error::{Code, Error, Result};
use crate::store::AuditEntry;
use crate::store::Role;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// How many entries, newest first (default 100).
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<i64>,
}

/// `GET /api/v1/audit`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    /// The entries, newest first.
    entries: Vec<AuditEntry>,
}

/// `GET /api/v1/audit[?limit=N]`: who wrote what and when, newest first (admins only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "operations", params(Query),
    security(("token" = [])),
    responses(
    (status = 200, description = "The audit record, newest first.", body = AuditLog),
    (status = 401, description = "No token, or an unknown one.", body = ErrorBody),
    (status = 403, description = "The token's role is below admin.", body = ErrorBody),
))]
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
    Ok(HttpResponse::Ok().json(AuditLog { entries }))
}
