//! Shared reading of GeoJSON FeatureCollections: the document's shape, its CRS, and
//! coordinates checked as WGS84 lon/lat with messages that name the feature.

use super::InputFile;
use crate::error::{Code, Error, Problem, Result};
use serde_json::{Map, Value};

/// A feature's 1-based number, its properties and its geometry (if any).
pub struct RawFeature<'a> {
    /// 1-based position in the collection (reported as the row).
    pub number: u64,
    /// The `properties` object (empty when null or missing).
    pub properties: &'a Map<String, Value>,
    /// The `geometry` member; `None` when null or missing.
    pub geometry: Option<&'a Value>,
    /// The feature's own `id` member.
    pub id: Option<&'a Value>,
}

/// Parses the text and checks it is a FeatureCollection in lon/lat (RFC 7946, or the
/// 2008 form with an OGC CRS84 / EPSG:4326 `crs`).
pub fn parse(file: &InputFile) -> Result<Value> {
    file.require_content()?;
    let text = file.text()?;
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        Error::problem(
            Code::MalformedFile,
            Problem::in_file(
                &file.name,
                format!(
                    "not valid JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            ),
        )
    })?;
    match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    &file.name,
                    1,
                    "type",
                    format!("expected a GeoJSON FeatureCollection, found a {other}"),
                ),
            ));
        }
        None => {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::in_file(
                    &file.name,
                    "not GeoJSON: the top-level object has no \"type\"",
                ),
            ));
        }
    }
    if let Some(crs) = doc.get("crs") {
        let name = crs
            .pointer("/properties/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let lonlat = ["CRS84", "EPSG::4326", "EPSG:4326", "CRS:84"]
            .iter()
            .any(|ok| name.to_ascii_uppercase().ends_with(ok));
        if !lonlat {
            return Err(Error::problem(
                Code::UnsupportedCrs,
                Problem::in_file(
                    &file.name,
                    format!(
                        "the file declares the coordinate system '{name}'; gapmap needs WGS84 longitude/latitude (EPSG:4326). Re-export it as GeoJSON in EPSG:4326 (e.g. ogr2ogr -t_srs EPSG:4326)"
                    ),
                ),
            ));
        }
    }
    match doc.get("features") {
        Some(Value::Array(_)) => Ok(doc),
        _ => Err(Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                "features",
                "a FeatureCollection needs a \"features\" array",
            ),
        )),
    }
}

/// The features of a parsed collection.
pub fn features<'a>(doc: &'a Value, file: &str) -> Result<Vec<RawFeature<'a>>> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let empty = EMPTY.get_or_init(Map::new);
    let list = doc["features"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if list.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(file, "the FeatureCollection has no features"),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, f)| {
            let number = i as u64 + 1;
            if f.get("type").and_then(Value::as_str) != Some("Feature") {
                return Err(Error::problem(
                    Code::InvalidFile,
                    Problem::at(
                        file,
                        number,
                        "type",
                        "this entry of \"features\" is not a Feature",
                    ),
                ));
            }
            let properties = match f.get("properties") {
                Some(Value::Object(m)) => m,
                None | Some(Value::Null) => empty,
                Some(_) => {
                    return Err(Error::problem(
                        Code::InvalidFile,
                        Problem::at(file, number, "properties", "properties must be an object"),
                    ));
                }
            };
            Ok(RawFeature {
                number,
                properties,
                geometry: f.get("geometry").filter(|g| !g.is_null()),
                id: f.get("id"),
            })
        })
        .collect()
}

/// A property as text: strings as they are, numbers in their shortest form.
pub fn property_text(props: &Map<String, Value>, key: &str) -> Option<String> {
    match props.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads one `[lon, lat]` position and checks it as WGS84 degrees. `Err` holds the message.
pub fn position(v: &Value) -> std::result::Result<(f64, f64), String> {
    let arr = v
        .as_array()
        .ok_or("a position must be an array [longitude, latitude]")?;
    if arr.len() < 2 {
        return Err("a position needs at least [longitude, latitude]".into());
    }
    let lon = arr[0].as_f64().ok_or("longitude is not a number")?;
    let lat = arr[1].as_f64().ok_or("latitude is not a number")?;
    check_lonlat(lon, lat)?;
    Ok((lon, lat))
}

/// Checks degrees, naming projected coordinates and swapped axes as such.
pub fn check_lonlat(lon: f64, lat: f64) -> std::result::Result<(), String> {
    if !lon.is_finite() || !lat.is_finite() {
        return Err("the coordinate is not a finite number".into());
    }
    if lon.abs() > 360.0 || lat.abs() > 360.0 {
        return Err(format!(
            "({lon}, {lat}) is not a longitude/latitude in degrees: the coordinates look projected (metres or feet); gapmap needs WGS84 lon/lat (EPSG:4326)"
        ));
    }
    if lat.abs() > 85.0 && lon.abs() <= 85.0 {
        return Err(format!(
            "latitude {lat} lies beyond 85°, where no community is; longitude and latitude look swapped (GeoJSON puts longitude first: [{lat}, {lon}])"
        ));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is outside -90..90"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("longitude {lon} is outside -180..180"));
    }
    Ok(())
}
