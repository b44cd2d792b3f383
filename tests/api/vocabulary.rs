//! `/api/v1/vocabulary`: the words the page shows come from the server, with the exact
//! values of `data/needs.toml`, `data/indicators.toml` and the partnership scales.

use crate::helpers::*;
use serde_json::{Value, json};

fn by<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

async fn the_vocabulary_gives_services_partnership_scales_indicators_and_supply_words() {
    let app = spawn_app().await;
    let v = app.get_json("/api/v1/vocabulary").await;

    // Services: every code of data/needs.toml, by code, each with its own colour.
    let services = v["services"].as_array().unwrap();
    let codes: Vec<&str> = services
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "adult_education",
            "childcare",
            "disability",
            "early_education",
            "employment",
            "food",
            "health",
            "housing",
            "language",
            "mental_health",
            "parenting",
            "transit",
            "transportation"
        ]
    );
    assert_eq!(
        by(&v["services"], "code", "childcare"),
        &json!({"code": "childcare", "label": "Child care", "colour": "#E69F00"})
    );
    assert_eq!(
        by(&v["services"], "code", "food"),
        &json!({"code": "food", "label": "Food", "colour": "#B2182B"})
    );
    let colours: std::collections::HashSet<&str> = services
        .iter()
        .map(|s| s["colour"].as_str().unwrap())
        .collect();
    assert_eq!(
        colours.len(),
        services.len(),
        "no two services share a colour"
    );
    // The desert rules, in menu order, and the one colour scale of "target met".
    let rules: Vec<&str> = v["desert_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["cap_childcare", "access", "catchment"]);
    assert_eq!(
        v["desert_rules"][0]["label"],
        "Slots in the area (CAP 2018)"
    );
    assert_eq!(
        v["scales"]["target_met"],
        json!({
            "bounds": [0.25, 0.5, 0.75, 1.0],
            "colours": ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
            "labels": [
                "under 25% of the target",
                "25% to under 50%",
                "50% to under 75%",
                "75% to under 100%",
                "target met (100% or more)"
            ],
            "no_demand": "#d4d4d4"
        })
    );

    // The partnership continuum and the stages, in their order.
    let codes = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        codes("partnership_levels"),
        ["networking", "coordination", "cooperation", "collaboration"]
    );
    assert_eq!(
        codes("partnership_stages"),
        [
            "getting_together",
            "building_trust",
            "strategic_plan",
            "taking_action"
        ]
    );
    let labels: Vec<&str> = v["partnership_stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Getting together",
            "Building trust and ownership",
            "Developing a strategic plan",
            "Taking action"
        ]
    );
    assert_eq!(
        v["partnership_levels"][0],
        json!({
            "code": "networking",
            "label": "Networking",
            "description": "Exchanging information for mutual benefit."
        })
    );

    // Indicators: data/indicators.toml, with the words for "per child" and the subset.
    assert_eq!(
        by(&v["indicators"], "name", "children_under_5_poverty"),
        &json!({
            "name": "children_under_5_poverty",
            "label": "Children under 5 below the poverty level",
            "unit": "children",
            "unit_singular": "child",
            "subset_of": "children_under_5"
        })
    );
    assert_eq!(
        by(&v["indicators"], "name", "households_no_vehicle")["unit"],
        "households"
    );
    assert!(
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["name"] != "head_start_waitlist"),
        "nothing stored yet names it"
    );

    // Supply: how a need counts it, and the unit of a need that names none.
    assert_eq!(
        v["supply"],
        json!([
            {"code": "capacity", "label": "places (capacity)", "unit": "places"},
            {"code": "sites", "label": "one per site", "unit": "sites"}
        ])
    );
}

async fn a_stored_indicator_the_catalog_does_not_describe_is_named_readably() {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("tracts", &three_areas()).await.status(), 200);
    let csv = "GEOID,children_under_5,head_start_waitlist,head_start_waitlist_moe\n\
               01001000001,10,3,1\n01001000002,20,4,1\n01001000003,30,5,2\n";
    assert_eq!(app.put_assessment(2024, "tracts", csv).await.status(), 200);
    let v = app.get_json("/api/v1/vocabulary").await;
    assert_eq!(
        by(&v["indicators"], "name", "head_start_waitlist"),
        &json!({
            "name": "head_start_waitlist",
            "label": "Head start waitlist",
            "unit": "head start waitlist",
            "unit_singular": "unit of head start waitlist",
            "subset_of": null
        })
    );
    // Margins of error are not indicators of their own.
    assert!(
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i["name"].as_str().unwrap().ends_with("_moe"))
    );
}

async fn every_need_names_its_supply_unit() {
    let app = spawn_app().await;
    let needs = app.get_json("/api/v1/needs").await;
    let unit = |code: &str| by(&needs["needs"], "code", code)["supply_unit"].clone();
    assert_eq!(unit("childcare"), "child-care slots");
    assert_eq!(unit("early_education"), "sites");
    assert_eq!(unit("transportation"), "sites");
}

crate::api_tests!(
    the_vocabulary_gives_services_partnership_scales_indicators_and_supply_words,
    a_stored_indicator_the_catalog_does_not_describe_is_named_readably,
    every_need_names_its_supply_unit,
);
