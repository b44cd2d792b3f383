//! Opportunities: which organisations already in the directory could help close a need's
//! gap, ranked by what a new site of theirs would close.
//!
//! **Candidates** are the directory's sites (libraries, schools, faith-based
//! organisations, clinics, any kind) that
//! - lie within the need's radius r of the demand point of at least one desert area,
//! - do not supply the need yet (offer none of its services), and
//! - belong to a partner not yet at cooperation or collaboration (networking,
//!   coordination, or no level recorded).
//!
//! Transit stops are not organisations to approach and are left out.
//!
//! **Gain** is siting's ([`super::siting`]): a new site of capacity C at the candidate's
//! location reaches the areas whose demand points lie within r, and closes
//! Σ_i min(shortfall_i, P_i·C/D) (D: the demand it reaches), in supply units. C is the
//! need's median capacity (or 1 for a need counted in sites), as siting's default. Each
//! candidate is measured on its own against today's gaps, so the gains of two candidates
//! that reach the same areas do not add up (siting with `candidates=assets` picks a set).
//! Ties go to the larger shortfall within reach, then to the lower site id.

use super::lookup;
use super::params::GapParams;
use super::siting::new_site_capacity;
use super::source::Source;
use crate::domain::{Geoid, LonLat, PartnershipLevel};
use crate::error::Result;
use serde::Serialize;

/// One organisation worth approaching (field names are the API contract).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Opportunity {
    /// 1 for the best.
    pub rank: usize,
    /// The partner (organisation).
    pub partner_id: String,
    /// Its name.
    pub partner: String,
    /// The site.
    pub site_id: String,
    /// The site's name.
    pub name: String,
    /// The partner's kind (library, school …), when recorded.
    pub kind: Option<String>,
    /// The partnership level so far (null: none recorded).
    pub partnership_level: Option<PartnershipLevel>,
    /// Where the site is.
    pub lon: f64,
    pub lat: f64,
    /// The shortfall a new site of the need's capacity here would close, in supply units.
    pub gain: f64,
    /// Σ shortfall of the areas within reach.
    pub shortfall_within: f64,
    /// The assessed areas within r, by GEOID.
    pub areas: Vec<Geoid>,
    /// The desert areas among them.
    pub deserts: Vec<Geoid>,
}

/// Totals and parameters.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OpportunitySummary {
    /// Sites of the directory (transit stops left out).
    pub sites: usize,
    /// Of those, the ones that do not supply the need and whose partner is not at
    /// cooperation or collaboration.
    pub eligible: usize,
    /// Of those, the candidates: within r of a desert area.
    pub candidates: usize,
    /// Desert areas in the year.
    pub deserts: usize,
    /// The capacity C of a new site, in supply units.
    pub capacity: f64,
    /// Where C came from: `given`, `one_site` or `median_of_sites`.
    pub capacity_source: &'static str,
    /// r in km.
    pub radius_km: f64,
}

/// The answer of `/opportunities`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OpportunityReport {
    pub year: i32,
    /// The need's code.
    pub need: String,
    /// Its label.
    pub label: String,
    pub geography: String,
    pub data_version: i64,
    /// The version of the need's standard the numbers were computed with (see
    /// `GET /api/v1/needs`; 0 for the bundled need of a store never seeded).
    pub need_version: i64,
    pub summary: OpportunitySummary,
    /// How to read the numbers.
    pub notes: Vec<String>,
    /// The candidates, best first.
    pub opportunities: Vec<Opportunity>,
}

/// A candidate place for a new site of the need: a site of the directory.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Asset {
    /// Its position in `Atlas::sites`.
    pub site: usize,
    /// Where it is.
    pub location: LonLat,
}

/// The directory's sites that could take up `need` (see the module documentation), with
/// the counts of sites and of eligible ones; `near_desert` says whether a point lies
/// within r of a desert area.
pub(crate) fn assets(
    atlas: &crate::atlas::Atlas,
    services: &[String],
    near_desert: impl Fn(LonLat) -> bool,
) -> (Vec<Asset>, usize, usize) {
    let mut sites = 0;
    let mut eligible = 0;
    let mut out = Vec::new();
    for (i, s) in atlas.sites.iter().enumerate() {
        if s.services.iter().all(|x| x.code == "transit") {
            continue;
        }
        sites += 1;
        if s.services.iter().any(|x| services.contains(&x.code)) {
            continue;
        }
        let level = atlas
            .partners
            .get(&s.partner_id)
            .and_then(|p| p.partnership_level);
        if matches!(
            level,
            Some(PartnershipLevel::Cooperation | PartnershipLevel::Collaboration)
        ) {
            continue;
        }
        eligible += 1;
        if near_desert(s.location) {
            out.push(Asset {
                site: i,
                location: s.location,
            });
        }
    }
    (out, sites, eligible)
}

/// The organisations worth approaching for `need` in `year`, best first (at most
/// `limit`, all without one). Errors: as [`super::gaps`]; a capacity to default to that
/// the need's sites do not give (400).
pub fn opportunities(
    source: &dyn Source,
    year: i32,
    need: &str,
    limit: Option<usize>,
) -> Result<OpportunityReport> {
    let atlas = source.atlas();
    if limit == Some(0) {
        return Err(crate::error::Error::new(
            crate::error::Code::InvalidParameter,
            "limit must be at least 1 (leave it out for every candidate)",
        ));
    }
    let report = source.gaps(year, need, &GapParams::default())?;
    let a = lookup::assessment(atlas, year)?;
    let geo = lookup::geography(atlas, a)?;
    let resolved = &report.params;
    let (capacity, capacity_source) = new_site_capacity(&atlas.sites, resolved, None, need)?;
    // Geography position -> row of the report.
    let mut row_of = vec![usize::MAX; geo.geography.areas.len()];
    for (t, r) in report.areas.iter().enumerate() {
        if let Some(slot) = row_of.get_mut(r.area as usize) {
            *slot = t;
        }
    }
    let within = |at: LonLat| -> Vec<usize> {
        let mut hits = Vec::new();
        geo.demand_points.within(at, resolved.radius_km, |id, _| {
            if let Some(&t) = row_of.get(id as usize)
                && t != usize::MAX
            {
                hits.push(t);
            }
        });
        hits.sort_unstable_by(|&x, &y| report.areas[x].geoid.cmp(&report.areas[y].geoid));
        hits
    };
    let (candidates, sites, eligible) = assets(atlas, &resolved.services, |at| {
        within(at).iter().any(|&t| report.areas[t].desert)
    });
    let mut out: Vec<Opportunity> = candidates
        .iter()
        .map(|c| {
            let s = &atlas.sites[c.site];
            let p = atlas.partners.get(&s.partner_id);
            let hits = within(c.location);
            let d: f64 = hits.iter().map(|&t| report.areas[t].demand).sum();
            let gain = if d > 0.0 {
                hits.iter()
                    .map(|&t| {
                        let r = &report.areas[t];
                        r.shortfall.min(r.demand * capacity / d)
                    })
                    .sum()
            } else {
                0.0
            };
            Opportunity {
                rank: 0,
                partner_id: s.partner_id.clone(),
                partner: p.map_or_else(|| s.partner_id.clone(), |p| p.name.clone()),
                site_id: s.id.clone(),
                name: s.name.clone(),
                kind: p.and_then(|p| p.kind.clone()),
                partnership_level: p.and_then(|p| p.partnership_level),
                lon: s.location.lon(),
                lat: s.location.lat(),
                gain,
                shortfall_within: hits.iter().map(|&t| report.areas[t].shortfall).sum(),
                areas: hits
                    .iter()
                    .map(|&t| report.areas[t].geoid.clone())
                    .collect(),
                deserts: hits
                    .iter()
                    .filter(|&&t| report.areas[t].desert)
                    .map(|&t| report.areas[t].geoid.clone())
                    .collect(),
            }
        })
        .collect();
    // Gains equal in exact arithmetic must tie (see siting's grid).
    let grid = |x: f64| (x * 1e9).round();
    out.sort_by(|a, b| {
        grid(b.gain)
            .total_cmp(&grid(a.gain))
            .then(grid(b.shortfall_within).total_cmp(&grid(a.shortfall_within)))
            .then(a.site_id.cmp(&b.site_id))
    });
    if let Some(n) = limit {
        out.truncate(n);
    }
    for (i, o) in out.iter_mut().enumerate() {
        o.rank = i + 1;
    }
    let notes = vec![
        "candidates: the directory's sites within the need's radius of a desert area that do \
         not supply the need and whose partner is not yet at cooperation or collaboration \
         (transit stops left out)"
            .to_owned(),
        format!(
            "gain: the shortfall a new site of {capacity} supply units ({capacity_source}) at \
             the candidate would close, as siting measures it: Σ min(shortfall_i, P_i·C/D) over \
             the areas within reach; each candidate on its own, so gains of candidates that \
             reach the same areas do not add up"
        ),
    ];
    Ok(OpportunityReport {
        year,
        need: report.need.clone(),
        label: report.label.clone(),
        geography: report.geography.clone(),
        data_version: atlas.data_version,
        need_version: report.need_version,
        summary: OpportunitySummary {
            sites,
            eligible,
            candidates: candidates.len(),
            deserts: report.areas.iter().filter(|r| r.desert).count(),
            capacity,
            capacity_source,
            radius_km: resolved.radius_km,
        },
        notes,
        opportunities: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::*;

    #[test]
    fn candidates_are_non_suppliers_near_deserts_ranked_by_gain() {
        // See `testing::opportunity_atlas` for the hand-checked numbers.
        let atlas = opportunity_atlas();
        let r = opportunities(&atlas, 2024, "childcare", None).unwrap();
        let ids: Vec<(&str, f64)> = r
            .opportunities
            .iter()
            .map(|o| (o.site_id.as_str(), o.gain))
            .collect();
        assert_eq!(ids, OPPORTUNITY_GAINS);
        assert_eq!(r.summary.capacity, 30.0);
        assert_eq!(r.summary.capacity_source, "median_of_sites");
        // 8 sites without the stop; 5 neither supply child care nor cooperate already.
        assert_eq!(
            (
                r.summary.sites,
                r.summary.eligible,
                r.summary.candidates,
                r.summary.deserts
            ),
            (8, 5, 4, 2)
        );
        let lib = &r.opportunities[0];
        assert_eq!(lib.kind.as_deref(), Some("library"));
        assert_eq!(lib.shortfall_within, 120.0);
        let geoids = |v: &[Geoid]| v.iter().map(|g| g.as_str().to_owned()).collect::<Vec<_>>();
        assert_eq!(
            geoids(&lib.areas),
            ["01000000000", "01000000001", "01000000002"]
        );
        assert_eq!(geoids(&lib.deserts), ["01000000000", "01000000002"]);
        assert_eq!(geoids(&r.opportunities[3].deserts), ["01000000002"]);
        // A limit keeps the best.
        let top = opportunities(&atlas, 2024, "childcare", Some(1)).unwrap();
        assert_eq!(top.opportunities.len(), 1);
        assert_eq!(top.opportunities[0].rank, 1);
    }
}
