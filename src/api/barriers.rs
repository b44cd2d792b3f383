use super::AppState;
use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, TableFormat};
use crate::analysis::BarrierReport;
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
pub struct BarriersQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// The answer's format.
    #[param(value_type = Option<TableFormat>)]
    format: Option<String>,
}

/// `GET /api/v1/barriers?year=[&format=json|geojson|csv]`: per area the four barriers
/// (child care, English proficiency, non-traditional hours, transportation), each the
/// status of the need that measures it, and how many are deserts.
#[utoipa::path(get, path = "/api/v1/barriers", tag = "analysis", params(BarriersQuery), responses(
    (status = 200, description = "Every area's barriers.", content(
        (BarrierReport = "application/json"),
        (FeatureCollection = "application/geo+json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for the year.", body = ErrorBody),
))]
pub async fn get(
    query: web::Query<BarriersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let year = q.year.get();
    let atlas = state.services.atlas.get();
    let key = CacheKey::new("barriers", atlas.data_version)
        .with("year", year)
        .with("format", format.name());
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::barriers(&Cached::new(atlas, cache), year)?;
        output::write(
            &Document::Barriers(&report, atlas),
            format,
            Layout::Compact,
            out,
        )
    })
    .await
}
