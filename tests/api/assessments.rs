use crate::helpers::*;

const CSV: &str = "GEOID,NAME,children_under_5,children_under_5_moe,households_no_vehicle\n\
01001000001,Area 1,120,15,30\n01001000002,Area 2,45,,12.5\n01001000003,Area 3,0,4,0\n";

async fn app_with_areas() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    app
}

async fn an_assessment_is_stored_and_read_back_as_json() {
    let app = app_with_areas().await;
    let r = app.put_assessment(2024, "g", CSV).await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["indicators"],
        serde_json::json!(["children_under_5", "households_no_vehicle"])
    );

    let a = app.get_json("/api/v1/assessments/2024").await;
    assert_eq!(a["year"], 2024);
    assert_eq!(a["geography"], "g");
    assert_eq!(
        a["indicators"],
        serde_json::json!(["children_under_5", "households_no_vehicle"])
    );
    assert_eq!(a["areas"][1]["geoid"], "01001000002");
    assert_eq!(a["areas"][1]["values"]["households_no_vehicle"], 12.5);
    assert!(a["areas"][1]["values"]["children_under_5_moe"].is_null());
    let list = app.get_json("/api/v1/assessments").await;
    assert_eq!(list["assessments"][0]["year"], 2024);
    assert_eq!(list["assessments"][0]["areas"], 3);
}

async fn a_csv_download_uploads_again_unchanged() {
    let app = app_with_areas().await;
    app.put_assessment(2024, "g", CSV).await;
    let csv = app
        .get("/api/v1/assessments/2024?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("GEOID,children_under_5,children_under_5_moe,households_no_vehicle\n01001000001,120,15,30\n"), "{csv}");
    let report: serde_json::Value = app
        .put_assessment(2024, "g", &csv)
        .await
        .json()
        .await
        .unwrap();
    // The same table: no new version, nothing written.
    assert_eq!(report["unchanged"], true, "{report}");
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["unchanged"], 3);
    let again = app
        .get("/api/v1/assessments/2024?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(again, csv);
}

async fn replacing_a_year_keeps_the_previous_version() {
    let app = app_with_areas().await;
    app.put_assessment(2024, "g", CSV).await;
    app.put_assessment(2024, "g", &CSV.replace(",120,", ",130,"))
        .await;
    let now = app.get_json("/api/v1/assessments/2024").await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["areas"][0]["values"]["children_under_5"], 130.0);
    let old = app.get_json("/api/v1/assessments/2024?version=1").await;
    assert_eq!(old["areas"][0]["values"]["children_under_5"], 120.0);
    let list = app.get_json("/api/v1/assessments").await;
    assert_eq!(
        list["assessments"][0]["versions"],
        serde_json::json!([1, 2])
    );
}

async fn geo_id_with_a_census_prefix_is_accepted() {
    let app = app_with_areas().await;
    let csv = "GEO_ID,x\n1400000US01001000001,1\n";
    assert_eq!(app.put_assessment(2024, "g", csv).await.status(), 200);
}

async fn stripped_leading_zeros_are_reported_with_their_rows_and_nothing_is_stored() {
    let app = app_with_areas().await;
    let before = app.store_state().await;
    let csv = "GEOID,x\n1001000001,1\n01001000002,2\n1001000003,3\n";
    let body = assert_error(
        app.put_assessment(2024, "g", csv).await,
        422,
        "stripped_leading_zero",
    )
    .await;
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("rows 2, 4"), "{msg}");
    assert_eq!(body["error"]["details"][0]["file"], "ind.csv");
    assert_eq!(body["error"]["details"][0]["field"], "GEOID");
    assert_eq!(app.store_state().await, before);
}

async fn an_unknown_geoid_is_refused_with_its_row() {
    let app = app_with_areas().await;
    let csv = "GEOID,x\n01001000001,1\n17031999999,2\n";
    let body = assert_error(
        app.put_assessment(2024, "g", csv).await,
        422,
        "unknown_geoid",
    )
    .await;
    assert_eq!(body["error"]["details"][0]["row"], 3);
}

async fn a_non_numeric_value_is_refused_with_row_and_field() {
    let app = app_with_areas().await;
    let before = app.store_state().await;
    let csv = "GEOID,children_under_5\n01001000001,12\n01001000002,twelve\n";
    let body = assert_error(
        app.put_assessment(2024, "g", csv).await,
        422,
        "invalid_file",
    )
    .await;
    let d = &body["error"]["details"][0];
    assert_eq!(
        (d["file"].as_str(), d["row"].as_u64(), d["field"].as_str()),
        (Some("ind.csv"), Some(3), Some("children_under_5"))
    );
    assert_eq!(app.store_state().await, before);
}

async fn a_malformed_csv_names_the_row() {
    let app = app_with_areas().await;
    let body = assert_error(
        app.put_assessment(2024, "g", "GEOID,x\n01001000001,1,2\n")
            .await,
        400,
        "malformed_file",
    )
    .await;
    assert_eq!(body["error"]["details"][0]["row"], 2);
}

async fn duplicate_geoids_are_refused() {
    let app = app_with_areas().await;
    let csv = "GEOID,x\n01001000001,1\n01001000001,2\n";
    assert_error(
        app.put_assessment(2024, "g", csv).await,
        422,
        "duplicate_id",
    )
    .await;
}

async fn an_assessment_for_a_missing_geography_is_refused() {
    let app = spawn_app().await;
    assert_error(
        app.put_assessment(2024, "nowhere", CSV).await,
        404,
        "unknown_geography",
    )
    .await;
}

async fn an_unknown_year_is_a_404() {
    let app = spawn_app().await;
    assert_error(
        app.get("/api/v1/assessments/1999").await,
        404,
        "unknown_year",
    )
    .await;
}

crate::api_tests!(
    an_assessment_is_stored_and_read_back_as_json,
    a_csv_download_uploads_again_unchanged,
    replacing_a_year_keeps_the_previous_version,
    geo_id_with_a_census_prefix_is_accepted,
    stripped_leading_zeros_are_reported_with_their_rows_and_nothing_is_stored,
    an_unknown_geoid_is_refused_with_its_row,
    a_non_numeric_value_is_refused_with_row_and_field,
    a_malformed_csv_names_the_row,
    duplicate_geoids_are_refused,
    an_assessment_for_a_missing_geography_is_refused,
    an_unknown_year_is_a_404,
);
