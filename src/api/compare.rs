use super::AppState;
use super::format::cached;
use crate::analysis::{self, Cached};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    need: String,
    from: Year,
    to: Year,
    format: Option<String>,
}

/// `GET /api/v1/compare?need=&from=&to=[&format=json|geojson|csv]`: one need's gaps in two
/// years, area by area.
pub async fn get(
    query: web::Query<CompareQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let (need, from, to) = (q.need, q.from.get(), q.to.get());
    let atlas = state.services.atlas.get();
    let key = {
        CacheKey::new("compare", atlas.data_version)
            .with("need", need.as_str())
            .with("from", from)
            .with("to", to)
            .with("format", format.name())
    };
    cached(&state, atlas, key, move |atlas, cache| {
        let report = analysis::compare(&Cached::new(atlas, cache), &need, from, to)?;
        output::render(&Document::Compare(&report, atlas), format, Layout::Compact)
    })
    .await
}
