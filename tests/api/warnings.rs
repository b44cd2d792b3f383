//! Plausibility warnings: an upload is stored with `warnings: [{file, row, field,
//! message}]`, and `GET /api/v1/assessments/{year}` repeats them.

use crate::api_tests;
use crate::helpers::*;
use serde_json::Value;

async fn app_with_areas() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    app
}

async fn a_subset_above_its_superset_is_stored_with_a_warning_naming_row_and_field() {
    let app = app_with_areas().await;
    let csv = "GEOID,children_under_5,children_under_5_poverty,lep_households,households\n\
01001000001,100,40,5,50\n01001000002,30,45,2,60\n01001000003,10,5,70,60\n";
    let r = app.put_assessment(2024, "g", csv).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    let w = report["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0]["file"], "ind.csv");
    assert_eq!(w[0]["row"], 3);
    assert_eq!(w[0]["field"], "children_under_5_poverty");
    assert_eq!(
        w[0]["message"],
        "children_under_5_poverty is 45 in 01001000002, more than its children_under_5 (30), of which it is a part"
    );
    assert_eq!(
        (w[1]["row"].clone(), w[1]["field"].clone()),
        (4.into(), "lep_households".into())
    );

    // Stored with the year, and repeated by GET.
    let a = app.get_json("/api/v1/assessments/2024").await;
    assert_eq!(a["warnings"], report["warnings"]);
    // A warning is not a refusal: the values are there.
    assert_eq!(a["areas"][1]["values"]["children_under_5_poverty"], 45.0);
}

async fn a_jump_since_the_previous_year_is_a_warning() {
    let app = app_with_areas().await;
    let before = "GEOID,children_under_5\n01001000001,100\n01001000002,100\n01001000003,10\n";
    assert_eq!(app.put_assessment(2023, "g", before).await.status(), 200);
    let now = "GEOID,children_under_5\n01001000001,310\n01001000002,250\n01001000003,40\n";
    let report: Value = app
        .put_assessment(2024, "g", now)
        .await
        .json()
        .await
        .unwrap();
    let w = report["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["row"], 2);
    assert!(
        w[0]["message"]
            .as_str()
            .unwrap()
            .contains("3.1 times the 100 of 2023"),
        "{w:?}"
    );
    // The earlier year itself was stored without warnings.
    let a = app.get_json("/api/v1/assessments/2023").await;
    assert_eq!(a["warnings"], serde_json::json!([]));
}

api_tests!(
    a_subset_above_its_superset_is_stored_with_a_warning_naming_row_and_field,
    a_jump_since_the_previous_year_is_a_warning,
);
