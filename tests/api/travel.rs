//! Travel-time matrices: `PUT /api/v1/travel-times/{mode}`, `GET /api/v1/travel-times`,
//! `gapmap import travel-times`, and `/gaps?mode=&max_minutes=` measuring minutes.

use crate::helpers::*;
use approx::assert_relative_eq;
use serde_json::Value;

crate::api_tests!(
    an_r5py_matrix_is_stored_with_its_provenance_and_gaps_measure_minutes_on_it,
    a_tract_to_tract_matrix_gives_each_site_its_areas_time,
    an_osrm_table_is_read_with_the_requests_ids,
    bad_matrices_are_refused_with_their_rows_and_the_store_is_unchanged,
    minutes_without_a_matrix_say_how_to_upload_one,
    the_command_line_imports_a_matrix,
);

/// Three squares on the equator, A, B, C (GEOIDs 0A, 0B, 0C).
fn areas() -> String {
    let square = |id: &str, x0: f64| {
        let x1 = x0 + 0.02;
        format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"{id}","NAME":"Area {id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},-0.01],[{x1},-0.01],[{x1},0.01],[{x0},0.01],[{x0},-0.01]]]}}}}"#
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
        square("0A", 0.0),
        square("0B", 0.02),
        square("0C", 0.04)
    )
}

/// Children: A 60, B 150, C 90.
const DEMAND: &str = "GEOID,children_under_5\n0A,60\n0B,150\n0C,90\n";

/// s1 in A (30 slots), s2 in B (20), s3 in C (10), s4 in C (40).
const SITES: &str = "id,name,lat,lon,services,capacity,languages,hours\n\
s1,One,0,0.010,childcare,30,,\n\
s2,Two,0,0.030,childcare,20,,\n\
s3,Three,0,0.050,childcare,10,,\n\
s4,Four,0,0.055,childcare,40,,\n";

/// Transit minutes (r5py): asymmetric, with pairs left out (unreachable).
///
/// |    | s1 | s2 | s3 | s4 |
/// |----|----|----|----|----|
/// | A  |  5 | 20 |  – | 45 |
/// | B  | 25 | 10 | 30 |  – |
/// | C  |  – | 35 | 15 |  – |
const TRANSIT: &str = "from_id,to_id,travel_time\n\
0A,s1,5\n0A,s2,20\n0A,s4,45\n\
0B,s1,25\n0B,s2,10\n0B,s3,30\n\
0C,s2,35\n0C,s3,15\n0C,s4,\n";

async fn app() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("eq", &areas()).await.status(), 200);
    assert_eq!(app.put_assessment(2024, "eq", DEMAND).await.status(), 200);
    let r = app
        .post_partners("?filename=sites.csv", "text/csv", SITES.to_owned())
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn put_matrix(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/travel-times/{path}"),
        content_type,
        body.to_owned(),
    )
    .await
}

fn row<'a>(body: &'a Value, geoid: &str) -> &'a Value {
    body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["geoid"] == geoid)
        .unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

async fn an_r5py_matrix_is_stored_with_its_provenance_and_gaps_measure_minutes_on_it() {
    let app = app().await;
    let r = put_matrix(
        &app,
        "transit?geography=eq&date=2026-11-02&departure=2026-11-04T08:00&filename=r5py.csv",
        "text/csv",
        TRANSIT,
    )
    .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["kind"], "travel_times");
    assert_eq!(report["rows"], 8, "{report}");
    let list = app.get_json("/api/v1/travel-times").await;
    let m = &list["matrices"][0];
    assert_eq!(m["mode"], "transit");
    assert_eq!(m["geography"], "eq");
    assert_eq!(m["pairs"], 8);
    assert_eq!(m["destinations"], "sites");
    assert_eq!(m["source"]["tool"], "r5py/r5r");
    assert_eq!(m["source"]["departure"], "2026-11-04T08:00");
    assert_eq!(m["source"]["file"], "r5py.csv");
    // The report's sources name the matrix with its provenance.
    let r = app.get("/reports/2024").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let at = html.find("Travel times").expect("a Travel times source");
    let part = &html[at..];
    for needle in [
        "transit",
        "r5py/r5r",
        "2026-11-02",
        "2026-11-04T08:00",
        "r5py.csv",
    ] {
        assert!(part.contains(needle), "{needle} missing from the sources");
    }

    // Within 30 minutes: s1 ← A, B (210); s2 ← A, B (210); s3 ← B, C (240); s4 ← none.
    let body = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&mode=transit&max_minutes=30")
        .await;
    let (r1, r2, r3) = (30.0 / 210.0, 20.0 / 210.0, 10.0 / 240.0);
    assert_relative_eq!(
        num(&row(&body, "0A")["access_2sfca"]),
        r1 + r2,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        num(&row(&body, "0B")["access_2sfca"]),
        r1 + r2 + r3,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        num(&row(&body, "0C")["access_2sfca"]),
        r3,
        max_relative = 1e-12
    );
    assert_eq!(row(&body, "0A")["nearest_minutes"], 5.0);
    assert_eq!(row(&body, "0C")["nearest_minutes"], 15.0);
    assert_eq!(row(&body, "0B")["sites_within"], 3);
    assert_eq!(row(&body, "0C")["capacity_within"], 10.0);
    assert!(row(&body, "0A")["nearest_km"].is_number());
    assert_eq!(body["params"]["travel"]["mode"], "transit");
    assert_eq!(body["params"]["travel"]["max_minutes"], 30.0);
    assert_eq!(body["params"]["travel"]["decay"]["kind"], "step");
    // s4 has no demand within 30 minutes: its supply reaches nobody.
    assert_eq!(body["summary"]["supply_reached_2sfca"], 60.0);
    assert_relative_eq!(
        num(&body["summary"]["demand_weighted_access_2sfca"]),
        60.0,
        max_relative = 1e-12
    );

    // Gaussian decay, σ = 10: E2SFCA weighs every pair within M by exp(−t²/200).
    let w = |t: f64| (-t * t / 200.0).exp();
    let body = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&mode=transit&max_minutes=30&decay=gaussian&sigma_minutes=10")
        .await;
    let d1 = 60.0 * w(5.0) + 150.0 * w(25.0);
    let d2 = 60.0 * w(20.0) + 150.0 * w(10.0);
    let d3 = 150.0 * w(30.0) + 90.0 * w(15.0);
    let c = w(15.0) * 10.0 / d3;
    assert_relative_eq!(
        num(&row(&body, "0C")["access_e2sfca"]),
        c,
        max_relative = 1e-12
    );
    let a = w(5.0) * 30.0 / d1 + w(20.0) * 20.0 / d2;
    assert_relative_eq!(
        num(&row(&body, "0A")["access_e2sfca"]),
        a,
        max_relative = 1e-12
    );

    // The CSV carries nearest_minutes last; without mode the answer is in km as before.
    let csv = app
        .get("/api/v1/gaps?year=2024&need=childcare&mode=transit&max_minutes=30&format=csv")
        .await
        .text()
        .await
        .unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",nearest_minutes"), "{header}");
    let body = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert!(row(&body, "0A").get("nearest_minutes").is_none());
    assert!(body["params"].get("travel").is_none());
}

async fn a_tract_to_tract_matrix_gives_each_site_its_areas_time() {
    let app = app().await;
    let opentimes =
        "origin_id,destination_id,duration_sec\n0A,0A,300\n0A,0C,1500\n0B,0B,120\n0C,0C,600\n";
    let r = put_matrix(&app, "drive?geography=eq", "text/csv", opentimes).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let body = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&mode=drive&max_minutes=20")
        .await;
    // A reaches s1 (5 min) and, at 25 min, s3 and s4 beyond M; C reaches s3 and s4 at 10.
    assert_eq!(row(&body, "0A")["sites_within"], 1);
    assert_eq!(row(&body, "0A")["nearest_minutes"], 5.0);
    assert_eq!(row(&body, "0C")["sites_within"], 2);
    assert_eq!(row(&body, "0C")["capacity_within"], 50.0);
    assert_relative_eq!(
        num(&row(&body, "0C")["access_2sfca"]),
        50.0 / 90.0,
        max_relative = 1e-12
    );
    assert_eq!(row(&body, "0B")["nearest_minutes"], 2.0);
}

async fn an_osrm_table_is_read_with_the_requests_ids() {
    let app = app().await;
    let osrm = r#"{"code":"Ok","durations":[[300,null],[60,900]],"source_ids":["0A","0B"],"destination_ids":["s1","s2"]}"#;
    let r = put_matrix(&app, "drive?geography=eq", "application/json", osrm).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let list = app.get_json("/api/v1/travel-times").await;
    assert_eq!(list["matrices"][0]["source"]["tool"], "OSRM");
    assert_eq!(list["matrices"][0]["pairs"], 3);
    let body = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&mode=drive&max_minutes=30")
        .await;
    assert_eq!(row(&body, "0B")["nearest_minutes"], 1.0);
    assert_eq!(row(&body, "0C")["nearest_minutes"], Value::Null);
    assert_eq!(row(&body, "0C")["access_2sfca"], 0.0);
}

async fn bad_matrices_are_refused_with_their_rows_and_the_store_is_unchanged() {
    let app = app().await;
    let before = app.store_state().await;
    let bad = "from_id,to_id,travel_time\n0A,s1,5\n0Z,s1,5\n0A,nope,3\n0B,s1,-2\n0B,s2,soon\n";
    let r = put_matrix(&app, "walk?geography=eq&filename=bad.csv", "text/csv", bad).await;
    let e = assert_error(r, 422, "unknown_geoid").await;
    let d = e["error"]["details"].as_array().unwrap();
    assert_eq!(d.len(), 4, "{e}");
    assert_eq!(d[0]["file"], "bad.csv");
    assert_eq!(
        (d[0]["row"].as_u64(), d[0]["field"].as_str()),
        (Some(3), Some("from_id"))
    );
    assert_eq!(
        (d[1]["row"].as_u64(), d[1]["field"].as_str()),
        (Some(4), Some("to_id"))
    );
    assert_eq!(
        (d[2]["row"].as_u64(), d[2]["field"].as_str()),
        (Some(5), Some("travel_time"))
    );
    assert_eq!(d[3]["row"], 6);
    let twice = "from_id,to_id,travel_time\n0A,s1,5\n0B,s1,6\n0A,s1,7\n";
    let r = put_matrix(&app, "walk?geography=eq", "text/csv", twice).await;
    let e = assert_error(r, 422, "duplicate_id").await;
    assert_eq!(e["error"]["details"][0]["row"], 4);
    assert_eq!(app.store_state().await, before);
    assert_eq!(
        app.get_json("/api/v1/travel-times").await["matrices"],
        serde_json::json!([])
    );

    let r = put_matrix(&app, "car?geography=eq", "text/csv", TRANSIT).await;
    assert_error(r, 400, "invalid_parameter").await;
    let r = put_matrix(&app, "walk?geography=nowhere", "text/csv", TRANSIT).await;
    assert_error(r, 404, "unknown_geography").await;
    let r = app
        .client
        .put(app.url("/api/v1/travel-times/walk?geography=eq"))
        .header("Content-Type", "text/csv")
        .body(TRANSIT)
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "missing_token").await;
}

async fn minutes_without_a_matrix_say_how_to_upload_one() {
    let app = app().await;
    let r = app
        .get("/api/v1/gaps?year=2024&need=childcare&mode=bike&max_minutes=20")
        .await;
    let e = assert_error(r, 400, "invalid_parameter").await;
    let m = e["error"]["message"].as_str().unwrap();
    assert!(
        m.contains("PUT /api/v1/travel-times/bike?geography=eq"),
        "{m}"
    );
    let r = app
        .get("/api/v1/gaps?year=2024&need=childcare&max_minutes=20")
        .await;
    assert_error(r, 400, "invalid_parameter").await;
    put_matrix(&app, "transit?geography=eq", "text/csv", TRANSIT).await;
    for bad in [
        "max_minutes=0",
        "max_minutes=500",
        "max_minutes=30&decay=cubic",
        "max_minutes=30&decay=gaussian&sigma_minutes=-1",
    ] {
        let r = app
            .get(&format!(
                "/api/v1/gaps?year=2024&need=childcare&mode=transit&{bad}"
            ))
            .await;
        assert_error(r, 400, "invalid_parameter").await;
    }
}

async fn the_command_line_imports_a_matrix() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let geo = dir.path().join("eq.geojson");
    std::fs::write(&geo, areas()).unwrap();
    let sites = dir.path().join("sites.csv");
    std::fs::write(&sites, SITES).unwrap();
    let matrix = dir.path().join("transit.csv");
    std::fs::write(&matrix, TRANSIT).unwrap();
    gapmap_ok(
        &db.url,
        &[
            "import",
            "areas",
            geo.to_str().unwrap(),
            "--geography",
            "eq",
        ],
    );
    gapmap_ok(&db.url, &["import", "partners", sites.to_str().unwrap()]);
    let out = gapmap_ok(
        &db.url,
        &[
            "import",
            "travel-times",
            matrix.to_str().unwrap(),
            "--mode",
            "transit",
            "--geography",
            "eq",
            "--departure",
            "08:00",
        ],
    );
    assert!(out.contains("8 pairs"), "{out}");
}
