//! The elements of the community assessment that 45 CFR 1302.11(b)(1) requires, each
//! showing its data with source, vintage and margin, or saying plainly what is not
//! provided and which upload fills it in:
//!
//! - (i) eligible infants, toddlers, preschool-age children and expectant mothers: where
//!   they live, their race, ethnicity and languages, and children experiencing
//!   homelessness, in foster care and with disabilities;
//! - (ii) the needs of eligible children and families (with each need's gap analysis,
//!   [`super::needs`]);
//! - (iii) the typical work, school and training schedules of parents;
//! - (iv) other child development and child care programs and the approximate number of
//!   eligible children they serve;
//! - (v) the resources in the community;
//! - (vi) the community's strengths: the asset map.

use super::context::{Context, Total, date, missing, with_margin};
use super::model::{Block, Cell, Table, Text, b, c, plain, t};
use super::needs::{self, NeedPart, VIRIDIS};
use super::svg::{Dot, Key, LegendAt, Shape, choropleth_with_dots};
use super::text::number;
use crate::domain::moe::{self, Estimate};
use crate::domain::{
    HoursFilter, Need, PartnershipLevel, PartnershipStage, ProgramRecord, RecordKind,
};
use std::collections::{BTreeMap, BTreeSet};

/// Areas listed under "where they live".
pub const TOP_AREAS: usize = 10;
/// Services that are themselves child development or child care programs (element iv).
const CHILD_CARE_SERVICES: [&str; 2] = ["childcare", "early_education"];
/// The service of transit stops, which the asset map leaves out (they are counted).
const TRANSIT: &str = "transit";
/// The size of the asset map.
const ASSET_MAP: f64 = 520.0;
const AREA_FILL: &str = "#e4e4e4";

/// An indicator an element shows; `required` ones are named as missing when absent,
/// the others are shown only when the year has them.
struct Wanted {
    name: &'static str,
    required: bool,
}

const fn req(name: &'static str) -> Wanted {
    Wanted {
        name,
        required: true,
    }
}

const fn opt(name: &'static str) -> Wanted {
    Wanted {
        name,
        required: false,
    }
}

const ELIGIBLE: [Wanted; 5] = [
    req("children_under_5"),
    req("children_under_3"),
    req("children_3_to_4"),
    req("children_under_5_poverty"),
    req("births_past_12_months"),
];

const RACE: [&str; 9] = [
    "children_under_5_white",
    "children_under_5_black",
    "children_under_5_aian",
    "children_under_5_asian",
    "children_under_5_nhpi",
    "children_under_5_other_race",
    "children_under_5_two_or_more_races",
    "children_under_5_white_not_hispanic",
    "children_under_5_hispanic",
];

const LANGUAGES: [Wanted; 11] = [
    req("lep_households"),
    req("lep_households_spanish"),
    req("lep_households_indo_european"),
    req("lep_households_asian_pacific"),
    req("lep_households_other"),
    opt("lep_persons"),
    opt("lep_spanish"),
    opt("lep_chinese"),
    opt("lep_vietnamese"),
    opt("lep_arabic"),
    opt("lep_polish"),
];

const FACTORS: [Wanted; 6] = [
    req("persons_poverty"),
    req("households_no_vehicle"),
    req("persons_uninsured"),
    opt("households"),
    opt("single_parent_households"),
    opt("children_under_18"),
];

const SCHEDULES: [Wanted; 2] = [
    req("children_under_6_in_families"),
    req("children_under_6_all_parents_working"),
];

/// The rule's words for each element, quoted at its head.
fn rule(cite: &str, words: &str) -> Block {
    Block::Para {
        class: Some("def"),
        text: vec![
            b(format!("45 CFR 1302.11(b)(1)({cite})")),
            t(format!(": {words}")),
        ],
    }
}

fn element(id: &str, title: &str, blocks: Vec<Block>) -> Block {
    let mut all = vec![Block::Heading {
        level: 2,
        text: title.to_owned(),
        id: None,
    }];
    all.extend(blocks);
    Block::section("element", Some(format!("element-{id}")), all)
}

/// The headings of the six elements, with their anchors, for the contents.
pub const TITLES: [(&str, &str); 6] = [
    ("i", "(i) Eligible children and expectant mothers"),
    ("ii", "(ii) Needs of eligible children and families"),
    (
        "iii",
        "(iii) Work, school and training schedules of parents",
    ),
    ("iv", "(iv) Other child development and child care programs"),
    ("v", "(v) Community resources"),
    ("vi", "(vi) Community strengths: the asset map"),
];

/// A table of indicator totals across the areas, with source, vintage and margin, and a
/// "not provided" line for each required indicator the year lacks.
fn indicator_table(cx: &Context<'_>, wanted: &[Wanted]) -> Vec<Block> {
    let mut table = Table::new(
        Some("data"),
        vec![
            Cell::text("Indicator"),
            Cell::num("Total"),
            Cell::num("Margin (90%)"),
            Cell::num("Areas"),
            Cell::text("Source"),
            Cell::text("Vintage"),
        ],
    );
    let mut absent = Vec::new();
    for w in wanted {
        match cx.total(w.name) {
            Some(total) => table.push(total_row(cx, w.name, &total)),
            None if w.required => absent.push(cx.missing_indicator(w.name)),
            None => {}
        }
    }
    let mut blocks = Vec::new();
    if !table.rows.is_empty() {
        blocks.push(Block::Table(table));
    }
    blocks.extend(absent);
    blocks
}

fn total_row(cx: &Context<'_>, name: &str, total: &Total) -> Vec<Cell> {
    let (value, margin) = with_margin(total, 0);
    vec![
        Cell::of(vec![
            t(cx.describe(name).label.clone()),
            t(" "),
            c(name.to_owned()),
        ]),
        Cell::num(value),
        Cell::num(margin),
        Cell::num(number(total.areas as f64, 0)),
        Cell::of(cx.source_of(name)),
        Cell::text(cx.vintage()),
    ]
}

/// (i) Eligible children and expectant mothers.
pub fn eligible(cx: &Context<'_>) -> Block {
    let mut blocks = vec![rule(
        "i",
        "the number of eligible infants, toddlers, preschool-age children and expectant \
         mothers, including their geographic location, race, ethnicity and the languages \
         they speak, including children experiencing homelessness, children in foster \
         care and children with disabilities.",
    )];
    blocks.push(Block::heading(3, "How many"));
    blocks.push(Block::note(plain(
        "Totals are sums over the assessment's areas; a total's margin of error is \
         √(Σ MOE²) over its areas (ACS General Handbook, ch. 8), given only when every area \
         has one. Children under 5 below the poverty level stand in for income-eligible \
         children; women with a birth in the past 12 months for expectant mothers.",
    )));
    blocks.extend(indicator_table(cx, &ELIGIBLE));

    blocks.push(Block::heading(3, "Where they live"));
    blocks.extend(where_they_live(cx));

    blocks.push(Block::heading(3, "Race and ethnicity"));
    if RACE.iter().any(|n| cx.has(n)) {
        let wanted: Vec<Wanted> = RACE.iter().map(|n| req(n)).collect();
        blocks.extend(indicator_table(cx, &wanted));
    } else {
        blocks.push(missing(vec![
            t(
                "Children under 5 by race and Hispanic origin: not provided: upload ACS tables \
               B01001A to B01001I (source=census) for ",
            ),
            t(format!("{} to fill this in.", cx.year)),
        ]));
    }

    blocks.push(Block::heading(3, "Languages"));
    blocks.extend(indicator_table(cx, &LANGUAGES));

    blocks.push(Block::heading(
        3,
        "Homelessness, foster care and disabilities",
    ));
    blocks.extend(special_populations(cx));
    element("i", TITLES[0].1, blocks)
}

fn where_they_live(cx: &Context<'_>) -> Vec<Block> {
    let Some(name) = ["children_under_5_poverty", "children_under_5"]
        .into_iter()
        .find(|n| cx.has(n))
    else {
        return vec![cx.missing_indicator("children_under_5")];
    };
    let Some(col) = cx.a.table.column(name) else {
        return Vec::new();
    };
    let moe_col = cx.a.table.column(&format!("{name}_moe"));
    let total = cx.total(name).map_or(0.0, |t| t.value);
    let mut rows: Vec<(f64, Option<f64>, usize)> =
        cx.a.table
            .rows
            .iter()
            .filter_map(|row| {
                let &i = cx.geo.by_geoid.get(&row.geoid)?;
                let v = row.values.get(col).copied().flatten()?;
                let m = moe_col.and_then(|m| row.values.get(m).copied().flatten());
                Some((v, m, i))
            })
            .collect();
    let areas = &cx.geo.geography.areas;
    rows.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then_with(|| areas[x.2].geoid.cmp(&areas[y.2].geoid))
    });
    let mut table = Table::new(
        Some("data"),
        vec![
            Cell::text("GEOID"),
            Cell::text("Area"),
            Cell::num(cx.describe(name).label.clone()),
            Cell::num("Margin (90%)"),
            Cell::num("Share of the total"),
        ],
    );
    for (v, m, i) in rows.iter().take(TOP_AREAS) {
        table.push(vec![
            Cell::code(areas[*i].geoid.as_str()),
            Cell::text(areas[*i].name.clone()),
            Cell::num(number(*v, 0)),
            Cell::num(m.map_or_else(|| "not given".to_owned(), |m| format!("±{}", number(m, 0)))),
            Cell::num(needs::share(*v, total)),
        ]);
    }
    let mut intro = vec![t(format!(
        "The {} areas with the most ",
        rows.len().min(TOP_AREAS)
    ))];
    intro.push(c(name.to_owned()));
    intro.push(t(format!(
        " of {} with a value. Source: ",
        number(rows.len() as f64, 0)
    )));
    intro.extend(cx.source_of(name));
    intro.push(t(format!(
        " ({}). The maps under (ii) show every area.",
        cx.vintage()
    )));
    vec![Block::para(intro), Block::Table(table)]
}

/// The program records of one kind.
fn records_of<'a>(cx: &Context<'a>, kind: RecordKind) -> Vec<&'a ProgramRecord> {
    cx.records.iter().filter(|r| r.record == kind).collect()
}

fn record_row(r: &ProgramRecord, label: Text) -> Vec<Cell> {
    vec![
        Cell::of(label),
        Cell::num(number(r.value, 0)),
        Cell::num("not given"),
        Cell::text(r.source.clone()),
        Cell::text(r.as_of.clone().unwrap_or_else(|| "not given".to_owned())),
    ]
}

fn records_table() -> Table {
    Table::new(
        Some("data"),
        vec![
            Cell::text("Figure"),
            Cell::num("Count"),
            Cell::num("Margin (90%)"),
            Cell::text("Source"),
            Cell::text("Vintage"),
        ],
    )
}

fn special_populations(cx: &Context<'_>) -> Vec<Block> {
    let kinds = [
        (
            RecordKind::ChildrenHomeless,
            "children_homeless",
            "from the McKinney-Vento liaisons",
        ),
        (
            RecordKind::ChildrenFosterCare,
            "children_foster_care",
            "from the child welfare agency",
        ),
        (
            RecordKind::ChildrenWithDisabilities,
            "children_with_disabilities",
            "with an IEP or IFSP, from the Part B and Part C agencies",
        ),
    ];
    let mut table = records_table();
    let mut absent = Vec::new();
    for (kind, indicator, whence) in kinds {
        let records = records_of(cx, kind);
        for r in &records {
            let mut label = plain(kind.label());
            if let Some(notes) = &r.notes {
                label.push(t(format!(" ({notes})")));
            }
            table.push(record_row(r, label));
        }
        let total = cx.total(indicator);
        if let Some(total) = &total {
            let (value, margin) = with_margin(total, 0);
            table.push(vec![
                Cell::of(vec![
                    t(format!("{}, by area, summed ", kind.label())),
                    c(indicator),
                ]),
                Cell::num(value),
                Cell::num(margin),
                Cell::of(cx.source_of(indicator)),
                Cell::text(cx.vintage()),
            ]);
        }
        if records.is_empty() && total.is_none() {
            absent.push(missing(vec![
                t(format!(
                    "{}: not provided: upload program records for {} with ",
                    kind.label(),
                    cx.year
                )),
                c(kind.code()),
                t(format!(" rows ({whence}), or a ")),
                c(indicator),
                t(" column, to fill this in."),
            ]));
        }
    }
    let mut blocks = Vec::new();
    if !table.rows.is_empty() {
        blocks.push(Block::Table(table));
    }
    blocks.extend(absent);
    blocks
}

/// (ii) Needs of eligible children and families: the social and economic factors, then
/// each need the year measures, with its gap analysis.
pub fn needs(
    cx: &Context<'_>,
    parts: &[NeedPart<'_>],
    unmeasured: &[&Need],
    barriers: &crate::analysis::BarrierReport,
) -> Block {
    let mut blocks = vec![rule(
        "ii",
        "the education, health, nutrition and social service needs of eligible children \
         and their families, including prevalent social or economic factors that impact \
         their well-being.",
    )];
    blocks.push(Block::heading(3, "Social and economic factors"));
    blocks.extend(indicator_table(cx, &FACTORS));
    for n in unmeasured {
        let mut text = vec![t(format!("{}: not provided: upload ", n.label))];
        text.extend(cx.upload_hint(&n.demand_indicator));
        text.push(t(format!(
            " for {} to fill this in (the need's demand).",
            cx.year
        )));
        blocks.push(missing(text));
    }
    for part in parts {
        blocks.push(needs::section(cx, part));
    }
    blocks.extend(super::barriers::section(barriers, &cx.atlas.catalog));
    element("ii", TITLES[1].1, blocks)
}

/// (iii) Work, school and training schedules of parents.
pub fn schedules(cx: &Context<'_>) -> Block {
    let mut blocks = vec![rule(
        "iii",
        "typical work, school and training schedules of parents with eligible children.",
    )];
    blocks.extend(indicator_table(cx, &SCHEDULES));
    if let (Some(part), Some(whole)) = (
        cx.total("children_under_6_all_parents_working"),
        cx.total("children_under_6_in_families"),
    ) && let Some(p) = moe::proportion(part.estimate(), whole.estimate())
    {
        blocks.push(Block::para(vec![
            t("Share of own children under 6 whose parents all work (or look for work): "),
            b(share_with_margin(p)),
            t(", the Handbook's proportion of the two totals above."),
        ]));
    }
    blocks.push(Block::heading(3, "Child care open when parents work"));
    blocks.extend(care_hours(cx));
    blocks.push(missing(plain(
        "Parents' school and training schedules: not provided: no Census table or upload \
         of gapmap holds them; add them from the program's own family surveys.",
    )));
    element("iii", TITLES[2].1, blocks)
}

/// A share with its margin in percentage points: `61.5% ± 4.2 points`.
fn share_with_margin(p: Estimate) -> String {
    match p.moe {
        Some(m) => format!(
            "{}% ± {} points",
            number(p.value * 100.0, 1),
            number(m * 100.0, 1)
        ),
        None => format!("{}% (margin not given)", number(p.value * 100.0, 1)),
    }
}

/// Where the partner directory came from, in one line: its last upload (transit stops
/// are a feed of their own and left out).
fn directory_source(cx: &Context<'_>) -> Text {
    let last = cx
        .provenance
        .partners
        .iter()
        .rev()
        .find(|u| u.action != "replace_stops");
    match last {
        Some(u) => {
            let mut text = vec![t(format!(
                "partner directory as stored now (last upload {}",
                date(&u.at)
            ))];
            if !u.files.is_empty() {
                text.push(t(": "));
                text.push(c(u.files.join(", ")));
            }
            text.push(t(")"));
            text
        }
        None => plain("partner directory as stored now"),
    }
}

fn care_hours(cx: &Context<'_>) -> Vec<Block> {
    let sites: Vec<_> = cx
        .atlas
        .sites
        .iter()
        .filter(|s| s.services.iter().any(|v| v.code == "childcare"))
        .collect();
    if sites.is_empty() {
        return vec![missing(plain(
            "Child-care sites and their hours: not provided: upload the partner directory \
             with child-care sites (service childcare) and their opening hours to fill this in.",
        ))];
    }
    let with_hours = sites.iter().filter(|s| s.hours.is_some()).count();
    let matching = |f: HoursFilter| {
        sites
            .iter()
            .filter(|s| s.hours.as_ref().is_some_and(|h| h.matches(f)))
            .count()
    };
    let mut table = Table::new(
        Some("data"),
        vec![
            Cell::text("Child-care sites"),
            Cell::num("Sites"),
            Cell::text("Source"),
        ],
    );
    let source = directory_source(cx);
    for (label, n) in [
        ("All", sites.len()),
        ("With opening hours recorded", with_hours),
        (
            "Open after 18:00 on some day",
            matching(HoursFilter::Evening),
        ),
        ("Open on Saturday or Sunday", matching(HoursFilter::Weekend)),
    ] {
        table.push(vec![
            Cell::text(label),
            Cell::num(number(n as f64, 0)),
            Cell::of(source.clone()),
        ]);
    }
    let mut blocks = vec![Block::Table(table)];
    if with_hours < sites.len() {
        blocks.push(missing(vec![t(format!(
            "Hours of the other {} child-care sites: not provided: upload the partner \
             directory with their opening hours to fill this in.",
            number((sites.len() - with_hours) as f64, 0)
        ))]));
    }
    blocks
}

/// (iv) Other child development and child care programs.
pub fn programs(cx: &Context<'_>) -> Block {
    let mut blocks = vec![rule(
        "iv",
        "other child development, child care centers and family child care programs that \
         serve eligible children, including home visiting, publicly funded state and local \
         preschools, and the approximate number of eligible children served.",
    )];
    blocks.push(Block::heading(
        3,
        "Programs and the eligible children they serve",
    ));
    let others = records_of(cx, RecordKind::OtherProgram);
    if others.is_empty() {
        blocks.push(missing(vec![
            t(format!(
                "Other programs and the children they serve: not provided: upload program \
                 records for {} with ",
                cx.year
            )),
            c("other_program"),
            t(" rows (name, kind, children served, source) to fill this in."),
        ]));
    } else {
        let mut table = Table::new(
            Some("data"),
            vec![
                Cell::text("Program"),
                Cell::text("Kind"),
                Cell::num("Eligible children served (approx.)"),
                Cell::text("Source"),
                Cell::text("Vintage"),
            ],
        );
        for r in &others {
            table.push(vec![
                Cell::text(r.name.clone().unwrap_or_default()),
                Cell::text(r.kind.map_or("", |k| k.label())),
                Cell::num(number(r.value, 0)),
                Cell::text(r.source.clone()),
                Cell::text(r.as_of.clone().unwrap_or_else(|| "not given".to_owned())),
            ]);
        }
        let served: f64 = others.iter().map(|r| r.value).sum();
        blocks.push(Block::Table(table));
        blocks.push(Block::para(vec![
            t("Together: "),
            b(number(served, 0)),
            t(format!(" eligible children in {} programs.", others.len())),
        ]));
    }
    blocks.push(Block::heading(3, "This program's enrolment"));
    let mut table = records_table();
    let mut absent = Vec::new();
    for kind in [RecordKind::FundedEnrollment, RecordKind::ActualEnrollment] {
        let records = records_of(cx, kind);
        for r in &records {
            table.push(record_row(r, plain(kind.label())));
        }
        if records.is_empty() {
            absent.push(missing(vec![
                t(format!(
                    "{}: not provided: upload program records for {} with ",
                    kind.label(),
                    cx.year
                )),
                c(kind.code()),
                t(" rows (as the Program Information Report has it) to fill this in."),
            ]));
        }
    }
    if !table.rows.is_empty() {
        blocks.push(Block::Table(table));
    }
    blocks.extend(absent);

    blocks.push(Block::heading(
        3,
        "Child care and early education in the partner directory",
    ));
    let mut table = Table::new(
        Some("data"),
        vec![
            Cell::text("Service"),
            Cell::num("Sites"),
            Cell::num("With a capacity"),
            Cell::num("Capacity"),
            Cell::text("Source"),
        ],
    );
    let source = directory_source(cx);
    for code in CHILD_CARE_SERVICES {
        let (sites, with_cap, cap) = service_counts(cx, code);
        if sites == 0 {
            continue;
        }
        table.push(vec![
            Cell::text(service_label(cx, code)),
            Cell::num(number(sites as f64, 0)),
            Cell::num(number(with_cap as f64, 0)),
            Cell::num(if with_cap > 0 {
                number(cap, 0)
            } else {
                "–".into()
            }),
            Cell::of(source.clone()),
        ]);
    }
    if table.rows.is_empty() {
        blocks.push(missing(plain(
            "Child-care and early-education sites: not provided: upload the partner \
             directory with sites offering childcare or early_education (and their \
             capacity) to fill this in.",
        )));
    } else {
        blocks.push(Block::Table(table));
    }
    element("iv", TITLES[3].1, blocks)
}

/// Sites offering the service, those with a capacity for it, and the capacity.
fn service_counts(cx: &Context<'_>, code: &str) -> (usize, usize, f64) {
    let mut out = (0, 0, 0.0);
    for site in cx.atlas.sites.iter() {
        for svc in site.services.iter().filter(|s| s.code == code) {
            out.0 += 1;
            if let Some(c) = svc.capacity {
                out.1 += 1;
                out.2 += c;
            }
        }
    }
    out
}

fn service_label(cx: &Context<'_>, code: &str) -> String {
    cx.atlas
        .catalog
        .services()
        .get(code)
        .map_or_else(|| code.to_owned(), |s| s.label.clone())
}

/// (v) Community resources: the partner directory by service.
pub fn resources(cx: &Context<'_>) -> Block {
    let mut blocks = vec![rule(
        "v",
        "resources that are available in the community to address the needs of eligible \
         children and their families.",
    )];
    let atlas = cx.atlas;
    if atlas.sites.is_empty() {
        blocks.push(missing(plain(
            "Community resources: not provided: upload the partner directory (HSDS, \
             GeoJSON or the flat CSV) to fill this in.",
        )));
        return element("v", TITLES[4].1, blocks);
    }
    let mut text = vec![t(format!(
        "Partners: {}; sites: {}. Source: ",
        number(atlas.partners.len() as f64, 0),
        number(atlas.sites.len() as f64, 0)
    ))];
    text.extend(directory_source(cx));
    text.push(t(
        ". gapmap keeps no dated history of partners, so every year is measured against \
         today's sites.",
    ));
    blocks.push(Block::para(text));
    let by_service: BTreeSet<&str> = atlas
        .sites
        .iter()
        .flat_map(|s| s.services.iter().map(|v| v.code.as_str()))
        .collect();
    let mut table = Table::new(
        None,
        vec![
            Cell::text("Service"),
            Cell::num("Sites"),
            Cell::num("With a capacity"),
            Cell::num("Capacity"),
        ],
    );
    for code in &by_service {
        let (sites, with_cap, cap) = service_counts(cx, code);
        table.push(vec![
            Cell::text(service_label(cx, code)),
            Cell::num(number(sites as f64, 0)),
            Cell::num(number(with_cap as f64, 0)),
            Cell::num(if with_cap > 0 {
                number(cap, 0)
            } else {
                "–".into()
            }),
        ]);
    }
    blocks.push(Block::Table(table));
    element("v", TITLES[4].1, blocks)
}

/// (vi) Community strengths: the asset map of the partners' sites, and how closely the
/// partners work with the program.
pub fn strengths(cx: &Context<'_>) -> Block {
    let mut blocks = vec![rule("vi", "strengths of the community.")];
    let atlas = cx.atlas;
    let assets: Vec<_> = atlas
        .sites
        .iter()
        .filter(|s| s.services.iter().any(|v| v.code != TRANSIT))
        .collect();
    if assets.is_empty() {
        blocks.push(missing(plain(
            "The asset map: not provided: upload the partner directory (the community's \
             organisations and their sites) to fill this in.",
        )));
        return element("vi", TITLES[5].1, blocks);
    }
    blocks.push(asset_map(cx, &assets));

    let mut levels = Table::new(
        None,
        vec![
            Cell::text("Partnership level"),
            Cell::num("Partners"),
            Cell::text("What it means"),
        ],
    );
    for level in PartnershipLevel::ALL {
        let n = atlas
            .partners
            .values()
            .filter(|p| p.partnership_level == Some(level))
            .count();
        levels.push(vec![
            Cell::text(level.label()),
            Cell::num(number(n as f64, 0)),
            Cell::text(level.description()),
        ]);
    }
    let unset = atlas
        .partners
        .values()
        .filter(|p| p.partnership_level.is_none())
        .count();
    levels.push(vec![
        Cell::text("Not recorded"),
        Cell::num(number(unset as f64, 0)),
        Cell::text(""),
    ]);
    blocks.push(Block::heading(
        3,
        "How closely partners work with the program",
    ));
    blocks.push(Block::Table(levels));
    let mut stages = Table::new(
        None,
        vec![Cell::text("Collaborative stage"), Cell::num("Partners")],
    );
    for stage in PartnershipStage::ALL {
        let n = atlas
            .partners
            .values()
            .filter(|p| p.partnership_stage == Some(stage))
            .count();
        stages.push(vec![
            Cell::text(stage.label()),
            Cell::num(number(n as f64, 0)),
        ]);
    }
    blocks.push(Block::Table(stages));
    element("vi", TITLES[5].1, blocks)
}

fn asset_map(cx: &Context<'_>, assets: &[&crate::domain::Site]) -> Block {
    let services = cx.atlas.catalog.services();
    let fallback = VIRIDIS[2];
    // Each site is drawn in the colour of its first service (transit aside).
    let colour_of = |s: &crate::domain::Site| -> (String, &str) {
        let code = s
            .services
            .iter()
            .map(|v| v.code.as_str())
            .find(|c| *c != TRANSIT)
            .unwrap_or_default();
        let colour = services.get(code).map_or(fallback, |d| d.colour.as_str());
        (code.to_owned(), colour)
    };
    let mut counts: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    let dots: Vec<Dot<'_>> = assets
        .iter()
        .map(|s| {
            let (code, colour) = colour_of(s);
            let e = counts.entry(code).or_insert((0, colour));
            e.0 += 1;
            Dot {
                at: s.location,
                fill: colour,
                title: s.name.clone(),
            }
        })
        .collect();
    let caption_count = format!(
        "The asset map: {} partner sites (transit stops left out: {}) over the {} areas of {}. \
         Each dot is a site, coloured by its first service.",
        number(assets.len() as f64, 0),
        number((cx.atlas.sites.len() - assets.len()) as f64, 0),
        number(cx.geo.geography.areas.len() as f64, 0),
        cx.geo.geography.name
    );
    if let Some(note) = cx.too_many_to_draw() {
        return Block::div(None, vec![note, Block::note(plain(caption_count))]);
    }
    let shapes: Vec<Shape<'_>> = cx
        .geo
        .geography
        .areas
        .iter()
        .map(|a| Shape {
            geometry: &a.geometry,
            fill: AREA_FILL,
            hatched: false,
            title: format!("{} ({})", a.name, a.geoid),
        })
        .collect();
    let legend: Vec<Key<'_>> = counts
        .iter()
        .map(|(code, (n, colour))| Key {
            fill: colour,
            hatched: false,
            label: format!("{} ({})", service_label(cx, code), number(*n as f64, 0)),
        })
        .collect();
    Block::Figure {
        class: Some("overview"),
        svg: choropleth_with_dots(
            "assets",
            &shapes,
            &dots,
            &legend,
            "Map: the community's assets",
            ASSET_MAP,
            LegendAt::Right,
        ),
        caption: plain(caption_count),
    }
}
