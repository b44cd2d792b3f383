//! Access by vehicle: carless families' access against that of families with cars.

use super::AppState;
use super::format::cached;
use super::openapi::{AssessmentFormat, ErrorBody};
use crate::analysis::{self, Cached, VehicleParams, VehicleReport};
use crate::atlas::CacheKey;
use crate::domain::{TravelMode, Year};
use crate::error::{Code, Error, Result};
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VehicleQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// A need's code.
    #[param(example = "childcare")]
    need: String,
    /// How families without a vehicle travel: `transit` (default) or `walk`.
    #[param(value_type = Option<TravelMode>)]
    carless_mode: Option<String>,
    /// How families with one travel (default `drive`).
    #[param(value_type = Option<TravelMode>)]
    car_mode: Option<String>,
    /// M in minutes for the carless mode (default: the need's `max_minutes`).
    #[param(exclusive_minimum = 0, maximum = 240)]
    max_minutes: Option<f64>,
    /// M for the car mode (default: max_minutes).
    #[param(exclusive_minimum = 0, maximum = 240)]
    car_max_minutes: Option<f64>,
    /// E2SFCA's decay (`step`, `gaussian`, `gravity`); without it, 2SFCA's weights.
    #[param(value_type = Option<super::gaps::DecayName>)]
    decay: Option<String>,
    /// σ of the Gaussian decay, in minutes.
    sigma_minutes: Option<f64>,
    /// β of the gravity decay.
    gravity_beta: Option<f64>,
    /// The indicator holding the share of households without a vehicle (default
    /// `households_no_vehicle_share`, else `households_no_vehicle` ÷ `households`).
    share: Option<String>,
    /// The answer's format: JSON (the default) or CSV.
    #[param(value_type = Option<AssessmentFormat>)]
    format: Option<String>,
}

fn mode(name: &str, given: Option<&str>, default: TravelMode) -> Result<TravelMode> {
    given.map_or(Ok(default), |m| {
        TravelMode::parse(m).ok_or_else(|| {
            Error::new(
                Code::InvalidParameter,
                format!("{name} '{m}' is not walk, transit, drive or bike"),
            )
        })
    })
}

/// `GET /api/v1/vehicle-access?year=&need=[&carless_mode=transit|walk][&car_mode=drive]
/// [&max_minutes=][&car_max_minutes=][&decay=][&share=][&format=json|csv]`: the multi-modal
/// 2SFCA of Mao & Nekorchuk (2013) on the geography's travel-time matrices. Each area's
/// demand splits by its share of households without a vehicle; both groups compete for the
/// same supply; each row gives access by either mode, their demand-weighted combination and
/// `carless_gap` = access_car − access_carless.
#[utoipa::path(get, path = "/api/v1/vehicle-access", tag = "analysis", params(VehicleQuery), responses(
    (status = 200, description = "Access by vehicle, one row per area.", content(
        (VehicleReport = "application/json"),
        (String = "text/csv"),
    )),
    (status = 400, description = "A mode without a matrix, or a parameter out of range.", body = ErrorBody),
    (status = 404, description = "No assessment for the year, or no such need.", body = ErrorBody),
    (status = 422, description = "The year has no share of households without a vehicle.", body = ErrorBody),
))]
pub async fn get(
    query: web::Query<VehicleQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let params = VehicleParams {
        carless_mode: mode(
            "carless_mode",
            q.carless_mode.as_deref(),
            TravelMode::Transit,
        )?,
        car_mode: mode("car_mode", q.car_mode.as_deref(), TravelMode::Drive)?,
        max_minutes: q.max_minutes,
        car_max_minutes: q.car_max_minutes,
        decay: q.decay,
        sigma_minutes: q.sigma_minutes,
        gravity_beta: q.gravity_beta,
        share: q.share,
    };
    let (year, need) = (q.year.get(), q.need);
    let atlas = state.services.atlas.get();
    let key = CacheKey::new("vehicle_access", atlas.data_version)
        .with("year", year)
        .with("need", need.as_str())
        .with("params", serde_json::to_string(&params).unwrap_or_default())
        .with("format", format.name());
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::vehicle_access(&Cached::new(atlas, cache), year, &need, &params)?;
        output::write(
            &Document::VehicleAccess(&report),
            format,
            Layout::Compact,
            out,
        )
    })
    .await
}
