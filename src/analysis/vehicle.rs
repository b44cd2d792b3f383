//! Vehicle-aware demand: the multi-modal 2SFCA of Mao & Nekorchuk (2013). Each area's
//! demand P_i splits by the share s_i of households without a vehicle into P_i·s_i
//! travelling by transit (or on foot) and P_i·(1 − s_i) driving; both groups compete for
//! the same supply:
//!
//! - R_j = S_j / Σ_m Σ_k P_k^m·w_m(t_kj^m);
//! - A_i^m = Σ_j R_j·w_m(t_ij^m), per mode m;
//! - A_i = (P_i^carless·A_i^carless + P_i^car·A_i^car) / P_i, the demand-weighted combination;
//! - carless_gap_i = A_i^car − A_i^carless: how far carless families' access falls below
//!   that of families with cars (supply per unit of demand).
//!
//! w_m is 1 within M_m minutes (2SFCA), or the request's decay within M_m.

use super::gaps::prepare;
use super::minutes::{self, Cutoff, Group, matrix_fca};
use super::params::{GapParams, Resolved, TravelRequest, TravelResolved};
use super::source::Source;
use crate::domain::{Geoid, TravelMode};
use crate::error::{Code, Error, Result};
use serde::Serialize;

/// What a caller asks (`/vehicle-access?…`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VehicleParams {
    /// How families without a vehicle travel: transit (default) or walk.
    pub carless_mode: TravelMode,
    /// How families with one travel: drive (default).
    pub car_mode: TravelMode,
    /// M in minutes for the carless mode (default: the need's `max_minutes`).
    pub max_minutes: Option<f64>,
    /// M for the car mode (default: `max_minutes`).
    pub car_max_minutes: Option<f64>,
    /// With a decay (`step`, `gaussian`, `gravity`), E2SFCA weights; without, 2SFCA's.
    pub decay: Option<String>,
    /// σ of the Gaussian decay.
    pub sigma_minutes: Option<f64>,
    /// β of the gravity decay.
    pub gravity_beta: Option<f64>,
    /// The indicator holding s_i (default `households_no_vehicle_share`; without it in the
    /// year, `households_no_vehicle` ÷ `households`).
    pub share: Option<String>,
}

impl Default for VehicleParams {
    fn default() -> Self {
        Self {
            carless_mode: TravelMode::Transit,
            car_mode: TravelMode::Drive,
            max_minutes: None,
            car_max_minutes: None,
            decay: None,
            sigma_minutes: None,
            gravity_beta: None,
            share: None,
        }
    }
}

/// The parameters as applied.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VehicleResolved {
    /// The need as applied (demand, supply, target).
    pub need: Resolved,
    /// The carless mode, its M and its weights.
    pub carless: TravelResolved,
    /// The car mode, its M and its weights.
    pub car: TravelResolved,
    /// 2SFCA (uniform within M) or E2SFCA (the decay within M).
    pub weights: &'static str,
    /// Where s_i came from: an indicator, or `households_no_vehicle / households`.
    pub share: String,
}

/// One area's access by vehicle (field names are the API contract).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VehicleArea {
    /// The area's GEOID.
    pub geoid: Geoid,
    /// Its name.
    pub name: String,
    /// P_i.
    pub demand: f64,
    /// s_i, the share of households without a vehicle; null where the year has none for
    /// the area (the geography's demand-weighted mean share is used then).
    pub carless_share: Option<f64>,
    /// P_i·s_i.
    pub demand_carless: f64,
    /// P_i·(1 − s_i).
    pub demand_car: f64,
    /// A_i by the carless mode.
    pub access_carless: f64,
    /// A_i by car.
    pub access_car: f64,
    /// (P_i^carless·A_i^carless + P_i^car·A_i^car) / P_i; 0 without demand.
    pub access: f64,
    /// access_car − access_carless.
    pub carless_gap: f64,
    /// The least time by the carless mode to a site serving the need (null: no pair).
    pub nearest_minutes_carless: Option<f64>,
    /// The least time by car.
    pub nearest_minutes_car: Option<f64>,
}

/// Totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VehicleSummary {
    /// Areas analysed.
    pub areas: usize,
    /// Σ P_i·s_i.
    pub demand_carless_total: f64,
    /// Σ P_i·(1 − s_i).
    pub demand_car_total: f64,
    /// Areas without a share (the mean share was used).
    pub areas_missing_share: usize,
    /// The demand-weighted mean share used for them.
    pub mean_share: f64,
    /// Σ P_i^carless·A_i^carless.
    pub demand_weighted_access_carless: f64,
    /// Σ P_i^car·A_i^car.
    pub demand_weighted_access_car: f64,
    /// Σ S_j over the sites some demand reaches: equals the sum of the two lines above.
    pub supply_reached: f64,
    /// Σ P_i^carless·A_i^carless / Σ P_i^carless.
    pub mean_access_carless: f64,
    /// Σ P_i^car·A_i^car / Σ P_i^car.
    pub mean_access_car: f64,
}

/// The answer of `/vehicle-access`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VehicleReport {
    /// The assessment year.
    pub year: i32,
    /// The need's code.
    pub need: String,
    /// Its label.
    pub label: String,
    /// The geography.
    pub geography: String,
    /// The store's data version.
    pub data_version: i64,
    /// The version of the need's standard the numbers were computed with (see
    /// `GET /api/v1/needs`; 0 for the bundled need of a store never seeded).
    pub need_version: i64,
    /// The parameters as applied.
    pub params: VehicleResolved,
    /// Totals.
    pub summary: VehicleSummary,
    /// One row per area, in the assessment's order.
    pub areas: Vec<VehicleArea>,
}

const DEFAULT_SHARE: &str = "households_no_vehicle_share";

/// Reads s_i from an assessment row's values.
type ShareOf = dyn Fn(&[Option<f64>]) -> Option<f64>;

/// Access by vehicle of `need` in `year` (see the module's formulas). Errors: as `/gaps`,
/// a mode without a matrix, and a year without a share of households without a vehicle.
pub fn vehicle_access(
    source: &dyn Source,
    year: i32,
    need: &str,
    params: &VehicleParams,
) -> Result<VehicleReport> {
    let atlas = source.atlas();
    if !matches!(params.carless_mode, TravelMode::Transit | TravelMode::Walk) {
        return Err(Error::new(
            Code::InvalidParameter,
            "carless_mode must be transit or walk",
        ));
    }
    let p = prepare(atlas, year, need, &GapParams::default())?;
    let request = |mode, max_minutes| TravelRequest {
        mode,
        max_minutes,
        decay: params.decay.clone(),
        sigma_minutes: params.sigma_minutes,
        gravity_beta: params.gravity_beta,
    };
    let carless = request(params.carless_mode, params.max_minutes).resolve(p.need)?;
    let car = request(
        params.car_mode,
        params.car_max_minutes.or(Some(carless.max_minutes)),
    )
    .resolve(p.need)?;
    let geography = &p.geography.geography.name;
    let carless_times = super::lookup::travel_times(atlas, geography, carless.mode)?;
    let car_times = super::lookup::travel_times(atlas, geography, car.mode)?;

    // s_i per area of the geography.
    let assessment = super::lookup::assessment(atlas, year)?;
    let table = &assessment.table;
    let share_of: Box<ShareOf> = match params.share.as_deref() {
        Some(name) => {
            let c = super::lookup::column(
                assessment,
                name,
                "the share of households without a vehicle",
            )?;
            Box::new(move |v| v.get(c).copied().flatten())
        }
        None => match table.column(DEFAULT_SHARE) {
            Some(c) => Box::new(move |v| v.get(c).copied().flatten()),
            None => match (
                table.column("households_no_vehicle"),
                table.column("households"),
            ) {
                (Some(n), Some(d)) => Box::new(move |v| {
                    match (v.get(n).copied().flatten(), v.get(d).copied().flatten()) {
                        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
                        _ => None,
                    }
                }),
                _ => {
                    return Err(Error::new(
                        Code::UnknownIndicator,
                        format!(
                            "the {year} assessment has no share of households without a vehicle: add {DEFAULT_SHARE} (or households_no_vehicle and households, Census table B08201), or name one with share="
                        ),
                    ));
                }
            },
        },
    };
    let share_name = params.share.clone().unwrap_or_else(|| {
        if table.column(DEFAULT_SHARE).is_some() {
            DEFAULT_SHARE.to_owned()
        } else {
            "households_no_vehicle / households".to_owned()
        }
    });
    let areas = &p.geography.geography.areas;
    let mut share: Vec<Option<f64>> = vec![None; areas.len()];
    for row in &table.rows {
        if let Some(&pos) = p.geography.by_geoid.get(&row.geoid) {
            share[pos] = share_of(&row.values).map(|s| s.clamp(0.0, 1.0));
        }
    }
    let (mut weighted, mut weight) = (0.0, 0.0);
    for (i, s) in share.iter().enumerate() {
        if let Some(s) = s {
            weighted += s * p.problem.demand[i];
            weight += p.problem.demand[i];
        }
    }
    let mean_share = if weight > 0.0 { weighted / weight } else { 0.0 };
    let used: Vec<f64> = share.iter().map(|s| s.unwrap_or(mean_share)).collect();
    let demand_carless: Vec<f64> = p
        .problem
        .demand
        .iter()
        .zip(&used)
        .map(|(d, s)| d * s)
        .collect();
    let demand_car: Vec<f64> = p
        .problem
        .demand
        .iter()
        .zip(&used)
        .map(|(d, s)| d * (1.0 - s))
        .collect();

    let e2sfca = params.decay.is_some();
    let weight_of = |t: &TravelResolved| Cutoff {
        max_minutes: t.max_minutes,
        decay: None,
    };
    let (w_carless, w_car) = if e2sfca {
        (
            Cutoff {
                max_minutes: carless.max_minutes,
                decay: Some(&carless.decay),
            },
            Cutoff {
                max_minutes: car.max_minutes,
                decay: Some(&car.decay),
            },
        )
    } else {
        (weight_of(&carless), weight_of(&car))
    };
    let n_sites = atlas.sites.len();
    let fca = matrix_fca(
        &[
            Group {
                times: carless_times,
                demand: &demand_carless,
                weight: w_carless,
            },
            Group {
                times: car_times,
                demand: &demand_car,
                weight: w_car,
            },
        ],
        &p.problem.sites,
        n_sites,
        &p.targets,
    );
    let near_carless = minutes::reach(
        carless_times,
        &p.problem.sites,
        n_sites,
        &p.targets,
        carless.max_minutes,
    );
    let near_car = minutes::reach(
        car_times,
        &p.problem.sites,
        n_sites,
        &p.targets,
        car.max_minutes,
    );

    let mut summary = VehicleSummary {
        mean_share,
        ..VehicleSummary::default()
    };
    let mut rows = Vec::with_capacity(p.targets.len());
    for (t, &pos) in p.targets.iter().enumerate() {
        let i = pos as usize;
        let (pc, pd) = (demand_carless[i], demand_car[i]);
        let (ac, ad) = (fca.access[0][t], fca.access[1][t]);
        let demand = p.problem.demand[i];
        summary.demand_carless_total += pc;
        summary.demand_car_total += pd;
        summary.areas_missing_share += usize::from(share[i].is_none());
        summary.demand_weighted_access_carless += pc * ac;
        summary.demand_weighted_access_car += pd * ad;
        rows.push(VehicleArea {
            geoid: areas[i].geoid.clone(),
            name: areas[i].name.clone(),
            demand,
            carless_share: share[i],
            demand_carless: pc,
            demand_car: pd,
            access_carless: ac,
            access_car: ad,
            access: if demand > 0.0 {
                (pc * ac + pd * ad) / demand
            } else {
                0.0
            },
            carless_gap: ad - ac,
            nearest_minutes_carless: near_carless[t].nearest_minutes,
            nearest_minutes_car: near_car[t].nearest_minutes,
        });
    }
    summary.areas = rows.len();
    summary.supply_reached = p
        .problem
        .sites
        .iter()
        .zip(&fca.catchment_demand)
        .filter(|(_, d)| **d > 0.0)
        .map(|(s, _)| s.supply)
        .sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    summary.mean_access_carless = ratio(
        summary.demand_weighted_access_carless,
        summary.demand_carless_total,
    );
    summary.mean_access_car = ratio(summary.demand_weighted_access_car, summary.demand_car_total);
    Ok(VehicleReport {
        year,
        need: p.need.code.clone(),
        label: p.need.label.clone(),
        geography: geography.clone(),
        data_version: atlas.data_version,
        need_version: p.need.version,
        params: VehicleResolved {
            need: p.resolved.clone(),
            carless,
            car,
            weights: if e2sfca { "e2sfca" } else { "2sfca" },
            share: share_name,
        },
        summary,
        areas: rows,
    })
}
