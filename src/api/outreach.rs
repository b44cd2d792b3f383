use super::AppState;
use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, TableFormat};
use crate::analysis::OutreachReport;
use crate::analysis::{self, Cached, OutreachParams};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutreachQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// The indicator of the children or families to reach.
    #[param(example = "children_under_5_poverty")]
    target: String,
    /// The indicator of those already enrolled, if the assessment has one.
    enrolled: Option<String>,
    /// Return only the first `limit` areas (all when absent).
    #[param(minimum = 1)]
    limit: Option<usize>,
    /// A need whose desert flag ranks ties and whose sites are listed as nearest.
    need: Option<String>,
    /// The answer's format.
    #[param(value_type = Option<TableFormat>)]
    format: Option<String>,
}

/// `GET /api/v1/outreach?year=&target=[&enrolled=][&limit=][&need=][&format=json|csv|geojson]`:
/// areas ranked by unserved = max(0, target − enrolled).
#[utoipa::path(get, path = "/api/v1/outreach", tag = "analysis", params(OutreachQuery), responses(
    (status = 200, description = "The areas ranked, most unserved first.", content(
        (OutreachReport = "application/json"),
        (FeatureCollection = "application/geo+json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for the year, or no such need.", body = ErrorBody),
    (status = 422, description = "An indicator is not in the assessment.", body = ErrorBody),
))]
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
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::outreach(&Cached::new(atlas, cache), year, &params)?;
        output::write(
            &Document::Outreach(&report, atlas),
            format,
            Layout::Compact,
            out,
        )
    })
    .await
}
