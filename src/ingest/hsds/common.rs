//! Small helpers shared by the HSDS readers: cell access by column name, row numbers as
//! a spreadsheet shows them, and a capped list of warnings.

use crate::ingest::Table;

/// At most this many warnings are listed; the last one counts the rest.
pub(super) const MAX_NOTES: usize = 50;

/// Warnings, capped so that a large package cannot flood the report.
#[derive(Default)]
pub(super) struct Notes {
    list: Vec<String>,
    more: usize,
}

impl Notes {
    pub(super) fn push(&mut self, note: String) {
        if self.list.len() < MAX_NOTES {
            self.list.push(note);
        } else {
            self.more += 1;
        }
    }

    pub(super) fn into_vec(mut self) -> Vec<String> {
        if self.more > 0 {
            self.list.push(format!("… and {} more warnings", self.more));
        }
        self.list
    }
}

/// Column lookup and cell access for one table.
pub(super) struct Cols<'a> {
    pub(super) t: &'a Table,
}

impl<'a> Cols<'a> {
    pub(super) fn get(&self, name: &str, r: usize) -> Option<&'a str> {
        self.t.column_any(&[name]).and_then(|c| self.t.cell(c, r))
    }

    pub(super) fn file(&self) -> &'a str {
        &self.t.file
    }
}

/// The spreadsheet row number of a 0-based data row.
pub(super) fn row(r: usize) -> u64 {
    Table::row_number(r)
}
