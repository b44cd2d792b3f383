//! A choropleth map as inline SVG, drawn on the server from the areas' polygons: no tiles,
//! no external service, so the printed report is self-contained.
//!
//! Lon/lat are projected equirectangularly with the x scale shrunk by cos(mean latitude),
//! which keeps shapes true at a city's or a county's extent. Vertices closer than
//! [`MIN_STEP`] px to the last one kept are dropped, which keeps a map of a thousand
//! tracts to a few hundred kB without a visible change at print size.

use super::text::escape;
use crate::domain::LonLat;
use geo::{BoundingRect, MultiPolygon};
use std::fmt::Write;

/// The largest width and height of a map in px (SVG user units).
pub const MAP_BOX: f64 = 540.0;

/// Width of a legend column, in px.
const LEGEND_WIDTH: f64 = 190.0;

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendAt {
    /// One column to the right of the map.
    Right,
    /// Two columns under the map (for a map that shares the page's width with text).
    Below,
}

/// Vertices closer than this (px) to the previous one are dropped.
pub const MIN_STEP: f64 = 0.8;

/// One area on the map.
#[derive(Clone, Debug)]
pub struct Shape<'a> {
    /// Its polygons (lon/lat).
    pub geometry: &'a MultiPolygon<f64>,
    /// Its fill colour (`#rrggbb`).
    pub fill: &'static str,
    /// Whether to hatch it (the desert overlay).
    pub hatched: bool,
    /// Hover text (unescaped).
    pub title: String,
}

/// One legend line.
#[derive(Clone, Debug)]
pub struct Key<'a> {
    /// Swatch colour (`#rrggbb`).
    pub fill: &'a str,
    /// Whether the swatch is hatched.
    pub hatched: bool,
    /// The label (unescaped).
    pub label: String,
}

/// A point on the map: a site of the asset map.
#[derive(Clone, Debug)]
pub struct Dot<'a> {
    /// Where (lon/lat).
    pub at: LonLat,
    /// Its colour (`#rrggbb`).
    pub fill: &'a str,
    /// Hover text (unescaped).
    pub title: String,
}

/// Renders the shapes with a legend, the map fitted into `size` × `size` px (at most
/// [`MAP_BOX`]); `id` makes the hatch pattern's id unique in a page, `label` is the map's
/// accessible name.
pub fn choropleth(
    id: &str,
    shapes: &[Shape<'_>],
    legend: &[Key<'_>],
    label: &str,
    size: f64,
    legend_at: LegendAt,
) -> String {
    choropleth_with_dots(id, shapes, &[], legend, label, size, legend_at)
}

/// [`choropleth`] with dots on top (fitted to the shapes; a dot outside them is still
/// drawn where it falls inside the map's box, and left out otherwise).
pub fn choropleth_with_dots(
    id: &str,
    shapes: &[Shape<'_>],
    dots: &[Dot<'_>],
    legend: &[Key<'_>],
    label: &str,
    size: f64,
    legend_at: LegendAt,
) -> String {
    let bounds = shapes
        .iter()
        .filter_map(|s| s.geometry.bounding_rect())
        .reduce(|a, b| {
            geo::Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        });
    let size = size.clamp(60.0, MAP_BOX);
    let projection = bounds.map(|b| Projection::fit(b, size));
    let (map_w, map_h) = projection
        .as_ref()
        .map_or((size, 60.0), |p| (p.width, p.height));
    // Legend swatches go at (x0 + column·LEGEND_WIDTH, y0 + row·22).
    let (width, height, x0, y0, rows) = match legend_at {
        LegendAt::Right => {
            let rows = legend.len();
            (
                map_w + LEGEND_WIDTH,
                map_h.max(24.0 + 22.0 * rows as f64),
                map_w + 16.0,
                12.0,
                rows.max(1),
            )
        }
        LegendAt::Below => {
            let rows = legend.len().div_ceil(2);
            (
                map_w.max(2.0 * LEGEND_WIDTH),
                map_h + 14.0 + 22.0 * rows as f64,
                0.0,
                map_h + 12.0,
                rows.max(1),
            )
        }
    };
    let pattern = format!("hatch-{}", escape(id));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}" font-family="Helvetica, Arial, sans-serif" font-size="11"><defs><pattern id="{pattern}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2.2" height="5" fill="#fff"/><rect x="0.5" width="1.2" height="5" fill="#000"/></pattern></defs>"##,
        w = fmt(width),
        h = fmt(height),
        label = escape(label),
    );
    match &projection {
        None => {
            let _ = write!(svg, r#"<text x="8" y="30">No areas to draw.</text>"#);
        }
        Some(p) => {
            svg.push_str(r##"<g stroke="#ffffff" stroke-width="0.35" stroke-linejoin="round" fill-rule="evenodd">"##);
            for s in shapes {
                let d = p.path(s.geometry);
                if d.is_empty() {
                    continue;
                }
                let _ = write!(
                    svg,
                    r#"<path fill="{}" d="{}"><title>{}</title></path>"#,
                    s.fill,
                    d,
                    escape(&s.title)
                );
            }
            svg.push_str("</g>");
            // The hatch goes on top, so that it reads on every fill colour.
            let _ = write!(
                svg,
                r#"<g fill="url(#{pattern})" fill-rule="evenodd" stroke="none">"#
            );
            for s in shapes.iter().filter(|s| s.hatched) {
                let d = p.path(s.geometry);
                if !d.is_empty() {
                    let _ = write!(svg, r#"<path d="{d}"/>"#);
                }
            }
            svg.push_str("</g>");
            if !dots.is_empty() {
                svg.push_str(r##"<g stroke="#ffffff" stroke-width="0.4">"##);
                for dot in dots {
                    let (x, y) = p.xy(dot.at.lon(), dot.at.lat());
                    if !(0.0..=p.width).contains(&x) || !(0.0..=p.height).contains(&y) {
                        continue;
                    }
                    let _ = write!(
                        svg,
                        r#"<circle cx="{}" cy="{}" r="2.2" fill="{}"><title>{}</title></circle>"#,
                        fmt(x),
                        fmt(y),
                        escape(dot.fill),
                        escape(&dot.title)
                    );
                }
                svg.push_str("</g>");
            }
        }
    }
    for (k, key) in legend.iter().enumerate() {
        let x = x0 + LEGEND_WIDTH * (k / rows) as f64;
        let y = y0 + 22.0 * (k % rows) as f64;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="22" height="14" fill="{}" stroke="#555" stroke-width="0.5"/>"##,
            escape(key.fill),
            x = fmt(x),
            y = fmt(y)
        );
        if key.hatched {
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="22" height="14" fill="url(#{pattern})" stroke="#555" stroke-width="0.5"/>"##,
                x = fmt(x),
                y = fmt(y)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}">{}</text>"#,
            fmt(x + 28.0),
            fmt(y + 11.0),
            escape(&key.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Lon/lat to px for one map.
struct Projection {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    width: f64,
    height: f64,
}

impl Projection {
    fn fit(b: geo::Rect<f64>, size: f64) -> Self {
        let mid = (b.min().y + b.max().y) / 2.0;
        let kx = mid.to_radians().cos().max(0.01);
        let w = ((b.max().x - b.min().x) * kx).max(1e-9);
        let h = (b.max().y - b.min().y).max(1e-9);
        let scale = size / w.max(h);
        Self {
            lon0: b.min().x,
            lat1: b.max().y,
            kx,
            scale,
            width: (w * scale).ceil(),
            height: (h * scale).ceil(),
        }
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.lon0) * self.kx * self.scale,
            (self.lat1 - lat) * self.scale,
        )
    }

    /// The path data of a multipolygon: one closed subpath per ring, vertices thinned.
    fn path(&self, mp: &MultiPolygon<f64>) -> String {
        let mut d = String::new();
        for poly in mp {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut kept: Vec<(f64, f64)> = Vec::new();
                for c in ring.coords() {
                    let p = self.xy(c.x, c.y);
                    let far = kept
                        .last()
                        .is_none_or(|q| (p.0 - q.0).hypot(p.1 - q.1) >= MIN_STEP);
                    if far {
                        kept.push(p);
                    }
                }
                // A ring shrunk below a triangle is smaller than a pixel: leave it out.
                if kept.len() < 3 {
                    continue;
                }
                // Relative steps on the 0.1 px grid: shorter text than absolute
                // coordinates, and no drift, since each step joins two grid points.
                let grid = |v: f64| (v * 10.0).round() / 10.0;
                let mut at = (grid(kept[0].0), grid(kept[0].1));
                let _ = write!(d, "M{} {}l", fmt(at.0), fmt(at.1));
                for (i, p) in kept[1..].iter().enumerate() {
                    let next = (grid(p.0), grid(p.1));
                    if i > 0 {
                        d.push(' ');
                    }
                    let _ = write!(d, "{} {}", fmt(next.0 - at.0), fmt(next.1 - at.1));
                    at = next;
                }
                d.push('Z');
            }
        }
        d
    }
}

/// A coordinate with one decimal, without a trailing `.0`.
fn fmt(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Rect, polygon};

    #[test]
    fn a_square_fills_the_box_and_keeps_its_shape() {
        // One degree square at the equator: kx = 1, so it is square on the map.
        let sq = MultiPolygon::new(vec![Rect::new((0.0, 0.0), (1.0, 1.0)).to_polygon()]);
        let shapes = [Shape {
            geometry: &sq,
            fill: "#440154",
            hatched: true,
            title: "A <b>".into(),
        }];
        let legend = [Key {
            fill: "#440154",
            hatched: false,
            label: "< 25%".into(),
        }];
        let svg = choropleth("x", &shapes, &legend, "map", MAP_BOX, LegendAt::Right);
        assert!(svg.contains(r#"viewBox="0 0 730 540""#), "{svg}");
        // Exterior of Rect::to_polygon: (1,0) (1,1) (0,1) (0,0) (1,0).
        assert!(
            svg.contains(r#"d="M540 540l0 -540 -540 0 0 540 540 0Z""#),
            "{svg}"
        );
        assert!(svg.contains("<title>A &lt;b&gt;</title>"));
        assert!(svg.contains("&lt; 25%"));
        assert_eq!(svg.matches("url(#hatch-x)").count(), 1);
        // Below: two legend columns under the map.
        let svg = choropleth("x", &shapes, &legend, "map", 300.0, LegendAt::Below);
        assert!(svg.contains(r#"viewBox="0 0 380 336""#), "{svg}");
    }

    #[test]
    fn vertices_closer_than_the_step_are_dropped_and_tiny_rings_left_out() {
        let b = Rect::new((0.0, 0.0), (1.0, 1.0));
        let p = Projection::fit(b, MAP_BOX);
        // 0.0001° is 0.054 px at this scale.
        let jagged = MultiPolygon::new(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.0001, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)
        ]]);
        assert_eq!(p.path(&jagged), "M0 540l540 0 0 -540 -540 540Z");
        let speck = MultiPolygon::new(vec![polygon![
            (x: 0.5, y: 0.5), (x: 0.5001, y: 0.5), (x: 0.5, y: 0.5001), (x: 0.5, y: 0.5)
        ]]);
        assert_eq!(p.path(&speck), "");
    }
}
