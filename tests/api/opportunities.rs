//! `GET /api/v1/opportunities`: organisations already in the directory that could help
//! close a need's gap, ranked by siting's gain at their place.

use crate::helpers::*;
use serde_json::{Value, json};

/// Three areas 0.01° wide near Chicago (lon −87.69 to −87.66; every demand point within
/// 3 km of every other): 300, 0 and 60 children. One child-care centre in area 3 with 30 slots reaches them all:
/// D = 360, A = 30/360 = 1/12, so area 1 lacks 300·(1/3 − 1/12) = 75 slots and area 3
/// 60·(1/3 − 1/12) = 15. Area 1 is a desert (300 children, no slot inside); area 3 is not
/// (60 / 30 = 2). A new site of C = 30 slots (the median) anywhere here reaches all three:
/// area 1 gets min(75, 300·30/360 = 25), area 3 min(15, 60·30/360 = 5): gain 30.
const SITES: &str = "id,name,partner,partner_id,kind,lat,lon,services,capacity,partnership_level\n\
cc-3,Kids Center,Little Stars,little-stars,child care center,41.805,-87.665,childcare,30,collaboration\n\
lib-1,Branch Library,Public Library,library,library,41.805,-87.685,adult_education;language,,networking\n\
pantry-1,Food Pantry,Food Co-op,food-coop,faith-based,41.805,-87.685,food,,cooperation\n\
far-1,Far Library,Public Library,library,library,41.99,-87.695,adult_education,,networking\n\
stop-1,Bus stop,Transit,transit-cta,,41.805,-87.695,transit,,\n";

async fn app() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let demand = "GEOID,children_under_5\n01001000001,300\n01001000002,0\n01001000003,60\n";
    assert_eq!(app.put_assessment(2024, "g", demand).await.status(), 200);
    let r = app.post_partners("", "text/csv", SITES).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn the_organisations_worth_approaching_are_ranked_by_the_shortfall_they_would_close() {
    let app = app().await;
    let body = app
        .get_json("/api/v1/opportunities?year=2024&need=childcare")
        .await;
    assert_eq!(
        body["opportunities"],
        json!([{
            "rank": 1,
            "partner_id": "library",
            "partner": "Public Library",
            "site_id": "lib-1",
            "name": "Branch Library",
            "kind": "library",
            "partnership_level": "networking",
            "lon": -87.685,
            "lat": 41.805,
            "gain": 30.0,
            "shortfall_within": 90.0,
            "areas": ["01001000001", "01001000002", "01001000003"],
            "deserts": ["01001000001"]
        }]),
        "{body}"
    );
    let s = &body["summary"];
    // Four sites without the stop; the library's two are eligible, one near a desert.
    assert_eq!(
        (
            &s["sites"],
            &s["eligible"],
            &s["candidates"],
            &s["deserts"],
            &s["capacity"]
        ),
        (&json!(4), &json!(2), &json!(1), &json!(1), &json!(30.0)),
        "{body}"
    );
    // The gain is what siting gives the same place.
    let siting = app
        .get_json("/api/v1/siting?year=2024&need=childcare&k=1")
        .await;
    assert_eq!(siting["suggestions"][0]["gain"], 30.0);

    let csv = app
        .get("/api/v1/opportunities?year=2024&need=childcare&format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        "rank,partner_id,partner,site_id,name,kind,partnership_level,lon,lat,gain,shortfall_within,areas,deserts\n\
         1,library,Public Library,lib-1,Branch Library,library,networking,-87.685,41.805,30,90,01001000001;01001000002;01001000003,01001000001\n"
    );

    // Once the library cooperates, it is no longer someone to approach.
    let r = app
        .send(
            reqwest::Method::PATCH,
            "/api/v1/partners/library",
            "application/json",
            r#"{"partnership_level": "cooperation"}"#,
        )
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = app
        .get_json("/api/v1/opportunities?year=2024&need=childcare")
        .await;
    assert_eq!(body["opportunities"], json!([]));
}

async fn siting_at_real_places_picks_among_the_places_worth_approaching() {
    let app = app().await;
    // Only the branch library qualifies: one suggestion though two are asked for, with the
    // gain it has as an opportunity (30).
    let body = app
        .get_json("/api/v1/siting?year=2024&need=childcare&k=2&candidates=assets")
        .await;
    let s = &body["suggestions"];
    assert_eq!(s.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(
        (
            &s[0]["site_id"],
            &s[0]["site_name"],
            &s[0]["partner_id"],
            &s[0]["partner"],
            &s[0]["kind"],
            &s[0]["geoid"],
            &s[0]["gain"],
            &s[0]["lon"],
        ),
        (
            &json!("lib-1"),
            &json!("Branch Library"),
            &json!("library"),
            &json!("Public Library"),
            &json!("library"),
            &json!("01001000001"),
            &json!(30.0),
            &json!(-87.685),
        ),
        "{body}"
    );
    assert_eq!(body["summary"]["candidates"], 1);
    assert_eq!(body["params"]["candidates"], "assets");
    // At demand points, any of the three areas is a candidate and two sites are placed
    // (30 each: 90 short before, 30 after).
    let body = app
        .get_json("/api/v1/siting?year=2024&need=childcare&k=2")
        .await;
    assert_eq!(body["params"]["candidates"], "demand_points");
    assert_eq!(body["summary"]["candidates"], 3);
    assert_eq!(body["summary"]["gain_total"], 60.0);
    assert_eq!(body["suggestions"][0]["site_id"], Value::Null);
    assert_error(
        app.get("/api/v1/siting?year=2024&need=childcare&k=2&candidates=libraries")
            .await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn bad_questions_are_refused_in_the_error_shape() {
    let app = app().await;
    assert_error(
        app.get("/api/v1/opportunities?year=2024&need=astrology")
            .await,
        404,
        "unknown_need",
    )
    .await;
    assert_error(
        app.get("/api/v1/opportunities?year=2031&need=childcare")
            .await,
        404,
        "unknown_year",
    )
    .await;
    assert_error(
        app.get("/api/v1/opportunities?year=2024&need=childcare&limit=0")
            .await,
        400,
        "invalid_parameter",
    )
    .await;
}

crate::api_tests!(
    the_organisations_worth_approaching_are_ranked_by_the_shortfall_they_would_close,
    siting_at_real_places_picks_among_the_places_worth_approaching,
    bad_questions_are_refused_in_the_error_shape,
);
