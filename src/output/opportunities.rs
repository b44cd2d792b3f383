//! Organisations worth approaching, as CSV.

use super::csv::Csv;
use crate::analysis::OpportunityReport;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "rank",
    "partner_id",
    "partner",
    "site_id",
    "name",
    "kind",
    "partnership_level",
    "lon",
    "lat",
    "gain",
    "shortfall_within",
    "areas",
    "deserts",
];

/// One row per opportunity, best first; `areas` and `deserts` are `;`-separated GEOIDs.
pub fn csv(report: &OpportunityReport) -> String {
    let mut csv = Csv::with_header(CSV_COLUMNS);
    for o in &report.opportunities {
        let join =
            |v: &[crate::domain::Geoid]| v.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(";");
        csv.integer(o.rank as i64)
            .text(&o.partner_id)
            .text(&o.partner)
            .text(&o.site_id)
            .text(&o.name)
            .text(o.kind.as_deref().unwrap_or_default())
            .text(o.partnership_level.map_or("", |l| l.as_str()))
            .number(o.lon)
            .number(o.lat)
            .number(o.gain)
            .number(o.shortfall_within)
            .text(&join(&o.areas))
            .text(&join(&o.deserts))
            .end_row();
    }
    csv.finish()
}
