use super::AppState;
use super::format::cached;
use crate::analysis::{self, Cached, OutreachParams};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutreachQuery {
    year: Year,
    target: String,
    enrolled: Option<String>,
    limit: Option<usize>,
    need: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/outreach?year=&target=[&enrolled=][&limit=][&need=][&format=json|csv|geojson]`:
/// areas ranked by unserved = max(0, target − enrolled).
pub async fn get(
    query: web::Query<OutreachQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let params = OutreachParams {
        target: q.target,
        enrolled: q.enrolled.filter(|e| !e.is_empty()),
        limit: q.limit,
        need: q.need.filter(|n| !n.is_empty()),
    };
    let year = q.year.get();
    let atlas = state.services.atlas.get();
    let key = {
        CacheKey::new("outreach", atlas.data_version)
            .with("year", year)
            .with("target", params.target.as_str())
            .with("enrolled", params.enrolled.as_deref())
            .with("limit", params.limit)
            .with("need", params.need.as_deref())
            .with("format", format.name())
    };
    cached(&state, atlas, key, move |atlas, cache| {
        let report = analysis::outreach(&Cached::new(atlas, cache), year, &params)?;
        output::render(&Document::Outreach(&report, atlas), format, Layout::Compact)
    })
    .await
}
