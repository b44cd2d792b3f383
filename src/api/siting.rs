use super::AppState;
use crate::analysis::{self, SitingParams};
use crate::error::{Error, Result};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitingQuery {
    year: i32,
    need: String,
    k: usize,
    capacity: Option<f64>,
}

/// `GET /api/v1/siting?year=&need=&k=[&capacity=]`: where k new sites would close the most
/// shortfall, best first.
pub async fn get(
    query: web::Query<SitingQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let atlas = state.services.atlas.get();
    let bytes = web::block(move || -> Result<Vec<u8>> {
        let params = SitingParams {
            k: q.k,
            capacity: q.capacity,
        };
        let report = analysis::siting(&atlas, q.year, &q.need, &params)?;
        serde_json::to_vec(&report).map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(bytes))
}
