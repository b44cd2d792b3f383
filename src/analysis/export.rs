//! A gap report as CSV and as GeoJSON (the JSON form is the report's own serialisation).

use super::gaps::{AreaGap, GapReport};
use crate::atlas::Atlas;
use serde_json::{Value, json};

/// The CSV columns, in order: the same names as the JSON fields (the two added with the
/// margins of error come last, so files read by position keep their columns).
pub const CSV_COLUMNS: [&str; 15] = [
    "geoid",
    "name",
    "demand",
    "nearest_km",
    "sites_within",
    "capacity_within",
    "sites_in_area",
    "capacity_in_area",
    "access_2sfca",
    "access_e2sfca",
    "shortfall",
    "desert",
    "desert_reason",
    "demand_moe",
    "desert_certainty",
];

/// One row per area; numbers in their shortest exact form, empty cells for null.
pub fn to_csv(report: &GapReport) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for a in &report.areas {
        let cells = [
            cell(a.geoid.as_str()),
            cell(&a.name),
            a.demand.to_string(),
            a.nearest_km.map(|x| x.to_string()).unwrap_or_default(),
            a.sites_within.to_string(),
            a.capacity_within.to_string(),
            a.sites_in_area.to_string(),
            a.capacity_in_area.to_string(),
            a.access_2sfca.to_string(),
            a.access_e2sfca.to_string(),
            a.shortfall.to_string(),
            a.desert.to_string(),
            a.desert_reason.as_deref().map(cell).unwrap_or_default(),
            a.demand_moe.map(|x| x.to_string()).unwrap_or_default(),
            match a.desert_certainty {
                Some(super::Certainty::Certain) => "certain".to_owned(),
                Some(super::Certainty::Uncertain) => "uncertain".to_owned(),
                None => String::new(),
            },
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

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

/// A FeatureCollection of the areas' polygons (feature id = GEOID) with the metrics as
/// properties; `year`, `need`, `params` and `summary` ride along as foreign members.
pub fn to_geojson(report: &GapReport, atlas: &Atlas) -> Value {
    let features = area_features(
        atlas,
        &report.geography,
        report
            .areas
            .iter()
            .map(|a| (a.area, a.geoid.as_str(), properties(a))),
    );
    json!({
        "type": "FeatureCollection",
        "year": report.year,
        "need": report.need,
        "params": report.params,
        "summary": report.summary,
        "features": features,
    })
}

fn properties(a: &AreaGap) -> Value {
    serde_json::to_value(a).unwrap_or(Value::Null)
}
