//! The report's outline: the title, the year at a glance, the six elements of 45 CFR
//! 1302.11(b)(1), the sources and the caveats, assembled as one [`Report`].

use super::context::Context;
use super::elements::{self, TITLES};
use super::model::{Block, Cell, Inline, Report, Table, Tag, b, plain, t};
use super::needs::{self, NOT_ASSESSED, NeedPart, VIRIDIS};
use super::partnerships::{self, ReportDate};
use super::reliability;
use super::sources;
use super::svg::{Key, LegendAt, MAP_BOX, Shape, choropleth};
use super::text::number;
use crate::analysis::compare::compare_reports;
use crate::analysis::{GapParams, Source, lookup};
use crate::domain::{IndicatorCatalog, Need, Provenance};
use crate::error::Result;

/// What the report is made from. The report reads the Atlas (through `source`) and the
/// provenance the caller hands it; never the store.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    /// The Atlas, with or without the cache of gap reports.
    pub source: &'a dyn Source,
    /// The report's year.
    pub year: i32,
    /// What the store records of the uploads.
    pub provenance: &'a Provenance,
    /// The indicators' words, universes and recipes.
    pub indicators: &'a IndicatorCatalog,
    /// The report date, from which agreements ending soon are counted.
    pub date: ReportDate,
}

/// The report of `input.year` (see the module documentation of
/// [`crate::output::report`]). Errors: unknown year (404), a geography that is not loaded.
pub fn build(input: ReportInput<'_>) -> Result<Report> {
    let ReportInput {
        source,
        year,
        provenance,
        indicators,
        date,
    } = input;
    let atlas = source.atlas();
    let a = lookup::assessment(atlas, year)?;
    let geo = lookup::geography(atlas, a)?;
    let previous = atlas.assessments.range(..year).next_back().map(|(y, _)| *y);
    let cx = Context {
        atlas,
        year,
        a,
        geo,
        previous,
        provenance,
        indicators,
        records: atlas.records.get(&year).map_or(&[], Vec::as_slice),
    };
    let mut parts = Vec::new();
    let mut unmeasured = Vec::new();
    for need in atlas.catalog.needs() {
        if a.table.column(&need.demand_indicator).is_none() {
            unmeasured.push(need);
            continue;
        }
        let report = source.gaps(year, &need.code, &GapParams::default())?;
        let change = previous.map(|p| {
            source
                .gaps(p, &need.code, &GapParams::default())
                .map(|before| compare_reports(atlas, &before, &report))
                .map_err(|e| e.message().to_owned())
        });
        parts.push(NeedPart {
            need,
            report,
            change,
        });
    }
    let reliability = reliability::check(&a.table);
    let barriers = crate::analysis::barriers(source, year)?;

    let blocks = vec![
        header(&cx),
        glance(&cx, &parts, &unmeasured),
        elements::eligible(&cx),
        elements::needs(&cx, &parts, &unmeasured, &barriers),
        elements::schedules(&cx),
        elements::programs(&cx),
        elements::resources(&cx),
        elements::strengths(&cx),
        partnerships::section(&cx, date),
        sources::sources(&cx),
        sources::caveats(&cx, &parts, &reliability),
    ];
    Ok(Report {
        year,
        title: format!("Community assessment {year}: where needs lack nearby partners"),
        blocks,
        footer: vec![
            t(format!(
                "Made by gapmap from the data stored at data version {}. Distances are \
                 great-circle kilometres (haversine) from each area's demand point to each \
                 partner site; access is the two-step floating catchment area ratio (2SFCA, \
                 Luo & Wang 2003): each site's supply divided by the demand within its \
                 catchment, summed over the sites within reach of the area. Shortfall is the \
                 supply an area lacks to reach the need's target ratio. Margins of error are \
                 90% intervals, combined by the ACS General Handbook's formulas (ch. 8). Every \
                 definition, formula and desert rule, with its source: ",
                atlas.data_version
            )),
            Inline::Link {
                href: "/methods".into(),
                text: "the methods page".into(),
            },
            t("."),
        ],
    })
}

fn header(cx: &Context<'_>) -> Block {
    let year = cx.year;
    Block::Group {
        tag: Tag::Header,
        class: None,
        id: None,
        blocks: vec![
            Block::Para {
                class: Some("kicker"),
                text: plain("Community assessment (45 CFR 1302.11(b))"),
            },
            Block::heading(
                1,
                format!("{year}: where families' needs lack nearby partners"),
            ),
            Block::Para {
                class: Some("meta"),
                text: vec![
                    t("Geography "),
                    b(cx.geo.geography.name.clone()),
                    t(format!(
                        " ({} areas) · assessment {year}, version {} · partner directory: {} \
                         partners, {} sites · data version {}",
                        number(cx.geo.geography.areas.len() as f64, 0),
                        cx.a.version,
                        number(cx.atlas.partners.len() as f64, 0),
                        number(cx.atlas.sites.len() as f64, 0),
                        cx.atlas.data_version
                    )),
                ],
            },
        ],
    }
}

fn glance(cx: &Context<'_>, parts: &[NeedPart<'_>], unmeasured: &[&Need]) -> Block {
    let mut blocks = vec![
        Block::heading(2, "At a glance"),
        Block::para(plain(format!(
            "For each family need, an area is a desert when the need's rule says so (the \
             rules are given with each need under (ii)). Shortfall is the supply missing for \
             every area to reach the need's target ratio, counted as the rule counts supply: \
             inside the area for child care's CAP 2018 rule, within reach otherwise. An \
             uncertain desert is a desert at \
             the estimate that would not be one at demand − MOE.{}",
            match cx.previous {
                Some(p) => format!(" Changes are since the {p} assessment."),
                None => " No earlier assessment is loaded, so there are no changes to show.".into(),
            }
        ))),
    ];
    let mut table = Table::new(
        None,
        vec![
            Cell::text("Need"),
            Cell::num("Demand"),
            Cell::num("Deserts"),
            Cell::num("Uncertain deserts"),
            Cell::num("Demand in deserts"),
            Cell::num("Shortfall"),
            Cell::num(format!(
                "Deserts since {}",
                cx.previous
                    .map_or_else(|| "last year".to_owned(), |p| p.to_string())
            )),
        ],
    );
    for part in parts {
        table.push(needs::glance_row(part));
    }
    blocks.push(Block::Table(table));
    if !unmeasured.is_empty() {
        let mut text = vec![t(format!(
            "Not measured: the {} assessment has no demand indicator for ",
            cx.year
        ))];
        text.extend(needs::need_list(unmeasured));
        text.push(t("."));
        blocks.push(Block::note(text));
    }
    if let Some(map) = overview_map(cx, parts) {
        blocks.push(map);
    }
    let mut contents = Vec::new();
    for (id, title) in TITLES {
        contents.push(vec![Inline::Link {
            href: format!("#element-{id}"),
            text: title.to_owned(),
        }]);
    }
    blocks.push(Block::heading(
        3,
        "Contents: the elements of 45 CFR 1302.11(b)(1)",
    ));
    blocks.push(Block::List {
        class: Some("contents"),
        items: contents,
    });
    blocks.push(Block::note(vec![
        t(
            "Each element shows its figures with their source, vintage and margin of error, \
           or says what is not provided and which upload fills it in. The same report as an \
           editable Word document, to finish the narrative in: ",
        ),
        Inline::Link {
            href: format!("/reports/{}?format=docx", cx.year),
            text: format!("/reports/{}?format=docx", cx.year),
        },
        t("."),
    ]));
    Block::section("glance", None, blocks)
}

/// A map of how many needs each area is a desert for.
fn overview_map(cx: &Context<'_>, parts: &[NeedPart<'_>]) -> Option<Block> {
    if parts.is_empty() {
        return None;
    }
    if let Some(note) = cx.too_many_to_draw() {
        return Some(note);
    }
    let geo = cx.geo;
    let n = geo.geography.areas.len();
    let mut count: Vec<Option<usize>> = vec![None; n];
    for part in parts {
        for g in &part.report.areas {
            if let Some(c) = count.get_mut(g.area as usize) {
                *c = Some(c.unwrap_or(0) + usize::from(g.desert));
            }
        }
    }
    // Dark is worse here too: the most deserts take viridis' darkest step.
    let fill = |c: usize| VIRIDIS[4 - c.min(4)];
    let shapes: Vec<Shape<'_>> = geo
        .geography
        .areas
        .iter()
        .zip(&count)
        .map(|(area, c)| Shape {
            geometry: &area.geometry,
            fill: c.map_or(NOT_ASSESSED, fill),
            hatched: false,
            title: match c {
                Some(c) => format!("{} ({}): a desert for {c} need(s)", area.name, area.geoid),
                None => format!("{} ({}): not assessed", area.name, area.geoid),
            },
        })
        .collect();
    let mut legend: Vec<Key<'_>> = [
        "no desert",
        "desert for 1 need",
        "for 2 needs",
        "for 3 needs",
    ]
    .iter()
    .enumerate()
    .map(|(c, label)| Key {
        fill: fill(c),
        hatched: false,
        label: (*label).to_owned(),
    })
    .collect();
    legend.push(Key {
        fill: fill(4),
        hatched: false,
        label: "for 4 needs or more".into(),
    });
    if count.iter().any(Option::is_none) {
        legend.push(Key {
            fill: NOT_ASSESSED,
            hatched: false,
            label: "not assessed".into(),
        });
    }
    Some(Block::Figure {
        class: Some("overview"),
        svg: choropleth(
            "overview",
            &shapes,
            &legend,
            "Map: deserts per area",
            MAP_BOX * 0.7,
            LegendAt::Right,
        ),
        caption: plain(format!(
            "Number of needs (of the {} measured) for which each area is a desert. Areas: \
             {}; partner sites: {}.",
            parts.len(),
            number(n as f64, 0),
            number(cx.atlas.sites.len() as f64, 0)
        )),
    })
}
