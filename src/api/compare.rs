use super::AppState;
use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, TableFormat};
use crate::analysis::CompareReport;
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
pub struct CompareQuery {
    /// A need's code.
    #[param(example = "childcare")]
    need: String,
    /// The earlier (or first) year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    from: Year,
    /// The later (or second) year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    to: Year,
    /// The answer's format.
    #[param(value_type = Option<TableFormat>)]
    format: Option<String>,
}

/// `GET /api/v1/compare?need=&from=&to=[&format=json|geojson|csv]`: one need's gaps in two
/// years, area by area.
#[utoipa::path(get, path = "/api/v1/compare", tag = "analysis", params(CompareQuery), responses(
    (status = 200, description = "One row per GEOID of either year, with the changes.", content(
        (CompareReport = "application/json"),
        (FeatureCollection = "application/geo+json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for a year, or no such need.", body = ErrorBody),
    (status = 422, description = "The need's demand indicator is not in an assessment.", body = ErrorBody),
))]
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
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::compare(&Cached::new(atlas, cache), &need, from, to)?;
        output::write(
            &Document::Compare(&report, atlas),
            format,
            Layout::Compact,
            out,
        )
    })
    .await
}
