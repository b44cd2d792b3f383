//! An R-tree of points (sites, or areas' demand points) over their unit vectors, answering
//! exact great-circle nearest and within-radius queries.

use super::{Xyz, chord_for_km, chord2, haversine_km, unit_vector};
use crate::domain::LonLat;
use rstar::{AABB, PointDistance, RTree, RTreeObject};

/// One indexed point: its unit vector, the caller's id and the lon/lat for exact distances.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IndexedPoint {
    /// The unit vector (what the tree orders by).
    pub xyz: Xyz,
    /// The caller's id (e.g. a position in `Atlas::sites`).
    pub id: u32,
    /// The point in lon/lat.
    pub lonlat: LonLat,
}

impl RTreeObject for IndexedPoint {
    type Envelope = AABB<Xyz>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_point(self.xyz)
    }
}

impl PointDistance for IndexedPoint {
    fn distance_2(&self, point: &Xyz) -> f64 {
        chord2(&self.xyz, point)
    }
}

/// A bulk-loaded R-tree of points on the unit sphere.
///
/// Distances are great-circle km (haversine, R = 6371.0088 km). Queries convert the km
/// radius into a chord, let the tree find the candidates by chord, and decide each one by
/// its haversine distance, so the answers are exact and bounds inclusive (d ≤ r).
#[derive(Clone, Debug, Default)]
pub struct PointIndex {
    tree: RTree<IndexedPoint>,
}

impl PointIndex {
    /// Bulk-loads the points (`(id, lon/lat)`).
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::LonLat;
    /// use gapmap::spatial::PointIndex;
    /// let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    /// let index = PointIndex::build([(7, p(0.0, 0.0)), (8, p(0.0, 0.02))]);
    /// let (id, km) = index.nearest(p(0.0, 0.015), |_| true).unwrap();
    /// assert_eq!(id, 8);
    /// assert!((km - 0.5559754011676645).abs() < 1e-9);
    /// let mut hits = Vec::new();
    /// index.within(p(0.0, 0.01), 1.2, |id, _| hits.push(id));
    /// hits.sort();
    /// assert_eq!(hits, [7, 8]);
    /// ```
    pub fn build(points: impl IntoIterator<Item = (u32, LonLat)>) -> Self {
        let items = points
            .into_iter()
            .map(|(id, lonlat)| IndexedPoint {
                xyz: unit_vector(lonlat),
                id,
                lonlat,
            })
            .collect();
        Self {
            tree: RTree::bulk_load(items),
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The nearest point whose id passes `keep`, with its distance in km.
    pub fn nearest(&self, at: LonLat, mut keep: impl FnMut(u32) -> bool) -> Option<(u32, f64)> {
        self.tree
            .nearest_neighbor_iter(&unit_vector(at))
            .find(|p| keep(p.id))
            .map(|p| (p.id, haversine_km(at, p.lonlat)))
    }

    /// The `k` nearest points whose ids pass `keep`, nearest first, as `(id, km)`; points
    /// at the same distance come in id order, so the answer does not depend on the
    /// tree's layout.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::LonLat;
    /// use gapmap::spatial::PointIndex;
    /// let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    /// let index = PointIndex::build([(1, p(0.0, 0.02)), (2, p(0.0, -0.01)), (3, p(0.0, 0.01))]);
    /// let ids: Vec<u32> = index.nearest_k(p(0.0, 0.0), 2, |_| true).iter().map(|x| x.0).collect();
    /// assert_eq!(ids, [2, 3]); // both 1.112 km away: id order
    /// ```
    pub fn nearest_k(
        &self,
        at: LonLat,
        k: usize,
        mut keep: impl FnMut(u32) -> bool,
    ) -> Vec<(u32, f64)> {
        if k == 0 {
            return Vec::new();
        }
        let xyz = unit_vector(at);
        let mut found: Vec<(u32, f64, f64)> = Vec::with_capacity(k + 1);
        for p in self.tree.nearest_neighbor_iter(&xyz) {
            if !keep(p.id) {
                continue;
            }
            let c2 = chord2(&p.xyz, &xyz);
            // Past the k-th point, go on only while the chord still ties with it (with a
            // hair of slack for rounding) so that ties are settled by id below.
            if found.len() >= k
                && found
                    .get(k - 1)
                    .is_some_and(|last| c2 > last.2 * (1.0 + 1e-12) + 1e-30)
            {
                break;
            }
            found.push((p.id, haversine_km(at, p.lonlat), c2));
        }
        let mut out: Vec<(u32, f64)> = found.into_iter().map(|(id, km, _)| (id, km)).collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out.truncate(k);
        out
    }

    /// Calls `visit(id, km)` for every point with haversine distance ≤ `radius_km`.
    pub fn within(&self, at: LonLat, radius_km: f64, mut visit: impl FnMut(u32, f64)) {
        let xyz = unit_vector(at);
        // A hair wider than the chord so rounding never loses a point at exactly r.
        let c2 = chord_for_km(radius_km).powi(2) * (1.0 + 1e-9) + 1e-24;
        for p in self.tree.locate_within_distance(xyz, c2) {
            let km = haversine_km(at, p.lonlat);
            if km <= radius_km {
                visit(p.id, km);
            }
        }
    }

    /// Every point whose squared chord to `xyz` is ≤ `max_chord2`, for sweeps that decide
    /// the exact distance themselves (see [`super::Catchment`]).
    pub fn candidates(
        &self,
        xyz: Xyz,
        max_chord2: f64,
    ) -> impl Iterator<Item = &IndexedPoint> + '_ {
        self.tree.locate_within_distance(xyz, max_chord2)
    }

    /// Every indexed point, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &IndexedPoint> + '_ {
        self.tree.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn nearest_skips_points_the_filter_refuses() {
        let index = PointIndex::build([(0, p(0.0, 0.0)), (1, p(0.0, 0.1)), (2, p(0.0, 0.2))]);
        let (id, km) = index.nearest(p(0.0, 0.01), |id| id != 0).unwrap();
        assert_eq!(id, 1);
        assert_relative_eq!(
            km,
            haversine_km(p(0.0, 0.01), p(0.0, 0.1)),
            max_relative = 1e-12
        );
        assert!(index.nearest(p(0.0, 0.0), |_| false).is_none());
        assert!(
            PointIndex::default()
                .nearest(p(0.0, 0.0), |_| true)
                .is_none()
        );
    }

    #[test]
    fn within_includes_a_point_exactly_at_the_radius() {
        let (a, b) = (p(-87.70, 41.80), p(-87.66, 41.83));
        let r = haversine_km(a, b);
        let index = PointIndex::build([(5, b)]);
        let mut hits = Vec::new();
        index.within(a, r, |id, km| hits.push((id, km)));
        assert_eq!(hits, [(5, r)]);
        hits.clear();
        index.within(a, r * (1.0 - 1e-12), |id, km| hits.push((id, km)));
        assert!(hits.is_empty());
    }

    #[test]
    fn within_works_across_the_antimeridian() {
        let index = PointIndex::build([(1, p(179.999, 0.0)), (2, p(-179.999, 0.0))]);
        let mut hits = Vec::new();
        index.within(p(180.0, 0.0), 0.2, |id, _| hits.push(id));
        hits.sort();
        assert_eq!(hits, [1, 2]);
    }
}
