//! The report page: assembling the gap reports, the comparison with the previous year,
//! the sources and the caveats into one HTML document.

use super::reliability::{self, CV_LIMIT, Reliability};
use super::svg::{Key, LegendAt, MAP_BOX, Shape, choropleth};
use super::text::{amount, change, escape, number, percent};
use crate::analysis::compare::{CompareReport, compare_reports};
use crate::analysis::{AreaGap, GapParams, GapReport, Source, lookup};
use crate::atlas::{Atlas, GeographyData};
use crate::domain::{Assessment, DemandPointSource, DesertRule, Need, Provenance, Supply};
use crate::error::Result;
use crate::output::scale::{NO_DEMAND, TARGET_MET_COLOURS, TARGET_MET_LABELS, target_met_colour};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

/// The size of a need's map, which shares the page's width with the totals.
const NEED_MAP: f64 = 420.0;
/// Geographies with more areas are not drawn: a printed map of tens of thousands of
/// block groups is neither legible nor a page a browser prints quickly (each map costs
/// about 300 bytes per area).
const MAX_MAP_AREAS: usize = 20_000;
/// Deserts listed per need.
const TOP_DESERTS: usize = 10;
/// Flagged ACS values listed (the count says how many more there are).
const MAX_FLAGGED_ROWS: usize = 40;
/// Partner uploads listed, newest last.
const MAX_UPLOADS: usize = 12;

/// The colours of "share of the target met", the map page's (viridis, dark to light).
const VIRIDIS: [&str; 5] = TARGET_MET_COLOURS;
const NOT_ASSESSED: &str = "#f2f2f2";
const WHITE: &str = "#ffffff";

/// One need's part of the report.
struct NeedPart<'a> {
    need: &'a Need,
    report: Arc<GapReport>,
    /// The comparison with the previous year, or why there is none.
    change: Option<std::result::Result<CompareReport, String>>,
}

/// The report of `year` as one HTML document (see the module documentation of
/// [`crate::output::report`]). `provenance` is what the store records of the uploads.
/// Errors: unknown year (404), a geography that is not loaded.
pub fn render(source: &dyn Source, year: i32, provenance: &Provenance) -> Result<String> {
    let atlas = source.atlas();
    let a = lookup::assessment(atlas, year)?;
    let geo = lookup::geography(atlas, a)?;
    let previous = atlas.assessments.range(..year).next_back().map(|(y, _)| *y);
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

    let mut html = String::with_capacity(1 << 20);
    let title = format!("Community assessment {year}: where needs lack nearby partners");
    let _ = write!(
        html,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{CSS}</style></head><body>"#,
        escape(&title)
    );
    header(&mut html, atlas, a, geo, year);
    glance(&mut html, atlas, geo, &parts, &unmeasured, year, previous);
    for part in &parts {
        need_section(&mut html, atlas, geo, part, year, previous);
    }
    sources(&mut html, atlas, a, geo, provenance, year);
    caveats(&mut html, atlas, geo, &parts, &reliability, year);
    let _ = write!(
        html,
        "<footer><p>Made by gapmap from the data stored at data version {}. Distances are \
         great-circle kilometres (haversine) from each area's demand point to each partner \
         site; access is the two-step floating catchment area ratio (2SFCA, Luo &amp; Wang \
         2003): each site's supply divided by the demand within its catchment, summed over \
         the sites within reach of the area. Shortfall is the supply an area lacks to reach \
         the need's target ratio.</p></footer></body></html>",
        atlas.data_version
    );
    Ok(html)
}

fn header(html: &mut String, atlas: &Atlas, a: &Assessment, geo: &GeographyData, year: i32) {
    let _ = write!(
        html,
        "<header><p class=\"kicker\">Community assessment summary</p><h1>{year}: where \
         families' needs lack nearby partners</h1><p class=\"meta\">Geography <b>{}</b> \
         ({} areas) · assessment {year}, version {} · partner directory: {} partners, {} \
         sites · data version {}</p></header>",
        escape(&geo.geography.name),
        number(geo.geography.areas.len() as f64, 0),
        a.version,
        number(atlas.partners.len() as f64, 0),
        number(atlas.sites.len() as f64, 0),
        atlas.data_version
    );
}

/// The need's own word for its supply, as the map page shows it (`data/needs.toml`).
fn supply_unit(need: &Need) -> &str {
    &need.supply_unit
}

/// An amount of a need's supply: whole places, or sites to two significant digits (a
/// shortfall of 0.43 sites is meaningful, one of 0.43 places is not).
fn supply_amount(need: &Need, x: f64) -> String {
    match need.supply {
        Supply::Capacity => number(x, 0),
        Supply::Sites => amount(x),
    }
}

/// Demand living in deserts.
fn demand_in_deserts(report: &GapReport) -> f64 {
    report
        .areas
        .iter()
        .filter(|g| g.desert)
        .map(|g| g.demand)
        .sum()
}

fn share(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        percent(part / whole)
    } else {
        "–".to_owned()
    }
}

fn glance(
    html: &mut String,
    atlas: &Atlas,
    geo: &GeographyData,
    parts: &[NeedPart<'_>],
    unmeasured: &[&Need],
    year: i32,
    previous: Option<i32>,
) {
    html.push_str("<section class=\"glance\"><h2>At a glance</h2>");
    let _ = write!(
        html,
        "<p>For each family need, an area is a <b>desert</b> when the need's rule says so \
         (the rules are given with each need below). Shortfall is the supply missing for \
         every area to reach the need's target ratio.{}</p>",
        match previous {
            Some(p) => format!(" Changes are since the {p} assessment."),
            None => " No earlier assessment is loaded, so there are no changes to show.".into(),
        }
    );
    let _ = write!(
        html,
        "<table><thead><tr><th>Need</th><th class=\"n\">Demand</th><th class=\"n\">Deserts</th>\
         <th class=\"n\">Demand in deserts</th><th class=\"n\">Shortfall</th><th class=\"n\">\
         Deserts since {}</th></tr></thead><tbody>",
        previous.map_or("last year".to_owned(), |p| p.to_string())
    );
    for part in parts {
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
        let _ = write!(
            html,
            "<tr><td><a href=\"#need-{code}\">{label}</a><br><code>{ind}</code></td><td \
             class=\"n\">{demand}</td><td class=\"n\">{d} of {n} ({dp})</td><td class=\"n\">{id} \
             ({ip})</td><td class=\"n\">{sf} {unit}</td><td class=\"n\">{since}</td></tr>",
            code = escape(&part.need.code),
            label = escape(&part.need.label),
            demand = number(s.demand_total, 0),
            ind = escape(&r.params.demand_indicator),
            d = number(s.deserts as f64, 0),
            n = number(s.areas as f64, 0),
            dp = share(s.deserts as f64, s.areas as f64),
            id = number(in_deserts, 0),
            ip = share(in_deserts, s.demand_total),
            sf = supply_amount(part.need, s.shortfall_total),
            unit = supply_unit(part.need),
        );
    }
    html.push_str("</tbody></table>");
    if !unmeasured.is_empty() {
        let list: Vec<String> = unmeasured
            .iter()
            .map(|n| {
                format!(
                    "{} (needs <code>{}</code>)",
                    escape(&n.label),
                    escape(&n.demand_indicator)
                )
            })
            .collect();
        let _ = write!(
            html,
            "<p class=\"note\">Not measured: the {year} assessment has no demand indicator for {}.</p>",
            list.join("; ")
        );
    }
    overview_map(html, atlas, geo, parts);
    html.push_str("</section>");
}

/// The note that replaces a map of a geography too large to draw, if it is one.
fn too_many_to_draw(geo: &GeographyData) -> Option<String> {
    let n = geo.geography.areas.len();
    (n > MAX_MAP_AREAS).then(|| {
        format!(
            "<p class=\"note\">No map: {} has {} areas, more than the {} a printed map can \
             show legibly. The web map shows them all.</p>",
            escape(&geo.geography.name),
            number(n as f64, 0),
            number(MAX_MAP_AREAS as f64, 0)
        )
    })
}

/// A map of how many needs each area is a desert for.
fn overview_map(html: &mut String, atlas: &Atlas, geo: &GeographyData, parts: &[NeedPart<'_>]) {
    if parts.is_empty() {
        return;
    }
    if let Some(note) = too_many_to_draw(geo) {
        html.push_str(&note);
        return;
    }
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
    let mut legend: Vec<Key> = [
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
    let measured = parts.len();
    let _ = write!(
        html,
        "<figure class=\"overview\">{}<figcaption>Number of needs (of the {measured} measured) \
         for which each area is a desert. Areas: {}; partner sites: {}.\
         </figcaption></figure>",
        choropleth(
            "overview",
            &shapes,
            &legend,
            "Map: deserts per area",
            MAP_BOX * 0.7,
            LegendAt::Right
        ),
        number(n as f64, 0),
        number(atlas.sites.len() as f64, 0)
    );
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

fn need_section(
    html: &mut String,
    atlas: &Atlas,
    geo: &GeographyData,
    part: &NeedPart<'_>,
    year: i32,
    previous: Option<i32>,
) {
    let need = part.need;
    let r = &part.report;
    let p = &r.params;
    let unit = supply_unit(need);
    let services: Vec<String> = p
        .services
        .iter()
        .map(|c| {
            atlas
                .catalog
                .services()
                .get(c)
                .map_or_else(|| escape(c), |s| escape(&s.label))
        })
        .collect();
    let _ = write!(
        html,
        "<section class=\"need\" id=\"need-{code}\"><h2>{label}</h2><p class=\"def\">Demand: \
         <code>{ind}</code>. Supply: {supply} at sites offering {services}. Catchment: \
         {radius} km. Target: {target} {unit} per unit of demand. Desert: {rule}.</p>",
        code = escape(&need.code),
        label = escape(&need.label),
        ind = escape(&p.demand_indicator),
        supply = p.supply.label(),
        services = services.join(", "),
        radius = amount(p.radius_km),
        target = amount(p.target),
        rule = escape(&rule_text(need, p.radius_km)),
    );
    // The map on the left, the totals and the change beside it.
    html.push_str("<div class=\"need-body\">");
    html.push_str(&need_map(geo, part));

    // Totals.
    let s = &r.summary;
    let in_deserts = demand_in_deserts(r);
    let _ = write!(
        html,
        "<div class=\"side\"><div><h3>Totals, {year}</h3><dl class=\"totals\">\
         <dt>Areas analysed</dt><dd>{areas}</dd>\
         <dt>Demand</dt><dd>{demand}</dd>\
         <dt>Deserts</dt><dd>{deserts} ({dp} of areas)</dd>\
         <dt>Demand in deserts</dt><dd>{in_d} ({ip})</dd>\
         <dt>Shortfall</dt><dd>{sf} {unit}</dd>\
         <dt>Supply</dt><dd>{supply} {unit}</dd>\
         <dt>Sites</dt><dd>{sites}</dd>\
         <dt>No site within {radius} km</dt><dd>{none} areas</dd></dl></div>",
        areas = number(s.areas as f64, 0),
        demand = number(s.demand_total, 0),
        deserts = number(s.deserts as f64, 0),
        dp = share(s.deserts as f64, s.areas as f64),
        in_d = number(in_deserts, 0),
        ip = share(in_deserts, s.demand_total),
        sf = supply_amount(need, s.shortfall_total),
        supply = supply_amount(need, s.supply_total),
        sites = number(s.sites as f64, 0),
        radius = amount(p.radius_km),
        none = number(s.areas_without_site_within as f64, 0),
    );
    change_block(html, part, year, previous, unit);
    html.push_str("</div></div>");
    top_deserts(html, need, r, unit);
    html.push_str("</section>");
}

fn need_map(geo: &GeographyData, part: &NeedPart<'_>) -> String {
    if let Some(note) = too_many_to_draw(geo) {
        return note;
    }
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
                    g.target_met.map_or_else(|| "no".to_owned(), percent),
                    if g.desert { ", desert" } else { "" }
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
    format!(
        "<figure>{}<figcaption>{}: share of the target met, {} (fixed classes, the map \
         page's), deserts hatched.</figcaption></figure>",
        choropleth(
            &part.need.code,
            &shapes,
            &legend,
            &format!("Map: {}", part.need.label),
            NEED_MAP,
            LegendAt::Below
        ),
        escape(&part.need.label),
        escape(&measure_text(part.need, &r.params))
    )
}

fn change_block(
    html: &mut String,
    part: &NeedPart<'_>,
    year: i32,
    previous: Option<i32>,
    unit: &str,
) {
    let (Some(prev), Some(result)) = (previous, &part.change) else {
        html.push_str(
            "<div><h3>Change</h3><p>No earlier assessment is loaded, so there is no change \
             to show.</p></div>",
        );
        return;
    };
    let c = match result {
        Ok(c) => c,
        Err(why) => {
            let _ = write!(
                html,
                "<div><h3>Change since {prev}</h3><p>The {prev} assessment cannot be compared: \
                 {}</p></div>",
                escape(why)
            );
            return;
        }
    };
    let s = &c.summary;
    let row = |label: &str, from: f64, to: f64, decimals: usize| {
        format!(
            "<tr><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            number(from, decimals),
            number(to, decimals),
            change(to - from, decimals)
        )
    };
    // Shortfalls in whole places, or in tenths of a site.
    let sf_decimals = usize::from(part.need.supply == Supply::Sites);
    let _ = write!(
        html,
        "<div><h3>Change since {prev}</h3><table><thead><tr><th></th><th class=\"n\">{prev}</th>\
         <th class=\"n\">{year}</th><th class=\"n\">change</th></tr></thead><tbody>{}{}{}{}\
         </tbody></table><p>Became deserts: {}; no longer deserts: {} (of {} areas found in \
         both years).{} Both years are measured against today's partner directory \
         (gapmap keeps no dated history of partners).</p></div>",
        row(
            "Areas",
            (s.areas_in_both + s.areas_only_from) as f64,
            (s.areas_in_both + s.areas_only_to) as f64,
            0
        ),
        row("Demand", s.demand_total_from, s.demand_total_to, 0),
        row("Deserts", s.deserts_from as f64, s.deserts_to as f64, 0),
        row(
            &format!("Shortfall ({unit})"),
            s.shortfall_total_from,
            s.shortfall_total_to,
            sf_decimals
        ),
        number(s.became_desert as f64, 0),
        number(s.no_longer_desert as f64, 0),
        number(s.areas_in_both as f64, 0),
        if s.areas_only_from + s.areas_only_to > 0 {
            format!(
                " Areas only in {prev}: {}; only in {year}: {}.",
                number(s.areas_only_from as f64, 0),
                number(s.areas_only_to as f64, 0)
            )
        } else {
            String::new()
        },
    );
}

fn top_deserts(html: &mut String, need: &Need, r: &GapReport, unit: &str) {
    let mut deserts: Vec<&AreaGap> = r.areas.iter().filter(|g| g.desert).collect();
    if deserts.is_empty() {
        html.push_str("<h3>Deserts</h3><p>No area is a desert for this need.</p>");
        return;
    }
    deserts.sort_by(|x, y| {
        y.shortfall
            .total_cmp(&x.shortfall)
            .then(y.demand.total_cmp(&x.demand))
            .then_with(|| x.geoid.cmp(&y.geoid))
    });
    let target = r.params.target;
    let _ = write!(
        html,
        "<h3>Top deserts by shortfall ({} of {})</h3><table class=\"deserts\"><colgroup>\
         <col style=\"width:13%\"><col style=\"width:25%\"><col style=\"width:8%\">\
         <col style=\"width:9%\"><col style=\"width:8%\"><col style=\"width:9%\">\
         <col style=\"width:28%\"></colgroup><thead><tr>\
         <th>GEOID</th><th>Area</th><th class=\"n\">Demand</th><th class=\"n\">Nearest site</th>\
         <th class=\"n\">Of target</th><th class=\"n\">Shortfall ({unit})</th><th>Why</th>\
         </tr></thead><tbody>",
        deserts.len().min(TOP_DESERTS),
        number(deserts.len() as f64, 0)
    );
    for g in deserts.iter().take(TOP_DESERTS) {
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(g.geoid.as_str()),
            escape(&g.name),
            number(g.demand, 0),
            g.nearest_km
                .map_or_else(|| "none".to_owned(), |km| format!("{} km", number(km, 1))),
            if target > 0.0 {
                percent(g.access_2sfca / target)
            } else {
                "–".to_owned()
            },
            supply_amount(need, g.shortfall),
            escape(g.desert_reason.as_deref().unwrap_or_default()),
        );
    }
    html.push_str("</tbody></table>");
}

fn sources(
    html: &mut String,
    atlas: &Atlas,
    a: &Assessment,
    geo: &GeographyData,
    provenance: &Provenance,
    year: i32,
) {
    html.push_str("<section class=\"sources\"><h2>Data sources and vintages</h2>");

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
    let _ = write!(
        html,
        "<h3>Geography</h3><p><b>{}</b>: {} areas. Distances are measured from each area's \
         demand point: {}.</p>",
        escape(&geo.geography.name),
        number(geo.geography.areas.len() as f64, 0),
        points.join(", ")
    );
    let uploads: Vec<_> = provenance
        .geographies
        .iter()
        .filter(|u| u.subject == geo.geography.name)
        .collect();
    if let Some(last) = uploads.last() {
        let _ = write!(
            html,
            "<p class=\"note\">Uploaded {} from {}{}.</p>",
            escape(date(&last.at)),
            escape(&last.files.join(", ")),
            if uploads.len() > 1 {
                format!(" (replacing {} earlier upload(s))", uploads.len() - 1)
            } else {
                String::new()
            }
        );
    }

    // Assessments.
    html.push_str(
        "<h3>Assessments</h3><table><thead><tr><th>Year</th><th class=\"n\">Version</th>\
         <th>Geography</th><th>File</th><th>Stored</th><th>In use</th></tr></thead><tbody>",
    );
    for u in &provenance.assessments {
        let current = atlas
            .assessments
            .get(&u.year)
            .is_some_and(|c| c.version == u.version);
        let _ = write!(
            html,
            "<tr{}><td>{}</td><td class=\"n\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            if u.year == year && current {
                " class=\"this\""
            } else {
                ""
            },
            u.year,
            u.version,
            escape(&u.geography),
            escape(&u.file),
            escape(date(&u.at)),
            if current { "current" } else { "replaced" }
        );
    }
    html.push_str("</tbody></table>");
    let indicators: Vec<String> = a
        .table
        .indicators()
        .iter()
        .map(|i| format!("<code>{}</code>", escape(i)))
        .collect();
    let _ = write!(
        html,
        "<p class=\"note\">The {year} assessment (version {}) has {} rows and the indicators \
         {}.</p>",
        a.version,
        number(a.table.rows.len() as f64, 0),
        indicators.join(", ")
    );

    // Partners.
    let mut by_service: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    for site in &atlas.sites {
        for svc in &site.services {
            let e = by_service.entry(svc.code.as_str()).or_default();
            e.0 += 1;
            if let Some(c) = svc.capacity {
                e.1 += 1;
                e.2 += c;
            }
        }
    }
    let _ = write!(
        html,
        "<h3>Partner directory</h3><p>Partners: {}; sites: {}. This is the directory as \
         it is now: gapmap keeps no dated history of partners, so every year in this report \
         is measured against today's sites.</p><table><thead><tr><th>Service</th>\
         <th class=\"n\">Sites</th><th class=\"n\">With a capacity</th><th class=\"n\">\
         Capacity</th></tr></thead><tbody>",
        number(atlas.partners.len() as f64, 0),
        number(atlas.sites.len() as f64, 0)
    );
    for (code, (sites, with_cap, cap)) in &by_service {
        let label = atlas
            .catalog
            .services()
            .get(*code)
            .map_or(*code, |s| s.label.as_str());
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(label),
            number(*sites as f64, 0),
            number(*with_cap as f64, 0),
            if *with_cap > 0 {
                number(*cap, 0)
            } else {
                "–".to_owned()
            }
        );
    }
    html.push_str("</tbody></table>");
    if !provenance.partners.is_empty() {
        let skip = provenance.partners.len().saturating_sub(MAX_UPLOADS);
        html.push_str("<p class=\"note\">Partner uploads");
        if skip > 0 {
            let _ = write!(html, " (the last {MAX_UPLOADS}; {skip} earlier)");
        }
        html.push_str(":</p><ul class=\"uploads\">");
        for u in provenance.partners.iter().skip(skip) {
            let _ = write!(
                html,
                "<li>{} · {} · <code>{}</code> · {} added, {} changed, {} removed</li>",
                escape(date(&u.at)),
                escape(&u.action.replace('_', " ")),
                escape(&if u.subject.is_empty() {
                    u.files.join(", ")
                } else if u.files.is_empty() {
                    u.subject.clone()
                } else {
                    format!("{} ({})", u.subject, u.files.join(", "))
                }),
                u.added,
                u.changed,
                u.removed
            );
        }
        html.push_str("</ul>");
    }
    html.push_str("</section>");
}

/// The date part of an RFC 3339 time.
fn date(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

fn caveats(
    html: &mut String,
    atlas: &Atlas,
    geo: &GeographyData,
    parts: &[NeedPart<'_>],
    r: &Reliability,
    year: i32,
) {
    html.push_str(
        "<section class=\"caveats\"><h2>Caveats</h2><h3>Reliability of ACS estimates</h3>",
    );
    if r.indicators.is_empty() {
        let _ = write!(
            html,
            "<p>The {year} assessment has no margins of error (no <code>_moe</code> columns), \
             so the reliability of its estimates cannot be checked here. American Community \
             Survey estimates for small areas can carry wide margins; upload them as \
             <code>&lt;indicator&gt;_moe</code> to have unreliable values flagged.</p>"
        );
    } else {
        let list: Vec<String> = r
            .indicators
            .iter()
            .map(|i| format!("<code>{}</code>", escape(i)))
            .collect();
        let _ = write!(
            html,
            "<p>Coefficient of variation CV = (MOE ÷ 1.645) ÷ estimate, for the indicators with \
             a margin of error ({}). Estimates checked: {}; <b>with a CV above {}: {}</b> \
             (use these with caution).{}</p>",
            list.join(", "),
            number(r.checked as f64, 0),
            percent(CV_LIMIT),
            number(r.flagged.len() as f64, 0),
            if r.zero_estimates > 0 {
                format!(
                    " Estimates of 0 with a margin, whose CV is undefined: {}.",
                    number(r.zero_estimates as f64, 0)
                )
            } else {
                String::new()
            }
        );
        if !r.flagged.is_empty() {
            html.push_str(
                "<table class=\"cv\"><thead><tr><th>GEOID</th><th>Area</th><th>Indicator</th>\
                 <th class=\"n\">Estimate</th><th class=\"n\">MOE</th><th class=\"n\">CV</th>\
                 </tr></thead><tbody>",
            );
            for f in r.flagged.iter().take(MAX_FLAGGED_ROWS) {
                let name = geo
                    .by_geoid
                    .get(&f.geoid)
                    .map_or("", |&i| geo.geography.areas[i].name.as_str());
                let _ = write!(
                    html,
                    "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">±{}</td><td class=\"n\">{}</td></tr>",
                    escape(f.geoid.as_str()),
                    escape(name),
                    escape(&f.indicator),
                    amount(f.estimate),
                    amount(f.moe),
                    percent(f.cv)
                );
            }
            html.push_str("</tbody></table>");
            if r.flagged.len() > MAX_FLAGGED_ROWS {
                let _ = write!(
                    html,
                    "<p class=\"note\">… and {} more; the assessment download \
                     (<code>/api/v1/assessments/{year}?format=csv</code>) has every margin.</p>",
                    number((r.flagged.len() - MAX_FLAGGED_ROWS) as f64, 0)
                );
            }
        }
    }
    html.push_str("<h3>Data gaps</h3><ul>");
    let mut any = false;
    for part in parts {
        let s = &part.report.summary;
        let label = escape(&part.need.label);
        if s.areas_missing_demand > 0 {
            any = true;
            let _ = write!(
                html,
                "<li>{label}: areas without a <code>{1}</code> value, counted as 0 demand: {0}.</li>",
                number(s.areas_missing_demand as f64, 0),
                escape(&part.report.params.demand_indicator)
            );
        }
        if s.sites_default_capacity > 0 {
            any = true;
            let _ = write!(
                html,
                "<li>{label}: sites without a capacity, counted as {1} {2} each: {0}.</li>",
                number(s.sites_default_capacity as f64, 0),
                amount(part.report.params.default_capacity),
                supply_unit(part.need)
            );
        }
        if s.areas_not_in_geography > 0 {
            any = true;
            let _ = write!(
                html,
                "<li>{label}: assessment rows left out because their GEOID is not in <b>{1}</b>: {0}.</li>",
                number(s.areas_not_in_geography as f64, 0),
                escape(&geo.geography.name)
            );
        }
    }
    if !any {
        html.push_str("<li>None: every assessed area has its demand values, and every site its capacity where a need counts capacity.</li>");
    }
    let _ = write!(
        html,
        "</ul><p class=\"note\">The partner directory ({} sites) is the one stored now; \
         sources of different vintages (boundaries, survey years, directories) are compared \
         as they are.</p></section>",
        number(atlas.sites.len() as f64, 0)
    );
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
  section.need, section.sources { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, figure, dl, .need-body { break-inside: avoid; }
  thead { display: table-header-group; }
  a { text-decoration: none; }
}
"#;
