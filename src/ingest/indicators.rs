//! Indicators: a CSV keyed by GEOID (or a Census `GEO_ID` such as `1400000US17031010100`),
//! one numeric column per indicator, `<indicator>_moe` for its margin of error.

use super::{InputFile, Problems, RowOrigin, Table, TableLimits};
use crate::domain::{Geoid, IndicatorRow, IndicatorTable, Warning};
use crate::error::{Code, Error, Problem, Result};
use std::collections::{HashMap, HashSet};

/// Header names accepted for the key column, in order of preference.
pub const KEY_COLUMNS: [&str; 6] = ["GEOID", "GEO_ID", "geoid", "GEOID20", "GEOID10", "geoid10"];
/// Text columns that are carried in files but are not indicators.
pub const LABEL_COLUMNS: [&str; 5] = ["NAME", "NAMELSAD", "name", "label", "Geographic Area Name"];

/// Cells the Census Bureau uses for "no estimate" (data.census.gov annotations and the
/// API's jam values). They become missing values, counted in the warnings.
const ANNOTATIONS: [&str; 13] = [
    "-",
    "(X)",
    "N",
    "**",
    "***",
    "*****",
    "-999999999",
    "-888888888",
    "-666666666",
    "-555555555",
    "-333333333",
    "-222222222",
    "-111111111",
];

/// A checked indicator file.
#[derive(Debug)]
pub struct IndicatorImport {
    /// The values.
    pub table: IndicatorTable,
    /// Text columns that were not imported.
    pub ignored_columns: Vec<String>,
    /// Things worth knowing that did not stop the import.
    pub warnings: Vec<Warning>,
    /// Where each row of the table came from.
    pub origins: Vec<RowOrigin>,
}

/// Reads an indicator CSV against the GEOIDs of its geography.
pub fn read(
    file: &InputFile,
    geography: &str,
    geoids: &[Geoid],
    limits: &TableLimits,
) -> Result<IndicatorImport> {
    let t = Table::read(file, limits)?;
    if t.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(&file.name, "the file has a header but no rows"),
        ));
    }
    let key = t.column_any(&KEY_COLUMNS).ok_or_else(|| {
        Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                "GEOID",
                format!(
                    "no GEOID column: the header must name one of {} (found: {})",
                    KEY_COLUMNS.join(", "),
                    t.headers.join(", ")
                ),
            ),
        )
    })?;
    let key_name = t.headers[key].clone();
    let mut problems = Problems::default();
    let mut warnings = Vec::new();

    // Which columns are indicators.
    let mut value_cols = Vec::new();
    let mut ignored_columns = Vec::new();
    let mut annotated = 0usize;
    for (c, name) in t.headers.iter().enumerate() {
        if c == key || LABEL_COLUMNS.iter().any(|l| l.eq_ignore_ascii_case(name)) {
            if c != key {
                ignored_columns.push(name.clone());
            }
            continue;
        }
        let mut numeric = 0;
        let mut text = 0;
        for r in 0..t.len() {
            match t.cell(c, r) {
                None => {}
                Some(v) if ANNOTATIONS.contains(&v) => {}
                Some(v) if parse_number(v).is_some() => numeric += 1,
                Some(_) => text += 1,
            }
        }
        if numeric == 0 && text > 0 {
            ignored_columns.push(name.clone());
        } else {
            value_cols.push(c);
        }
    }
    if value_cols.is_empty() {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                &key_name,
                "the file has no numeric indicator columns",
            ),
        ));
    }
    if !ignored_columns.is_empty() {
        warnings.push(Warning::at(
            &file.name,
            1,
            &ignored_columns.join(", "),
            format!("text columns not imported: {}", ignored_columns.join(", ")),
        ));
    }

    // GEOIDs: known to the geography, never a stripped leading zero, never twice.
    let known: HashSet<&Geoid> = geoids.iter().collect();
    let mut seen: HashMap<Geoid, u64> = HashMap::new();
    let mut stripped = Vec::new();
    let mut rows = Vec::with_capacity(t.len());
    let mut origins = Vec::with_capacity(t.len());
    for r in 0..t.len() {
        let row = Table::row_number(r);
        let Some(raw) = t.cell(key, r) else {
            problems.push(
                Code::InvalidFile,
                Problem::at(&file.name, row, &key_name, "the GEOID is empty"),
            );
            continue;
        };
        let geoid = match Geoid::parse_census(raw) {
            Ok(g) => g,
            Err(e) => {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(&file.name, row, &key_name, e.to_string()),
                );
                continue;
            }
        };
        if !known.contains(&geoid) {
            let padded = Geoid::parse(&format!("0{geoid}")).ok();
            if geoid.is_numeric() && padded.as_ref().is_some_and(|p| known.contains(p)) {
                stripped.push(row);
                problems.push(
                    Code::StrippedLeadingZero,
                    Problem::at(
                        &file.name,
                        row,
                        &key_name,
                        format!(
                            "GEOID {geoid} has lost its leading zero (the geography has {}); a spreadsheet stored the column as numbers: format it as text and export again",
                            padded.as_ref().map(Geoid::as_str).unwrap_or_default()
                        ),
                    ),
                );
            } else {
                problems.push(
                    Code::UnknownGeoid,
                    Problem::at(
                        &file.name,
                        row,
                        &key_name,
                        format!("GEOID {geoid} is not an area of the geography '{geography}'"),
                    ),
                );
            }
            continue;
        }
        if let Some(first) = seen.insert(geoid.clone(), row) {
            problems.push(
                Code::DuplicateId,
                Problem::at(
                    &file.name,
                    row,
                    &key_name,
                    format!("GEOID {geoid} is already on row {first}"),
                ),
            );
            continue;
        }
        let mut values = Vec::with_capacity(value_cols.len());
        for &c in &value_cols {
            values.push(match t.cell(c, r) {
                None => None,
                Some(v) if ANNOTATIONS.contains(&v) => {
                    annotated += 1;
                    None
                }
                Some(v) => {
                    // Every indicator counts people or households (or is a share of
                    // them): a negative value would make a negative demand on the map.
                    let (value, refusal) = match parse_number(v) {
                        Some(x) if x < 0.0 => (
                            None,
                            Some("is negative; indicators count people or households"),
                        ),
                        Some(x) => (Some(x), None),
                        None => (None, Some("is not a number")),
                    };
                    if let Some(why) = refusal {
                        problems.push(
                            Code::InvalidFile,
                            Problem::at(
                                &file.name,
                                row,
                                &t.headers[c],
                                format!("'{v}' {why} (leave the cell empty for a missing value)"),
                            ),
                        );
                    }
                    value
                }
            });
        }
        rows.push(IndicatorRow { geoid, values });
        origins.push(RowOrigin {
            file: file.name.clone(),
            row,
        });
    }
    if !stripped.is_empty() {
        // One headline message beats a hundred similar rows.
        let shown: Vec<String> = stripped.iter().take(10).map(u64::to_string).collect();
        let more = if stripped.len() > 10 { ", …" } else { "" };
        let message = format!(
            "{}: {} GEOIDs have lost their leading zero (rows {}{more}); a spreadsheet stored them as numbers. Format the GEOID column as text and export again",
            file.name,
            stripped.len(),
            shown.join(", ")
        );
        let details = problems_list(problems);
        return Err(Error::with_details(
            Code::StrippedLeadingZero,
            message,
            details,
        ));
    }
    problems.into_result(&file.name)?;
    if annotated > 0 {
        warnings.push(Warning::in_file(&file.name, format!("{annotated} cells held Census annotations (such as '-' or '(X)') and were stored as missing")));
    }
    let missing = geoids.len().saturating_sub(rows.len());
    if missing > 0 {
        warnings.push(Warning::in_file(
            &file.name,
            format!("{missing} areas of '{geography}' have no row in this file"),
        ));
    }
    Ok(IndicatorImport {
        table: IndicatorTable {
            columns: value_cols.iter().map(|&c| t.headers[c].clone()).collect(),
            rows,
        },
        ignored_columns,
        warnings,
        origins,
    })
}

fn problems_list(problems: Problems) -> Vec<Problem> {
    match problems.into_result("") {
        Ok(()) => Vec::new(),
        Err(e) => e.details().to_vec(),
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geoids(ids: &[&str]) -> Vec<Geoid> {
        ids.iter().map(|s| Geoid::parse(s).unwrap()).collect()
    }

    fn read_csv(text: &str, ids: &[&str]) -> Result<IndicatorImport> {
        read(
            &InputFile::new("ind.csv", text),
            "g",
            &geoids(ids),
            &TableLimits::default(),
        )
    }

    #[test]
    fn values_and_margins_are_read_in_file_order() {
        let r = read_csv(
            "GEOID,NAME,children_under_5,children_under_5_moe\n01001020100,A,120,15\n01001020200,B,,\n",
            &["01001020100", "01001020200"],
        )
        .unwrap();
        assert_eq!(
            r.table.columns,
            ["children_under_5", "children_under_5_moe"]
        );
        assert_eq!(r.table.rows[0].values, [Some(120.0), Some(15.0)]);
        assert_eq!(r.table.rows[1].values, [None, None]);
        assert_eq!(r.ignored_columns, ["NAME"]);
    }

    #[test]
    fn census_geo_ids_are_accepted() {
        let r = read_csv("GEO_ID,x\n1400000US17031010100,1\n", &["17031010100"]).unwrap();
        assert_eq!(r.table.rows[0].geoid.as_str(), "17031010100");
    }

    #[test]
    fn stripped_leading_zeros_are_reported_with_rows() {
        let e = read_csv(
            "GEOID,x\n1001020100,1\n01001020200,2\n1001020300,3\n",
            &["01001020100", "01001020200", "01001020300"],
        )
        .unwrap_err();
        assert_eq!(e.code(), Code::StrippedLeadingZero);
        assert!(e.message().contains("rows 2, 4"), "{}", e.message());
        assert_eq!(e.details().len(), 2);
    }

    #[test]
    fn an_unknown_geoid_names_its_row() {
        let e = read_csv("GEOID,x\n17031010100,1\n99999999999,2\n", &["17031010100"]).unwrap_err();
        assert_eq!(e.code(), Code::UnknownGeoid);
        assert_eq!(e.details()[0].row, Some(3));
        assert_eq!(e.details()[0].field.as_deref(), Some("GEOID"));
    }

    #[test]
    fn a_non_numeric_value_names_row_and_field() {
        let e = read_csv("GEOID,x\n1,5\n2,five\n", &["1", "2"]).unwrap_err();
        assert_eq!(e.code(), Code::InvalidFile);
        let p = &e.details()[0];
        assert_eq!((p.row, p.field.as_deref()), (Some(3), Some("x")));
    }

    #[test]
    fn census_annotations_become_missing_values() {
        let r = read_csv("GEOID,x,x_moe\n1,5,*****\n2,-,(X)\n", &["1", "2"]).unwrap();
        assert_eq!(r.table.rows[1].values, [None, None]);
        assert!(r.warnings.iter().any(|w| w.message.contains("3 cells")));
    }

    #[test]
    fn a_negative_value_is_refused_but_a_census_jam_value_is_missing() {
        let e = read_csv("GEOID,x,x_moe\n1,5,1\n2,-3,1\n", &["1", "2"]).unwrap_err();
        assert_eq!(e.code(), Code::InvalidFile);
        let p = &e.details()[0];
        assert_eq!((p.row, p.field.as_deref()), (Some(3), Some("x")));
        assert!(p.message.contains("negative"), "{}", p.message);
        let r = read_csv("GEOID,x,x_moe\n1,5,-555555555\n", &["1"]).unwrap();
        assert_eq!(r.table.rows[0].values, [Some(5.0), None]);
    }

    #[test]
    fn a_header_without_rows_is_an_empty_file() {
        let e = read_csv("GEOID,x\n", &["1"]).unwrap_err();
        assert_eq!(e.code(), Code::EmptyFile);
        assert!(e.message().contains("no rows"), "{}", e.message());
    }

    #[test]
    fn a_duplicate_geoid_is_refused() {
        let e = read_csv("GEOID,x\n1,5\n1,6\n", &["1"]).unwrap_err();
        assert_eq!(e.code(), Code::DuplicateId);
        assert!(e.message().contains("row 2"));
    }
}
