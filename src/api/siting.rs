use super::AppState;
use super::format::cached;
use super::openapi::ErrorBody;
use crate::analysis::SitingReport;
use crate::analysis::siting::Candidates;
use crate::analysis::{self, Cached, SitingParams};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SitingQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// A need's code.
    #[param(example = "childcare")]
    need: String,
    /// How many new sites to suggest.
    #[param(minimum = 1, maximum = 100, example = 3)]
    k: usize,
    /// The capacity of each new site, in the need's supply units (default: the median of
    /// the need's sites with a capacity, or 1 for a need counted in sites).
    #[param(exclusive_minimum = 0)]
    capacity: Option<f64>,
    /// Where new sites may go: the areas' demand points (default) or `assets`, the
    /// directory's places that qualify as opportunities (as `/api/v1/opportunities`).
    candidates: Option<Candidates>,
}

/// `GET /api/v1/siting?year=&need=&k=[&capacity=][&candidates=demand_points|assets]`:
/// where k new sites would close the most shortfall, best first; with `candidates=assets`
/// they are chosen among the directory's places that qualify as opportunities.
#[utoipa::path(get, path = "/api/v1/siting", tag = "analysis", params(SitingQuery), responses(
    (status = 200, description = "The suggested sites, best first.", body = SitingReport),
    (status = 404, description = "No assessment for the year, or no such need.", body = ErrorBody),
    (status = 422, description = "The need's demand indicator is not in the assessment.", body = ErrorBody),
))]
pub async fn get(
    query: web::Query<SitingQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let params = SitingParams {
        k: q.k,
        capacity: q.capacity,
        candidates: q.candidates.unwrap_or_default(),
    };
    let (year, need) = (q.year.get(), q.need);
    let atlas = state.services.atlas.get();
    let key = {
        CacheKey::new("siting", atlas.data_version)
            .with("year", year)
            .with("need", need.as_str())
            .with("k", params.k)
            .with("capacity", params.capacity)
            .with("candidates", params.candidates.name())
    };
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::siting(&Cached::new(atlas, cache), year, &need, &params)?;
        output::write(
            &Document::Siting(&report),
            Format::Json,
            Layout::Compact,
            out,
        )
    })
    .await
}
