//! Floating catchments on a travel-time matrix: cost t_ij in minutes instead of km.
//!
//! With groups m of demand P_k^m travelling on matrix t^m with weights w_m (one group for
//! a single mode; a group per mode for vehicle-aware demand, Mao & Nekorchuk 2013):
//!
//! - R_j = S_j / Σ_m Σ_k P_k^m·w_m(t_kj^m), and R_j = 0 when no demand reaches j;
//! - A_i^m = Σ_j R_j·w_m(t_ij^m);
//!
//! with w_m = 0 beyond the cut-off M and for a pair the matrix leaves out. With one group
//! and w = 1 for t ≤ M this is 2SFCA; with a [`Decay`] it is E2SFCA, as PySAL `access`'s
//! `two_stage_fca` and `enhanced_two_stage_fca` compute them (its weights `step_fn`,
//! `gaussian`, `gravity`, and `max_cost` = M, inclusive). Units: supply per unit of demand.
//!
//! Step 1 scatters each origin's demand over its row in origin order, so every value is
//! summed in one fixed order whatever the number of threads; step 2 is a gather.

use super::problem::SupplySite;
use crate::atlas::{NO_ORIGIN, TravelTimes};
use crate::parallel;
use serde::Serialize;

/// How a weight falls with minutes t (before the cut-off M).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decay {
    /// The weight of the first band whose upper bound is ≥ t (PySAL `weights.step_fn`),
    /// 0 beyond the last.
    Step {
        /// `[upper_minutes, weight]`, ascending.
        bands: Vec<(f64, f64)>,
    },
    /// exp(−t²/(2σ²)) (PySAL `weights.gaussian(sigma)`).
    Gaussian {
        /// σ in minutes.
        sigma_minutes: f64,
    },
    /// max(t, 1)^(−β) (PySAL `weights.gravity(scale=1, alpha=−β, min_dist=1)`): t in
    /// minutes, a trip under a minute weighs as one of a minute.
    Gravity {
        /// β.
        beta: f64,
    },
}

impl Decay {
    /// The weight at `t` minutes, without the cut-off.
    ///
    /// # Examples
    /// ```
    /// use gapmap::analysis::Decay;
    /// let g = Decay::Gaussian { sigma_minutes: 20.0 };
    /// assert_eq!(g.weight(0.0), 1.0);
    /// assert!((g.weight(20.0) - 0.6065306597126334).abs() < 1e-15);
    /// let s = Decay::Step { bands: vec![(10.0, 1.0), (20.0, 0.5)] };
    /// assert_eq!((s.weight(10.0), s.weight(10.5), s.weight(21.0)), (1.0, 0.5, 0.0));
    /// assert_eq!(Decay::Gravity { beta: 2.0 }.weight(0.5), 1.0);
    /// ```
    pub fn weight(&self, t: f64) -> f64 {
        match self {
            Self::Step { bands } => bands
                .iter()
                .find(|(upper, _)| t <= *upper)
                .map_or(0.0, |b| b.1),
            Self::Gaussian { sigma_minutes } => {
                (-t * t / (2.0 * sigma_minutes * sigma_minutes)).exp()
            }
            Self::Gravity { beta } => t.max(1.0).powf(-beta),
        }
    }

    /// The name the API uses.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Step { .. } => "step",
            Self::Gaussian { .. } => "gaussian",
            Self::Gravity { .. } => "gravity",
        }
    }
}

/// Weights of one FCA: 1 within M (2SFCA) or a decay within M (E2SFCA).
#[derive(Clone, Debug, PartialEq)]
pub struct Cutoff<'a> {
    /// M in minutes (inclusive).
    pub max_minutes: f64,
    /// None: 2SFCA's uniform weight.
    pub decay: Option<&'a Decay>,
}

impl Cutoff<'_> {
    /// w(t): 0 beyond M.
    pub fn weight(&self, t: f64) -> f64 {
        if t > self.max_minutes {
            0.0
        } else {
            self.decay.map_or(1.0, |d| d.weight(t))
        }
    }
}

/// One group of demand on one matrix.
pub struct Group<'a> {
    /// The matrix.
    pub times: &'a TravelTimes,
    /// P_k^m per area of the matrix's geography (by position).
    pub demand: &'a [f64],
    /// w_m.
    pub weight: Cutoff<'a>,
}

/// The result of one FCA on matrices.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixFca {
    /// Σ_m Σ_k P_k^m·w_m(t_kj^m) per supply site j.
    pub catchment_demand: Vec<f64>,
    /// R_j per supply site.
    pub ratio: Vec<f64>,
    /// A_i^m per group, per requested area (in the order of `areas`).
    pub access: Vec<Vec<f64>>,
}

/// Marks an Atlas site that is not one of the supply sites.
const NOT_SUPPLY: u32 = u32::MAX;

/// For each Atlas site, its position among `sites` (whose ids are Atlas positions).
fn slots(sites: &[SupplySite], atlas_sites: usize) -> Vec<u32> {
    let mut slot = vec![NOT_SUPPLY; atlas_sites];
    for (k, s) in sites.iter().enumerate() {
        if let Some(x) = slot.get_mut(s.id as usize) {
            *x = u32::try_from(k).unwrap_or(NOT_SUPPLY);
        }
    }
    slot
}

/// Both FCA steps over `groups`, for the areas (positions) in `areas`. `atlas_sites` is
/// the number of sites in the Atlas (supply site ids are positions there).
pub fn matrix_fca(
    groups: &[Group<'_>],
    sites: &[SupplySite],
    atlas_sites: usize,
    areas: &[u32],
) -> MatrixFca {
    let slot = slots(sites, atlas_sites);
    // Step 1: demand reaching each destination, then each site.
    let mut catchment_demand = vec![0.0; sites.len()];
    for g in groups {
        let m = &g.times.matrix;
        let mut at_dest = vec![0.0; g.times.destinations()];
        for (a, &o) in g.times.origin_of_area.iter().enumerate() {
            let p = g.demand.get(a).copied().unwrap_or(0.0);
            if o == NO_ORIGIN || p == 0.0 {
                continue;
            }
            for (d, t) in m.row(o as usize) {
                at_dest[d as usize] += p * g.weight.weight(f64::from(t));
            }
        }
        for (d, &dd) in at_dest.iter().enumerate() {
            if dd == 0.0 {
                continue;
            }
            for &j in g.times.sites_of(d as u32) {
                if let Some(&s) = slot.get(j as usize)
                    && s != NOT_SUPPLY
                {
                    catchment_demand[s as usize] += dd;
                }
            }
        }
    }
    let ratio: Vec<f64> = catchment_demand
        .iter()
        .zip(sites)
        .map(|(&d, s)| if d > 0.0 { s.supply / d } else { 0.0 })
        .collect();
    // Step 2: each area gathers the ratios of the sites its row reaches.
    let access = groups
        .iter()
        .map(|g| {
            let at_dest: Vec<f64> = (0..g.times.destinations())
                .map(|d| {
                    g.times
                        .sites_of(d as u32)
                        .iter()
                        .filter_map(|&j| slot.get(j as usize).filter(|s| **s != NOT_SUPPLY))
                        .map(|&s| ratio[s as usize])
                        .sum()
                })
                .collect();
            parallel::map(areas.len(), |t| {
                let o = g
                    .times
                    .origin_of_area
                    .get(areas[t] as usize)
                    .copied()
                    .unwrap_or(NO_ORIGIN);
                if o == NO_ORIGIN {
                    return 0.0;
                }
                g.times
                    .matrix
                    .row(o as usize)
                    .map(|(d, t)| at_dest[d as usize] * g.weight.weight(f64::from(t)))
                    .sum()
            })
        })
        .collect();
    MatrixFca {
        catchment_demand,
        ratio,
        access,
    }
}

/// What an area reaches on a matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinutesReach {
    /// Supply sites with t ≤ M.
    pub sites_within: u32,
    /// Σ S_j over them.
    pub capacity_within: f64,
    /// The least time to any supply site, whatever M; None when the area has no pair to
    /// one.
    pub nearest_minutes: Option<f64>,
}

/// Sites within M and the nearest supply site's minutes for each area in `areas`.
pub fn reach(
    times: &TravelTimes,
    sites: &[SupplySite],
    atlas_sites: usize,
    areas: &[u32],
    max_minutes: f64,
) -> Vec<MinutesReach> {
    let slot = slots(sites, atlas_sites);
    // Per destination: supply sites and their supply.
    let per_dest: Vec<(u32, f64)> = (0..times.destinations())
        .map(|d| {
            times
                .sites_of(d as u32)
                .iter()
                .filter_map(|&j| slot.get(j as usize).filter(|s| **s != NOT_SUPPLY))
                .fold((0, 0.0), |(n, c), &s| (n + 1, c + sites[s as usize].supply))
        })
        .collect();
    parallel::map(areas.len(), |t| {
        let mut r = MinutesReach {
            sites_within: 0,
            capacity_within: 0.0,
            nearest_minutes: None,
        };
        let o = times
            .origin_of_area
            .get(areas[t] as usize)
            .copied()
            .unwrap_or(NO_ORIGIN);
        if o == NO_ORIGIN {
            return r;
        }
        for (d, m) in times.matrix.row(o as usize) {
            let (n, c) = per_dest[d as usize];
            if n == 0 {
                continue;
            }
            let m = f64::from(m);
            if m <= max_minutes {
                r.sites_within += n;
                r.capacity_within += c;
            }
            if r.nearest_minutes.is_none_or(|b| m < b) {
                r.nearest_minutes = Some(m);
            }
        }
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing;
    use crate::atlas::GeographyData;
    use crate::domain::{DestinationKind, MatrixSource, TravelMatrix, TravelMode};
    use approx::assert_relative_eq;

    /// 3 areas × 4 sites, asymmetric, with missing pairs (None):
    ///
    /// ```text
    ///          s0    s1    s2    s3
    ///   a0      5    20     –    40
    ///   a1     10     –    15    25
    ///   a2      –    30     5     –
    /// ```
    /// P = (100, 50, 200), S = (10, 20, 30, 40), M = 30 minutes.
    const T: [[Option<f32>; 4]; 3] = [
        [Some(5.0), Some(20.0), None, Some(40.0)],
        [Some(10.0), None, Some(15.0), Some(25.0)],
        [None, Some(30.0), Some(5.0), None],
    ];
    const P: [f64; 3] = [100.0, 50.0, 200.0];
    const S: [f64; 4] = [10.0, 20.0, 30.0, 40.0];

    fn fixture() -> (TravelTimes, Vec<SupplySite>) {
        let geo = testing::squares("g", &["a0", "a1", "a2"]);
        let sites: Vec<_> = (0..4)
            .map(|j| testing::site(&format!("s{j}"), 0.01 * j as f64, "cc", None))
            .collect();
        let mut offsets = vec![0u32];
        let (mut to, mut minutes) = (Vec::new(), Vec::new());
        for row in T {
            for (j, t) in row.iter().enumerate() {
                if let Some(t) = t {
                    to.push(j as u32);
                    minutes.push(*t);
                }
            }
            offsets.push(to.len() as u32);
        }
        let matrix = TravelMatrix {
            geography: geo.name.clone(),
            mode: TravelMode::Transit,
            source: MatrixSource::default(),
            kind: DestinationKind::Sites,
            origins: geo.areas.iter().map(|a| a.geoid.clone()).collect(),
            destinations: sites.iter().map(|s| s.id.clone()).collect(),
            offsets,
            to,
            minutes,
        };
        let data = GeographyData::new(geo, &sites);
        let supply = S
            .iter()
            .enumerate()
            .map(|(j, &s)| SupplySite {
                id: j as u32,
                lonlat: sites[j].location,
                xyz: crate::spatial::unit_vector(sites[j].location),
                supply: s,
            })
            .collect();
        (TravelTimes::new(matrix, &data, &sites), supply)
    }

    fn run(decay: Option<&Decay>) -> Vec<f64> {
        let (tt, supply) = fixture();
        let g = Group {
            times: &tt,
            demand: &P,
            weight: Cutoff {
                max_minutes: 30.0,
                decay,
            },
        };
        matrix_fca(&[g], &supply, 4, &[0, 1, 2]).access.remove(0)
    }

    #[test]
    fn two_sfca_on_the_3_by_4_matrix_has_its_hand_computed_answer() {
        // Within 30: s0 ← a0, a1 (150); s1 ← a0, a2 (300); s2 ← a1, a2 (250); s3 ← a1 (50).
        let r = [10.0 / 150.0, 20.0 / 300.0, 30.0 / 250.0, 40.0 / 50.0];
        let a = run(None);
        assert_relative_eq!(a[0], r[0] + r[1], max_relative = 1e-12);
        assert_relative_eq!(a[1], r[0] + r[2] + r[3], max_relative = 1e-12);
        assert_relative_eq!(a[2], r[1] + r[2], max_relative = 1e-12);
    }

    #[test]
    fn step_decay_on_the_3_by_4_matrix_has_its_hand_computed_answer() {
        // Bands {10: 1, 20: 0.5, 30: 0.25}.
        let step = Decay::Step {
            bands: vec![(10.0, 1.0), (20.0, 0.5), (30.0, 0.25)],
        };
        let d = [
            100.0 + 50.0,
            100.0 * 0.5 + 200.0 * 0.25,
            50.0 * 0.5 + 200.0,
            50.0 * 0.25,
        ];
        let r: Vec<f64> = (0..4).map(|j| S[j] / d[j]).collect();
        let a = run(Some(&step));
        assert_relative_eq!(a[0], r[0] + 0.5 * r[1], max_relative = 1e-12);
        assert_relative_eq!(a[1], r[0] + 0.5 * r[2] + 0.25 * r[3], max_relative = 1e-12);
        assert_relative_eq!(a[2], 0.25 * r[1] + r[2], max_relative = 1e-12);
    }

    #[test]
    fn gaussian_and_gravity_decay_on_the_3_by_4_matrix_have_their_hand_computed_answers() {
        for decay in [
            Decay::Gaussian {
                sigma_minutes: 15.0,
            },
            Decay::Gravity { beta: 1.5 },
        ] {
            let w = |t: f64| match decay {
                Decay::Gaussian { sigma_minutes: s } => (-t * t / (2.0 * s * s)).exp(),
                Decay::Gravity { beta } => t.powf(-beta),
                Decay::Step { .. } => unreachable!(),
            };
            let d = [
                100.0 * w(5.0) + 50.0 * w(10.0),
                100.0 * w(20.0) + 200.0 * w(30.0),
                50.0 * w(15.0) + 200.0 * w(5.0),
                50.0 * w(25.0),
            ];
            let r: Vec<f64> = (0..4).map(|j| S[j] / d[j]).collect();
            let a = run(Some(&decay));
            assert_relative_eq!(a[0], w(5.0) * r[0] + w(20.0) * r[1], max_relative = 1e-12);
            assert_relative_eq!(
                a[1],
                w(10.0) * r[0] + w(15.0) * r[2] + w(25.0) * r[3],
                max_relative = 1e-12
            );
            assert_relative_eq!(a[2], w(30.0) * r[1] + w(5.0) * r[2], max_relative = 1e-12);
        }
    }

    #[test]
    fn reach_counts_sites_within_m_and_the_nearest_whatever_m() {
        let (tt, supply) = fixture();
        let r = reach(&tt, &supply, 4, &[0, 1, 2], 12.0);
        assert_eq!((r[0].sites_within, r[0].nearest_minutes), (1, Some(5.0)));
        assert_eq!(r[1].capacity_within, 10.0);
        assert_eq!(r[2].nearest_minutes, Some(5.0));
        let r = reach(&tt, &supply[..1], 4, &[2], 60.0);
        assert_eq!((r[0].sites_within, r[0].nearest_minutes), (0, None));
    }

    #[test]
    fn demand_weighted_access_adds_up_to_the_supply_reached() {
        let (tt, supply) = fixture();
        let decay = Decay::Gaussian {
            sigma_minutes: 10.0,
        };
        for d in [None, Some(&decay)] {
            let g = Group {
                times: &tt,
                demand: &P,
                weight: Cutoff {
                    max_minutes: 30.0,
                    decay: d,
                },
            };
            let f = matrix_fca(&[g], &supply, 4, &[0, 1, 2]);
            let given: f64 = P.iter().zip(&f.access[0]).map(|(p, a)| p * a).sum();
            assert_relative_eq!(given, S.iter().sum::<f64>(), max_relative = 1e-12);
        }
    }

    /// The numbers of PySAL's `access` (two_stage_fca, and enhanced_two_stage_fca with
    /// weights.step_fn, gaussian and gravity) on an asymmetric matrix with missing pairs,
    /// written by benches/pysal/travel_times.py. `access` leaves an area with no site
    /// within M at NaN (null); gapmap reports 0 there.
    #[test]
    fn matrix_fca_matches_pysal_access() {
        let f: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/pysal_travel_fca.json"))
                .unwrap();
        let num = |v: &serde_json::Value| v.as_f64().unwrap();
        let areas = f["areas"].as_array().unwrap();
        let site_list = f["sites"].as_array().unwrap();
        let ids: Vec<&str> = areas.iter().map(|a| a["id"].as_str().unwrap()).collect();
        let geo = testing::squares("g", &ids);
        let sites: Vec<_> = site_list
            .iter()
            .enumerate()
            .map(|(j, s)| testing::site(s["id"].as_str().unwrap(), 0.01 * j as f64, "cc", None))
            .collect();
        let demand: Vec<f64> = areas.iter().map(|a| num(&a["demand"])).collect();
        let mut offsets = vec![0u32];
        let (mut to, mut minutes) = (Vec::new(), Vec::new());
        for row in f["minutes"].as_array().unwrap() {
            for (j, t) in row.as_array().unwrap().iter().enumerate() {
                if let Some(t) = t.as_f64() {
                    to.push(j as u32);
                    minutes.push(t as f32);
                }
            }
            offsets.push(to.len() as u32);
        }
        let matrix = TravelMatrix {
            geography: "g".into(),
            mode: TravelMode::Drive,
            source: MatrixSource::default(),
            kind: DestinationKind::Sites,
            origins: geo.areas.iter().map(|a| a.geoid.clone()).collect(),
            destinations: sites.iter().map(|s| s.id.clone()).collect(),
            offsets,
            to,
            minutes,
        };
        let data = GeographyData::new(geo, &sites);
        let tt = TravelTimes::new(matrix, &data, &sites);
        let supply: Vec<SupplySite> = site_list
            .iter()
            .enumerate()
            .map(|(j, s)| SupplySite {
                id: j as u32,
                lonlat: sites[j].location,
                xyz: crate::spatial::unit_vector(sites[j].location),
                supply: num(&s["supply"]),
            })
            .collect();
        let m = num(&f["max_minutes"]);
        let bands: Vec<(f64, f64)> = f["step_bands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (num(&b[0]), num(&b[1])))
            .collect();
        let step = Decay::Step { bands };
        let gaussian = Decay::Gaussian {
            sigma_minutes: num(&f["sigma_minutes"]),
        };
        let gravity = Decay::Gravity {
            beta: num(&f["gravity_beta"]),
        };
        let all: Vec<u32> = (0..areas.len() as u32).collect();
        let e = &f["enhanced_two_stage_fca"];
        for (decay, theirs) in [
            (None, &f["two_stage_fca"]),
            (Some(&step), &e["step"]),
            (Some(&gaussian), &e["gaussian"]),
            (Some(&gravity), &e["gravity"]),
        ] {
            let g = Group {
                times: &tt,
                demand: &demand,
                weight: Cutoff {
                    max_minutes: m,
                    decay,
                },
            };
            let ours = matrix_fca(&[g], &supply, sites.len(), &all)
                .access
                .remove(0);
            let theirs = theirs.as_array().unwrap();
            let mut compared = 0;
            for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
                match t.as_f64() {
                    Some(t) => {
                        assert_relative_eq!(*o, t, max_relative = 1e-9);
                        compared += 1;
                    }
                    None => assert_eq!(*o, 0.0, "{decay:?}: area {i} reaches no site"),
                }
            }
            assert_eq!(
                compared, 5,
                "{decay:?}: every area but a5 has a PySAL value"
            );
        }
    }
}
