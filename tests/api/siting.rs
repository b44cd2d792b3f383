//! `/api/v1/siting`: greedy covering on the three squares of `three_areas()`, whose
//! demand points are 0.829 km apart in a row (1 to 2, 2 to 3) and 1.658 km from end to
//! end.
//!
//! Food (radius 1.6 km, target 0.0002 supermarkets per person in poverty) with no food
//! site: access is 0 and the shortfall is P·0.0002. With P = 10,000, 5,000 and 20,000 the
//! areas lack 2, 1 and 4 sites. A candidate at area 1 reaches areas 1 and 2, at area 2
//! all three, at area 3 areas 2 and 3 (1.658 km > 1.6 km).
//!
//! With capacity 5, a site shares its 5 units in proportion to the demand it reaches:
//! - at 1: D = 15,000; shares 10/3, 5/3; covers min(2, 10/3) + min(1, 5/3) = 3;
//! - at 2: D = 35,000; shares 10/7, 5/7, 20/7, all below what the areas lack: covers 5;
//! - at 3: D = 25,000; shares 1, 4: covers 1 + 4 = 5.
//!
//! Areas 2 and 3 tie at 5; area 2 reaches more open shortfall (7 against 5) and is
//! picked. The areas then lack 4/7, 2/7 and 8/7: area 3 now covers 2/7 + 8/7 = 10/7 and
//! area 1 covers 4/7 + 2/7 = 6/7, so area 3 comes second. Greedy covers 5 + 10/7 = 45/7;
//! the best pair (areas 1 and 3) would cover all 7, and 45/7 ≥ 63% of 7.

use crate::helpers::*;
use approx::assert_relative_eq;
use serde_json::{Value, json};

const CSV: &str = "GEOID,persons_poverty,children_under_5\n\
01001000001,10000,60\n01001000002,5000,60\n01001000003,20000,60\n";

async fn app_with_sites(sites: Option<&str>) -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let r = app.put_assessment(2024, "g", CSV).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    if let Some(sites) = sites {
        let r = app
            .post_partners("?filename=sites.csv", "text/csv", sites.to_owned())
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    app
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

async fn greedy_picks_the_largest_gain_then_the_largest_remaining_gain() {
    let app = app_with_sites(None).await;
    let body = app
        .get_json("/api/v1/siting?year=2024&need=food&k=2&capacity=5")
        .await;
    let s = body["suggestions"].as_array().unwrap();
    assert_eq!(s.len(), 2);

    assert_eq!(s[0]["rank"], 1);
    assert_eq!(s[0]["geoid"], "01001000002");
    assert_eq!(s[0]["name"], "Area 2");
    assert_relative_eq!(num(&s[0]["lon"]), -87.675, max_relative = 1e-9);
    assert_relative_eq!(num(&s[0]["lat"]), 41.805, max_relative = 1e-9);
    assert_relative_eq!(num(&s[0]["gain"]), 5.0, max_relative = 1e-12);
    assert_eq!(num(&s[0]["catchment_demand"]), 35000.0);
    assert_eq!(
        s[0]["areas"],
        json!(["01001000001", "01001000002", "01001000003"])
    );

    assert_eq!(s[1]["geoid"], "01001000003");
    assert_relative_eq!(num(&s[1]["gain"]), 10.0 / 7.0, max_relative = 1e-12);
    assert_relative_eq!(
        num(&s[1]["cumulative_gain"]),
        45.0 / 7.0,
        max_relative = 1e-12
    );
    assert_eq!(s[1]["areas"], json!(["01001000002", "01001000003"]));

    let sum = &body["summary"];
    assert_eq!(sum["candidates"], 3);
    assert_eq!(sum["suggestions"], 2);
    assert_relative_eq!(num(&sum["shortfall_before"]), 7.0, max_relative = 1e-12);
    assert_relative_eq!(num(&sum["gain_total"]), 45.0 / 7.0, max_relative = 1e-12);
    assert_relative_eq!(num(&sum["shortfall_after"]), 4.0 / 7.0, max_relative = 1e-9);
    // Greedy is within its guarantee of the best pair, which covers all 7.
    assert!(num(&sum["gain_total"]) >= (1.0 - (-1.0f64).exp()) * 7.0);

    let p = &body["params"];
    assert_eq!(
        (&p["need"], &p["k"], &p["capacity"], &p["capacity_source"]),
        (&json!("food"), &json!(2), &json!(5.0), &json!("given"))
    );
    assert_eq!(p["radius_km"], 1.6);
}

async fn picking_stops_when_the_shortfall_is_covered() {
    let app = app_with_sites(None).await;
    // Capacity 10 at area 2 shares 20/7, 10/7, 40/7: every area gets all it lacks.
    let body = app
        .get_json("/api/v1/siting?year=2024&need=food&k=3&capacity=10")
        .await;
    let s = body["suggestions"].as_array().unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["geoid"], "01001000002");
    assert_relative_eq!(num(&s[0]["gain"]), 7.0, max_relative = 1e-12);
    assert_eq!(body["summary"]["suggestions"], 1);
    assert_eq!(num(&body["summary"]["shortfall_after"]), 0.0);
    assert!(
        body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("only 1 suggestion")),
        "{}",
        body["notes"]
    );
}

async fn a_need_counted_in_sites_defaults_to_one_site() {
    let app = app_with_sites(None).await;
    let body = app.get_json("/api/v1/siting?year=2024&need=food&k=1").await;
    assert_eq!(body["params"]["capacity"], 1.0);
    assert_eq!(body["params"]["capacity_source"], "one_site");
    // One unit goes wholly to its areas wherever it stands (each lacks more than its
    // share); area 2 reaches the most open shortfall.
    assert_eq!(body["suggestions"][0]["geoid"], "01001000002");
    assert_relative_eq!(
        num(&body["suggestions"][0]["gain"]),
        1.0,
        max_relative = 1e-12
    );
}

async fn a_need_counted_in_capacity_defaults_to_the_median_site() {
    // Capacities 10, 20 and 60 far away (no demand in reach), plus one without capacity.
    let sites = "id,name,lat,lon,services,capacity\n\
a,A,42.5,-87.0,childcare,10\nb,B,42.5,-87.01,childcare,60\nc,C,42.5,-87.02,childcare,20\n\
d,D,42.5,-87.03,childcare,\n";
    let app = app_with_sites(Some(sites)).await;
    let body = app
        .get_json("/api/v1/siting?year=2024&need=childcare&k=1")
        .await;
    assert_eq!(body["params"]["capacity"], 20.0);
    assert_eq!(body["params"]["capacity_source"], "median_of_sites");
    // 180 children lack 60 places; a site anywhere reaches all three areas (3 km) and
    // places all of its 20.
    assert_relative_eq!(
        num(&body["summary"]["shortfall_before"]),
        60.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        num(&body["suggestions"][0]["gain"]),
        20.0,
        max_relative = 1e-12
    );
}

async fn bad_parameters_are_refused() {
    let app = app_with_sites(None).await;
    for q in [
        "year=2024&need=food&k=0",
        "year=2024&need=food&k=101",
        "year=2024&need=food&k=1&capacity=0",
        "year=2024&need=food&k=1&capacity=-3",
        "year=2024&need=food",
        "year=2024&need=food&k=two",
    ] {
        assert_error(
            app.get(&format!("/api/v1/siting?{q}")).await,
            400,
            "invalid_parameter",
        )
        .await;
    }
    // No child-care site has a capacity to take as typical.
    let body = assert_error(
        app.get("/api/v1/siting?year=2024&need=childcare&k=1").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("capacity="),
        "{body}"
    );
    assert_error(
        app.get("/api/v1/siting?year=1999&need=food&k=1").await,
        404,
        "unknown_year",
    )
    .await;
    assert_error(
        app.get("/api/v1/siting?year=2024&need=astrology&k=1").await,
        404,
        "unknown_need",
    )
    .await;
    assert_error(
        app.get("/api/v1/siting?year=2024&need=health&k=1").await,
        422,
        "unknown_indicator",
    )
    .await;
}

crate::api_tests!(
    greedy_picks_the_largest_gain_then_the_largest_remaining_gain,
    picking_stops_when_the_shortfall_is_covered,
    a_need_counted_in_sites_defaults_to_one_site,
    a_need_counted_in_capacity_defaults_to_the_median_site,
    bad_parameters_are_refused,
);
