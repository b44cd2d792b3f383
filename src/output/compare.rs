//! A year-over-year comparison as CSV and GeoJSON.

use super::Layout;
use super::csv::Csv;
use super::geojson::write_collection;
use crate::analysis::CompareReport;
use crate::atlas::Atlas;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;

/// The CSV columns, in order: the JSON row's fields.
pub const CSV_COLUMNS: [&str; 20] = [
    "geoid",
    "name",
    "present_in",
    "demand_from",
    "demand_to",
    "demand_change",
    "access_2sfca_from",
    "access_2sfca_to",
    "access_2sfca_change",
    "access_e2sfca_from",
    "access_e2sfca_to",
    "access_e2sfca_change",
    "shortfall_from",
    "shortfall_to",
    "shortfall_change",
    "desert_from",
    "desert_to",
    "desert_flipped",
    "from",
    "to",
];

/// One row per area; empty cells for null.
pub fn csv(report: &CompareReport, w: &mut dyn Write) -> std::io::Result<()> {
    let mut csv = Csv::with_header(CSV_COLUMNS);
    for a in &report.areas {
        csv.text(a.geoid.as_str())
            .text(&a.name)
            .text(&text(&a.present_in))
            .opt_number(a.demand_from)
            .opt_number(a.demand_to)
            .opt_number(a.demand_change)
            .opt_number(a.access_2sfca_from)
            .opt_number(a.access_2sfca_to)
            .opt_number(a.access_2sfca_change)
            .opt_number(a.access_e2sfca_from)
            .opt_number(a.access_e2sfca_to)
            .opt_number(a.access_e2sfca_change)
            .opt_number(a.shortfall_from)
            .opt_number(a.shortfall_to)
            .opt_number(a.shortfall_change)
            .opt_flag(a.desert_from)
            .opt_flag(a.desert_to)
            .opt_text(a.desert_flipped.as_ref().map(text).as_deref())
            .integer(report.params.from)
            .integer(report.params.to)
            .end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}

/// A unit enum's serde name.
fn text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The rows as a FeatureCollection (feature id = GEOID) for a map of the change: each
/// area drawn with its polygon in `to`'s geography, or in `from`'s when it is only there;
/// `params`, `notes` and `summary` ride along as foreign members.
pub fn geojson(
    report: &CompareReport,
    atlas: &Atlas,
    w: &mut dyn Write,
    layout: Layout,
) -> std::io::Result<()> {
    let areas_of = |name: &str| {
        atlas
            .geographies
            .get(name)
            .map(|g| g.geography.areas.as_slice())
            .unwrap_or_default()
    };
    let (from, to) = (
        areas_of(&report.params.geography_from),
        areas_of(&report.params.geography_to),
    );
    let features = report.areas.iter().map(|a| {
        let area = match (a.area_to, a.area_from) {
            (Some(t), _) => to.get(t as usize),
            (None, Some(f)) => from.get(f as usize),
            (None, None) => None,
        };
        let geometry = area.map_or(Value::Null, |area| {
            json!(geojson::GeometryValue::from(&area.geometry))
        });
        json!({
            "type": "Feature",
            "id": a.geoid.as_str(),
            "geometry": geometry,
            "properties": serde_json::to_value(a).unwrap_or(Value::Null),
        })
    });
    let envelope = json!({
        "type": "FeatureCollection",
        "params": report.params,
        "notes": report.notes,
        "summary": report.summary,
    });
    write_collection(w, envelope, features, layout)
}
