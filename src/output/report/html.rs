//! The report written as one self-contained HTML page: inline CSS and SVG, no scripts,
//! print styles. Every text of the model is escaped here.

use super::model::{Block, Cell, Inline, Report, Row, Table, Tag};
use super::text::escape;
use std::fmt::Write;

/// The page.
pub fn write(report: &Report) -> String {
    let mut html = String::with_capacity(1 << 20);
    let _ = write!(
        html,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{CSS}</style></head><body>"#,
        escape(&report.title)
    );
    for block in &report.blocks {
        write_block(&mut html, block);
    }
    html.push_str("<footer><p>");
    inlines(&mut html, &report.footer);
    html.push_str("</p></footer></body></html>");
    html
}

fn attrs(html: &mut String, class: Option<&str>, id: Option<&str>) {
    if let Some(id) = id {
        let _ = write!(html, " id=\"{}\"", escape(id));
    }
    if let Some(class) = class {
        let _ = write!(html, " class=\"{class}\"");
    }
}

fn write_block(html: &mut String, block: &Block) {
    match block {
        Block::Heading { level, text, id } => {
            let _ = write!(html, "<h{level}");
            attrs(html, None, id.as_deref());
            let _ = write!(html, ">{}</h{level}>", escape(text));
        }
        Block::Para { class, text } => {
            html.push_str("<p");
            attrs(html, *class, None);
            html.push('>');
            inlines(html, text);
            html.push_str("</p>");
        }
        Block::Table(table) => write_table(html, table),
        Block::Totals(pairs) => {
            html.push_str("<dl class=\"totals\">");
            for (name, value) in pairs {
                let _ = write!(html, "<dt>{}</dt><dd>", escape(name));
                inlines(html, value);
                html.push_str("</dd>");
            }
            html.push_str("</dl>");
        }
        Block::List { class, items } => {
            html.push_str("<ul");
            attrs(html, *class, None);
            html.push('>');
            for item in items {
                html.push_str("<li>");
                inlines(html, item);
                html.push_str("</li>");
            }
            html.push_str("</ul>");
        }
        Block::Figure {
            class,
            svg,
            caption,
        } => {
            html.push_str("<figure");
            attrs(html, *class, None);
            html.push('>');
            html.push_str(svg);
            html.push_str("<figcaption>");
            inlines(html, caption);
            html.push_str("</figcaption></figure>");
        }
        Block::Group {
            tag,
            class,
            id,
            blocks,
        } => {
            let name = match tag {
                Tag::Header => "header",
                Tag::Section => "section",
                Tag::Div => "div",
            };
            let _ = write!(html, "<{name}");
            // The class first, as the page has always written it.
            if let Some(class) = class {
                let _ = write!(html, " class=\"{class}\"");
            }
            if let Some(id) = id {
                let _ = write!(html, " id=\"{}\"", escape(id));
            }
            html.push('>');
            for b in blocks {
                write_block(html, b);
            }
            let _ = write!(html, "</{name}>");
        }
    }
}

fn write_table(html: &mut String, table: &Table) {
    html.push_str("<table");
    attrs(html, table.class, None);
    html.push('>');
    if !table.widths.is_empty() {
        html.push_str("<colgroup>");
        for w in &table.widths {
            let _ = write!(html, "<col style=\"width:{w}%\">");
        }
        html.push_str("</colgroup>");
    }
    html.push_str("<thead><tr>");
    for cell in &table.head {
        write_cell(html, "th", cell);
    }
    html.push_str("</tr></thead><tbody>");
    for Row { cells, highlight } in &table.rows {
        html.push_str(if *highlight {
            "<tr class=\"this\">"
        } else {
            "<tr>"
        });
        for cell in cells {
            write_cell(html, "td", cell);
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
}

fn write_cell(html: &mut String, tag: &str, cell: &Cell) {
    let _ = write!(
        html,
        "<{tag}{}>",
        if cell.numeric { " class=\"n\"" } else { "" }
    );
    inlines(html, &cell.text);
    let _ = write!(html, "</{tag}>");
}

fn inlines(html: &mut String, text: &[Inline]) {
    for i in text {
        match i {
            Inline::Text(s) => html.push_str(&escape(s)),
            Inline::Strong(s) => {
                let _ = write!(html, "<b>{}</b>", escape(s));
            }
            Inline::Code(s) => {
                let _ = write!(html, "<code>{}</code>", escape(s));
            }
            Inline::Link { href, text } => {
                let _ = write!(html, "<a href=\"{}\">{}</a>", escape(href), escape(text));
            }
            Inline::Break => html.push_str("<br>"),
        }
    }
}

const CSS: &str = r#"
:root { --ink: #1b1b1b; --muted: #555; --rule: #c8c8c8; --band: #f3f3f3; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; color: var(--ink);
  font-size: 10.5pt; line-height: 1.4; margin: 0 auto; max-width: 60em; padding: 1.5em; }
header { border-bottom: 3px solid var(--ink); margin-bottom: .8em; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 8.5pt; color: var(--muted); margin: 0; }
h1 { font-size: 19pt; line-height: 1.2; margin: .1em 0 .3em; }
h2 { font-size: 14pt; margin: 1.2em 0 .4em; border-bottom: 1.5px solid var(--ink); padding-bottom: .1em; }
h3 { font-size: 10.5pt; margin: .9em 0 .3em; }
p { margin: .3em 0 .5em; }
.meta, .note, figcaption, .def { color: var(--muted); font-size: 9pt; }
p.missing { font-size: 9pt; font-style: italic; border-left: 3px solid #b8860b; padding-left: .5em; }
table.data td:nth-child(5), table.data td:nth-child(6) { font-size: 8pt; color: var(--muted); }
ul.contents { columns: 2; font-size: 9.5pt; margin: .2em 0 .5em; }
table { border-collapse: collapse; width: 100%; font-size: 8.8pt; margin: .3em 0 .7em; }
th, td { text-align: left; padding: .22em .45em; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { border-bottom: 1.5px solid var(--ink); font-weight: 600; }
tbody tr:nth-child(even) { background: var(--band); }
tr.this { font-weight: 600; }
table.deserts { font-size: 8.3pt; table-layout: fixed; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.n { white-space: normal; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8pt; }
td.n code { color: var(--muted); }
a { color: inherit; }
figure { margin: .5em 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figure.overview svg { max-width: 85%; }
.need-body { display: grid; grid-template-columns: 1.25fr 1fr; gap: 1.2em; align-items: start; }
.side h3:first-child { margin-top: .3em; }
dl.totals { display: grid; grid-template-columns: auto 1fr; gap: .1em .9em; font-size: 9pt; margin: 0; }
dl.totals dt { color: var(--muted); }
dl.totals dd { margin: 0; font-variant-numeric: tabular-nums; }
ul.uploads { font-size: 8.5pt; color: var(--muted); padding-left: 1.2em; }
footer { margin-top: 2em; border-top: 1px solid var(--rule); color: var(--muted); font-size: 8.5pt; }
@page { size: letter; margin: 13mm 12mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  section.element, section.need, section.sources { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, figure, dl, .need-body { break-inside: avoid; }
  thead { display: table-header-group; }
  a { text-decoration: none; }
}
"#;
