//! CSV writing for every download: quoting, numbers in one exact form, and the spreadsheet
//! formula guard.
//!
//! A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would run
//! as a formula when the file is opened in a spreadsheet (CSV injection), so such a cell
//! is written with a leading `'`, as the map page's own CSV export does. Numbers are not
//! text: `-3.5` stays a number. gapmap's CSV readers drop the guard again
//! (`ingest::table`), so a download still uploads unchanged.

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Builds a CSV document row by row.
///
/// ```
/// use gapmap::output::csv::Csv;
/// let mut csv = Csv::with_header(["name", "change"]);
/// csv.text("=HYPERLINK(\"x\")").number(-3.5).end_row();
/// csv.text("Kids, Inc.").empty().end_row();
/// assert_eq!(csv.finish(), "name,change\n\"'=HYPERLINK(\"\"x\"\")\",-3.5\n\"Kids, Inc.\",\n");
/// ```
#[derive(Debug, Default)]
pub struct Csv {
    out: String,
    cells_in_row: usize,
}

impl Csv {
    /// A document whose first row is `header` (written as text cells).
    pub fn with_header<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> Self {
        let mut csv = Self::default();
        for h in header {
            csv.text(h.as_ref());
        }
        csv.end_row();
        csv
    }

    fn separate(&mut self) {
        if self.cells_in_row > 0 {
            self.out.push(',');
        }
        self.cells_in_row += 1;
    }

    /// A text cell: guarded against formulas, quoted when it needs it.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.separate();
        let guarded = s.starts_with(FORMULA_STARTS);
        if guarded || s.contains([',', '"', '\n', '\r']) {
            self.out.push('"');
            if guarded {
                self.out.push('\'');
            }
            self.out.push_str(&s.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(s);
        }
        self
    }

    /// A text cell, or an empty one.
    pub fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.empty(),
        }
    }

    /// A number in its shortest exact form (it reads back to the same `f64`).
    pub fn number(&mut self, x: f64) -> &mut Self {
        self.separate();
        self.out.push_str(&x.to_string());
        self
    }

    /// A number, or an empty cell for none.
    pub fn opt_number(&mut self, x: Option<f64>) -> &mut Self {
        match x {
            Some(x) => self.number(x),
            None => self.empty(),
        }
    }

    /// An integer.
    pub fn integer(&mut self, n: impl Into<i64>) -> &mut Self {
        self.separate();
        self.out.push_str(&n.into().to_string());
        self
    }

    /// `true` or `false`.
    pub fn flag(&mut self, b: bool) -> &mut Self {
        self.separate();
        self.out.push_str(if b { "true" } else { "false" });
        self
    }

    /// `true`, `false`, or an empty cell for none.
    pub fn opt_flag(&mut self, b: Option<bool>) -> &mut Self {
        match b {
            Some(b) => self.flag(b),
            None => self.empty(),
        }
    }

    /// An empty cell.
    pub fn empty(&mut self) -> &mut Self {
        self.separate();
        self
    }

    /// Ends the current row.
    pub fn end_row(&mut self) -> &mut Self {
        self.out.push('\n');
        self.cells_in_row = 0;
        self
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }

    /// Writes out what is held once it reaches [`SPILL_BYTES`], so a long document is
    /// never held whole (call between rows).
    pub fn spill(&mut self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        if self.out.len() >= SPILL_BYTES {
            w.write_all(self.out.as_bytes())?;
            self.out.clear();
        }
        Ok(())
    }

    /// Writes out the rest of the document.
    pub fn finish_into(self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.out.as_bytes())
    }
}

/// What [`Csv::spill`] holds at most before writing it out.
pub const SPILL_BYTES: usize = 32 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_guarded_and_plain_text_is_not() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let mut csv = Csv::default();
            csv.text(s);
            let out = csv.finish();
            assert!(out.starts_with("\"'"), "{s:?} -> {out:?}");
        }
        let mut csv = Csv::default();
        csv.text("Head Start").text("a\"b").text("");
        assert_eq!(csv.finish(), "Head Start,\"a\"\"b\",");
    }

    #[test]
    fn spilling_rows_gives_the_same_bytes() {
        let rows = |spill: bool| {
            let mut w: Vec<u8> = Vec::new();
            let mut csv = Csv::with_header(["n", "name"]);
            for i in 0..5000 {
                csv.integer(i).text(&format!("row, {i}")).end_row();
                if spill {
                    csv.spill(&mut w).unwrap();
                }
            }
            csv.finish_into(&mut w).unwrap();
            w
        };
        let (whole, spilled) = (rows(false), rows(true));
        assert!(whole.len() > 2 * SPILL_BYTES);
        assert_eq!(whole, spilled);
    }

    #[test]
    fn numbers_are_never_guarded() {
        let mut csv = Csv::default();
        csv.number(-0.25).integer(-4).opt_number(None).flag(false);
        assert_eq!(csv.finish(), "-0.25,-4,,false");
    }
}
