//! The barriers profile as CSV and GeoJSON.

use super::Layout;
use super::csv::Csv;
use super::geojson::{area_features, write_collection};
use crate::analysis::BarrierReport;
use crate::analysis::barriers::{BARRIERS, BarrierStatus};
use crate::atlas::Atlas;
use serde_json::{Value, json};
use std::io::Write;

/// `geoid, name, count`, then per barrier `<code>_desert, <code>_shortfall,
/// <code>_nearest_km` (empty where the barrier is not measured or has no site).
pub fn csv(report: &BarrierReport, w: &mut dyn Write) -> std::io::Result<()> {
    let mut header: Vec<String> = vec!["geoid".into(), "name".into(), "count".into()];
    for (code, ..) in BARRIERS {
        for f in ["desert", "shortfall", "nearest_km"] {
            header.push(format!("{code}_{f}"));
        }
    }
    let mut csv = Csv::with_header(&header);
    for a in &report.areas {
        csv.text(a.geoid.as_str())
            .text(&a.name)
            .integer(a.count as i64);
        let b = &a.barriers;
        for status in [&b.childcare, &b.language, &b.hours, &b.transportation] {
            match status {
                Some(BarrierStatus {
                    desert,
                    shortfall,
                    nearest_km,
                }) => {
                    csv.flag(*desert).number(*shortfall).opt_number(*nearest_km);
                }
                None => {
                    csv.empty().empty().empty();
                }
            }
        }
        csv.end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}

/// The areas' polygons with their barriers and count as properties (feature id = GEOID);
/// `year` and `barriers` ride along as foreign members.
pub fn geojson(
    report: &BarrierReport,
    atlas: &Atlas,
    w: &mut dyn Write,
    layout: Layout,
) -> std::io::Result<()> {
    let features = area_features(
        atlas,
        &report.geography,
        report.areas.iter().map(|a| {
            let properties = serde_json::to_value(a).unwrap_or(Value::Null);
            (a.area, a.geoid.as_str(), properties)
        }),
    );
    let envelope = json!({
        "type": "FeatureCollection",
        "year": report.year,
        "barriers": report.barriers,
        "areas_by_count": report.areas_by_count,
    });
    write_collection(w, envelope, features, layout)
}
