use crate::helpers::*;
use serde_json::json;

const FLAT: &str = "id,name,partner,lat,lon,services,capacity,languages,hours,partnership_level,partnership_stage\n\
ymca-1,YMCA Kids Center,YMCA of Chicago,41.805,-87.695,childcare;parenting,childcare=60,en;es,Mo-Fr 06:30-18:00,collaboration,taking_action\n\
lib-1,Branch Library,Chicago Public Library,41.805,-87.675,adult_education;language,,es,Mo-Sa 09:00-20:00,,\n";

async fn a_flat_csv_directory_is_stored_and_served() {
    let app = spawn_app().await;
    let r = app
        .post_partners("?filename=partners.csv", "text/csv", FLAT)
        .await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["summary"]["added"], 2);

    let partners = app.get_json("/api/v1/partners").await;
    let list = partners["partners"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let ymca = list.iter().find(|p| p["id"] == "ymca-of-chicago").unwrap();
    assert_eq!(ymca["partnership_level"], "collaboration");
    assert_eq!(ymca["partnership_stage"], "taking_action");
    assert_eq!(ymca["sites"], 1);

    let sites = app.get_json("/api/v1/sites?service=childcare").await;
    let features = sites["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    let p = &features[0]["properties"];
    assert_eq!(p["capacity"]["childcare"], 60.0);
    assert_eq!(p["languages"], serde_json::json!(["en", "es"]));
    assert_eq!(p["hours"], "Mo-Fr 06:30-18:00");
    assert_eq!(
        features[0]["geometry"]["coordinates"],
        serde_json::json!([-87.695, 41.805])
    );

    let inside = app
        .get_json("/api/v1/sites?bbox=-87.70,41.80,-87.69,41.81")
        .await;
    assert_eq!(inside["features"].as_array().unwrap().len(), 1);
}

async fn merge_updates_and_replace_removes() {
    let app = spawn_app().await;
    app.post_partners("", "text/csv", FLAT).await;
    let one =
        "id,name,lat,lon,services\nymca-1,YMCA Kids Center (new name),41.805,-87.695,childcare\n";
    let merged: serde_json::Value = app
        .post_partners("?mode=merge", "text/csv", one)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            merged["summary"]["changed"].as_u64(),
            merged["summary"]["removed"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let replaced: serde_json::Value = app
        .post_partners("?mode=replace", "text/csv", one)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            replaced["summary"]["unchanged"].as_u64(),
            replaced["summary"]["removed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        app.get_json("/api/v1/sites").await["features"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn geojson_points_are_accepted() {
    let app = spawn_app().await;
    let gj = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-87.6,41.8]},
      "properties":{"id":"s1","name":"Little Stars","partner":"Little Stars Inc","services":["childcare"],"capacity":{"childcare":40},
      "languages":["es"],"partnership_stage":"building trust and ownership"}}]}"#;
    let r = app.post_partners("", "application/geo+json", gj).await;
    assert_eq!(r.status(), 200);
    let partners = app.get_json("/api/v1/partners").await;
    assert_eq!(
        partners["partners"][0]["partnership_stage"],
        "building_trust"
    );
}

async fn bad_rows_are_all_reported_and_nothing_is_stored() {
    let app = spawn_app().await;
    let bad = "id,name,lat,lon,services,capacity\n\
a,A,41.8,-87.6,childcare,\n\
a,A again,41.8,-87.6,childcare,\n\
b,B,-87.6,41.8,childcare,\n\
c,C,41.8,-87.6,astrology,\n\
d,D,41.8,-87.6,childcare,many\n";
    let before = app.store_state().await;
    let body = assert_error(
        app.post_partners("?filename=p.csv", "text/csv", bad).await,
        422,
        "invalid_file",
    )
    .await;
    let details = body["error"]["details"].as_array().unwrap();
    let at: Vec<(u64, &str)> = details
        .iter()
        .map(|d| (d["row"].as_u64().unwrap(), d["field"].as_str().unwrap()))
        .collect();
    assert!(at.contains(&(3, "id")), "{at:?}");
    assert!(at.contains(&(4, "lat")), "{at:?}");
    assert!(at.contains(&(5, "services")), "{at:?}");
    assert!(at.contains(&(6, "capacity")), "{at:?}");
    assert!(details.iter().all(|d| d["file"] == "p.csv"));
    assert_eq!(app.store_state().await, before);
}

async fn sites_swapped_against_the_uploaded_areas_are_refused() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    // (lon 41.805, lat -87.695) passes range checks but is the areas' point swapped.
    // Latitudes beyond 85° are refused by the importer itself; this one is caught by the extent check.
    let gj = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[41.805,-80.0]},
      "properties":{"id":"s1","name":"A","services":["childcare"]}}]}"#;
    // -80.0 as a latitude is plausible (Antarctica); swapped it is lon -80, lat 41.8: near but outside the areas.
    let r = app.post_partners("", "application/geo+json", gj).await;
    assert_eq!(
        r.status(),
        200,
        "a far point that is not a swap is only a warning"
    );
    let report: serde_json::Value = r.json().await.unwrap();
    assert!(
        report["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("outside")
    );
    let swapped = gj.replace("[41.805,-80.0]", "[41.805,-87.695]");
    let r = app
        .post_partners("?mode=replace", "application/geo+json", swapped)
        .await;
    assert_error(r, 422, "invalid_coordinates").await;
}

async fn gtfs_stops_become_transit_sites_via_the_library() {
    let app = spawn_app().await;
    let stops =
        "stop_id,stop_name,stop_lat,stop_lon,location_type\n1,A,41.8,-87.6,0\n2,B,41.81,-87.61,0\n";
    let report = app
        .services
        .import_stops(
            "test",
            gapmap::ingest::InputFile::new("stops.txt", stops),
            "cta",
        )
        .await
        .unwrap();
    assert_eq!(report.rows, 2);
    let sites = app.get_json("/api/v1/sites?service=transit").await;
    assert_eq!(sites["features"].as_array().unwrap().len(), 2);
    // Importing the feed again replaces its stops rather than adding.
    let again = app
        .services
        .import_stops(
            "test",
            gapmap::ingest::InputFile::new(
                "stops.txt",
                "stop_id,stop_lat,stop_lon\n1,41.8,-87.6\n",
            ),
            "cta",
        )
        .await
        .unwrap();
    assert_eq!(again.summary.removed, 1);
}

async fn the_flat_csv_export_imports_again_unchanged() {
    let app = spawn_app().await;
    app.post_partners("", "text/csv", FLAT).await;
    let csv = flat_csv(&app.services.atlas.get());
    let report: serde_json::Value = app
        .post_partners("?mode=replace", "text/csv", csv.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            report["summary"]["unchanged"].as_u64(),
            report["summary"]["removed"].as_u64()
        ),
        (Some(2), Some(0)),
        "{report}"
    );
    // Partners too come back as they were: nothing is written.
    assert_eq!(report["unchanged"], true, "{report}");
    assert_eq!(flat_csv(&app.services.atlas.get()), csv);
}

/// Two child-care sites in the three areas: Kids Center (113 slots, a child care center
/// of Little Stars) and Corner Care (87 slots): supply 113 + 87 = 200.
const TWO_SITES: &str = "id,name,partner,kind,lat,lon,services,capacity,languages,hours,address,partnership_level,partnership_stage,notes\n\
kids-1,Kids Center,Little Stars,child care center,41.805,-87.695,childcare;parenting,childcare=113,en;es,Mo-Fr 06:30-18:00,1 Main St,cooperation,getting_together,weekly call\n\
corner-1,Corner Care,Corner Care,,41.805,-87.675,childcare,87,,,,,,\n";

async fn gapped_app() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let demand = "GEOID,children_under_5\n01001000001,300\n01001000002,100\n01001000003,80\n";
    assert_eq!(app.put_assessment(2024, "g", demand).await.status(), 200);
    let r = app
        .post_partners("?filename=partners.csv", "text/csv", TWO_SITES)
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn supply_and_deserts(app: &TestApp) -> (f64, u64) {
    let gaps = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    (
        gaps["summary"]["supply_total"].as_f64().unwrap(),
        gaps["summary"]["deserts"].as_u64().unwrap(),
    )
}

fn partner<'a>(list: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    list["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no partner {id} in {list}"))
}

/// The issue's case: a one-row merge that names only the stage used to clear the site's
/// 113 slots and its partner's kind, and supply fell. Now only the stage changes, and the
/// answer and the audit entry say so, field by field.
async fn a_stage_only_merge_keeps_capacity_kind_and_supply() {
    let app = gapped_app().await;
    assert_eq!(supply_and_deserts(&app).await.0, 200.0);
    let before = supply_and_deserts(&app).await;
    let sites_before = app.get_json("/api/v1/sites").await;
    let partners_before = app.get_json("/api/v1/partners").await;

    let r = app
        .post_partners(
            "?mode=merge&filename=stage.csv",
            "text/csv",
            "id,partnership_stage\nkids-1,taking_action\n",
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    let s = &report["summary"];
    assert_eq!(
        (&s["added"], &s["changed"], &s["removed"], &s["unchanged"]),
        (&json!(0), &json!(0), &json!(0), &json!(1)),
        "{report}"
    );
    assert_eq!(s["partners"]["changed"], 1, "{report}");
    let change = json!([{
        "record": "partner",
        "id": "little-stars",
        "fields": [{"field": "partnership_stage", "before": "getting_together", "after": "taking_action"}],
        "cleared": []
    }]);
    assert_eq!(s["changes"], change, "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("partners 0 added, 1 changed"),
        "{report}"
    );

    // Every site exactly as it was (its features repeat the partner's stage); the partner
    // differs in its stage alone.
    let mut expected_sites = sites_before.clone();
    for f in expected_sites["features"].as_array_mut().unwrap() {
        if f["id"] == "kids-1" {
            f["properties"]["partnership_stage"] = json!("taking_action");
        }
    }
    assert_eq!(app.get_json("/api/v1/sites").await, expected_sites);
    let partners_after = app.get_json("/api/v1/partners").await;
    let mut expected = partners_before.clone();
    for p in expected["partners"].as_array_mut().unwrap() {
        if p["id"] == "little-stars" {
            p["partnership_stage"] = json!("taking_action");
        }
    }
    assert_eq!(partners_after, expected);
    assert_eq!(
        partner(&partners_after, "little-stars")["kind"],
        "child care center"
    );
    assert_eq!(supply_and_deserts(&app).await, before);

    // The audit entry lists the same change.
    let audit = app.services.store.audit_log(1).await.unwrap();
    assert_eq!(audit[0].action, "merge_partners");
    assert_eq!(audit[0].changes, change);
}

async fn only_an_empty_cell_clears_and_the_summary_names_what_it_cleared() {
    let app = gapped_app().await;
    let r = app
        .post_partners(
            "?mode=merge&filename=clear.csv",
            "text/csv",
            "id,languages,notes\nkids-1,,\n",
        )
        .await;
    let report: serde_json::Value = r.json().await.unwrap();
    let changes = &report["summary"]["changes"];
    assert_eq!(
        changes,
        &json!([
            {"record": "partner", "id": "little-stars",
             "fields": [{"field": "notes", "before": "weekly call", "after": null}],
             "cleared": ["notes"]},
            {"record": "site", "id": "kids-1",
             "fields": [{"field": "languages", "before": ["en", "es"], "after": null}],
             "cleared": ["languages"]}
        ]),
        "{report}"
    );
    let message = report["message"].as_str().unwrap();
    assert!(
        message.contains("cleared: notes of partner 'little-stars', languages of site 'kids-1'"),
        "{message}"
    );
    // The capacity column was not in the file: the 113 slots stay.
    assert_eq!(supply_and_deserts(&app).await.0, 200.0);
    let sites = app.get_json("/api/v1/sites?service=childcare").await;
    let kids = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "kids-1")
        .unwrap();
    assert_eq!(kids["properties"]["capacity"], json!({"childcare": 113.0}));
    assert_eq!(kids["properties"]["hours"], "Mo-Fr 06:30-18:00");
    assert_eq!(kids["properties"]["languages"], json!([]));
}

async fn a_geojson_feature_without_a_property_keeps_it() {
    let app = gapped_app().await;
    let gj = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-87.695,41.805]},
      "properties":{"id":"kids-1","partnership_level":"collaboration"}}]}"#;
    let report: serde_json::Value = app
        .post_partners("?mode=merge", "application/geo+json", gj)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["summary"]["changes"][0]["fields"],
        json!([{"field": "partnership_level", "before": "cooperation", "after": "collaboration"}]),
        "{report}"
    );
    assert_eq!(supply_and_deserts(&app).await.0, 200.0);
}

async fn a_new_site_in_a_partial_merge_is_refused_by_row_and_field() {
    let app = gapped_app().await;
    let before = app.store_state().await;
    let body = assert_error(
        app.post_partners(
            "?mode=merge&filename=stage.csv",
            "text/csv",
            "id,partnership_stage\nkids-1,taking_action\nnew-1,taking_action\n",
        )
        .await,
        422,
        "invalid_file",
    )
    .await;
    let d = &body["error"]["details"];
    assert_eq!(
        (&d[0]["file"], &d[0]["row"], &d[0]["field"]),
        (&json!("stage.csv"), &json!(3), &json!("name")),
        "{body}"
    );
    assert_eq!(d[1]["field"], "lat", "{body}");
    assert_eq!(d[2]["field"], "services", "{body}");
    assert_eq!(app.store_state().await, before);
}

async fn the_api_csv_download_uploads_again_unchanged() {
    let app = gapped_app().await;
    let r = app.get("/api/v1/partners?format=csv").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("id,name,partner,partner_id,kind,lat,lon,services,capacity"),
        "{csv}"
    );
    let report: serde_json::Value = app
        .post_partners(
            "?mode=replace&filename=partners.csv",
            "text/csv",
            csv.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unchanged"], true, "{report}");
    assert_eq!(
        app.get("/api/v1/partners?format=csv")
            .await
            .text()
            .await
            .unwrap(),
        csv
    );
}

crate::api_tests!(
    a_stage_only_merge_keeps_capacity_kind_and_supply,
    only_an_empty_cell_clears_and_the_summary_names_what_it_cleared,
    a_geojson_feature_without_a_property_keeps_it,
    a_new_site_in_a_partial_merge_is_refused_by_row_and_field,
    the_api_csv_download_uploads_again_unchanged,
    the_flat_csv_export_imports_again_unchanged,
    a_flat_csv_directory_is_stored_and_served,
    merge_updates_and_replace_removes,
    geojson_points_are_accepted,
    bad_rows_are_all_reported_and_nothing_is_stored,
    sites_swapped_against_the_uploaded_areas_are_refused,
    gtfs_stops_become_transit_sites_via_the_library,
);

fn flat_csv(atlas: &gapmap::atlas::Atlas) -> String {
    let rendered = gapmap::output::render(
        &gapmap::output::Document::Directory(atlas),
        gapmap::output::Format::Csv,
        gapmap::output::Layout::Compact,
    )
    .unwrap();
    String::from_utf8(rendered.body.to_vec()).unwrap()
}
