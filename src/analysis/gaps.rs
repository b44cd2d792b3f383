//! The gap analysis of one need in one assessment year: every metric of DESIGN.md
//! ("The metrics") for every area of the year's assessment, with totals.

use super::desert::{Certainty, DesertInputs, desert_certainty, desert_reason};
use super::fca::{AreaReach, Weighting, sweep};
use super::minutes::{self, Cutoff, Group, matrix_fca};
use super::params::{GapParams, Resolved, TravelResolved, resolve};
use super::problem::Problem;
use super::source::Source;
use super::supply::supply_sites;
use crate::atlas::{Atlas, GeographyData, NO_AREA};
use crate::domain::{Geoid, Need};
use crate::error::{Code, Error, Result};
use crate::spatial::Catchment;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// The metrics of one area (field names are the API contract).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AreaGap {
    /// The area's GEOID.
    pub geoid: Geoid,
    /// Its name.
    pub name: String,
    /// P_i (an empty indicator cell counts as 0).
    pub demand: f64,
    /// The demand's margin of error (the `<indicator>_moe` cell), when the year has one.
    pub demand_moe: Option<f64>,
    /// Distance in km to the nearest supply site; None when the need has no site.
    pub nearest_km: Option<f64>,
    /// With `mode=`: the least time in minutes on the matrix to any supply site, whatever
    /// `max_minutes` is (null when the area has no pair to one); absent without `mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    pub nearest_minutes: Option<Option<f64>>,
    /// Supply sites with d ≤ r.
    pub sites_within: u32,
    /// Σ S_j over them.
    pub capacity_within: f64,
    /// Supply sites inside the area's polygon.
    pub sites_in_area: u32,
    /// Σ S_j over them.
    pub capacity_in_area: f64,
    /// 2SFCA access A_i (supply per unit of demand).
    pub access_2sfca: f64,
    /// E2SFCA access.
    pub access_e2sfca: f64,
    /// P_i × max(0, target − access_2sfca), in supply units.
    pub shortfall: f64,
    /// max(0, P_i × target − capacity_in_area): supply units missing inside the area
    /// (child care: children ÷ 3 − the slots in the area, what CAP 2018's rule measures).
    pub shortfall_in_area: f64,
    /// The share of the target met as the applied desert rule measures supply
    /// ([`DesertInputs::target_met`]); null without demand. What the map and the report
    /// colour by: a desert's share is always below 1.
    pub target_met: Option<f64>,
    /// Whether the desert rule holds.
    pub desert: bool,
    /// Why, when it does.
    pub desert_reason: Option<String>,
    /// Whether the desert answer is the same at demand − MOE (floored at 0) and demand +
    /// MOE; null without a margin.
    pub desert_certainty: Option<Certainty>,
    /// Position of the area in its geography (for later lookups; not serialised).
    #[serde(skip)]
    pub area: u32,
    /// The nearest supply site as a position in `Atlas::sites` (not serialised).
    #[serde(skip)]
    pub nearest_site: Option<u32>,
}

/// Totals over the areas and sites of one analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GapSummary {
    /// Areas analysed (the assessment's areas found in its geography).
    pub areas: usize,
    /// Σ P_i.
    pub demand_total: f64,
    /// Areas that are deserts.
    pub deserts: usize,
    /// Deserts that stay deserts across their demand's margin of error.
    pub deserts_certain: usize,
    /// Deserts that would not be one at demand − MOE.
    pub deserts_uncertain: usize,
    /// Areas that are not deserts but would be one at demand + MOE.
    pub possible_deserts: usize,
    /// Deserts whose demand has no margin of error (their certainty is unknown).
    pub deserts_without_margin: usize,
    /// Σ shortfall.
    pub shortfall_total: f64,
    /// Σ shortfall_in_area.
    pub shortfall_in_area_total: f64,
    /// Supply sites counted (serving the need and passing the filters).
    pub sites: usize,
    /// Of those, sites that had no capacity and used the need's default.
    pub sites_default_capacity: usize,
    /// Σ S_j over the counted sites.
    pub supply_total: f64,
    /// Areas with no supply site within r.
    pub areas_without_site_within: usize,
    /// Areas whose demand cell was empty (counted as 0).
    pub areas_missing_demand: usize,
    /// Assessment rows whose GEOID is not in the geography (left out).
    pub areas_not_in_geography: usize,
    /// Σ P_i·A_i for 2SFCA.
    pub demand_weighted_access_2sfca: f64,
    /// Σ S_j over sites with demand within reach: equals the line above (FCA's invariant).
    pub supply_reached_2sfca: f64,
    /// Σ P_i·A_i for E2SFCA.
    pub demand_weighted_access_e2sfca: f64,
    /// Σ S_j over sites with weighted demand in reach: equals the line above.
    pub supply_reached_e2sfca: f64,
}

/// The answer of `/gaps`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GapReport {
    /// The assessment year.
    pub year: i32,
    /// The need's code.
    pub need: String,
    /// The need's label.
    pub label: String,
    /// The geography of the year's assessment.
    pub geography: String,
    /// The store's data version the numbers come from.
    pub data_version: i64,
    /// The version of the need's standard the numbers were computed with (see
    /// `GET /api/v1/needs`; 0 for the bundled need of a store never seeded).
    pub need_version: i64,
    /// The need as applied (radius, bands, filters …).
    pub params: Resolved,
    /// Totals.
    pub summary: GapSummary,
    /// One row per area, in the assessment's order.
    pub areas: Vec<AreaGap>,
}

/// The gap report of `need` in `year` with `params`, from `source`: computed afresh from
/// an Atlas, or from the cache when the same question was asked of this data version
/// before (see [`super::Cached`]).
pub fn gaps(
    source: &dyn Source,
    year: i32,
    need: &str,
    params: &GapParams,
) -> Result<Arc<GapReport>> {
    source.gaps(year, need, params)
}

impl GapReport {
    /// About how many bytes the report holds, for the cache's budget.
    pub fn approximate_size(&self) -> usize {
        let strings: usize = self
            .areas
            .iter()
            .map(|a| a.name.len() + a.desert_reason.as_ref().map_or(0, String::len) + 16)
            .sum();
        std::mem::size_of::<Self>() + self.areas.len() * std::mem::size_of::<AreaGap>() + strings
    }
}

/// A need's problem over a year's assessment, ready for the FCA sweeps: what
/// [`compute_gaps`] works on, public so that other analyses (siting, outreach) start from
/// the same demand and supply.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The need.
    pub need: &'a Need,
    /// The need with the parameters applied.
    pub resolved: Resolved,
    /// The geography of the year's assessment.
    pub geography: &'a GeographyData,
    /// Demand per area of the geography (0 outside the assessment) and the supply sites
    /// (ids = positions in `Atlas::sites`).
    pub problem: Problem<'a>,
    /// The assessment's areas found in the geography (positions), in assessment order.
    pub targets: Vec<u32>,
    /// Supply sites that used the default capacity.
    pub sites_default_capacity: usize,
    /// Areas whose demand cell was empty.
    pub areas_missing_demand: usize,
    /// Assessment rows whose GEOID is not in the geography.
    pub areas_not_in_geography: usize,
    /// The margin of error of each target's demand (the `<indicator>_moe` cell), in the
    /// order of `targets`; `None` where the year has none.
    pub demand_moe: Vec<Option<f64>>,
}

/// Looks up the need and the year, applies the parameters and builds the problem.
/// Errors: unknown need or year (404), parameters the need does not allow (400), a filter
/// the data cannot answer (422 `filter_without_data`), a demand indicator the year's
/// assessment lacks (422).
pub fn prepare<'a>(
    atlas: &'a Atlas,
    year: i32,
    need_code: &str,
    params: &GapParams,
) -> Result<Prepared<'a>> {
    let need = super::lookup::need(atlas, need_code)?;
    let assessment = super::lookup::assessment(atlas, year)?;
    let resolved = resolve(need, params)?;
    super::filters::check_filters(atlas, assessment, need, &resolved)?;
    let column = assessment.table.column(&resolved.demand_indicator).ok_or_else(|| {
        Error::new(
            Code::UnknownIndicator,
            format!(
                "the {year} assessment has no indicator '{}', the demand of need '{}'; it has: {}",
                resolved.demand_indicator,
                need.code,
                assessment.table.indicators().join(", ")
            ),
        )
    })?;
    let geo = atlas
        .geographies
        .get(&assessment.geography)
        .ok_or_else(|| {
            Error::new(
                Code::UnknownGeography,
                format!(
                    "the {year} assessment belongs to geography '{}', which is not loaded",
                    assessment.geography
                ),
            )
        })?;
    let areas = &geo.geography.areas;

    // Demand per area of the geography; areas outside the assessment have none.
    let (mut missing, mut unmatched) = (0, 0);
    let mut demand = vec![0.0; areas.len()];
    let mut targets: Vec<u32> = Vec::with_capacity(assessment.table.rows.len());
    let moe_column = assessment
        .table
        .column(&format!("{}_moe", resolved.demand_indicator));
    let mut demand_moe = Vec::with_capacity(assessment.table.rows.len());
    for row in &assessment.table.rows {
        let Some(&pos) = geo.by_geoid.get(&row.geoid) else {
            unmatched += 1;
            continue;
        };
        let value = row.values.get(column).copied().flatten();
        if value.is_none() {
            missing += 1;
        }
        demand[pos] = value.unwrap_or(0.0);
        targets.push(u32::try_from(pos).unwrap_or(u32::MAX));
        demand_moe.push(moe_column.and_then(|c| row.values.get(c).copied().flatten()));
    }

    let (sites, defaulted) = supply_sites(&atlas.sites, &resolved);
    // Borrow the Atlas's tree of the need's one service unless filters leave few of its
    // sites (then a small tree of the survivors is faster to search).
    let shared = match resolved.services.as_slice() {
        [code] => atlas
            .site_index
            .service(code)
            .filter(|tree| sites.len() * 2 >= tree.len())
            .map(|tree| (tree, atlas.sites.len())),
        _ => None,
    };
    let problem = Problem::new(
        Cow::Borrowed(&geo.demand_points),
        areas.iter().map(|a| a.demand_point).collect(),
        demand,
        sites,
        shared,
        Catchment::new(resolved.radius_km, resolved.bands.clone()),
    );
    Ok(Prepared {
        need,
        resolved,
        geography: geo,
        problem,
        targets,
        sites_default_capacity: defaulted,
        areas_missing_demand: missing,
        areas_not_in_geography: unmatched,
        demand_moe,
    })
}

/// Computes the gap report (no cache); errors as [`prepare`].
pub fn compute_gaps(
    atlas: &Atlas,
    year: i32,
    need_code: &str,
    params: &GapParams,
) -> Result<GapReport> {
    let started = std::time::Instant::now();
    let Prepared {
        need,
        resolved,
        geography: geo,
        problem,
        targets,
        sites_default_capacity: defaulted,
        areas_missing_demand,
        areas_not_in_geography,
        demand_moe,
    } = prepare(atlas, year, need_code, params)?;
    let areas = &geo.geography.areas;
    let mut summary = GapSummary {
        areas_missing_demand,
        areas_not_in_geography,
        ..GapSummary::default()
    };
    let prepared_at = started.elapsed();
    let swept = match &resolved.travel {
        None => Swept::in_km(&problem, &targets),
        Some(travel) => Swept::in_minutes(atlas, geo, &problem, &targets, travel)?,
    };

    let swept_at = started.elapsed();
    // Sites inside each area's polygon (the Atlas located every site once).
    let mut in_area = vec![(0u32, 0.0f64); areas.len()];
    for s in &problem.sites {
        let a = geo.site_area.get(s.id as usize).copied().unwrap_or(NO_AREA);
        if let Some(slot) = in_area.get_mut(a as usize) {
            slot.0 += 1;
            slot.1 += s.supply;
        }
    }

    let mut rows = Vec::with_capacity(targets.len());
    for (t, &pos) in targets.iter().enumerate() {
        let i = pos as usize;
        let area = &areas[i];
        let reach = &swept.reaches[t];
        let p = problem.demand[i];
        let (sites_in_area, capacity_in_area) = in_area[i];
        let access_2sfca = swept.access_2sfca[t];
        let access_e2sfca = swept.access_e2sfca[t];
        let shortfall = p * (resolved.target - access_2sfca).max(0.0);
        let shortfall_in_area = (p * resolved.target - capacity_in_area).max(0.0);
        let inputs = DesertInputs {
            demand: p,
            capacity_in_area,
            sites_within: reach.sites_within,
            access_e2sfca,
            access_2sfca,
            target: resolved.target,
            radius_km: resolved.radius_km,
        };
        let mut reason = desert_reason(&resolved.desert_rule, &inputs);
        if let Some(travel) = &resolved.travel
            && reach.sites_within == 0
            && reason.as_deref()
                == Some(format!("no site within {} km", resolved.radius_km).as_str())
        {
            reason = Some(format!(
                "no site within {} min {}",
                travel.max_minutes,
                travel.mode.phrase()
            ));
        }
        let certainty = desert_certainty(&resolved.desert_rule, &inputs, demand_moe[t]);
        summary.demand_total += p;
        summary.shortfall_total += shortfall;
        summary.shortfall_in_area_total += shortfall_in_area;
        summary.deserts += usize::from(reason.is_some());
        match (reason.is_some(), certainty) {
            (true, Some(Certainty::Certain)) => summary.deserts_certain += 1,
            (true, Some(Certainty::Uncertain)) => summary.deserts_uncertain += 1,
            (true, None) => summary.deserts_without_margin += 1,
            (false, Some(Certainty::Uncertain)) => summary.possible_deserts += 1,
            (false, _) => {}
        }
        summary.areas_without_site_within += usize::from(reach.sites_within == 0);
        summary.demand_weighted_access_2sfca += p * access_2sfca;
        summary.demand_weighted_access_e2sfca += p * access_e2sfca;
        rows.push(AreaGap {
            geoid: area.geoid.clone(),
            name: area.name.clone(),
            demand: p,
            demand_moe: demand_moe[t],
            nearest_km: reach.nearest.map(|n| n.1),
            nearest_minutes: swept.nearest_minutes.as_ref().map(|n| n[t]),
            sites_within: reach.sites_within,
            capacity_within: reach.capacity_within,
            sites_in_area,
            capacity_in_area,
            access_2sfca,
            access_e2sfca,
            shortfall,
            shortfall_in_area,
            target_met: inputs.target_met(&resolved.desert_rule),
            desert: reason.is_some(),
            desert_reason: reason,
            desert_certainty: certainty,
            area: pos,
            nearest_site: reach.nearest.map(|n| problem.sites[n.0 as usize].id),
        });
    }
    summary.areas = rows.len();
    summary.sites = problem.sites.len();
    summary.sites_default_capacity = defaulted;
    for (j, s) in problem.sites.iter().enumerate() {
        summary.supply_total += s.supply;
        if swept.catchment_2sfca[j] > 0.0 {
            summary.supply_reached_2sfca += s.supply;
        }
        if swept.catchment_e2sfca[j] > 0.0 {
            summary.supply_reached_e2sfca += s.supply;
        }
    }
    tracing::debug!(
        prepare_ms = prepared_at.as_millis(),
        sweep_ms = (swept_at - prepared_at).as_millis(),
        rows_ms = (started.elapsed() - swept_at).as_millis(),
        "gap analysis phases"
    );
    Ok(GapReport {
        year,
        need: need.code.clone(),
        label: need.label.clone(),
        geography: geo.geography.name.clone(),
        data_version: atlas.data_version,
        need_version: need.version,
        params: resolved,
        summary,
        areas: rows,
    })
}

/// Both FCAs and what each area reaches, in km or in minutes.
struct Swept {
    access_2sfca: Vec<f64>,
    access_e2sfca: Vec<f64>,
    catchment_2sfca: Vec<f64>,
    catchment_e2sfca: Vec<f64>,
    reaches: Vec<AreaReach<2>>,
    /// Per target, with `mode=`.
    nearest_minutes: Option<Vec<Option<f64>>>,
}

impl Swept {
    fn in_km(problem: &Problem<'_>, targets: &[u32]) -> Self {
        let ([fca2, fcae], reaches) = sweep(
            problem,
            [Weighting::Uniform, Weighting::Bands],
            targets,
            true,
        );
        Self {
            access_2sfca: fca2.access,
            access_e2sfca: fcae.access,
            catchment_2sfca: fca2.catchment_demand,
            catchment_e2sfca: fcae.catchment_demand,
            reaches,
            nearest_minutes: None,
        }
    }

    fn in_minutes(
        atlas: &Atlas,
        geo: &GeographyData,
        problem: &Problem<'_>,
        targets: &[u32],
        travel: &TravelResolved,
    ) -> Result<Self> {
        let times = super::lookup::travel_times(atlas, &geo.geography.name, travel.mode)?;
        let run = |decay| {
            let group = Group {
                times,
                demand: &problem.demand,
                weight: Cutoff {
                    max_minutes: travel.max_minutes,
                    decay,
                },
            };
            matrix_fca(&[group], &problem.sites, atlas.sites.len(), targets)
        };
        let (mut two, mut enhanced) = (run(None), run(Some(&travel.decay)));
        let within = minutes::reach(
            times,
            &problem.sites,
            atlas.sites.len(),
            targets,
            travel.max_minutes,
        );
        let reaches = targets
            .iter()
            .zip(&within)
            .map(|(&i, w)| AreaReach {
                access: [0.0; 2],
                sites_within: w.sites_within,
                capacity_within: w.capacity_within,
                nearest: problem
                    .site_points
                    .nearest(problem.demand_at[i as usize], |id| {
                        problem.slot_of(id).is_some()
                    })
                    .and_then(|(id, km)| {
                        problem
                            .slot_of(id)
                            .map(|s| (u32::try_from(s).unwrap_or(u32::MAX), km))
                    }),
            })
            .collect();
        Ok(Self {
            access_2sfca: two.access.remove(0),
            access_e2sfca: enhanced.access.remove(0),
            catchment_2sfca: two.catchment_demand,
            catchment_e2sfca: enhanced.catchment_demand,
            reaches,
            nearest_minutes: Some(within.iter().map(|w| w.nearest_minutes).collect()),
        })
    }
}
