//! Areas are stored as WKB: a store whose areas were written as GeoJSON text (before the
//! WKB migration) is converted when it opens, to exactly the same polygons, and the
//! GeoJSON written from it is unchanged.

use crate::helpers::*;
use gapmap::store::{DbUrl, Store, StoreOptions};
use serde_json::Value;

/// The first migration that stores WKB: the store is built with those before it.
const WKB_MIGRATION: u32 = 11;

/// Polygons whose coordinates have no short decimal form, one with a hole, one two parts.
const AREAS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"GEOID":"01001000001","NAME":"Hole"},"geometry":{"type":"Polygon","coordinates":[[[-87.70000000000001,41.8],[-87.69,41.8],[-87.69,41.81],[-87.70000000000001,41.81],[-87.70000000000001,41.8]],[[-87.698,41.802],[-87.696,41.802],[-87.696,41.804],[-87.698,41.802]]]}},
{"type":"Feature","properties":{"GEOID":"01001000002","NAME":"Two parts"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-87.69,41.8],[-87.68,41.8],[-87.68,41.80333333333333],[-87.69,41.8]]],[[[-87.685,41.805],[-87.683,41.805],[-87.683,41.807],[-87.685,41.805]]]]}}]}"#;

/// The areas as served (`GET /api/v1/geographies/{name}/areas`).
async fn served(app: &TestApp) -> Value {
    app.get_json("/api/v1/geographies/sq/areas").await
}

async fn a_text_store_is_converted_to_wkb_with_the_same_polygons() {
    // A store as written by the WKB-less gapmap: the migrations before it, areas as text.
    let db = std::sync::Arc::new(TestDb::new().await);
    let url: DbUrl = db.url.parse().unwrap();
    let postgres = url.is_postgres();
    let dir = tempfile::tempdir().unwrap();
    let from = root().join(if postgres {
        "migrations/postgres"
    } else {
        "migrations/sqlite"
    });
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let version: u32 = name[..4].parse().unwrap();
        if version < WKB_MIGRATION {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url.connect_url())
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(dir.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    // What the text-storing gapmap wrote for AREAS: each geometry as GeoJSON text.
    let features: Value = serde_json::from_str(AREAS).unwrap();
    sqlx::query("INSERT INTO geographies (name, created_at) VALUES ('sq', '2026-12-01T00:00:00Z')")
        .execute(&pool)
        .await
        .unwrap();
    for (seq, f) in features["features"].as_array().unwrap().iter().enumerate() {
        sqlx::query(
            "INSERT INTO areas (geography, geoid, seq, name, geometry, demand_lon, demand_lat, demand_source) \
             VALUES ('sq', $1, $2, $3, $4, -87.69, 41.805, 'centroid')",
        )
        .bind(f["properties"]["GEOID"].as_str().unwrap())
        .bind(seq as i64)
        .bind(f["properties"]["NAME"].as_str().unwrap())
        .bind(f["geometry"].to_string())
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    // Opening it converts the rows: WKB set, text cleared, the same polygons.
    let store = Store::connect(&StoreOptions::at(url.clone()))
        .await
        .unwrap();
    let geographies = store.geographies().await.unwrap();
    let areas = &geographies[0].areas;
    for (area, f) in areas.iter().zip(features["features"].as_array().unwrap()) {
        let expected: geo::MultiPolygon<f64> = match geo::Geometry::<f64>::try_from(
            &f["geometry"]
                .to_string()
                .parse::<geojson::Geometry>()
                .unwrap()
                .value,
        )
        .unwrap()
        {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(area.geometry, expected, "{}", area.geoid.as_str());
    }
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url.connect_url())
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM areas WHERE geometry IS NOT NULL OR geometry_wkb IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0, "every row is WKB now");
    pool.close().await;
    drop(store);

    // Served, the converted areas are the polygons uploaded, coordinate for coordinate,
    // and the same GeoJSON as the areas uploaded afresh into a new store.
    let converted = spawn_on(db.clone(), |_| {}).await;
    let fresh = spawn_app().await;
    assert_eq!(fresh.put_areas("sq", AREAS).await.status(), 200);
    let (a, b) = (served(&converted).await, served(&fresh).await);
    for (got, sent) in a["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(features["features"].as_array().unwrap())
    {
        let coordinates = |g: &Value| match g["type"].as_str().unwrap() {
            "Polygon" => Value::Array(vec![g["coordinates"].clone()]),
            _ => g["coordinates"].clone(),
        };
        assert_eq!(
            coordinates(&got["geometry"]),
            coordinates(&sent["geometry"])
        );
    }
    assert_eq!(a["features"].as_array().unwrap().len(), 2);
    assert_eq!(
        serde_json::to_string(&a["features"][0]["geometry"]).unwrap(),
        serde_json::to_string(&b["features"][0]["geometry"]).unwrap()
    );
}

crate::api_tests!(a_text_store_is_converted_to_wkb_with_the_same_polygons);
