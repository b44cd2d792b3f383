//! Program records: a CSV of program-wide figures with their sources, one per row.
//!
//! ```csv
//! record,value,source,as_of,name,kind,notes
//! funded_enrollment,240,PIR 2024,2024-06-30,,,
//! children_homeless,18,McKinney-Vento liaison (district),2024-05-01,,,
//! other_program,1200,State pre-K roster,2024-09-01,City pre-K,preschool,approximate
//! ```
//!
//! `record`, `value` and `source` are required; `other_program` rows also need `name` and
//! `kind` (child_care, home_visiting, preschool, head_start, other). Every other record
//! appears at most once. Columns are matched by name, in any order; others are refused.

use super::{InputFile, Problems, Table, TableLimits};
use crate::domain::{ProgramKind, ProgramRecord, RecordKind, parse_date};
use crate::error::{Code, Error, Problem, Result};
use std::collections::HashMap;

const COLUMNS: [&str; 7] = [
    "record", "value", "source", "as_of", "name", "kind", "notes",
];
const REQUIRED: [&str; 3] = ["record", "value", "source"];

/// Reads a program-records CSV.
pub fn read(file: &InputFile, limits: &TableLimits) -> Result<Vec<ProgramRecord>> {
    let t = Table::read(file, limits)?;
    for h in &t.headers {
        if !COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h)) {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    &file.name,
                    1,
                    h,
                    format!(
                        "'{h}' is not a program-records column; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                ),
            ));
        }
    }
    for r in REQUIRED {
        if t.column_any(&[r]).is_none() {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    &file.name,
                    1,
                    r,
                    format!(
                        "the header needs a '{r}' column (record, value and source are required)"
                    ),
                ),
            ));
        }
    }
    if t.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(&file.name, "the file has a header but no records"),
        ));
    }
    let col = |name: &str| t.column_any(&[name]);
    let cell = |name: &str, r: usize| col(name).and_then(|c| t.cell(c, r));
    let mut problems = Problems::default();
    let mut out = Vec::with_capacity(t.len());
    let mut seen: HashMap<RecordKind, u64> = HashMap::new();
    for r in 0..t.len() {
        let row = Table::row_number(r);
        let mut bad = |field: &str, why: String| {
            problems.push(Code::InvalidFile, Problem::at(&file.name, row, field, why));
        };
        let Some(record) = cell("record", r).map(|v| (v, RecordKind::parse(v))) else {
            bad("record", "the record is empty".into());
            continue;
        };
        let record = match record {
            (_, Some(k)) => k,
            (raw, None) => {
                let codes: Vec<&str> = RecordKind::ALL.iter().map(|k| k.code()).collect();
                bad(
                    "record",
                    format!(
                        "'{raw}' is not a record gapmap knows; use one of {}",
                        codes.join(", ")
                    ),
                );
                continue;
            }
        };
        let value = match cell("value", r).map(|v| v.parse::<f64>()) {
            Some(Ok(v)) if v.is_finite() && v >= 0.0 => Some(v),
            Some(_) => {
                bad(
                    "value",
                    format!(
                        "'{}' is not a count (a number ≥ 0)",
                        cell("value", r).unwrap_or_default()
                    ),
                );
                None
            }
            None => {
                bad("value", "the value is empty".into());
                None
            }
        };
        let source = cell("source", r).map(str::to_owned);
        if source.is_none() {
            bad(
                "source",
                "say where the figure comes from (the PIR, a McKinney-Vento liaison, a roster …)"
                    .into(),
            );
        }
        let as_of = match cell("as_of", r) {
            None => None,
            Some(v) => match parse_date(v) {
                Some(d) => Some(d),
                None => {
                    bad("as_of", format!("'{v}' is not a date YYYY-MM-DD"));
                    None
                }
            },
        };
        let name = cell("name", r).map(str::to_owned);
        let kind = match cell("kind", r) {
            None => None,
            Some(v) => match ProgramKind::parse(v) {
                Some(k) => Some(k),
                None => {
                    let codes: Vec<&str> = ProgramKind::ALL.iter().map(|k| k.code()).collect();
                    bad(
                        "kind",
                        format!(
                            "'{v}' is not a program kind; use one of {}",
                            codes.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        if record == RecordKind::OtherProgram {
            if name.is_none() {
                bad("name", "an other_program row names the program".into());
            }
            if kind.is_none() && cell("kind", r).is_none() {
                bad(
                    "kind",
                    "an other_program row says what kind of program it is".into(),
                );
            }
        } else if let Some(first) = seen.insert(record, row) {
            bad(
                "record",
                format!(
                    "{} is already on row {first}; give each total once",
                    record.code()
                ),
            );
        }
        if let (Some(value), Some(source)) = (value, source) {
            out.push(ProgramRecord {
                record,
                name,
                kind,
                value,
                source,
                as_of,
                notes: cell("notes", r).map(str::to_owned),
            });
        }
    }
    problems.into_result(&file.name)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_csv(text: &str) -> Result<Vec<ProgramRecord>> {
        read(
            &InputFile::new("records.csv", text),
            &TableLimits::default(),
        )
    }

    #[test]
    fn totals_and_other_programs_are_read_with_their_sources() {
        let r = read_csv(
            "record,value,source,as_of,name,kind\n\
             funded_enrollment,240,PIR 2024,2024-06-30,,\n\
             children_homeless,18,McKinney-Vento liaison,,,\n\
             other_program,1200,State pre-K roster,,City pre-K,preschool\n",
        )
        .unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].record, r[0].value),
            (RecordKind::FundedEnrollment, 240.0)
        );
        assert_eq!(r[0].as_of.as_deref(), Some("2024-06-30"));
        assert_eq!(r[1].source, "McKinney-Vento liaison");
        assert_eq!(r[2].name.as_deref(), Some("City pre-K"));
        assert_eq!(r[2].kind, Some(ProgramKind::Preschool));
    }

    #[test]
    fn every_problem_names_its_row_and_field() {
        let e = read_csv(
            "record,value,source,kind\n\
             funded_enrollment,-3,PIR,\n\
             waitlist,4,PIR,\n\
             children_foster_care,9,,\n\
             other_program,50,Roster,\n\
             funded_enrollment,240,PIR,\n",
        )
        .unwrap_err();
        let got: Vec<(u64, &str)> = e
            .details()
            .iter()
            .map(|p| (p.row.unwrap(), p.field.as_deref().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "value"),
                (3, "record"),
                (4, "source"),
                (5, "name"),
                (5, "kind"),
                (6, "record")
            ]
        );
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let e = read_csv("record,value,source,colour\nfunded_enrollment,1,PIR,red\n").unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("colour"));
        let e = read_csv("record,value\nfunded_enrollment,1\n").unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("source"));
    }
}
