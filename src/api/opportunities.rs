use super::AppState;
use super::format::cached;
use super::openapi::{AssessmentFormat, ErrorBody};
use crate::analysis::OpportunityReport;
use crate::analysis::{self, Cached};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OpportunitiesQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// A need's code.
    #[param(example = "childcare")]
    need: String,
    /// Return only the first `limit` (all when absent).
    #[param(minimum = 1)]
    limit: Option<usize>,
    /// The answer's format: JSON (the default) or CSV.
    #[param(value_type = Option<AssessmentFormat>)]
    format: Option<String>,
}

/// `GET /api/v1/opportunities?year=&need=[&limit=][&format=json|csv]`: the organisations
/// already in the directory that could help close the need's gap, ranked by the shortfall
/// a new site of the need's median capacity at their place would close.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "analysis", params(OpportunitiesQuery), responses(
    (status = 200, description = "The candidates, best first.", content(
        (OpportunityReport = "application/json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for the year, or no such need.", body = ErrorBody),
    (status = 422, description = "The need's demand indicator is not in the assessment.", body = ErrorBody),
))]
pub async fn get(
    query: web::Query<OpportunitiesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let (year, need, limit) = (q.year.get(), q.need, q.limit);
    let atlas = state.services.atlas.get();
    let key = CacheKey::new("opportunities", atlas.data_version)
        .with("year", year)
        .with("need", need.as_str())
        .with("limit", limit)
        .with("format", format.name());
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::opportunities(&Cached::new(atlas, cache), year, &need, limit)?;
        output::write(
            &Document::Opportunities(&report),
            format,
            Layout::Compact,
            out,
        )
    })
    .await
}
