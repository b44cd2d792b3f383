//! CSV to a table of text cells, read with polars. Every column is read as text so that
//! GEOIDs keep their leading zeros and each cell can be checked with its row and column.

use super::{InputFile, TableLimits};
use crate::error::{Code, Error, Problem, Result};
use polars::prelude::*;
use std::io::Cursor;

/// A cell as written before a spreadsheet formula guard: gapmap's own CSV downloads
/// (`crate::output::csv`, and the map page's) write a text cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return with a leading `'`, so it does not run as a
/// formula; reading drops that mark again, so a download uploads unchanged.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// A CSV file as text cells. Row numbers are as a spreadsheet shows them: the header is
/// row 1, so `rows[0]` is row 2.
#[derive(Debug)]
pub struct Table {
    /// The file name, for messages.
    pub file: String,
    /// Header names, trimmed.
    pub headers: Vec<String>,
    /// Cells by column then row (`None` for an empty cell).
    columns: Vec<Vec<Option<String>>>,
    rows: usize,
}

impl Table {
    /// Parses CSV text. Refuses an empty file, a missing header, a duplicated header,
    /// rows whose field count differs from the header's, and a file beyond the limits
    /// (checked before polars allocates anything for it).
    pub fn read(file: &InputFile, limits: &TableLimits) -> Result<Self> {
        file.require_content()?;
        let text = file.text()?;
        let malformed =
            |msg: String| Error::problem(Code::MalformedFile, Problem::in_file(&file.name, msg));

        let header_line = text.lines().next().unwrap_or_default();
        let headers: Vec<String> = split_header(header_line);
        if headers.len() > limits.max_columns {
            return Err(Error::problem(
                Code::PayloadTooLarge,
                Problem::at(
                    &file.name,
                    1,
                    &format!("column {}", limits.max_columns + 1),
                    format!(
                        "the header has {} columns, more than the limit of {} (--max-csv-columns)",
                        headers.len(),
                        limits.max_columns
                    ),
                ),
            ));
        }
        if headers.iter().all(String::is_empty) {
            return Err(malformed(
                "the first row must be a header naming the columns".into(),
            ));
        }
        for (i, h) in headers.iter().enumerate() {
            if h.is_empty() {
                return Err(Error::problem(
                    Code::MalformedFile,
                    Problem::at(
                        &file.name,
                        1,
                        &format!("column {}", i + 1),
                        "the header cell is empty",
                    ),
                ));
            }
            if headers[..i].contains(h) {
                return Err(Error::problem(
                    Code::MalformedFile,
                    Problem::at(
                        &file.name,
                        1,
                        h,
                        "this column name appears twice in the header",
                    ),
                ));
            }
        }
        check_rows(text, headers.len(), limits.max_rows, &file.name)?;

        let schema: Schema = headers
            .iter()
            .map(|h| Field::new(h.as_str().into(), DataType::String))
            .collect();
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_schema(Some(Arc::new(schema)))
            .with_parse_options(CsvParseOptions::default().with_truncate_ragged_lines(false))
            .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
            .finish()
            .map_err(|e| malformed(format!("the CSV cannot be read: {e}")))?;

        let rows = df.height();
        let mut columns = Vec::with_capacity(headers.len());
        for col in df.columns() {
            let s = col
                .as_materialized_series()
                .str()
                .map_err(|e| malformed(format!("the CSV cannot be read: {e}")))?;
            columns.push(
                s.iter()
                    .map(|v| {
                        v.map(str::trim)
                            .filter(|v| !v.is_empty())
                            .map(unguard)
                            .map(str::to_owned)
                    })
                    .collect(),
            );
        }
        // Spreadsheets often end a CSV with blank lines or rows of bare commas; polars
        // reads them as empty rows. Those at the end are dropped; one in the middle stays,
        // so row numbers keep matching the file and the importer names it.
        let rows = (0..rows)
            .rev()
            .find(|&r| columns.iter().any(|c: &Vec<Option<String>>| c[r].is_some()))
            .map_or(0, |last| last + 1);
        for c in &mut columns {
            c.truncate(rows);
        }
        Ok(Self {
            file: file.name.clone(),
            headers,
            columns,
            rows,
        })
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Position of a column (exact name).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Position of the first of several names that the header has (case-insensitive).
    pub fn column_any(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// Renames a column (its name matched case-insensitively), unless the new name is
    /// already one; true when renamed. Readers of older layouts use it to read a table
    /// under today's column names while messages keep the file's name.
    pub fn rename_column(&mut self, from: &str, to: &str) -> bool {
        if self.column_any(&[to]).is_some() {
            return false;
        }
        match self.column_any(&[from]) {
            Some(c) => {
                to.clone_into(&mut self.headers[c]);
                true
            }
            None => false,
        }
    }

    /// Adds a column holding one value in every row, unless the header has it already.
    pub fn add_constant_column(&mut self, name: &str, value: &str) {
        if self.column_any(&[name]).is_none() {
            self.headers.push(name.to_owned());
            self.columns.push(vec![Some(value.to_owned()); self.rows]);
        }
    }

    /// The cell at a column and 0-based data row.
    pub fn cell(&self, col: usize, row: usize) -> Option<&str> {
        self.columns[col][row].as_deref()
    }

    /// The spreadsheet row number of a 0-based data row.
    pub fn row_number(row: usize) -> u64 {
        row as u64 + 2
    }
}

fn split_header(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.trim_end_matches('\r').chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_owned()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_owned());
    out
}

/// Polars silently pads short rows; a spreadsheet user needs the row that is off. The
/// same pass counts rows, so a file beyond the row limit is refused before it is parsed.
fn check_rows(text: &str, expected: usize, max_rows: usize, file: &str) -> Result<()> {
    let mut fields = 1;
    let mut quoted = false;
    let mut row: u64 = 1;
    let mut line_has_content = false;
    // A row of bare commas is content for the field count but not a row with values.
    let mut line_has_value = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                if quoted && chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    quoted = !quoted;
                }
                line_has_content = true;
                line_has_value = true;
            }
            ',' if !quoted => {
                fields += 1;
                line_has_content = true;
            }
            '\n' if !quoted => {
                if line_has_content && fields != expected {
                    return Err(Error::problem(
                        Code::MalformedFile,
                        Problem::at_row(
                            file,
                            row,
                            format!("this row has {fields} fields but the header has {expected}"),
                        ),
                    ));
                }
                if line_has_value && row > max_rows as u64 + 1 {
                    return Err(too_many_rows(file, row, max_rows));
                }
                row += 1;
                fields = 1;
                line_has_content = false;
                line_has_value = false;
            }
            '\r' if !quoted => {}
            c => {
                line_has_content = true;
                line_has_value |= !c.is_whitespace();
            }
        }
    }
    if quoted {
        return Err(Error::problem(
            Code::MalformedFile,
            Problem::at_row(file, row, "a quoted field is never closed"),
        ));
    }
    if line_has_content && fields != expected {
        return Err(Error::problem(
            Code::MalformedFile,
            Problem::at_row(
                file,
                row,
                format!("this row has {fields} fields but the header has {expected}"),
            ),
        ));
    }
    if line_has_value && row > max_rows as u64 + 1 {
        return Err(too_many_rows(file, row, max_rows));
    }
    Ok(())
}

fn too_many_rows(file: &str, row: u64, max_rows: usize) -> Error {
    Error::problem(
        Code::PayloadTooLarge,
        Problem::at_row(
            file,
            row,
            format!(
                "the file has more than {max_rows} data rows (the limit, --max-csv-rows); split it or raise the limit"
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formula_guard_of_a_download_is_dropped_and_other_quotes_stay() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'-4"), "-4");
        assert_eq!(unguard("'tis"), "'tis");
        assert_eq!(unguard("=1"), "=1");
    }

    fn table(text: &str) -> Result<Table> {
        Table::read(&InputFile::new("t.csv", text), &TableLimits::default())
    }

    fn limited(text: &str, max_rows: usize, max_columns: usize) -> Result<Table> {
        let limits = TableLimits {
            max_rows,
            max_columns,
        };
        Table::read(&InputFile::new("t.csv", text), &limits)
    }

    #[test]
    fn the_row_limit_names_the_first_row_beyond_it() {
        let text = "a,b\n1,2\n3,4\n5,6\n";
        assert_eq!(limited(text, 3, 10).unwrap().len(), 3);
        let e = limited(text, 2, 10).unwrap_err();
        assert_eq!(e.code(), Code::PayloadTooLarge);
        // Row 4 (the header is row 1) is the third data row, the first beyond 2.
        assert_eq!(e.details()[0].row, Some(4));
        assert!(e.message().contains("--max-csv-rows"), "{}", e.message());
        // A last row without a newline counts too.
        assert_eq!(
            limited("a\n1\n2", 1, 10).unwrap_err().details()[0].row,
            Some(3)
        );
        // Blank lines and bare commas at the end are not rows.
        assert_eq!(limited("a,b\n1,2\n\n,\n\n", 1, 10).unwrap().len(), 1);
        // One in the middle is, so that row numbers keep matching the file.
        let t = limited("a,b\n1,2\n\n3,4\n", 3, 10).unwrap();
        assert_eq!((t.len(), t.cell(0, 1), t.cell(0, 2)), (3, None, Some("3")));
    }

    #[test]
    fn the_column_limit_is_checked_on_the_header() {
        assert_eq!(limited("a,b,c\n1,2,3\n", 10, 3).unwrap().headers.len(), 3);
        let e = limited("a,b,c\n1,2,3\n", 10, 2).unwrap_err();
        assert_eq!(e.code(), Code::PayloadTooLarge);
        let d = &e.details()[0];
        assert_eq!((d.row, d.field.as_deref()), (Some(1), Some("column 3")));
        assert!(e.message().contains("3 columns"), "{}", e.message());
    }

    #[test]
    fn leading_zeros_and_quoted_newlines_survive() {
        let t = table("GEOID,note\n01001020100,\"a\nb\"\n02013000100,\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.cell(0, 0), Some("01001020100"));
        assert_eq!(t.cell(1, 0), Some("a\nb"));
        assert_eq!(t.cell(1, 1), None);
    }

    #[test]
    fn a_short_row_is_named() {
        let e = table("a,b,c\n1,2,3\n4,5\n").unwrap_err();
        assert_eq!(e.details()[0].row, Some(3));
        assert!(e.message().contains("2 fields"), "{}", e.message());
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_offset() {
        // Latin-1 "é" (0xE9), as an older spreadsheet might save it.
        let file = InputFile::new("t.csv", b"a,b\ncaf\xe9,1\n".to_vec());
        let e = Table::read(&file, &TableLimits::default()).unwrap_err();
        assert_eq!(e.code(), Code::MalformedFile);
        assert!(e.message().contains("offset 7"), "{}", e.message());
        assert!(e.message().contains("save it as UTF-8"), "{}", e.message());
    }

    #[test]
    fn empty_and_headerless_files_are_refused() {
        assert_eq!(table("").unwrap_err().code(), Code::EmptyFile);
        assert_eq!(table("a,a\n1,2\n").unwrap_err().code(), Code::MalformedFile);
    }
}
