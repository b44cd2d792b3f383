//! `PATCH /api/v1/partners/{id}` and `PATCH /api/v1/sites/{id}`: an edit changes only the
//! fields it names, is checked field by field, is audited, and moves the data version only
//! when it changes something.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Two sites of Little Stars (one with 113 child-care slots) and one of Corner Care.
const SITES: &str = "id,name,partner,partner_id,kind,lat,lon,services,capacity,languages,hours,address,partnership_level,partnership_stage,agreement_start,agreement_end,notes,contact_name,contact_email,contact_phone,needs\n\
kids-1,Kids Center,Little Stars,little-stars,child care center,41.805,-87.695,childcare;parenting,childcare=113,en;es,Mo-Fr 06:30-18:00,1 Main St,cooperation,getting_together,2024-08-01,2025-07-31,weekly call,Ana Diaz,ana@littlestars.org,312-555-0100,childcare\n\
kids-2,Kids Annex,Little Stars,little-stars,child care center,41.806,-87.685,childcare,20,es,Mo-Fr 07:00-17:00,2 Main St,cooperation,getting_together,2024-08-01,2025-07-31,weekly call,Ana Diaz,ana@littlestars.org,312-555-0100,childcare\n\
corner-1,Corner Care,Corner Care,corner-care,,41.805,-87.675,childcare,87,,,,,,,,,,,,\n";

async fn app() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let demand = "GEOID,children_under_5\n01001000001,300\n01001000002,100\n01001000003,80\n";
    assert_eq!(app.put_assessment(2024, "g", demand).await.status(), 200);
    let r = app.post_partners("", "text/csv", SITES).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn patch(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.send(
        reqwest::Method::PATCH,
        path,
        "application/json",
        body.to_string(),
    )
    .await
}

/// The directory as the flat CSV holds it (every stored field): site id → column → cell.
async fn directory(app: &TestApp) -> BTreeMap<String, BTreeMap<String, String>> {
    let csv = app
        .get("/api/v1/partners?format=csv")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .map(|l| {
            let cells: BTreeMap<String, String> = header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_owned))
                .collect();
            (cells["id"].clone(), cells)
        })
        .collect()
}

/// The (site, column) cells that differ between two directories.
fn differences(
    a: &BTreeMap<String, BTreeMap<String, String>>,
    b: &BTreeMap<String, BTreeMap<String, String>>,
) -> Vec<(String, String, String, String)> {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same sites"
    );
    let mut out = Vec::new();
    for (id, row) in a {
        for (col, before) in row {
            let after = &b[id][col];
            if before != after {
                out.push((id.clone(), col.clone(), before.clone(), after.clone()));
            }
        }
    }
    out
}

async fn supply(app: &TestApp) -> f64 {
    app.get_json("/api/v1/gaps?year=2024&need=childcare").await["summary"]["supply_total"]
        .as_f64()
        .unwrap()
}

async fn a_partner_edit_of_one_field_leaves_every_other_field_as_it_was() {
    let app = app().await;
    assert_eq!(supply(&app).await, 220.0);
    // Each edit, and the cells of the flat CSV it must change (both sites of the partner).
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"partnership_stage": "taking_action"}),
            "partnership_stage",
            "taking_action",
        ),
        (
            json!({"partnership_level": "collaboration"}),
            "partnership_level",
            "collaboration",
        ),
        (
            json!({"agreement_start": "2024-09-01"}),
            "agreement_start",
            "2024-09-01",
        ),
        (
            json!({"agreement_end": "2026-07-31"}),
            "agreement_end",
            "2026-07-31",
        ),
        (json!({"notes": "monthly visit"}), "notes", "monthly visit"),
        (
            json!({"contact": {"email": "director@littlestars.org"}}),
            "contact_email",
            "director@littlestars.org",
        ),
        (
            json!({"contact": {"phone": "312-555-0199"}}),
            "contact_phone",
            "312-555-0199",
        ),
        (
            json!({"contact": {"name": "Bo Lee"}}),
            "contact_name",
            "Bo Lee",
        ),
        (
            json!({"needs": ["childcare", "transportation"]}),
            "needs",
            "childcare;transportation",
        ),
        (json!({"notes": null}), "notes", ""),
    ];
    for (body, column, value) in cases {
        let before = directory(&app).await;
        let version = app.services.store.data_version().await.unwrap();
        let r = patch(&app, "/api/v1/partners/little-stars", body.clone()).await;
        assert_eq!(r.status(), 200, "{body}");
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["unchanged"], false, "{body}: {report}");
        assert_eq!(report["summary"]["data_version"], version + 1);
        let after = directory(&app).await;
        let diff = differences(&before, &after);
        let expected: Vec<(String, String, String, String)> = ["kids-1", "kids-2"]
            .iter()
            .map(|id| {
                (
                    id.to_string(),
                    column.to_owned(),
                    before[*id][column].clone(),
                    value.to_owned(),
                )
            })
            .collect();
        assert_eq!(diff, expected, "{body}");
        // The answer shows the partner as it is now, and what changed.
        assert_eq!(
            report["summary"]["changes"][0]["fields"][0]["field"], column,
            "{report}"
        );
    }
    assert_eq!(supply(&app).await, 220.0);
}

async fn a_site_edit_of_one_field_leaves_every_other_field_as_it_was() {
    let app = app().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"hours": "Mo-Sa 06:30-20:00"}),
            "hours",
            "Mo-Sa 06:30-20:00",
        ),
        (
            json!({"languages": ["en", "es", "pl"]}),
            "languages",
            "en;es;pl",
        ),
        (
            json!({"capacity": {"parenting": 12}}),
            "capacity",
            "childcare=113;parenting=12",
        ),
        (
            json!({"services": ["childcare", "parenting", "food"]}),
            "services",
            "childcare;parenting;food",
        ),
        (json!({"hours": null}), "hours", ""),
    ];
    for (body, column, value) in cases {
        let before = directory(&app).await;
        let r = patch(&app, "/api/v1/sites/kids-1", body.clone()).await;
        assert_eq!(r.status(), 200, "{body}");
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["site"]["id"], "kids-1", "{report}");
        let diff = differences(&before, &directory(&app).await);
        assert_eq!(
            diff,
            [(
                "kids-1".to_owned(),
                column.to_owned(),
                before["kids-1"][column].clone(),
                value.to_owned()
            )],
            "{body}"
        );
    }
    // The 113 slots still count; a capacity edit moves the supply by what it changed.
    assert_eq!(supply(&app).await, 220.0);
    let r = patch(
        &app,
        "/api/v1/sites/kids-1",
        json!({"capacity": {"childcare": 100}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(supply(&app).await, 207.0);
}

async fn an_edit_that_changes_nothing_writes_nothing_and_a_real_one_is_audited() {
    let app = app().await;
    let version = app.services.store.data_version().await.unwrap();
    let entries = app.services.store.audit_log(100).await.unwrap().len();
    let r = patch(
        &app,
        "/api/v1/partners/little-stars",
        json!({"partnership_stage": "getting_together"}),
    )
    .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], true, "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .starts_with("nothing changed")
    );
    assert_eq!(app.services.store.data_version().await.unwrap(), version);
    assert_eq!(
        app.services.store.audit_log(100).await.unwrap().len(),
        entries
    );

    let r = patch(
        &app,
        "/api/v1/partners/little-stars",
        json!({"partnership_stage": "building_trust"}),
    )
    .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["partner"]["partnership_stage"], "building_trust");
    assert_eq!(report["partner"]["kind"], "child care center");
    assert_eq!(
        app.services.store.data_version().await.unwrap(),
        version + 1
    );
    let audit = &app.services.store.audit_log(1).await.unwrap()[0];
    assert_eq!(
        (audit.action.as_str(), audit.target.as_str()),
        ("edit_partner", "little-stars")
    );
    assert_eq!(audit.actor, "admin-token");
    assert_eq!(
        audit.changes,
        json!([{"record": "partner", "id": "little-stars", "cleared": [],
                "fields": [{"field": "partnership_stage", "before": "getting_together", "after": "building_trust"}]}])
    );
}

async fn bad_edits_are_refused_naming_the_field_and_change_nothing() {
    let app = app().await;
    let before = (
        app.services.store.data_version().await.unwrap(),
        directory(&app).await,
    );
    let send = |path: &'static str, body: &'static str| {
        let app = &app;
        async move {
            app.send(reqwest::Method::PATCH, path, "application/json", body)
                .await
        }
    };
    let b = assert_error(
        send("/api/v1/partners/little-stars", "{not json").await,
        400,
        "malformed_body",
    )
    .await;
    assert!(b["error"]["message"].as_str().unwrap().contains("not JSON"));
    let b = assert_error(
        send(
            "/api/v1/partners/little-stars",
            r#"{"stage": "taking_action"}"#,
        )
        .await,
        400,
        "unknown_field",
    )
    .await;
    assert_eq!(b["error"]["details"][0]["field"], "stage");
    let b = assert_error(
        send(
            "/api/v1/partners/little-stars",
            r#"{"partnership_stage": "finished", "contact": {"email": "ana at home"}, "agreement_end": "2025-13-01"}"#,
        )
        .await,
        422,
        "invalid_value",
    )
    .await;
    let fields: Vec<&str> = b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["partnership_stage", "agreement_end", "contact.email"]
    );
    let b = assert_error(
        send("/api/v1/sites/kids-1", r#"{"capacity": {"childcare": -5}}"#).await,
        422,
        "invalid_value",
    )
    .await;
    assert_eq!(b["error"]["details"][0]["field"], "capacity.childcare");
    let b = assert_error(
        send("/api/v1/sites/kids-1", r#"{"capacity": {"food": 5}}"#).await,
        422,
        "invalid_value",
    )
    .await;
    assert_eq!(b["error"]["details"][0]["field"], "capacity");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not list among its services")
    );
    let b = assert_error(
        send("/api/v1/sites/kids-1", r#"{"services": []}"#).await,
        422,
        "invalid_value",
    )
    .await;
    assert_eq!(b["error"]["details"][0]["field"], "services");
    assert_error(
        send("/api/v1/sites/kids-1", r#"{"name": "New"}"#).await,
        400,
        "unknown_field",
    )
    .await;
    assert_error(
        send("/api/v1/partners/nobody", r#"{"notes": "x"}"#).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        send("/api/v1/sites/nowhere", r#"{"hours": null}"#).await,
        404,
        "not_found",
    )
    .await;

    // Writes need an editor: no token is 401, a viewer's is 403.
    let r = app
        .client
        .patch(app.url("/api/v1/partners/little-stars"))
        .body(r#"{"notes": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "missing_token").await;
    let (_, viewer) = app
        .services
        .store
        .create_token(gapmap::store::Role::Viewer, "reader")
        .await
        .unwrap();
    let r = app
        .client
        .patch(app.url("/api/v1/partners/little-stars"))
        .bearer_auth(viewer)
        .body(r#"{"notes": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "forbidden").await;

    let after = (
        app.services.store.data_version().await.unwrap(),
        directory(&app).await,
    );
    assert_eq!(after, before);
}

async fn a_partner_is_read_with_its_sites() {
    let app = app().await;
    let body = app.get_json("/api/v1/partners/little-stars").await;
    assert_eq!(body["partner"]["name"], "Little Stars");
    assert_eq!(body["partner"]["sites"], 2);
    assert_eq!(
        body["partner"]["contact"],
        json!({"name": "Ana Diaz", "email": "ana@littlestars.org", "phone": "312-555-0100"})
    );
    assert_eq!(body["partner"]["needs"], json!(["childcare"]));
    let ids: Vec<&str> = body["sites"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["kids-1", "kids-2"]);
    assert_error(app.get("/api/v1/partners/nobody").await, 404, "not_found").await;
}

async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    let body = app
        .get_json(&format!("/api/v1/partners/{id}/history"))
        .await;
    assert_eq!(body["partner_id"], id);
    body["history"].as_array().unwrap().clone()
}

async fn every_level_and_stage_change_is_kept_newest_first() {
    let app = app().await;
    // The first upload set both.
    let first = history(&app, "little-stars").await;
    let moves: Vec<(&str, &Value, &Value)> = first
        .iter()
        .map(|h| (h["field"].as_str().unwrap(), &h["from"], &h["to"]))
        .collect();
    assert_eq!(
        moves,
        [
            (
                "partnership_stage",
                &Value::Null,
                &json!("getting_together")
            ),
            ("partnership_level", &Value::Null, &json!("cooperation"))
        ]
    );
    assert_eq!(first[0]["via"], "merge_partners (partners)");

    // An edit with a note; one of notes alone and one that changes nothing add nothing.
    let r = patch(
        &app,
        "/api/v1/partners/little-stars",
        json!({"partnership_stage": "building_trust", "note": "second meeting went well"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    patch(
        &app,
        "/api/v1/partners/little-stars",
        json!({"notes": "call Fridays"}),
    )
    .await;
    patch(
        &app,
        "/api/v1/partners/little-stars",
        json!({"partnership_stage": "building_trust"}),
    )
    .await;
    // An upload moves it on, and a level change is kept too.
    app.post_partners(
        "?mode=merge&filename=stage.csv",
        "text/csv",
        "id,partnership_stage,partnership_level\nkids-2,strategic_plan,collaboration\n",
    )
    .await;
    let h = history(&app, "little-stars").await;
    assert_eq!(h.len(), 5, "{h:?}");
    let newest: Vec<(&str, &str, &str, &str)> = h[..3]
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap(),
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
                e["via"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        newest,
        [
            (
                "partnership_stage",
                "building_trust",
                "strategic_plan",
                "merge_partners (stage.csv)"
            ),
            (
                "partnership_level",
                "cooperation",
                "collaboration",
                "merge_partners (stage.csv)"
            ),
            (
                "partnership_stage",
                "getting_together",
                "building_trust",
                "edit_partner"
            ),
        ]
    );
    // Both moves of one upload share its time and data version; the edit is older.
    assert_eq!(h[0]["data_version"], h[1]["data_version"]);
    assert!(h[2]["data_version"].as_i64() < h[0]["data_version"].as_i64());
    assert_eq!(h[2]["note"], "second meeting went well");
    assert_eq!(h[2]["by"], "admin-token");
    assert!(h[2]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(h[0]["note"], Value::Null);
    assert_error(
        app.get("/api/v1/partners/nobody/history").await,
        404,
        "not_found",
    )
    .await;
}

/// The four readiness questions, answered with a date, shown with the partner and
/// exported with it in the flat CSV, which uploads again unchanged.
async fn readiness_answers_are_kept_shown_and_exported() {
    let app = app().await;
    let r = patch(
        &app,
        "/api/v1/partners/corner-care",
        json!({"readiness": {
            "need_for_change": {"text": "Families wait months for infant care", "date": "2025-01-10"},
            "ideas": {"text": "Shared intake; joint family nights", "date": "2025-01-10"},
            "benefits": {"text": "One application for both programs", "date": "2025-01-17"}
        }}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    let fields: Vec<&str> = report["summary"]["changes"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "readiness_need_for_change",
            "readiness_ideas",
            "readiness_benefits"
        ]
    );
    let p = &app.get_json("/api/v1/partners/corner-care").await["partner"];
    assert_eq!(
        p["readiness"],
        json!({
            "need_for_change": {"text": "Families wait months for infant care", "date": "2025-01-10"},
            "ideas": {"text": "Shared intake; joint family nights", "date": "2025-01-10"},
            "benefits": {"text": "One application for both programs", "date": "2025-01-17"},
            "challenges": null
        })
    );
    let vocabulary = app.get_json("/api/v1/vocabulary").await;
    assert_eq!(
        vocabulary["readiness_questions"][3],
        json!({"code": "challenges", "question": "What challenges do we expect?"})
    );
    // Clearing one answer keeps the others.
    patch(
        &app,
        "/api/v1/partners/corner-care",
        json!({"readiness": {"ideas": null}}),
    )
    .await;
    let p = &app.get_json("/api/v1/partners/corner-care").await["partner"];
    assert_eq!(p["readiness"]["ideas"], Value::Null);
    assert_eq!(p["readiness"]["benefits"]["date"], "2025-01-17");

    let csv = app
        .get("/api/v1/partners?format=csv")
        .await
        .text()
        .await
        .unwrap();
    let corner = directory(&app).await["corner-1"].clone();
    assert_eq!(corner["readiness_benefits_date"], "2025-01-17");
    assert_eq!(corner["readiness_ideas"], "");
    let report: Value = app
        .post_partners("?mode=replace", "text/csv", csv)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], true, "{report}");
    // An answer in a CSV needs its date.
    let body = assert_error(
        app.post_partners(
            "?filename=r.csv",
            "text/csv",
            "id,readiness_challenges\ncorner-1,Staff turnover\n",
        )
        .await,
        422,
        "invalid_file",
    )
    .await;
    assert_eq!(
        body["error"]["details"][0]["field"],
        "readiness_challenges_date"
    );
}

crate::api_tests!(
    readiness_answers_are_kept_shown_and_exported,
    every_level_and_stage_change_is_kept_newest_first,
    a_partner_edit_of_one_field_leaves_every_other_field_as_it_was,
    a_site_edit_of_one_field_leaves_every_other_field_as_it_was,
    an_edit_that_changes_nothing_writes_nothing_and_a_real_one_is_audited,
    bad_edits_are_refused_naming_the_field_and_change_nothing,
    a_partner_is_read_with_its_sites,
);
