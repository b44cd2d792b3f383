use super::AppState;
use super::format::cached;
use crate::analysis::{self, Cached, SitingParams};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitingQuery {
    year: Year,
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
    let params = SitingParams {
        k: q.k,
        capacity: q.capacity,
    };
    let (year, need) = (q.year.get(), q.need);
    let atlas = state.services.atlas.get();
    let key = {
        CacheKey::new("siting", atlas.data_version)
            .with("year", year)
            .with("need", need.as_str())
            .with("k", params.k)
            .with("capacity", params.capacity)
    };
    cached(&state, atlas, key, move |atlas, cache| {
        let report = analysis::siting(&Cached::new(atlas, cache), year, &need, &params)?;
        output::render(&Document::Siting(&report), Format::Json, Layout::Compact)
    })
    .await
}
