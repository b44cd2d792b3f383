//! `/api/v1/compare`: one need in two years on two geographies that share two GEOIDs.
//!
//! One child-care centre of 30 slots sits at area 1's demand point; all three areas of
//! either year lie within its 3 km, so 2SFCA gives every area A = 30 / Σ P, and the
//! shortfall is P·(1/3 − A).
//!
//! - 2023 on `g` (areas 1, 2, 3): P = 60, 40, 50; A = 30/150 = 1/5; shortfall
//!   P·2/15 = 8, 16/3, 20/3 (total 20). No desert: 60 children / 30 slots = 2; 40 and 50
//!   are not above 50.
//! - 2024 on `g2` (areas 1, 2, and 4 instead of 3): P = 90, 60, 30; A = 30/180 = 1/6;
//!   shortfall P/6 = 15, 10, 5 (total 30). Area 1 has exactly 3 children per slot (not a
//!   desert); area 2 has 60 children and no slot inside: it became a desert.

use crate::helpers::*;
use approx::assert_relative_eq;
use serde_json::{Value, json};

const SITES: &str =
    "id,name,lat,lon,services,capacity\ncc1,Little Stars,41.805,-87.685,childcare,30\n";

async fn two_years() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let g2 = three_areas()
        .replace("01001000003", "01001000004")
        .replace("Area 3", "Area 4");
    assert_eq!(app.put_areas("g2", &g2).await.status(), 200);
    let r = app
        .put_assessment(
            2023,
            "g",
            "GEOID,children_under_5\n01001000001,60\n01001000002,40\n01001000003,50\n",
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .put_assessment(
            2024,
            "g2",
            "GEOID,children_under_5\n01001000001,90\n01001000002,60\n01001000004,30\n",
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post_partners("?filename=sites.csv", "text/csv", SITES.to_owned())
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

async fn each_area_shows_both_years_and_the_changes() {
    let app = two_years().await;
    let body = app
        .get_json("/api/v1/compare?need=childcare&from=2023&to=2024")
        .await;
    let areas = body["areas"].as_array().unwrap();
    let ids: Vec<&str> = areas.iter().map(|a| a["geoid"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["01001000001", "01001000002", "01001000003", "01001000004"]
    );

    let a1 = &areas[0];
    assert_eq!(a1["present_in"], "both");
    assert_eq!(
        (num(&a1["demand_from"]), num(&a1["demand_to"])),
        (60.0, 90.0)
    );
    assert_eq!(num(&a1["demand_change"]), 30.0);
    assert_relative_eq!(num(&a1["access_2sfca_from"]), 0.2, max_relative = 1e-12);
    assert_relative_eq!(num(&a1["access_2sfca_to"]), 1.0 / 6.0, max_relative = 1e-12);
    assert_relative_eq!(
        num(&a1["access_2sfca_change"]),
        -1.0 / 30.0,
        max_relative = 1e-9
    );
    assert_relative_eq!(num(&a1["shortfall_from"]), 8.0, max_relative = 1e-12);
    assert_relative_eq!(num(&a1["shortfall_to"]), 15.0, max_relative = 1e-12);
    assert_relative_eq!(num(&a1["shortfall_change"]), 7.0, max_relative = 1e-9);
    assert_eq!(
        (&a1["desert_from"], &a1["desert_to"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(a1["desert_flipped"], Value::Null);

    let a2 = &areas[1];
    assert_eq!(num(&a2["demand_change"]), 20.0);
    assert_relative_eq!(
        num(&a2["shortfall_change"]),
        10.0 - 16.0 / 3.0,
        max_relative = 1e-9
    );
    assert_eq!(a2["desert_from"], false);
    assert_eq!(a2["desert_to"], true);
    assert_eq!(a2["desert_flipped"], "became_desert");

    // Area 3 only in 2023, area 4 only in 2024: the other year and the changes are null.
    let (a3, a4) = (&areas[2], &areas[3]);
    assert_eq!(a3["present_in"], "from");
    assert_eq!(a3["name"], "Area 3");
    assert_eq!(num(&a3["demand_from"]), 50.0);
    assert_eq!(a3["demand_to"], Value::Null);
    assert_eq!(a3["demand_change"], Value::Null);
    assert_eq!(a3["shortfall_change"], Value::Null);
    assert_eq!(a3["desert_flipped"], Value::Null);
    assert_eq!(a4["present_in"], "to");
    assert_eq!(a4["demand_from"], Value::Null);
    assert_eq!(num(&a4["demand_to"]), 30.0);
    assert_relative_eq!(num(&a4["shortfall_to"]), 5.0, max_relative = 1e-12);

    let s = &body["summary"];
    assert_eq!(
        (
            &s["areas"],
            &s["areas_in_both"],
            &s["areas_only_from"],
            &s["areas_only_to"]
        ),
        (&json!(4), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(num(&s["demand_total_from"]), 150.0);
    assert_eq!(num(&s["demand_total_to"]), 180.0);
    assert_eq!(num(&s["demand_total_change"]), 30.0);
    assert_relative_eq!(num(&s["shortfall_total_from"]), 20.0, max_relative = 1e-12);
    assert_relative_eq!(num(&s["shortfall_total_to"]), 30.0, max_relative = 1e-12);
    assert_relative_eq!(num(&s["shortfall_total_change"]), 10.0, max_relative = 1e-9);
    assert_eq!(
        (&s["deserts_from"], &s["deserts_to"]),
        (&json!(0), &json!(1))
    );
    assert_eq!(
        (&s["became_desert"], &s["no_longer_desert"]),
        (&json!(1), &json!(0))
    );

    let p = &body["params"];
    assert_eq!(
        (&p["need"], &p["from"], &p["to"]),
        (&json!("childcare"), &json!(2023), &json!(2024))
    );
    assert_eq!(
        (&p["geography_from"], &p["geography_to"]),
        (&json!("g"), &json!("g2"))
    );
    assert_eq!(
        (&p["version_from"], &p["version_to"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(p["partners"], "current");
    let notes: Vec<&str> = body["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(notes[0].contains("current partner directory"), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("different geographies")),
        "{notes:?}"
    );
}

async fn comparing_backwards_turns_the_flip_around() {
    let app = two_years().await;
    let body = app
        .get_json("/api/v1/compare?need=childcare&from=2024&to=2023")
        .await;
    let a2 = &body["areas"][1];
    assert_eq!(a2["geoid"], "01001000002");
    assert_eq!(a2["desert_flipped"], "no_longer_desert");
    assert_eq!(num(&a2["demand_change"]), -20.0);
    assert_eq!(body["areas"][2]["present_in"], "to");
    assert_eq!(body["summary"]["no_longer_desert"], 1);
}

async fn a_year_missing_the_demand_or_unknown_years_and_needs_are_refused() {
    let app = two_years().await;
    let r = app
        .put_assessment(2025, "g", "GEOID,households_no_vehicle\n01001000001,5\n")
        .await;
    assert_eq!(r.status(), 200);
    assert_error(
        app.get("/api/v1/compare?need=childcare&from=2023&to=2025")
            .await,
        422,
        "unknown_indicator",
    )
    .await;
    let body = assert_error(
        app.get("/api/v1/compare?need=childcare&from=1999&to=2024")
            .await,
        404,
        "unknown_year",
    )
    .await;
    assert!(body["error"]["message"].as_str().unwrap().contains("1999"));
    assert_error(
        app.get("/api/v1/compare?need=astrology&from=2023&to=2024")
            .await,
        404,
        "unknown_need",
    )
    .await;
    assert_error(
        app.get("/api/v1/compare?need=childcare&from=2023").await,
        400,
        "invalid_parameter",
    )
    .await;
}

crate::api_tests!(
    each_area_shows_both_years_and_the_changes,
    comparing_backwards_turns_the_flip_around,
    a_year_missing_the_demand_or_unknown_years_and_needs_are_refused,
);
