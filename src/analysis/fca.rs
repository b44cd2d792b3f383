//! Floating catchment area accessibility: 2SFCA (Luo & Wang 2003) and E2SFCA with step
//! weights (Luo & Qi 2009), as DESIGN.md defines them:
//!
//! - R_j = S_j / Σ_k P_k·w(d_kj), and R_j = 0 when no demand lies within reach of j;
//! - A_i = Σ_j R_j·w(d_ij), and A_i = 0 when no site lies within reach of i;
//!
//! with w = 1 for d ≤ r (2SFCA) or the step weight of the first band whose upper bound is
//! ≥ d (E2SFCA, 0 beyond the last band). Units: A_i is supply per unit of demand (e.g.
//! slots per child). Distances are haversine km, bounds inclusive.
//!
//! Both steps are gathers (each site sums its demand, then each area sums its sites), so
//! every value is summed in one fixed order whatever the number of threads.

use super::problem::Problem;
use crate::parallel;
use crate::spatial::{BandGrid, haversine_km};

/// Which weights an FCA uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weighting {
    /// 2SFCA: every pair within r weighs 1.
    Uniform,
    /// E2SFCA: the need's step bands.
    Bands,
}

/// The result of one FCA method.
#[derive(Clone, Debug, PartialEq)]
pub struct Fca {
    /// Σ_k P_k·w(d_kj) per supply site j.
    pub catchment_demand: Vec<f64>,
    /// R_j per supply site j.
    pub ratio: Vec<f64>,
    /// A_i per demand point i (or per requested area, see [`sweep`]).
    pub access: Vec<f64>,
}

/// What the second step found for one area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AreaReach<const K: usize> {
    /// A_i for each requested weighting.
    pub access: [f64; K],
    /// Supply sites with d_ij ≤ r.
    pub sites_within: u32,
    /// Σ S_j over them.
    pub capacity_within: f64,
    /// The nearest supply site (position in `Problem::sites`) and its km; None when the
    /// problem has no site at all, or when not asked for and none is within r.
    pub nearest: Option<(u32, f64)>,
}

/// 2SFCA over every demand point of `problem`.
///
/// # Examples
/// ```
/// use gapmap::analysis::{Problem, two_sfca};
/// use gapmap::domain::LonLat;
/// use gapmap::spatial::Catchment;
/// let p = |lon, lat| LonLat::new(lon, lat).unwrap();
/// // Area 0 (50 people) reaches sites a (10 places) and b (20); area 1 (150) only b.
/// let problem = Problem::from_points(
///     &[(p(0.0, 0.0), 50.0), (p(0.0, 0.02), 150.0)],
///     &[(p(0.0, -0.005), 10.0), (p(0.0, 0.01), 20.0)],
///     Catchment::new(1.5, vec![(1.5, 1.0)]),
/// );
/// let fca = two_sfca(&problem);
/// assert_eq!(fca.ratio, vec![10.0 / 50.0, 20.0 / 200.0]);
/// assert_eq!(fca.access, vec![0.2 + 0.1, 0.1]);
/// ```
pub fn two_sfca(problem: &Problem<'_>) -> Fca {
    one(problem, Weighting::Uniform)
}

/// E2SFCA (step weights of the catchment's bands) over every demand point of `problem`.
pub fn e2sfca(problem: &Problem<'_>) -> Fca {
    one(problem, Weighting::Bands)
}

fn id32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn one(problem: &Problem<'_>, weighting: Weighting) -> Fca {
    let all: Vec<u32> = (0..problem.demand.len())
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    let ([fca], _) = sweep(problem, [weighting], &all, false);
    fca
}

/// Both FCA steps for K weightings at once, reporting the second step for the demand
/// points listed in `areas` (positions in `problem.demand`): `Fca::access` and the
/// returned reaches follow that list. With `nearest` the areas that have no site within r
/// get their nearest site from the site tree.
pub fn sweep<const K: usize>(
    problem: &Problem<'_>,
    weightings: [Weighting; K],
    areas: &[u32],
    nearest: bool,
) -> ([Fca; K], Vec<AreaReach<K>>) {
    let catchment = &problem.catchment;
    // Weight per zone index (see Catchment::zone_index), 0 beyond r.
    let tables: [Vec<f64>; K] = weightings.map(|w| catchment.weights(w == Weighting::Bands));
    // The same, one entry per zone holding the K weights: one load per pair.
    let weights: Vec<[f64; K]> = (0..catchment.weights(false).len())
        .map(|z| std::array::from_fn(|k| tables[k][z]))
        .collect();
    let beyond_r = catchment.bands().len() + 1;
    let radius_km = catchment.radius_km();

    // Both steps scan points kept in latitude bands (see BandGrid) and ask their
    // questions in ground order, so each scan reads memory its neighbour just read.
    // Areas without demand add nothing to a site's catchment: leave them out.
    let demand_grid = BandGrid::build(
        problem
            .demand_at
            .iter()
            .enumerate()
            .filter(|(i, _)| problem.demand[*i] != 0.0)
            .map(|(i, p)| (id32(i), *p)),
        radius_km,
    );
    let demand_by_pos: Vec<f64> = (0..demand_grid.len())
        .map(|q| problem.demand[demand_grid.id(q) as usize])
        .collect();
    let site_grid = BandGrid::build(
        problem
            .sites
            .iter()
            .enumerate()
            .map(|(k, s)| (id32(k), s.lonlat)),
        radius_km,
    );

    // Step 1: each site sums the weighted demand in its catchment. Each run of
    // candidates is summed in local accumulators (kept in registers) in position order.
    let (dem_x, dem_y, dem_z) = demand_grid.coordinates();
    let by_site_pos: Vec<[f64; K]> = parallel::map(site_grid.len(), |p| {
        let (at, xyz) = (site_grid.lonlat(p), site_grid.xyz(p));
        let mut sum = [0.0; K];
        demand_grid.for_each_run(at, radius_km, |lo, hi| {
            let (xs, ys, zs) = (&dem_x[lo..hi], &dem_y[lo..hi], &dem_z[lo..hi]);
            let demand = &demand_by_pos[lo..hi];
            let mut acc = sum;
            for i in 0..demand.len() {
                let (dx, dy, dz) = (xyz[0] - xs[i], xyz[1] - ys[i], xyz[2] - zs[i]);
                let c2 = dx * dx + dy * dy + dz * dz;
                // Candidates beyond r get weight 0: no branch on the distance.
                let z = catchment.zone_index(c2, || haversine_km(at, demand_grid.lonlat(lo + i)));
                let w = weights[z];
                for k in 0..K {
                    acc[k] += demand[i] * w[k];
                }
            }
            sum = acc;
        });
        sum
    });
    let mut demand = vec![[0.0; K]; problem.sites.len()];
    for (p, d) in by_site_pos.iter().enumerate() {
        demand[site_grid.id(p) as usize] = *d;
    }
    let ratio: Vec<[f64; K]> = demand
        .iter()
        .zip(&problem.sites)
        .map(|(d, s)| d.map(|dk| if dk > 0.0 { s.supply / dk } else { 0.0 }))
        .collect();
    let ratio_by_pos: Vec<[f64; K]> = (0..site_grid.len())
        .map(|p| ratio[site_grid.id(p) as usize])
        .collect();
    let supply_by_pos: Vec<f64> = (0..site_grid.len())
        .map(|p| problem.sites[site_grid.id(p) as usize].supply)
        .collect();

    // Step 2: each area sums the ratios of the sites in its catchment.
    let area_grid = BandGrid::build(
        areas
            .iter()
            .enumerate()
            .map(|(t, &i)| (id32(t), problem.demand_at[i as usize])),
        radius_km,
    );
    let (site_x, site_y, site_z) = site_grid.coordinates();
    let by_area_pos: Vec<AreaReach<K>> = parallel::map(area_grid.len(), |a| {
        let (at, xyz) = (area_grid.lonlat(a), area_grid.xyz(a));
        let mut reach = AreaReach {
            access: [0.0; K],
            sites_within: 0,
            capacity_within: 0.0,
            nearest: None,
        };
        // The nearest site within r: smallest chord, then smallest site position
        // (`best_slot` is u32::MAX until a site within r is found).
        let (mut best_c2, mut best_slot, mut best_pos) = (f64::INFINITY, u32::MAX, 0);
        site_grid.for_each_run(at, radius_km, |lo, hi| {
            let (xs, ys, zs) = (&site_x[lo..hi], &site_y[lo..hi], &site_z[lo..hi]);
            let (ratios, supplies) = (&ratio_by_pos[lo..hi], &supply_by_pos[lo..hi]);
            let (mut access, mut within, mut capacity) =
                (reach.access, reach.sites_within, reach.capacity_within);
            for i in 0..ratios.len() {
                let (dx, dy, dz) = (xyz[0] - xs[i], xyz[1] - ys[i], xyz[2] - zs[i]);
                let c2 = dx * dx + dy * dy + dz * dz;
                let z = catchment.zone_index(c2, || haversine_km(at, site_grid.lonlat(lo + i)));
                let inside = z < beyond_r;
                let w = weights[z];
                for k in 0..K {
                    access[k] += ratios[i][k] * w[k];
                }
                within += u32::from(inside);
                capacity += if inside { supplies[i] } else { 0.0 };
                // Rarely true once a near site is found: a predictable branch.
                if inside && c2 <= best_c2 {
                    let slot = site_grid.id(lo + i);
                    if c2 < best_c2 || slot < best_slot {
                        (best_c2, best_slot, best_pos) = (c2, slot, lo + i);
                    }
                }
            }
            (reach.access, reach.sites_within, reach.capacity_within) = (access, within, capacity);
        });
        let best = (best_slot != u32::MAX).then_some((best_slot, best_pos));
        reach.nearest = match best {
            Some((slot, p)) => Some((slot, haversine_km(at, site_grid.lonlat(p)))),
            None if nearest => problem
                .site_points
                .nearest(at, |id| problem.slot_of(id).is_some())
                .and_then(|(id, km)| problem.slot_of(id).map(|s| (id32(s), km))),
            None => None,
        };
        reach
    });
    let mut reaches = vec![
        AreaReach {
            access: [0.0; K],
            sites_within: 0,
            capacity_within: 0.0,
            nearest: None,
        };
        areas.len()
    ];
    for (a, r) in by_area_pos.into_iter().enumerate() {
        reaches[area_grid.id(a) as usize] = r;
    }

    let fcas = std::array::from_fn(|k| Fca {
        catchment_demand: demand.iter().map(|d| d[k]).collect(),
        ratio: ratio.iter().map(|r| r[k]).collect(),
        access: reaches.iter().map(|r| r.access[k]).collect(),
    });
    (fcas, reaches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LonLat;
    use crate::spatial::Catchment;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn a_site_with_only_zero_demand_in_reach_has_ratio_zero() {
        let problem = Problem::from_points(
            &[(p(0.0, 0.0), 0.0), (p(0.0, 0.5), 10.0)],
            &[(p(0.0, 0.001), 5.0)],
            Catchment::new(1.0, vec![(1.0, 1.0)]),
        );
        let fca = two_sfca(&problem);
        assert_eq!(fca.ratio, vec![0.0]);
        assert_eq!(fca.access, vec![0.0, 0.0]);
    }

    fn point() -> impl Strategy<Value = LonLat> {
        // A 0.2° × 0.2° patch (about 22 km): with radii of 1 to 15 km, catchments overlap
        // in every way, from none to all.
        (0.0..0.2f64, 40.0..40.2f64).prop_map(|(lon, lat)| LonLat::new(lon, lat).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Σ_i P_i·A_i = Σ_j S_j over the sites with (weighted) demand in reach: the
        /// supply is handed out in full, once, to the demand that can reach it.
        #[test]
        fn access_weighted_by_demand_adds_up_to_the_supply_reached(
            demand in prop::collection::vec((point(), 0.0..500.0f64), 1..40),
            sites in prop::collection::vec((point(), 0.0..100.0f64), 0..25),
            radius in 1.0..15.0f64,
        ) {
            let bands = vec![(radius / 3.0, 1.0), (radius * 2.0 / 3.0, 0.68), (radius, 0.22)];
            let problem = Problem::from_points(&demand, &sites, Catchment::new(radius, bands));
            for fca in [two_sfca(&problem), e2sfca(&problem)] {
                let given: f64 = demand.iter().zip(&fca.access).map(|(d, a)| d.1 * a).sum();
                let reached: f64 = sites
                    .iter()
                    .zip(&fca.catchment_demand)
                    .filter(|(_, d)| **d > 0.0)
                    .map(|(s, _)| s.1)
                    .sum();
                assert_relative_eq!(given, reached, max_relative = 1e-9, epsilon = 1e-9);
            }
        }
    }
}
