//! Ranked outreach areas as CSV and GeoJSON.

use super::Layout;
use super::csv::Csv;
use super::geojson::{area_features, write_collection};
use crate::analysis::OutreachReport;
use crate::analysis::outreach::NEAREST_SITES;
use crate::atlas::Atlas;
use serde_json::{Value, json};
use std::io::Write;

/// The ranked areas as CSV: `rank, geoid, name, target, target_moe, enrolled, unserved,
/// over_enrolled, desert_count`, one `desert_<need>` column per flagged need, then for
/// each of the nearest sites `site<k>_id, site<k>_name, site<k>_partner,
/// site<k>_services` (`;`-separated) and `site<k>_km`. Empty cells for null.
pub fn csv(report: &OutreachReport, w: &mut dyn Write) -> std::io::Result<()> {
    let mut header: Vec<String> = [
        "rank",
        "geoid",
        "name",
        "target",
        "target_moe",
        "enrolled",
        "unserved",
        "over_enrolled",
        "desert_count",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for code in &report.params.desert_needs {
        header.push(format!("desert_{code}"));
    }
    for k in 1..=NEAREST_SITES {
        for f in ["id", "name", "partner", "services", "km"] {
            header.push(format!("site{k}_{f}"));
        }
    }
    let mut csv = Csv::with_header(&header);
    for r in &report.areas {
        csv.integer(r.rank as i64)
            .text(r.geoid.as_str())
            .text(&r.name)
            .opt_number(r.target)
            .opt_number(r.target_moe)
            .opt_number(r.enrolled)
            .number(r.unserved)
            .flag(r.over_enrolled)
            .integer(r.desert_count as i64);
        for code in &report.params.desert_needs {
            csv.flag(r.deserts.get(code).copied().unwrap_or(false));
        }
        for k in 0..NEAREST_SITES {
            match r.nearest_sites.get(k) {
                Some(s) => {
                    csv.text(&s.id)
                        .text(&s.name)
                        .text(s.partner.as_deref().unwrap_or_default())
                        .text(&s.services.join(";"))
                        .number(s.distance_km);
                }
                None => {
                    for _ in 0..5 {
                        csv.empty();
                    }
                }
            }
        }
        csv.end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}

/// The ranked areas as a FeatureCollection of their polygons (feature id = GEOID) with
/// the row's fields as properties, in rank order; `year`, `params`, `notes` and `summary`
/// ride along as foreign members.
pub fn geojson(
    report: &OutreachReport,
    atlas: &Atlas,
    w: &mut dyn Write,
    layout: Layout,
) -> std::io::Result<()> {
    let features = area_features(
        atlas,
        &report.geography,
        report.areas.iter().map(|r| {
            let properties = serde_json::to_value(r).unwrap_or(Value::Null);
            (r.area, r.geoid.as_str(), properties)
        }),
    );
    let envelope = json!({
        "type": "FeatureCollection",
        "year": report.year,
        "params": report.params,
        "notes": report.notes,
        "summary": report.summary,
    });
    write_collection(w, envelope, features, layout)
}
