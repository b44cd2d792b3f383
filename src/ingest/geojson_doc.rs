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

/// Reads a FeatureCollection in lon/lat (RFC 7946, or the 2008 form with an OGC CRS84 /
/// EPSG:4326 `crs`) as it streams, calling `each` with every feature in order.
///
/// Only one feature is held as a `serde_json::Value` at a time, never the whole document,
/// so a file costs its own bytes plus what `each` keeps. The answer is the one reading the
/// whole document first gave, in the same order of precedence: malformed JSON anywhere,
/// then a top level that is not a FeatureCollection, a coordinate system that is not
/// lon/lat, a missing `features` array, an empty one, the first entry that is not a
/// Feature (or whose properties are not an object). When it is an error, what `each` has
/// collected is to be dropped; after such an entry `each` is not called again. (One
/// difference: a second `features` member is refused, where the whole document's parse
/// silently kept the last one.)
pub fn for_each_feature(file: &InputFile, each: impl FnMut(RawFeature<'_>)) -> Result<()> {
    file.require_content()?;
    let text = file.text()?;
    let mut stream = Stream {
        file: &file.name,
        each,
        kind: None,
        crs: None,
        features: Seen::Missing,
        count: 0,
        first_error: None,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::DeserializeSeed::deserialize(Top(&mut stream), &mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
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
    stream.finish()
}

/// What the top-level `features` member turned out to be.
enum Seen {
    Missing,
    NotArray,
    Array,
}

/// The state of one streamed read: the top-level members kept for the checks at the end,
/// and the features counted.
struct Stream<'a, F> {
    file: &'a str,
    each: F,
    /// The top-level `type` (`None` when absent or when the top level is not an object).
    kind: Option<Value>,
    crs: Option<Value>,
    features: Seen,
    count: u64,
    /// The first entry of `features` that is not a Feature.
    first_error: Option<Error>,
}

impl<F: FnMut(RawFeature<'_>)> Stream<'_, F> {
    fn feature(&mut self, f: Value) {
        self.count += 1;
        if self.first_error.is_some() {
            return;
        }
        let (file, number) = (self.file, self.count);
        if f.get("type").and_then(Value::as_str) != Some("Feature") {
            self.first_error = Some(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    file,
                    number,
                    "type",
                    "this entry of \"features\" is not a Feature",
                ),
            ));
            return;
        }
        let empty = Map::new();
        let properties = match f.get("properties") {
            Some(Value::Object(m)) => m,
            None | Some(Value::Null) => &empty,
            Some(_) => {
                self.first_error = Some(Error::problem(
                    Code::InvalidFile,
                    Problem::at(file, number, "properties", "properties must be an object"),
                ));
                return;
            }
        };
        (self.each)(RawFeature {
            number,
            properties,
            geometry: f.get("geometry").filter(|g| !g.is_null()),
            id: f.get("id"),
        });
    }

    /// The checks of the whole document, once it has been read.
    fn finish(self) -> Result<()> {
        let file = self.file;
        match self.kind.as_ref().and_then(Value::as_str) {
            Some("FeatureCollection") => {}
            Some(other) => {
                return Err(Error::problem(
                    Code::InvalidFile,
                    Problem::at(
                        file,
                        1,
                        "type",
                        format!("expected a GeoJSON FeatureCollection, found a {other}"),
                    ),
                ));
            }
            None => {
                return Err(Error::problem(
                    Code::InvalidFile,
                    Problem::in_file(file, "not GeoJSON: the top-level object has no \"type\""),
                ));
            }
        }
        if let Some(crs) = &self.crs {
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
                        file,
                        format!(
                            "the file declares the coordinate system '{name}'; gapmap needs WGS84 longitude/latitude (EPSG:4326). Re-export it as GeoJSON in EPSG:4326 (e.g. ogr2ogr -t_srs EPSG:4326)"
                        ),
                    ),
                ));
            }
        }
        if !matches!(self.features, Seen::Array) {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    file,
                    1,
                    "features",
                    "a FeatureCollection needs a \"features\" array",
                ),
            ));
        }
        if self.count == 0 {
            return Err(Error::problem(
                Code::EmptyFile,
                Problem::in_file(file, "the FeatureCollection has no features"),
            ));
        }
        match self.first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The top level: an object whose members are read one by one (`features` streamed).
struct Top<'s, 'a, F>(&'s mut Stream<'a, F>);

impl<'de, F: FnMut(RawFeature<'_>)> serde::de::DeserializeSeed<'de> for Top<'_, '_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: FnMut(RawFeature<'_>)> serde::de::Visitor<'de> for Top<'_, '_, F> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                // A repeated member counts as its last occurrence, as in a parsed object.
                "type" => self.0.kind = Some(map.next_value()?),
                "crs" => self.0.crs = Some(map.next_value()?),
                "features" => map.next_value_seed(Features(&mut *self.0))?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    // Any other JSON value is read and found not to be GeoJSON (it has no "type").
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }
}

/// The `features` member: each entry parsed alone and handed on before the next is read.
struct Features<'s, 'a, F>(&'s mut Stream<'a, F>);

impl<'de, F: FnMut(RawFeature<'_>)> serde::de::DeserializeSeed<'de> for Features<'_, '_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: FnMut(RawFeature<'_>)> serde::de::Visitor<'de> for Features<'_, '_, F> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of GeoJSON Features")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        if matches!(self.0.features, Seen::Array) && self.0.first_error.is_none() {
            // Its features are already handed on: refuse the file rather than merge the two.
            self.0.first_error = Some(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    self.0.file,
                    1,
                    "features",
                    "the FeatureCollection has more than one \"features\" member",
                ),
            ));
        }
        self.0.features = Seen::Array;
        while let Some(f) = seq.next_element::<Value>()? {
            self.0.feature(f);
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        self.0.features = Seen::NotArray;
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        self.0.features = Seen::NotArray;
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        self.0.features = Seen::NotArray;
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        self.0.features = Seen::NotArray;
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        self.0.features = Seen::NotArray;
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        self.0.features = Seen::NotArray;
        Ok(())
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        self.0.features = Seen::NotArray;
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading this module did before it streamed: the whole document parsed as one
    /// `serde_json::Value`, then checked. Kept as the reference the streamed read must match.
    mod whole_document {
        use super::super::InputFile;
        use crate::error::{Code, Error, Problem, Result};
        use serde_json::{Map, Value};

        pub struct RawFeature<'a> {
            pub number: u64,
            pub properties: &'a Map<String, Value>,
            pub geometry: Option<&'a Value>,
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
                                Problem::at(
                                    file,
                                    number,
                                    "properties",
                                    "properties must be an object",
                                ),
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
    }

    /// What a read hands on: each feature's number, properties, geometry and id, or the
    /// error's code and problems.
    type Read = std::result::Result<
        Vec<(u64, Value, Option<Value>, Option<Value>)>,
        (Code, String, Vec<Problem>),
    >;

    fn streamed(text: &str) -> Read {
        let file = InputFile::new("f.geojson", text);
        let mut out = Vec::new();
        for_each_feature(&file, |f| {
            out.push((
                f.number,
                Value::Object(f.properties.clone()),
                f.geometry.cloned(),
                f.id.cloned(),
            ));
        })
        .map(|()| out)
        .map_err(|e| (e.code(), e.message().to_owned(), e.details().to_vec()))
    }

    fn whole(text: &str) -> Read {
        let file = InputFile::new("f.geojson", text);
        whole_document::parse(&file)
            .and_then(|doc| {
                whole_document::features(&doc, &file.name).map(|fs| {
                    fs.iter()
                        .map(|f| {
                            (
                                f.number,
                                Value::Object(f.properties.clone()),
                                f.geometry.cloned(),
                                f.id.cloned(),
                            )
                        })
                        .collect()
                })
            })
            .map_err(|e| (e.code(), e.message().to_owned(), e.details().to_vec()))
    }

    const POINT: &str = r#"{"type":"Point","coordinates":[-87.6,41.8]}"#;

    #[test]
    fn streaming_hands_on_the_features_and_errors_the_whole_document_gave() {
        let f = |props: &str| {
            format!(r#"{{"type":"Feature","id":7,"properties":{props},"geometry":{POINT}}}"#)
        };
        let cases = [
            // Valid, in every member order, with a BOM, a CRS84 crs and null properties.
            format!(
                r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
                f(r#"{"a":1}"#),
                f("null")
            ),
            format!(
                r#"{{"features":[{}],"name":"x","type":"FeatureCollection"}}"#,
                f(r#"{"b":[1,2]}"#)
            ),
            format!(
                "\u{feff}{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
                f("{}")
            ),
            format!(
                r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}},"features":[{}]}}"#,
                f("{}")
            ),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}"#
                .to_owned(),
            // Malformed JSON early, late, and trailing characters.
            "{\"type\":\"FeatureCollection\",\n\"features\":[{\"type\":}]}".to_owned(),
            format!(
                r#"{{"type":"FeatureCollection","features":[{},{{"type":"Feature""#,
                f("{}")
            ),
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}} x"#,
                f("{}")
            ),
            // Not a FeatureCollection, in several ways.
            format!(r#"{{"features":[{}]}}"#, f("{}")),
            format!(r#"{{"type":"Feature","features":[{}]}}"#, f("{}")),
            format!(r#"{{"features":[{}],"type":7}}"#, f("{}")),
            "[1,2,3]".to_owned(),
            "\"text\"".to_owned(),
            // A projected crs, after the features.
            format!(
                r#"{{"type":"FeatureCollection","features":[{}],"crs":{{"type":"name","properties":{{"name":"EPSG:3435"}}}}}}"#,
                f("{}")
            ),
            // No features array, an object instead, an empty one.
            r#"{"type":"FeatureCollection"}"#.to_owned(),
            r#"{"type":"FeatureCollection","features":{"a":1}}"#.to_owned(),
            r#"{"type":"FeatureCollection","features":[]}"#.to_owned(),
            // An entry that is not a Feature, and properties that are not an object.
            format!(
                r#"{{"type":"FeatureCollection","features":[{},{{"type":"Point"}},7]}}"#,
                f("{}")
            ),
            format!(
                r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
                f("{}"),
                f("[1]")
            ),
            // Empty and blank files, and one that is not UTF-8.
            String::new(),
            " \n ".to_owned(),
        ];
        for text in &cases {
            assert_eq!(streamed(text), whole(text), "{text}");
        }
        let latin1 = b"{\"type\":\"FeatureCollection\",\"features\":[\xe9]}".to_vec();
        let file = InputFile::new("f.geojson", latin1);
        let e = for_each_feature(&file, |_| {}).unwrap_err();
        let before = whole_document::parse(&file).err().unwrap();
        assert_eq!((e.code(), e.details()), (before.code(), before.details()));
    }

    #[test]
    fn a_second_features_member_is_refused_instead_of_merged() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{POINT}}}],"features":[]}}"#
        );
        let (code, _, problems) = streamed(&text).unwrap_err();
        assert_eq!(code, Code::InvalidFile);
        assert_eq!(problems[0].field.as_deref(), Some("features"));
        assert!(
            problems[0].message.contains("more than one"),
            "{problems:?}"
        );
    }
}
