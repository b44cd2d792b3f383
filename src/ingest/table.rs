//! CSV to a table of text cells, read with polars. Every column is read as text so that
//! GEOIDs keep their leading zeros and each cell can be checked with its row and column.

use super::InputFile;
use crate::error::{Code, Error, Problem, Result};
use polars::prelude::*;
use std::io::Cursor;

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
    /// Parses CSV text. Refuses an empty file, a missing header, a duplicated header and
    /// rows whose field count differs from the header's.
    pub fn read(file: &InputFile) -> Result<Self> {
        file.require_content()?;
        let text = file.text()?;
        let malformed =
            |msg: String| Error::problem(Code::MalformedFile, Problem::in_file(&file.name, msg));

        let header_line = text.lines().next().unwrap_or_default();
        let headers: Vec<String> = split_header(header_line);
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
        check_field_counts(text, headers.len(), &file.name)?;

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
                            .map(str::to_owned)
                    })
                    .collect(),
            );
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

/// Polars silently pads short rows; a spreadsheet user needs the row that is off.
fn check_field_counts(text: &str, expected: usize, file: &str) -> Result<()> {
    let mut fields = 1;
    let mut quoted = false;
    let mut row: u64 = 1;
    let mut line_has_content = false;
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
                row += 1;
                fields = 1;
                line_has_content = false;
            }
            '\r' if !quoted => {}
            _ => line_has_content = true,
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Result<Table> {
        Table::read(&InputFile::new("t.csv", text))
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
    fn empty_and_headerless_files_are_refused() {
        assert_eq!(table("").unwrap_err().code(), Code::EmptyFile);
        assert_eq!(table("a,a\n1,2\n").unwrap_err().code(), Code::MalformedFile);
    }
}
