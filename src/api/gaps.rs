use super::AppState;
use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, TableFormat};
use crate::analysis::{self, Cached, GapParams, GapReport, RuleChoice};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::domain::{HoursFilter, TravelMode};
use crate::error::{Code, Error, Result};
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GapsQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// A need's code (`GET /api/v1/needs`).
    #[param(example = "childcare")]
    need: String,
    /// Catchment radius r in km instead of the need's.
    #[param(exclusive_minimum = 0, maximum = 100)]
    radius_km: Option<f64>,
    /// ISO 639-1 code: demand is the need's indicator for that language and only sites
    /// serving it count (the need's `filters.language` lists the codes it allows).
    language: Option<String>,
    /// Only sites open at these hours count (the need's `filters.hours`).
    #[param(value_type = Option<HoursFilter>)]
    hours: Option<String>,
    /// `need` (default: the need's own rule) or `catchment` (2SFCA access below the
    /// need's target, the demand-adjusted supply of CAP's 2020 maps).
    #[param(value_type = Option<RuleChoice>)]
    desert_rule: Option<String>,
    /// Measure cost in minutes on the geography's travel-time matrix of this mode
    /// (`GET /api/v1/travel-times` lists them) instead of km.
    #[param(value_type = Option<TravelMode>)]
    mode: Option<String>,
    /// With `mode`: the reach M in minutes (2SFCA counts t ≤ M; default: the need's
    /// `max_minutes`).
    #[param(exclusive_minimum = 0, maximum = 240)]
    max_minutes: Option<f64>,
    /// With `mode`: E2SFCA's decay, `step` (the need's bands in minutes), `gaussian` or
    /// `gravity`.
    #[param(value_type = Option<DecayName>)]
    decay: Option<String>,
    /// σ in minutes of the Gaussian decay (default max_minutes / 2).
    sigma_minutes: Option<f64>,
    /// β of the gravity decay max(t, 1)^(−β) (default 1).
    gravity_beta: Option<f64>,
    /// The answer's format.
    #[param(value_type = Option<TableFormat>)]
    format: Option<String>,
}

/// `decay=`.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Only its schema is used.
pub enum DecayName {
    /// The need's step bands, in minutes.
    Step,
    /// exp(−t²/(2σ²)).
    Gaussian,
    /// max(t, 1)^(−β).
    Gravity,
}

/// The `hours=` parameter: `evening` or `weekend`.
pub fn parse_hours(hours: Option<&str>) -> Result<Option<HoursFilter>> {
    hours
        .map(|h| {
            HoursFilter::parse(h).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("hours '{h}' is not evening or weekend"),
                )
            })
        })
        .transpose()
}

/// The analysis parameters `/gaps` (and the area tiles) take, checked.
pub fn gap_params(
    radius_km: Option<f64>,
    language: Option<String>,
    hours: Option<&str>,
    desert_rule: Option<&str>,
) -> Result<GapParams> {
    let hours = parse_hours(hours)?;
    let desert_rule = desert_rule
        .map(|r| {
            RuleChoice::parse(r).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("desert_rule '{r}' is not need or catchment"),
                )
            })
        })
        .transpose()?;
    Ok(GapParams {
        radius_km,
        language,
        hours,
        desert_rule,
        travel: None,
    })
}

/// `GET /api/v1/gaps?year=&need=[&radius_km=][&language=][&hours=][&desert_rule=need|catchment][&format=json|geojson|csv]`:
/// every metric of one need for every area of a year (DESIGN.md, "The metrics").
#[utoipa::path(get, path = "/api/v1/gaps", tag = "analysis", params(GapsQuery), responses(
    (status = 200, description = "The gap report: one row per area, with totals.", content(
        (GapReport = "application/json"),
        (FeatureCollection = "application/geo+json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for the year, or no such need.", body = ErrorBody),
    (status = 422, description = "The need's demand indicator is not in the assessment, or a filter no site's data can answer (`filter_without_data`, naming the missing attribute).", body = ErrorBody),
))]
pub async fn get(query: web::Query<GapsQuery>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let mut params = gap_params(
        q.radius_km,
        q.language,
        q.hours.as_deref(),
        q.desert_rule.as_deref(),
    )?;
    params.travel = analysis::travel_request(
        q.mode.as_deref(),
        q.max_minutes,
        q.decay,
        q.sigma_minutes,
        q.gravity_beta,
    )?;
    let (year, need) = (q.year.get(), q.need);
    let atlas = state.services.atlas.get();
    let key = {
        params.cache_key(
            CacheKey::new("gaps", atlas.data_version)
                .with("year", year)
                .with("need", need.as_str())
                .with("format", format.name()),
        )
    };
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::gaps(&Cached::new(atlas, cache), year, &need, &params)?;
        output::write(
            &Document::Gaps(&report, atlas),
            format,
            Layout::Compact,
            out,
        )
    })
    .await
}
