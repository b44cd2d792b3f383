use super::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// Liveness: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: the store answers and the Atlas is built (with its data version).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store_ok = state.services.store.ping().await;
    let atlas = state.services.atlas.get();
    let body = json!({
        "status": if store_ok { "ready" } else { "store_unavailable" },
        "data_version": atlas.data_version,
    });
    if store_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
