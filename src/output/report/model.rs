//! The report as a document: headings, paragraphs, tables, lists and figures holding
//! plain (unescaped) text. The report is assembled once as this model and written by
//! [`super::html`] (the printable page) and [`super::docx`] (the editable document), so
//! the two always say the same thing.

/// A run of text inside a paragraph or a cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Bold text.
    Strong(String),
    /// A code, a file name, a GEOID: monospaced.
    Code(String),
    /// A link (the HTML page follows it; the DOCX writes its text).
    Link {
        /// Where it goes (`#need-childcare`, `/reports/2024?format=docx`).
        href: String,
        /// Its text.
        text: String,
    },
    /// A line break.
    Break,
}

/// Text made of runs.
pub type Text = Vec<Inline>;

/// Plain text as [`Text`].
pub fn plain(s: impl Into<String>) -> Text {
    vec![Inline::Text(s.into())]
}

/// Plain text.
pub fn t(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// Bold text.
pub fn b(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

/// Monospaced text.
pub fn c(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// The text of `text` without its formatting (for tests and plain renderings).
pub fn flatten(text: &[Inline]) -> String {
    let mut out = String::new();
    for i in text {
        match i {
            Inline::Text(s) | Inline::Strong(s) | Inline::Code(s) => out.push_str(s),
            Inline::Link { text, .. } => out.push_str(text),
            Inline::Break => out.push('\n'),
        }
    }
    out
}

/// One table cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// What it says.
    pub text: Text,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

impl Cell {
    /// A left-aligned cell.
    pub fn of(text: Text) -> Self {
        Self {
            text,
            numeric: false,
        }
    }

    /// A left-aligned cell of plain text.
    pub fn text(s: impl Into<String>) -> Self {
        Self::of(plain(s))
    }

    /// A cell holding a code.
    pub fn code(s: impl Into<String>) -> Self {
        Self::of(vec![c(s)])
    }

    /// A right-aligned number (already written as text).
    pub fn num(s: impl Into<String>) -> Self {
        Self {
            text: plain(s),
            numeric: true,
        }
    }
}

/// One table row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Its cells.
    pub cells: Vec<Cell>,
    /// Set off from the others (the assessment the report is about).
    pub highlight: bool,
}

impl From<Vec<Cell>> for Row {
    fn from(cells: Vec<Cell>) -> Self {
        Self {
            cells,
            highlight: false,
        }
    }
}

/// A table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// A style name (`deserts`, `cv`, `data`), for the page's CSS.
    pub class: Option<&'static str>,
    /// Column widths in percent of the table's width; empty for automatic widths.
    pub widths: Vec<u8>,
    /// The header row.
    pub head: Vec<Cell>,
    /// The body.
    pub rows: Vec<Row>,
}

impl Table {
    /// A table with automatic widths.
    pub fn new(class: Option<&'static str>, head: Vec<Cell>) -> Self {
        Self {
            class,
            widths: Vec::new(),
            head,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells.into());
    }
}

/// The element a group of blocks is written as in HTML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// `<header>`.
    Header,
    /// `<section>`: a part of the report.
    Section,
    /// `<div>`: layout only.
    Div,
}

/// A piece of the report.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading; level 1 is the title.
    Heading {
        /// 1 to 4.
        level: u8,
        /// Its text.
        text: String,
        /// An anchor for links within the report.
        id: Option<String>,
    },
    /// A paragraph; `class` is `note` (small print), `missing` (a "not provided" line),
    /// `def` (a definition), `meta` or `kicker` (the title's lines), or none.
    Para {
        /// The style.
        class: Option<&'static str>,
        /// Its text.
        text: Text,
    },
    /// A table.
    Table(Table),
    /// Name–value pairs (the totals beside a map).
    Totals(Vec<(String, Text)>),
    /// A bulleted list.
    List {
        /// The style.
        class: Option<&'static str>,
        /// The items.
        items: Vec<Text>,
    },
    /// A map: inline SVG in HTML; the DOCX has its caption and says where the map is.
    Figure {
        /// The style.
        class: Option<&'static str>,
        /// The SVG (already escaped where it holds text).
        svg: String,
        /// The caption.
        caption: Text,
    },
    /// Blocks that belong together.
    Group {
        /// How HTML writes the group.
        tag: Tag,
        /// The style.
        class: Option<&'static str>,
        /// An anchor.
        id: Option<String>,
        /// What it holds.
        blocks: Vec<Block>,
    },
}

impl Block {
    /// A heading without an anchor.
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Self::Heading {
            level,
            text: text.into(),
            id: None,
        }
    }

    /// A plain paragraph.
    pub fn para(text: Text) -> Self {
        Self::Para { class: None, text }
    }

    /// A paragraph in small print.
    pub fn note(text: Text) -> Self {
        Self::Para {
            class: Some("note"),
            text,
        }
    }

    /// A section with an anchor.
    pub fn section(class: &'static str, id: Option<String>, blocks: Vec<Block>) -> Self {
        Self::Group {
            tag: Tag::Section,
            class: Some(class),
            id,
            blocks,
        }
    }

    /// A layout box.
    pub fn div(class: Option<&'static str>, blocks: Vec<Block>) -> Self {
        Self::Group {
            tag: Tag::Div,
            class,
            id: None,
            blocks,
        }
    }
}

/// The whole report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The assessment year it reports on.
    pub year: i32,
    /// The document's title.
    pub title: String,
    /// Its contents, in order.
    pub blocks: Vec<Block>,
    /// How the numbers were made, at the end.
    pub footer: Text,
}

impl Report {
    /// Every block, groups opened, in reading order.
    pub fn walk(&self) -> Vec<&Block> {
        fn go<'a>(blocks: &'a [Block], out: &mut Vec<&'a Block>) {
            for b in blocks {
                out.push(b);
                if let Block::Group { blocks, .. } = b {
                    go(blocks, out);
                }
            }
        }
        let mut out = Vec::new();
        go(&self.blocks, &mut out);
        out
    }
}
