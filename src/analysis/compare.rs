//! Year over year: one need's gap analysis in two assessment years, area by area.
//!
//! Areas are matched by GEOID, so two years on different geographies compare wherever
//! their GEOIDs agree (e.g. tracts that kept their numbers); an area in only one year is
//! listed with `present_in` = `from` or `to` and null for the other year and the changes.
//! Each `_change` is `to − from`.
//!
//! Both years are analysed with the **current** partner directory: gapmap keeps no dated
//! history of partners, so a change here comes from the assessments (demand) and the
//! geographies, never from sites opening or closing. The answer's `notes` say so.

use super::gaps::{AreaGap, GapReport};
use super::params::{GapParams, Resolved};
use super::source::Source;
use crate::atlas::Atlas;
use crate::domain::Geoid;
use crate::error::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where an area's GEOID was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresentIn {
    /// In both years.
    Both,
    /// Only in the `from` year.
    From,
    /// Only in the `to` year.
    To,
}

/// How desert status changed between the years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesertFlip {
    /// Not a desert in `from`, a desert in `to`.
    BecameDesert,
    /// A desert in `from`, not in `to`.
    NoLongerDesert,
}

/// One area in both years (field names are the API contract).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CompareArea {
    /// The GEOID that matches the years.
    pub geoid: Geoid,
    /// The area's name in `to` (in `from` when it is only there).
    pub name: String,
    /// Which years have the area.
    pub present_in: PresentIn,
    /// P_i in `from`.
    pub demand_from: Option<f64>,
    /// P_i in `to`.
    pub demand_to: Option<f64>,
    /// to − from.
    pub demand_change: Option<f64>,
    /// 2SFCA access in `from`.
    pub access_2sfca_from: Option<f64>,
    /// 2SFCA access in `to`.
    pub access_2sfca_to: Option<f64>,
    /// to − from.
    pub access_2sfca_change: Option<f64>,
    /// E2SFCA access in `from`.
    pub access_e2sfca_from: Option<f64>,
    /// E2SFCA access in `to`.
    pub access_e2sfca_to: Option<f64>,
    /// to − from.
    pub access_e2sfca_change: Option<f64>,
    /// Shortfall in `from`.
    pub shortfall_from: Option<f64>,
    /// Shortfall in `to`.
    pub shortfall_to: Option<f64>,
    /// to − from.
    pub shortfall_change: Option<f64>,
    /// Desert in `from`.
    pub desert_from: Option<bool>,
    /// Desert in `to`.
    pub desert_to: Option<bool>,
    /// The flip, when the area is in both years and its status changed.
    pub desert_flipped: Option<DesertFlip>,
    /// Position in the `to` year's geography (not serialised).
    #[serde(skip)]
    pub area_to: Option<u32>,
    /// Position in the `from` year's geography (not serialised).
    #[serde(skip)]
    pub area_from: Option<u32>,
}

/// Totals of each year (over all its areas) and counts of what changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CompareSummary {
    /// Rows listed (the union of both years' GEOIDs).
    pub areas: usize,
    /// GEOIDs in both years.
    pub areas_in_both: usize,
    /// GEOIDs only in `from`.
    pub areas_only_from: usize,
    /// GEOIDs only in `to`.
    pub areas_only_to: usize,
    /// Σ demand of `from`.
    pub demand_total_from: f64,
    /// Σ demand of `to`.
    pub demand_total_to: f64,
    /// to − from.
    pub demand_total_change: f64,
    /// Σ shortfall of `from`.
    pub shortfall_total_from: f64,
    /// Σ shortfall of `to`.
    pub shortfall_total_to: f64,
    /// to − from.
    pub shortfall_total_change: f64,
    /// Deserts in `from`.
    pub deserts_from: usize,
    /// Deserts in `to`.
    pub deserts_to: usize,
    /// Areas in both years that became deserts.
    pub became_desert: usize,
    /// Areas in both years that are no longer deserts.
    pub no_longer_desert: usize,
}

/// The years and versions compared, echoed in the answer.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CompareParams {
    /// The need's code.
    pub need: String,
    /// The earlier (or first) year.
    pub from: i32,
    /// The later (or second) year.
    pub to: i32,
    /// `from`'s geography.
    pub geography_from: String,
    /// `to`'s geography.
    pub geography_to: String,
    /// The assessment version used for `from` (the current one).
    pub version_from: i64,
    /// The assessment version used for `to`.
    pub version_to: i64,
    /// The partner directory used for both years.
    pub partners: &'static str,
    /// The need as applied (the same in both years).
    pub applied: Resolved,
}

/// The answer of `/compare`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CompareReport {
    /// The need's label.
    pub label: String,
    /// The store's data version.
    pub data_version: i64,
    /// The version of the need's standard the numbers were computed with (see
    /// `GET /api/v1/needs`; 0 for the bundled need of a store never seeded).
    pub need_version: i64,
    /// What was compared.
    pub params: CompareParams,
    /// How to read it.
    pub notes: Vec<String>,
    /// Totals.
    pub summary: CompareSummary,
    /// One row per GEOID, in GEOID order.
    pub areas: Vec<CompareArea>,
}

/// Compares `need` between the years `from` and `to` (see the module documentation).
/// Errors as [`crate::analysis::gaps`] for either year.
pub fn compare(source: &dyn Source, need: &str, from: i32, to: i32) -> Result<CompareReport> {
    let a: Arc<GapReport> = source.gaps(from, need, &GapParams::default())?;
    let b: Arc<GapReport> = source.gaps(to, need, &GapParams::default())?;
    Ok(compare_reports(source.atlas(), &a, &b))
}

/// Compares two gap reports of one need (see [`compare`]).
pub fn compare_reports(atlas: &Atlas, a: &GapReport, b: &GapReport) -> CompareReport {
    let mut by_geoid: BTreeMap<&Geoid, (Option<&AreaGap>, Option<&AreaGap>)> = BTreeMap::new();
    for g in &a.areas {
        by_geoid.entry(&g.geoid).or_default().0 = Some(g);
    }
    for g in &b.areas {
        by_geoid.entry(&g.geoid).or_default().1 = Some(g);
    }
    let mut summary = CompareSummary {
        demand_total_from: a.summary.demand_total,
        demand_total_to: b.summary.demand_total,
        demand_total_change: b.summary.demand_total - a.summary.demand_total,
        shortfall_total_from: a.summary.shortfall_total,
        shortfall_total_to: b.summary.shortfall_total,
        shortfall_total_change: b.summary.shortfall_total - a.summary.shortfall_total,
        deserts_from: a.summary.deserts,
        deserts_to: b.summary.deserts,
        ..CompareSummary::default()
    };
    let diff = |x: Option<f64>, y: Option<f64>| x.zip(y).map(|(x, y)| y - x);
    let mut areas = Vec::with_capacity(by_geoid.len());
    for (geoid, (x, y)) in by_geoid {
        let present_in = match (x, y) {
            (Some(_), Some(_)) => PresentIn::Both,
            (Some(_), None) => PresentIn::From,
            _ => PresentIn::To,
        };
        let flip = match (x.map(|g| g.desert), y.map(|g| g.desert)) {
            (Some(false), Some(true)) => Some(DesertFlip::BecameDesert),
            (Some(true), Some(false)) => Some(DesertFlip::NoLongerDesert),
            _ => None,
        };
        match present_in {
            PresentIn::Both => summary.areas_in_both += 1,
            PresentIn::From => summary.areas_only_from += 1,
            PresentIn::To => summary.areas_only_to += 1,
        }
        match flip {
            Some(DesertFlip::BecameDesert) => summary.became_desert += 1,
            Some(DesertFlip::NoLongerDesert) => summary.no_longer_desert += 1,
            None => {}
        }
        let field = |f: fn(&AreaGap) -> f64| (x.map(f), y.map(f));
        let (demand_from, demand_to) = field(|g| g.demand);
        let (access_2sfca_from, access_2sfca_to) = field(|g| g.access_2sfca);
        let (access_e2sfca_from, access_e2sfca_to) = field(|g| g.access_e2sfca);
        let (shortfall_from, shortfall_to) = field(|g| g.shortfall);
        areas.push(CompareArea {
            geoid: geoid.clone(),
            name: y.or(x).map(|g| g.name.clone()).unwrap_or_default(),
            present_in,
            demand_from,
            demand_to,
            demand_change: diff(demand_from, demand_to),
            access_2sfca_from,
            access_2sfca_to,
            access_2sfca_change: diff(access_2sfca_from, access_2sfca_to),
            access_e2sfca_from,
            access_e2sfca_to,
            access_e2sfca_change: diff(access_e2sfca_from, access_e2sfca_to),
            shortfall_from,
            shortfall_to,
            shortfall_change: diff(shortfall_from, shortfall_to),
            desert_from: x.map(|g| g.desert),
            desert_to: y.map(|g| g.desert),
            desert_flipped: flip,
            area_to: y.map(|g| g.area),
            area_from: x.map(|g| g.area),
        });
    }
    summary.areas = areas.len();
    let version = |year: i32| atlas.assessments.get(&year).map_or(0, |s| s.version);
    let mut notes = vec![
        format!(
            "both years are analysed with the current partner directory (data version {}): \
             gapmap keeps no dated history of partners, so these changes come from the \
             assessments and geographies, not from sites opening or closing",
            atlas.data_version
        ),
        "each year uses the current version of its assessment; each _change is to − from"
            .to_owned(),
        "areas are matched by GEOID; an area in one year only has present_in 'from' or 'to' \
         and null for the other year and for the changes"
            .to_owned(),
    ];
    if a.geography != b.geography {
        notes.push(format!(
            "the years use different geographies ('{}' and '{}'): only GEOIDs found in both \
             are compared, and the same GEOID may not cover the same ground",
            a.geography, b.geography
        ));
    }
    CompareReport {
        label: b.label.clone(),
        data_version: atlas.data_version,
        need_version: b.need_version,
        params: CompareParams {
            need: b.need.clone(),
            from: a.year,
            to: b.year,
            geography_from: a.geography.clone(),
            geography_to: b.geography.clone(),
            version_from: version(a.year),
            version_to: version(b.year),
            partners: "current",
            applied: b.params.clone(),
        },
        notes,
        summary,
        areas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assessment, atlas, squares};

    #[test]
    fn areas_match_by_geoid_across_geographies_and_flips_are_named() {
        // No child-care site: every area with more than 50 children is a desert.
        let atlas = atlas(
            vec![
                squares("old", &["a", "b", "c"]),
                squares("new", &["a", "b", "d"]),
            ],
            vec![
                assessment(
                    2020,
                    "old",
                    &["children_under_5"],
                    &[
                        ("a", &[Some(80.0)]),
                        ("b", &[Some(40.0)]),
                        ("c", &[Some(9.0)]),
                    ],
                ),
                assessment(
                    2024,
                    "new",
                    &["children_under_5"],
                    &[
                        ("a", &[Some(30.0)]),
                        ("b", &[Some(70.0)]),
                        ("d", &[Some(1.0)]),
                    ],
                ),
            ],
            vec![],
        );
        let r = compare(&atlas, "childcare", 2020, 2024).unwrap();
        let rows: Vec<(&str, PresentIn, Option<f64>, Option<DesertFlip>)> = r
            .areas
            .iter()
            .map(|a| {
                (
                    a.geoid.as_str(),
                    a.present_in,
                    a.demand_change,
                    a.desert_flipped,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "a",
                    PresentIn::Both,
                    Some(-50.0),
                    Some(DesertFlip::NoLongerDesert)
                ),
                (
                    "b",
                    PresentIn::Both,
                    Some(30.0),
                    Some(DesertFlip::BecameDesert)
                ),
                ("c", PresentIn::From, None, None),
                ("d", PresentIn::To, None, None),
            ]
        );
        // Shortfall = P/3 with no supply: b goes from 40/3 to 70/3.
        let b = &r.areas[1];
        assert!((b.shortfall_change.unwrap() - 10.0).abs() < 1e-12);
        let s = &r.summary;
        assert_eq!((s.became_desert, s.no_longer_desert), (1, 1));
        assert_eq!((s.demand_total_from, s.demand_total_to), (129.0, 101.0));
        assert_eq!(r.params.partners, "current");
        assert!(r.notes.iter().any(|n| n.contains("different geographies")));
    }
}
