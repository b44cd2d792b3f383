//! Which area a point lies in: an R-tree of the areas' bounding boxes narrows the search,
//! then an exact point-in-polygon test decides.

use super::site_index::index_u32;
use crate::domain::{Area, LonLat};
use geo::{BoundingRect, Contains, Intersects};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

type Boxed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// An R-tree of area bounding boxes (lon/lat degrees, planar, as RFC 7946 polygons are
/// read) for point-in-polygon lookups.
///
/// **A point on an edge** belongs to exactly one area, so that a site on the line between
/// two areas is counted once in `sites_in_area` and the totals add up: the area whose
/// interior holds the point if there is one, else the first area (in the geography's
/// order) whose boundary touches it. A point on an outer edge of the geography therefore
/// still counts for the one area it touches.
#[derive(Clone, Debug, Default)]
pub struct AreaIndex {
    tree: RTree<Boxed>,
}

impl AreaIndex {
    /// Bulk-loads the bounding boxes of `areas`; ids are positions in that slice.
    pub fn build(areas: &[Area]) -> Self {
        let items = areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    index_u32(i),
                ))
            })
            .collect();
        Self {
            tree: RTree::bulk_load(items),
        }
    }

    /// The position in `areas` (the slice this index was built from) of the area holding
    /// `p`, by the edge rule of the type's doc; None when no area covers it.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::{Area, DemandPointSource, Geoid, LonLat};
    /// use gapmap::spatial::AreaIndex;
    /// use geo::{MultiPolygon, Rect};
    /// let square = |x0: f64, id: &str| Area {
    ///     geoid: Geoid::parse(id).unwrap(),
    ///     name: String::new(),
    ///     geometry: MultiPolygon::new(vec![Rect::new((x0, 0.0), (x0 + 1.0, 1.0)).to_polygon()]),
    ///     demand_point: LonLat::new(x0 + 0.5, 0.5).unwrap(),
    ///     demand_point_source: DemandPointSource::Centroid,
    /// };
    /// let areas = [square(0.0, "a"), square(1.0, "b")];
    /// let index = AreaIndex::build(&areas);
    /// let at = |lon, lat| index.locate(&areas, LonLat::new(lon, lat).unwrap());
    /// assert_eq!(at(1.5, 0.5), Some(1));
    /// assert_eq!(at(1.0, 0.5), Some(0)); // on the shared edge: the first area
    /// assert_eq!(at(2.5, 0.5), None);
    /// ```
    pub fn locate(&self, areas: &[Area], p: LonLat) -> Option<u32> {
        let point = p.to_point();
        let mut touching: Option<u32> = None;
        for candidate in self.tree.locate_all_at_point(&[p.lon(), p.lat()]) {
            let id = candidate.data;
            let Some(area) = areas.get(id as usize) else {
                continue;
            };
            if area.geometry.contains(&point) {
                return Some(id);
            }
            if touching.is_none_or(|t| id < t) && area.geometry.intersects(&point) {
                touching = Some(id);
            }
        }
        touching
    }

    /// The positions of the areas whose bounding boxes meet `rect` (lon/lat), in no
    /// particular order: the candidates for a map tile.
    pub fn meeting(&self, rect: geo::Rect<f64>) -> Vec<u32> {
        let envelope =
            rstar::AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|b| b.data)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DemandPointSource, Geoid};
    use geo::{MultiPolygon, polygon};

    fn area(id: &str, poly: geo::Polygon<f64>) -> Area {
        Area {
            geoid: Geoid::parse(id).unwrap(),
            name: String::new(),
            demand_point: LonLat::new(0.0, 0.0).unwrap(),
            demand_point_source: DemandPointSource::Centroid,
            geometry: MultiPolygon::new(vec![poly]),
        }
    }

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn a_point_on_a_shared_edge_or_corner_belongs_to_one_area_only() {
        // Two triangles sharing the diagonal (0,0)-(1,1); the second is listed first.
        let upper = area(
            "upper",
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
        );
        let lower = area(
            "lower",
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)],
        );
        let areas = [upper, lower];
        let index = AreaIndex::build(&areas);
        assert_eq!(index.locate(&areas, p(0.5, 0.5)), Some(0));
        assert_eq!(index.locate(&areas, p(0.0, 0.0)), Some(0));
        assert_eq!(index.locate(&areas, p(0.75, 0.25)), Some(1));
        // Inside the bounding box of the upper triangle but not in it: the lower one.
        assert_eq!(index.locate(&areas, p(0.9, 0.1)), Some(1));
        // An outer edge of the geography still counts.
        assert_eq!(index.locate(&areas, p(1.0, 0.5)), Some(1));
        assert_eq!(index.locate(&areas, p(1.5, 0.5)), None);
    }

    #[test]
    fn a_hole_is_not_inside() {
        let ring = geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (4.0, 0.0),
                (4.0, 4.0),
                (0.0, 4.0),
                (0.0, 0.0),
            ]),
            vec![geo::LineString::from(vec![
                (1.0, 1.0),
                (3.0, 1.0),
                (3.0, 3.0),
                (1.0, 3.0),
                (1.0, 1.0),
            ])],
        );
        let areas = [area("donut", ring)];
        let index = AreaIndex::build(&areas);
        assert_eq!(index.locate(&areas, p(2.0, 2.0)), None);
        assert_eq!(index.locate(&areas, p(0.5, 2.0)), Some(0));
    }
}
