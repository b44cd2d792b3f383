//! `/api/v1/needs` and `/api/v1/gaps`: every metric on a fixture small enough to check
//! by hand, the error cases, the filters and the three formats.

use crate::helpers::*;
use approx::assert_relative_eq;
use serde_json::Value;

/// R·π/180: one degree of longitude along the equator, in km (haversine, R = 6371.0088).
const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

/// Three squares 0.02° wide on the equator: A [0, 0.02], B [0.02, 0.04], C [0.04, 0.06]
/// (lat −0.01..0.01). Their demand points are the centroids, at lon 0.01, 0.03, 0.05.
/// Along the equator the haversine distance is exactly R·Δλ: 0.01° = 1.111951 km.
fn equator_areas() -> String {
    let square = |id: &str, x0: f64| {
        let x1 = x0 + 0.02;
        format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"{id}","NAME":"Area {id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},-0.01],[{x1},-0.01],[{x1},0.01],[{x0},0.01],[{x0},-0.01]]]}}}}"#
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
        square("0A", 0.0),
        square("0B", 0.02),
        square("0C", 0.04)
    )
}

/// Demand: A 60, B 150, C 0 children (C is a zero-demand area).
const DEMAND: &str = "GEOID,children_under_5,persons_uninsured,lep_persons,lep_spanish\n\
0A,60,100,80,50\n0B,150,99,40,30\n0C,0,250,0,0\n";

/// Four child-care sites on the equator:
/// - s1 at lon 0.010 (A's demand point, inside A), 30 slots;
/// - s2 at lon 0.035 (inside B), 20 slots;
/// - s3 at lon 0.040, **on the edge between B and C** (it belongs to B, listed first), 10 slots;
/// - s4 at lon 1.000, 111 km away from everything, 50 slots (no demand in reach: R = 0).
///
/// Distances (km, 0.01° = 1.112) and E2SFCA weights (bands 1/2/3 km: 1, 0.68, 0.22):
///
/// |    | A            | B            | C            |
/// |----|--------------|--------------|--------------|
/// | s1 | 0      → 1   | 2.224 → 0.22 | 4.448 → out  |
/// | s2 | 2.780 → 0.22 | 0.556 → 1    | 1.668 → 0.68 |
/// | s3 | 3.336 → out  | 1.112 → 0.68 | 1.112 → 0.68 |
const SITES: &str = "id,name,lat,lon,services,capacity,languages,hours\n\
s1,One,0,0.010,childcare,30,,\n\
s2,Two,0,0.035,childcare,20,,\n\
s3,Three,0,0.040,childcare,10,,\n\
s4,Far,0,1.000,childcare,50,,\n";

async fn equator_app(sites: &str) -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("eq", &equator_areas()).await.status(), 200);
    assert_eq!(app.put_assessment(2024, "eq", DEMAND).await.status(), 200);
    let r = app
        .post_partners("?filename=sites.csv", "text/csv", sites.to_owned())
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

fn area<'a>(body: &'a Value, geoid: &str) -> &'a Value {
    body["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["geoid"] == geoid)
        .unwrap_or_else(|| panic!("no area {geoid} in {body}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

async fn every_metric_of_the_hand_checked_fixture_is_exact() {
    let app = equator_app(SITES).await;
    let body = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(body["year"], 2024);
    assert_eq!(body["need"], "childcare");
    assert_eq!(body["params"]["radius_km"], 3.0);
    let (a, b, c) = (area(&body, "0A"), area(&body, "0B"), area(&body, "0C"));

    assert_eq!(
        (num(&a["demand"]), num(&b["demand"]), num(&c["demand"])),
        (60.0, 150.0, 0.0)
    );

    // nearest: s1 at A's point; s2 0.005° from B; s3 0.01° from C.
    assert_relative_eq!(num(&a["nearest_km"]), 0.0);
    assert_relative_eq!(
        num(&b["nearest_km"]),
        0.005 * KM_PER_DEGREE,
        max_relative = 1e-9
    );
    assert_relative_eq!(
        num(&c["nearest_km"]),
        0.01 * KM_PER_DEGREE,
        max_relative = 1e-9
    );

    // within 3 km: A {s1, s2} = 50 slots; B {s1, s2, s3} = 60; C {s2, s3} = 30.
    assert_eq!(
        (a["sites_within"].clone(), num(&a["capacity_within"])),
        (2.into(), 50.0)
    );
    assert_eq!(
        (b["sites_within"].clone(), num(&b["capacity_within"])),
        (3.into(), 60.0)
    );
    assert_eq!(
        (c["sites_within"].clone(), num(&c["capacity_within"])),
        (2.into(), 30.0)
    );

    // in the polygon: A {s1}; B {s2, s3 on the B|C edge}; C none.
    assert_eq!(
        (a["sites_in_area"].clone(), num(&a["capacity_in_area"])),
        (1.into(), 30.0)
    );
    assert_eq!(
        (b["sites_in_area"].clone(), num(&b["capacity_in_area"])),
        (2.into(), 30.0)
    );
    assert_eq!(
        (c["sites_in_area"].clone(), num(&c["capacity_in_area"])),
        (0.into(), 0.0)
    );

    // 2SFCA: D1 = 60+150 = 210, R1 = 30/210 = 1/7; D2 = 60+150+0, R2 = 20/210 = 2/21;
    // D3 = 150, R3 = 10/150 = 1/15; s4 reaches no demand, R4 = 0.
    // A = R1+R2 = 5/21; B = R1+R2+R3 = 32/105; C = R2+R3 = 17/105.
    assert_relative_eq!(num(&a["access_2sfca"]), 5.0 / 21.0, max_relative = 1e-12);
    assert_relative_eq!(num(&b["access_2sfca"]), 32.0 / 105.0, max_relative = 1e-12);
    assert_relative_eq!(num(&c["access_2sfca"]), 17.0 / 105.0, max_relative = 1e-12);

    // E2SFCA: D1 = 60·1 + 150·0.22 = 93; D2 = 60·0.22 + 150 + 0 = 163.2; D3 = 150·0.68 = 102.
    // A = 30/93 + 0.22·20/163.2; B = 0.22·30/93 + 20/163.2 + 0.68·10/102;
    // C = 0.68·20/163.2 + 0.68·10/102.
    let (r1, r2, r3) = (30.0 / 93.0, 20.0 / 163.2, 10.0 / 102.0);
    assert_relative_eq!(
        num(&a["access_e2sfca"]),
        r1 + 0.22 * r2,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        num(&b["access_e2sfca"]),
        0.22 * r1 + r2 + 0.68 * r3,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        num(&c["access_e2sfca"]),
        0.68 * r2 + 0.68 * r3,
        max_relative = 1e-12
    );

    // shortfall = P·max(0, 1/3 − A): A 60·(7/21 − 5/21) = 40/7; B 150·(35/105 − 32/105)
    // = 30/7; C has no demand.
    assert_relative_eq!(num(&a["shortfall"]), 40.0 / 7.0, max_relative = 1e-12);
    assert_relative_eq!(num(&b["shortfall"]), 30.0 / 7.0, max_relative = 1e-12);
    assert_eq!(num(&c["shortfall"]), 0.0);

    // CAP: A 60 children / 30 slots = 2 ≤ 3; B 150 / 30 = 5 > 3; C has no children.
    assert_eq!(
        (a["desert"].clone(), a["desert_reason"].clone()),
        (false.into(), Value::Null)
    );
    assert_eq!(b["desert"], true);
    assert_eq!(
        b["desert_reason"],
        "5.00 children per slot in the area (more than 3)"
    );
    assert_eq!(c["desert"], false);

    // In the area: P·1/3 − capacity_in_area, floored at 0: A 20 − 30 → 0; B 50 − 30 = 20.
    // The share of the target met as CAP measures it: A 30/20 = 1.5, B 30/50 = 0.6; C has
    // no demand, so no share. The desert B falls short; A, with more than enough, does not.
    assert_eq!(num(&a["shortfall_in_area"]), 0.0);
    assert_relative_eq!(num(&b["shortfall_in_area"]), 20.0, max_relative = 1e-12);
    assert_eq!(num(&c["shortfall_in_area"]), 0.0);
    assert_relative_eq!(num(&a["target_met"]), 1.5, max_relative = 1e-12);
    assert_relative_eq!(num(&b["target_met"]), 0.6, max_relative = 1e-12);
    assert!(c["target_met"].is_null(), "{c}");

    let s = &body["summary"];
    assert_eq!(s["areas"], 3);
    assert_eq!(num(&s["demand_total"]), 210.0);
    assert_eq!(s["deserts"], 1);
    assert_relative_eq!(num(&s["shortfall_total"]), 10.0, max_relative = 1e-12);
    assert_relative_eq!(
        num(&s["shortfall_in_area_total"]),
        20.0,
        max_relative = 1e-12
    );
    assert_eq!(s["sites"], 4);
    assert_eq!(s["sites_default_capacity"], 0);
    assert_eq!(num(&s["supply_total"]), 110.0);
    // Σ P·A = 60 = the 60 slots of s1..s3; s4 reaches nobody.
    assert_relative_eq!(
        num(&s["demand_weighted_access_2sfca"]),
        60.0,
        max_relative = 1e-12
    );
    assert_eq!(num(&s["supply_reached_2sfca"]), 60.0);
    assert_relative_eq!(
        num(&s["demand_weighted_access_e2sfca"]),
        60.0,
        max_relative = 1e-12
    );
    assert_eq!(num(&s["supply_reached_e2sfca"]), 60.0);
}

async fn the_catchment_rule_is_offered_beside_the_needs_own() {
    let app = equator_app(SITES).await;
    let body = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&desert_rule=catchment")
        .await;
    assert_eq!(body["params"]["desert_rule"]["kind"], "catchment");
    assert_eq!(body["params"]["desert_rule"]["min_demand"], 50.0);
    assert_eq!(body["params"]["desert_rule"]["strict_min"], true);
    let (a, b, c) = (area(&body, "0A"), area(&body, "0B"), area(&body, "0C"));
    // 2SFCA below 1/3 with more than 50 children: A (5/21) and B (32/105); C has none.
    // A has 30 slots inside for 60 children, no desert by CAP's in-area rule, but its
    // catchment is shared with B's 150 children.
    assert_eq!(a["desert"], true);
    assert_eq!(b["desert"], true);
    assert_eq!(c["desert"], false);
    assert_eq!(body["summary"]["deserts"], 2);
    assert_eq!(
        b["desert_reason"],
        "2SFCA access 3.048e-1 per unit of demand within 3 km is below the target \
         3.333333333333333e-1 (91 % of it)"
    );
    // The share met is now the 2SFCA access ÷ 1/3: A 15/21, B 96/105; both short of 1.
    assert_relative_eq!(num(&a["target_met"]), 15.0 / 21.0, max_relative = 1e-12);
    assert_relative_eq!(num(&b["target_met"]), 96.0 / 105.0, max_relative = 1e-12);
    // Everything else is as with the need's own rule.
    let own = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(own["params"]["desert_rule"]["kind"], "cap_childcare");
    assert_eq!(area(&own, "0A")["access_2sfca"], a["access_2sfca"]);
    assert_eq!(area(&own, "0B")["shortfall"], b["shortfall"]);
    let named = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&desert_rule=need")
        .await;
    assert_eq!(named["areas"], own["areas"]);
    let r = app
        .get("/api/v1/gaps?year=2024&need=childcare&desert_rule=cap")
        .await;
    assert_error(r, 400, "invalid_parameter").await;
}

async fn a_smaller_radius_cuts_the_bands_and_the_catchments() {
    let app = equator_app(SITES).await;
    let body = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&radius_km=1.5")
        .await;
    assert_eq!(
        body["params"]["bands"],
        serde_json::json!([[1.0, 1.0], [1.5, 0.68]])
    );
    // Within 1.5 km: A {s1 at 0}, B {s2 at 0.556, s3 at 1.112}, C {s3 at 1.112}.
    // 2SFCA: R1 = 30/60, R2 = 20/150, R3 = 10/(150+0).
    let (a, b, c) = (area(&body, "0A"), area(&body, "0B"), area(&body, "0C"));
    assert_eq!(a["sites_within"], 1);
    assert_relative_eq!(num(&a["access_2sfca"]), 0.5, max_relative = 1e-12);
    assert_relative_eq!(
        num(&b["access_2sfca"]),
        20.0 / 150.0 + 10.0 / 150.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(num(&c["access_2sfca"]), 10.0 / 150.0, max_relative = 1e-12);
    // E2SFCA: s3 is in the second band (0.68) of both B and C.
    assert_relative_eq!(
        num(&b["access_e2sfca"]),
        20.0 / 150.0 + 0.68 * 10.0 / (0.68 * 150.0),
        max_relative = 1e-12
    );
}

async fn a_site_without_capacity_uses_the_default_and_is_counted() {
    let sites = SITES.replace("s4,Far,0,1.000,childcare,50", "s4,Far,0,1.000,childcare,");
    let app = equator_app(&sites).await;
    let body = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(body["summary"]["sites_default_capacity"], 1);
    // childcare's default capacity is 0: unknown slots count for nothing.
    assert_eq!(num(&body["summary"]["supply_total"]), 60.0);
}

async fn a_need_no_site_serves_has_no_nearest_site_no_access_and_deserts() {
    let app = equator_app(SITES).await;
    let body = app.get_json("/api/v1/gaps?year=2024&need=health").await;
    for a in body["areas"].as_array().unwrap() {
        assert!(a["nearest_km"].is_null(), "{a}");
        assert_eq!(
            (num(&a["access_2sfca"]), num(&a["access_e2sfca"])),
            (0.0, 0.0)
        );
        assert_eq!(a["sites_within"], 0);
    }
    // health: demand ≥ 100 uninsured makes a desert: A (100) and C (250), not B (99).
    assert_eq!(area(&body, "0A")["desert_reason"], "no site within 5 km");
    assert_eq!(area(&body, "0B")["desert"], false);
    assert_eq!(area(&body, "0C")["desert"], true);
    assert_eq!(body["summary"]["deserts"], 2);
    assert_eq!(body["summary"]["sites"], 0);
}

async fn the_language_filter_uses_its_indicator_and_only_sites_serving_it() {
    let sites = "id,name,lat,lon,services,capacity,languages,hours\n\
        l1,Spanish,0,0.010,language,,es;en,\n\
        l2,English,0,0.030,language,,en,\n";
    let app = equator_app(sites).await;
    let all = app.get_json("/api/v1/gaps?year=2024&need=language").await;
    assert_eq!(all["params"]["demand_indicator"], "lep_persons");
    assert_eq!(all["summary"]["sites"], 2);
    let es = app
        .get_json("/api/v1/gaps?year=2024&need=language&language=es")
        .await;
    assert_eq!(es["params"]["demand_indicator"], "lep_spanish");
    assert_eq!(es["params"]["language"], "es");
    assert_eq!(es["summary"]["sites"], 1);
    // l1 reaches A (0 km) and B (2.224 km): R = 1 / (50 + 30).
    let a = area(&es, "0A");
    assert_eq!(num(&a["demand"]), 50.0);
    assert_relative_eq!(num(&a["access_2sfca"]), 1.0 / 80.0, max_relative = 1e-12);
    assert_relative_eq!(
        num(&area(&es, "0C")["nearest_km"]),
        0.04 * KM_PER_DEGREE,
        max_relative = 1e-9
    );

    let r = app
        .get("/api/v1/gaps?year=2024&need=language&language=xx")
        .await;
    let e = assert_error(r, 400, "invalid_parameter").await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("es"),
        "{e}"
    );
    // Chinese is a declared filter, but the year has no lep_chinese: refused naming it,
    // never a bare "no indicator".
    let r = app
        .get("/api/v1/gaps?year=2024&need=language&language=zh")
        .await;
    let e = assert_error(r, 422, "filter_without_data").await;
    assert_eq!(e["error"]["details"][0]["field"], "lep_chinese", "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("add a 'lep_chinese' column to the 2024 assessment CSV"),
        "{message}"
    );
}

async fn a_filter_no_sites_data_can_answer_is_refused_with_filter_without_data() {
    // SITES records neither opening hours nor languages.
    let app = equator_app(SITES).await;
    for format in ["json", "csv", "geojson"] {
        let r = app
            .get(&format!(
                "/api/v1/gaps?year=2024&need=childcare&hours=evening&format={format}"
            ))
            .await;
        let e = assert_error(r, 422, "filter_without_data").await;
        assert_eq!(e["error"]["details"][0]["field"], "hours", "{e}");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "hours=evening cannot be answered: none of the 4 sites that supply 'Child care' \
                 records its opening hours; add them to the partner directory"
            ),
            "{message}"
        );
        assert!(
            message.contains("`hours` column of the flat CSV"),
            "{message}"
        );
    }
    // The language need: a library without languages.
    let r = app
        .post_partners(
            "?mode=merge&filename=library.csv",
            "text/csv",
            "id,name,lat,lon,services\nlib,Library,0,0.03,language\n".to_owned(),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .get("/api/v1/gaps?year=2024&need=language&language=es")
        .await;
    let e = assert_error(r, 422, "filter_without_data").await;
    assert_eq!(e["error"]["details"][0]["field"], "languages", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("records the languages it serves"),
        "{e}"
    );
    // The sites the page would draw for the filter are refused the same way.
    let r = app.get("/api/v1/sites?need=childcare&hours=weekend").await;
    assert_error(r, 422, "filter_without_data").await;
    // And the filters list says so, with the reason, before anyone asks.
    let f = app
        .get_json("/api/v1/needs/childcare/filters?year=2024")
        .await;
    assert_eq!(f["need"], "childcare");
    assert_eq!(f["sites"], 4);
    let filters = f["filters"].as_array().unwrap();
    let values: Vec<&str> = filters
        .iter()
        .map(|x| x["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["evening", "weekend", "evening_or_weekend"]);
    for x in filters {
        assert_eq!(x["param"], "hours");
        assert_eq!(x["available"], false);
        assert_eq!(x["answerable"], false);
        assert_eq!(x["sites_recording"], 0);
        assert!(
            x["reason"]
                .as_str()
                .unwrap()
                .contains("records its opening hours"),
            "{x}"
        );
    }
    let f = app
        .get_json("/api/v1/needs/language/filters?year=2024")
        .await;
    let by = |v: &str| {
        f["filters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["value"] == v)
            .unwrap()
            .clone()
    };
    assert_eq!(by("es")["demand_indicator"], "lep_spanish");
    assert_eq!(by("es")["available"], false);
    assert!(
        by("zh")["reason"]
            .as_str()
            .unwrap()
            .contains("the 2024 assessment does not have"),
        "{f}"
    );
    assert_error(
        app.get("/api/v1/needs/nope/filters?year=2024").await,
        404,
        "unknown_need",
    )
    .await;
    assert_error(
        app.get("/api/v1/needs/childcare/filters?year=2031").await,
        404,
        "unknown_year",
    )
    .await;
    // Without a filter nothing changes.
    let all = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(all["summary"]["sites"], 4);
}

async fn the_hours_filter_keeps_sites_open_at_those_times() {
    let sites = "id,name,lat,lon,services,capacity,languages,hours\n\
        h1,Late,0,0.010,childcare,30,,Mo-Fr 07:00-21:00\n\
        h2,Weekend,0,0.030,childcare,20,,Sa 08:00-12:00\n\
        h3,Unknown,0,0.050,childcare,10,,\n";
    let app = equator_app(sites).await;
    let evening = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&hours=evening")
        .await;
    assert_eq!(evening["summary"]["sites"], 1);
    assert_eq!(evening["params"]["hours"], "evening");
    assert_eq!(area(&evening, "0A")["sites_in_area"], 1);
    assert_eq!(area(&evening, "0B")["sites_in_area"], 0);
    let weekend = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&hours=weekend")
        .await;
    assert_eq!(weekend["summary"]["sites"], 1);
    assert_eq!(area(&weekend, "0B")["sites_in_area"], 1);
    // The sites the filter keeps, as the page draws them: h1 only.
    let sites = app
        .get_json("/api/v1/sites?need=childcare&hours=evening")
        .await;
    let ids: Vec<&str> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["h1"]);
    let sites = app.get_json("/api/v1/sites?need=childcare").await;
    assert_eq!(sites["features"].as_array().unwrap().len(), 3);
    assert_error(
        app.get("/api/v1/sites?hours=evening").await,
        400,
        "invalid_parameter",
    )
    .await;
    let f = app
        .get_json("/api/v1/needs/childcare/filters?year=2024")
        .await;
    assert_eq!(f["filters"][0]["value"], "evening");
    assert_eq!(f["filters"][0]["available"], true);
    assert_eq!(f["filters"][0]["sites_recording"], 2);
    assert_eq!(f["filters"][0]["sites_matching"], 1);
    assert!(f["filters"][0]["reason"].is_null());
    let r = app
        .get("/api/v1/gaps?year=2024&need=childcare&hours=night")
        .await;
    assert_error(r, 400, "invalid_parameter").await;
    let r = app
        .get("/api/v1/gaps?year=2024&need=food&hours=evening")
        .await;
    assert_error(r, 400, "invalid_parameter").await;
}

async fn unknown_years_needs_and_indicators_are_refused_in_the_error_shape() {
    let app = equator_app(SITES).await;
    let e = assert_error(
        app.get("/api/v1/gaps?year=1999&need=childcare").await,
        404,
        "unknown_year",
    )
    .await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("2024"),
        "{e}"
    );
    let e = assert_error(
        app.get("/api/v1/gaps?year=2024&need=dentistry").await,
        404,
        "unknown_need",
    )
    .await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("childcare"),
        "{e}"
    );
    // The fixture has no persons_poverty column, the demand of `food`.
    let e = assert_error(
        app.get("/api/v1/gaps?year=2024&need=food").await,
        422,
        "unknown_indicator",
    )
    .await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'persons_poverty'"),
        "{e}"
    );
    assert_error(
        app.get("/api/v1/gaps?need=childcare").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        app.get("/api/v1/gaps?year=2024&need=childcare&radius_km=0")
            .await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        app.get("/api/v1/gaps?year=2024&need=childcare&format=xml")
            .await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn csv_and_geojson_carry_the_same_numbers() {
    let app = equator_app(SITES).await;
    let r = app
        .get("/api/v1/gaps?year=2024&need=childcare&format=csv")
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "geoid,name,demand,nearest_km,sites_within,capacity_within,sites_in_area,capacity_in_area,access_2sfca,access_e2sfca,shortfall,desert,desert_reason,demand_moe,desert_certainty,shortfall_in_area,target_met,nearest_minutes"
        )
    );
    let b: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
    assert_eq!(&b[..3], ["0B", "Area 0B", "150"]);
    assert_eq!(&b[4..8], ["3", "60", "2", "30"]);
    assert_relative_eq!(
        b[8].parse::<f64>().unwrap(),
        32.0 / 105.0,
        max_relative = 1e-12
    );
    assert_eq!(b[11], "true");
    let c: Vec<&str> = csv.lines().nth(3).unwrap().split(',').collect();
    assert_eq!((c[11], c[12]), ("false", ""));

    let r = app
        .get("/api/v1/gaps?year=2024&need=childcare&format=geojson")
        .await;
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let g: Value = r.json().await.unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    let f = &g["features"][1];
    assert_eq!(f["id"], "0B");
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    assert_eq!(f["properties"]["sites_within"], 3);
    assert_eq!(f["properties"]["desert"], true);
    assert_relative_eq!(
        num(&f["properties"]["access_2sfca"]),
        32.0 / 105.0,
        max_relative = 1e-12
    );
}

async fn a_new_upload_is_not_answered_from_the_cache() {
    let app = equator_app(SITES).await;
    let before = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(before["summary"]["sites"], 4);
    let r = app
        .post_partners(
            "?filename=more.csv",
            "text/csv",
            "id,name,lat,lon,services,capacity\ns5,Five,0,0.05,childcare,7\n".to_owned(),
        )
        .await;
    assert_eq!(r.status(), 200);
    let after = app.get_json("/api/v1/gaps?year=2024&need=childcare").await;
    assert_eq!(after["summary"]["sites"], 5);
    assert_eq!(area(&after, "0C")["sites_in_area"], 1);
}

async fn the_needs_list_shows_each_need_with_its_parameters() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/needs").await;
    let needs = body["needs"].as_array().unwrap();
    assert_eq!(needs.len(), 6);
    let cc = needs.iter().find(|n| n["code"] == "childcare").unwrap();
    for field in [
        "label",
        "demand_indicator",
        "services",
        "supply",
        "radius_km",
        "bands",
        "target",
        "desert_rule",
        "filters",
    ] {
        assert!(!cc[field].is_null(), "{field} missing: {cc}");
    }
    assert_eq!(cc["desert_rule"]["kind"], "cap_childcare");
    assert_eq!(
        cc["filters"]["hours"],
        serde_json::json!(["evening", "weekend", "evening_or_weekend"])
    );
    let lang = needs.iter().find(|n| n["code"] == "language").unwrap();
    assert_eq!(lang["filters"]["language"]["es"], "lep_spanish");
}

/// The numbers of PySAL's `access` package (two_stage_fca and enhanced_two_stage_fca with
/// weights.step_fn) for a fixed dataset, written by benches/pysal/compare.py. `access`
/// leaves an area with no site in reach at NaN (null here); gapmap reports 0 there.
#[test]
fn analysis_matches_pysal_access() {
    use gapmap::analysis::{Problem, e2sfca, two_sfca};
    use gapmap::domain::LonLat;
    use gapmap::spatial::Catchment;

    let fixture: Value = serde_json::from_slice(&fixture("pysal_fca.json")).unwrap();
    let point = |v: &Value| LonLat::new(num(&v["lon"]), num(&v["lat"])).unwrap();
    let demand: Vec<(LonLat, f64)> = fixture["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (point(a), num(&a["demand"])))
        .collect();
    let sites: Vec<(LonLat, f64)> = fixture["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (point(s), num(&s["supply"])))
        .collect();
    let bands: Vec<(f64, f64)> = fixture["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (num(&b[0]), num(&b[1])))
        .collect();
    let problem = Problem::from_points(
        &demand,
        &sites,
        Catchment::new(num(&fixture["radius_km"]), bands),
    );
    for (ours, name) in [
        (two_sfca(&problem).access, "two_stage_fca"),
        (e2sfca(&problem).access, "enhanced_two_stage_fca"),
    ] {
        let theirs = fixture[name].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len());
        let mut compared = 0;
        for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
            match t.as_f64() {
                Some(t) => {
                    assert_relative_eq!(*o, t, max_relative = 1e-9);
                    compared += 1;
                }
                None => assert_eq!(*o, 0.0, "{name}: area {i} has no site in reach"),
            }
        }
        assert_eq!(compared, 7, "{name}: every area but a6 has a PySAL value");
    }
}

async fn the_demo_shows_chicagos_child_care_deserts() {
    let app = spawn_with(|s| s.no_demo = false).await;
    let body = app.get_json("/api/v1/gaps?year=2014&need=childcare").await;
    let s = &body["summary"];
    assert_eq!(s["areas"], 791);
    assert_eq!(s["sites"], 778);
    // 2 centres list no capacity and count for nothing (default_capacity = 0).
    assert_eq!(s["sites_default_capacity"], 2);
    let deserts = s["deserts"].as_u64().unwrap();
    assert!((350..=600).contains(&deserts), "{deserts} deserts");
    // Every desert is explained; Clearing (southwest side) is one throughout.
    for a in body["areas"].as_array().unwrap() {
        assert_eq!(
            a["desert"].as_bool().unwrap(),
            a["desert_reason"].is_string(),
            "{a}"
        );
        if a["name"].as_str().unwrap().ends_with(", Clearing") {
            assert_eq!(a["desert"], true, "{a}");
        }
    }
    // No demo child-care centre records its hours: "open in the evening" is refused,
    // not answered with 746 invented deserts.
    let r = app
        .get("/api/v1/gaps?year=2014&need=childcare&hours=evening")
        .await;
    assert_error(r, 422, "filter_without_data").await;
    // The colour of "target met" is never a desert's: every desert falls short of the
    // target as its rule measures it, under the need's rule and the catchment rule.
    for rule in ["need", "catchment"] {
        let body = app
            .get_json(&format!(
                "/api/v1/gaps?year=2014&need=childcare&desert_rule={rule}"
            ))
            .await;
        let mut deserts = 0;
        for a in body["areas"].as_array().unwrap() {
            if a["desert"] == true {
                deserts += 1;
                assert!(num(&a["target_met"]) < 1.0, "{rule}: {a}");
                assert!(
                    num(&a["shortfall_in_area"]) > 0.0 || rule == "catchment",
                    "{a}"
                );
            }
        }
        assert!(deserts > 100, "{rule}: {deserts}");
    }
    // The FCA invariant holds on real data too.
    assert_relative_eq!(
        num(&s["demand_weighted_access_2sfca"]),
        num(&s["supply_reached_2sfca"]),
        max_relative = 1e-9
    );
}

/// `sort=`, `deserts_only=` and `limit=`: the map's ranking from the server, for a
/// geography too large to send whole. The rows are the whole answer's, worst first as the
/// page ranks them (web/app/metrics.js `rank`), cut to `limit`; the summary stays the
/// whole geography's; bad values are refused naming the parameter.
async fn the_server_ranks_the_rows_worst_first_and_sends_the_first() {
    let app = spawn_with(|s| s.no_demo = false).await;
    let whole = app.get_json("/api/v1/gaps?year=2014&need=childcare").await;
    let rows = whole["areas"].as_array().unwrap();
    let f = |a: &Value, k: &str| a[k].as_f64();
    for metric in [
        "shortfall_in_area",
        "shortfall",
        "access_2sfca",
        "access_e2sfca",
        "demand",
        "nearest_km",
    ] {
        for deserts_only in [false, true] {
            let badness = |a: &Value| -> Option<f64> {
                let demand = f(a, "demand").unwrap();
                match metric {
                    "access_2sfca" | "access_e2sfca" => {
                        (demand > 0.0).then(|| -f(a, metric).unwrap())
                    }
                    "nearest_km" => match f(a, metric) {
                        None if demand > 0.0 => Some(f64::INFINITY),
                        v => v,
                    },
                    _ => f(a, metric),
                }
            };
            let mut expected: Vec<(&Value, f64)> = rows
                .iter()
                .filter(|a| !deserts_only || a["desert"] == true)
                .filter_map(|a| badness(a).map(|b| (a, b)))
                .collect();
            expected.sort_by(|(x, bx), (y, by)| {
                by.total_cmp(bx)
                    .then(
                        f(y, "shortfall")
                            .unwrap()
                            .total_cmp(&f(x, "shortfall").unwrap()),
                    )
                    .then(f(y, "demand").unwrap().total_cmp(&f(x, "demand").unwrap()))
                    .then(x["geoid"].as_str().cmp(&y["geoid"].as_str()))
            });
            let path = format!(
                "/api/v1/gaps?year=2014&need=childcare&sort={metric}&limit=20{}",
                if deserts_only {
                    "&deserts_only=true"
                } else {
                    ""
                }
            );
            let ranked = app.get_json(&path).await;
            let got = ranked["areas"].as_array().unwrap();
            assert_eq!(got.len(), 20, "{path}");
            for (g, (e, _)) in got.iter().zip(&expected) {
                assert_eq!(g, *e, "{path}: the whole answer's row, in rank order");
            }
            assert_eq!(ranked["summary"], whole["summary"], "{path}");
            assert_eq!(ranked["params"], whole["params"], "{path}");
        }
    }
    // Without `sort`, `limit` keeps the assessment's order; CSV takes the same rows.
    let first = app
        .get_json("/api/v1/gaps?year=2014&need=childcare&limit=3")
        .await;
    assert_eq!(first["areas"].as_array().unwrap()[..], rows[..3]);
    let csv = app
        .get("/api/v1/gaps?year=2014&need=childcare&sort=demand&limit=5&format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 6, "{csv}");
    for (path, field) in [
        ("sort=rank", "sort"),
        ("sort=nearest_minutes", "nearest_minutes"),
        ("limit=0", "limit"),
        ("limit=100001", "limit"),
    ] {
        let r = app
            .get(&format!("/api/v1/gaps?year=2014&need=childcare&{path}"))
            .await;
        assert_eq!(r.status(), 400, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_parameter", "{path}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{path}: {body}"
        );
    }
}

/// An answer not yet cached streams (chunked, no `Content-Length`, in pieces of 64 KiB):
/// on the demo, CSV, GeoJSON and JSON come in more than one piece, with the bytes the
/// cache then answers whole and, for CSV, those the command line writes; errors of the
/// question still come before the first byte, in the error shape.
async fn csv_and_geojson_answers_stream_the_bytes_the_cache_keeps() {
    let app = spawn_with(|s| s.no_demo = false).await;
    for format in ["csv", "geojson", "json"] {
        let path = format!("/api/v1/gaps?year=2014&need=childcare&format={format}");
        let mut r = app.get(&path).await;
        assert_eq!(r.status(), 200, "{format}");
        assert_eq!(r.content_length(), None, "{format}: streamed, no length");
        assert_eq!(r.headers()["transfer-encoding"], "chunked", "{format}");
        if format == "csv" {
            assert_eq!(
                r.headers()["content-disposition"],
                "attachment; filename=\"gaps_2014_childcare.csv\""
            );
        }
        let (mut pieces, mut streamed) = (0, Vec::new());
        while let Some(piece) = r.chunk().await.unwrap() {
            pieces += 1;
            streamed.extend_from_slice(&piece);
        }
        assert!(
            streamed.len() > 2 * 64 * 1024,
            "{format}: {} bytes",
            streamed.len()
        );
        assert!(pieces > 1, "{format}: {pieces} piece");
        // The next request is answered whole from the cache, with the same bytes.
        let again = app.get(&path).await;
        assert_eq!(
            again.content_length(),
            Some(streamed.len() as u64),
            "{format}"
        );
        assert_eq!(again.bytes().await.unwrap(), streamed, "{format}");
        match format {
            "csv" => {
                let cli = gapmap_ok(
                    &app.db.url,
                    &[
                        "gaps",
                        "--year",
                        "2014",
                        "--need",
                        "childcare",
                        "--format",
                        "csv",
                    ],
                );
                assert_eq!(cli.as_bytes(), streamed.as_slice());
            }
            _ => {
                let v: Value = serde_json::from_slice(&streamed).unwrap();
                let rows = if format == "json" {
                    &v["areas"]
                } else {
                    &v["features"]
                };
                assert_eq!(rows.as_array().unwrap().len(), 791, "{format}");
            }
        }
    }
    for format in ["csv", "geojson"] {
        let r = app
            .get(&format!(
                "/api/v1/gaps?year=2014&need=dentistry&format={format}"
            ))
            .await;
        assert!(r.content_length().is_some(), "an error is not streamed");
        assert_error(r, 404, "unknown_need").await;
    }
    assert_error(
        app.get("/api/v1/gaps?year=2014&need=childcare&format=docx")
            .await,
        400,
        "invalid_parameter",
    )
    .await;
}

async fn a_year_that_is_no_year_is_refused_where_it_enters() {
    let app = crate::helpers::spawn_app().await;
    for path in [
        "/api/v1/gaps?year=1850&need=childcare",
        "/api/v1/gaps?year=twenty&need=childcare",
        "/api/v1/outreach?year=99999&target=children_under_5",
        "/api/v1/compare?need=childcare&from=2014&to=3000",
        "/api/v1/assessments/1066",
        "/reports/12",
    ] {
        let body =
            crate::helpers::assert_error(app.get(path).await, 400, "invalid_parameter").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("not a plausible assessment year"),
            "{path}: {message}"
        );
    }
}

crate::api_tests!(
    a_year_that_is_no_year_is_refused_where_it_enters,
    every_metric_of_the_hand_checked_fixture_is_exact,
    a_smaller_radius_cuts_the_bands_and_the_catchments,
    the_catchment_rule_is_offered_beside_the_needs_own,
    a_site_without_capacity_uses_the_default_and_is_counted,
    a_need_no_site_serves_has_no_nearest_site_no_access_and_deserts,
    the_language_filter_uses_its_indicator_and_only_sites_serving_it,
    the_hours_filter_keeps_sites_open_at_those_times,
    a_filter_no_sites_data_can_answer_is_refused_with_filter_without_data,
    unknown_years_needs_and_indicators_are_refused_in_the_error_shape,
    csv_and_geojson_carry_the_same_numbers,
    a_new_upload_is_not_answered_from_the_cache,
    the_needs_list_shows_each_need_with_its_parameters,
    the_demo_shows_chicagos_child_care_deserts,
    the_server_ranks_the_rows_worst_first_and_sends_the_first,
    csv_and_geojson_answers_stream_the_bytes_the_cache_keeps,
);
