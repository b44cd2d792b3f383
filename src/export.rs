//! Serialising what the store holds into the formats users download: assessment JSON and
//! CSV (which upload again unchanged), areas and sites as GeoJSON, and the partner
//! directory as the flat CSV. The API and the command line share these.

use crate::atlas::{Atlas, GeographyData};
use crate::domain::{Assessment, Site};
use serde_json::{Map, Value, json};

/// The assessment as `{year, version, geography, indicators, columns, warnings, areas:
/// [{geoid, values}]}`; `warnings` are those the upload was stored with.
pub fn assessment_json(a: &Assessment) -> Value {
    let areas: Vec<Value> = a
        .table
        .rows
        .iter()
        .map(|r| {
            let values: Map<String, Value> = a
                .table
                .columns
                .iter()
                .zip(&r.values)
                .map(|(c, v)| (c.clone(), v.map_or(Value::Null, |x| json!(x))))
                .collect();
            json!({"geoid": r.geoid.as_str(), "values": values})
        })
        .collect();
    json!({
        "year": a.year,
        "version": a.version,
        "geography": a.geography,
        "indicators": a.table.indicators(),
        "columns": a.table.columns,
        "warnings": a.warnings,
        "areas": areas,
    })
}

/// The table as CSV: `GEOID` then every column in upload order; numbers in their shortest
/// exact form, so uploading the download again stores the same values.
pub fn assessment_csv(a: &Assessment) -> String {
    let mut out = String::from("GEOID");
    for c in &a.table.columns {
        out.push(',');
        out.push_str(&csv_cell(c));
    }
    out.push('\n');
    for r in &a.table.rows {
        out.push_str(&csv_cell(r.geoid.as_str()));
        for v in &r.values {
            out.push(',');
            if let Some(x) = v {
                out.push_str(&x.to_string());
            }
        }
        out.push('\n');
    }
    out
}

/// Quotes a CSV cell when it needs it.
pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A geography's areas as a FeatureCollection (feature id = GEOID).
pub fn areas_geojson(g: &GeographyData) -> Value {
    let features: Vec<Value> = g
        .geography
        .areas
        .iter()
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

/// The whole directory in the flat CSV format (`crate::ingest::flat_csv`), which imports
/// again to the same sites and partners.
pub fn sites_flat_csv(atlas: &Atlas) -> String {
    let mut out = String::from(
        "id,name,partner,partner_id,kind,lat,lon,services,capacity,languages,hours,address,partnership_level,partnership_stage,agreement_start,agreement_end,notes\n",
    );
    for s in &atlas.sites {
        let p = atlas.partners.get(&s.partner_id);
        let services: Vec<&str> = s.services.iter().map(|x| x.code.as_str()).collect();
        let capacity: Vec<String> = s
            .services
            .iter()
            .filter_map(|x| x.capacity.map(|c| format!("{}={c}", x.code)))
            .collect();
        let cells = [
            s.id.clone(),
            s.name.clone(),
            p.map(|p| p.name.clone()).unwrap_or_default(),
            s.partner_id.clone(),
            p.and_then(|p| p.kind.clone()).unwrap_or_default(),
            s.location.lat().to_string(),
            s.location.lon().to_string(),
            services.join(";"),
            capacity.join(";"),
            s.languages.join(";"),
            s.hours
                .as_ref()
                .map(|h| h.as_str().to_owned())
                .unwrap_or_default(),
            s.address.clone().unwrap_or_default(),
            p.and_then(|p| p.partnership_level)
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            p.and_then(|p| p.partnership_stage)
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            p.and_then(|p| p.agreement_start.clone())
                .unwrap_or_default(),
            p.and_then(|p| p.agreement_end.clone()).unwrap_or_default(),
            p.and_then(|p| p.notes.clone()).unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
