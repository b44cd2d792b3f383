//! Web-Mercator tiles (the XYZ scheme every web map uses): a tile's address, its extent in
//! longitude/latitude, and the projection of lon/lat into its grid of `extent × extent`
//! units, with polygon rings clipped to the tile plus a buffer and simplified to what a
//! tile unit can show.

use geo::{Coord, LineString, Rect, Simplify};
use std::f64::consts::PI;

/// The deepest zoom served: block groups are legible by zoom 16; 22 is MapLibre's limit.
pub const MAX_ZOOM: u8 = 22;

/// Web Mercator's latitude limit (the square world).
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// A tile's address: zoom, column (west → east) and row (north → south).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TileId {
    /// Zoom level, 0 ..= [`MAX_ZOOM`].
    pub z: u8,
    /// Column, 0 .. 2^z.
    pub x: u32,
    /// Row, 0 .. 2^z, from the north.
    pub y: u32,
}

impl TileId {
    /// The tile, if the address exists (z ≤ [`MAX_ZOOM`], x and y below 2^z).
    pub fn new(z: u32, x: u32, y: u32) -> Option<Self> {
        let z = u8::try_from(z).ok().filter(|z| *z <= MAX_ZOOM)?;
        let n = 1u32 << z;
        (x < n && y < n).then_some(Self { z, x, y })
    }

    /// The tile's longitude/latitude box, widened by `buffer` tile units of an `extent`
    /// grid on every side (a feature just outside still draws its edge inside).
    pub fn bounds(&self, extent: u32, buffer: f64) -> Rect<f64> {
        let world = self.world(extent);
        let (x0, y0) = (
            f64::from(self.x) * f64::from(extent) - buffer,
            f64::from(self.y) * f64::from(extent) - buffer,
        );
        let (x1, y1) = (
            x0 + f64::from(extent) + 2.0 * buffer,
            y0 + f64::from(extent) + 2.0 * buffer,
        );
        let lon = |x: f64| x / world * 360.0 - 180.0;
        let lat = |y: f64| {
            let n = PI * (1.0 - 2.0 * (y / world).clamp(0.0, 1.0));
            n.sinh().atan().to_degrees()
        };
        Rect::new((lon(x0), lat(y1)), (lon(x1), lat(y0)))
    }

    fn world(&self, extent: u32) -> f64 {
        f64::from(extent) * f64::from(1u32 << self.z)
    }

    /// The projection of lon/lat into this tile's grid of `extent` units.
    pub fn grid(&self, extent: u32) -> TileGrid {
        TileGrid {
            world: self.world(extent),
            origin_x: f64::from(self.x) * f64::from(extent),
            origin_y: f64::from(self.y) * f64::from(extent),
            extent: f64::from(extent),
        }
    }
}

/// Lon/lat → a tile's units: x east from its west edge, y south from its north edge.
#[derive(Clone, Copy, Debug)]
pub struct TileGrid {
    world: f64,
    origin_x: f64,
    origin_y: f64,
    extent: f64,
}

impl TileGrid {
    /// The point's position in tile units (may lie outside 0 ..= extent).
    pub fn project(&self, lon: f64, lat: f64) -> Coord<f64> {
        let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
        let x = (lon + 180.0) / 360.0 * self.world;
        let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * self.world;
        Coord {
            x: x - self.origin_x,
            y: y - self.origin_y,
        }
    }

    /// A ring as the tile draws it: projected, clipped to the tile widened by `buffer`
    /// units (Sutherland–Hodgman against the rectangle: exact for a convex window, and
    /// the edges it adds run along the buffer, outside what is shown), simplified by
    /// Ramer–Douglas–Peucker to `tolerance` units and rounded to whole units. Open (the
    /// closing point is not repeated), without consecutive duplicates; empty when less
    /// than a triangle is left.
    pub fn ring(&self, ring: &LineString<f64>, buffer: f64, tolerance: f64) -> Vec<(i32, i32)> {
        let projected: Vec<Coord<f64>> = ring.coords().map(|c| self.project(c.x, c.y)).collect();
        let clipped = clip_to_window(&projected, -buffer, self.extent + buffer);
        if clipped.len() < 3 {
            return Vec::new();
        }
        let mut closed = clipped;
        closed.push(closed[0]);
        let simplified = LineString::new(closed).simplify(tolerance);
        let mut out: Vec<(i32, i32)> = Vec::with_capacity(simplified.0.len());
        for c in simplified.coords() {
            // Inside ±(extent + buffer) after clipping, so the casts cannot overflow.
            #[allow(clippy::cast_possible_truncation)]
            let p = (c.x.round() as i32, c.y.round() as i32);
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
        if out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        if out.len() < 3 || ring_area2(&out) == 0 {
            return Vec::new();
        }
        out
    }
}

/// Twice the signed area of an open ring by the shoelace formula, in tile units (y down):
/// positive for a ring that runs clockwise on screen, which is how a Mapbox Vector Tile
/// writes an exterior ring (spec 2.1, 4.3.4.4).
pub fn ring_area2(ring: &[(i32, i32)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (x0, y0) = ring[i];
            let (x1, y1) = ring[(i + 1) % n];
            i64::from(x0) * i64::from(y1) - i64::from(x1) * i64::from(y0)
        })
        .sum()
}

/// Whether a point is on the inner side of one edge of the clipping window.
type Inside = fn(Coord<f64>, f64) -> bool;

/// Sutherland–Hodgman clipping of an open or closed ring to the square window
/// `lo ..= hi` on both axes.
fn clip_to_window(ring: &[Coord<f64>], lo: f64, hi: f64) -> Vec<Coord<f64>> {
    let mut points: Vec<Coord<f64>> = ring.to_vec();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    // Each edge of the window: is a point inside, and where a segment crosses it.
    let edges: [(Inside, usize, f64); 4] = [
        (|c, v| c.x >= v, 0, lo),
        (|c, v| c.x <= v, 0, hi),
        (|c, v| c.y >= v, 1, lo),
        (|c, v| c.y <= v, 1, hi),
    ];
    for (inside, axis, value) in edges {
        if points.is_empty() {
            break;
        }
        let mut next = Vec::with_capacity(points.len() + 4);
        let mut prev = points[points.len() - 1];
        for &cur in &points {
            let (cur_in, prev_in) = (inside(cur, value), inside(prev, value));
            if cur_in != prev_in {
                next.push(crossing(prev, cur, axis, value));
            }
            if cur_in {
                next.push(cur);
            }
            prev = cur;
        }
        points = next;
    }
    points
}

/// Where the segment a–b crosses the line `axis = value` (x for 0, y for 1).
fn crossing(a: Coord<f64>, b: Coord<f64>, axis: usize, value: f64) -> Coord<f64> {
    if axis == 0 {
        let t = (value - a.x) / (b.x - a.x);
        Coord {
            x: value,
            y: a.y + t * (b.y - a.y),
        }
    } else {
        let t = (value - a.y) / (b.y - a.y);
        Coord {
            x: a.x + t * (b.x - a.x),
            y: value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_outside_the_pyramid_do_not_exist() {
        assert!(TileId::new(0, 0, 0).is_some());
        assert!(TileId::new(1, 2, 0).is_none());
        assert!(TileId::new(3, 7, 7).is_some());
        assert!(TileId::new(23, 0, 0).is_none());
    }

    #[test]
    fn zoom_zero_is_the_whole_world() {
        let t = TileId::new(0, 0, 0).unwrap();
        let g = t.grid(4096);
        let nw = g.project(-180.0, MAX_LAT);
        let c = g.project(0.0, 0.0);
        let se = g.project(180.0, -MAX_LAT);
        assert!((nw.x - 0.0).abs() < 1e-6 && (nw.y - 0.0).abs() < 1e-6);
        assert!((c.x - 2048.0).abs() < 1e-9 && (c.y - 2048.0).abs() < 1e-9);
        assert!((se.x - 4096.0).abs() < 1e-6 && (se.y - 4096.0).abs() < 1e-6);
        let b = t.bounds(4096, 0.0);
        assert!((b.min().x + 180.0).abs() < 1e-9 && (b.max().y - MAX_LAT).abs() < 1e-9);
    }

    #[test]
    fn bounds_and_projection_agree() {
        // Chicago's Loop at zoom 10: tile 262/380.
        let t = TileId::new(10, 262, 380).unwrap();
        let b = t.bounds(4096, 0.0);
        let g = t.grid(4096);
        let nw = g.project(b.min().x, b.max().y);
        let se = g.project(b.max().x, b.min().y);
        assert!(nw.x.abs() < 1e-6 && nw.y.abs() < 1e-6, "{nw:?}");
        assert!(
            (se.x - 4096.0).abs() < 1e-6 && (se.y - 4096.0).abs() < 1e-6,
            "{se:?}"
        );
        assert!(b.min().x < -87.6 && b.max().x > -87.7, "{b:?}");
    }

    #[test]
    fn a_ring_crossing_the_edge_is_cut_at_the_buffer() {
        // A square from (-1000, 1000) to (1000, 3000) in tile units, cut at x = -64.
        let t = TileId::new(0, 0, 0).unwrap();
        let g = t.grid(4096);
        let unit = 360.0 / 4096.0; // degrees of longitude per unit at zoom 0
        let lon = |x: f64| x * unit - 180.0;
        // Rows 1000 and 3000 in latitude (inverse Mercator).
        let lat = |y: f64| (PI * (1.0 - 2.0 * y / 4096.0)).sinh().atan().to_degrees();
        let ring = LineString::from(vec![
            (lon(-1000.0), lat(1000.0)),
            (lon(1000.0), lat(1000.0)),
            (lon(1000.0), lat(3000.0)),
            (lon(-1000.0), lat(3000.0)),
            (lon(-1000.0), lat(1000.0)),
        ]);
        let r = g.ring(&ring, 64.0, 0.5);
        assert_eq!(
            r,
            vec![(-64, 1000), (1000, 1000), (1000, 3000), (-64, 3000)]
        );
        assert!(ring_area2(&r) > 0, "clockwise on screen");
    }

    #[test]
    fn a_ring_outside_the_tile_vanishes_and_a_speck_is_dropped() {
        let t = TileId::new(4, 0, 0).unwrap();
        let g = t.grid(4096);
        let far = LineString::from(vec![(100.0, -40.0), (101.0, -40.0), (101.0, -41.0)]);
        assert!(g.ring(&far, 64.0, 0.5).is_empty());
        let speck = LineString::from(vec![
            (-170.0, 80.0),
            (-170.000_001, 80.0),
            (-170.000_001, 80.000_001),
        ]);
        assert!(g.ring(&speck, 64.0, 0.5).is_empty());
    }
}
