//! `GET /reports/{year}` and `gapmap report`: the printable community-assessment report.
//! The data are those of compare.rs (2023 on `g`, 2024 on `g2`, one child-care centre of
//! 30 slots at area 1), with a margin of error on 2024's children and an area name and a
//! file name that need escaping.

use crate::helpers::*;

const SITES: &str =
    "id,name,lat,lon,services,capacity\ncc1,Little Stars,41.805,-87.685,childcare,30\n";

/// Children under 5 with margins: area 1 90 ± 60 (CV = (60/1.645)/90 = 40.5%, flagged),
/// area 2 60 ± 10 (CV 10.1%), area 4 30 with no margin.
const Y2024: &str = "GEOID,children_under_5,children_under_5_moe\n\
01001000001,90,60\n01001000002,60,10\n01001000004,30,\n";

async fn two_years() -> TestApp {
    let app = spawn_app().await;
    let g = three_areas().replace("Area 1", "Area <b>1</b> & Co");
    assert_eq!(app.put_areas("g", &g).await.status(), 200);
    let g2 = g
        .replace("01001000003", "01001000004")
        .replace("Area 3", "Area 4");
    assert_eq!(app.put_areas("g2", &g2).await.status(), 200);
    let r = app
        .put_assessment(
            2023,
            "g",
            "GEOID,children_under_5\n01001000001,60\n01001000002,40\n01001000003,50\n",
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/assessments/2024?geography=g2&filename=kids%3C2024%3E.csv",
            "text/csv",
            Y2024,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post_partners("?filename=sites.csv", "text/csv", SITES.to_owned())
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn report(app: &TestApp, year: i32) -> String {
    let r = app.get(&format!("/reports/{year}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    r.text().await.unwrap()
}

fn assert_has(html: &str, part: &str) {
    assert!(html.contains(part), "the report lacks {part:?}");
}

async fn the_report_shows_each_measured_need_with_map_totals_change_and_deserts() {
    let app = two_years().await;
    let html = report(&app, 2024).await;
    assert!(html.starts_with("<!doctype html>"));
    assert_has(&html, "@media print");
    // Child care is the only need the year's indicators measure.
    assert_has(&html, r#"<section class="need" id="need-childcare">"#);
    assert!(!html.contains(r#"id="need-food""#));
    assert_has(
        &html,
        "Not measured: the 2024 assessment has no demand indicator for",
    );
    // The overview map, the child-care map and the asset map, with their legends.
    assert_eq!(html.matches("<svg").count(), 3);
    assert_has(&html, "under 25% of the target");
    assert_has(&html, ">desert</text>");
    // Totals: 180 children, area 2 is the one desert, 30 slots short (P/6 each).
    assert_has(&html, "<dt>Demand</dt><dd>180</dd>");
    assert_has(&html, "<dt>Deserts</dt><dd>1 (33% of areas)</dd>");
    // The words of data/needs.toml, as the map page shows them.
    assert_has(
        &html,
        "Demand: <code>children_under_5</code>. Supply: places (capacity) at sites offering \
         Child care.",
    );
    // Child care's rule counts the slots inside the area: the total is that shortfall,
    // named so, beside the one within reach that the comparison and siting use (here
    // both 30: area 1's 30 slots reach all 180 children, P/6 short each).
    assert_has(
        &html,
        "<dt>Shortfall in the area</dt><dd>30 child-care slots</dd>\
         <dt>Shortfall within reach (3 km, 2SFCA)</dt><dd>30 child-care slots</dd>",
    );
    assert_has(
        &html,
        "<tr><td>Shortfall within reach, 2SFCA (child-care slots)</td>",
    );
    assert_has(
        &html,
        "<dt>Supply</dt><dd>30 child-care slots</dd><dt>Sites</dt><dd>1</dd>",
    );
    // The change since 2023 (see compare.rs for the numbers).
    assert_has(&html, "<h4>Change since 2023</h4>");
    assert_has(
        &html,
        r#"<tr><td>Deserts</td><td class="n">0</td><td class="n">1</td><td class="n">+1</td></tr>"#,
    );
    assert_has(
        &html,
        r#"<tr><td>Demand</td><td class="n">150</td><td class="n">180</td><td class="n">+30</td></tr>"#,
    );
    assert_has(
        &html,
        "Became deserts: 1; no longer deserts: 0 (of 2 areas found in both years). \
         Areas only in 2023: 1; only in 2024: 1.",
    );
    // The top deserts: area 2, 60 ± 10 children and no slot inside, 10 child-care slots
    // short.
    assert_has(&html, "Top deserts by shortfall (1 of 1)");
    assert_has(
        &html,
        r#"<td><code>01001000002</code></td><td>Area 2</td><td class="n">60 ± 10</td>"#,
    );
    assert_has(&html, "60 children and no licensed slots in the area");
}

async fn uncertain_deserts_are_listed_apart_and_counted_at_a_glance() {
    let app = two_years().await;
    let html = report(&app, 2024).await;
    // Area 2 (60 ± 10, no slot inside) is a desert at 60 and at 70 but not at 50 (the
    // rule wants more than 50): uncertain. Area 1 (90 ± 60, 30 slots inside) is not one at
    // 90 (90/30 = 3, not above 3) but is at 150: a possible desert.
    assert_has(
        &html,
        "<dt>Across the margin</dt><dd>0 certain, 1 uncertain; 1 more possible</dd>",
    );
    assert_has(&html, "<h4>Uncertain deserts</h4>");
    // Demand − MOE = 50; no capacity inside, so 0% of the target met as CAP's in-area rule
    // measures it (the map's colour; its 2SFCA access is 30/180 = half the target).
    assert_has(
        &html,
        r#"<tr><td><code>01001000002</code></td><td>Area 2</td><td class="n">60</td><td class="n">±10</td><td class="n">50</td><td class="n">0</td><td class="n">0%</td></tr>"#,
    );
    assert_has(&html, "hatches them): <b>1</b> of 1 deserts.");
    // The glance table: 1 desert of 3 areas, 1 of them uncertain.
    assert_has(
        &html,
        r#"<td class="n">180</td><td class="n">1 of 3 (33%)</td><td class="n">1</td>"#,
    );
    // 2023 has no margins: nothing to check, and the report says what would fill it in.
    let html = report(&app, 2023).await;
    assert_has(
        &html,
        "<dt>Across the margin</dt><dd>no desert to check</dd>",
    );
}

/// A year with every element's data: margins on every area (the third's are 0), a
/// poverty count above its children in area 3 (a plausibility warning), program records,
/// and two child-care sites with hours and partnership levels.
const Y2025: &str = "GEOID,children_under_5,children_under_5_moe,children_under_5_poverty,\
children_under_5_poverty_moe,children_under_6_in_families,children_under_6_in_families_moe,\
children_under_6_all_parents_working,children_under_6_all_parents_working_moe,\
lep_households_spanish\n\
01001000001,100,30,50,12,90,20,60,16,10\n\
01001000002,80,40,30,9,60,15,40,12,5\n\
01001000003,20,0,25,0,50,0,20,0,0\n";

const RECORDS_2025: &str = "record,value,source,as_of,name,kind,notes\n\
children_homeless,12,McKinney-Vento liaison,2025-06-30,,,\n\
other_program,40,State pre-K office,2025-09-01,City Pre-K,preschool,\n\
other_program,25,Home visiting network,,Nurse-Family Partnership,home_visiting,\n\
funded_enrollment,120,PIR 2024-2025,,,,\n";

const PARTNERS_2025: &str = "id,name,partner,lat,lon,services,capacity,hours,partnership_level,partnership_stage\n\
cc1,Little Stars,Little Stars Inc,41.805,-87.685,childcare,30,Mo-Fr 07:00-19:00,collaboration,taking_action\n\
cc2,Sunny Days,Sunny Days LLC,41.805,-87.675,childcare,20,Mo-Sa 08:00-17:00,cooperation,\n\
lib1,Branch Library,City Library,41.805,-87.665,adult_education,,,,\n";

async fn one_full_year() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let r = app.put_assessment(2025, "g", Y2025).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/assessments/2025/records?filename=records.csv",
            "text/csv",
            RECORDS_2025,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post_partners(
            "?filename=partners.csv",
            "text/csv",
            PARTNERS_2025.to_owned(),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

/// The row of an indicator total: label and code, total, margin, areas, then the source.
fn total_row(label: &str, code: &str, total: &str, margin: &str, areas: u32) -> String {
    format!(
        r#"<tr><td>{label} <code>{code}</code></td><td class="n">{total}</td><td class="n">{margin}</td><td class="n">{areas}</td><td><code>ind.csv</code>"#
    )
}

async fn the_report_follows_the_elements_of_45_cfr_1302_11_b_1() {
    let app = one_full_year().await;
    let html = report(&app, 2025).await;
    for (id, title) in [
        ("i", "(i) Eligible children and expectant mothers"),
        ("ii", "(ii) Needs of eligible children and families"),
        (
            "iii",
            "(iii) Work, school and training schedules of parents",
        ),
        ("iv", "(iv) Other child development and child care programs"),
        ("v", "(v) Community resources"),
        ("vi", "(vi) Community strengths: the asset map"),
    ] {
        assert_has(
            &html,
            &format!(r#"<section class="element" id="element-{id}"><h2>{title}</h2>"#),
        );
        assert_has(&html, &format!(r##"<a href="#element-{id}">{title}</a>"##));
    }
    // In the rule's order, with the need sections inside (ii).
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s}"));
    let id = |e: &str| at(&format!("id=\"element-{e}\""));
    assert!(id("i") < id("ii"));
    assert!(id("ii") < at("id=\"need-childcare\""));
    assert!(at("id=\"need-childcare\"") < id("iii"));
    assert!(id("iii") < id("iv") && id("iv") < id("v") && id("v") < id("vi"));
    assert!(id("vi") < at("Data sources and vintages"));
}

async fn eligible_children_carry_their_source_vintage_and_margin() {
    let app = one_full_year().await;
    let html = report(&app, 2025).await;
    // 100 + 80 + 20 = 200, √(30² + 40² + 0²) = 50.
    assert_has(
        &html,
        &total_row("Children under 5", "children_under_5", "200", "±50", 3),
    );
    assert_has(
        &html,
        "; universe: Total population (B01001)</td><td>2025 assessment, version 1, stored 20",
    );
    // 50 + 30 + 25 = 105, √(12² + 9² + 0²) = 15.
    assert_has(
        &html,
        &total_row(
            "Children under 5 below the poverty level",
            "children_under_5_poverty",
            "105",
            "±15",
            3,
        ),
    );
    // Languages: no margins were uploaded.
    assert_has(
        &html,
        &total_row(
            "Limited-English-speaking households: Spanish",
            "lep_households_spanish",
            "15",
            "not given",
            3,
        ),
    );
    // Where they live: poverty counts, largest first, with their share of 105.
    assert_has(
        &html,
        r#"<tr><td><code>01001000001</code></td><td>Area 1</td><td class="n">50</td><td class="n">±12</td><td class="n">48%</td></tr>"#,
    );
    assert_has(
        &html,
        r#"<tr><td><code>01001000003</code></td><td>Area 3</td><td class="n">25</td><td class="n">±0</td><td class="n">24%</td></tr>"#,
    );
    // Records beside the ACS, each with its own source and date.
    assert_has(
        &html,
        r#"<tr><td>Children experiencing homelessness</td><td class="n">12</td><td class="n">not given</td><td>McKinney-Vento liaison</td><td>2025-06-30</td></tr>"#,
    );
}

async fn what_is_missing_says_which_upload_fills_it_in() {
    let app = one_full_year().await;
    let html = report(&app, 2025).await;
    for line in [
        // An ACS indicator names its Census table.
        r#"<p class="missing">Infants and toddlers under 3 (in households) (<code>children_under_3</code>): not provided: upload ACS table B09001 (source=census) or a <code>children_under_3</code> column for 2025 to fill this in.</p>"#,
        r#"<p class="missing">Women who had a birth in the past 12 months (a stand-in for expectant mothers) (<code>births_past_12_months</code>): not provided: upload ACS table B13002 (source=census) or a <code>births_past_12_months</code> column for 2025 to fill this in.</p>"#,
        // A program's own figure names the record and the column.
        r#"<p class="missing">Children in foster care: not provided: upload program records for 2025 with <code>children_foster_care</code> rows (from the child welfare agency), or a <code>children_foster_care</code> column, to fill this in.</p>"#,
        r#"<p class="missing">Actual (cumulative) enrolment: not provided: upload program records for 2025 with <code>actual_enrollment</code> rows (as the Program Information Report has it) to fill this in.</p>"#,
        // A need the year cannot measure.
        r#"<p class="missing">Food access for people in poverty: not provided: upload ACS table B17001 (source=census) or a <code>persons_poverty</code> column for 2025 to fill this in (the need&#39;s demand).</p>"#,
    ] {
        assert_has(&html, line);
    }
    // The race iterations of B01001 are named together.
    assert_has(
        &html,
        "Children under 5 by race and Hispanic origin: not provided: upload ACS tables \
         B01001A to B01001I (source=census) for 2025 to fill this in.",
    );
    // What is there is not called missing.
    assert!(!html.contains("Children experiencing homelessness: not provided"));
    assert!(!html.contains("Other programs and the children they serve: not provided"));
}

async fn schedules_programs_resources_and_strengths_are_counted() {
    let app = one_full_year().await;
    let html = report(&app, 2025).await;
    // (iii) 90 + 60 + 50 = 200 ± √(20² + 15²) = 25; 60 + 40 + 20 = 120 ± √(16² + 12²) = 20;
    // the share 120/200 = 0.6 ± (1/200)·√(20² − 0.6²·25²) = √175/200 = 0.0661.
    assert_has(
        &html,
        &total_row(
            "Own children under 6 in families",
            "children_under_6_in_families",
            "200",
            "±25",
            3,
        ),
    );
    assert_has(
        &html,
        &total_row(
            "Children under 6 with all parents in the labour force",
            "children_under_6_all_parents_working",
            "120",
            "±20",
            3,
        ),
    );
    assert_has(&html, "<b>60.0% ± 6.6 points</b>");
    // Two child-care sites, both with hours: one open after 18:00, one on Saturdays.
    assert_has(&html, r#"<tr><td>All</td><td class="n">2</td>"#);
    assert_has(
        &html,
        r#"<tr><td>Open after 18:00 on some day</td><td class="n">1</td>"#,
    );
    assert_has(
        &html,
        r#"<tr><td>Open on Saturday or Sunday</td><td class="n">1</td>"#,
    );
    // (iv) the other programs, 40 + 25 = 65 children, and the program's funded slots.
    assert_has(
        &html,
        r#"<tr><td>City Pre-K</td><td>Preschool / pre-K</td><td class="n">40</td><td>State pre-K office</td><td>2025-09-01</td></tr>"#,
    );
    assert_has(
        &html,
        "Together: <b>65</b> eligible children in 2 programs.",
    );
    assert_has(
        &html,
        r#"<tr><td>Funded enrolment</td><td class="n">120</td><td class="n">not given</td><td>PIR 2024-2025</td><td>not given</td></tr>"#,
    );
    // Child care in the directory: 2 sites, 30 + 20 = 50 slots.
    assert_has(
        &html,
        r#"<tr><td>Child care</td><td class="n">2</td><td class="n">2</td><td class="n">50</td><td>partner directory as stored now (last upload "#,
    );
    assert_has(&html, r#": <code>partners.csv</code>)</td></tr>"#);
    // (v) every service; (vi) the asset map with its three sites and the partnership levels.
    assert_has(&html, "Partners: 3; sites: 3. Source: partner directory");
    assert_has(
        &html,
        r#"<tr><td>Adult education</td><td class="n">1</td><td class="n">0</td><td class="n">–</td></tr>"#,
    );
    assert_has(&html, r#"aria-label="Map: the community&#39;s assets""#);
    assert_eq!(html.matches("<circle ").count(), 3);
    assert_has(&html, "Child care (2)");
    assert_has(&html, r#"<tr><td>Collaboration</td><td class="n">1</td>"#);
    assert_has(&html, r#"<tr><td>Not recorded</td><td class="n">1</td>"#);
    assert_has(
        &html,
        r#"<tr><td>Taking action</td><td class="n">1</td></tr>"#,
    );
    // The sources name the records' upload.
    assert_has(&html, "4 records for 2025, uploaded ");
    assert_has(&html, " from <code>records.csv</code>");
}

async fn plausibility_warnings_are_in_the_caveats() {
    let app = one_full_year().await;
    let html = report(&app, 2025).await;
    assert_has(&html, "<h3>Plausibility warnings</h3>");
    assert_has(&html, "stored with <b>1 warning(s)</b>");
    assert_has(
        &html,
        r#"<tr><td><code>ind.csv</code></td><td class="n">4</td><td><code>children_under_5_poverty</code></td><td>children_under_5_poverty is 25 in 01001000003, more than its children_under_5 (20), of which it is a part</td></tr>"#,
    );
    let clean = two_years().await;
    let html = report(&clean, 2024).await;
    assert_has(
        &html,
        "None: the 2024 assessment passed every plausibility check",
    );
}

async fn sources_vintages_and_the_acs_caveat_are_listed() {
    let app = two_years().await;
    let html = report(&app, 2024).await;
    assert_has(&html, "Data sources and vintages");
    assert_has(&html, "<b>g2</b>: 3 areas");
    assert_has(&html, "polygon centroid for 3");
    assert_has(&html, "Uploaded ");
    // Both assessments with their files; 2024's file name is escaped.
    assert_has(&html, "<code>kids&lt;2024&gt;.csv</code>");
    assert_has(&html, "<code>ind.csv</code>");
    assert_has(&html, "Partners: 1; sites: 1.");
    assert_has(&html, "merge partners");
    assert_has(&html, "<code>sites.csv</code>");
    // CV = (60 / 1.645) / 90 = 40.5% for area 1; 10.1% for area 2 is fine.
    assert_has(&html, "Estimates checked: 2; <b>with a CV above 30%: 1</b>");
    assert_has(
        &html,
        r#"<td><code>children_under_5</code></td><td class="n">90</td><td class="n">±60</td><td class="n">41%</td>"#,
    );
}

async fn every_uploaded_string_is_escaped() {
    let app = two_years().await;
    let html = report(&app, 2024).await;
    assert!(
        !html.contains("Area <b>1</b>"),
        "an area name went out unescaped"
    );
    assert_has(&html, "Area &lt;b&gt;1&lt;/b&gt; &amp; Co");
    assert!(!html.contains("kids<2024>"));
    // Nothing loads from elsewhere: no scripts, no external links or images.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src=\"http"));
}

async fn without_an_earlier_year_there_is_no_change_to_show() {
    let app = two_years().await;
    let html = report(&app, 2023).await;
    assert_has(&html, "No earlier assessment is loaded");
    assert!(!html.contains("Change since"));
    assert_has(
        &html,
        "The 2023 assessment has no margins of error (no <code>_moe</code> columns)",
    );
}

async fn an_unknown_year_is_a_404_in_the_error_shape() {
    let app = two_years().await;
    assert_error(app.get("/reports/1999").await, 404, "unknown_year").await;
    assert_error(app.get("/reports/soon").await, 400, "invalid_parameter").await;
}

async fn the_report_needs_a_token_when_reads_are_private() {
    let app = spawn_with(|s| s.reads = gapmap::config::Reads::Token).await;
    assert_error(app.get("/reports/2024").await, 401, "missing_token").await;
    let r = app
        .client
        .get(app.url("/reports/2024"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    // Let in, and told that there is no such year.
    assert_eq!(r.status(), 404);
}

#[test]
fn gapmap_report_writes_the_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let areas = dir.path().join("areas.geojson");
    std::fs::write(&areas, three_areas()).unwrap();
    let csv = dir.path().join("kids.csv");
    std::fs::write(
        &csv,
        "GEOID,children_under_5\n01001000001,60\n01001000002,40\n01001000003,50\n",
    )
    .unwrap();
    let out_file = dir.path().join("report.html");
    let run = |args: &[&str]| gapmap_ok(&db, args);
    run(&[
        "import",
        "areas",
        areas.to_str().unwrap(),
        "--geography",
        "g",
    ]);
    run(&[
        "import",
        "indicators",
        csv.to_str().unwrap(),
        "--year",
        "2023",
        "--geography",
        "g",
    ]);
    run(&[
        "report",
        "--year",
        "2023",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<code>kids.csv</code>"));
    assert!(html.contains(r#"id="need-childcare""#));
    // A .docx file is written as one; --format says so for standard output too.
    let docx_file = dir.path().join("report.docx");
    run(&[
        "report",
        "--year",
        "2023",
        "--out",
        docx_file.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&docx_file).unwrap();
    let xml = docx_part(&bytes, "word/document.xml");
    assert!(xml.contains("(i) Eligible children and expectant mothers"));
    // 60 + 40 + 50 = 150 children under 5, no margin.
    assert!(xml.contains(r#"<w:t xml:space="preserve">150</w:t>"#));
    let out = gapmap(&db, &["report", "--year", "2023", "--format", "docx"]);
    assert!(out.status.success());
    assert_eq!(&out.stdout[..2], b"PK");
}

async fn the_report_forbids_scripts_and_requests_and_is_in_the_openapi_document() {
    let app = two_years().await;
    let r = app.get("/reports/2024").await;
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'unsafe-inline'"),
        "{csp}"
    );
    let doc = app.get_json("/api/openapi.json").await;
    for path in [
        "/api/v1/outreach",
        "/api/v1/compare",
        "/api/v1/siting",
        "/reports/{year}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    let format = doc["paths"]["/reports/{year}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "format")
        .expect("the report documents format=");
    let schema = format["schema"]["$ref"].as_str().unwrap();
    let name = schema.trim_start_matches("#/components/schemas/");
    assert_eq!(
        doc["components"]["schemas"][name]["enum"],
        serde_json::json!(["html", "docx"])
    );
}

/// The parts of a DOCX (a zip), by name.
pub fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut part = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("no {name} in the DOCX"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

/// The text of a DOCX's document part, one line per paragraph (tags left out, entities
/// read).
pub fn docx_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        if rest[open..close].starts_with("</w:p>") {
            out.push('\n');
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The Partnerships section, on four partners (report date 2027-03-01, so the 90-day
/// window ends 2027-05-30):
/// - Little Stars: networking → coordination (edited), getting together; ends 2027-03-11
///   (10 days left: listed);
/// - Food Co-op: cooperation, taking action; ends 2027-05-30 (90 days: listed);
/// - Library: cooperation, no stage → building trust (edited); ends 2027-05-31 (91 days:
///   not listed);
/// - Clinic: no level, no stage; ended 2027-02-28 (not listed).
///
/// Moves this year: the upload's first values (Little Stars' level and stage, the
/// Co-op's level and stage, the Library's level: 5) and the two edits: 7, 4 of level and
/// 3 of stage, for 3 partners.
async fn the_partnerships_section_counts_levels_stages_moves_and_ending_agreements() {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let sites = "id,name,partner,partner_id,lat,lon,services,partnership_level,partnership_stage,agreement_end\n\
                 s1,Stars Center,Little Stars,stars,41.805,-87.685,childcare,networking,getting_together,2027-03-11\n\
                 s2,Co-op Pantry,Food Co-op,coop,41.805,-87.675,food,cooperation,taking_action,2027-05-30\n\
                 s3,Branch,Library,library,41.805,-87.665,adult_education,cooperation,,2027-05-31\n\
                 s4,Clinic,Clinic,clinic,41.805,-87.665,health,,,2027-02-28\n";
    let r = app.post_partners("", "text/csv", sites.to_owned()).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    for (id, body) in [
        (
            "stars",
            r#"{"partnership_level": "coordination", "note": "MOU signed"}"#,
        ),
        ("library", r#"{"partnership_stage": "building_trust"}"#),
    ] {
        let r = app
            .send(
                reqwest::Method::PATCH,
                &format!("/api/v1/partners/{id}"),
                "application/json",
                body,
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    // The assessment year is the year the history was written in.
    let history = app.get_json("/api/v1/partners/stars/history").await;
    let year: i32 = history["history"][0]["at"].as_str().unwrap()[..4]
        .parse()
        .unwrap();
    let csv = "GEOID,children_under_5\n01001000001,10\n01001000002,10\n01001000003,10\n";
    assert_eq!(app.put_assessment(year, "g", csv).await.status(), 200);

    let html = app
        .get(&format!("/reports/{year}?date=2027-03-01"))
        .await
        .text()
        .await
        .unwrap();
    let part = |s: &str| assert!(html.contains(s), "the report lacks {s:?}");
    part("<h2>Partnerships</h2><p>Report date: <b>2027-03-01</b> (as asked for).");
    for row in [
        "<tr><td>Networking</td><td class=\"n\">0</td><td class=\"n\">0%</td></tr>",
        "<tr><td>Coordination</td><td class=\"n\">1</td><td class=\"n\">25%</td></tr>",
        "<tr><td>Cooperation</td><td class=\"n\">2</td><td class=\"n\">50%</td></tr>",
        "<tr><td>Getting together</td><td class=\"n\">1</td><td class=\"n\">25%</td></tr>",
        "<tr><td>Taking action</td><td class=\"n\">1</td><td class=\"n\">25%</td></tr>",
        "<tr><td>not recorded</td><td class=\"n\">1</td><td class=\"n\">25%</td></tr>",
    ] {
        part(row);
    }
    part(&format!("<h3>Moves during {year}</h3>"));
    part(&format!(
        "7 changes of level or stage were recorded between {year}-01-01 and {year}-12-31 (4 of level, 3 of stage), for 3 partners"
    ));
    part("<td>Little Stars</td><td>level</td><td>Networking</td><td>Coordination</td></tr>");
    part("<td>Library</td><td>stage</td><td>none</td><td>Building trust and ownership</td></tr>");
    part(
        "Agreements ending between 2027-03-01 and 2027-05-30 (both included): 2. 0 partners record no end date.",
    );
    part(
        "<tr><td>Little Stars</td><td>2027-03-11</td><td class=\"n\">10</td><td>Coordination</td><td>Getting together</td></tr>",
    );
    part(
        "<tr><td>Food Co-op</td><td>2027-05-30</td><td class=\"n\">90</td><td>Cooperation</td><td>Taking action</td></tr>",
    );
    assert!(
        !html.contains("<td>2027-05-31</td>"),
        "91 days is outside the window"
    );
    assert!(
        !html.contains("<td>2027-02-28</td>"),
        "an ended agreement is not listed"
    );

    // The DOCX says the same.
    let bytes = app
        .get(&format!("/reports/{year}?date=2027-03-01&format=docx"))
        .await
        .bytes()
        .await
        .unwrap();
    let text = docx_text(&docx_part(&bytes, "word/document.xml"));
    for line in [
        "Partnerships",
        "Agreements ending within 90 days",
        "Agreements ending between 2027-03-01 and 2027-05-30 (both included): 2. 0 partners record no end date.",
        "2027-05-30",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "the DOCX has no paragraph {line:?}"
        );
    }
    // Without a date, the report says it counts from today; a bad date is refused.
    let today = app
        .get(&format!("/reports/{year}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(today.contains("(the day the report was made, UTC)."));
    assert_error(
        app.get(&format!("/reports/{year}?date=2027-02-30")).await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn the_report_comes_as_an_editable_docx_with_the_same_contents() {
    let app = one_full_year().await;
    let r = app.get("/reports/2025?format=docx").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(
        r.headers()["content-disposition"].to_str().unwrap(),
        "attachment; filename=\"report_2025.docx\""
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let types = docx_part(&bytes, "[Content_Types].xml");
    assert!(
        types.contains("wordprocessingml.document.main+xml"),
        "{types}"
    );
    let xml = docx_part(&bytes, "word/document.xml");
    let has = |s: &str| assert!(xml.contains(s), "word/document.xml lacks {s:?}");
    // The six elements as Word headings (level 2), in the rule's order.
    let mut at = 0;
    for (_, title) in [
        ("i", "(i) Eligible children and expectant mothers"),
        ("ii", "(ii) Needs of eligible children and families"),
        (
            "iii",
            "(iii) Work, school and training schedules of parents",
        ),
        ("iv", "(iv) Other child development and child care programs"),
        ("v", "(v) Community resources"),
        ("vi", "(vi) Community strengths: the asset map"),
    ] {
        let heading = format!(
            r#"<w:pStyle w:val="Heading2" /><w:keepNext /></w:pPr><w:r><w:rPr /><w:t xml:space="preserve">{title}</w:t>"#
        );
        let found = xml[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("no heading {title}: {xml}"));
        at += found;
    }
    // The numbers of the HTML report: 200 ± 50 children under 5, the share 60.0% ± 6.6
    // points, 65 children in other programs; the not-provided lines.
    has(r#"<w:t xml:space="preserve">200</w:t>"#);
    has(r#"<w:t xml:space="preserve">±50</w:t>"#);
    has(r#"<w:t xml:space="preserve">60.0% ± 6.6 points</w:t>"#);
    has(r#"<w:t xml:space="preserve">65</w:t>"#);
    let text = docx_text(&xml);
    for line in [
        "Infants and toddlers under 3 (in households) (children_under_3): not provided: upload \
         ACS table B09001 (source=census) or a children_under_3 column for 2025 to fill this in.",
        "Children in foster care: not provided: upload program records for 2025 with \
         children_foster_care rows (from the child welfare agency), or a children_foster_care \
         column, to fill this in.",
        "Uncertain deserts",
        "Plausibility warnings",
        // Maps cannot be drawn in the DOCX: their captions say where they are.
        "The asset map: 3 partner sites (transit stops left out: 0) over the 3 areas of g. Each \
         dot is a site, coloured by its first service. (The map is in the printable report, \
         /reports/2025.)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "the DOCX has no paragraph {line:?}:\n{text}"
        );
    }
    // Word finds the headings: the styles define them.
    let styles = docx_part(&bytes, "word/styles.xml");
    assert!(styles.contains(r#"w:styleId="Heading2""#), "{styles}");
}

async fn the_docx_escapes_what_was_uploaded_and_other_formats_are_refused() {
    let app = two_years().await;
    let r = app.get("/reports/2024?format=docx").await;
    assert_eq!(r.status(), 200);
    let xml = docx_part(&r.bytes().await.unwrap(), "word/document.xml");
    assert!(xml.contains("Area &lt;b&gt;1&lt;/b&gt; &amp; Co"), "{xml}");
    assert!(xml.contains("kids&lt;2024&gt;.csv"));
    let body = assert_error(
        app.get("/reports/2024?format=pdf").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("'pdf'"),
        "{body}"
    );
    let body = assert_error(
        app.get("/reports/2024?format=csv").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "the report comes as html or docx, not csv"
    );
    // The HTML is still the default, and both are cached apart.
    let html = report(&app, 2024).await;
    assert!(html.starts_with("<!doctype html>"));
}

/// The fill of the child-care map's shape whose title names `geoid`.
fn fill_of(html: &str, geoid: &str) -> String {
    let html = &html[html.find(r#"id="need-childcare""#).unwrap()..];
    let at = html
        .find(&format!("({geoid}): "))
        .unwrap_or_else(|| panic!("no shape for {geoid}"));
    let start = html[..at].rfind("<path fill=\"").unwrap() + "<path fill=\"".len();
    html[start..start + 7].to_owned()
}

async fn the_report_colours_each_area_as_the_map_does() {
    let app = two_years().await;
    let html = report(&app, 2024).await;
    let v = app.get_json("/api/v1/vocabulary").await;
    let scale = &v["scales"]["target_met"];
    assert_eq!(
        scale["bounds"],
        serde_json::json!([0.25, 0.5, 0.75, 1.0]),
        "{scale}"
    );
    assert_eq!(scale["colours"][4], "#fde725");
    assert_eq!(scale["labels"][4], "target met (100% or more)");
    let gaps = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    // Area 1: 30 slots inside for 90 children, exactly the target (not a desert);
    // area 2: 60 children, no slot (a desert); area 4: 30 children, no slot (too few).
    let expected = [
        ("01001000001", 1.0, "#fde725"),
        ("01001000002", 0.0, "#440154"),
        ("01001000004", 0.0, "#440154"),
    ];
    for (geoid, met, colour) in expected {
        let row = gaps["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["geoid"] == geoid)
            .unwrap();
        assert_eq!(row["target_met"].as_f64().unwrap(), met, "{row}");
        let class = scale["bounds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| met >= b.as_f64().unwrap())
            .count();
        assert_eq!(scale["colours"][class], colour);
        assert_eq!(fill_of(&html, geoid), colour, "{geoid}");
    }
    // Every definition is a click away.
    assert_has(&html, r#"<a href="/methods">the methods page</a>"#);
    assert_has(
        &html,
        "share of the target met, as the desert rule measures it: child-care slots inside \
         the area ÷ (demand × the target 0.33)",
    );
}

crate::api_tests!(
    the_partnerships_section_counts_levels_stages_moves_and_ending_agreements,
    the_report_colours_each_area_as_the_map_does,
    the_report_shows_each_measured_need_with_map_totals_change_and_deserts,
    the_report_comes_as_an_editable_docx_with_the_same_contents,
    the_docx_escapes_what_was_uploaded_and_other_formats_are_refused,
    uncertain_deserts_are_listed_apart_and_counted_at_a_glance,
    the_report_follows_the_elements_of_45_cfr_1302_11_b_1,
    eligible_children_carry_their_source_vintage_and_margin,
    what_is_missing_says_which_upload_fills_it_in,
    schedules_programs_resources_and_strengths_are_counted,
    plausibility_warnings_are_in_the_caveats,
    sources_vintages_and_the_acs_caveat_are_listed,
    every_uploaded_string_is_escaped,
    without_an_earlier_year_there_is_no_change_to_show,
    an_unknown_year_is_a_404_in_the_error_shape,
    the_report_needs_a_token_when_reads_are_private,
    the_report_forbids_scripts_and_requests_and_is_in_the_openapi_document,
);
