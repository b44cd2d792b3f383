//! Areas from a GeoJSON FeatureCollection of Polygon/MultiPolygon features (RFC 7946).

use super::geojson_doc::{self, RawFeature};
use super::{InputFile, Limits, Problems};
use crate::domain::{Area, DemandPointSource, Geography, Geoid, LonLat};
use crate::error::{Code, Error, Problem, Result};
use geo::{Centroid, Contains, LineString, MultiPolygon, Polygon};
use serde_json::Value;
use std::collections::HashMap;

/// Properties tried, in order, for the area id when no field is chosen.
pub const ID_FIELDS: [&str; 5] = ["GEOID", "GEOID20", "GEOID10", "geoid10", "geoid"];
/// Properties tried, in order, for the area name.
pub const NAME_FIELDS: [&str; 7] = [
    "NAME",
    "NAMELSAD",
    "name",
    "NAME20",
    "NAMELSAD20",
    "NAME10",
    "NAMELSAD10",
];

/// Options of an areas import.
#[derive(Clone, Debug, Default)]
pub struct AreaOptions {
    /// The property holding the id, instead of the usual GEOID fields.
    pub id_field: Option<String>,
    /// Size limits (vertices here; the zip limits for a zipped shapefile).
    pub limits: Limits,
}

/// Reads a geography from GeoJSON.
pub fn read(file: &InputFile, geography: &str, opts: &AreaOptions) -> Result<Geography> {
    let sources = Sources {
        attributes: &file.name,
        geometry: &file.name,
        item: "feature",
    };
    // Each feature becomes an area (or its problem) as the file streams in.
    let mut items = Vec::new();
    geojson_doc::for_each_feature(file, |f| {
        items.push(read_feature(&f, &file.name).and_then(|g| from_feature(&f, g, sources, opts)));
    })?;
    finish(items, sources, geography, opts)
}

/// The files an area's parts come from, for messages: GeoJSON has one, a shapefile keeps
/// its attributes (.dbf) apart from its geometry (.shp).
#[derive(Clone, Copy, Debug)]
pub(super) struct Sources<'a> {
    /// Where ids, names and demand points are read.
    pub attributes: &'a str,
    /// Where the shapes are read.
    pub geometry: &'a str,
    /// What one area is called in that format: `feature` or `record`.
    pub item: &'static str,
}

/// One area read from a feature or record, with what the file-wide checks need.
pub(super) struct ReadArea {
    number: u64,
    id_field: String,
    area: Area,
}

/// The checks across the whole file (duplicate ids, total vertices), then the geography.
pub(super) fn finish(
    items: Vec<std::result::Result<ReadArea, FeatureError>>,
    sources: Sources<'_>,
    geography: &str,
    opts: &AreaOptions,
) -> Result<Geography> {
    let mut problems = Problems::default();
    let mut areas = Vec::with_capacity(items.len());
    let mut seen: HashMap<Geoid, u64> = HashMap::new();
    let mut total_vertices = 0usize;
    for item in items {
        match item {
            Ok(ReadArea {
                number,
                id_field,
                area,
            }) => {
                total_vertices += vertex_count(&area.geometry);
                if let Some(first) = seen.insert(area.geoid.clone(), number) {
                    problems.push(
                        Code::DuplicateId,
                        Problem::at(
                            sources.attributes,
                            number,
                            &id_field,
                            format!(
                                "id '{}' was already used by {} {first}",
                                area.geoid, sources.item
                            ),
                        ),
                    );
                }
                areas.push(area);
            }
            Err((code, p)) => problems.push(code, p),
        }
    }
    if total_vertices > opts.limits.vertices.max_vertices_total {
        problems.push(
            Code::InvalidGeometry,
            Problem::in_file(
                sources.geometry,
                format!(
                    "the file has {total_vertices} vertices, more than the limit of {}; simplify the boundaries (e.g. Census cartographic boundary files)",
                    opts.limits.vertices.max_vertices_total
                ),
            ),
        );
    }
    problems.into_result(sources.attributes)?;
    Ok(Geography {
        name: geography.to_owned(),
        areas,
    })
}

fn id_field_used<'a>(f: &RawFeature<'_>, opts: &'a AreaOptions) -> &'a str {
    match &opts.id_field {
        Some(field) => field,
        None => ID_FIELDS
            .iter()
            .find(|k| f.properties.contains_key(**k))
            .copied()
            .unwrap_or("GEOID"),
    }
}

/// A refused feature: the code and the precise problem.
pub(super) type FeatureError = (Code, Problem);

/// The feature's geometry as a MultiPolygon, its coordinates checked as lon/lat.
fn read_feature(
    f: &RawFeature<'_>,
    file: &str,
) -> std::result::Result<MultiPolygon<f64>, FeatureError> {
    let at = |field: &str, code: Code, msg: String| (code, Problem::at(file, f.number, field, msg));
    let g = f.geometry.ok_or_else(|| {
        at(
            "geometry",
            Code::InvalidGeometry,
            "the feature has no geometry".into(),
        )
    })?;
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("(none)");
    let coords = g.get("coordinates");
    let geometry = match (kind, coords) {
        ("Polygon", Some(c)) => MultiPolygon(vec![
            polygon(c).map_err(|m| at("geometry", Code::InvalidGeometry, m))?,
        ]),
        ("MultiPolygon", Some(Value::Array(polys))) => {
            if polys.is_empty() {
                return Err(at(
                    "geometry",
                    Code::InvalidGeometry,
                    "the MultiPolygon is empty".into(),
                ));
            }
            MultiPolygon(
                polys
                    .iter()
                    .map(polygon)
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|m| at("geometry", Code::InvalidGeometry, m))?,
            )
        }
        ("Polygon" | "MultiPolygon", _) => {
            return Err(at(
                "geometry",
                Code::InvalidGeometry,
                format!("the {kind} has no coordinates array"),
            ));
        }
        (other, _) => {
            return Err(at(
                "geometry",
                Code::InvalidGeometry,
                format!("areas must be Polygon or MultiPolygon, this feature is a {other}"),
            ));
        }
    };
    Ok(geometry)
}

/// An area from a feature's properties and its already checked geometry: the id, the
/// name, the per-area vertex limit and the demand point. Shared by GeoJSON and shapefiles
/// (whose DBF records are presented as properties).
pub(super) fn from_feature(
    f: &RawFeature<'_>,
    geometry: MultiPolygon<f64>,
    sources: Sources<'_>,
    opts: &AreaOptions,
) -> std::result::Result<ReadArea, FeatureError> {
    let at = |field: &str, code: Code, msg: String| {
        let file = if field == "geometry" {
            sources.geometry
        } else {
            sources.attributes
        };
        (code, Problem::at(file, f.number, field, msg))
    };

    // The id.
    let id_field = id_field_used(f, opts);
    let raw_id = geojson_doc::property_text(f.properties, id_field).ok_or_else(|| {
        let tried = match &opts.id_field {
            Some(field) => format!("'{field}'"),
            None => ID_FIELDS.join(", "),
        };
        at(
            id_field,
            Code::InvalidFile,
            format!(
                "the {} has no id: none of {tried} is set (choose another field with id_field)",
                sources.item
            ),
        )
    })?;
    let geoid =
        Geoid::parse(&raw_id).map_err(|e| at(id_field, Code::InvalidFile, e.to_string()))?;
    let name = NAME_FIELDS
        .iter()
        .find_map(|k| geojson_doc::property_text(f.properties, k))
        .unwrap_or_default();

    let vertices = vertex_count(&geometry);
    if vertices > opts.limits.vertices.max_vertices_per_area {
        return Err(at(
            "geometry",
            Code::InvalidGeometry,
            format!(
                "the geometry has {vertices} vertices, more than the limit of {} per area",
                opts.limits.vertices.max_vertices_per_area
            ),
        ));
    }

    // The demand point.
    let (demand_point, demand_point_source) = demand_point(f, &geometry)
        .map_err(|(field, msg)| at(field, Code::InvalidCoordinates, msg))?;
    Ok(ReadArea {
        number: f.number,
        id_field: id_field.to_owned(),
        area: Area {
            geoid,
            name,
            geometry,
            demand_point,
            demand_point_source,
        },
    })
}

fn polygon(v: &Value) -> std::result::Result<Polygon<f64>, String> {
    let rings = v.as_array().ok_or("a polygon must be an array of rings")?;
    if rings.is_empty() {
        return Err("the polygon has no rings".into());
    }
    let mut out = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        let positions = ring
            .as_array()
            .ok_or("a ring must be an array of positions")?;
        let coords = positions
            .iter()
            .map(geojson_doc::position)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let which = if i == 0 {
            "outer ring".to_owned()
        } else {
            format!("hole {i}")
        };
        if coords.len() < 4 {
            return Err(format!(
                "the {which} has {} positions; a ring needs at least 4",
                coords.len()
            ));
        }
        if coords.first() != coords.last() {
            return Err(format!(
                "the {which} is not closed: its first and last positions differ"
            ));
        }
        out.push(LineString::from(coords));
    }
    let exterior = out.remove(0);
    Ok(Polygon::new(exterior, out))
}

/// Where distances are measured from: `pop_lon`/`pop_lat`, else `INTPTLON`/`INTPTLAT`,
/// else the centroid when it lies inside, else an interior point (DESIGN.md).
pub fn demand_point(
    f: &RawFeature<'_>,
    geometry: &MultiPolygon<f64>,
) -> std::result::Result<(LonLat, DemandPointSource), (&'static str, String)> {
    for (lon_key, lat_key, source) in [
        ("pop_lon", "pop_lat", DemandPointSource::PopulationWeighted),
        ("INTPTLON", "INTPTLAT", DemandPointSource::InternalPoint),
        ("INTPTLON20", "INTPTLAT20", DemandPointSource::InternalPoint),
        ("INTPTLON10", "INTPTLAT10", DemandPointSource::InternalPoint),
    ] {
        let lon = geojson_doc::property_text(f.properties, lon_key);
        let lat = geojson_doc::property_text(f.properties, lat_key);
        match (lon, lat) {
            (Some(lon), Some(lat)) => {
                let parse = |s: &str, key: &'static str| {
                    s.trim_start_matches('+')
                        .parse::<f64>()
                        .map_err(|_| (key, format!("'{s}' is not a number")))
                };
                let (x, y) = (parse(&lon, lon_key)?, parse(&lat, lat_key)?);
                geojson_doc::check_lonlat(x, y).map_err(|m| (lon_key, m))?;
                let p = LonLat::new(x, y).map_err(|e| (lon_key, e.to_string()))?;
                return Ok((p, source));
            }
            (Some(_), None) => {
                return Err((
                    lat_key,
                    format!("{lon_key} is set but {lat_key} is missing"),
                ));
            }
            (None, Some(_)) => {
                return Err((
                    lon_key,
                    format!("{lat_key} is set but {lon_key} is missing"),
                ));
            }
            (None, None) => {}
        }
    }
    computed_demand_point(geometry).ok_or((
        "geometry",
        "the polygon has no area to place a point in".into(),
    ))
}

/// The centroid in lon/lat degrees when inside the shape, else an interior point.
pub fn computed_demand_point(geometry: &MultiPolygon<f64>) -> Option<(LonLat, DemandPointSource)> {
    if let Some(c) = geometry.centroid()
        && geometry.contains(&c)
    {
        return LonLat::new(c.x(), c.y())
            .ok()
            .map(|p| (p, DemandPointSource::Centroid));
    }
    let (x, y) = point_on_surface(geometry)?;
    LonLat::new(x, y)
        .ok()
        .map(|p| (p, DemandPointSource::InteriorPoint))
}

/// A point inside the shape: the middle of the widest stretch that a horizontal line
/// through the middle of a polygon's bounds has inside it (even-odd rule, holes counted).
///
/// geo's `InteriorPoint` does the same with a sweep-line intersection search whose
/// invariants fuzzing broke with self-intersecting rings (a failed assertion, see
/// fuzz/regressions/shapefile); crossing each edge with one line directly has no such
/// invariants and is linear in the vertices. `None` when no polygon has any area.
fn point_on_surface(geometry: &MultiPolygon<f64>) -> Option<(f64, f64)> {
    let mut best: Option<((f64, f64), f64)> = None;
    for polygon in &geometry.0 {
        let rings = || std::iter::once(polygon.exterior()).chain(polygon.interiors());
        let ys = || rings().flat_map(|r| r.0.iter().map(|c| c.y));
        let (lo, hi) = ys().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
        // False for a flat ring, and for NaN bounds.
        let has_height = lo < hi;
        if !has_height {
            continue;
        }
        // A line through a vertex makes crossings ambiguous: move it halfway to the
        // nearest vertex height that differs.
        let mut y = lo + (hi - lo) / 2.0;
        if ys().any(|v| v == y) {
            let nearest = ys()
                .filter(|v| *v != y)
                .min_by(|a, b| (a - y).abs().total_cmp(&(b - y).abs()));
            if let Some(v) = nearest {
                y = y + (v - y) / 2.0;
            }
        }
        let mut xs: Vec<f64> = rings()
            .flat_map(|r| r.lines())
            .filter(|l| (l.start.y > y) != (l.end.y > y))
            .map(|l| l.start.x + (y - l.start.y) * (l.end.x - l.start.x) / (l.end.y - l.start.y))
            .filter(|x| x.is_finite())
            .collect();
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let width = pair[1] - pair[0];
            if width > 0.0 && best.is_none_or(|(_, w)| width > w) {
                best = Some((((pair[0] + pair[1]) / 2.0, y), width));
            }
        }
    }
    best.map(|(p, _)| p)
}

fn vertex_count(g: &MultiPolygon<f64>) -> usize {
    g.0.iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum()
}

/// An error for a geography that the caller named badly (used by the API and CLI).
pub fn check_geography_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            Code::InvalidParameter,
            format!(
                "'{name}' is not a usable geography name: use 1-64 letters, digits, '-', '_' or '.' (e.g. tracts-2020)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(features: &str) -> InputFile {
        InputFile::new(
            "areas.geojson",
            format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#),
        )
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;

    #[test]
    fn a_square_gets_its_centroid_as_demand_point() {
        let f = fc(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"01001","NAME":"A"}},"geometry":{SQUARE}}}"#
        ));
        let g = read(&f, "t", &AreaOptions::default()).unwrap();
        let a = &g.areas[0];
        assert_eq!(a.geoid.as_str(), "01001");
        assert_eq!((a.demand_point.lon(), a.demand_point.lat()), (0.5, 0.5));
        assert_eq!(a.demand_point_source, DemandPointSource::Centroid);
    }

    #[test]
    fn a_u_shape_gets_an_interior_point() {
        let u = r#"{"type":"Polygon","coordinates":[[[0,0],[3,0],[3,3],[2,3],[2,1],[1,1],[1,3],[0,3],[0,0]]]}"#;
        let f = fc(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"1"}},"geometry":{u}}}"#
        ));
        let g = read(&f, "t", &AreaOptions::default()).unwrap();
        let a = &g.areas[0];
        assert_eq!(a.demand_point_source, DemandPointSource::InteriorPoint);
        assert!(a.geometry.contains(&a.demand_point.to_point()));
    }

    #[test]
    fn the_point_on_surface_is_the_middle_of_the_widest_inside_stretch() {
        let poly = |rings: Vec<Vec<(f64, f64)>>| {
            let mut rings = rings.into_iter().map(LineString::from);
            let exterior = rings.next().unwrap();
            MultiPolygon(vec![Polygon::new(exterior, rings.collect())])
        };
        // A U: bounds 0..3 × 0..3, the line y = 1.5 crosses at 0, 1, 2, 3; the two arms
        // are equally wide, the first found is kept.
        let u = poly(vec![vec![
            (0.0, 0.0),
            (3.0, 0.0),
            (3.0, 3.0),
            (2.0, 3.0),
            (2.0, 1.0),
            (1.0, 1.0),
            (1.0, 3.0),
            (0.0, 3.0),
            (0.0, 0.0),
        ]]);
        assert_eq!(point_on_surface(&u), Some((0.5, 1.5)));
        // A square with a hole off to the right: the wider stretch is left of the hole.
        let holed = poly(vec![
            vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)],
            vec![(2.5, 1.0), (3.5, 1.0), (3.5, 3.0), (2.5, 3.0), (2.5, 1.0)],
        ]);
        assert_eq!(point_on_surface(&holed), Some((1.25, 2.0)));
        // The middle line runs through a vertex (y = 1): it moves halfway to the nearest
        // other vertex height (0 and 2 are as near; the first, 0, is taken).
        let diamond = poly(vec![vec![
            (0.0, 1.0),
            (1.0, 0.0),
            (2.0, 1.0),
            (1.0, 2.0),
            (0.0, 1.0),
        ]]);
        assert_eq!(point_on_surface(&diamond), Some((1.0, 0.5)));
        // No area, no point.
        let flat = poly(vec![vec![(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (0.0, 0.0)]]);
        assert_eq!(point_on_surface(&flat), None);
    }

    #[test]
    fn tiger_internal_points_are_used() {
        let f = fc(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"1","INTPTLON":"-087.5","INTPTLAT":"+41.5"}},"geometry":{SQUARE}}}"#
        ));
        let a = &read(&f, "t", &AreaOptions::default()).unwrap().areas[0];
        assert_eq!((a.demand_point.lon(), a.demand_point.lat()), (-87.5, 41.5));
    }

    #[test]
    fn a_point_feature_is_refused_with_its_number() {
        let f = fc(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"1"}},"geometry":{SQUARE}}},{{"type":"Feature","properties":{{"GEOID":"2"}},"geometry":{{"type":"Point","coordinates":[0,0]}}}}"#
        ));
        let e = read(&f, "t", &AreaOptions::default()).unwrap_err();
        assert_eq!(e.code(), Code::InvalidGeometry);
        assert_eq!(e.details()[0].row, Some(2));
        assert_eq!(e.details()[0].field.as_deref(), Some("geometry"));
    }

    #[test]
    fn swapped_and_projected_coordinates_are_named() {
        let swapped = r#"{"type":"Polygon","coordinates":[[[41.8,-87.6],[41.9,-87.6],[41.9,-87.7],[41.8,-87.6]]]}"#;
        let f = fc(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"1"}},"geometry":{swapped}}}"#
        ));
        let e = read(&f, "t", &AreaOptions::default()).unwrap_err();
        assert!(e.message().contains("swapped"), "{}", e.message());
        let projected = r#"{"type":"Polygon","coordinates":[[[443000,4640000],[444000,4640000],[444000,4641000],[443000,4640000]]]}"#;
        let f = fc(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"1"}},"geometry":{projected}}}"#
        ));
        let e = read(&f, "t", &AreaOptions::default()).unwrap_err();
        assert!(e.message().contains("projected"), "{}", e.message());
    }

    #[test]
    fn duplicate_ids_name_both_features() {
        let one =
            format!(r#"{{"type":"Feature","properties":{{"GEOID":"7"}},"geometry":{SQUARE}}}"#);
        let e = read(&fc(&format!("{one},{one}")), "t", &AreaOptions::default()).unwrap_err();
        assert_eq!(e.code(), Code::DuplicateId);
        assert!(e.message().contains("feature 1"), "{}", e.message());
        assert_eq!(e.details()[0].row, Some(2));
    }

    #[test]
    fn a_declared_projected_crs_is_refused() {
        let f = InputFile::new(
            "a.geojson",
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3435"}},"features":[]}"#,
        );
        assert_eq!(
            read(&f, "t", &AreaOptions::default()).unwrap_err().code(),
            Code::UnsupportedCrs
        );
    }
}
