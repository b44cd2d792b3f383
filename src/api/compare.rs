use super::AppState;
use crate::analysis;
use crate::error::{Error, Result};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    need: String,
    from: i32,
    to: i32,
}

/// `GET /api/v1/compare?need=&from=&to=`: one need's gaps in two years, area by area.
pub async fn get(
    query: web::Query<CompareQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let atlas = state.services.atlas.get();
    let bytes = web::block(move || -> Result<Vec<u8>> {
        let report = analysis::compare(&atlas, &q.need, q.from, q.to)?;
        serde_json::to_vec(&report).map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(bytes))
}
