use super::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// `GET /api/v1/needs`: the needs taxonomy as gapmap measures it.
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "needs": state.services.catalog.needs() }))
}
