//! Importers: one module per input format. Each turns bytes into validated domain values
//! or refuses the whole file with problems that name the file, row and field. Nothing
//! here touches the store, so a refused file leaves it exactly as it was.

pub mod archive;
pub mod areas_geojson;
pub mod census;
pub mod directory;
pub mod edit_json;
pub mod flat_csv;
mod geojson_doc;
pub mod gtfs;
pub mod hsds;
pub mod indicators;
mod limits;
pub mod need_json;
pub mod plausibility;
pub mod prj;
pub mod records;
pub mod shapefile_zip;
pub mod sites_geojson;
mod table;
pub mod travel_times;

pub use limits::{Limits, TableLimits, VertexLimits, ZipLimits};
pub use table::Table;

use crate::error::{Code, Error, Problem, Result};

/// An uploaded or local file: its name (for messages) and its bytes.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// The file name as the user knows it.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// A file from a name and its bytes.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// Reads a local file.
    pub fn read(path: &std::path::Path) -> std::io::Result<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Ok(Self {
            name,
            bytes: std::fs::read(path)?,
        })
    }

    /// True when the content starts like a zip archive.
    pub fn is_zip(&self) -> bool {
        self.bytes.starts_with(b"PK\x03\x04") || self.bytes.starts_with(b"PK\x05\x06")
    }

    /// True when the content's first non-blank byte opens a JSON object.
    pub fn looks_like_json(&self) -> bool {
        self.bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)
            .is_some_and(|b| *b == b'{' || *b == b'[')
    }

    /// Refuses an empty (or all-blank) file.
    pub fn require_content(&self) -> Result<()> {
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::problem(
                Code::EmptyFile,
                Problem::in_file(&self.name, "the file is empty"),
            ));
        }
        Ok(())
    }

    /// The content as UTF-8 text (a leading byte-order mark is dropped).
    pub fn text(&self) -> Result<&str> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            Error::problem(
                Code::MalformedFile,
                Problem::in_file(
                    &self.name,
                    format!(
                        "the file is not UTF-8 text (invalid byte at offset {}); save it as UTF-8 CSV",
                        e.valid_up_to()
                    ),
                ),
            )
        })
    }
}

/// Where a row of an imported table came from: its file and row (the header is row 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowOrigin {
    /// The file.
    pub file: String,
    /// The row.
    pub row: u64,
}

/// Where the values of an imported table came from: each row's file and row, and, for
/// indicators derived from another file than the row's (one Census table among several),
/// that file and row, indicator by indicator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    /// One per row of the table.
    pub rows: Vec<RowOrigin>,
    /// Indicator → one per row of the table, where it differs from `rows`.
    pub columns: std::collections::HashMap<String, Vec<RowOrigin>>,
}

impl Origins {
    /// Where the value of `column` in row `row` came from.
    pub fn at(&self, row: usize, column: &str) -> Option<&RowOrigin> {
        self.columns
            .get(column)
            .and_then(|c| c.get(row))
            .or_else(|| self.rows.get(row))
    }
}

impl From<Vec<RowOrigin>> for Origins {
    fn from(rows: Vec<RowOrigin>) -> Self {
        Self {
            rows,
            columns: Default::default(),
        }
    }
}

/// Collects problems; a file is refused with all of them (up to a limit) at once, so a
/// data steward can fix a spreadsheet in one pass.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
    total: usize,
    code: Option<Code>,
    mixed: bool,
}

/// At most this many problems are listed; the message gives the total.
const MAX_PROBLEMS: usize = 100;

impl Problems {
    /// Records a problem with its code (the first code recorded becomes the error's).
    pub fn push(&mut self, code: Code, p: Problem) {
        self.total += 1;
        // One kind of problem keeps its precise code; a mix is an invalid file.
        if *self.code.get_or_insert(code) != code {
            self.mixed = true;
        }
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        }
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Ok when empty, else the error listing the problems.
    pub fn into_result(self, file: &str) -> Result<()> {
        if self.total == 0 {
            return Ok(());
        }
        let code = if self.mixed {
            Code::InvalidFile
        } else {
            self.code.unwrap_or(Code::InvalidFile)
        };
        let mut list = self.list;
        // Rows in file order read like the spreadsheet they came from.
        list.sort_by_key(|p| p.row.unwrap_or(0));
        let message = if self.total == 1 {
            list[0].to_string()
        } else {
            format!("{file}: {} problems, the first: {}", self.total, list[0])
        };
        Err(Error::with_details(code, message, list))
    }
}

/// Areas from GeoJSON, or from a zipped shapefile as TIGER/Line ships it.
pub fn read_areas(
    file: &InputFile,
    geography: &str,
    opts: &areas_geojson::AreaOptions,
) -> Result<crate::domain::Geography> {
    file.require_content()?;
    if file.is_zip() {
        return shapefile_zip::read(file, geography, opts);
    }
    if !file.looks_like_json() {
        return Err(Error::problem(
            Code::MalformedFile,
            Problem::in_file(
                &file.name,
                "areas must be a GeoJSON FeatureCollection or a zipped shapefile",
            ),
        ));
    }
    areas_geojson::read(file, geography, opts)
}

/// What a partner file says about the directory, and what the reader noticed without
/// refusing the file.
#[derive(Clone, Debug, Default)]
pub struct PartnerImport {
    /// The partners and sites read, as edits: a field the file does not give keeps its
    /// stored value.
    pub edits: crate::domain::DirectoryEdit,
    /// Things worth knowing that did not stop the import (e.g. a skipped schedule).
    pub warnings: Vec<String>,
}

impl From<crate::domain::DirectoryEdit> for PartnerImport {
    fn from(edits: crate::domain::DirectoryEdit) -> Self {
        Self {
            edits,
            warnings: Vec::new(),
        }
    }
}

/// What an HSDS import does with a location none of whose services gapmap tracks (legal
/// aid, tax help …, as a 211 export holds many). Refusing is the default because such a
/// location may be one whose services were simply not classified, and leaving it out
/// would hide supply; a steward who knows the export can ask to skip them.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Untracked {
    /// Refuse the package, naming each such location and its services.
    #[default]
    Refuse,
    /// Leave such locations out, listing them in the import's warnings.
    Skip,
}

/// A partner directory from HSDS (zip or its CSV tables), GeoJSON points or the flat CSV.
pub fn read_partners(
    files: &[InputFile],
    catalog: &crate::domain::Catalog,
    limits: &Limits,
    untracked: Untracked,
) -> Result<PartnerImport> {
    let file = match files {
        [] => return Err(Error::new(Code::EmptyFile, "no file was uploaded")),
        [file] => file,
        several => {
            if let Some(zip) = several.iter().find(|f| f.is_zip()) {
                return Err(Error::problem(
                    Code::InvalidFile,
                    Problem::in_file(
                        &zip.name,
                        "upload an HSDS package either as one zip or as its CSV files, not both",
                    ),
                ));
            }
            return hsds::read_tables(several, catalog, limits, untracked);
        }
    };
    file.require_content()?;
    if file.is_zip() {
        return hsds::read_zip(file, catalog, limits, untracked);
    }
    if file.looks_like_json() {
        return sites_geojson::read(file, catalog).map(Into::into);
    }
    let table = Table::read(file, &limits.table)?;
    if flat_csv::is_new_sites_header(&table.headers) {
        return flat_csv::read_table(&table, catalog).map(Into::into);
    }
    if hsds::is_hsds_table(&file.name, &table.headers) {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::in_file(
                &file.name,
                format!(
                    "this looks like one table of an Open Referral HSDS package; upload the whole package, as a zip or as its CSV files together (at least {}.csv)",
                    hsds::REQUIRED_TABLES.join(".csv, ")
                ),
            ),
        ));
    }
    if flat_csv::is_flat_header(&table.headers) {
        return flat_csv::read_table(&table, catalog).map(Into::into);
    }
    Err(Error::problem(
        Code::InvalidFile,
        Problem::at(
            &file.name,
            1,
            "header",
            format!(
                "not a partner file gapmap knows: a flat CSV has an id column, and the columns id, name, lat, lon, services for sites not yet stored (found: {})",
                table.headers.join(", ")
            ),
        ),
    ))
}
