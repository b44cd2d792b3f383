//! Census tables as they come: data.census.gov CSV downloads and Census Data API JSON
//! answers, several of which (one per ACS table, any mix of the two) make one year's
//! assessment. The ACS variables they hold are turned into gapmap's indicators by the
//! recipes of the indicator catalogue (`data/indicators.toml`), each with its margin of
//! error as `<name>_moe` (see [`crate::domain::moe`]).
//!
//! Areas are matched to the geography by GEOID, rebuilt with its leading zeros from the
//! API's `state`/`county`/`tract`/`block group` columns. A county's download holds every
//! tract of the county while a program's geography may hold only some of them, so rows
//! for areas the geography lacks are left out with a warning; a set of tables none of
//! whose areas is in the geography is refused.

mod api_json;
mod cells;
mod data_census_gov;

use super::{InputFile, Origins, Problems, RowOrigin as Origin, TableLimits};
use crate::domain::moe::Estimate;
use crate::domain::{AcsVariable, Geoid, IndicatorCatalog, IndicatorRow, IndicatorTable, Warning};
use crate::error::{Code, Error, Problem, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The variables some recipe reads: only their cells are parsed.
pub type Needed = BTreeSet<AcsVariable>;

/// The Census API's geography columns, outermost first, with their width in a GEOID.
pub const GEOGRAPHY_PARTS: [(&str, usize); 4] = [
    ("state", 2),
    ("county", 3),
    ("tract", 6),
    ("block group", 1),
];

/// One area's row of one Census file.
#[derive(Clone, Debug, PartialEq)]
pub struct AcsRow {
    /// The area.
    pub geoid: Geoid,
    /// Its row (the header is row 1).
    pub row: u64,
    /// The column that named the area, for messages.
    pub key_field: String,
    /// Each needed variable the file has: its estimate and margin (`None`: missing).
    pub values: Vec<(AcsVariable, Option<f64>, Option<f64>)>,
}

/// One Census file, read.
#[derive(Clone, Debug, PartialEq)]
pub struct AcsFile {
    /// The file name.
    pub name: String,
    /// Every variable with an estimate column, and whether it has a margin column too.
    pub variables: BTreeMap<AcsVariable, bool>,
    /// The areas.
    pub rows: Vec<AcsRow>,
    /// Cells holding a jam value or an annotation (read as missing, or 0 for a
    /// controlled margin).
    pub jammed: usize,
}

/// A checked set of Census tables, turned into indicators.
#[derive(Debug)]
pub struct CensusImport {
    /// The derived indicators and their margins, per area of the geography.
    pub table: IndicatorTable,
    /// For each row of `table`, the file and row it was first read from, and for each
    /// indicator the file and row of the first variable its recipe reads.
    pub origins: Origins,
    /// Things worth knowing that did not stop the import.
    pub warnings: Vec<Warning>,
}

/// Reads one data.census.gov CSV or Census API JSON file (told apart by content).
pub fn read_file(file: &InputFile, needed: &Needed, limits: &TableLimits) -> Result<AcsFile> {
    file.require_content()?;
    if file.looks_like_json() {
        api_json::read(file, needed, limits)
    } else {
        data_census_gov::read(file, needed, limits)
    }
}

/// Reads the tables of one year against the GEOIDs of its geography and derives every
/// indicator of `catalog` whose variables they hold.
pub fn read(
    files: &[InputFile],
    geography: &str,
    geoids: &[Geoid],
    catalog: &IndicatorCatalog,
    limits: &TableLimits,
) -> Result<CensusImport> {
    if files.is_empty() {
        return Err(Error::new(Code::EmptyFile, "no Census table was uploaded"));
    }
    let needed: Needed = catalog
        .recipes()
        .flat_map(|(_, r)| r.variables())
        .cloned()
        .collect();
    let read: Vec<AcsFile> = files
        .iter()
        .map(|f| read_file(f, &needed, limits))
        .collect::<Result<_>>()?;
    let merged = merge(&read)?;

    // Which recipes the tables can feed.
    let mut with_margin: HashMap<&AcsVariable, bool> = HashMap::new();
    for f in &read {
        for (v, m) in &f.variables {
            *with_margin.entry(v).or_default() |= *m;
        }
    }
    let mut warnings = Vec::new();
    let mut derived = Vec::new();
    for (name, recipe) in catalog.recipes() {
        let vars = recipe.variables();
        let absent: Vec<&str> = vars
            .iter()
            .filter(|v| !with_margin.contains_key(**v))
            .map(|v| v.as_str())
            .collect();
        if absent.is_empty() {
            derived.push((name, recipe));
        } else if absent.len() < vars.len() {
            warnings.push(Warning::new(format!(
                "{name} is not derived: no uploaded table has {}",
                absent.join(", ")
            )));
        }
    }
    if derived.is_empty() {
        let found: Vec<&str> = with_margin
            .keys()
            .map(|v| v.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(8)
            .collect();
        let tables: BTreeSet<&str> = needed
            .iter()
            .filter_map(|v| v.as_str().split('_').next())
            .collect();
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::in_file(
                &files[0].name,
                format!(
                    "none of gapmap's indicators can be derived from these tables (they hold {}{}); the recipes of data/indicators.toml read the tables {}",
                    found.join(", "),
                    if with_margin.len() > found.len() {
                        ", …"
                    } else {
                        ""
                    },
                    tables.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ),
        ));
    }
    let no_margin: Vec<&str> = derived
        .iter()
        .flat_map(|(_, r)| r.variables())
        .filter(|v| with_margin.get(v) == Some(&false))
        .map(AcsVariable::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !no_margin.is_empty() {
        warnings.push(Warning::new(format!(
            "{} have no margin-of-error column (…M); the indicators derived from them have no _moe",
            no_margin.join(", ")
        )));
    }

    // Areas the geography has; others (the rest of a county) are left out.
    let known: HashSet<&Geoid> = geoids.iter().collect();
    let (kept, outside): (Vec<&MergedArea>, Vec<&MergedArea>) =
        merged.iter().partition(|a| known.contains(&a.geoid));
    if kept.is_empty() {
        let details: Vec<Problem> = outside
            .iter()
            .take(10)
            .map(|a| {
                Problem::at(
                    &a.origin.file,
                    a.origin.row,
                    &a.key_field,
                    format!(
                        "GEOID {} is not an area of the geography '{geography}'",
                        a.geoid
                    ),
                )
            })
            .collect();
        return Err(Error::with_details(
            Code::UnknownGeoid,
            format!(
                "none of the {} areas in these tables is an area of the geography '{geography}' (the first: GEOID {}); check that the tables are for its level (tracts or block groups) and its vintage (2010 or 2020 areas)",
                outside.len(),
                outside
                    .first()
                    .map(|a| a.geoid.as_str())
                    .unwrap_or_default()
            ),
            details,
        ));
    }
    if !outside.is_empty() {
        let shown: Vec<&str> = outside.iter().take(5).map(|a| a.geoid.as_str()).collect();
        warnings.push(Warning::new(format!(
            "{} areas of these tables are not in the geography '{geography}' and were left out ({}{})",
            outside.len(),
            shown.join(", "),
            if outside.len() > shown.len() { ", …" } else { "" }
        )));
    }

    let mut columns = Vec::with_capacity(derived.len() * 2);
    for (name, _) in &derived {
        columns.push((*name).to_owned());
        columns.push(format!("{name}_moe"));
    }
    let mut rows = Vec::with_capacity(kept.len());
    let mut origins = Origins::default();
    let mut incomplete: BTreeMap<&str, usize> = BTreeMap::new();
    for area in &kept {
        let mut values = Vec::with_capacity(columns.len());
        for (name, recipe) in &derived {
            let est = recipe.evaluate(|v| {
                area.values
                    .get(v)
                    .and_then(|&(e, m)| e.map(|e| Estimate::new(e, m)))
            });
            if est.is_none() {
                *incomplete.entry(name).or_default() += 1;
            }
            values.push(est.map(|e| e.value));
            values.push(est.and_then(|e| e.moe));
            // A plausibility finding names the table the indicator's first variable is in.
            let from = recipe
                .variables()
                .into_iter()
                .find_map(|v| area.from.get(v))
                .unwrap_or(&area.origin);
            origins
                .columns
                .entry((*name).to_owned())
                .or_default()
                .push(from.clone());
        }
        rows.push(IndicatorRow {
            geoid: area.geoid.clone(),
            values,
        });
        origins.rows.push(area.origin.clone());
    }
    let jammed: usize = read.iter().map(|f| f.jammed).sum();
    if jammed > 0 {
        warnings.push(Warning::new(format!(
            "{jammed} cells held Census jam values or annotations and were read as missing (a margin of ***** or -555555555, a controlled estimate, as 0)"
        )));
    }
    for (name, n) in incomplete {
        warnings.push(Warning::new(format!(
            "{name}: {n} areas have a missing part (a jam value, an empty cell or no row in one table) and no value"
        )));
    }
    let missing = geoids.len().saturating_sub(rows.len());
    if missing > 0 {
        warnings.push(Warning::new(format!(
            "{missing} areas of '{geography}' have no row in these tables"
        )));
    }
    Ok(CensusImport {
        table: IndicatorTable { columns, rows },
        origins,
        warnings,
    })
}

/// One area across all files.
struct MergedArea {
    geoid: Geoid,
    origin: Origin,
    key_field: String,
    /// Variable → (estimate, margin).
    values: HashMap<AcsVariable, (Option<f64>, Option<f64>)>,
    /// Variable → the file and row that gave it.
    from: HashMap<AcsVariable, Origin>,
}

/// Joins the files' rows by GEOID. The same area twice in one file is refused; a
/// variable that two files give for the same area must agree.
fn merge(files: &[AcsFile]) -> Result<Vec<MergedArea>> {
    let mut out: Vec<MergedArea> = Vec::new();
    let mut index: HashMap<Geoid, usize> = HashMap::new();
    // Which file and row gave each (area, variable), for the conflict message.
    let mut given_by: HashMap<(usize, AcsVariable), (usize, u64)> = HashMap::new();
    let mut problems = Problems::default();
    for (f, file) in files.iter().enumerate() {
        let mut seen: HashMap<&Geoid, u64> = HashMap::new();
        for r in &file.rows {
            if let Some(first) = seen.insert(&r.geoid, r.row) {
                problems.push(
                    Code::DuplicateId,
                    Problem::at(
                        &file.name,
                        r.row,
                        &r.key_field,
                        format!("GEOID {} is already on row {first}", r.geoid),
                    ),
                );
                continue;
            }
            let at = *index.entry(r.geoid.clone()).or_insert_with(|| {
                out.push(MergedArea {
                    geoid: r.geoid.clone(),
                    origin: Origin {
                        file: file.name.clone(),
                        row: r.row,
                    },
                    key_field: r.key_field.clone(),
                    values: HashMap::new(),
                    from: HashMap::new(),
                });
                out.len() - 1
            });
            for (var, e, m) in &r.values {
                match out[at].values.get(var) {
                    Some(&(pe, pm)) if (pe, pm) != (*e, *m) => {
                        let (pf, prow) = given_by[&(at, var.clone())];
                        let show =
                            |v: Option<f64>| v.map_or("missing".to_owned(), |x| x.to_string());
                        problems.push(
                            Code::InvalidFile,
                            Problem::at(
                                &file.name,
                                r.row,
                                &format!("{var}E"),
                                format!(
                                    "{var} of GEOID {} is {} ± {} here but {} ± {} in {} row {prow}: upload one of the two",
                                    r.geoid,
                                    show(*e),
                                    show(*m),
                                    show(pe),
                                    show(pm),
                                    files[pf].name
                                ),
                            ),
                        );
                    }
                    Some(_) => {}
                    None => {
                        out[at].values.insert(var.clone(), (*e, *m));
                        out[at].from.insert(
                            var.clone(),
                            Origin {
                                file: file.name.clone(),
                                row: r.row,
                            },
                        );
                        given_by.insert((at, var.clone()), (f, r.row));
                    }
                }
            }
        }
    }
    problems.into_result(files.first().map_or("", |f| f.name.as_str()))?;
    Ok(out)
}

/// A GEOID from the Census API's geography columns (outermost first), each padded with
/// the leading zeros a spreadsheet or a number may have stripped: state 2 digits,
/// county 3, tract 6, block group 1. `Err` names the column and what is wrong.
///
/// # Examples
/// ```
/// use gapmap::ingest::census::geoid_from_parts;
/// let parts = [("state", Some("1".to_owned())), ("county", Some("1".to_owned())),
///              ("tract", Some("20100".to_owned()))];
/// assert_eq!(geoid_from_parts(&parts).unwrap().as_str(), "01001020100");
/// ```
pub fn geoid_from_parts(
    given: &[(&'static str, Option<String>)],
) -> std::result::Result<Geoid, (String, String)> {
    let mut id = String::with_capacity(12);
    for (i, (name, value)) in given.iter().enumerate() {
        let Some(&(expected, width)) = GEOGRAPHY_PARTS.get(i) else {
            break;
        };
        if *name != expected {
            return Err((
                (*name).to_owned(),
                format!("a '{name}' column needs a '{expected}' column before it"),
            ));
        }
        let raw = value.as_deref().map(str::trim).unwrap_or("");
        if raw.is_empty() {
            return Err(((*name).to_owned(), format!("the {name} is empty")));
        }
        if !raw.bytes().all(|b| b.is_ascii_digit()) || raw.len() > width {
            return Err((
                (*name).to_owned(),
                format!("'{raw}' is not a {name} code of at most {width} digits"),
            ));
        }
        id.push_str(&format!("{raw:0>width$}"));
    }
    Geoid::parse(&id).map_err(|e| ("state".to_owned(), e.to_string()))
}

#[cfg(test)]
mod tests;
