use super::AppState;
use super::format::cached;
use crate::analysis::{self, lookup};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

/// `GET /api/v1/needs`: the needs taxonomy as gapmap measures it.
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "needs": state.services.catalog.needs() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiltersQuery {
    year: Year,
}

/// `GET /api/v1/needs/{code}/filters?year=`: the site filters the need declares, each
/// with whether the data answers it and why not (see `analysis::filters`).
pub async fn filters(
    path: web::Path<String>,
    query: web::Query<FiltersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    let year = query.year.get();
    let atlas = state.services.atlas.get();
    let key = CacheKey::new("need_filters", atlas.data_version)
        .with("need", code.as_str())
        .with("year", year);
    cached(&state, atlas, key, move |atlas, _| {
        let need = lookup::need(atlas, &code)?;
        let report = analysis::filter_options(atlas, year, need)?;
        output::render(&Document::Filters(&report), Format::Json, Layout::Compact)
    })
    .await
}
