//! The Open Referral HSDS 3.0 example package through the API: refused as published
//! (its one location lies at latitude 100), accepted once its coordinates are fixed.

use crate::helpers::*;
use serde_json::{Value, json};

const ORGANIZATION: &str = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610";
const LOCATION: &str = "3a19ff88-4620-4d17-9830-ac1d859eb5d5";
const SERVICE: &str = "ac148810-d857-441c-9679-408f346de14b";

/// The example package's folder: a copy of Open Referral's published example, kept in
/// the repository with its licence note (tests/fixtures/hsds-3.0/SOURCE.md).
fn example_dir() -> std::path::PathBuf {
    root().join("tests").join("fixtures").join("hsds-3.0")
}

/// The example package's CSV files, by name.
fn example() -> Vec<(String, String)> {
    let dir = example_dir();
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the example package is incomplete");
    files
}

/// The example with its location moved to Chicago and its one service classified.
///
/// Besides latitude 100, the example links its only attribute to no entity and gives its
/// only taxonomy term the placeholder code "code": the service "Community Counselling"
/// maps to no gapmap service as published. One attribute is added that classifies it
/// under the AIRS/211 code RP, which data/needs.toml lists for mental health.
fn fixed_example() -> Vec<(String, String)> {
    example()
        .into_iter()
        .map(|(name, text)| {
            let text = match name.as_str() {
                "locations.csv" => {
                    let fixed = text.replace(",100,101,", ",41.88,-87.63,");
                    assert_ne!(fixed, text, "the example's coordinates changed");
                    fixed
                }
                "taxonomy_terms.csv" => {
                    format!(
                        "{}term-rp,RP,Mental health care,,,,,,\n",
                        with_newline(text)
                    )
                }
                "attributes.csv" => {
                    format!(
                        "{}attr-rp,{SERVICE},term-rp,,service,\n",
                        with_newline(text)
                    )
                }
                _ => text,
            };
            (name, text)
        })
        .collect()
}

fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn zipped(files: &[(String, String)]) -> Vec<u8> {
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    zip_of(&entries)
}

async fn the_one_site(app: &TestApp) -> Value {
    let sites = app.get_json("/api/v1/sites").await;
    let features = sites["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{sites}");
    features[0].clone()
}

async fn the_hsds_example_package_is_refused_for_its_latitude_of_100_and_nothing_is_stored() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let r = app
        .post_partners(
            "?filename=hsds-example.zip",
            "application/zip",
            zipped(&example()),
        )
        .await;
    let body = assert_error(r, 422, "invalid_coordinates").await;
    assert_eq!(
        body["error"]["details"],
        json!([{
            "file": "locations.csv",
            "row": 2,
            "field": "latitude",
            "message": "latitude 100 is outside -90..90"
        }]),
        "{body}"
    );
    assert_eq!(app.store_state().await, before);
}

async fn the_hsds_example_with_its_coordinates_fixed_becomes_a_partner_and_a_site() {
    let app = spawn_app().await;
    let r = app
        .post_partners(
            "?filename=hsds-example.zip",
            "application/zip",
            zipped(&fixed_example()),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["rows"], 1);
    assert_eq!(report["summary"]["added"], 1);
    let warnings = report["warnings"].to_string();
    // The example's schedule is a placeholder RRULE (3 occurrences, weeks 41-42, ended
    // in 2005): it is no standing weekly opening hours, so it is skipped and said so.
    assert!(
        warnings.contains("schedules.csv, row 2: the schedule was left out because it stops after a number of occurrences (count 3)"),
        "{warnings}"
    );
    assert!(warnings.contains("ended on 2005-01-01"), "{warnings}");
    assert!(
        warnings.contains(
            "organization_id '985e4a42-bd9f-4edc-911d-0243a4640aca' is not in organizations.csv"
        ),
        "{warnings}"
    );

    let partners = app.get_json("/api/v1/partners").await;
    assert_eq!(
        partners["partners"],
        json!([{
            "id": ORGANIZATION,
            "name": "Example Organization Inc.",
            "kind": null,
            "partnership_level": null,
            "partnership_stage": null,
            "agreement_start": null,
            "agreement_end": null,
            "notes": null,
            "contact": {"name": null, "email": null, "phone": null},
            "needs": [],
            "readiness": {"need_for_change": null, "ideas": null, "benefits": null, "challenges": null},
            "sites": 1,
            "services": ["mental_health"],
        }])
    );
    let site = the_one_site(&app).await;
    assert_eq!(site["id"], LOCATION);
    assert_eq!(site["geometry"]["coordinates"], json!([-87.63, 41.88]));
    assert_eq!(
        site["properties"],
        json!({
            "id": LOCATION,
            "name": "MyCity Civic Center",
            "partner_id": ORGANIZATION,
            "partner": "Example Organization Inc.",
            "kind": null,
            "services": ["mental_health"],
            "capacity": {},
            "languages": ["ur"],
            "hours": null,
            "address": "1-30 Main Street, MyVillage, MyCity, MyRegion, MyState ABC 1234, US",
            "partnership_level": null,
            "partnership_stage": null,
            "agreement_start": null,
            "agreement_end": null,
        })
    );
}

async fn the_hsds_tables_uploaded_together_in_a_form_are_read_as_one_package() {
    let app = spawn_app().await;
    let mut files = fixed_example();
    // A standing schedule, so the form path is checked for hours too.
    for (name, text) in &mut files {
        if name == "schedules.csv" {
            *text = format!(
                "id,service_id,location_id,service_at_location_id,freq,byday,opens_at,closes_at\n\
                 sch-1,,{LOCATION},,WEEKLY,\"MO,TU,WE,TH,FR\",09:00:00,17:00:00\n\
                 sch-2,,{LOCATION},,WEEKLY,SA,10:00:00,13:00:00\n"
            );
        }
    }
    let mut form = reqwest::multipart::Form::new();
    for (name, text) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(text.into_bytes()).file_name(name),
        );
    }
    let r = app
        .client
        .post(app.url("/api/v1/partners"))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let site = the_one_site(&app).await;
    assert_eq!(site["id"], LOCATION);
    assert_eq!(site["properties"]["services"], json!(["mental_health"]));
    assert_eq!(site["properties"]["languages"], json!(["ur"]));
    assert_eq!(
        site["properties"]["hours"],
        "Mo-Fr 09:00-17:00; Sa 10:00-13:00"
    );
}

async fn one_hsds_table_alone_is_refused_with_a_request_for_the_whole_package() {
    let app = spawn_app().await;
    let (_, locations) = fixed_example()
        .into_iter()
        .find(|(n, _)| n == "locations.csv")
        .unwrap();
    let r = app
        .post_partners("?filename=locations.csv", "text/csv", locations)
        .await;
    let body = assert_error(r, 422, "invalid_file").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("upload the whole package"), "{message}");
    assert_eq!(body["error"]["details"][0]["file"], "locations.csv");
}

async fn an_hsds_package_without_service_at_location_names_the_missing_file() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let files: Vec<(String, String)> = fixed_example()
        .into_iter()
        .filter(|(n, _)| n != "service_at_location.csv")
        .collect();
    let r = app
        .post_partners("?filename=hsds.zip", "application/zip", zipped(&files))
        .await;
    let body = assert_error(r, 422, "invalid_file").await;
    assert_eq!(
        body["error"]["details"][0]["file"],
        "service_at_location.csv"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("hsds.zip has no service_at_location.csv"),
        "{body}"
    );
    assert_eq!(app.store_state().await, before);
}

async fn a_link_to_a_missing_service_is_refused_with_its_row() {
    let app = spawn_app().await;
    let files: Vec<(String, String)> = fixed_example()
        .into_iter()
        .map(|(n, t)| {
            let t = if n == "service_at_location.csv" {
                t.replace(SERVICE, "no-such-service")
            } else {
                t
            };
            (n, t)
        })
        .collect();
    let r = app
        .post_partners("?filename=hsds.zip", "application/zip", zipped(&files))
        .await;
    let body = assert_error(r, 422, "invalid_file").await;
    let d = &body["error"]["details"][0];
    assert_eq!(
        (&d["file"], &d["row"], &d["field"]),
        (
            &json!("service_at_location.csv"),
            &json!(2),
            &json!("service_id")
        )
    );
}

async fn a_malformed_partner_zip_is_refused_as_malformed() {
    let app = spawn_app().await;
    let r = app
        .post_partners(
            "?filename=hsds.zip",
            "application/zip",
            b"PK\x03\x04 not really a zip".to_vec(),
        )
        .await;
    let body = assert_error(r, 400, "malformed_file").await;
    assert_eq!(body["error"]["details"][0]["file"], "hsds.zip");
}

async fn locations_offering_only_untracked_services_are_refused_unless_skipping_is_asked() {
    let app = spawn_app().await;
    // The example located, but its one service ("Community Counselling") unclassified.
    let located: Vec<(String, String)> = example()
        .into_iter()
        .map(|(name, text)| match name.as_str() {
            "locations.csv" => (name, text.replace(",100,101,", ",41.88,-87.63,")),
            _ => (name, text),
        })
        .collect();
    let post = |query: &'static str| app.post_partners(query, "application/zip", zipped(&located));
    let body = assert_error(post("?filename=hsds.zip").await, 422, "invalid_file").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("MyCity Civic Center") && message.contains("untracked_services=skip"),
        "{message}"
    );
    // Skipped, the package has no site left: refused as empty, never stored half.
    let body = assert_error(
        post("?filename=hsds.zip&untracked_services=skip").await,
        422,
        "empty_file",
    )
    .await;
    assert_eq!(body["error"]["details"][0]["file"], "locations.csv");
    assert_error(
        post("?filename=hsds.zip&untracked_services=maybe").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(app.store_state().await.3, 0);
}

/// HSDS has no partnership fields: re-importing a package, merging or replacing, keeps
/// the level, stage and capacity the program recorded in gapmap.
async fn a_package_imported_again_keeps_what_gapmap_recorded_about_the_partnership() {
    let app = spawn_app().await;
    let zip = zipped(&fixed_example());
    assert_eq!(
        app.post_partners("", "application/zip", zip.clone())
            .await
            .status(),
        200
    );
    let edit = format!(
        "id,partnership_level,partnership_stage,capacity\n{LOCATION},cooperation,strategic_plan,25\n"
    );
    assert_eq!(
        app.post_partners("?mode=merge", "text/csv", edit)
            .await
            .status(),
        200
    );
    let before = app.get_json("/api/v1/partners").await;
    for mode in ["merge", "replace"] {
        let report: Value = app
            .post_partners(&format!("?mode={mode}"), "application/zip", zip.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(report["unchanged"], true, "{mode}: {report}");
    }
    let after = app.get_json("/api/v1/partners").await;
    assert_eq!(after, before);
    assert_eq!(after["partners"][0]["partnership_stage"], "strategic_plan");
    assert_eq!(
        the_one_site(&app).await["properties"]["capacity"],
        json!({"mental_health": 25.0})
    );
}

crate::api_tests!(
    a_package_imported_again_keeps_what_gapmap_recorded_about_the_partnership,
    locations_offering_only_untracked_services_are_refused_unless_skipping_is_asked,
    the_hsds_example_package_is_refused_for_its_latitude_of_100_and_nothing_is_stored,
    the_hsds_example_with_its_coordinates_fixed_becomes_a_partner_and_a_site,
    the_hsds_tables_uploaded_together_in_a_form_are_read_as_one_package,
    one_hsds_table_alone_is_refused_with_a_request_for_the_whole_package,
    an_hsds_package_without_service_at_location_names_the_missing_file,
    a_link_to_a_missing_service_is_refused_with_its_row,
    a_malformed_partner_zip_is_refused_as_malformed,
);
