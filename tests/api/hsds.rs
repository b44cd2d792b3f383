//! The Open Referral HSDS 3.0 example package through the API: refused as published
//! (its one location lies at latitude 100), accepted once its coordinates are fixed;
//! and hand-made HSDS 1.1 and 2.0 packages, which import to the same directory.

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

/// A hand-made package of an older HSDS version (tests/fixtures/hsds-1.1, hsds-2.0):
/// every file, datapackage.json included, by name.
fn older_package(version: &str) -> Vec<(String, String)> {
    let dir = root()
        .join("tests")
        .join("fixtures")
        .join(format!("hsds-{version}"));
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 9, "the {version} package is incomplete");
    files
}

/// The sites as (id, partner, name, services, hours, address), sorted by id.
async fn site_summary(app: &TestApp) -> Vec<Value> {
    let sites = app.get_json("/api/v1/sites").await;
    let mut out: Vec<Value> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            json!([
                p["id"],
                p["partner_id"],
                p["name"],
                p["services"],
                p["hours"],
                p["address"],
                f["geometry"]["coordinates"]
            ])
        })
        .collect();
    out.sort_by_key(|v| v[0].as_str().unwrap_or_default().to_owned());
    out
}

async fn hsds_1_1_and_2_0_packages_import_to_the_same_partners_sites_services_hours_and_addresses()
{
    for version in ["1.1", "2.0"] {
        let app = spawn_app().await;
        let r = app
            .post_partners(
                &format!("?filename=hsds-{version}.zip"),
                "application/zip",
                zipped(&older_package(version)),
            )
            .await;
        let status = r.status();
        let report: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "{version}: {report}");
        assert_eq!(report["summary"]["added"], 3, "{version}: {report}");
        let warnings = report["warnings"].to_string();
        let declared = if version == "1.1" {
            "HSDS 1.1"
        } else {
            "HSDS 2.0.1"
        };
        assert!(
            warnings.contains(&format!(
                "hsds-{version}.zip was read as {declared} (named in datapackage.json)"
            )),
            "{version}: {warnings}"
        );
        // Tax preparation maps to no gapmap service: left out of its site, and said so.
        assert!(
            warnings.contains("service 'Tax preparation help'"),
            "{version}: {warnings}"
        );
        let partners = app.get_json("/api/v1/partners").await;
        let partners: Vec<Value> = partners["partners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| json!([p["id"], p["name"], p["sites"], p["services"]]))
            .collect();
        assert_eq!(
            partners,
            [
                json!(["org-food", "Northside Food Bank", 2, ["food"]]),
                json!(["org-stars", "Little Stars Early Learning", 1, ["childcare"]]),
            ],
            "{version}"
        );
        assert_eq!(
            site_summary(&app).await,
            [
                json!([
                    "loc-north",
                    "org-stars",
                    "Little Stars North",
                    ["childcare"],
                    "Mo-Fr 07:00-18:00",
                    "4400 N Broadway, Chicago, IL 60640, US",
                    [-87.65, 41.9]
                ]),
                json!([
                    "loc-pantry",
                    "org-food",
                    "Northside Pantry",
                    ["food"],
                    "Tu 09:00-12:00; Sa 10:00-13:00",
                    "5100 N Clark St, Chicago, IL 60640, US",
                    [-87.7, 41.95]
                ]),
                json!([
                    "loc-stmark",
                    "org-food",
                    "Pantry at St. Mark's",
                    ["food"],
                    null,
                    "2200 W Lawrence Ave, Chicago, IL 60625, US",
                    [-87.68, 41.93]
                ]),
            ],
            "{version}"
        );
    }
}

/// The 1.1 package without its datapackage.json: the file layout says which it is.
async fn an_hsds_1_1_package_without_a_descriptor_is_known_by_its_file_layout() {
    let app = spawn_app().await;
    let files: Vec<(String, String)> = older_package("1.1")
        .into_iter()
        .filter(|(n, _)| n != "datapackage.json")
        .map(|(n, t)| (format!("directory/{n}"), t))
        .collect();
    let r = app
        .post_partners("?filename=hsds.zip", "application/zip", zipped(&files))
        .await;
    let status = r.status();
    let report: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert!(
        report["warnings"]
            .to_string()
            .contains("read as HSDS 1.1 (by its services_at_location.csv)"),
        "{report}"
    );
    assert_eq!(site_summary(&app).await.len(), 3);
    // Without its link table, the message names the 1.1 file it lacks.
    let files: Vec<(String, String)> = older_package("1.1")
        .into_iter()
        .filter(|(n, _)| n != "services_at_location.csv")
        .collect();
    let r = app
        .post_partners("?filename=hsds.zip", "application/zip", zipped(&files))
        .await;
    let body = assert_error(r, 422, "invalid_file").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("hsds.zip has no services_at_location.csv: read as HSDS 1.1"),
        "{message}"
    );
}

/// A location without coordinates is refused by name, file, row and field; with
/// untracked_services=skip it is left out and listed with its address to be geocoded.
async fn a_location_without_coordinates_is_refused_by_name_or_skipped_with_its_address() {
    for version in ["1.1", "2.0"] {
        let app = spawn_app().await;
        let before = app.store_state().await;
        let files: Vec<(String, String)> = older_package(version)
            .into_iter()
            .map(|(n, t)| {
                let t = if n == "locations.csv" {
                    let blanked = t.replace(",41.93,-87.68", ",,");
                    assert_ne!(blanked, t);
                    blanked
                } else {
                    t
                };
                (n, t)
            })
            .collect();
        let post =
            |query: &'static str| app.post_partners(query, "application/zip", zipped(&files));
        let body = assert_error(post("?filename=hsds.zip").await, 422, "invalid_coordinates").await;
        let d = &body["error"]["details"][0];
        assert_eq!(
            (&d["file"], &d["row"], &d["field"]),
            (&json!("locations.csv"), &json!(4), &json!("latitude")),
            "{version}: {body}"
        );
        let message = d["message"].as_str().unwrap();
        assert!(
            message.contains("'Pantry at St. Mark's'")
                && message.contains("2200 W Lawrence Ave")
                && message.contains("untracked_services=skip"),
            "{version}: {message}"
        );
        assert_eq!(app.store_state().await, before, "{version}");

        let r = post("?filename=hsds.zip&untracked_services=skip").await;
        let status = r.status();
        let report: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "{version}: {report}");
        assert_eq!(report["summary"]["added"], 2, "{version}: {report}");
        let warnings = report["warnings"].to_string();
        assert!(
            warnings.contains("locations.csv, row 4: location 'Pantry at St. Mark's' has no latitude/longitude and was left out, as asked; geocode it to import it (its address: 2200 W Lawrence Ave, Chicago, IL 60625, US)"),
            "{version}: {warnings}"
        );
        let ids: Vec<Value> = site_summary(&app)
            .await
            .iter()
            .map(|s| s[0].clone())
            .collect();
        assert_eq!(ids, [json!("loc-north"), json!("loc-pantry")], "{version}");
    }
}

/// 3.0 follows the same rule: the example's location without coordinates is refused.
async fn an_hsds_3_0_location_without_coordinates_is_refused_by_name() {
    let app = spawn_app().await;
    let files: Vec<(String, String)> = fixed_example()
        .into_iter()
        .map(|(n, t)| {
            let t = if n == "locations.csv" {
                t.replace(",41.88,-87.63,", ",,,")
            } else {
                t
            };
            (n, t)
        })
        .collect();
    let r = app
        .post_partners("?filename=hsds.zip", "application/zip", zipped(&files))
        .await;
    let body = assert_error(r, 422, "invalid_coordinates").await;
    let d = &body["error"]["details"][0];
    assert_eq!(
        (&d["file"], &d["row"], &d["field"]),
        (&json!("locations.csv"), &json!(2), &json!("latitude"))
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("'MyCity Civic Center'"),
        "{body}"
    );
    let r = app
        .post_partners(
            "?filename=hsds.zip&untracked_services=skip",
            "application/zip",
            zipped(&files),
        )
        .await;
    // Its only location left out, the package has no site: refused as empty.
    assert_error(r, 422, "empty_file").await;
    assert_eq!(app.store_state().await.3, 0);
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
    hsds_1_1_and_2_0_packages_import_to_the_same_partners_sites_services_hours_and_addresses,
    an_hsds_1_1_package_without_a_descriptor_is_known_by_its_file_layout,
    a_location_without_coordinates_is_refused_by_name_or_skipped_with_its_address,
    an_hsds_3_0_location_without_coordinates_is_refused_by_name,
);
