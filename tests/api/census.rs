//! Census tables as they come: data.census.gov CSV and Census API JSON uploads
//! (`?source=census`), from the API and the command line.

use crate::api_tests;
use crate::helpers::*;

const B01001: &str = "census/ACSDT5Y2022.B01001-Data.csv";
const B17001: &str = "census/acs5_2022_B17001_tracts_17031.json";

/// The fixtures' four Chicago tracts as squares side by side.
fn tracts() -> String {
    let ids = ["17031010100", "17031010201", "17031010202", "17031010300"];
    let features: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let x0 = -87.70 + 0.01 * i as f64;
            let x1 = x0 + 0.01;
            format!(
                r#"{{"type":"Feature","properties":{{"GEOID":"{id}","NAME":"Tract {id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},41.80],[{x1},41.80],[{x1},41.81],[{x0},41.81],[{x0},41.80]]]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

async fn app_with_tracts() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("tracts", &tracts()).await.status(), 200);
    app
}

fn value(a: &serde_json::Value, area: usize, name: &str) -> serde_json::Value {
    a["areas"][area]["values"][name].clone()
}

async fn a_data_census_gov_download_is_stored_as_indicators_with_margins() {
    let app = app_with_tracts().await;
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/assessments/2022?geography=tracts&source=census&filename=ACSDT5Y2022.B01001-Data.csv",
            "text/csv",
            fixture(B01001),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        report["indicators"],
        serde_json::json!(["children_under_5", "total_population"])
    );
    assert_eq!(report["rows"], 4);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("17031800100"), "{warnings}");

    let a = app.get_json("/api/v1/assessments/2022").await;
    assert_eq!(a["areas"][0]["geoid"], "17031010100");
    assert_eq!(value(&a, 0, "children_under_5"), 200.0);
    assert_eq!(value(&a, 0, "children_under_5_moe"), 50.0);
    assert_eq!(value(&a, 1, "children_under_5_moe"), 65.0);
    // Tract 102.02's total population has the controlled margin *****.
    assert_eq!(value(&a, 2, "total_population_moe"), 0.0);
}

async fn several_tables_in_one_form_make_one_year() {
    let app = app_with_tracts().await;
    let form = reqwest::multipart::Form::new()
        .part(
            "first",
            reqwest::multipart::Part::bytes(fixture(B01001))
                .file_name("ACSDT5Y2022.B01001-Data.csv"),
        )
        .part(
            "anything",
            reqwest::multipart::Part::bytes(fixture(B17001)).file_name("b17001.json"),
        );
    let r = app
        .client
        .put(app.url("/api/v1/assessments/2022?geography=tracts&source=census"))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        report["files"],
        serde_json::json!(["ACSDT5Y2022.B01001-Data.csv", "b17001.json"])
    );
    let a = app.get_json("/api/v1/assessments/2022").await;
    assert_eq!(value(&a, 0, "children_under_5_poverty"), 73.0);
    assert_eq!(value(&a, 0, "children_under_5_poverty_moe"), 29.0);
    // B17001_004E of tract 103 is the jam value -666666666: no value.
    assert!(value(&a, 3, "children_under_5_poverty").is_null());
    assert_eq!(value(&a, 3, "children_under_5"), 290.0);
}

async fn a_bad_census_cell_is_refused_naming_file_row_and_field() {
    let app = app_with_tracts().await;
    let before = app.store_state().await;
    let bad = String::from_utf8(fixture(B17001))
        .unwrap()
        .replace(r#""45","20""#, r#""45","twenty""#);
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/assessments/2022?geography=tracts&source=census&filename=b17001.json",
            "application/json",
            bad,
        )
        .await;
    let body = assert_error(r, 422, "invalid_file").await;
    let d = &body["error"]["details"][0];
    assert_eq!(d["file"], "b17001.json");
    assert_eq!(d["row"], 2);
    assert_eq!(d["field"], "B17001_004M");
    assert_eq!(app.store_state().await, before);
}

async fn several_files_without_source_census_are_refused() {
    let app = app_with_tracts().await;
    let form = reqwest::multipart::Form::new()
        .part(
            "a",
            reqwest::multipart::Part::bytes(fixture(B01001)).file_name("a.csv"),
        )
        .part(
            "b",
            reqwest::multipart::Part::bytes(fixture(B17001)).file_name("b.json"),
        );
    let r = app
        .client
        .put(app.url("/api/v1/assessments/2022?geography=tracts"))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = assert_error(r, 422, "invalid_file").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("source=census"),
        "{body}"
    );
}

api_tests!(
    a_data_census_gov_download_is_stored_as_indicators_with_margins,
    several_tables_in_one_form_make_one_year,
    a_bad_census_cell_is_refused_naming_file_row_and_field,
    several_files_without_source_census_are_refused,
);

#[test]
fn the_command_line_imports_census_tables_with_a_programs_own_recipes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db").display().to_string();
    let areas = dir.path().join("tracts.geojson");
    std::fs::write(&areas, tracts()).unwrap();
    gapmap_ok(
        &db,
        &[
            "import",
            "areas",
            areas.to_str().unwrap(),
            "--geography",
            "tracts",
        ],
    );
    // A program's own recipe: boys under 5 alone.
    let own = dir.path().join("ours.toml");
    std::fs::write(
        &own,
        "[indicators.boys_under_5]\nlabel = \"Boys under 5\"\nunit = \"people\"\nrecipe = { sum = [\"B01001_003\"] }\n",
    )
    .unwrap();
    let fixtures = root().join("tests/fixtures");
    let out = gapmap_ok(
        &db,
        &[
            "import",
            "indicators",
            "--source",
            "census",
            "--indicators",
            own.to_str().unwrap(),
            "--year",
            "2022",
            "--geography",
            "tracts",
            fixtures.join(B01001).to_str().unwrap(),
            fixtures.join(B17001).to_str().unwrap(),
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["indicators"],
        serde_json::json!([
            "boys_under_5",
            "children_under_5",
            "children_under_5_poverty",
            "children_under_5_poverty_share",
            "total_population"
        ])
    );
    let csv = gapmap_ok(&db, &["export", "assessment", "--year", "2022"]);
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with(
            "GEOID,boys_under_5,boys_under_5_moe,children_under_5,children_under_5_moe"
        ),
        "{header}"
    );
    assert!(csv.contains("\n17031010100,120,30,200,50,"), "{csv}");
}
