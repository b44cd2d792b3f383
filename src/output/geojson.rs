//! GeoJSON shared by the outputs: areas with their polygons, and sites as points.

use super::Layout;
use crate::atlas::{Atlas, GeographyData};
use crate::domain::Site;
use serde_json::{Map, Value, json};
use std::io::Write;

/// GeoJSON features for rows of a geography's areas: `(area position, GEOID, properties)`,
/// each with its area's polygon (null when the position is unknown), made one at a time.
/// Shared by the analyses that answer as GeoJSON.
pub fn area_features<'a>(
    atlas: &'a Atlas,
    geography: &str,
    rows: impl Iterator<Item = (u32, &'a str, Value)> + 'a,
) -> impl Iterator<Item = Value> + 'a {
    let areas = atlas
        .geographies
        .get(geography)
        .map(|g| g.geography.areas.as_slice())
        .unwrap_or_default();
    rows.map(move |(area, geoid, properties)| {
        let geometry = areas.get(area as usize).map_or(Value::Null, |a| {
            json!(geojson::GeometryValue::from(&a.geometry))
        });
        json!({"type": "Feature", "id": geoid, "geometry": geometry, "properties": properties})
    })
}

/// Writes a FeatureCollection: the members of `envelope` (an object; `type` and the
/// foreign members) and `features`, serialised one feature at a time, so the collection
/// is never held whole. The bytes are those of serialising the whole object with
/// `features` in it: compact, members in the order serde_json writes them.
pub fn write_collection(
    w: &mut dyn Write,
    envelope: Value,
    mut features: impl Iterator<Item = Value>,
    layout: Layout,
) -> std::io::Result<()> {
    let Value::Object(mut members) = envelope else {
        return Err(std::io::Error::other("a FeatureCollection is an object"));
    };
    if layout == Layout::Pretty {
        // People reading a terminal: indented, built whole (small enough to read).
        members.insert("features".into(), Value::Array(features.collect()));
        return serde_json::to_writer_pretty(w, &members).map_err(std::io::Error::other);
    }
    // A placeholder gives `features` its place among the members.
    members.insert("features".into(), Value::Null);
    w.write_all(b"{")?;
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, name).map_err(std::io::Error::other)?;
        w.write_all(b":")?;
        if name == "features" {
            w.write_all(b"[")?;
            for (j, feature) in features.by_ref().enumerate() {
                if j > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut *w, &feature).map_err(std::io::Error::other)?;
            }
            w.write_all(b"]")?;
        } else {
            serde_json::to_writer(&mut *w, value).map_err(std::io::Error::other)?;
        }
    }
    w.write_all(b"}")
}

/// A geography's areas as a FeatureCollection (feature id = GEOID).
pub fn areas_geojson(w: &mut dyn Write, g: &GeographyData, layout: Layout) -> std::io::Result<()> {
    areas_collection(w, g.geography.areas.iter(), layout)
}

/// One area of a geography (by position) as a FeatureCollection of one feature.
pub fn area_geojson(
    w: &mut dyn Write,
    g: &GeographyData,
    at: usize,
    layout: Layout,
) -> std::io::Result<()> {
    areas_collection(w, g.geography.areas.get(at).into_iter(), layout)
}

fn areas_collection<'a>(
    w: &mut dyn Write,
    areas: impl Iterator<Item = &'a crate::domain::Area>,
    layout: Layout,
) -> std::io::Result<()> {
    let features = areas.map(|a| {
        json!({
            "type": "Feature",
            "id": a.geoid.as_str(),
            "properties": {
                "geoid": a.geoid.as_str(),
                "name": a.name,
                "demand_lon": a.demand_point.lon(),
                "demand_lat": a.demand_point.lat(),
                "demand_point_source": a.demand_point_source.as_str(),
            },
            "geometry": geojson::GeometryValue::from(&a.geometry),
        })
    });
    write_collection(w, json!({"type": "FeatureCollection"}), features, layout)
}

/// Sites as GeoJSON points with their partner's details.
pub fn sites_geojson<'a>(atlas: &Atlas, sites: impl Iterator<Item = &'a Site>) -> Value {
    let features: Vec<Value> = sites.map(|s| site_feature(atlas, s)).collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// Sites as a FeatureCollection of points, written one feature at a time.
pub fn write_sites<'a>(
    w: &mut dyn Write,
    atlas: &Atlas,
    sites: impl Iterator<Item = &'a Site>,
    layout: Layout,
) -> std::io::Result<()> {
    let features = sites.map(|s| site_feature(atlas, s));
    write_collection(w, json!({"type": "FeatureCollection"}), features, layout)
}

fn site_feature(atlas: &Atlas, s: &Site) -> Value {
    let p = atlas.partners.get(&s.partner_id);
    let capacity: Map<String, Value> = s
        .services
        .iter()
        .filter_map(|x| x.capacity.map(|c| (x.code.clone(), json!(c))))
        .collect();
    json!({
        "type": "Feature",
        "id": s.id,
        "geometry": {"type": "Point", "coordinates": [s.location.lon(), s.location.lat()]},
        "properties": {
            "id": s.id,
            "name": s.name,
            "partner_id": s.partner_id,
            "partner": p.map(|p| p.name.as_str()),
            "kind": p.and_then(|p| p.kind.as_deref()),
            "services": s.services.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(),
            "capacity": capacity,
            "languages": s.languages,
            "hours": s.hours.as_ref().map(|h| h.as_str()),
            "address": s.address,
            "partnership_level": p.and_then(|p| p.partnership_level),
            "partnership_stage": p.and_then(|p| p.partnership_stage),
            "agreement_start": p.and_then(|p| p.agreement_start.as_deref()),
            "agreement_end": p.and_then(|p| p.agreement_end.as_deref()),
        }
    })
}

/// A GeoJSON FeatureCollection (RFC 7946); answers add foreign members such as `summary`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only its schema is used: the functions above write the real ones.
pub struct FeatureCollection {
    /// Always `FeatureCollection`.
    #[schema(rename = "type", pattern = "^FeatureCollection$")]
    kind: String,
    /// The features.
    features: Vec<Feature>,
}

/// A GeoJSON Feature.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only its schema is used.
pub struct Feature {
    /// Always `Feature`.
    #[schema(rename = "type", pattern = "^Feature$")]
    kind: String,
    /// The GEOID of an area, the id of a site.
    #[schema(value_type = Option<String>)]
    id: Option<String>,
    /// A Point, Polygon or MultiPolygon in WGS 84 longitude/latitude.
    #[schema(value_type = Object)]
    geometry: serde_json::Value,
    /// The area's metrics or the site's details.
    #[schema(value_type = Object)]
    properties: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_written_feature_by_feature_is_the_whole_object_serialised() {
        // Members sorting before and after `features`, and features with polygons.
        let features: Vec<Value> = (0..3)
            .map(|i| json!({"type": "Feature", "id": format!("a{i}"), "geometry": null, "properties": {"x": i, "s": "\"q\""}}))
            .collect();
        let envelope =
            json!({"type": "FeatureCollection", "bbox": [0, 1], "year": 2020, "summary": {"n": 3}});
        let mut whole = envelope.clone();
        whole["features"] = Value::Array(features.clone());
        for (layout, expected) in [
            (Layout::Compact, serde_json::to_vec(&whole).unwrap()),
            (Layout::Pretty, serde_json::to_vec_pretty(&whole).unwrap()),
        ] {
            let mut w = Vec::new();
            write_collection(
                &mut w,
                envelope.clone(),
                features.clone().into_iter(),
                layout,
            )
            .unwrap();
            assert_eq!(
                String::from_utf8(w).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
        let mut w = Vec::new();
        write_collection(&mut w, envelope, std::iter::empty(), Layout::Compact).unwrap();
        assert!(
            String::from_utf8(w)
                .unwrap()
                .contains(r#""features":[],"summary""#)
        );
    }
}
