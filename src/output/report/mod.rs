//! The printable community-assessment report of one year: `GET /reports/{year}` and
//! `gapmap report`. One self-contained HTML page (inline CSS and SVG, no scripts, no
//! external requests) with print styles, so a browser's "Print to PDF" or headless
//! Chromium gives the document programs publish in their annual report.
//!
//! Contents: the year's needs at a glance; per need a choropleth of the share of the
//! target met with deserts hatched, the totals, the change since the previous year and
//! the worst deserts; the data sources and vintages; and the ACS reliability caveat.
//! Every string that came from an upload (names, GEOIDs, file names, indicators) is
//! escaped.

mod page;
mod reliability;
mod svg;
mod text;

pub use page::render;
pub use reliability::{CV_LIMIT, Flagged, Reliability, Z90, check, cv};
pub use svg::{Key, LegendAt, Shape, choropleth};
pub use text::{amount, change, escape, number, percent};
