//! The report's barriers table, under (ii): the four barriers a family-partnership asset
//! map looks for (`analysis::barriers`), how many areas meet each, how many areas meet
//! 0 to 4 of them, and the areas that meet the most. A barrier the data cannot measure
//! says so and why; it is never written as 0.

use super::model::{Block, Cell, Table, b, c, plain, t};
use super::needs::supply_amount;
use super::text::{number, percent};
use crate::analysis::BarrierReport;
use crate::analysis::barriers::BarrierStatus;
use crate::domain::Catalog;
use crate::output::scale::BARRIER_LABELS;

/// Areas listed with the most barriers.
pub const TOP_AREAS: usize = 10;

/// The statuses of an area's barriers, in the order of `report.barriers`.
fn statuses(a: &crate::analysis::barriers::AreaBarriers) -> [&Option<BarrierStatus>; 4] {
    let b = &a.barriers;
    [&b.childcare, &b.language, &b.hours, &b.transportation]
}

/// The barriers part of (ii).
pub fn section(report: &BarrierReport, catalog: &Catalog) -> Vec<Block> {
    let mut blocks = vec![
        Block::heading(3, "Barriers families meet"),
        Block::para(plain(
            "The four barriers a family-partnership asset map looks for, each read from the \
             need that measures it with its default parameters: child care, English \
             proficiency (language access), non-traditional work hours (child care open after \
             18:00 or at weekends) and transportation. An area meets a barrier where that need \
             is a desert. Shortfall is the need's 2SFCA shortfall summed over those areas, in \
             its supply units.",
        )),
    ];
    let measured = report.barriers.iter().filter(|i| i.measured).count();
    let mut table = Table::new(
        Some("data"),
        vec![
            Cell::text("Barrier"),
            Cell::text("Measured by"),
            Cell::num("Areas with the barrier"),
            Cell::num("Shortfall there"),
        ],
    );
    for (k, info) in report.barriers.iter().enumerate() {
        let need = catalog.need(info.need);
        let mut by = vec![c(info.need)];
        if info.hours.is_some() {
            by.push(t(", open evenings or weekends"));
        }
        if !info.measured {
            table.push(vec![
                Cell::text(info.label),
                Cell::of(
                    [
                        by,
                        vec![t(format!(
                            ": not measured: {}",
                            info.reason
                                .as_deref()
                                .unwrap_or("the data cannot measure it")
                        ))],
                    ]
                    .concat(),
                ),
                Cell::num("not measured"),
                Cell::num("not measured"),
            ]);
            continue;
        }
        let shortfall: f64 = report
            .areas
            .iter()
            .filter_map(|a| statuses(a)[k].as_ref())
            .filter(|s| s.desert)
            .map(|s| s.shortfall)
            .sum();
        let (amount, unit) = match need {
            Some(n) => (supply_amount(n, shortfall), n.supply_unit.clone()),
            None => (number(shortfall, 1), String::new()),
        };
        table.push(vec![
            Cell::text(info.label),
            Cell::of(by),
            Cell::num(number(info.deserts as f64, 0)),
            Cell::num(format!("{amount} {unit}").trim_end().to_owned()),
        ]);
    }
    blocks.push(Block::Table(table));

    let areas = report.areas.len();
    let mut by_count = Table::new(
        Some("data"),
        vec![
            Cell::text("Barriers per area"),
            Cell::num("Areas"),
            Cell::num("Share of areas"),
        ],
    );
    for (n, label) in BARRIER_LABELS.iter().enumerate() {
        if n > measured {
            by_count.push(vec![
                Cell::text(*label),
                Cell::num("not possible"),
                Cell::text(format!("only {measured} of the 4 barriers are measured")),
            ]);
            continue;
        }
        let k = report.areas_by_count[n];
        by_count.push(vec![
            Cell::text(*label),
            Cell::num(number(k as f64, 0)),
            Cell::num(if areas > 0 {
                percent(k as f64 / areas as f64)
            } else {
                "—".into()
            }),
        ]);
    }
    blocks.push(Block::Table(by_count));
    let unmeasured: Vec<&str> = report
        .barriers
        .iter()
        .filter(|i| !i.measured)
        .map(|i| i.label)
        .collect();
    if !unmeasured.is_empty() {
        blocks.push(Block::note(plain(format!(
            "Not measured, so counted in no area: {}. Each area's count is of the {measured} \
             measured barriers only.",
            unmeasured.join(", ")
        ))));
    }

    let mut worst: Vec<&crate::analysis::barriers::AreaBarriers> =
        report.areas.iter().filter(|a| a.count > 0).collect();
    worst.sort_by(|x, y| y.count.cmp(&x.count).then(x.geoid.cmp(&y.geoid)));
    if worst.is_empty() {
        blocks.push(Block::para(plain(
            "No area meets any of the barriers measured.",
        )));
        return blocks;
    }
    let mut top = Table::new(
        Some("data"),
        vec![
            Cell::text("Area"),
            Cell::text("GEOID"),
            Cell::num("Barriers"),
            Cell::text("Which"),
        ],
    );
    for a in worst.iter().take(TOP_AREAS) {
        let which: Vec<&str> = report
            .barriers
            .iter()
            .zip(statuses(a))
            .filter(|(_, s)| s.as_ref().is_some_and(|s| s.desert))
            .map(|(i, _)| i.label)
            .collect();
        top.push(vec![
            Cell::text(a.name.clone()),
            Cell::code(a.geoid.as_str()),
            Cell::num(number(a.count as f64, 0)),
            Cell::text(which.join(", ")),
        ]);
    }
    blocks.push(Block::para(vec![
        b(format!(
            "The {} areas with the most barriers",
            worst.len().min(TOP_AREAS)
        )),
        t(format!(
            " (of {} with at least one; ties by GEOID):",
            number(worst.len() as f64, 0)
        )),
    ]));
    blocks.push(Block::Table(top));
    blocks
}
