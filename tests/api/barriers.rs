//! `GET /api/v1/barriers`: per area, the four barriers of a family-partnership asset map,
//! each as the status of the need that measures it.

use crate::helpers::*;
use serde_json::{Value, json};

/// Three areas near Chicago (lon −87.69 to −87.66): children under 5 300, 0, 60;
/// limited-English persons 200, 0, 150; households without a car 50, 0, 10.
/// - Child care: one centre in area 3, 30 slots, Mo–Fr 07:00–17:00. Area 1 has no slot
///   inside (300 > 50: desert); area 3 has 60 / 30 = 2 (not).
/// - Non-traditional hours: the centre closes at 17:00 on weekdays, so no slot counts:
///   areas 1 and 3 are deserts (60 > 50 with none inside).
/// - English proficiency: a library language site in area 1 reaches every area within
///   2 km (E2SFCA well above half the target): no desert.
/// - Transportation: no stop at all: area 1 (50 households ≥ 25) is a desert, area 3
///   (10) is not.
///
/// So area 1 has 3 barriers, area 2 none, area 3 one.
async fn app() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let ind = "GEOID,children_under_5,lep_persons,households_no_vehicle\n\
               01001000001,300,200,50\n01001000002,0,0,0\n01001000003,60,150,10\n";
    assert_eq!(app.put_assessment(2024, "g", ind).await.status(), 200);
    let sites = "id,name,lat,lon,services,capacity,hours\n\
                 cc-3,Kids Center,41.805,-87.665,childcare,30,Mo-Fr 07:00-17:00\n\
                 lib-1,Branch Library,41.805,-87.685,language,,\n";
    assert_eq!(app.post_partners("", "text/csv", sites).await.status(), 200);
    app
}

async fn every_area_gets_its_four_barriers_and_their_count() {
    let app = app().await;
    let body = app.get_json("/api/v1/barriers?year=2024").await;
    let rows: Vec<(&str, u64, Vec<Value>)> = body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let b = &a["barriers"];
            (
                a["geoid"].as_str().unwrap(),
                a["count"].as_u64().unwrap(),
                ["childcare", "language", "hours", "transportation"]
                    .iter()
                    .map(|k| b[k]["desert"].clone())
                    .collect(),
            )
        })
        .collect();
    let (t, f) = (json!(true), json!(false));
    assert_eq!(
        rows,
        [
            (
                "01001000001",
                3,
                vec![t.clone(), f.clone(), t.clone(), t.clone()]
            ),
            (
                "01001000002",
                0,
                vec![f.clone(), f.clone(), f.clone(), f.clone()]
            ),
            (
                "01001000003",
                1,
                vec![f.clone(), f.clone(), t.clone(), f.clone()]
            ),
        ],
        "{body}"
    );
    assert_eq!(body["areas_by_count"], json!([1, 1, 0, 1, 0]));
    let a1 = &body["areas"][0]["barriers"];
    // 300 children, no slot within reach counted at non-traditional hours: 300 / 3 short.
    assert_eq!(a1["hours"]["shortfall"], 100.0);
    assert_eq!(a1["hours"]["nearest_km"], Value::Null);
    assert_eq!(a1["transportation"]["nearest_km"], Value::Null);
    let info: Vec<(&Value, &Value, &Value)> = body["barriers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (&b["code"], &b["need"], &b["deserts"]))
        .collect();
    assert_eq!(
        info,
        [
            (&json!("childcare"), &json!("childcare"), &json!(1)),
            (&json!("language"), &json!("language"), &json!(0)),
            (&json!("hours"), &json!("childcare"), &json!(2)),
            (
                &json!("transportation"),
                &json!("transportation"),
                &json!(1)
            ),
        ]
    );
    assert_eq!(body["barriers"][2]["hours"], "evening_or_weekend");

    let csv = app
        .get("/api/v1/barriers?year=2024&format=csv")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "geoid,name,count,childcare_desert,childcare_shortfall,childcare_nearest_km,language_desert,language_shortfall,language_nearest_km,hours_desert,hours_shortfall,hours_nearest_km,transportation_desert,transportation_shortfall,transportation_nearest_km"
    );
    let row1: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        (row1[0], row1[2], row1[9], row1[10]),
        ("01001000001", "3", "true", "100")
    );
    let gj = app
        .get_json("/api/v1/barriers?year=2024&format=geojson")
        .await;
    assert_eq!(gj["features"].as_array().unwrap().len(), 3);
    assert_eq!(gj["features"][0]["properties"]["count"], 3);
    assert_eq!(gj["features"][0]["geometry"]["type"], "MultiPolygon");
}

async fn a_barrier_without_data_is_null_and_an_unknown_year_is_refused() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    app.put_assessment(2024, "g", "GEOID,children_under_5\n01001000001,300\n")
        .await;
    let body = app.get_json("/api/v1/barriers?year=2024").await;
    let measured: Vec<(&Value, &Value)> = body["barriers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (&b["code"], &b["measured"]))
        .collect();
    assert_eq!(
        measured,
        [
            (&json!("childcare"), &json!(true)),
            (&json!("language"), &json!(false)),
            (&json!("hours"), &json!(false)),
            (&json!("transportation"), &json!(false)),
        ],
        "{body}"
    );
    assert!(
        body["barriers"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("lep_persons"),
        "{body}"
    );
    assert_eq!(body["areas"][0]["barriers"]["language"], Value::Null);
    assert_eq!(body["areas"][0]["count"], 1);
    assert_error(
        app.get("/api/v1/barriers?year=2031").await,
        404,
        "unknown_year",
    )
    .await;
    assert_error(
        app.get("/api/v1/barriers?year=2024&format=html").await,
        400,
        "invalid_parameter",
    )
    .await;
}

/// The report tables them under (ii), the printable page and the DOCX alike: child care
/// a desert in area 1 (75 slots short: 300·(1/3 − 30/360)), non-traditional hours in
/// areas 1 and 3 (100 + 20 = 120 short: no slot counts), English proficiency in none,
/// transportation in area 1; one area each with 0, 1 and 3 barriers (33% each).
async fn the_report_tables_the_barriers_with_hand_checked_counts() {
    let app = app().await;
    let html = app.get("/reports/2024").await.text().await.unwrap();
    for part in [
        "<h3>Barriers families meet</h3>",
        "<tr><td>Child care</td><td><code>childcare</code></td><td class=\"n\">1</td><td class=\"n\">75 child-care slots</td></tr>",
        "<tr><td>Non-traditional work hours</td><td><code>childcare</code>, open evenings or weekends</td><td class=\"n\">2</td><td class=\"n\">120 child-care slots</td></tr>",
        "<tr><td>English proficiency</td><td><code>language</code></td><td class=\"n\">0</td>",
        "<tr><td>no barrier</td><td class=\"n\">1</td><td class=\"n\">33%</td></tr>",
        "<tr><td>1 barrier</td><td class=\"n\">1</td><td class=\"n\">33%</td></tr>",
        "<tr><td>2 barriers</td><td class=\"n\">0</td><td class=\"n\">0%</td></tr>",
        "<tr><td>3 barriers</td><td class=\"n\">1</td><td class=\"n\">33%</td></tr>",
        "<tr><td>Area 1</td><td><code>01001000001</code></td><td class=\"n\">3</td><td>Child care, Non-traditional work hours, Transportation</td></tr>",
        "<tr><td>Area 3</td><td><code>01001000003</code></td><td class=\"n\">1</td><td>Non-traditional work hours</td></tr>",
    ] {
        assert!(html.contains(part), "the report lacks {part:?}");
    }
    assert!(
        !html.contains("not measured"),
        "every barrier is measured here"
    );
    let bytes = app
        .get("/reports/2024?format=docx")
        .await
        .bytes()
        .await
        .unwrap();
    let text = crate::report::docx_text(&crate::report::docx_part(&bytes, "word/document.xml"));
    for line in [
        "Barriers families meet",
        "120 child-care slots",
        "Child care, Non-traditional work hours, Transportation",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "the DOCX has no paragraph {line:?}"
        );
    }
}

/// A barrier the year cannot measure is written "not measured" with its reason, never 0,
/// and counts it cannot reach are "not possible".
async fn the_report_says_which_barriers_are_not_measured() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    app.put_assessment(2024, "g", "GEOID,children_under_5\n01001000001,300\n")
        .await;
    let html = app.get("/reports/2024").await.text().await.unwrap();
    for part in [
        "<tr><td>English proficiency</td><td><code>language</code>: not measured: ",
        "<td class=\"n\">not measured</td><td class=\"n\">not measured</td></tr>",
        "<tr><td>2 barriers</td><td class=\"n\">not possible</td><td>only 1 of the 4 barriers are measured</td></tr>",
        "Not measured, so counted in no area: English proficiency, Non-traditional work hours, Transportation.",
        "<tr><td>1 barrier</td><td class=\"n\">1</td><td class=\"n\">100%</td></tr>",
    ] {
        assert!(html.contains(part), "the report lacks {part:?}");
    }
}

crate::api_tests!(
    every_area_gets_its_four_barriers_and_their_count,
    the_report_tables_the_barriers_with_hand_checked_counts,
    the_report_says_which_barriers_are_not_measured,
    a_barrier_without_data_is_null_and_an_unknown_year_is_refused,
);
