//! Mapbox Vector Tiles (MVT 2.1): a geography's areas, with a gap analysis's metrics as
//! properties when one is asked for, and the partner sites. What a national map draws
//! instead of one GeoJSON document of every area (DESIGN.md, "Tiles").
//!
//! Geometry is projected to Web Mercator, clipped to the tile plus [`BUFFER`] units and
//! simplified to what one tile unit can show. An area smaller than a screen pixel at the
//! tile's zoom ([`SPECK`] units across) is drawn as that pixel's square, once per pixel:
//! at national zoom levels a pixel holds many block groups, and drawing each would make a
//! tile of megabytes that shows nothing more.

use crate::analysis::GapReport;
use crate::atlas::{Atlas, GeographyData};
use crate::domain::{Area, Site};
use crate::error::{Code, Error, Result};
use crate::spatial::{TileGrid, TileId, ring_area2};
use geo::BoundingRect;
use mvt::{GeomEncoder, GeomType, Tile};
use serde_json::Value;
use std::collections::HashSet;

/// Tile units along each edge (MVT's customary 4096).
pub const EXTENT: u32 = 4096;
/// Units drawn beyond each edge, so outlines of neighbouring tiles meet without a seam.
pub const BUFFER: f64 = 64.0;
/// Ramer–Douglas–Peucker tolerance in tile units: a quarter of a screen pixel.
const TOLERANCE: f64 = 2.0;
/// One screen pixel of a 512-pixel tile, in tile units.
pub const SPECK: i32 = 8;

/// The geography an area tile draws: `name` when given (it must be the report's, with
/// one), else the report's, else the only one stored.
pub fn geography_of<'a>(
    atlas: &'a Atlas,
    name: Option<&str>,
    report: Option<&GapReport>,
) -> Result<&'a GeographyData> {
    let name = match (name, report) {
        (Some(g), Some(r)) if g != r.geography => {
            return Err(Error::new(
                Code::InvalidParameter,
                format!(
                    "the {} assessment is of geography '{}', not '{g}'",
                    r.year, r.geography
                ),
            ));
        }
        (Some(g), _) => g.to_owned(),
        (None, Some(r)) => r.geography.clone(),
        (None, None) => {
            let mut names = atlas.geographies.keys();
            match (names.next(), names.next()) {
                (Some(one), None) => one.clone(),
                (None, _) => {
                    return Err(Error::new(
                        Code::UnknownGeography,
                        "no geography is stored yet",
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(Error::new(
                        Code::InvalidParameter,
                        "several geographies are stored: name one",
                    ));
                }
            }
        }
    };
    atlas.geographies.get(&name).ok_or_else(|| {
        Error::new(
            Code::UnknownGeography,
            format!("there is no geography '{name}'"),
        )
    })
}

/// The `areas` layer: every area of `g` that meets the tile, feature id = its position
/// in the geography, properties `geoid`, `name` and, with a report, its row's metrics
/// under the names the JSON answer uses (a null is left out: MVT has no null).
pub fn areas(g: &GeographyData, tile: TileId, report: Option<&GapReport>) -> Result<Vec<u8>> {
    let grid = tile.grid(EXTENT);
    let areas = &g.geography.areas;
    // Row of each area in the report, by position in the geography.
    let rows: Vec<Option<&crate::analysis::AreaGap>> = match report {
        Some(r) => {
            let mut rows = vec![None; areas.len()];
            for row in &r.areas {
                if let Some(slot) = rows.get_mut(row.area as usize) {
                    *slot = Some(row);
                }
            }
            rows
        }
        None => Vec::new(),
    };
    let mut ids = g.area_index.meeting(tile.bounds(EXTENT, BUFFER));
    ids.sort_unstable();
    let mut pixels: HashSet<(i32, i32)> = HashSet::new();
    let mvt_tile = Tile::new(EXTENT);
    let mut layer = mvt_tile.create_layer("areas");
    for id in ids {
        let Some(area) = areas.get(id as usize) else {
            continue;
        };
        let Some(geometry) = area_geometry(area, &grid, &mut pixels).map_err(encode_error)? else {
            continue;
        };
        let mut feature = layer.into_feature(geometry);
        feature.set_id(u64::from(id));
        feature.add_tag_string("geoid", area.geoid.as_str());
        feature.add_tag_string("name", &area.name);
        if let Some(row) = rows.get(id as usize).copied().flatten() {
            let value = serde_json::to_value(row).map_err(Error::internal)?;
            if let Value::Object(fields) = value {
                for (key, v) in &fields {
                    if key != "geoid" && key != "name" {
                        add_tag(&mut feature, key, v);
                    }
                }
            }
        }
        layer = feature.into_layer();
    }
    finish(mvt_tile, layer)
}

/// The `sites` layer: the sites in the tile (those offering `service`, when given),
/// feature id = position in the Atlas, with `id`, `name`, `partner_id`, `partner`,
/// `kind`, `services` and `languages` (comma-separated codes: MVT has no lists), `hours`,
/// `partnership_level` and `partnership_stage`.
pub fn sites(atlas: &Atlas, tile: TileId, service: Option<&str>) -> Result<Vec<u8>> {
    let grid = tile.grid(EXTENT);
    let bounds = tile.bounds(EXTENT, BUFFER);
    let mvt_tile = Tile::new(EXTENT);
    let mut layer = mvt_tile.create_layer("sites");
    let inside = |s: &Site| {
        let (lon, lat) = (s.location.lon(), s.location.lat());
        lon >= bounds.min().x
            && lon <= bounds.max().x
            && lat >= bounds.min().y
            && lat <= bounds.max().y
    };
    for (i, site) in atlas.sites.iter().enumerate() {
        if !inside(site) || service.is_some_and(|c| !site.services.iter().any(|s| s.code == c)) {
            continue;
        }
        let at = grid.project(site.location.lon(), site.location.lat());
        let geometry = GeomEncoder::new(GeomType::Point)
            .point(at.x.round(), at.y.round())
            .and_then(GeomEncoder::encode)
            .map_err(encode_error)?;
        let mut feature = layer.into_feature(geometry);
        feature.set_id(i as u64);
        feature.add_tag_string("id", &site.id);
        feature.add_tag_string("name", &site.name);
        feature.add_tag_string("partner_id", &site.partner_id);
        let codes: Vec<&str> = site.services.iter().map(|s| s.code.as_str()).collect();
        feature.add_tag_string("services", &codes.join(","));
        if !site.languages.is_empty() {
            feature.add_tag_string("languages", &site.languages.join(","));
        }
        if let Some(h) = &site.hours {
            feature.add_tag_string("hours", h.as_str());
        }
        if let Some(p) = atlas.partners.get(&site.partner_id) {
            feature.add_tag_string("partner", &p.name);
            if let Some(kind) = &p.kind {
                feature.add_tag_string("kind", kind);
            }
            if let Some(level) = p.partnership_level {
                add_tag(&mut feature, "partnership_level", &serde_json::json!(level));
            }
            if let Some(stage) = p.partnership_stage {
                add_tag(&mut feature, "partnership_stage", &serde_json::json!(stage));
            }
        }
        layer = feature.into_layer();
    }
    finish(mvt_tile, layer)
}

/// An area's polygons in tile units, or its pixel's square when it is a speck (None when
/// nothing of it shows: outside the tile, or a speck on a pixel already drawn).
fn area_geometry(
    area: &Area,
    grid: &TileGrid,
    pixels: &mut HashSet<(i32, i32)>,
) -> std::result::Result<Option<mvt::GeomData>, mvt::Error> {
    let Some(rect) = area.geometry.bounding_rect() else {
        return Ok(None);
    };
    let (nw, se) = (
        grid.project(rect.min().x, rect.max().y),
        grid.project(rect.max().x, rect.min().y),
    );
    let speck = f64::from(SPECK);
    if se.x - nw.x < speck && se.y - nw.y < speck {
        let (cx, cy) = ((nw.x + se.x) / 2.0, (nw.y + se.y) / 2.0);
        let extent = f64::from(EXTENT);
        if !(0.0..extent).contains(&cx) || !(0.0..extent).contains(&cy) {
            return Ok(None); // drawn by the tile that holds its centre
        }
        // Whole pixels inside the tile: the casts are in range.
        #[allow(clippy::cast_possible_truncation)]
        let cell = ((cx / speck) as i32, (cy / speck) as i32);
        if !pixels.insert(cell) {
            return Ok(None);
        }
        let (x0, y0) = (cell.0 * SPECK, cell.1 * SPECK);
        let square = [
            (x0, y0),
            (x0 + SPECK, y0),
            (x0 + SPECK, y0 + SPECK),
            (x0, y0 + SPECK),
        ];
        let mut encoder = GeomEncoder::new(GeomType::Polygon);
        push_ring(&mut encoder, &square, true)?;
        return encoder.encode().map(Some);
    }
    let mut encoder = GeomEncoder::new(GeomType::Polygon);
    let mut drawn = false;
    for polygon in &area.geometry.0 {
        let exterior = grid.ring(polygon.exterior(), BUFFER, TOLERANCE);
        if exterior.is_empty() {
            continue;
        }
        push_ring(&mut encoder, &exterior, true)?;
        drawn = true;
        for interior in polygon.interiors() {
            let hole = grid.ring(interior, BUFFER, TOLERANCE);
            if !hole.is_empty() {
                push_ring(&mut encoder, &hole, false)?;
            }
        }
    }
    if drawn {
        encoder.encode().map(Some)
    } else {
        Ok(None)
    }
}

/// One ring, wound as MVT wants it: an exterior clockwise on screen (positive shoelace
/// area with y down), a hole counter-clockwise, whatever the source's winding was.
fn push_ring(
    encoder: &mut GeomEncoder<i32>,
    ring: &[(i32, i32)],
    exterior: bool,
) -> std::result::Result<(), mvt::Error> {
    let clockwise = ring_area2(ring) > 0;
    let points: Box<dyn Iterator<Item = &(i32, i32)>> = if clockwise == exterior {
        Box::new(ring.iter())
    } else {
        Box::new(ring.iter().rev())
    };
    for &(x, y) in points {
        encoder.add_point(x, y)?;
    }
    encoder.complete_geom()
}

/// A JSON value as an MVT tag: numbers as doubles (integers as integers), strings,
/// booleans; null and nested values are left out.
fn add_tag(feature: &mut mvt::Feature, key: &str, value: &Value) {
    match value {
        Value::Bool(b) => feature.add_tag_bool(key, *b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                feature.add_tag_sint(key, i);
            } else if let Some(f) = n.as_f64() {
                feature.add_tag_double(key, f);
            }
        }
        Value::String(s) => feature.add_tag_string(key, s),
        Value::Null | Value::Array(_) | Value::Object(_) => {}
    }
}

fn finish(mut tile: Tile, layer: mvt::Layer) -> Result<Vec<u8>> {
    tile.add_layer(layer).map_err(encode_error)?;
    tile.to_bytes().map_err(encode_error)
}

fn encode_error(e: mvt::Error) -> Error {
    Error::internal(format!("a vector tile could not be encoded: {e}"))
}
