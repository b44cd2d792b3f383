//! GeoJSON shared by the outputs: areas with their polygons, and sites as points.

use crate::atlas::{Atlas, GeographyData};
use crate::domain::Site;
use serde_json::{Map, Value, json};

/// GeoJSON features for rows of a geography's areas: `(area position, GEOID, properties)`,
/// each with its area's polygon (null when the position is unknown). Shared by the
/// analyses that answer as GeoJSON.
pub fn area_features<'a>(
    atlas: &Atlas,
    geography: &str,
    rows: impl Iterator<Item = (u32, &'a str, Value)>,
) -> Vec<Value> {
    let areas = atlas
        .geographies
        .get(geography)
        .map(|g| g.geography.areas.as_slice())
        .unwrap_or_default();
    rows.map(|(area, geoid, properties)| {
        let geometry = areas.get(area as usize).map_or(Value::Null, |a| {
            json!(geojson::GeometryValue::from(&a.geometry))
        });
        json!({"type": "Feature", "id": geoid, "geometry": geometry, "properties": properties})
    })
    .collect()
}

/// A geography's areas as a FeatureCollection (feature id = GEOID).
pub fn areas_geojson(g: &GeographyData) -> Value {
    areas_collection(g.geography.areas.iter())
}

/// One area of a geography (by position) as a FeatureCollection of one feature.
pub fn area_geojson(g: &GeographyData, at: usize) -> Value {
    areas_collection(g.geography.areas.get(at).into_iter())
}

fn areas_collection<'a>(areas: impl Iterator<Item = &'a crate::domain::Area>) -> Value {
    let features: Vec<Value> = areas
        .map(|a| {
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
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// Sites as GeoJSON points with their partner's details.
pub fn sites_geojson<'a>(atlas: &Atlas, sites: impl Iterator<Item = &'a Site>) -> Value {
    let features: Vec<Value> = sites
        .map(|s| {
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
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
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
