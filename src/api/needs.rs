use super::AppState;
use crate::domain::Need;
use actix_web::{HttpResponse, web};
use serde::Serialize;

/// `GET /api/v1/needs`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NeedList<'a> {
    /// Every need, in the catalog's order.
    #[schema(value_type = Vec<Need>)]
    needs: &'a [Need],
}

/// `GET /api/v1/needs`: the needs taxonomy as gapmap measures it.
#[utoipa::path(get, path = "/api/v1/needs", tag = "vocabulary",
    responses((status = 200, description = "The needs, with their indicators, services, radius, bands, target and desert rule.", body = NeedList)))]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(NeedList {
        needs: state.services.catalog.needs(),
    })
}
