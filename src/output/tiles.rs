//! Mapbox Vector Tiles (MVT 2.1): a geography's areas, with a gap analysis's metrics as
//! properties when one is asked for, and the partner sites. What a national map draws
//! instead of one GeoJSON document of every area (DESIGN.md, "Tiles").
//!
//! Geometry is projected to Web Mercator, clipped to the tile plus [`BUFFER`] units and
//! simplified to what one tile unit can show. An area smaller than two screen pixels at
//! the tile's zoom ([`SPECK`] units across) is drawn as the square of that size it falls
//! in, once per square: at national zoom levels a pixel holds many block groups, and
//! drawing each would make a tile of megabytes that shows nothing more.

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
/// Two screen pixels of a 512-pixel tile, in tile units: the square an area smaller than
/// it is drawn as (at national zoom a square of one pixel made tiles of 20,000 specks).
pub const SPECK: i32 = 16;

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

/// The zoom from which every site is its own point: below it, sites close together on
/// screen are drawn as one cluster (a tile at zoom 12 is about 10 km across, and holds a
/// few hundred sites where they are densest).
pub const SITES_EACH_FROM_ZOOM: u8 = 12;
/// The side of a cluster's cell in tile units: 32 screen pixels of a 512-pixel tile.
pub const CLUSTER_CELL: i32 = 128;

/// The `sites` layer: the sites in the tile (those offering one of the comma-separated
/// codes of `service`, when given). From [`SITES_EACH_FROM_ZOOM`] on, every site inside
/// the widened tile is a point, feature id = its position in the Atlas, with `id`,
/// `name`, `partner_id`, `partner`, `kind`, `services` and `languages` (comma-separated
/// codes: MVT has no lists), `hours`, `partnership_level` and `partnership_stage`. Below
/// it, the tile's own square (no buffer, so each site is counted by exactly one tile of a
/// zoom) is cut into cells of [`CLUSTER_CELL`] units: a cell holding one site draws that
/// site as above; a cell holding more draws one point at their mean position with
/// `point_count` (the sites), `point_count_abbreviated` (the count as a label: 950, 1.2k,
/// 15k), `capacity` (the sum of their known capacities of the services counted) and
/// `capacity_unknown` (how many of them have none recorded).
pub fn sites(atlas: &Atlas, tile: TileId, service: Option<&str>) -> Result<Vec<u8>> {
    let grid = tile.grid(EXTENT);
    let wanted: Option<Vec<&str>> = service.map(|s| s.split(',').map(str::trim).collect());
    let offers = |s: &Site| {
        wanted
            .as_ref()
            .is_none_or(|w| s.services.iter().any(|x| w.contains(&x.code.as_str())))
    };
    let mvt_tile = Tile::new(EXTENT);
    let mut layer = mvt_tile.create_layer("sites");
    if tile.z >= SITES_EACH_FROM_ZOOM {
        let bounds = tile.bounds(EXTENT, BUFFER);
        let inside = |s: &Site| {
            let (lon, lat) = (s.location.lon(), s.location.lat());
            lon >= bounds.min().x
                && lon <= bounds.max().x
                && lat >= bounds.min().y
                && lat <= bounds.max().y
        };
        for (i, site) in atlas.sites.iter().enumerate() {
            if inside(site) && offers(site) {
                layer = site_feature(atlas, layer, i, site, &grid)?;
            }
        }
        return finish(mvt_tile, layer);
    }
    // Cells, in the order their first site comes in the Atlas: (sites, Σx, Σy, capacity,
    // sites without a capacity).
    struct Cell {
        first: usize,
        count: u64,
        x: f64,
        y: f64,
        capacity: f64,
        unknown: u64,
    }
    let extent = f64::from(EXTENT);
    let mut cells: std::collections::HashMap<(i32, i32), Cell> = std::collections::HashMap::new();
    // A cheap test in degrees first: most sites of a country are outside a tile.
    let bounds = tile.bounds(EXTENT, 1.0);
    for (i, site) in atlas.sites.iter().enumerate() {
        let (lon, lat) = (site.location.lon(), site.location.lat());
        if lon < bounds.min().x
            || lon > bounds.max().x
            || lat < bounds.min().y
            || lat > bounds.max().y
        {
            continue;
        }
        let at = grid.project(lon, lat);
        if !(0.0..extent).contains(&at.x) || !(0.0..extent).contains(&at.y) || !offers(site) {
            continue;
        }
        // Inside the tile: the casts are in range.
        #[allow(clippy::cast_possible_truncation)]
        let key = ((at.x as i32) / CLUSTER_CELL, (at.y as i32) / CLUSTER_CELL);
        let (mut capacity, mut known) = (0.0, false);
        for x in &site.services {
            if let Some(c) = x.capacity
                && wanted.as_ref().is_none_or(|w| w.contains(&x.code.as_str()))
            {
                capacity += c;
                known = true;
            }
        }
        let cell = cells.entry(key).or_insert(Cell {
            first: i,
            count: 0,
            x: 0.0,
            y: 0.0,
            capacity: 0.0,
            unknown: 0,
        });
        cell.count += 1;
        cell.x += at.x;
        cell.y += at.y;
        cell.capacity += capacity;
        if !known {
            cell.unknown += 1;
        }
    }
    let mut cells: Vec<Cell> = cells.into_values().collect();
    cells.sort_unstable_by_key(|c| c.first);
    for cell in cells {
        if cell.count == 1 {
            layer = site_feature(atlas, layer, cell.first, &atlas.sites[cell.first], &grid)?;
            continue;
        }
        // A mean of positions inside the tile: in range.
        #[allow(clippy::cast_precision_loss)]
        let n = cell.count as f64;
        let geometry = GeomEncoder::new(GeomType::Point)
            .point((cell.x / n).round(), (cell.y / n).round())
            .and_then(GeomEncoder::encode)
            .map_err(encode_error)?;
        let mut feature = layer.into_feature(geometry);
        add_tag(&mut feature, "point_count", &serde_json::json!(cell.count));
        feature.add_tag_string("point_count_abbreviated", &abbreviated(cell.count));
        add_tag(&mut feature, "capacity", &number(cell.capacity));
        add_tag(
            &mut feature,
            "capacity_unknown",
            &serde_json::json!(cell.unknown),
        );
        layer = feature.into_layer();
    }
    finish(mvt_tile, layer)
}

/// A count as a cluster's label, as MapLibre's own clusters say it: 950, 1.2k, 15k.
pub fn abbreviated(n: u64) -> String {
    // Counts of sites: far below 2^52.
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    if n >= 10_000 {
        format!("{}k", (x / 1e3).round())
    } else if n >= 1_000 {
        format!("{}k", (x / 1e2).round() / 10.0)
    } else {
        n.to_string()
    }
}

/// A sum as a JSON number: an integer when it is one.
fn number(x: f64) -> Value {
    // Whole sums of capacities: exactly representable, in range.
    #[allow(clippy::cast_possible_truncation)]
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        serde_json::json!(x as i64)
    } else {
        serde_json::json!(x)
    }
}

/// One site as a point feature with its properties.
fn site_feature(
    atlas: &Atlas,
    layer: mvt::Layer,
    i: usize,
    site: &Site,
    grid: &TileGrid,
) -> Result<mvt::Layer> {
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
    Ok(feature.into_layer())
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
