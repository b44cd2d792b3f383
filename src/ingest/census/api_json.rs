//! A Census Data API answer (`api.census.gov/data/2022/acs/acs5?get=NAME,B01001_003E,
//! B01001_003M&for=tract:*&in=state:17+county:031`): a JSON array of arrays, the first
//! the column names, then one per area, every value a string (or null). The area is named
//! by `state`, `county`, `tract` and, for block groups, `block group` columns (or by a
//! `GEO_ID` column when `group(…)` was asked for). Rows are numbered as the array's
//! elements, the header being row 1; the API writes each on its own line.

use super::{AcsFile, AcsRow, GEOGRAPHY_PARTS, Needed, cells, geoid_from_parts};
use crate::domain::{AcsColumn, AcsVariable, Geoid};
use crate::error::{Code, Error, Problem, Result};
use crate::ingest::{InputFile, Problems, TableLimits};
use serde_json::Value;
use std::collections::BTreeMap;

/// Reads the answer; only the cells of `needed` variables are parsed.
pub fn read(file: &InputFile, needed: &Needed, limits: &TableLimits) -> Result<AcsFile> {
    let malformed =
        |msg: String| Error::problem(Code::MalformedFile, Problem::in_file(&file.name, msg));
    let doc: Value = serde_json::from_str(file.text()?)
        .map_err(|e| malformed(format!("the JSON cannot be read: {e}")))?;
    let Value::Array(rows) = doc else {
        return Err(malformed(
            "a Census API answer is an array of arrays ([[\"NAME\", \"B01001_003E\", …, \"state\", \"county\", \"tract\"], …])".into(),
        ));
    };
    let Some((header, body)) = rows.split_first() else {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(&file.name, "the answer is an empty array"),
        ));
    };
    let headers: Vec<String> = match header {
        Value::Array(cells) => cells
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    Error::problem(
                        Code::MalformedFile,
                        Problem::at(
                            &file.name,
                            1,
                            &format!("column {}", i + 1),
                            "the first row must name the columns as strings",
                        ),
                    )
                })
            })
            .collect::<Result<_>>()?,
        _ => {
            return Err(malformed(
                "the first element must be the array of column names".into(),
            ));
        }
    };
    if headers.len() > limits.max_columns {
        return Err(Error::problem(
            Code::PayloadTooLarge,
            Problem::at(
                &file.name,
                1,
                &format!("column {}", limits.max_columns + 1),
                format!(
                    "the answer has {} columns, more than the limit of {} (--max-csv-columns)",
                    headers.len(),
                    limits.max_columns
                ),
            ),
        ));
    }
    if body.len() > limits.max_rows {
        return Err(Error::problem(
            Code::PayloadTooLarge,
            Problem::at_row(
                &file.name,
                limits.max_rows as u64 + 2,
                format!(
                    "the answer has more than {} rows (the limit, --max-csv-rows)",
                    limits.max_rows
                ),
            ),
        ));
    }

    let mut columns: BTreeMap<AcsVariable, (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (c, h) in headers.iter().enumerate() {
        if let Some((var, kind)) = AcsVariable::from_column(h) {
            let slot = columns.entry(var).or_default();
            match kind {
                AcsColumn::Estimate => slot.0 = Some(c),
                AcsColumn::Margin => slot.1 = Some(c),
            }
        }
    }
    let geo_id = headers.iter().position(|h| h == "GEO_ID");
    let parts: Vec<(usize, &'static str)> = GEOGRAPHY_PARTS
        .iter()
        .filter_map(|&(name, _)| headers.iter().position(|h| h == name).map(|c| (c, name)))
        .collect();
    if geo_id.is_none() && parts.is_empty() {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                "header",
                format!(
                    "the answer names no area: ask the API for tracts or block groups (for=tract:*&in=state:17+county:031), which adds the columns state, county and tract; found: {}",
                    headers.join(", ")
                ),
            ),
        ));
    }
    if columns.values().all(|(e, _)| e.is_none()) {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                "header",
                "no estimate columns: ask for variables such as B01001_003E (and B01001_003M for the margin)",
            ),
        ));
    }

    let mut out = Vec::with_capacity(body.len());
    let mut problems = Problems::default();
    let mut jammed = 0;
    for (i, element) in body.iter().enumerate() {
        let row = i as u64 + 2;
        let Value::Array(values) = element else {
            problems.push(
                Code::MalformedFile,
                Problem::at_row(&file.name, row, "each row must be an array of values"),
            );
            continue;
        };
        if values.len() != headers.len() {
            problems.push(
                Code::MalformedFile,
                Problem::at_row(
                    &file.name,
                    row,
                    format!(
                        "this row has {} values but the header has {}",
                        values.len(),
                        headers.len()
                    ),
                ),
            );
            continue;
        }
        let text = |c: usize| -> Option<String> {
            match &values[c] {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }
        };
        let geoid = match geo_id {
            Some(c) => text(c)
                .ok_or_else(|| ("GEO_ID".to_owned(), "the GEO_ID is empty".to_owned()))
                .and_then(|raw| {
                    Geoid::parse_census(&raw)
                        .ok()
                        .filter(Geoid::is_numeric)
                        .ok_or_else(|| {
                            (
                                "GEO_ID".to_owned(),
                                format!("'{raw}' is not a Census GEO_ID"),
                            )
                        })
                }),
            None => {
                let given: Vec<(&'static str, Option<String>)> =
                    parts.iter().map(|&(c, name)| (name, text(c))).collect();
                geoid_from_parts(&given)
            }
        };
        let geoid = match geoid {
            Ok(g) => g,
            Err((field, why)) => {
                problems.push(Code::InvalidFile, Problem::at(&file.name, row, &field, why));
                continue;
            }
        };
        let mut cells_read = Vec::new();
        for (var, (e, m)) in &columns {
            let (true, Some(e)) = (needed.contains(var), *e) else {
                continue;
            };
            let est = cells::estimate(text(e).as_deref());
            let moe = m.map(|m| cells::margin(text(m).as_deref()));
            match (est, moe.transpose()) {
                (Ok(est), Ok(moe)) => {
                    jammed += usize::from(matches!(est, cells::Cell::Missing { jammed: true }));
                    jammed +=
                        usize::from(matches!(moe, Some(cells::Cell::Missing { jammed: true })));
                    cells_read.push((var.clone(), est.value(), moe.and_then(cells::Cell::value)));
                }
                (Err(why), _) => {
                    problems.push(
                        Code::InvalidFile,
                        Problem::at(&file.name, row, &headers[e], why),
                    );
                }
                (_, Err(why)) => problems.push(
                    Code::InvalidFile,
                    Problem::at(&file.name, row, &headers[m.unwrap_or(e)], why),
                ),
            }
        }
        out.push(AcsRow {
            geoid,
            row,
            key_field: if geo_id.is_some() {
                "GEO_ID".to_owned()
            } else {
                parts
                    .last()
                    .map(|(_, n)| (*n).to_owned())
                    .unwrap_or_default()
            },
            values: cells_read,
        });
    }
    problems.into_result(&file.name)?;
    if out.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(&file.name, "the answer has a header but no areas"),
        ));
    }
    Ok(AcsFile {
        name: file.name.clone(),
        variables: columns
            .iter()
            .filter(|(_, (e, _))| e.is_some())
            .map(|(v, (_, m))| (v.clone(), m.is_some()))
            .collect(),
        rows: out,
        jammed,
    })
}
