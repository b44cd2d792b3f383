//! An accessibility problem: demand points with their demand P_i, supply sites with their
//! supply S_j, and the catchment. It is what the FCA sweeps work on, built from an Atlas
//! or directly from points (tests, benchmarks, comparisons with PySAL).

use crate::domain::LonLat;
use crate::spatial::{Catchment, PointIndex, Xyz, unit_vector};
use std::borrow::Cow;

/// Marks a tree entry that is not one of the problem's supply sites.
pub(crate) const NOT_SUPPLY: u32 = u32::MAX;

/// One supply site j.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SupplySite {
    /// The caller's id of the site (e.g. its position in `Atlas::sites`).
    pub id: u32,
    /// Where it is.
    pub lonlat: LonLat,
    /// Its unit vector.
    pub xyz: Xyz,
    /// S_j.
    pub supply: f64,
}

/// Demand points, supply sites and catchment of one analysis.
#[derive(Clone, Debug)]
pub struct Problem<'a> {
    /// Demand points; a point's id is its position in `demand`.
    pub(crate) demand_points: Cow<'a, PointIndex>,
    /// Where each demand point is, by position.
    pub(crate) demand_at: Vec<LonLat>,
    /// P_i per demand point.
    pub demand: Vec<f64>,
    /// The supply sites.
    pub sites: Vec<SupplySite>,
    /// The sites as a tree; an entry's id maps to a position in `sites` through
    /// `site_slot` (NOT_SUPPLY for entries that are not supply, e.g. filtered out).
    pub(crate) site_points: Cow<'a, PointIndex>,
    pub(crate) site_slot: Vec<u32>,
    /// Radius and bands.
    pub catchment: Catchment,
}

impl<'a> Problem<'a> {
    /// A problem from plain points: `demand` as `(demand point, P_i)`, `sites` as
    /// `(site, S_j)`. Ids are positions in these lists.
    ///
    /// # Examples
    /// ```
    /// use gapmap::analysis::{Problem, two_sfca};
    /// use gapmap::domain::LonLat;
    /// use gapmap::spatial::Catchment;
    /// let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    /// // Two areas of 100 and 300 people share one site of 40 places within 2 km.
    /// let problem = Problem::from_points(
    ///     &[(p(0.0, 0.0), 100.0), (p(0.0, 0.01), 300.0)],
    ///     &[(p(0.0, 0.005), 40.0)],
    ///     Catchment::new(2.0, vec![(2.0, 1.0)]),
    /// );
    /// assert_eq!(two_sfca(&problem).access, vec![0.1, 0.1]);
    /// ```
    pub fn from_points(
        demand: &[(LonLat, f64)],
        sites: &[(LonLat, f64)],
        catchment: Catchment,
    ) -> Problem<'static> {
        let ids = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let demand_points =
            PointIndex::build(demand.iter().enumerate().map(|(i, d)| (ids(i), d.0)));
        let supply: Vec<SupplySite> = sites
            .iter()
            .enumerate()
            .map(|(i, s)| SupplySite {
                id: ids(i),
                lonlat: s.0,
                xyz: unit_vector(s.0),
                supply: s.1,
            })
            .collect();
        Problem::new(
            Cow::Owned(demand_points),
            demand.iter().map(|d| d.0).collect(),
            demand.iter().map(|d| d.1).collect(),
            supply,
            None,
            catchment,
        )
    }

    /// A problem over an existing demand-point tree (ids = positions in `demand` and
    /// `demand_at`).
    /// `shared_sites` may lend a tree holding (at least) every supply site under its `id`
    /// with `id_bound` = one more than the largest id; without it a tree of the supply
    /// sites is built.
    pub(crate) fn new(
        demand_points: Cow<'a, PointIndex>,
        demand_at: Vec<LonLat>,
        demand: Vec<f64>,
        sites: Vec<SupplySite>,
        shared_sites: Option<(&'a PointIndex, usize)>,
        catchment: Catchment,
    ) -> Self {
        let slot = |i: usize| u32::try_from(i).unwrap_or(NOT_SUPPLY);
        let (site_points, site_slot) = match shared_sites {
            Some((tree, id_bound)) => {
                let mut site_slot = vec![NOT_SUPPLY; id_bound];
                for (k, s) in sites.iter().enumerate() {
                    if let Some(x) = site_slot.get_mut(s.id as usize) {
                        *x = slot(k);
                    }
                }
                (Cow::Borrowed(tree), site_slot)
            }
            None => {
                let tree =
                    PointIndex::build(sites.iter().enumerate().map(|(k, s)| (slot(k), s.lonlat)));
                (Cow::Owned(tree), (0..sites.len()).map(slot).collect())
            }
        };
        Self {
            demand_points,
            demand_at,
            demand,
            sites,
            site_points,
            site_slot,
            catchment,
        }
    }

    /// The supply site behind a site-tree entry, if it is one.
    pub(crate) fn slot_of(&self, tree_id: u32) -> Option<usize> {
        match self.site_slot.get(tree_id as usize) {
            Some(&s) if s != NOT_SUPPLY => Some(s as usize),
            _ => None,
        }
    }

    /// The demand-point tree.
    pub fn demand_points(&self) -> &PointIndex {
        &self.demand_points
    }
}
