//! Several gapmap processes over one store: what one accepts, the others serve.

use crate::helpers::*;
use std::time::{Duration, Instant};

async fn a_write_through_one_replica_is_served_by_another_within_two_seconds() {
    let a = spawn_app().await;
    let b = spawn_on(a.db.clone(), |_| {}).await;
    assert_eq!(
        b.get_json("/api/v1/geographies").await["geographies"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let written = Instant::now();
    assert_eq!(a.put_areas("g", &three_areas()).await.status(), 200);
    loop {
        let list = b.get_json("/api/v1/geographies").await;
        if list["geographies"].as_array().unwrap().len() == 1 {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(2),
            "replica B did not serve A's upload within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let fc = b.get_json("/api/v1/geographies/g/areas").await;
    assert_eq!(fc["features"].as_array().unwrap().len(), 3);
}

async fn concurrent_uploads_are_serialised_and_each_is_whole() {
    let a = spawn_app().await;
    let b = spawn_on(a.db.clone(), |_| {}).await;
    a.put_areas("g", &three_areas()).await;
    let csv = |v: u32| format!("GEOID,x\n01001000001,{v}\n01001000002,{v}\n01001000003,{v}\n");
    let (one, two) = (csv(1), csv(2));
    let (r1, r2) = tokio::join!(
        a.put_assessment(2024, "g", &one),
        b.put_assessment(2024, "g", &two)
    );
    assert_eq!((r1.status().as_u16(), r2.status().as_u16()), (200, 200));
    let list = a.get_json("/api/v1/assessments").await;
    assert_eq!(
        list["assessments"][0]["versions"],
        serde_json::json!([1, 2])
    );
    for v in [1, 2] {
        let t = a
            .get_json(&format!("/api/v1/assessments/2024?version={v}"))
            .await;
        let values: Vec<f64> = t["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["values"]["x"].as_f64().unwrap())
            .collect();
        assert!(
            values.iter().all(|x| *x == values[0]),
            "version {v} mixes two uploads: {values:?}"
        );
    }
}

crate::api_tests!(
    a_write_through_one_replica_is_served_by_another_within_two_seconds,
    concurrent_uploads_are_serialised_and_each_is_whole,
);
