//! The community-assessment report of one year: `GET /reports/{year}` and `gapmap
//! report`, organised by the elements 45 CFR 1302.11(b)(1)(i)–(vi) requires.
//!
//! The report is assembled once as a [`model::Report`] (headings, paragraphs, tables,
//! maps) from the Atlas and the uploads' provenance, never from the store, and written as
//! one self-contained HTML page (inline CSS and SVG, no scripts, no external requests)
//! with print styles, so a browser's "Print to PDF" gives the document programs publish,
//! or as an editable Word document (`?format=docx`, [`docx`]) in which programs finish
//! the narrative.
//!
//! Contents: the year's needs at a glance (deserts, and how many are uncertain across
//! the margin of error); (i) eligible children by number, location, race, ethnicity and
//! language, with homelessness, foster care and disabilities; (ii) the families' needs,
//! with per need a choropleth of the share of the target met, deserts hatched, the
//! totals, the change since the previous year, the worst deserts and the uncertain ones
//! listed apart, and the four barriers families meet (child care, English proficiency,
//! non-traditional hours, transportation) per area; (iii) parents' work schedules; (iv) other child care and early
//! education programs and the children they serve; (v) community resources; (vi)
//! community strengths, the asset map; the partnerships (partners by level and stage,
//! moves during the year, agreements ending within 90 days of the report date); then
//! the data sources and vintages, and the
//! caveats (ACS reliability, plausibility warnings, data gaps). Every figure carries its
//! source, vintage and margin, or says "not provided" and which upload fills it in.
//! Every string that came from an upload is escaped by the writer.

mod barriers;
mod context;
mod docx;
mod elements;
mod html;
pub mod model;
mod needs;
mod page;
mod partnerships;
mod reliability;
mod sources;
mod svg;
mod text;

pub use page::{ReportInput, build};
pub use partnerships::{AGREEMENT_WINDOW_DAYS, ReportDate};
pub use reliability::{CV_LIMIT, Flagged, Reliability, Z90, check, cv};
pub use svg::{Dot, Key, LegendAt, Shape, choropleth, choropleth_with_dots};
pub use text::{amount, change, escape, number, percent};

use crate::error::Result;

/// The report as one HTML page.
pub fn render(input: ReportInput<'_>) -> Result<String> {
    Ok(html::write(&build(input)?))
}

/// The same report as an editable Word document (DOCX).
pub fn render_docx(input: ReportInput<'_>) -> Result<Vec<u8>> {
    docx::write(&build(input)?)
}
