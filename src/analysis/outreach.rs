//! Outreach targeting: areas ranked by how many eligible families are not served, for
//! recruitment (ERSEA) staff.
//!
//! For each area of the year's assessment, with `target` and `enrolled` two indicators
//! the caller names (e.g. `children_under_5_poverty` and `head_start_enrolled`):
//!
//! - **unserved** = max(0, target − enrolled), in the indicators' unit (e.g. children);
//! - an empty `target` cell counts as 0 eligible (so unserved is 0: nothing is known to be
//!   missing), an empty `enrolled` cell as 0 enrolled, and without an `enrolled`
//!   indicator every area counts 0 enrolled (unserved = target); the rows show the raw
//!   values (null where empty) so a reader can tell;
//! - where enrolled exceeds target (children enrolled from other areas, or counts of
//!   different vintages) unserved is 0 and `over_enrolled` is true.
//!
//! Areas are ranked by unserved (most first); ties go to the area that is a desert for
//! more needs (the flags of [`crate::analysis::gaps`] with default parameters), then to the
//! lower GEOID. Each returned area lists its nearest partner sites.

use super::lookup;
use super::params::GapParams;
use super::source::Source;
use crate::atlas::Atlas;
use crate::domain::Geoid;
use crate::error::{Code, Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// Nearest sites listed per area.
pub const NEAREST_SITES: usize = 3;

/// Service codes left out of the nearest sites when no need is given: a transit stop is a
/// site but not a partner that recruitment staff can visit.
const NOT_OUTREACH_PARTNERS: [&str; 1] = ["transit"];

/// What the caller asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutreachParams {
    /// The indicator counting eligible families or children.
    pub target: String,
    /// The indicator counting those already enrolled (None: 0 everywhere).
    pub enrolled: Option<String>,
    /// How many areas to return (None: all); at least 1.
    pub limit: Option<usize>,
    /// Only this need's desert flag and its sites (None: every need the year can measure).
    pub need: Option<String>,
}

/// A partner site near an area.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NearbySite {
    /// The site's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its partner's id.
    pub partner_id: String,
    /// Its partner's name (None when the directory lacks the partner).
    pub partner: Option<String>,
    /// The service codes it offers.
    pub services: Vec<String>,
    /// Great-circle km from the area's demand point.
    pub distance_km: f64,
}

/// One ranked area (field names are the API contract).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutreachArea {
    /// 1 for the area with the most unserved.
    pub rank: usize,
    /// The area's GEOID.
    pub geoid: Geoid,
    /// Its name.
    pub name: String,
    /// The target indicator's value (None where the cell is empty).
    pub target: Option<f64>,
    /// The target's margin of error (its `<target>_moe` cell), when the year has one.
    pub target_moe: Option<f64>,
    /// The enrolled indicator's value (None where empty or when no indicator was given).
    pub enrolled: Option<f64>,
    /// max(0, target − enrolled), empty cells counting 0.
    pub unserved: f64,
    /// True when enrolled > target.
    pub over_enrolled: bool,
    /// Need code -> whether the area is a desert for it.
    pub deserts: BTreeMap<String, bool>,
    /// Number of needs for which the area is a desert (the first tie-breaker).
    pub desert_count: usize,
    /// The nearest partner sites, nearest first.
    pub nearest_sites: Vec<NearbySite>,
    /// Position of the area in its geography (not serialised).
    #[serde(skip)]
    pub area: u32,
}

/// Totals over every ranked area (not only the returned ones).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutreachSummary {
    /// Areas ranked: the assessment's areas found in its geography.
    pub areas: usize,
    /// Areas returned (`limit` or all).
    pub returned: usize,
    /// Σ target.
    pub target_total: f64,
    /// Σ enrolled.
    pub enrolled_total: f64,
    /// Σ unserved over every ranked area.
    pub unserved_total: f64,
    /// Σ unserved over the returned areas.
    pub unserved_returned: f64,
    /// Areas whose target cell is empty.
    pub areas_missing_target: usize,
    /// Areas whose enrolled cell is empty (0 when no enrolled indicator was given).
    pub areas_missing_enrolled: usize,
    /// Areas with enrolled > target.
    pub areas_over_enrolled: usize,
    /// Assessment rows whose GEOID is not in the geography (left out).
    pub areas_not_in_geography: usize,
}

/// The parameters as applied, echoed in the answer.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutreachEcho {
    /// The target indicator.
    pub target: String,
    /// The enrolled indicator, if any.
    pub enrolled: Option<String>,
    /// The limit, if any.
    pub limit: Option<usize>,
    /// The need asked for, if any.
    pub need: Option<String>,
    /// The needs whose desert flags are given.
    pub desert_needs: Vec<String>,
    /// The version of each of those needs' standards the flags were computed with.
    pub need_versions: std::collections::BTreeMap<String, i64>,
    /// Nearest sites listed per area.
    pub nearest_sites: usize,
    /// The service codes a nearest site offers one of.
    pub site_services: Vec<String>,
}

/// The answer of `/outreach`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutreachReport {
    /// The assessment year.
    pub year: i32,
    /// Its geography.
    pub geography: String,
    /// The store's data version the numbers come from.
    pub data_version: i64,
    /// The parameters as applied.
    pub params: OutreachEcho,
    /// How the numbers were made, in words.
    pub notes: Vec<String>,
    /// Totals.
    pub summary: OutreachSummary,
    /// The ranked areas, most unserved first.
    pub areas: Vec<OutreachArea>,
}

/// Ranks the areas of `year` for outreach (see the module documentation).
/// Errors: unknown year or need (404), unknown indicator (422), limit 0 (400).
pub fn outreach(source: &dyn Source, year: i32, p: &OutreachParams) -> Result<OutreachReport> {
    let atlas = source.atlas();
    if p.limit == Some(0) {
        return Err(Error::new(
            Code::InvalidParameter,
            "limit must be at least 1 (leave it out for every area)",
        ));
    }
    let a = lookup::assessment(atlas, year)?;
    let geo = lookup::geography(atlas, a)?;
    let target_col = lookup::column(a, &p.target, "the target")?;
    let target_moe_col = a.table.column(&format!("{}_moe", p.target));
    let enrolled_col = p
        .enrolled
        .as_deref()
        .map(|e| lookup::column(a, e, "the enrolled"))
        .transpose()?;

    // Which needs flag deserts, and which sites count as nearby partners.
    let (desert_needs, site_services): (Vec<String>, Vec<String>) = match &p.need {
        Some(code) => {
            // gaps() below refuses an unknown need or a missing demand indicator.
            let services = atlas
                .catalog
                .need(code)
                .map(|n| n.services.clone())
                .unwrap_or_default();
            (vec![code.clone()], services)
        }
        None => (
            lookup::needs_with_demand(atlas, a)
                .into_iter()
                .map(|n| n.code.clone())
                .collect(),
            atlas
                .site_index
                .codes()
                .filter(|c| !NOT_OUTREACH_PARTNERS.contains(c))
                .map(str::to_owned)
                .collect(),
        ),
    };
    let areas = &geo.geography.areas;
    let mut flags: Vec<(String, Vec<bool>)> = Vec::with_capacity(desert_needs.len());
    for code in &desert_needs {
        let report = source.gaps(year, code, &GapParams::default())?;
        let mut by_area = vec![false; areas.len()];
        for g in &report.areas {
            if let Some(slot) = by_area.get_mut(g.area as usize) {
                *slot = g.desert;
            }
        }
        flags.push((code.clone(), by_area));
    }

    let mut summary = OutreachSummary::default();
    let mut rows: Vec<OutreachArea> = Vec::with_capacity(a.table.rows.len());
    for row in &a.table.rows {
        let Some(&pos) = geo.by_geoid.get(&row.geoid) else {
            summary.areas_not_in_geography += 1;
            continue;
        };
        let target = row.values.get(target_col).copied().flatten();
        let target_moe = target_moe_col.and_then(|c| row.values.get(c).copied().flatten());
        let enrolled = enrolled_col.and_then(|c| row.values.get(c).copied().flatten());
        let (t, e) = (target.unwrap_or(0.0), enrolled.unwrap_or(0.0));
        let unserved = (t - e).max(0.0);
        summary.areas_missing_target += usize::from(target.is_none());
        summary.areas_missing_enrolled += usize::from(enrolled_col.is_some() && enrolled.is_none());
        summary.areas_over_enrolled += usize::from(e > t);
        summary.target_total += t;
        summary.enrolled_total += e;
        summary.unserved_total += unserved;
        let deserts: BTreeMap<String, bool> = flags
            .iter()
            .map(|(code, by_area)| (code.clone(), by_area.get(pos).copied().unwrap_or(false)))
            .collect();
        rows.push(OutreachArea {
            rank: 0,
            geoid: row.geoid.clone(),
            name: areas[pos].name.clone(),
            target,
            target_moe,
            enrolled,
            unserved,
            over_enrolled: e > t,
            desert_count: deserts.values().filter(|d| **d).count(),
            deserts,
            nearest_sites: Vec::new(),
            area: u32::try_from(pos).unwrap_or(u32::MAX),
        });
    }
    summary.areas = rows.len();
    rows.sort_by(|x, y| {
        y.unserved
            .total_cmp(&x.unserved)
            .then(y.desert_count.cmp(&x.desert_count))
            .then_with(|| x.geoid.cmp(&y.geoid))
    });
    if let Some(limit) = p.limit {
        rows.truncate(limit);
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
        r.nearest_sites = nearest_sites(atlas, &site_services, areas[r.area as usize].demand_point);
        summary.unserved_returned += r.unserved;
    }
    summary.returned = rows.len();

    let mut notes = vec![
        "unserved = max(0, target − enrolled) per area; an empty target cell counts as 0 \
         eligible and an empty enrolled cell as 0 enrolled (the rows show null there)"
            .to_owned(),
        "where enrolled exceeds target, unserved is 0 and over_enrolled is true".to_owned(),
        "ranked by unserved (most first), ties by the number of needs for which the area is \
         a desert (more first), then by GEOID"
            .to_owned(),
        format!(
            "nearest_sites: the {NEAREST_SITES} nearest sites offering one of the listed \
             services, in great-circle km from the area's demand point"
        ),
    ];
    if p.enrolled.is_none() {
        notes.insert(
            1,
            "no enrolled indicator was given: every area counts 0 enrolled, so unserved = target"
                .to_owned(),
        );
    }
    if p.need.is_none() {
        notes.push(
            "without need=, desert flags are given for every need whose demand indicator the \
             year has, and transit stops are not listed as nearby partners"
                .to_owned(),
        );
    }
    Ok(OutreachReport {
        year,
        geography: geo.geography.name.clone(),
        data_version: atlas.data_version,
        params: OutreachEcho {
            target: p.target.clone(),
            enrolled: p.enrolled.clone(),
            limit: p.limit,
            need: p.need.clone(),
            need_versions: desert_needs
                .iter()
                .filter_map(|c| Some((c.clone(), atlas.catalog.need(c)?.version)))
                .collect(),
            desert_needs,
            nearest_sites: NEAREST_SITES,
            site_services,
        },
        notes,
        summary,
        areas: rows,
    })
}

fn nearest_sites(atlas: &Atlas, codes: &[String], at: crate::domain::LonLat) -> Vec<NearbySite> {
    atlas
        .site_index
        .nearest_k(codes, at, NEAREST_SITES, |_| true)
        .into_iter()
        .filter_map(|(id, km)| {
            let s = atlas.sites.get(id as usize)?;
            Some(NearbySite {
                id: s.id.clone(),
                name: s.name.clone(),
                partner_id: s.partner_id.clone(),
                partner: atlas.partners.get(&s.partner_id).map(|p| p.name.clone()),
                services: s.services.iter().map(|x| x.code.clone()).collect(),
                distance_km: km,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assessment, atlas, site, squares};

    fn ranked(report: &OutreachReport) -> Vec<(&str, f64)> {
        report
            .areas
            .iter()
            .map(|a| (a.geoid.as_str(), a.unserved))
            .collect()
    }

    #[test]
    fn unserved_ties_go_to_more_deserts_then_to_the_lower_geoid() {
        // Unserved: c 30, b 30, a 30 (a's target is missing: 0), d 0 (over-enrolled).
        // Children under 5: only b (60, no slot inside) is a child-care desert.
        let cols = ["eligible", "enrolled", "children_under_5"];
        let a = assessment(
            2024,
            "g",
            &cols,
            &[
                ("d", &[Some(10.0), Some(12.0), Some(0.0)]),
                ("c", &[Some(40.0), Some(10.0), Some(0.0)]),
                ("b", &[Some(30.0), None, Some(60.0)]),
                ("a", &[None, Some(5.0), Some(0.0)]),
            ],
        );
        let atlas = atlas(
            vec![squares("g", &["a", "b", "c", "d"])],
            vec![a],
            vec![site("s", 0.035, "childcare", Some(5.0))],
        );
        let p = OutreachParams {
            target: "eligible".into(),
            enrolled: Some("enrolled".into()),
            limit: None,
            need: None,
        };
        let r = outreach(&atlas, 2024, &p).unwrap();
        assert_eq!(
            ranked(&r),
            [("b", 30.0), ("c", 30.0), ("a", 0.0), ("d", 0.0)]
        );
        assert_eq!(r.areas[0].deserts.get("childcare"), Some(&true));
        assert!(r.areas[3].over_enrolled);
        assert_eq!(
            (
                r.summary.areas_missing_target,
                r.summary.areas_missing_enrolled
            ),
            (1, 1)
        );
        // The child-care site lies in d, 0.02° (R·0.02·π/180 = 2.2239 km) east of b's
        // demand point.
        let near = &r.areas[0].nearest_sites;
        assert_eq!(near.len(), 1);
        assert!((near[0].distance_km - 2.2239016).abs() < 1e-6, "{near:?}");

        let two = outreach(
            &atlas,
            2024,
            &OutreachParams {
                limit: Some(2),
                ..p
            },
        )
        .unwrap();
        assert_eq!(ranked(&two), [("b", 30.0), ("c", 30.0)]);
        assert_eq!(two.summary.unserved_total, 60.0);
        assert_eq!(two.summary.unserved_returned, 60.0);
    }
}
