//! The end of the report: the data sources and their vintages, and the caveats (the
//! reliability of ACS estimates, the plausibility warnings the year was stored with, and
//! the gaps in the data).

use super::context::{Context, date};
use super::model::{Block, Cell, Row, Table, Text, b, c, plain, t};
use super::needs::{NeedPart, supply_unit};
use super::reliability::{CV_LIMIT, Reliability};
use super::text::{amount, number, percent};
use crate::domain::DemandPointSource;
use std::collections::BTreeMap;

/// Flagged ACS values listed (the count says how many more there are).
const MAX_FLAGGED_ROWS: usize = 40;
/// Plausibility warnings listed (the count says how many more there are).
const MAX_WARNINGS: usize = 40;
/// Partner uploads listed, newest last.
const MAX_UPLOADS: usize = 12;

/// Where every figure came from.
pub fn sources(cx: &Context<'_>) -> Block {
    let (atlas, a, geo, provenance, year) = (cx.atlas, cx.a, cx.geo, cx.provenance, cx.year);
    let mut blocks = vec![Block::heading(2, "Data sources and vintages")];

    // Geography.
    let mut points: BTreeMap<&'static str, usize> = BTreeMap::new();
    for area in &geo.geography.areas {
        *points
            .entry(match area.demand_point_source {
                DemandPointSource::PopulationWeighted => "population-weighted centroid",
                DemandPointSource::InternalPoint => "Census internal point",
                DemandPointSource::Centroid => "polygon centroid",
                DemandPointSource::InteriorPoint => "interior point",
            })
            .or_default() += 1;
    }
    let points: Vec<String> = points
        .iter()
        .map(|(k, n)| format!("{k} for {}", number(*n as f64, 0)))
        .collect();
    blocks.push(Block::heading(3, "Geography"));
    blocks.push(Block::para(vec![
        b(geo.geography.name.clone()),
        t(format!(
            ": {} areas. Distances are measured from each area's demand point: {}.",
            number(geo.geography.areas.len() as f64, 0),
            points.join(", ")
        )),
    ]));
    let uploads: Vec<_> = provenance
        .geographies
        .iter()
        .filter(|u| u.subject == geo.geography.name)
        .collect();
    if let Some(last) = uploads.last() {
        blocks.push(Block::note(plain(format!(
            "Uploaded {} from {}{}.",
            date(&last.at),
            last.files.join(", "),
            if uploads.len() > 1 {
                format!(" (replacing {} earlier upload(s))", uploads.len() - 1)
            } else {
                String::new()
            }
        ))));
    }

    // Assessments.
    blocks.push(Block::heading(3, "Assessments"));
    let mut table = Table::new(
        None,
        vec![
            Cell::text("Year"),
            Cell::num("Version"),
            Cell::text("Geography"),
            Cell::text("File"),
            Cell::text("Stored"),
            Cell::text("In use"),
        ],
    );
    for u in &provenance.assessments {
        let current = atlas
            .assessments
            .get(&u.year)
            .is_some_and(|c| c.version == u.version);
        table.rows.push(Row {
            cells: vec![
                Cell::text(u.year.to_string()),
                Cell::num(u.version.to_string()),
                Cell::text(u.geography.clone()),
                Cell::code(u.file.clone()),
                Cell::text(date(&u.at)),
                Cell::text(if current { "current" } else { "replaced" }),
            ],
            highlight: u.year == year && current,
        });
    }
    blocks.push(Block::Table(table));
    let mut text = vec![t(format!(
        "The {year} assessment (version {}) has {} rows and the indicators ",
        a.version,
        number(a.table.rows.len() as f64, 0)
    ))];
    for (i, name) in a.table.indicators().iter().enumerate() {
        if i > 0 {
            text.push(t(", "));
        }
        text.push(c(*name));
    }
    text.push(t("."));
    blocks.push(Block::note(text));

    // Program records.
    blocks.push(Block::heading(3, "Program records"));
    let records: Vec<_> = provenance
        .records
        .iter()
        .filter(|u| u.subject == year.to_string())
        .collect();
    match (records.last(), cx.records.len()) {
        (_, 0) => blocks.push(Block::para(plain(format!(
            "No program records for {year}: the figures of (i) and (iv) that come from the \
             program's own records are marked as not provided."
        )))),
        (Some(u), n) => blocks.push(Block::para(vec![
            t(format!(
                "{} records for {year}, uploaded {} from ",
                number(n as f64, 0),
                date(&u.at)
            )),
            c(u.files.join(", ")),
            t("; each figure names its own source."),
        ])),
        (None, n) => blocks.push(Block::para(plain(format!(
            "{} records for {year}; each figure names its own source.",
            number(n as f64, 0)
        )))),
    }

    // Partners.
    blocks.push(Block::heading(3, "Partner directory"));
    blocks.push(Block::para(plain(format!(
        "Partners: {}; sites: {}. This is the directory as it is now: gapmap keeps no dated \
         history of partners, so every year in this report is measured against today's \
         sites.",
        number(atlas.partners.len() as f64, 0),
        number(atlas.sites.len() as f64, 0)
    ))));
    if !provenance.partners.is_empty() {
        let skip = provenance.partners.len().saturating_sub(MAX_UPLOADS);
        blocks.push(Block::note(plain(if skip > 0 {
            format!("Partner uploads (the last {MAX_UPLOADS}; {skip} earlier):")
        } else {
            "Partner uploads:".to_owned()
        })));
        let items: Vec<Text> = provenance
            .partners
            .iter()
            .skip(skip)
            .map(|u| {
                vec![
                    t(format!(
                        "{} · {} · ",
                        date(&u.at),
                        u.action.replace('_', " ")
                    )),
                    c(if u.subject.is_empty() {
                        u.files.join(", ")
                    } else if u.files.is_empty() {
                        u.subject.clone()
                    } else {
                        format!("{} ({})", u.subject, u.files.join(", "))
                    }),
                    t(format!(
                        " · {} added, {} changed, {} removed",
                        u.added, u.changed, u.removed
                    )),
                ]
            })
            .collect();
        blocks.push(Block::List {
            class: Some("uploads"),
            items,
        });
    }
    // The standards every need was measured with, as stored.
    blocks.push(Block::heading(3, "Standards"));
    let mut table = Table::new(
        None,
        vec![
            Cell::text("Need"),
            Cell::num("Version"),
            Cell::text("Demand"),
            Cell::num("Radius (km)"),
            Cell::num("Target"),
            Cell::text("Desert rule"),
            Cell::text("Stored"),
        ],
    );
    for need in atlas.catalog.needs() {
        table.rows.push(Row {
            cells: vec![
                Cell::text(format!("{} ({})", need.label, need.code)),
                Cell::num(need.version.to_string()),
                Cell::code(need.demand_indicator.clone()),
                Cell::num(amount(need.radius_km)),
                Cell::num(amount(need.target)),
                Cell::text(need.desert_rule.kind()),
                Cell::text(match (&need.updated_at, &need.updated_by) {
                    (Some(at), Some(by)) => format!("{} by {by}", date(at)),
                    _ => "bundled data/needs.toml".into(),
                }),
            ],
            highlight: false,
        });
    }
    blocks.push(Block::Table(table));
    blocks.push(Block::note(plain(
        "Each need's standard (its demand, supply, reach, target and desert rule) is the \
         program's own, as stored; a change gives it a new version, and every figure above \
         was computed with the version listed (GET /api/v1/needs, the audit record's \
         put_need entries).",
    )));
    // Travel-time matrices (only where one was uploaded).
    let matrices: Vec<_> = atlas
        .travel
        .iter()
        .filter(|((g, _), _)| *g == geo.geography.name)
        .map(|(_, t)| &t.matrix)
        .collect();
    if !matrices.is_empty() {
        blocks.push(Block::heading(3, "Travel times"));
        let mut table = Table::new(
            None,
            vec![
                Cell::text("Mode"),
                Cell::text("Tool"),
                Cell::text("Date"),
                Cell::text("Departure"),
                Cell::num("Pairs"),
                Cell::text("File"),
                Cell::text("Stored"),
            ],
        );
        for m in matrices {
            let s = &m.source;
            table.rows.push(Row {
                cells: vec![
                    Cell::text(m.mode.name()),
                    Cell::text(s.tool.clone()),
                    Cell::text(s.date.clone().unwrap_or_else(|| "not given".into())),
                    Cell::text(s.departure.clone().unwrap_or_else(|| "not given".into())),
                    Cell::num(number(m.pairs() as f64, 0)),
                    Cell::code(s.file.clone()),
                    Cell::text(date(&s.stored_at)),
                ],
                highlight: false,
            });
        }
        blocks.push(Block::Table(table));
        blocks.push(Block::note(plain(
            "Minutes from each area to each site (or destination area) as the tool computed \
             them; a pair the matrix leaves out is unreachable. The figures above are in km \
             unless a table says it measures minutes.",
        )));
    }
    Block::section("sources", None, blocks)
}

/// What to read the figures with.
pub fn caveats(cx: &Context<'_>, parts: &[NeedPart<'_>], r: &Reliability) -> Block {
    let (atlas, geo, year) = (cx.atlas, cx.geo, cx.year);
    let mut blocks = vec![
        Block::heading(2, "Caveats"),
        Block::heading(3, "Reliability of ACS estimates"),
    ];
    if r.indicators.is_empty() {
        blocks.push(Block::para(vec![
            t(format!(
                "The {year} assessment has no margins of error (no "
            )),
            c("_moe"),
            t(
                " columns), so the reliability of its estimates cannot be checked here. \
               American Community Survey estimates for small areas can carry wide margins; \
               upload them as ",
            ),
            c("<indicator>_moe"),
            t(" to have unreliable values flagged."),
        ]));
    } else {
        let mut text = vec![t(
            "Coefficient of variation CV = (MOE ÷ 1.645) ÷ estimate, for the indicators with \
             a margin of error (",
        )];
        for (i, name) in r.indicators.iter().enumerate() {
            if i > 0 {
                text.push(t(", "));
            }
            text.push(c(name.clone()));
        }
        text.push(t(format!(
            "). Estimates checked: {}; ",
            number(r.checked as f64, 0)
        )));
        text.push(b(format!(
            "with a CV above {}: {}",
            percent(CV_LIMIT),
            number(r.flagged.len() as f64, 0)
        )));
        text.push(t(" (use these with caution)."));
        if r.zero_estimates > 0 {
            text.push(t(format!(
                " Estimates of 0 with a margin, whose CV is undefined: {}.",
                number(r.zero_estimates as f64, 0)
            )));
        }
        blocks.push(Block::para(text));
        if !r.flagged.is_empty() {
            let mut table = Table::new(
                Some("cv"),
                vec![
                    Cell::text("GEOID"),
                    Cell::text("Area"),
                    Cell::text("Indicator"),
                    Cell::num("Estimate"),
                    Cell::num("MOE"),
                    Cell::num("CV"),
                ],
            );
            for f in r.flagged.iter().take(MAX_FLAGGED_ROWS) {
                let name = geo
                    .by_geoid
                    .get(&f.geoid)
                    .map_or("", |&i| geo.geography.areas[i].name.as_str());
                table.push(vec![
                    Cell::code(f.geoid.as_str()),
                    Cell::text(name),
                    Cell::code(f.indicator.clone()),
                    Cell::num(amount(f.estimate)),
                    Cell::num(format!("±{}", amount(f.moe))),
                    Cell::num(percent(f.cv)),
                ]);
            }
            blocks.push(Block::Table(table));
            if r.flagged.len() > MAX_FLAGGED_ROWS {
                blocks.push(Block::note(vec![
                    t(format!(
                        "… and {} more; the assessment download (",
                        number((r.flagged.len() - MAX_FLAGGED_ROWS) as f64, 0)
                    )),
                    c(format!("/api/v1/assessments/{year}?format=csv")),
                    t(") has every margin."),
                ]));
            }
        }
    }

    blocks.push(Block::heading(3, "Plausibility warnings"));
    blocks.extend(warnings(cx));

    blocks.push(Block::heading(3, "Data gaps"));
    let mut items: Vec<Text> = Vec::new();
    for part in parts {
        let s = &part.report.summary;
        let label = &part.need.label;
        if s.areas_missing_demand > 0 {
            items.push(vec![
                t(format!("{label}: areas without a ")),
                c(part.report.params.demand_indicator.clone()),
                t(format!(
                    " value, counted as 0 demand: {}.",
                    number(s.areas_missing_demand as f64, 0)
                )),
            ]);
        }
        if s.sites_default_capacity > 0 {
            items.push(plain(format!(
                "{label}: sites without a capacity, counted as {} {} each: {}.",
                amount(part.report.params.default_capacity),
                supply_unit(part.need),
                number(s.sites_default_capacity as f64, 0)
            )));
        }
        if s.areas_not_in_geography > 0 {
            items.push(vec![
                t(format!(
                    "{label}: assessment rows left out because their GEOID is not in "
                )),
                b(geo.geography.name.clone()),
                t(format!(": {}.", number(s.areas_not_in_geography as f64, 0))),
            ]);
        }
    }
    if items.is_empty() {
        items.push(plain(
            "None: every assessed area has its demand values, and every site its capacity \
             where a need counts capacity.",
        ));
    }
    blocks.push(Block::List { class: None, items });
    blocks.push(Block::note(plain(format!(
        "The partner directory ({} sites) is the one stored now; sources of different \
         vintages (boundaries, survey years, directories) are compared as they are.",
        number(atlas.sites.len() as f64, 0)
    ))));
    Block::section("caveats", None, blocks)
}

/// The warnings the year's assessment was stored with (implausible but well-formed values).
fn warnings(cx: &Context<'_>) -> Vec<Block> {
    let w = &cx.a.warnings;
    if w.is_empty() {
        return vec![Block::para(plain(format!(
            "None: the {} assessment passed every plausibility check (subsets, stated \
             maximums, and the change from the previous year).",
            cx.year
        )))];
    }
    let mut table = Table::new(
        Some("cv"),
        vec![
            Cell::text("File"),
            Cell::num("Row"),
            Cell::text("Field"),
            Cell::text("What to look at"),
        ],
    );
    for warning in w.iter().take(MAX_WARNINGS) {
        table.push(vec![
            warning
                .file
                .clone()
                .map_or_else(|| Cell::text(""), Cell::code),
            Cell::num(warning.row.map_or_else(String::new, |r| r.to_string())),
            warning
                .field
                .clone()
                .map_or_else(|| Cell::text(""), Cell::code),
            Cell::text(warning.message.clone()),
        ]);
    }
    let mut blocks = vec![
        Block::para(vec![
            t(format!("The {} assessment was stored with ", cx.year)),
            b(format!("{} warning(s)", number(w.len() as f64, 0))),
            t(": values that are well-formed but look wrong. They are used as uploaded."),
        ]),
        Block::Table(table),
    ];
    if w.len() > MAX_WARNINGS {
        blocks.push(Block::note(vec![
            t(format!(
                "… and {} more; ",
                number((w.len() - MAX_WARNINGS) as f64, 0)
            )),
            c(format!("/api/v1/assessments/{}", cx.year)),
            t(" lists them all."),
        ]));
    }
    blocks
}
