//! One need's part of the report: its definition, a map of the share of the target met
//! with deserts hatched, the totals, the change since the previous year, the worst
//! deserts and, listed apart, the deserts that do not hold across the demand's margin of
//! error.

use super::context::Context;
use super::model::{Block, Cell, Inline, Table, Text, b, c, plain, t};
use super::svg::{Key, LegendAt, Shape, choropleth};
use super::text::{amount, change, number, percent};
use crate::analysis::compare::CompareReport;
use crate::analysis::{AreaGap, Certainty, GapReport, GapSummary};
use crate::domain::{DesertRule, Need, Supply};
use crate::output::scale::{NO_DEMAND, TARGET_MET_COLOURS, TARGET_MET_LABELS, target_met_colour};
use std::sync::Arc;

/// The size of a need's map, which shares the page's width with the totals.
const NEED_MAP: f64 = 420.0;
/// Deserts listed per need.
pub const TOP_DESERTS: usize = 10;
/// Uncertain deserts listed per need (the count says how many more there are).
pub const MAX_UNCERTAIN: usize = 40;

/// The colours of "share of the target met", the map page's (viridis, dark to light:
/// readable with every common colour-vision deficiency and in grey scale).
pub const VIRIDIS: [&str; 5] = TARGET_MET_COLOURS;
/// The fill of areas the year did not assess.
pub const NOT_ASSESSED: &str = "#f2f2f2";
const WHITE: &str = "#ffffff";

/// One need's analyses.
pub struct NeedPart<'a> {
    /// The need.
    pub need: &'a Need,
    /// Its gaps in the report's year.
    pub report: Arc<GapReport>,
    /// The comparison with the previous year, or why there is none.
    pub change: Option<std::result::Result<CompareReport, String>>,
}

/// The need's own word for its supply, as the map page shows it (`data/needs.toml`).
pub fn supply_unit(need: &Need) -> &str {
    &need.supply_unit
}

/// An amount of a need's supply: whole places, or sites to two significant digits (a
/// shortfall of 0.43 sites is meaningful, one of 0.43 places is not).
pub fn supply_amount(need: &Need, x: f64) -> String {
    match need.supply {
        Supply::Capacity => number(x, 0),
        Supply::Sites => amount(x),
    }
}

/// Demand living in deserts.
pub fn demand_in_deserts(report: &GapReport) -> f64 {
    report
        .areas
        .iter()
        .filter(|g| g.desert)
        .map(|g| g.demand)
        .sum()
}

/// `part` as a share of `whole`, or a dash.
pub fn share(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        percent(part / whole)
    } else {
        "–".to_owned()
    }
}

fn rule_text(need: &Need, radius_km: f64) -> String {
    match need.desert_rule {
        DesertRule::CapChildcare {
            min_demand,
            max_ratio,
        } => format!(
            "demand above {} and either no {unit} inside the area or more than {} of demand \
             per place inside it (Center for American Progress, 2018)",
            amount(min_demand),
            amount(max_ratio),
            unit = supply_unit(need)
        ),
        DesertRule::Access {
            min_demand,
            threshold,
        } => format!(
            "demand of at least {} and either no site within {} km or distance-weighted \
             access (E2SFCA) below {} {} per unit of demand",
            amount(min_demand),
            amount(radius_km),
            amount(threshold),
            supply_unit(need)
        ),
        DesertRule::Catchment {
            min_demand,
            strict_min,
        } => format!(
            "demand {} {} and access within {} km (2SFCA) below the target {} {} per unit of \
             demand (the catchment rule, as the Center for American Progress's 2020 maps)",
            if strict_min { "above" } else { "of at least" },
            amount(min_demand),
            amount(radius_km),
            amount(need.target),
            supply_unit(need)
        ),
    }
}

/// How the share of the target met is measured under the applied rule.
fn measure_text(need: &Need, p: &crate::analysis::Resolved) -> String {
    let unit = supply_unit(need);
    match p.desert_rule {
        DesertRule::CapChildcare { .. } => format!(
            "as the desert rule measures it: {unit} inside the area ÷ (demand × the target {})",
            amount(p.target)
        ),
        DesertRule::Access { .. } => format!(
            "as the desert rule measures it: E2SFCA access ÷ the target {} {unit} per unit of demand",
            amount(p.target)
        ),
        DesertRule::Catchment { .. } => format!(
            "as the desert rule measures it: 2SFCA access ÷ the target {} {unit} per unit of demand",
            amount(p.target)
        ),
    }
}

/// The shortfall the applied rule reads: inside the area for `cap_childcare`, within
/// reach (2SFCA) otherwise.
fn rule_shortfall(g: &AreaGap, rule: &DesertRule) -> f64 {
    match rule {
        DesertRule::CapChildcare { .. } => g.shortfall_in_area,
        _ => g.shortfall,
    }
}

/// The total shortfall the applied rule reads, with its name: the shortfall in the areas
/// for `cap_childcare` (the map's default colour and the top deserts' column), the one
/// within reach (2SFCA) otherwise. Both are "shortfall"; the name keeps them apart.
fn rule_shortfall_total(s: &GapSummary, rule: &DesertRule) -> (&'static str, f64) {
    match rule {
        DesertRule::CapChildcare { .. } => ("Shortfall in the area", s.shortfall_in_area_total),
        _ => ("Shortfall", s.shortfall_total),
    }
}

/// The need's section.
pub fn section(cx: &Context<'_>, part: &NeedPart<'_>) -> Block {
    let need = part.need;
    let r = &part.report;
    let p = &r.params;
    let unit = supply_unit(need);
    let services: Vec<String> = p
        .services
        .iter()
        .map(|code| {
            cx.atlas
                .catalog
                .services()
                .get(code)
                .map_or_else(|| code.clone(), |s| s.label.clone())
        })
        .collect();
    let mut blocks = vec![
        Block::heading(3, need.label.clone()),
        Block::Para {
            class: Some("def"),
            text: vec![
                t("Demand: "),
                c(p.demand_indicator.clone()),
                t(format!(
                    ". Supply: {} at sites offering {}. Catchment: {} km. Target: {} {unit} \
                     per unit of demand. Desert: {}. Standard: version {} of need '{}'.",
                    p.supply.label(),
                    services.join(", "),
                    amount(p.radius_km),
                    amount(p.target),
                    rule_text(need, p.radius_km),
                    r.need_version,
                    need.code,
                )),
            ],
        },
    ];
    let s = &r.summary;
    let in_deserts = demand_in_deserts(r);
    let mut totals = vec![
        (
            "Areas analysed".to_owned(),
            plain(number(s.areas as f64, 0)),
        ),
        ("Demand".to_owned(), plain(number(s.demand_total, 0))),
        (
            "Deserts".to_owned(),
            plain(format!(
                "{} ({} of areas)",
                number(s.deserts as f64, 0),
                share(s.deserts as f64, s.areas as f64)
            )),
        ),
        ("Across the margin".to_owned(), plain(certainty_words(r))),
        (
            "Demand in deserts".to_owned(),
            plain(format!(
                "{} ({})",
                number(in_deserts, 0),
                share(in_deserts, s.demand_total)
            )),
        ),
        (
            rule_shortfall_total(s, &p.desert_rule).0.to_owned(),
            plain(format!(
                "{} {unit}",
                supply_amount(need, rule_shortfall_total(s, &p.desert_rule).1)
            )),
        ),
        (
            "Supply".to_owned(),
            plain(format!("{} {unit}", supply_amount(need, s.supply_total))),
        ),
        ("Sites".to_owned(), plain(number(s.sites as f64, 0))),
        (
            format!("No site within {} km", amount(p.radius_km)),
            plain(format!(
                "{} areas",
                number(s.areas_without_site_within as f64, 0)
            )),
        ),
    ];
    if matches!(p.desert_rule, DesertRule::CapChildcare { .. }) {
        // The shortfall the Siting view closes and the comparison sums, named as such.
        let at = totals
            .iter()
            .position(|(k, _)| k == "Supply")
            .unwrap_or(totals.len());
        totals.insert(
            at,
            (
                format!("Shortfall within reach ({} km, 2SFCA)", amount(p.radius_km)),
                plain(format!("{} {unit}", supply_amount(need, s.shortfall_total))),
            ),
        );
    }
    let mut side = vec![Block::div(
        None,
        vec![
            Block::heading(4, format!("Totals, {}", cx.year)),
            Block::Totals(totals),
        ],
    )];
    side.push(change_block(cx, part, unit));
    // The map on the left, the totals and the change beside it.
    blocks.push(Block::div(
        Some("need-body"),
        vec![need_map(cx, part), Block::div(Some("side"), side)],
    ));
    blocks.extend(top_deserts(need, r, unit));
    blocks.extend(uncertain_deserts(need, r));
    Block::section("need", Some(format!("need-{}", need.code)), blocks)
}

/// How many deserts hold across the margin of error, in words.
pub fn certainty_words(r: &GapReport) -> String {
    let s = &r.summary;
    if s.deserts_without_margin == s.deserts && s.possible_deserts == 0 {
        return if s.deserts == 0 {
            "no desert to check".to_owned()
        } else {
            "no margin of error to check the deserts against".to_owned()
        };
    }
    let mut out = format!(
        "{} certain, {} uncertain",
        number(s.deserts_certain as f64, 0),
        number(s.deserts_uncertain as f64, 0)
    );
    if s.deserts_without_margin > 0 {
        out.push_str(&format!(
            ", {} without a margin",
            number(s.deserts_without_margin as f64, 0)
        ));
    }
    if s.possible_deserts > 0 {
        out.push_str(&format!(
            "; {} more possible",
            number(s.possible_deserts as f64, 0)
        ));
    }
    out
}

fn need_map(cx: &Context<'_>, part: &NeedPart<'_>) -> Block {
    if let Some(note) = cx.too_many_to_draw() {
        return note;
    }
    let geo = cx.geo;
    let r = &part.report;
    let mut by_area: Vec<Option<&AreaGap>> = vec![None; geo.geography.areas.len()];
    for g in &r.areas {
        if let Some(slot) = by_area.get_mut(g.area as usize) {
            *slot = Some(g);
        }
    }
    // The share of the target met as the need's desert rule measures it: the map page's
    // colour for the same row (output::scale).
    let class = |g: &AreaGap| -> &'static str { target_met_colour(g.target_met) };
    let shapes: Vec<Shape<'_>> = geo
        .geography
        .areas
        .iter()
        .zip(&by_area)
        .map(|(area, g)| match g {
            Some(g) => Shape {
                geometry: &area.geometry,
                fill: class(g),
                hatched: g.desert,
                title: format!(
                    "{} ({}): demand {}, {} of target{}",
                    area.name,
                    area.geoid,
                    number(g.demand, 0),
                    of_target(g),
                    match (g.desert, g.desert_certainty) {
                        (true, Some(Certainty::Uncertain)) =>
                            ", desert (uncertain across the margin of error)",
                        (true, _) => ", desert",
                        _ => "",
                    }
                ),
            },
            None => Shape {
                geometry: &area.geometry,
                fill: NOT_ASSESSED,
                hatched: false,
                title: format!("{} ({}): not assessed", area.name, area.geoid),
            },
        })
        .collect();
    let mut legend: Vec<Key> = VIRIDIS
        .iter()
        .zip(TARGET_MET_LABELS)
        .map(|(fill, label)| Key {
            fill,
            hatched: false,
            label: label.to_owned(),
        })
        .collect();
    legend.push(Key {
        fill: NO_DEMAND,
        hatched: false,
        label: "no demand".into(),
    });
    if by_area.iter().any(Option::is_none) {
        legend.push(Key {
            fill: NOT_ASSESSED,
            hatched: false,
            label: "not assessed".into(),
        });
    }
    legend.push(Key {
        fill: WHITE,
        hatched: true,
        label: "desert".into(),
    });
    Block::Figure {
        class: None,
        svg: choropleth(
            &part.need.code,
            &shapes,
            &legend,
            &format!("Map: {}", part.need.label),
            NEED_MAP,
            LegendAt::Below,
        ),
        caption: plain(format!(
            "{}: share of the target met, {} (fixed classes, the map page's), deserts hatched.",
            part.need.label,
            measure_text(part.need, &r.params)
        )),
    }
}

fn change_block(cx: &Context<'_>, part: &NeedPart<'_>, unit: &str) -> Block {
    let year = cx.year;
    let (Some(prev), Some(result)) = (cx.previous, &part.change) else {
        return Block::div(
            None,
            vec![
                Block::heading(4, "Change"),
                Block::para(plain(
                    "No earlier assessment is loaded, so there is no change to show.",
                )),
            ],
        );
    };
    let heading = Block::heading(4, format!("Change since {prev}"));
    let cmp = match result {
        Ok(cmp) => cmp,
        Err(why) => {
            return Block::div(
                None,
                vec![
                    heading,
                    Block::para(plain(format!(
                        "The {prev} assessment cannot be compared: {why}"
                    ))),
                ],
            );
        }
    };
    let s = &cmp.summary;
    let mut table = Table::new(
        None,
        vec![
            Cell::text(""),
            Cell::num(prev.to_string()),
            Cell::num(year.to_string()),
            Cell::num("change"),
        ],
    );
    let mut row = |label: String, from: f64, to: f64, decimals: usize| {
        table.push(vec![
            Cell::text(label),
            Cell::num(number(from, decimals)),
            Cell::num(number(to, decimals)),
            Cell::num(change(to - from, decimals)),
        ]);
    };
    // Shortfalls in whole places, or in tenths of a site.
    let sf_decimals = usize::from(part.need.supply == Supply::Sites);
    row(
        "Areas".into(),
        (s.areas_in_both + s.areas_only_from) as f64,
        (s.areas_in_both + s.areas_only_to) as f64,
        0,
    );
    row("Demand".into(), s.demand_total_from, s.demand_total_to, 0);
    row(
        "Deserts".into(),
        s.deserts_from as f64,
        s.deserts_to as f64,
        0,
    );
    // The comparison sums the shortfall within reach (2SFCA); where the rule counts the
    // supply inside the area, the label says which shortfall this is.
    let within = if matches!(
        part.report.params.desert_rule,
        DesertRule::CapChildcare { .. }
    ) {
        "Shortfall within reach, 2SFCA"
    } else {
        "Shortfall"
    };
    row(
        format!("{within} ({unit})"),
        s.shortfall_total_from,
        s.shortfall_total_to,
        sf_decimals,
    );
    let only = if s.areas_only_from + s.areas_only_to > 0 {
        format!(
            " Areas only in {prev}: {}; only in {year}: {}.",
            number(s.areas_only_from as f64, 0),
            number(s.areas_only_to as f64, 0)
        )
    } else {
        String::new()
    };
    Block::div(
        None,
        vec![
            heading,
            Block::Table(table),
            Block::para(plain(format!(
                "Became deserts: {}; no longer deserts: {} (of {} areas found in both \
                 years).{only} Both years are measured against today's partner directory \
                 (gapmap keeps no dated history of partners).",
                number(s.became_desert as f64, 0),
                number(s.no_longer_desert as f64, 0),
                number(s.areas_in_both as f64, 0),
            ))),
        ],
    )
}

/// The share of the target met, as the applied rule measures it (the map's `target_met`).
fn of_target(g: &AreaGap) -> String {
    g.target_met.map_or_else(|| "–".to_owned(), percent)
}

fn top_deserts(need: &Need, r: &GapReport, unit: &str) -> Vec<Block> {
    let mut deserts: Vec<&AreaGap> = r.areas.iter().filter(|g| g.desert).collect();
    if deserts.is_empty() {
        return vec![
            Block::heading(4, "Deserts"),
            Block::para(plain("No area is a desert for this need.")),
        ];
    }
    // Ranked by the shortfall the rule reads, as the map ranks them by default.
    let rule = &r.params.desert_rule;
    deserts.sort_by(|x, y| {
        rule_shortfall(y, rule)
            .total_cmp(&rule_shortfall(x, rule))
            .then(y.shortfall.total_cmp(&x.shortfall))
            .then(y.demand.total_cmp(&x.demand))
            .then_with(|| x.geoid.cmp(&y.geoid))
    });
    let in_area = matches!(rule, DesertRule::CapChildcare { .. });
    let mut table = Table::new(
        Some("deserts"),
        vec![
            Cell::text("GEOID"),
            Cell::text("Area"),
            Cell::num("Demand"),
            Cell::num("Nearest site"),
            Cell::num("Of target"),
            Cell::num(if in_area {
                format!("Shortfall in the area ({unit})")
            } else {
                format!("Shortfall ({unit})")
            }),
            Cell::text("Why"),
        ],
    );
    table.widths = vec![13, 25, 8, 9, 8, 9, 28];
    for g in deserts.iter().take(TOP_DESERTS) {
        table.push(vec![
            Cell::code(g.geoid.as_str()),
            Cell::text(g.name.clone()),
            Cell::num(demand_with_margin(g)),
            Cell::num(
                g.nearest_km
                    .map_or_else(|| "none".to_owned(), |km| format!("{} km", number(km, 1))),
            ),
            Cell::num(of_target(g)),
            Cell::num(supply_amount(need, rule_shortfall(g, rule))),
            Cell::text(g.desert_reason.clone().unwrap_or_default()),
        ]);
    }
    vec![
        Block::heading(
            4,
            format!(
                "Top deserts by shortfall ({} of {})",
                deserts.len().min(TOP_DESERTS),
                number(deserts.len() as f64, 0)
            ),
        ),
        Block::Table(table),
    ]
}

/// An area's demand, with its margin where it has one: `90 ± 60`.
fn demand_with_margin(g: &AreaGap) -> String {
    match g.demand_moe {
        Some(m) => format!("{} ± {}", number(g.demand, 0), number(m, 0)),
        None => number(g.demand, 0),
    }
}

/// The deserts that would not be one at demand − MOE, apart from the others: the map
/// page hatches them, and a reader should not plan on them as on the certain ones.
fn uncertain_deserts(need: &Need, r: &GapReport) -> Vec<Block> {
    let s = &r.summary;
    let mut uncertain: Vec<&AreaGap> = r
        .areas
        .iter()
        .filter(|g| g.desert && g.desert_certainty == Some(Certainty::Uncertain))
        .collect();
    let heading = Block::heading(4, "Uncertain deserts");
    if s.deserts == s.deserts_without_margin {
        let text = if s.deserts == 0 {
            plain("No area is a desert for this need, so none is uncertain.")
        } else {
            vec![
                t("Not provided: upload "),
                c(format!("{}_moe", r.params.demand_indicator)),
                t(
                    " (the demand's margin of error, as Census tables give it) to fill this in. \
                   Without it no desert can be checked against its margin.",
                ),
            ]
        };
        return vec![
            heading,
            Block::Para {
                class: Some("missing"),
                text,
            },
        ];
    }
    if uncertain.is_empty() {
        return vec![
            heading,
            Block::para(plain(format!(
                "None: every desert with a margin of error ({}) is a desert at demand − MOE \
                 and at demand + MOE.",
                number(s.deserts_certain as f64, 0)
            ))),
        ];
    }
    uncertain.sort_by(|x, y| {
        y.demand
            .total_cmp(&x.demand)
            .then_with(|| x.geoid.cmp(&y.geoid))
    });
    let mut table = Table::new(
        Some("deserts"),
        vec![
            Cell::text("GEOID"),
            Cell::text("Area"),
            Cell::num("Demand"),
            Cell::num("MOE"),
            Cell::num("Demand − MOE"),
            Cell::num("Capacity inside"),
            Cell::num("Of target"),
        ],
    );
    for g in uncertain.iter().take(MAX_UNCERTAIN) {
        let moe = g.demand_moe.unwrap_or(0.0);
        table.push(vec![
            Cell::code(g.geoid.as_str()),
            Cell::text(g.name.clone()),
            Cell::num(number(g.demand, 0)),
            Cell::num(format!("±{}", number(moe, 0))),
            Cell::num(number((g.demand - moe).max(0.0), 0)),
            Cell::num(supply_amount(need, g.capacity_in_area)),
            Cell::num(of_target(g)),
        ]);
    }
    let mut blocks = vec![
        heading,
        Block::para(vec![
            t(
                "Deserts at the estimate that would not be one at demand − MOE (the map page \
               hatches them): ",
            ),
            b(number(s.deserts_uncertain as f64, 0)),
            t(format!(
                " of {} deserts. Read them as possible deserts: the survey cannot tell.",
                number(s.deserts as f64, 0)
            )),
        ]),
        Block::Table(table),
    ];
    if uncertain.len() > MAX_UNCERTAIN {
        blocks.push(Block::note(vec![
            t(format!(
                "… and {} more; ",
                number((uncertain.len() - MAX_UNCERTAIN) as f64, 0)
            )),
            c(format!(
                "/api/v1/gaps?year={}&need={}&format=csv",
                r.year, r.need
            )),
            t(" lists every area with its desert_certainty."),
        ]));
    }
    blocks
}

/// The glance table's row of one need.
pub fn glance_row(part: &NeedPart<'_>) -> Vec<Cell> {
    let r = &part.report;
    let s = &r.summary;
    let in_deserts = demand_in_deserts(r);
    let since = match &part.change {
        Some(Ok(c)) => change(
            c.summary.deserts_to as f64 - c.summary.deserts_from as f64,
            0,
        ),
        _ => "–".to_owned(),
    };
    let uncertain = if s.deserts > s.deserts_without_margin {
        number(s.deserts_uncertain as f64, 0)
    } else {
        "–".to_owned()
    };
    vec![
        Cell::of(vec![
            Inline::Link {
                href: format!("#need-{}", part.need.code),
                text: part.need.label.clone(),
            },
            Inline::Break,
            c(r.params.demand_indicator.clone()),
        ]),
        Cell::num(number(s.demand_total, 0)),
        Cell::num(format!(
            "{} of {} ({})",
            number(s.deserts as f64, 0),
            number(s.areas as f64, 0),
            share(s.deserts as f64, s.areas as f64)
        )),
        Cell::num(uncertain),
        Cell::num(format!(
            "{} ({})",
            number(in_deserts, 0),
            share(in_deserts, s.demand_total)
        )),
        Cell::num({
            let in_area = matches!(r.params.desert_rule, DesertRule::CapChildcare { .. });
            format!(
                "{} {}{}",
                supply_amount(part.need, rule_shortfall_total(s, &r.params.desert_rule).1),
                supply_unit(part.need),
                if in_area { " in the areas" } else { "" }
            )
        }),
        Cell::num(since),
    ]
}

/// Words for a need's label in running text.
pub fn need_list(needs: &[&Need]) -> Text {
    let mut text = Vec::new();
    for (i, n) in needs.iter().enumerate() {
        if i > 0 {
            text.push(t("; "));
        }
        text.push(t(format!("{} (needs ", n.label)));
        text.push(c(n.demand_indicator.clone()));
        text.push(t(")"));
    }
    text
}
