//! Search hits as CSV (their JSON form is the report's own serialisation).

use super::csv::Csv;
use crate::analysis::SearchReport;

/// The CSV columns, in order: one row per hit listed, areas then partners then sites;
/// a column that does not apply to a kind is empty.
pub const CSV_COLUMNS: [&str; 8] = [
    "kind",
    "id",
    "name",
    "geography",
    "partner_id",
    "partner",
    "lon",
    "lat",
];

pub fn csv(report: &SearchReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut csv = Csv::with_header(CSV_COLUMNS);
    for a in &report.areas {
        csv.text("area")
            .text(&a.geoid)
            .text(&a.name)
            .text(&a.geography)
            .empty()
            .empty()
            .empty()
            .empty()
            .end_row();
    }
    for p in &report.partners {
        csv.text("partner")
            .text(&p.id)
            .text(&p.name)
            .empty()
            .text(&p.id)
            .text(&p.name)
            .empty()
            .empty()
            .end_row();
    }
    for s in &report.sites {
        csv.text("site")
            .text(&s.id)
            .text(&s.name)
            .empty()
            .text(&s.partner_id)
            .text(&s.partner)
            .number(s.lon)
            .number(s.lat)
            .end_row();
    }
    csv.finish_into(w)
}
