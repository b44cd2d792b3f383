use super::AppState;
use actix_web::{HttpResponse, web};
use serde::Serialize;

/// `GET /healthz`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`: the process answers.
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// Whether the store answers.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadyStatus {
    /// The store answers and the Atlas is built.
    Ready,
    /// The store does not answer (the answer is a 503).
    StoreUnavailable,
}

/// `GET /readyz`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// Ready, or why not.
    status: ReadyStatus,
    /// The data version the Atlas was built from.
    data_version: i64,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process answers.", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the store answers and the Atlas is built (with its data version).
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready to serve.", body = Readiness),
    (status = 503, description = "The store does not answer.", body = Readiness),
))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store_ok = state.services.store.ping().await;
    let atlas = state.services.atlas.get();
    let body = Readiness {
        status: if store_ok {
            ReadyStatus::Ready
        } else {
            ReadyStatus::StoreUnavailable
        },
        data_version: atlas.data_version,
    };
    if store_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
