//! A gap report as CSV and GeoJSON (its JSON form is the report's own serialisation).

use super::Layout;
use super::csv::Csv;
use super::geojson::{area_features, write_collection};
use crate::analysis::{AreaGap, Certainty, GapReport};
use crate::atlas::Atlas;
use serde_json::{Value, json};
use std::io::Write;

/// The CSV columns, in order: the same names as the JSON fields (those added later come
/// last: the margins of error, then the in-area shortfall and the share of the target
/// met, then the minutes on a travel-time matrix, so files read by position keep their
/// columns).
pub const CSV_COLUMNS: [&str; 18] = [
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
    "shortfall_in_area",
    "target_met",
    "nearest_minutes",
];

/// One row per area; numbers in their shortest exact form, empty cells for null.
pub fn csv(report: &GapReport, w: &mut dyn Write) -> std::io::Result<()> {
    let mut csv = Csv::with_header(CSV_COLUMNS);
    for a in &report.areas {
        csv.text(a.geoid.as_str())
            .text(&a.name)
            .number(a.demand)
            .opt_number(a.nearest_km)
            .integer(a.sites_within)
            .number(a.capacity_within)
            .integer(a.sites_in_area)
            .number(a.capacity_in_area)
            .number(a.access_2sfca)
            .number(a.access_e2sfca)
            .number(a.shortfall)
            .flag(a.desert)
            .opt_text(a.desert_reason.as_deref())
            .opt_number(a.demand_moe)
            .opt_text(a.desert_certainty.map(|c| match c {
                Certainty::Certain => "certain",
                Certainty::Uncertain => "uncertain",
            }))
            .number(a.shortfall_in_area)
            .opt_number(a.target_met)
            .opt_number(a.nearest_minutes.flatten())
            .end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}

/// A FeatureCollection of the areas' polygons (feature id = GEOID) with the metrics as
/// properties; `year`, `need`, `params` and `summary` ride along as foreign members.
pub fn geojson(
    report: &GapReport,
    atlas: &Atlas,
    w: &mut dyn Write,
    layout: Layout,
) -> std::io::Result<()> {
    let features = area_features(
        atlas,
        &report.geography,
        report
            .areas
            .iter()
            .map(|a| (a.area, a.geoid.as_str(), properties(a))),
    );
    let envelope = json!({
        "type": "FeatureCollection",
        "year": report.year,
        "need": report.need,
        "params": report.params,
        "summary": report.summary,
    });
    write_collection(w, envelope, features, layout)
}

fn properties(a: &AreaGap) -> Value {
    serde_json::to_value(a).unwrap_or(Value::Null)
}
