//! `GET /api/v1/search`: areas by GEOID or name, partners by name, sites by their name or
//! their partner's; exact matches first, then prefixes, then the rest, each in order.
//! And `/gaps?geoid=`, the rows the map fetches for an area found that way.

use crate::helpers::*;
use serde_json::{Value, json};

/// Three areas ("Area 1" … "Area 3", GEOIDs 01001000001 … 3) and, for two partners,
/// three sites: "Parkside Kids" has "Parkside Kids North" (in area 1) and "Kids Corner"
/// (area 3); "Park District" has "Field House" (area 2).
async fn app() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let ind = "GEOID,children_under_5\n01001000001,300\n01001000002,0\n01001000003,60\n";
    assert_eq!(app.put_assessment(2024, "g", ind).await.status(), 200);
    let sites = "id,name,partner,partner_id,lat,lon,services,capacity\n\
                 s-1,Parkside Kids North,Parkside Kids,p-kids,41.805,-87.685,childcare,40\n\
                 s-2,Field House,Park District,p-park,41.805,-87.675,childcare,10\n\
                 s-3,Kids Corner,Parkside Kids,p-kids,41.805,-87.665,childcare,30\n";
    assert_eq!(app.post_partners("", "text/csv", sites).await.status(), 200);
    app
}

fn ids(hits: &Value, field: &str) -> Vec<String> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h[field].as_str().unwrap().to_owned())
        .collect()
}

async fn areas_partners_and_sites_are_found_best_fit_first() {
    let app = app().await;
    // "park": no area; partner "Park District" starts with it, "Parkside Kids" too (both
    // prefixes, in id order: p-kids, p-park); sites: "Parkside Kids North" by its own
    // name (prefix), "Field House" by its partner's (prefix), "Kids Corner" by its
    // partner's (prefix): all prefixes, so in id order.
    let body = app.get_json("/api/v1/search?q=PARK").await;
    assert_eq!(body["query"], "PARK");
    assert_eq!(body["areas"], json!([]));
    assert_eq!(body["areas_found"], 0);
    assert_eq!(ids(&body["partners"], "id"), ["p-kids", "p-park"]);
    assert_eq!(body["partners"][0]["sites"], 2);
    assert_eq!(body["partners"][1]["sites"], 1);
    assert_eq!(ids(&body["sites"], "id"), ["s-1", "s-2", "s-3"]);
    assert_eq!(body["sites"][1]["partner"], "Park District");
    assert_eq!(body["sites"][1]["lon"], -87.675);
    assert_eq!(body["sites"][1]["lat"], 41.805);

    // "kids corner" is the whole of one site's name: exact before the prefixes.
    let body = app.get_json("/api/v1/search?q=kids%20corner").await;
    assert_eq!(ids(&body["sites"], "id"), ["s-3"]);
    let body = app.get_json("/api/v1/search?q=kids").await;
    // "Kids Corner" starts with it (prefix), "Parkside Kids North" holds it inside;
    // "Field House" of "Park District" does not hold it at all.
    assert_eq!(ids(&body["sites"], "id"), ["s-3", "s-1"]);
    assert_eq!(body["sites_found"], 2);

    // Areas by name and by GEOID, with the polygon's box to fly to.
    let body = app.get_json("/api/v1/search?q=area").await;
    assert_eq!(
        ids(&body["areas"], "geoid"),
        ["01001000001", "01001000002", "01001000003"]
    );
    assert_eq!(body["areas"][0]["geography"], "g");
    assert_eq!(body["areas"][0]["name"], "Area 1");
    let bbox: Vec<f64> = body["areas"][1]["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let want = [-87.68, 41.80, -87.67, 41.81];
    assert!(
        bbox.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-9),
        "{bbox:?}"
    );
    // The whole GEOID first, then those it starts (none here), then the rest.
    let body = app.get_json("/api/v1/search?q=01001000003").await;
    assert_eq!(ids(&body["areas"], "geoid"), ["01001000003"]);
    let body = app.get_json("/api/v1/search?q=Area%202").await;
    assert_eq!(ids(&body["areas"], "geoid"), ["01001000002"]);
    // The limit cuts each kind; the counts say how many there are.
    let body = app.get_json("/api/v1/search?q=0100&limit=2").await;
    assert_eq!(ids(&body["areas"], "geoid"), ["01001000001", "01001000002"]);
    assert_eq!(body["areas_found"], 3);
    assert_eq!(body["limit"], 2);
    // Only one geography's areas, when named.
    let body = app.get_json("/api/v1/search?q=area&geography=g").await;
    assert_eq!(body["areas_found"], 3);
    assert_eq!(body["geography"], "g");
    // CSV: one row per hit.
    let csv = app
        .get("/api/v1/search?q=field&format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        "kind,id,name,geography,partner_id,partner,lon,lat\n\
         site,s-2,Field House,,p-park,Park District,-87.675,41.805\n"
    );
}

async fn bad_searches_are_refused_with_what_to_give() {
    let app = app().await;
    for (path, status, code, says) in [
        (
            "/api/v1/search?q=%20a%20",
            400,
            "invalid_parameter",
            "2 to 200 characters",
        ),
        (
            "/api/v1/search?q=area&limit=0",
            400,
            "invalid_parameter",
            "1 to 50",
        ),
        (
            "/api/v1/search?q=area&limit=51",
            400,
            "invalid_parameter",
            "1 to 50",
        ),
        (
            "/api/v1/search?q=area&geography=nope",
            404,
            "unknown_geography",
            "nope",
        ),
        (
            "/api/v1/search?q=area&format=geojson",
            400,
            "invalid_parameter",
            "geojson",
        ),
    ] {
        let body = assert_error(app.get(path).await, status, code).await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{path}: {message}");
    }
    let long = "x".repeat(201);
    assert_error(
        app.get(&format!("/api/v1/search?q={long}")).await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn gaps_gives_the_rows_of_the_areas_asked_for() {
    let app = app().await;
    let all = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    let one = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&geoid=01001000003")
        .await;
    let rows = one["areas"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let full = all["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["geoid"] == "01001000003")
        .unwrap();
    // The same row as in the whole answer, and the whole geography's summary.
    assert_eq!(&rows[0], full);
    assert_eq!(one["summary"], all["summary"]);
    // Several, in the geography's order whatever the order asked.
    let two = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&geoid=01001000003,01001000001")
        .await;
    assert_eq!(ids(&two["areas"], "geoid"), ["01001000001", "01001000003"]);
    // A GEOID without a row is named.
    let body = assert_error(
        app.get("/api/v1/gaps?year=2024&need=childcare&geoid=01001000001,99999999999")
            .await,
        404,
        "not_found",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("99999999999"),
        "{body}"
    );
    assert_error(
        app.get("/api/v1/gaps?year=2024&need=childcare&geoid=01001000001,,")
            .await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn the_command_line_searches_as_the_api_does() {
    let app = app().await;
    let out = gapmap_ok(&app.db.url, &["search", "kids", "--format", "csv"]);
    assert_eq!(
        out,
        "kind,id,name,geography,partner_id,partner,lon,lat\n\
         partner,p-kids,Parkside Kids,,p-kids,Parkside Kids,,\n\
         site,s-3,Kids Corner,,p-kids,Parkside Kids,-87.665,41.805\n\
         site,s-1,Parkside Kids North,,p-kids,Parkside Kids,-87.685,41.805\n"
    );
    let json: Value = serde_json::from_str(&gapmap_ok(&app.db.url, &["search", "Area 3"])).unwrap();
    assert_eq!(json["areas"][0]["geoid"], "01001000003");
}

crate::api_tests!(
    areas_partners_and_sites_are_found_best_fit_first,
    bad_searches_are_refused_with_what_to_give,
    gaps_gives_the_rows_of_the_areas_asked_for,
    the_command_line_searches_as_the_api_does,
);
