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
    // The overview map and the child-care map, with their legends.
    assert_eq!(html.matches("<svg").count(), 2);
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
    assert_has(&html, "<dt>Shortfall</dt><dd>30 child-care slots</dd>");
    assert_has(
        &html,
        "<dt>Supply</dt><dd>30 child-care slots</dd><dt>Sites</dt><dd>1</dd>",
    );
    // The change since 2023 (see compare.rs for the numbers).
    assert_has(&html, "<h3>Change since 2023</h3>");
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
    // The top deserts: area 2, 60 children and no slot inside, 10 child-care slots short.
    assert_has(&html, "Top deserts by shortfall (1 of 1)");
    assert_has(
        &html,
        r#"<td><code>01001000002</code></td><td>Area 2</td><td class="n">60</td>"#,
    );
    assert_has(&html, "60 children and no licensed slots in the area");
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
        !html.contains("<b>1</b>"),
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
    assert_has(
        &html,
        "share of the target met, as the desert rule measures it: child-care slots inside \
         the area ÷ (demand × the target 0.33)",
    );
}

crate::api_tests!(
    the_report_colours_each_area_as_the_map_does,
    the_report_shows_each_measured_need_with_map_totals_change_and_deserts,
    sources_vintages_and_the_acs_caveat_are_listed,
    every_uploaded_string_is_escaped,
    without_an_earlier_year_there_is_no_change_to_show,
    an_unknown_year_is_a_404_in_the_error_shape,
    the_report_needs_a_token_when_reads_are_private,
    the_report_forbids_scripts_and_requests_and_is_in_the_openapi_document,
);
