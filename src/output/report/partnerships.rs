//! The report's "Partnerships" section: the directory's partners by level of working
//! together and by stage of the collaborative (Head Start's PFCE framework), the moves
//! between them recorded during the assessment year (the partner history), and the
//! agreements ending within [`AGREEMENT_WINDOW_DAYS`] days of the report date, which the
//! section states.

use super::context::Context;
use super::model::{Block, Cell, Table, b, plain, t};
use super::text::{number, percent};
use crate::domain::{Day, Partner, PartnershipLevel, PartnershipStage};

/// Agreements ending within this many days of the report date are listed.
pub const AGREEMENT_WINDOW_DAYS: i64 = 90;
/// Moves listed one by one (the count gives them all).
pub const MAX_MOVES: usize = 50;

/// The report date and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportDate {
    /// The day.
    pub day: Day,
    /// Whether the caller gave it (`?date=`, `--date`) rather than taking today.
    pub given: bool,
}

/// A count with its share of `all`.
fn count_row(label: &str, n: usize, all: usize) -> Vec<Cell> {
    vec![
        Cell::text(label),
        Cell::num(number(n as f64, 0)),
        Cell::num(if all > 0 {
            percent(n as f64 / all as f64)
        } else {
            "—".into()
        }),
    ]
}

/// Partners per value of one field, in the field's order, then those without one.
fn by_field<T: PartialEq + Copy>(
    title: &str,
    partners: &[&Partner],
    all: &[T],
    label: impl Fn(T) -> &'static str,
    get: impl Fn(&Partner) -> Option<T>,
) -> Table {
    let mut table = Table::new(
        Some("data"),
        vec![Cell::text(title), Cell::num("Partners"), Cell::num("Share")],
    );
    for &v in all {
        let n = partners.iter().filter(|p| get(p) == Some(v)).count();
        table.push(count_row(label(v), n, partners.len()));
    }
    let none = partners.iter().filter(|p| get(p).is_none()).count();
    table.push(count_row("not recorded", none, partners.len()));
    table
}

/// A level's or stage's code as its label (the code itself when unknown, "none" when empty).
fn words(field: &str, value: Option<&str>) -> String {
    let Some(v) = value else {
        return "none".into();
    };
    let label = if field == "partnership_level" {
        PartnershipLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == v)
            .map(PartnershipLevel::label)
    } else {
        PartnershipStage::ALL
            .into_iter()
            .find(|s| s.as_str() == v)
            .map(PartnershipStage::label)
    };
    label.unwrap_or(v).to_owned()
}

/// The section.
pub fn section(cx: &Context<'_>, date: ReportDate) -> Block {
    let mut partners: Vec<&Partner> = cx.atlas.partners.values().collect();
    partners.sort_by(|a, b| a.id.cmp(&b.id));
    let name_of = |id: &str| {
        cx.atlas
            .partners
            .get(id)
            .map_or_else(|| id.to_owned(), |p| p.name.clone())
    };
    let mut blocks = vec![
        Block::heading(2, "Partnerships"),
        Block::para(vec![
            t("Report date: "),
            b(date.day.to_string()),
            t(if date.given {
                " (as asked for)."
            } else {
                " (the day the report was made, UTC)."
            }),
            t(format!(
                " The directory's {} partners by how closely each works with the program \
                 (levels: networking, coordination, cooperation, collaboration) and how far \
                 the collaborative has come (stages: getting together, building trust and \
                 ownership, developing a strategic plan, taking action).",
                number(partners.len() as f64, 0)
            )),
        ]),
        Block::Table(by_field(
            "Level",
            &partners,
            &PartnershipLevel::ALL,
            PartnershipLevel::label,
            |p| p.partnership_level,
        )),
        Block::Table(by_field(
            "Stage",
            &partners,
            &PartnershipStage::ALL,
            PartnershipStage::label,
            |p| p.partnership_stage,
        )),
    ];

    // Moves during the assessment year: history rows dated in it.
    let year = cx.year;
    let prefix = format!("{year:04}-");
    let mut moves: Vec<&crate::domain::PartnerMove> = cx
        .provenance
        .partner_moves
        .iter()
        .filter(|m| m.at.starts_with(&prefix))
        .collect();
    moves.reverse(); // newest first
    blocks.push(Block::heading(3, format!("Moves during {year}")));
    if moves.is_empty() {
        blocks.push(Block::para(plain(format!(
            "No change of level or stage was recorded between {year}-01-01 and {year}-12-31 \
             (the partner history starts with the first upload or edit of each partner)."
        ))));
    } else {
        let levels = moves
            .iter()
            .filter(|m| m.field == "partnership_level")
            .count();
        let mut moved: Vec<&str> = moves.iter().map(|m| m.partner_id.as_str()).collect();
        moved.sort_unstable();
        moved.dedup();
        blocks.push(Block::para(plain(format!(
            "{} changes of level or stage were recorded between {year}-01-01 and \
             {year}-12-31 ({} of level, {} of stage), for {} partners; a partner's first \
             level or stage counts as a move from none. Newest first{}:",
            number(moves.len() as f64, 0),
            number(levels as f64, 0),
            number((moves.len() - levels) as f64, 0),
            number(moved.len() as f64, 0),
            if moves.len() > MAX_MOVES {
                format!(", the latest {MAX_MOVES}")
            } else {
                String::new()
            }
        ))));
        let mut table = Table::new(
            Some("data"),
            vec![
                Cell::text("Date"),
                Cell::text("Partner"),
                Cell::text("What moved"),
                Cell::text("From"),
                Cell::text("To"),
            ],
        );
        for m in moves.iter().take(MAX_MOVES) {
            table.push(vec![
                Cell::text(super::context::date(&m.at)),
                Cell::text(name_of(&m.partner_id)),
                Cell::text(if m.field == "partnership_level" {
                    "level"
                } else {
                    "stage"
                }),
                Cell::text(words(&m.field, m.from.as_deref())),
                Cell::text(words(&m.field, m.to.as_deref())),
            ]);
        }
        blocks.push(Block::Table(table));
    }

    // Agreements ending within the window.
    let until = date.day.plus(AGREEMENT_WINDOW_DAYS);
    let mut ending: Vec<(Day, &Partner)> = partners
        .iter()
        .filter_map(|p| {
            let end = Day::parse(p.agreement_end.as_deref()?)?;
            (end >= date.day && end <= until).then_some((end, *p))
        })
        .collect();
    ending.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.name.cmp(&y.1.name)));
    let without = partners
        .iter()
        .filter(|p| p.agreement_end.is_none())
        .count();
    blocks.push(Block::heading(
        3,
        format!("Agreements ending within {AGREEMENT_WINDOW_DAYS} days"),
    ));
    blocks.push(Block::para(plain(format!(
        "Agreements ending between {} and {} (both included): {}. {} partners record no \
         end date.",
        date.day,
        until,
        number(ending.len() as f64, 0),
        number(without as f64, 0)
    ))));
    if !ending.is_empty() {
        let mut table = Table::new(
            Some("data"),
            vec![
                Cell::text("Partner"),
                Cell::text("Ends"),
                Cell::num("Days left"),
                Cell::text("Level"),
                Cell::text("Stage"),
            ],
        );
        for (end, p) in &ending {
            table.push(vec![
                Cell::text(p.name.clone()),
                Cell::text(end.to_string()),
                Cell::num(number(date.day.days_until(*end) as f64, 0)),
                Cell::text(p.partnership_level.map_or("not recorded", |l| l.label())),
                Cell::text(p.partnership_stage.map_or("not recorded", |s| s.label())),
            ]);
        }
        blocks.push(Block::Table(table));
    }
    Block::section("partnerships", Some("partnerships".into()), blocks)
}
