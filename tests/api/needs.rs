//! Each program's own standards: the needs live in the store, seeded from data/needs.toml
//! (or `--needs FILE`), changed and added by an admin with `PUT /api/v1/needs/{code}`,
//! checked field by field, audited, and named by version in every analysis.
//!
//! The fixture, worked by hand: three squares side by side (demand points 0.83 km apart),
//! 300, 100 and 80 children under 5, and one child-care centre of 30 slots at the first
//! square's centre (-87.685, 41.805). Child care reaches 3 km, so every area shares the 30 slots:
//! R = 30 / (300 + 100 + 80) = 0.0625 and access_2sfca = 0.0625 everywhere.
//! - target 1/3 (the bundled one): shortfall = P × (1/3 − 0.0625) = 81.25, 27.083…, 21.666…;
//!   shortfall_in_area = max(0, P/3 − slots in the area) = 70, 33.33…, 26.66….
//! - target 0.5: shortfall = P × 0.4375 = 131.25, 43.75, 35;
//!   shortfall_in_area = 300 × 0.5 − 30 = 120, 50, 40.

use crate::helpers::*;
use gapmap::store::Role;
use serde_json::{Value, json};

const SITES: &str = "id,name,lat,lon,services,capacity\n\
kids-1,Kids Center,41.805,-87.685,childcare,30\n";

async fn app_on(app: TestApp) -> TestApp {
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let demand = "GEOID,children_under_5,children_under_3\n01001000001,300,200\n01001000002,100,60\n01001000003,80,40\n";
    assert_eq!(app.put_assessment(2024, "g", demand).await.status(), 200);
    let r = app.post_partners("", "text/csv", SITES).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn app() -> TestApp {
    app_on(spawn_app().await).await
}

async fn put_need(app: &TestApp, code: &str, body: &Value) -> reqwest::Response {
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/needs/{code}"),
        "application/json",
        body.to_string(),
    )
    .await
}

async fn need(app: &TestApp, code: &str) -> Value {
    let list = app.get_json("/api/v1/needs").await;
    list["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no need {code} in {list}"))
}

fn shortfalls(gaps: &Value, field: &str) -> Vec<f64> {
    gaps["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[field].as_f64().unwrap())
        .collect()
}

fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{got:?} vs {want:?}");
    }
}

async fn audit_entries(app: &TestApp) -> Vec<gapmap::store::AuditEntry> {
    app.services.store.audit_log(100).await.unwrap()
}

async fn a_changed_target_changes_the_shortfall_and_every_answer_names_the_version() {
    let app = app().await;
    let before = need(&app, "childcare").await;
    assert_eq!(before["version"], 1);
    assert_eq!(before["updated_by"], "seed (data/needs.toml)");
    let gaps = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(gaps["need_version"], 1);
    close(
        &shortfalls(&gaps, "shortfall"),
        &[
            81.25,
            100.0 * (1.0 / 3.0 - 0.0625),
            80.0 * (1.0 / 3.0 - 0.0625),
        ],
    );
    close(
        &shortfalls(&gaps, "shortfall_in_area"),
        &[70.0, 100.0 / 3.0, 80.0 / 3.0],
    );
    let version = app.services.store.data_version().await.unwrap();

    let mut body = before.clone();
    body["target"] = json!(0.5);
    let r = put_need(&app, "childcare", &body).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], false);
    assert_eq!(report["created"], false);
    assert_eq!(report["need"]["version"], 2);
    assert_eq!(report["need"]["target"], 0.5);
    assert_eq!(report["need"]["updated_by"], "admin-token");
    assert_eq!(report["summary"]["data_version"], version + 1);
    assert_eq!(
        report["summary"]["changes"],
        json!([{"record": "need", "id": "childcare", "cleared": [], "fields": [
            {"field": "version", "before": 1, "after": 2},
            {"field": "target", "before": 1.0 / 3.0, "after": 0.5},
        ]}])
    );

    // GET /needs reflects the store; the analysis the new target.
    let after = need(&app, "childcare").await;
    assert_eq!(after["version"], 2);
    assert_eq!(after["target"], 0.5);
    let gaps = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(gaps["need_version"], 2);
    assert_eq!(gaps["data_version"], version + 1);
    assert_eq!(gaps["params"]["target"], 0.5);
    close(&shortfalls(&gaps, "shortfall"), &[131.25, 43.75, 35.0]);
    close(
        &shortfalls(&gaps, "shortfall_in_area"),
        &[120.0, 50.0, 40.0],
    );
    // Siting closes the new shortfall: 30 slots at the first point reach all 480 children,
    // covering min(shortfall, P·30/480) = 18.75 + 6.25 + 5 = 30.
    let siting = app
        .get_json("/api/v1/siting?year=2024&need=childcare&k=1&capacity=30")
        .await;
    assert_eq!(siting["need_version"], 2);
    assert!((siting["suggestions"][0]["gain"].as_f64().unwrap() - 30.0).abs() < 1e-9);
    for path in [
        "/api/v1/opportunities?year=2024&need=childcare",
        "/api/v1/compare?need=childcare&from=2024&to=2024",
    ] {
        assert_eq!(app.get_json(path).await["need_version"], 2, "{path}");
    }
    let barriers = app.get_json("/api/v1/barriers?year=2024").await;
    assert_eq!(barriers["barriers"][0]["need"], "childcare");
    assert_eq!(barriers["barriers"][0]["need_version"], 2);
    let outreach = app
        .get_json("/api/v1/outreach?year=2024&target=children_under_5&format=json")
        .await;
    assert_eq!(outreach["params"]["need_versions"]["childcare"], 2);
    // The report names the version in the need's definition and in its sources.
    let html = app.get("/reports/2024").await.text().await.unwrap();
    assert!(
        html.contains("Standard: version 2 of need &#39;childcare&#39;"),
        "the need's section names its version"
    );
    assert!(html.contains("Standards"), "the sources list the standards");

    // Audited with before and after.
    let entry = &audit_entries(&app).await[0];
    assert_eq!(entry.action, "put_need");
    assert_eq!(entry.target, "childcare");
    assert_eq!(entry.changed, 1);
    assert_eq!(entry.data_version, version + 1);
    assert_eq!(entry.changes[0]["fields"][1]["after"], 0.5);

    // The same need again changes nothing.
    let audits = audit_entries(&app).await.len();
    let r = put_need(&app, "childcare", &after).await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], true, "{report}");
    assert_eq!(report["need"]["version"], 2);
    assert_eq!(
        app.services.store.data_version().await.unwrap(),
        version + 1
    );
    assert_eq!(audit_entries(&app).await.len(), audits);

    // A change made on a stale version is refused.
    let r = put_need(&app, "childcare", &before).await;
    let e = assert_error(r, 409, "conflict").await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version 2, not 1")
    );
    assert_eq!(need(&app, "childcare").await, after);
}

async fn a_refused_change_names_each_field_and_leaves_the_store_as_it_was() {
    let app = app().await;
    let list = app.get_json("/api/v1/needs").await;
    let version = app.services.store.data_version().await.unwrap();
    let audits = audit_entries(&app).await.len();
    let mut body = need(&app, "childcare").await;
    body["target"] = json!(0);
    body["radius_km"] = json!(-3);
    body["bands"] = json!([[1.0, 1.0], [0.5, 0.5]]);
    body["services"] = json!(["childcare", "nannies"]);
    body["demand_indicator"] = json!("infants");
    let e = assert_error(
        put_need(&app, "childcare", &body).await,
        422,
        "invalid_value",
    )
    .await;
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "services[1]",
            "radius_km",
            "bands[1]",
            "target",
            "demand_indicator"
        ]
    );
    // Inconsistent desert thresholds.
    let mut body = need(&app, "childcare").await;
    body["target"] = json!(0.25);
    let e = assert_error(
        put_need(&app, "childcare", &body).await,
        422,
        "invalid_value",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["field"], "desert_rule.max_ratio");
    let mut body = need(&app, "food").await;
    body["desert_rule"]["threshold"] = json!(0.001);
    let e = assert_error(put_need(&app, "food", &body).await, 422, "invalid_value").await;
    assert_eq!(e["error"]["details"][0]["field"], "desert_rule.threshold");
    // Not a need's field; not JSON; another code in the body.
    let mut body = need(&app, "childcare").await;
    body["colour"] = json!("#ffffff");
    let e = assert_error(
        put_need(&app, "childcare", &body).await,
        400,
        "unknown_field",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["field"], "colour");
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/needs/childcare",
            "application/json",
            "target=1",
        )
        .await;
    assert_error(r, 400, "malformed_body").await;
    let body = need(&app, "food").await;
    let e = assert_error(
        put_need(&app, "childcare", &body).await,
        422,
        "invalid_value",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["field"], "code");
    // A code that is not one.
    let e = assert_error(
        put_need(&app, "Child-Care", &need(&app, "food").await).await,
        422,
        "invalid_value",
    )
    .await;
    assert!(
        e["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"] == "code")
    );

    assert_eq!(app.get_json("/api/v1/needs").await, list);
    assert_eq!(app.services.store.data_version().await.unwrap(), version);
    assert_eq!(audit_entries(&app).await.len(), audits);
}

async fn writes_need_the_admin_token() {
    let app = app().await;
    let body = need(&app, "childcare").await;
    let store = &app.services.store;
    let (_, editor) = store
        .create_token(Role::Editor, "north office")
        .await
        .unwrap();
    let (_, viewer) = store.create_token(Role::Viewer, "reader").await.unwrap();
    let url = app.url("/api/v1/needs/childcare");
    let r = app
        .client
        .put(&url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "missing_token").await;
    for (token, status, code) in [
        (editor.as_str(), 403, "forbidden"),
        (viewer.as_str(), 403, "forbidden"),
        ("not-a-token", 401, "invalid_token"),
    ] {
        let r = app
            .client
            .put(&url)
            .bearer_auth(token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_error(r, status, code).await;
    }
    assert_eq!(need(&app, "childcare").await, body);
}

/// Infant-toddler care: children under 3, the same centres, one slot per two children.
/// By hand: R = 30 / (200 + 60 + 40) = 0.1; shortfall = P × (0.5 − 0.1) = 80, 24, 16.
async fn a_program_adds_a_need_of_its_own() {
    let app = app().await;
    let body = json!({
        "label": "Infant-toddler care",
        "demand_indicator": "children_under_3",
        "services": ["childcare"],
        "supply": "capacity",
        "supply_unit": "infant-toddler slots",
        "default_capacity": 0,
        "radius_km": 3,
        "bands": [[1, 1], [2, 0.68], [3, 0.22]],
        "target": 0.5,
        "desert_rule": {"kind": "cap_childcare", "min_demand": 10, "max_ratio": 2},
        "filters": {},
        "version": 0,
    });
    // An indicator no year has and the catalogue does not know is refused.
    let mut wic = body.clone();
    wic["demand_indicator"] = json!("wic_eligible");
    let e = assert_error(
        put_need(&app, "infant_toddler_care", &wic).await,
        422,
        "invalid_value",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["field"], "demand_indicator");

    let r = put_need(&app, "infant_toddler_care", &body).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["created"], true);
    assert_eq!(report["need"]["version"], 1);
    assert_eq!(report["summary"]["added"], 1);
    let list = app.get_json("/api/v1/needs").await;
    let codes: Vec<&str> = list["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes.last(),
        Some(&"infant_toddler_care"),
        "a new need comes last"
    );
    assert_eq!(codes.len(), 7);
    let gaps = app
        .get_json("/api/v1/gaps?year=2024&need=infant_toddler_care")
        .await;
    assert_eq!(gaps["need_version"], 1);
    close(&shortfalls(&gaps, "shortfall"), &[80.0, 24.0, 16.0]);
    // Adding it again "as new" is a conflict now.
    let e = assert_error(
        put_need(&app, "infant_toddler_care", &body).await,
        409,
        "conflict",
    )
    .await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version 1, not 0")
    );
}

async fn a_needs_file_seeds_a_fresh_store_and_a_seeded_store_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("program-needs.toml");
    let bundled = gapmap::domain::BUNDLED_NEEDS_TOML;
    let needs = &bundled[bundled.find("\n[[needs]]\n").unwrap() + 1..];
    // The program's child care: one slot per two children, and only child care and food.
    let childcare_end = needs[1..].find("\n[[needs]]\n").unwrap() + 2;
    let food_at = needs.find("code = \"food\"").unwrap();
    let food = &needs[needs[..food_at].rfind("[[needs]]").unwrap()..];
    let food = &food[..food.find("\n[[needs]]\n").map_or(food.len(), |i| i + 1)];
    let text = format!(
        "{}\n{food}",
        needs[..childcare_end].replace("target = 0.3333333333333333", "target = 0.5")
    );
    std::fs::write(&file, &text).unwrap();
    let path = file.clone();
    let app = app_on(spawn_with(move |s| s.needs = Some(path)).await).await;
    let list = app.get_json("/api/v1/needs").await;
    let codes: Vec<&str> = list["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["childcare", "food"]);
    assert_eq!(list["needs"][0]["target"], 0.5);
    assert_eq!(list["needs"][0]["version"], 1);
    assert_eq!(
        list["needs"][0]["updated_by"],
        format!("seed ({})", file.display())
    );
    let gaps = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    close(&shortfalls(&gaps, "shortfall"), &[131.25, 43.75, 35.0]);

    // Started again on the same store, with the bundled file: the store keeps its needs.
    let db = app.db.clone();
    drop(app);
    let again = spawn_on(db.clone(), |_| {}).await;
    assert_eq!(
        again.get_json("/api/v1/needs").await["needs"],
        list["needs"]
    );

    // A file that breaks a rule stops the start, naming the need and the field.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text.replace("target = 0.5", "target = 0")).unwrap();
    let mut settings = gapmap::config::Settings {
        store: gapmap::store::StoreOptions::at(db.url.parse().unwrap()),
        serve: test_serve_settings(),
        limits: Default::default(),
    };
    settings.serve.admin_token = Some(gapmap::domain::Secret::new(TOKEN));
    settings.serve.needs = Some(bad.clone());
    let err = gapmap::Application::build(settings.clone())
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("need 'childcare': target"), "{err}");
    // Services are gapmap's own: a file with [services] is refused.
    std::fs::write(&bad, bundled).unwrap();
    let err = gapmap::Application::build(settings)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("leave [services] out"), "{err}");
}

/// A change made through one replica is measured by another (it polls the data version).
async fn another_replica_measures_with_the_new_version() {
    let a = app().await;
    let b = spawn_on(a.db.clone(), |_| {}).await;
    let mut body = need(&a, "childcare").await;
    body["target"] = json!(0.5);
    assert_eq!(put_need(&a, "childcare", &body).await.status(), 200);
    let started = std::time::Instant::now();
    loop {
        let gaps = b.get_json("/api/v1/gaps?year=2024&need=childcare").await;
        if gaps["need_version"] == 2 {
            close(&shortfalls(&gaps, "shortfall"), &[131.25, 43.75, 35.0]);
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "replica b still measures version {}",
            gaps["need_version"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(need(&b, "childcare").await["version"], 2);
}

crate::api_tests!(
    another_replica_measures_with_the_new_version,
    a_changed_target_changes_the_shortfall_and_every_answer_names_the_version,
    a_refused_change_names_each_field_and_leaves_the_store_as_it_was,
    writes_need_the_admin_token,
    a_program_adds_a_need_of_its_own,
    a_needs_file_seeds_a_fresh_store_and_a_seeded_store_keeps_its_own,
);

/// The command line lists the needs and changes one as the API does.
#[test]
fn the_command_line_lists_and_changes_a_need() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db").display().to_string();
    let list: Value = serde_json::from_str(&gapmap_ok(&db, &["needs", "list"])).unwrap();
    let mut childcare = list["needs"][0].clone();
    assert_eq!(childcare["code"], "childcare");
    childcare["radius_km"] = json!(2.5);
    childcare["bands"] = json!([[1.0, 1.0], [2.0, 0.68], [2.5, 0.22]]);
    let file = dir.path().join("childcare.json");
    std::fs::write(&file, childcare.to_string()).unwrap();
    let out = gapmap_ok(
        &db,
        &["needs", "put", "childcare", &format!("@{}", file.display())],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["need"]["version"], 2, "seeded at 1, changed to 2");
    let list: Value = serde_json::from_str(&gapmap_ok(&db, &["needs", "list"])).unwrap();
    assert_eq!(list["needs"][0]["radius_km"], 2.5);
    assert_eq!(
        list["needs"].as_array().unwrap().len(),
        6,
        "the other needs were seeded too"
    );
    let out = gapmap(&db, &["needs", "put", "childcare", "{\"target\": -1}"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("label"));
}
