//! Access by vehicle as CSV (its JSON form is the report's own serialisation).

use super::csv::Csv;
use crate::analysis::VehicleReport;

/// The CSV columns, in order: the JSON fields' names.
pub const CSV_COLUMNS: [&str; 12] = [
    "geoid",
    "name",
    "demand",
    "carless_share",
    "demand_carless",
    "demand_car",
    "access_carless",
    "access_car",
    "access",
    "carless_gap",
    "nearest_minutes_carless",
    "nearest_minutes_car",
];

/// One row per area; numbers in their shortest exact form, empty cells for null.
pub fn csv(report: &VehicleReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut csv = Csv::with_header(CSV_COLUMNS);
    for a in &report.areas {
        csv.text(a.geoid.as_str())
            .text(&a.name)
            .number(a.demand)
            .opt_number(a.carless_share)
            .number(a.demand_carless)
            .number(a.demand_car)
            .number(a.access_carless)
            .number(a.access_car)
            .number(a.access)
            .number(a.carless_gap)
            .opt_number(a.nearest_minutes_carless)
            .opt_number(a.nearest_minutes_car)
            .end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}
