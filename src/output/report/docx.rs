//! The report as an editable Word document (DOCX, Office Open XML), written with the
//! `docx-rs` crate from the same [`Report`] as the HTML page: programs finish the
//! narrative of their community assessment in a word processor.
//!
//! Headings use Word's built-in heading styles (so the navigation pane and a table of
//! contents find them), tables are real tables, numbers are right-aligned. Maps cannot be
//! drawn in a DOCX without a raster image, so each map's place holds its caption and a
//! pointer to the printable report.

use super::model::{Block, Cell, Inline, Report, Row, Table};
use crate::error::{Error, Result};
use docx_rs::{
    AlignmentType, BreakType, Docx, Paragraph, RunFonts, Shading, Style, StyleType, TableCell,
    TableRow, WidthType,
};

const MONO: &str = "Courier New";
const MUTED: &str = "555555";
const HEAD_FILL: &str = "E8E8E8";
const BAND_FILL: &str = "F3F3F3";
/// The text width of a Letter page with 1-inch margins, in twentieths of a point.
const TEXT_WIDTH: usize = 9360;

/// Word's heading style ids, with their sizes in half-points.
const HEADINGS: [(&str, &str, usize); 4] = [
    ("Heading1", "heading 1", 36),
    ("Heading2", "heading 2", 28),
    ("Heading3", "heading 3", 23),
    ("Heading4", "heading 4", 21),
];

/// The DOCX bytes of the report.
pub fn write(report: &Report) -> Result<Vec<u8>> {
    let mut doc = Docx::new()
        .default_fonts(
            RunFonts::new()
                .ascii("Calibri")
                .hi_ansi("Calibri")
                .cs("Calibri"),
        )
        .default_size(20)
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(40)
                .bold(),
        );
    for (level, (id, name, size)) in HEADINGS.iter().enumerate() {
        doc = doc.add_style(
            Style::new(*id, StyleType::Paragraph)
                .name(*name)
                .based_on("Normal")
                .next("Normal")
                .size(*size)
                .bold()
                .outline_lvl(level),
        );
    }
    doc = doc.add_paragraph(
        Paragraph::new()
            .style("Title")
            .add_run(docx_rs::Run::new().add_text(clean(&report.title))),
    );
    let mut w = Writer {
        doc,
        year: report.year,
    };
    for block in &report.blocks {
        w.block(block);
    }
    w.doc = w.doc.add_paragraph(styled(&report.footer, Style_::Note));
    let mut out = std::io::Cursor::new(Vec::new());
    w.doc.build().pack(&mut out).map_err(Error::internal)?;
    Ok(out.into_inner())
}

struct Writer {
    doc: Docx,
    year: i32,
}

/// How a paragraph looks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style_ {
    Plain,
    Note,
    Missing,
}

impl Writer {
    fn block(&mut self, block: &Block) {
        let doc = std::mem::take(&mut self.doc);
        self.doc = match block {
            Block::Heading { level, text, .. } => {
                let (id, _, _) = HEADINGS[usize::from(level.clamp(&1, &4) - 1)];
                doc.add_paragraph(
                    Paragraph::new()
                        .style(id)
                        .keep_next(true)
                        .add_run(docx_rs::Run::new().add_text(clean(text))),
                )
            }
            Block::Para { class, text } => doc.add_paragraph(styled(
                text,
                match *class {
                    Some("note" | "meta" | "kicker" | "def") => Style_::Note,
                    Some("missing") => Style_::Missing,
                    _ => Style_::Plain,
                },
            )),
            Block::Table(table) => doc.add_table(self.table(table)),
            Block::Totals(pairs) => {
                let rows = pairs
                    .iter()
                    .map(|(name, value)| {
                        TableRow::new(vec![
                            cell(&Cell::text(name.clone()), false, None),
                            cell(
                                &Cell {
                                    text: value.clone(),
                                    numeric: false,
                                },
                                false,
                                None,
                            ),
                        ])
                    })
                    .collect();
                doc.add_table(docx_rs::Table::new(rows).width(TEXT_WIDTH / 2, WidthType::Dxa))
            }
            Block::List { items, .. } => {
                let mut doc = doc;
                for item in items {
                    let mut text = vec![Inline::Text("• ".into())];
                    text.extend(item.iter().cloned());
                    doc = doc.add_paragraph(styled(&text, Style_::Plain).indent(
                        Some(360),
                        None,
                        None,
                        None,
                    ));
                }
                doc
            }
            Block::Figure { caption, .. } => {
                let mut text = caption.clone();
                text.push(Inline::Text(format!(
                    " (The map is in the printable report, /reports/{}.)",
                    self.year
                )));
                doc.add_paragraph(styled(&text, Style_::Note))
            }
            Block::Group { blocks, .. } => {
                self.doc = doc;
                for b in blocks {
                    self.block(b);
                }
                std::mem::take(&mut self.doc)
            }
        };
    }

    fn table(&self, table: &Table) -> docx_rs::Table {
        let mut rows = vec![TableRow::new(
            table
                .head
                .iter()
                .map(|c| cell(c, true, Some(HEAD_FILL)))
                .collect(),
        )];
        for (i, Row { cells, highlight }) in table.rows.iter().enumerate() {
            let fill = (i % 2 == 1).then_some(BAND_FILL);
            rows.push(TableRow::new(
                cells.iter().map(|c| cell(c, *highlight, fill)).collect(),
            ));
        }
        let mut t = docx_rs::Table::new(rows).width(TEXT_WIDTH, WidthType::Dxa);
        if !table.widths.is_empty() {
            t = t.set_grid(
                table
                    .widths
                    .iter()
                    .map(|w| TEXT_WIDTH * usize::from(*w) / 100)
                    .collect(),
            );
        }
        t
    }
}

fn cell(c: &Cell, bold: bool, fill: Option<&str>) -> TableCell {
    let mut p = Paragraph::new().style("Normal");
    for run in runs(&c.text, Style_::Plain) {
        p = p.add_run(if bold { run.bold() } else { run }.size(17));
    }
    if c.numeric {
        p = p.align(AlignmentType::Right);
    }
    let mut cell = TableCell::new().add_paragraph(p);
    if let Some(fill) = fill {
        cell = cell.shading(Shading::new().fill(fill));
    }
    cell
}

fn styled(text: &[Inline], style: Style_) -> Paragraph {
    // Named, since docx-rs marks no style as the default one.
    let mut p = Paragraph::new().style("Normal");
    for run in runs(text, style) {
        p = p.add_run(run);
    }
    p
}

fn runs(text: &[Inline], style: Style_) -> Vec<docx_rs::Run> {
    text.iter()
        .map(|i| {
            let run = docx_rs::Run::new();
            let run = match i {
                Inline::Text(s) => run.add_text(clean(s)),
                Inline::Strong(s) => run.add_text(clean(s)).bold(),
                Inline::Code(s) => run
                    .add_text(clean(s))
                    .fonts(RunFonts::new().ascii(MONO).hi_ansi(MONO).cs(MONO)),
                Inline::Link { text, .. } => run.add_text(clean(text)),
                Inline::Break => run.add_break(BreakType::TextWrapping),
            };
            match style {
                Style_::Plain => run,
                Style_::Note => run.size(17).color(MUTED),
                Style_::Missing => run.italic(),
            }
        })
        .collect()
}

/// Text without the characters XML 1.0 cannot hold (control characters other than tab
/// and newline, and U+FFFE, U+FFFF): an uploaded name with one must not make the document
/// unreadable.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| matches!(c, '\t' | '\n') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_hold_are_left_out() {
        assert_eq!(clean("a\u{1}b\u{B}c\td\u{FFFE}"), "abc\td");
    }
}
