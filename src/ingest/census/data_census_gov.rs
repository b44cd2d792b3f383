//! A data.census.gov table download (`ACSDT5Y2022.B01001-Data.csv`): a header of column
//! codes (`GEO_ID`, `NAME`, `B01001_001E`, `B01001_001M`, …), a second header row of
//! labels (`Geography`, `Geographic Area Name`, `Estimate!!Total:`, …), then one row per
//! area keyed by `GEO_ID` such as `1400000US17031010100`. Lines may end with a comma (an
//! empty last column), as the site writes them.

use super::{AcsFile, AcsRow, Needed, cells, geoid_from_parts};
use crate::domain::{AcsColumn, AcsVariable, Geoid};
use crate::error::{Code, Error, Problem, Result};
use crate::ingest::{InputFile, Problems, Table, TableLimits};
use std::collections::BTreeMap;

/// Reads the download; only the cells of `needed` variables are parsed.
pub fn read(file: &InputFile, needed: &Needed, limits: &TableLimits) -> Result<AcsFile> {
    let cleaned = drop_trailing_empty_column(file.text()?);
    let t = match cleaned {
        Some(text) => Table::read(&InputFile::new(&file.name, text), limits)?,
        None => Table::read(file, limits)?,
    };

    // Which columns hold which variable's estimate and margin.
    let mut columns: BTreeMap<AcsVariable, (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (c, h) in t.headers.iter().enumerate() {
        if let Some((var, kind)) = AcsVariable::from_column(h) {
            let slot = columns.entry(var).or_default();
            match kind {
                AcsColumn::Estimate => slot.0 = Some(c),
                AcsColumn::Margin => slot.1 = Some(c),
            }
        }
    }
    let key = Key::find(&t).ok_or_else(|| {
        Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                "GEO_ID",
                format!(
                    "no GEO_ID column: a data.census.gov download names the area in GEO_ID (such as 1400000US17031010100); found: {}",
                    t.headers.join(", ")
                ),
            ),
        )
    })?;
    if columns.values().all(|(e, _)| e.is_none()) {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::at(
                &file.name,
                1,
                "header",
                "no estimate columns: a Census table names them <TABLE>_<LINE>E, such as B01001_003E",
            ),
        ));
    }

    // data.census.gov's second header row holds labels, not an area.
    let first = usize::from(!t.is_empty() && is_label_row(&t, 0));
    let mut rows = Vec::with_capacity(t.len().saturating_sub(first));
    let mut problems = Problems::default();
    let mut jammed = 0;
    for r in first..t.len() {
        let row = Table::row_number(r);
        let geoid = match key.geoid(&t, r) {
            Ok(g) => g,
            Err((field, why)) => {
                problems.push(Code::InvalidFile, Problem::at(&file.name, row, &field, why));
                continue;
            }
        };
        let mut values = Vec::new();
        for (var, (e, m)) in &columns {
            if !needed.contains(var) {
                continue;
            }
            let Some(e) = *e else { continue };
            let est = cells::estimate(t.cell(e, r));
            let moe = m.map(|m| cells::margin(t.cell(m, r)));
            match (est, moe.transpose()) {
                (Ok(est), Ok(moe)) => {
                    jammed += usize::from(matches!(est, cells::Cell::Missing { jammed: true }));
                    jammed +=
                        usize::from(matches!(moe, Some(cells::Cell::Missing { jammed: true })));
                    values.push((var.clone(), est.value(), moe.and_then(cells::Cell::value)));
                }
                (Err(why), _) => problems.push(
                    Code::InvalidFile,
                    Problem::at(&file.name, row, &t.headers[e], why),
                ),
                (_, Err(why)) => problems.push(
                    Code::InvalidFile,
                    Problem::at(&file.name, row, &t.headers[m.unwrap_or(e)], why),
                ),
            }
        }
        rows.push(AcsRow {
            geoid,
            row,
            key_field: key.field(&t),
            values,
        });
    }
    problems.into_result(&file.name)?;
    if rows.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(&file.name, "the table has headers but no areas"),
        ));
    }
    Ok(AcsFile {
        name: file.name.clone(),
        variables: columns
            .iter()
            .filter(|(_, (e, _))| e.is_some())
            .map(|(v, (_, m))| (v.clone(), m.is_some()))
            .collect(),
        rows,
        jammed,
    })
}

/// Where a row names its area: a `GEO_ID` (or `GEOID`) column, or the API's columns
/// `state`, `county`, `tract`, `block group` when a Census API answer was saved as CSV.
enum Key {
    GeoId(usize),
    Parts(Vec<(usize, &'static str)>),
}

impl Key {
    fn find(t: &Table) -> Option<Self> {
        if let Some(c) = t.column_any(&["GEO_ID", "GEOID"]) {
            return Some(Self::GeoId(c));
        }
        let parts: Vec<(usize, &'static str)> = super::GEOGRAPHY_PARTS
            .iter()
            .filter_map(|&(name, _)| t.column(name).map(|c| (c, name)))
            .collect();
        (!parts.is_empty()).then_some(Self::Parts(parts))
    }

    fn field(&self, t: &Table) -> String {
        match self {
            Self::GeoId(c) => t.headers[*c].clone(),
            Self::Parts(p) => p.last().map(|(_, n)| (*n).to_owned()).unwrap_or_default(),
        }
    }

    fn geoid(&self, t: &Table, r: usize) -> std::result::Result<Geoid, (String, String)> {
        match self {
            Self::GeoId(c) => {
                let field = t.headers[*c].clone();
                let raw = t
                    .cell(*c, r)
                    .ok_or_else(|| (field.clone(), "the GEO_ID is empty".to_owned()))?;
                let g = Geoid::parse_census(raw).map_err(|e| (field.clone(), e.to_string()))?;
                if !g.is_numeric() {
                    return Err((
                        field,
                        format!("'{raw}' is not a Census GEO_ID (such as 1400000US17031010100)"),
                    ));
                }
                Ok(g)
            }
            Self::Parts(parts) => {
                let given: Vec<(&'static str, Option<String>)> = parts
                    .iter()
                    .map(|&(c, name)| (name, t.cell(c, r).map(str::to_owned)))
                    .collect();
                geoid_from_parts(&given)
            }
        }
    }
}

/// True when a data row is data.census.gov's row of labels.
fn is_label_row(t: &Table, r: usize) -> bool {
    (0..t.headers.len()).any(|c| {
        t.cell(c, r).is_some_and(|v| {
            v == "Geography"
                || v == "Geographic Area Name"
                || v.starts_with("Estimate!!")
                || v.starts_with("Margin of Error!!")
        })
    })
}

/// data.census.gov ends every line with a comma, which makes an empty, unnamed last
/// column. When the header does, the trailing comma of every line is dropped (outside
/// quotes); otherwise the text is used as it is.
fn drop_trailing_empty_column(text: &str) -> Option<String> {
    let header = text.lines().next()?.trim_end_matches('\r');
    if !ends_with_unquoted_comma(header) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut pending_comma = false;
    for c in text.chars() {
        if pending_comma {
            pending_comma = false;
            if c != '\n' && c != '\r' {
                out.push(',');
            }
        }
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            ',' if !quoted => pending_comma = true,
            _ => out.push(c),
        }
    }
    Some(out)
}

fn ends_with_unquoted_comma(line: &str) -> bool {
    let mut quoted = false;
    let mut last = None;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        last = Some((c, quoted));
    }
    matches!(last, Some((',', false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_commas_are_dropped_outside_quotes_only() {
        let text = "\"GEO_ID\",\"NAME\",\n\"1400000US01001020100\",\"Tract 201, a\",\n";
        assert_eq!(
            drop_trailing_empty_column(text).unwrap(),
            "\"GEO_ID\",\"NAME\"\n\"1400000US01001020100\",\"Tract 201, a\"\n"
        );
        assert_eq!(drop_trailing_empty_column("a,b\n1,2\n"), None);
        assert_eq!(
            drop_trailing_empty_column("a,b,\r\n1,,\r\n").unwrap(),
            "a,b\r\n1,\r\n"
        );
    }
}
