//! `/api/v1/outreach` and `gapmap outreach`: the ranking, its tie-breakers, missing values,
//! the nearest partner sites and the three formats, on the three squares of
//! `three_areas()` (demand points at lon −87.685, −87.675, −87.665, lat 41.805).

use crate::helpers::*;
use approx::assert_relative_eq;
use serde_json::{Value, json};

/// One degree of a meridian in km (haversine, R = 6371.0088): a site due north of a
/// demand point is R·Δφ away.
const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

/// Targets 100, 80, 30 and enrolled 40, 20, 50: unserved 60, 60, 0 (area 3 is
/// over-enrolled). Children under 5: 40, 120, 10, so only area 2 (120 children, no slot
/// inside it) is a child-care desert, which breaks the tie in its favour. The target
/// indicator is also early education's demand, and no site offers early education, so
/// every area (each with at least 20 children in poverty) is an early-education desert.
const CSV: &str = "GEOID,children_under_5_poverty,head_start_enrolled,children_under_5\n\
01001000001,100,40,40\n01001000002,80,20,120\n01001000003,30,50,10\n";

/// - cc1, child care (30 slots), 0.001° north of area 1's demand point;
/// - lib1, library (language, adult education), 0.002° north of area 2's;
/// - bus1, a transit stop at area 3's demand point (not an outreach partner);
/// - food1, a supermarket 0.003° north of area 3's.
const SITES: &str = "id,name,partner,lat,lon,services,capacity\n\
cc1,Little Stars,Stars Inc,41.806,-87.685,childcare,30\n\
lib1,Branch Library,City Library,41.807,-87.675,language;adult_education,\n\
bus1,Bus stop,Transit,41.805,-87.665,transit,\n\
food1,Corner Market,Corner Market,41.808,-87.665,food,\n";

async fn app_with(csv: &str) -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let r = app.put_assessment(2024, "g", csv).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post_partners("?filename=sites.csv", "text/csv", SITES.to_owned())
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

fn geoids(body: &Value) -> Vec<&str> {
    body["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| a["geoid"].as_str().expect("geoid"))
        .collect()
}

async fn areas_are_ranked_by_unserved_then_deserts_then_geoid() {
    let app = app_with(CSV).await;
    let body = app
        .get_json("/api/v1/outreach?year=2024&target=children_under_5_poverty&enrolled=head_start_enrolled&limit=3")
        .await;
    // 60 (desert for child care), 60, 0.
    assert_eq!(geoids(&body), ["01001000002", "01001000001", "01001000003"]);
    let a = &body["areas"];
    assert_eq!(a[0]["rank"], 1);
    assert_eq!(
        (&a[0]["target"], &a[0]["enrolled"], &a[0]["unserved"]),
        (&json!(80.0), &json!(20.0), &json!(60.0))
    );
    assert_eq!(
        a[0]["deserts"],
        json!({"childcare": true, "early_education": true})
    );
    assert_eq!(a[0]["desert_count"], 2);
    assert_eq!(a[1]["unserved"], 60.0);
    assert_eq!(a[1]["desert_count"], 1);
    // Enrolled 50 > target 30: nobody is counted unserved.
    assert_eq!(a[2]["unserved"], 0.0);
    assert_eq!(a[2]["over_enrolled"], true);
    // The needs whose demand indicator the year has.
    assert_eq!(
        body["params"]["desert_needs"],
        json!(["childcare", "early_education"])
    );
    let s = &body["summary"];
    assert_eq!(s["areas"], 3);
    assert_eq!(s["returned"], 3);
    assert_eq!(s["target_total"], 210.0);
    assert_eq!(s["enrolled_total"], 110.0);
    assert_eq!(s["unserved_total"], 120.0);
    assert_eq!(s["areas_over_enrolled"], 1);
}

async fn exactly_limit_rows_come_back_or_all_when_fewer() {
    let app = app_with(CSV).await;
    let q =
        "/api/v1/outreach?year=2024&target=children_under_5_poverty&enrolled=head_start_enrolled";
    let two = app.get_json(&format!("{q}&limit=2")).await;
    assert_eq!(geoids(&two), ["01001000002", "01001000001"]);
    assert_eq!(two["summary"]["unserved_returned"], 120.0);
    let all = app.get_json(&format!("{q}&limit=10")).await;
    assert_eq!(all["areas"].as_array().unwrap().len(), 3);
    let unlimited = app.get_json(q).await;
    assert_eq!(unlimited["areas"].as_array().unwrap().len(), 3);
    assert_error(
        app.get(&format!("{q}&limit=0")).await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn nearest_partner_sites_leave_out_transit_stops_unless_a_need_asks() {
    let app = app_with(CSV).await;
    let body = app
        .get_json("/api/v1/outreach?year=2024&target=children_under_5_poverty&enrolled=head_start_enrolled&limit=1")
        .await;
    let near = body["areas"][0]["nearest_sites"].as_array().unwrap();
    // From area 2: the library 0.002° north; then the child-care centre and the market,
    // each about 0.01° of longitude away. The bus stop is nearer than the market but is
    // not a partner to visit.
    let ids: Vec<&str> = near.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["lib1", "cc1", "food1"]);
    assert_eq!(near[0]["name"], "Branch Library");
    assert_eq!(near[0]["partner"], "City Library");
    assert_eq!(near[0]["services"], json!(["language", "adult_education"]));
    assert_relative_eq!(
        near[0]["distance_km"].as_f64().unwrap(),
        0.002 * KM_PER_DEGREE,
        max_relative = 1e-6
    );
    assert!(near[1]["distance_km"].as_f64().unwrap() < near[2]["distance_km"].as_f64().unwrap());

    // With need=childcare: that need's flag only, and only child-care sites.
    let body = app
        .get_json("/api/v1/outreach?year=2024&target=children_under_5_poverty&enrolled=head_start_enrolled&need=childcare")
        .await;
    let first = &body["areas"][0];
    assert_eq!(first["deserts"], json!({"childcare": true}));
    let near = first["nearest_sites"].as_array().unwrap();
    assert_eq!(near.len(), 1);
    assert_eq!(near[0]["id"], "cc1");
    assert_eq!(body["params"]["site_services"], json!(["childcare"]));
}

async fn missing_cells_and_a_missing_enrolled_indicator_count_as_zero() {
    // Area 1 has no target (so nothing is known to be unserved), area 2 no enrolment.
    let csv = "GEOID,children_under_5_poverty,head_start_enrolled\n\
01001000001,,10\n01001000002,80,\n01001000003,30,5\n";
    let app = app_with(csv).await;
    let body = app
        .get_json("/api/v1/outreach?year=2024&target=children_under_5_poverty&enrolled=head_start_enrolled")
        .await;
    assert_eq!(geoids(&body), ["01001000002", "01001000003", "01001000001"]);
    let a = &body["areas"];
    assert_eq!(
        (&a[0]["enrolled"], &a[0]["unserved"]),
        (&Value::Null, &json!(80.0))
    );
    assert_eq!((&a[1]["unserved"]), &json!(25.0));
    assert_eq!(
        (&a[2]["target"], &a[2]["unserved"]),
        (&Value::Null, &json!(0.0))
    );
    assert_eq!(body["summary"]["areas_missing_target"], 1);
    assert_eq!(body["summary"]["areas_missing_enrolled"], 1);
    // No child-care demand in this year: only early education can flag deserts.
    assert_eq!(body["params"]["desert_needs"], json!(["early_education"]));

    // Without enrolled=: unserved = target, and the notes say so.
    let body = app
        .get_json("/api/v1/outreach?year=2024&target=children_under_5_poverty")
        .await;
    assert_eq!(geoids(&body), ["01001000002", "01001000003", "01001000001"]);
    assert_eq!(body["areas"][0]["unserved"], 80.0);
    assert_eq!(body["summary"]["areas_missing_enrolled"], 0);
    assert!(
        body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("every area counts 0 enrolled")),
        "{}",
        body["notes"]
    );
}

async fn csv_and_geojson_carry_the_same_ranking() {
    let app = app_with(CSV).await;
    let q = "/api/v1/outreach?year=2024&target=children_under_5_poverty&enrolled=head_start_enrolled&limit=2";
    let r = app.get(&format!("{q}&format=csv")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("outreach_2024.csv")
    );
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "rank,geoid,name,target,target_moe,enrolled,unserved,over_enrolled,desert_count,desert_childcare,\
desert_early_education,\
site1_id,site1_name,site1_partner,site1_services,site1_km,\
site2_id,site2_name,site2_partner,site2_services,site2_km,\
site3_id,site3_name,site3_partner,site3_services,site3_km"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        first[..13],
        [
            "1",
            "01001000002",
            "Area 2",
            "80",
            "",
            "20",
            "60",
            "false",
            "2",
            "true",
            "true",
            "lib1",
            "Branch Library",
        ]
    );
    assert_eq!(first[13..15], ["City Library", "language;adult_education"]);
    assert_eq!(lines.count(), 1);

    let r = app.get(&format!("{q}&format=geojson")).await;
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/geo+json"
    );
    let fc: Value = r.json().await.unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["id"], "01001000002");
    assert_eq!(features[0]["geometry"]["type"], "MultiPolygon");
    assert_eq!(features[0]["properties"]["unserved"], 60.0);
    assert_eq!(features[0]["properties"]["nearest_sites"][0]["id"], "lib1");
    assert_eq!(fc["summary"]["unserved_total"], 120.0);
}

async fn unknown_years_indicators_needs_and_formats_are_refused() {
    let app = app_with(CSV).await;
    let base = "/api/v1/outreach?target=children_under_5_poverty";
    assert_error(
        app.get(&format!("{base}&year=1999")).await,
        404,
        "unknown_year",
    )
    .await;
    let body = assert_error(
        app.get("/api/v1/outreach?year=2024&target=eligible_kids")
            .await,
        422,
        "unknown_indicator",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'eligible_kids'") && message.contains("head_start_enrolled"),
        "{message}"
    );
    assert_error(
        app.get(&format!("{base}&year=2024&enrolled=enrolled_kids"))
            .await,
        422,
        "unknown_indicator",
    )
    .await;
    assert_error(
        app.get(&format!("{base}&year=2024&need=astrology")).await,
        404,
        "unknown_need",
    )
    .await;
    // The year has no demand indicator for food.
    assert_error(
        app.get(&format!("{base}&year=2024&need=food")).await,
        422,
        "unknown_indicator",
    )
    .await;
    assert_error(
        app.get(&format!("{base}&year=2024&format=xlsx")).await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        app.get("/api/v1/outreach?year=2024").await,
        400,
        "invalid_parameter",
    )
    .await;
}

#[test]
fn gapmap_outreach_writes_the_ranking_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let areas = write("areas.geojson", &three_areas());
    let csv = write("ind.csv", CSV);
    let sites = write("sites.csv", SITES);
    let run = |args: &[&str]| gapmap_ok(&db, args);
    run(&["import", "areas", &areas, "--geography", "g"]);
    run(&[
        "import",
        "indicators",
        &csv,
        "--year",
        "2024",
        "--geography",
        "g",
    ]);
    run(&["import", "partners", &sites]);
    let out = run(&[
        "outreach",
        "--year",
        "2024",
        "--target",
        "children_under_5_poverty",
        "--enrolled",
        "head_start_enrolled",
        "--limit",
        "2",
    ]);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("rank,geoid,name,target,target_moe,enrolled,unserved,"));
    assert!(
        rows[1].starts_with("1,01001000002,Area 2,80,,20,60,false,2,true,true,lib1,"),
        "{out}"
    );
    assert!(
        rows[2].starts_with("2,01001000001,Area 1,100,,40,60,false,1,false,true,cc1,"),
        "{out}"
    );
}

crate::api_tests!(
    areas_are_ranked_by_unserved_then_deserts_then_geoid,
    exactly_limit_rows_come_back_or_all_when_fewer,
    nearest_partner_sites_leave_out_transit_stops_unless_a_need_asks,
    missing_cells_and_a_missing_enrolled_indicator_count_as_zero,
    csv_and_geojson_carry_the_same_ranking,
    unknown_years_indicators_needs_and_formats_are_refused,
);
