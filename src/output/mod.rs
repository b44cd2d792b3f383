//! The output layer: every format gapmap writes is produced here, and only here.
//!
//! A caller (an API handler, a CLI command) names a [`Document`] — an analysis answer or
//! something the store holds — and a [`Format`], and gets [`Rendered`] bytes with their
//! content type and file name. Nothing above this module matches on formats; nothing
//! below it knows of them.
//!
//! - [`csv`]: the one CSV writer (quoting, exact numbers, the spreadsheet formula guard);
//! - [`geojson`]: areas with their polygons, sites as points;
//! - `gaps`, `outreach`, `compare`, `directory`: each document's CSV and GeoJSON;
//! - [`report`]: the community-assessment report, printable HTML or editable DOCX.

mod barriers;
mod compare;
pub mod csv;
mod directory;
mod gaps;
pub mod geojson;
mod opportunities;
mod outreach;
pub mod report;
pub mod scale;
mod search;
pub mod tiles;
mod vehicle;

pub use compare::CSV_COLUMNS as COMPARE_CSV_COLUMNS;
pub use directory::{
    AssessmentJson, AssessmentRowJson, FLAT_CSV_COLUMNS, PartnerDetail, PartnerEntry, PartnerList,
};
pub use gaps::CSV_COLUMNS as GAPS_CSV_COLUMNS;
pub use search::CSV_COLUMNS as SEARCH_CSV_COLUMNS;

use crate::analysis::{
    BarrierReport, CompareReport, FilterReport, GapReport, OpportunityReport, OutreachReport,
    SitingReport,
};
use crate::atlas::{Atlas, CacheKey, GeographyData};
use crate::domain::{Assessment, Site};
use crate::error::{Code, Error, Result};
use crate::spatial::TileId;
use bytes::Bytes;
use serde::Serialize;
use std::io::Write;

/// A format gapmap writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON (`application/json`).
    Json,
    /// GeoJSON (`application/geo+json`).
    Geojson,
    /// CSV (`text/csv`), as a download.
    Csv,
    /// One self-contained HTML page.
    Html,
    /// An editable Word document (Office Open XML), as a download.
    Docx,
    /// A Mapbox Vector Tile (2.1): what `/tiles/…` answers, never a `format=` choice.
    #[value(skip)]
    Mvt,
}

impl Format {
    /// The name used in `format=` and `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Geojson => "geojson",
            Self::Csv => "csv",
            Self::Html => "html",
            Self::Docx => "docx",
            Self::Mvt => "mvt",
        }
    }

    /// Every format a `format=` parameter can name.
    pub const ALL: [Self; 5] = [Self::Json, Self::Geojson, Self::Csv, Self::Html, Self::Docx];

    /// Reads a `format=` query value; `default` when absent.
    pub fn parse_or(s: Option<&str>, default: Self) -> Result<Self> {
        let Some(s) = s else {
            return Ok(default);
        };
        Self::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
                Error::new(
                    Code::InvalidParameter,
                    format!("format '{s}' is not one of {}", names.join(", ")),
                )
            })
    }

    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Geojson => "application/geo+json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Mvt => "application/vnd.mapbox-vector-tile",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Geojson => "geojson",
            Self::Csv => "csv",
            Self::Html => "html",
            Self::Docx => "docx",
            Self::Mvt => "mvt",
        }
    }

    /// True for formats a browser should save rather than show.
    pub fn is_download(self) -> bool {
        matches!(self, Self::Csv | Self::Docx)
    }
}

/// JSON for machines (compact) or for people reading a terminal (indented).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// No whitespace: what the API sends.
    Compact,
    /// Indented: what the command line prints.
    Pretty,
}

/// Something gapmap can write.
pub enum Document<'a> {
    /// A need's gap analysis (`/gaps`, `gapmap gaps`): JSON, GeoJSON, CSV.
    Gaps(&'a GapReport, &'a Atlas),
    /// Ranked outreach areas: JSON, GeoJSON, CSV.
    Outreach(&'a OutreachReport, &'a Atlas),
    /// Organisations worth approaching for a need: JSON, CSV.
    Opportunities(&'a OpportunityReport),
    /// The four barriers of every area: JSON, GeoJSON, CSV.
    Barriers(&'a BarrierReport, &'a Atlas),
    /// One need in two years: JSON, GeoJSON, CSV.
    Compare(&'a CompareReport, &'a Atlas),
    /// Suggested new sites: JSON.
    Siting(&'a SitingReport),
    /// The filters a need declares and whether the data answers them: JSON.
    Filters(&'a FilterReport),
    /// A stored assessment: JSON or CSV (which uploads again unchanged).
    Assessment(&'a Assessment),
    /// A geography's areas: GeoJSON.
    Areas(&'a GeographyData),
    /// One area of a geography, by position: GeoJSON.
    Area(&'a GeographyData, usize),
    /// Sites as GeoJSON points with their partners' details.
    Sites(&'a Atlas, Vec<&'a Site>),
    /// The whole partner directory: partners with their sites' counts and services (JSON),
    /// the flat CSV (which uploads again) or GeoJSON points.
    Directory(&'a Atlas),
    /// One partner with its sites: JSON.
    Partner(&'a Atlas, &'a crate::domain::Partner),
    /// The report of a year: HTML, or an editable DOCX.
    Report(report::ReportInput<'a>),
    /// One map tile of a geography's areas, with a gap analysis's metrics when given.
    AreaTile(&'a GeographyData, TileId, Option<&'a GapReport>),
    /// One map tile of the sites (those offering a service, when given).
    SiteTile(&'a Atlas, TileId, Option<&'a str>),
    /// Access by vehicle (carless families against families with cars): JSON, CSV.
    VehicleAccess(&'a crate::analysis::VehicleReport),
    /// Areas, partners and sites found by a search: JSON, CSV.
    Search(&'a crate::analysis::SearchReport),
}

impl Document<'_> {
    /// The formats this document comes in; the first is its default.
    pub fn formats(&self) -> &'static [Format] {
        use Format::*;
        match self {
            Self::Gaps(..) | Self::Outreach(..) | Self::Compare(..) => &[Json, Geojson, Csv],
            Self::Opportunities(_) | Self::VehicleAccess(_) | Self::Search(_) => &[Json, Csv],
            Self::Barriers(..) => &[Json, Geojson, Csv],
            Self::Siting(_) | Self::Filters(_) => &[Json],
            Self::Assessment(_) => &[Json, Csv],
            Self::Areas(_) | Self::Area(..) | Self::Sites(..) => &[Geojson],
            Self::Directory(_) => &[Json, Csv, Geojson],
            Self::Partner(..) => &[Json],
            Self::Report(..) => &[Html, Docx],
            Self::AreaTile(..) | Self::SiteTile(..) => &[Mvt],
        }
    }

    /// What the document is called in messages and file names.
    fn what(&self) -> &'static str {
        match self {
            Self::Gaps(..) => "a gap analysis",
            Self::Outreach(..) => "an outreach ranking",
            Self::Opportunities(_) => "the opportunities",
            Self::Barriers(..) => "the barriers profile",
            Self::VehicleAccess(_) => "the access by vehicle",
            Self::Search(_) => "search hits",
            Self::Compare(..) => "a comparison",
            Self::Siting(_) => "a siting answer",
            Self::Filters(_) => "a need's filters",
            Self::Assessment(_) => "an assessment",
            Self::Areas(_) => "a geography's areas",
            Self::Area(..) => "an area",
            Self::Sites(..) => "sites",
            Self::Directory(_) => "the partner directory",
            Self::Partner(..) => "a partner",
            Self::Report(..) => "the report",
            Self::AreaTile(..) | Self::SiteTile(..) => "a map tile",
        }
    }

    /// The file name a download is saved under, without its extension.
    fn stem(&self) -> String {
        match self {
            Self::Gaps(r, _) => format!("gaps_{}_{}", r.year, r.need),
            Self::Outreach(r, _) => format!("outreach_{}", r.year),
            Self::Opportunities(r) => format!("opportunities_{}_{}", r.year, r.need),
            Self::Barriers(r, _) => format!("barriers_{}", r.year),
            Self::VehicleAccess(r) => format!("vehicle_access_{}_{}", r.year, r.need),
            Self::Search(_) => "search".into(),
            Self::Compare(r, _) => {
                format!(
                    "compare_{}_{}_{}",
                    r.params.need, r.params.from, r.params.to
                )
            }
            Self::Siting(r) => format!("siting_{}_{}", r.year, r.params.need),
            Self::Filters(r) => format!("filters_{}_{}", r.need, r.year),
            Self::Assessment(a) => format!("assessment_{}_v{}", a.year, a.version),
            Self::Areas(g) => format!("areas_{}", g.geography.name),
            Self::Area(g, at) => format!(
                "area_{}",
                g.geography.areas.get(*at).map_or("", |a| a.geoid.as_str())
            ),
            Self::Sites(..) => "sites".into(),
            Self::Directory(_) => "partners".into(),
            Self::Partner(_, p) => format!("partner_{}", p.id),
            Self::Report(r) => format!("report_{}", r.year),
            Self::AreaTile(_, t, _) => format!("areas_{}_{}_{}", t.z, t.x, t.y),
            Self::SiteTile(_, t, _) => format!("sites_{}_{}_{}", t.z, t.x, t.y),
        }
    }
}

/// Bytes ready to send or save.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Their format.
    pub format: Format,
    /// The bytes.
    pub body: Bytes,
    /// The file name to save them under.
    pub filename: String,
}

impl Rendered {
    /// The size the cache counts.
    pub fn size(&self) -> usize {
        self.body.len()
    }
}

fn json(w: &mut dyn Write, value: &impl Serialize, layout: Layout) -> std::io::Result<()> {
    match layout {
        Layout::Compact => serde_json::to_writer(w, value),
        Layout::Pretty => serde_json::to_writer_pretty(w, value),
    }
    .map_err(std::io::Error::other)
}

/// Where [`write`] puts a rendering: first its format and file name, then its bytes.
pub trait Out: Write {
    /// Called once, before the first byte, when the document is known to render: every
    /// error the document can have comes before it, only the writer's own after it.
    fn start(&mut self, format: Format, filename: &str) -> std::io::Result<()>;
}

/// An [`Out`] that keeps everything: what [`render`] answers.
#[derive(Default)]
struct Whole {
    head: Option<(Format, String)>,
    body: Vec<u8>,
}

impl Write for Whole {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.body.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Out for Whole {
    fn start(&mut self, format: Format, filename: &str) -> std::io::Result<()> {
        self.head = Some((format, filename.to_owned()));
        Ok(())
    }
}

/// Writes `doc` in `format`; a format the document does not come in is refused, naming
/// the ones it does.
pub fn render(doc: &Document, format: Format, layout: Layout) -> Result<Rendered> {
    let mut whole = Whole::default();
    write(doc, format, layout, &mut whole)?;
    let (format, filename) = whole
        .head
        .ok_or_else(|| Error::internal("a rendering never started"))?;
    Ok(Rendered {
        format,
        body: Bytes::from(whole.body),
        filename,
    })
}

/// Writes `doc` in `format` to `out`, as it goes: the documents with a row per area or
/// site (CSV, GeoJSON, and JSON through serde) are written row by row and never held
/// whole; the others (the report, tiles) are rendered first and then written. Every
/// error of the document itself (a format it does not come in, a report that cannot be
/// drawn) comes before [`Out::start`]; after it, only `out`'s own (the reader went away).
pub fn write(doc: &Document, format: Format, layout: Layout, out: &mut dyn Out) -> Result<()> {
    if !doc.formats().contains(&format) {
        let names: Vec<&str> = doc.formats().iter().map(|f| f.name()).collect();
        return Err(Error::new(
            Code::InvalidParameter,
            format!(
                "{} comes as {}, not {}",
                doc.what(),
                names.join(" or "),
                format.name()
            ),
        ));
    }
    use Format::*;
    // Drawn whole first: their errors must come before the first byte.
    let drawn: Option<Vec<u8>> = match (doc, format) {
        (Document::Report(input), Html) => Some(report::render(*input)?.into_bytes()),
        (Document::Report(input), Docx) => Some(report::render_docx(*input)?),
        (Document::AreaTile(g, tile, report), Mvt) => Some(tiles::areas(g, *tile, *report)?),
        (Document::SiteTile(atlas, tile, service), Mvt) => {
            Some(tiles::sites(atlas, *tile, *service)?)
        }
        _ => None,
    };
    let filename = format!("{}.{}", doc.stem(), format.extension());
    out.start(format, &filename).map_err(Error::internal)?;
    let w: &mut dyn Write = out;
    let written = match (doc, format, drawn) {
        (_, _, Some(bytes)) => w.write_all(&bytes),
        (Document::Gaps(r, _), Json, _) => json(w, r, layout),
        (Document::Gaps(r, atlas), Geojson, _) => gaps::geojson(r, atlas, w, layout),
        (Document::Gaps(r, _), Csv, _) => gaps::csv(r, w),
        (Document::Outreach(r, _), Json, _) => json(w, r, layout),
        (Document::Outreach(r, atlas), Geojson, _) => outreach::geojson(r, atlas, w, layout),
        (Document::Outreach(r, _), Csv, _) => outreach::csv(r, w),
        (Document::Opportunities(r), Json, _) => json(w, r, layout),
        (Document::Opportunities(r), Csv, _) => w.write_all(opportunities::csv(r).as_bytes()),
        (Document::Barriers(r, _), Json, _) => json(w, r, layout),
        (Document::VehicleAccess(r), Json, _) => json(w, r, layout),
        (Document::VehicleAccess(r), Csv, _) => vehicle::csv(r, w),
        (Document::Search(r), Json, _) => json(w, r, layout),
        (Document::Search(r), Csv, _) => search::csv(r, w),
        (Document::Barriers(r, atlas), Geojson, _) => barriers::geojson(r, atlas, w, layout),
        (Document::Barriers(r, _), Csv, _) => barriers::csv(r, w),
        (Document::Compare(r, _), Json, _) => json(w, r, layout),
        (Document::Compare(r, atlas), Geojson, _) => compare::geojson(r, atlas, w, layout),
        (Document::Compare(r, _), Csv, _) => compare::csv(r, w),
        (Document::Siting(r), Json, _) => json(w, r, layout),
        (Document::Filters(r), Json, _) => json(w, r, layout),
        (Document::Assessment(a), Json, _) => json(w, &directory::assessment_json(a), layout),
        (Document::Assessment(a), Csv, _) => directory::assessment_csv(a, w),
        (Document::Areas(g), Geojson, _) => geojson::areas_geojson(w, g, layout),
        (Document::Area(g, at), Geojson, _) => geojson::area_geojson(w, g, *at, layout),
        (Document::Sites(atlas, sites), Geojson, _) => {
            geojson::write_sites(w, atlas, sites.iter().copied(), layout)
        }
        (Document::Directory(atlas), Json, _) => json(w, &directory::partners_json(atlas), layout),
        (Document::Directory(atlas), Csv, _) => directory::sites_flat_csv(atlas, w),
        (Document::Partner(atlas, p), Json, _) => {
            json(w, &directory::partner_json(atlas, p), layout)
        }
        (Document::Directory(atlas), Geojson, _) => {
            geojson::write_sites(w, atlas, atlas.sites.iter(), layout)
        }
        _ => return Err(Error::internal("a listed format has no writer")),
    };
    written.and_then(|()| w.flush()).map_err(Error::internal)
}

/// The rendered answer under `key` from the Atlas's cache, or `render`'s, kept for the
/// next request. The key must name everything the bytes depend on (its data version
/// included), the format too.
pub fn cached(
    cache: &crate::atlas::Cache,
    key: CacheKey,
    render: impl FnOnce() -> Result<Rendered>,
) -> Result<std::sync::Arc<Rendered>> {
    cache.get_or_compute(key, Rendered::size, render)
}
