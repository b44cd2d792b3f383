//! What every upload route shares: a declared Content-Type the contents contradict is
//! refused, and an upload that changes nothing writes nothing.

use crate::helpers::*;

const CSV: &str = "GEOID,children_under_5\n01001000001,120\n01001000002,45\n01001000003,0\n";
const FLAT: &str = "id,name,partner,lat,lon,services,capacity,partnership_level\n\
ymca-1,YMCA Kids Center,YMCA of Chicago,41.805,-87.695,childcare,60,collaboration\n\
lib-1,Branch Library,Chicago Public Library,41.805,-87.675,language,,\n";

async fn audit_entries(app: &TestApp) -> usize {
    app.services.store.audit_log(1000).await.unwrap().len()
}

async fn a_content_type_the_contents_contradict_is_refused_with_415_naming_both() {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let before = (app.store_state().await, audit_entries(&app).await);
    let zip = zip_of(&[("partners.csv", FLAT.as_bytes())]);
    let cases: Vec<(reqwest::Method, &str, &str, Vec<u8>, &str)> = vec![
        (
            reqwest::Method::POST,
            "/api/v1/partners?filename=partners.csv",
            "application/zip",
            FLAT.as_bytes().to_vec(),
            "text such as CSV",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/partners?filename=hsds.zip",
            "text/csv",
            zip,
            "a zip archive",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/assessments/2024?geography=g&filename=areas.json",
            "text/csv",
            three_areas().into_bytes(),
            "JSON",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/geographies/g?filename=ind.csv",
            "application/geo+json",
            CSV.as_bytes().to_vec(),
            "text such as CSV",
        ),
    ];
    for (method, path, declared, body, looks) in cases {
        let r = app.send(method, path, declared, body).await;
        let body = assert_error(r, 415, "unsupported_media_type").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(declared), "{path}: {message}");
        assert!(message.contains(looks), "{path}: {message}");
        assert!(
            body["error"]["details"][0]["file"].is_string(),
            "{path}: {body}"
        );
    }
    assert_eq!((app.store_state().await, audit_entries(&app).await), before);
}

async fn a_form_part_whose_type_contradicts_its_contents_is_refused() {
    let app = spawn_app().await;
    let part = reqwest::multipart::Part::bytes(FLAT.as_bytes().to_vec())
        .file_name("partners.zip")
        .mime_str("application/zip")
        .unwrap();
    let r = app
        .client
        .post(app.url("/api/v1/partners"))
        .bearer_auth(TOKEN)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let body = assert_error(r, 415, "unsupported_media_type").await;
    assert_eq!(body["error"]["details"][0]["file"], "partners.zip");
    assert_eq!(app.store_state().await.3, 0);
}

async fn the_same_areas_again_change_nothing() {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let before = (app.store_state().await, audit_entries(&app).await);
    let r = app.put_areas("g", &three_areas()).await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], true, "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .starts_with("nothing changed"),
        "{report}"
    );
    assert_eq!(report["summary"]["unchanged"], 3);
    assert_eq!(report["summary"]["data_version"], before.0.0);
    assert_eq!((app.store_state().await, audit_entries(&app).await), before);

    // One changed name is a write again.
    let r = app
        .put_areas("g", &three_areas().replace("Area 2", "Area Two"))
        .await;
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], false, "{report}");
    assert_eq!(report["summary"]["data_version"], before.0.0 + 1);
    assert_eq!(audit_entries(&app).await, before.1 + 1);
}

async fn the_same_assessment_table_again_is_no_new_version() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    assert_eq!(app.put_assessment(2024, "g", CSV).await.status(), 200);
    let before = (app.store_state().await, audit_entries(&app).await);
    // Another file name and a text column the importer ignores: the same table.
    let same =
        "GEOID,NAME,children_under_5\n01001000001,A,120\n01001000002,B,45\n01001000003,C,0\n";
    let r = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/assessments/2024?geography=g&filename=again.csv",
            "text/csv",
            same,
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], true, "{report}");
    assert_eq!(report["version"], 1, "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("version 1 of the 2024 assessment"),
        "{report}"
    );
    let list = app.get_json("/api/v1/assessments").await;
    assert_eq!(list["assessments"][0]["versions"], serde_json::json!([1]));
    assert_eq!((app.store_state().await, audit_entries(&app).await), before);

    // The same table for another geography is a new version.
    app.put_areas("h", &three_areas()).await;
    let r = app.put_assessment(2024, "h", CSV).await;
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["unchanged"], false, "{report}");
    assert_eq!(report["version"], 2, "{report}");
}

async fn the_same_partners_again_change_nothing_in_either_mode() {
    let app = spawn_app().await;
    assert_eq!(
        app.post_partners("?filename=partners.csv", "text/csv", FLAT)
            .await
            .status(),
        200
    );
    let before = (app.store_state().await, audit_entries(&app).await);
    for mode in ["merge", "replace"] {
        let r = app
            .post_partners(&format!("?mode={mode}"), "text/csv", FLAT)
            .await;
        assert_eq!(r.status(), 200);
        let report: serde_json::Value = r.json().await.unwrap();
        assert_eq!(report["unchanged"], true, "{mode}: {report}");
        assert_eq!(report["summary"]["unchanged"], 2, "{mode}: {report}");
        assert_eq!(
            (app.store_state().await, audit_entries(&app).await),
            before,
            "{mode}"
        );
    }

    // A partner's level alone is a change, though every site is the same.
    let level = FLAT.replace(",collaboration", ",cooperation");
    let report: serde_json::Value = app
        .post_partners("?mode=merge", "text/csv", level)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], false, "{report}");
    assert_eq!(report["summary"]["unchanged"], 2, "{report}");
    let partners = app.get_json("/api/v1/partners").await;
    let ymca = partners["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "ymca-of-chicago")
        .cloned()
        .unwrap();
    assert_eq!(ymca["partnership_level"], "cooperation");

    // Replacing with a subset removes a site: a change.
    let one = FLAT.lines().take(2).collect::<Vec<_>>().join("\n");
    let report: serde_json::Value = app
        .post_partners("?mode=replace", "text/csv", one)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], false, "{report}");
    assert_eq!(report["summary"]["removed"], 1, "{report}");
}

crate::api_tests!(
    a_content_type_the_contents_contradict_is_refused_with_415_naming_both,
    a_form_part_whose_type_contradicts_its_contents_is_refused,
    the_same_areas_again_change_nothing,
    the_same_assessment_table_again_is_no_new_version,
    the_same_partners_again_change_nothing_in_either_mode,
);
