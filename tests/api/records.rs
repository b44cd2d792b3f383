//! Program records: program-wide figures with their sources, per assessment year.

use crate::api_tests;
use crate::helpers::*;
use serde_json::{Value, json};

const RECORDS: &str = "record,value,source,as_of,name,kind,notes\n\
funded_enrollment,240,PIR 2024,2024-06-30,,,\n\
actual_enrollment,262,PIR 2024 (cumulative),2024-06-30,,,\n\
children_homeless,18,McKinney-Vento liaison,2024-05-01,,,\n\
other_program,1200,State pre-K roster,2024-09-01,City pre-K,preschool,approximate\n";

async fn put(app: &TestApp, year: i32, csv: &str) -> reqwest::Response {
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/assessments/{year}/records?filename=records.csv"),
        "text/csv",
        csv.to_owned(),
    )
    .await
}

async fn records_are_stored_per_year_and_read_back() {
    let app = spawn_app().await;
    let r = put(&app, 2024, RECORDS).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["kind"], "records");
    assert_eq!(report["rows"], 4);
    assert_eq!(report["summary"]["added"], 4);
    let got = app.get_json("/api/v1/assessments/2024/records").await;
    assert_eq!(got["year"], 2024);
    assert_eq!(
        got["records"][3],
        json!({"record": "other_program", "name": "City pre-K", "kind": "preschool", "value": 1200.0,
               "source": "State pre-K roster", "as_of": "2024-09-01", "notes": "approximate"})
    );
    assert_eq!(got["records"][0]["name"], Value::Null);
    // Another year has none; uploading again replaces.
    let none = app.get_json("/api/v1/assessments/2023/records").await;
    assert_eq!(none["records"], json!([]));
    let again = put(
        &app,
        2024,
        "record,value,source\nfunded_enrollment,250,PIR 2024\n",
    )
    .await;
    let report: Value = again.json().await.unwrap();
    assert_eq!(
        (
            report["summary"]["changed"].clone(),
            report["summary"]["removed"].clone()
        ),
        (1.into(), 3.into())
    );
    let got = app.get_json("/api/v1/assessments/2024/records").await;
    assert_eq!(got["records"].as_array().unwrap().len(), 1);
}

async fn the_same_records_again_change_nothing() {
    let app = spawn_app().await;
    put(&app, 2024, RECORDS).await;
    let before = app.store_state().await;
    let report: Value = put(&app, 2024, RECORDS).await.json().await.unwrap();
    assert_eq!(report["unchanged"], true);
    assert_eq!(app.store_state().await, before);
}

async fn bad_records_are_refused_naming_row_and_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let r = put(
        &app,
        2024,
        "record,value,source\nfunded_enrollment,240,\nwaitlist,3,PIR\n",
    )
    .await;
    let body = assert_error(r, 422, "invalid_file").await;
    let d = &body["error"]["details"];
    assert_eq!(
        (
            d[0]["file"].clone(),
            d[0]["row"].clone(),
            d[0]["field"].clone()
        ),
        ("records.csv".into(), 2.into(), "source".into())
    );
    assert_eq!(
        (d[1]["row"].clone(), d[1]["field"].clone()),
        (3.into(), "record".into())
    );
    assert_eq!(app.store_state().await, before);
    assert_eq!(
        app.get_json("/api/v1/assessments/2024/records").await["records"],
        json!([])
    );
    // Writes need a token.
    let r = app
        .client
        .put(app.url("/api/v1/assessments/2024/records"))
        .header("Content-Type", "text/csv")
        .body(RECORDS)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

api_tests!(
    records_are_stored_per_year_and_read_back,
    the_same_records_again_change_nothing,
    bad_records_are_refused_naming_row_and_field_and_nothing_is_stored,
);

#[test]
fn the_command_line_imports_program_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db").display().to_string();
    let file = dir.path().join("records.csv");
    std::fs::write(&file, RECORDS).unwrap();
    let out = gapmap_ok(
        &db,
        &[
            "import",
            "records",
            file.to_str().unwrap(),
            "--year",
            "2024",
        ],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["rows"], 4);
}
