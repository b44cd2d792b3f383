use crate::helpers::*;
use reqwest::Method;

async fn uploading_areas_stores_them_and_serves_them_as_geojson() {
    let app = spawn_app().await;
    let r = app.put_areas("tracts-test", &three_areas()).await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["rows"], 3);
    assert_eq!(report["summary"]["added"], 3);

    let fc = app.get_json("/api/v1/geographies/tracts-test/areas").await;
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    assert_eq!(features[0]["properties"]["geoid"], "01001000001");
    // The centroid of the first square: (-87.685, 41.805).
    let lon = features[0]["properties"]["demand_lon"].as_f64().unwrap();
    let lat = features[0]["properties"]["demand_lat"].as_f64().unwrap();
    assert!(
        (lon + 87.685).abs() < 1e-9 && (lat - 41.805).abs() < 1e-9,
        "{lon},{lat}"
    );
    assert_eq!(features[0]["properties"]["demand_point_source"], "centroid");
}

async fn one_area_is_served_by_its_geoid() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    let fc = app
        .get_json("/api/v1/geographies/g/areas?geoid=01001000002")
        .await;
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    assert_eq!(features[0]["id"], "01001000002");
    assert_eq!(features[0]["properties"]["name"], "Area 2");
    assert_eq!(
        features[0]["geometry"]["coordinates"][0][0][0],
        serde_json::json!([-87.68, 41.8])
    );
    assert_error(
        app.get("/api/v1/geographies/g/areas?geoid=99").await,
        404,
        "not_found",
    )
    .await;
}

async fn replacing_a_geography_reports_what_changed() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    let two = three_areas().replace("Area 2", "Area Two");
    let report: serde_json::Value = app.put_areas("g", &two).await.json().await.unwrap();
    assert_eq!(report["summary"]["changed"], 1);
    assert_eq!(report["summary"]["unchanged"], 2);
}

async fn an_upload_without_a_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .header("Content-Type", "application/geo+json")
        .body(three_areas())
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "missing_token").await;
    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .bearer_auth("not-the-token-at-all-000")
        .header("Content-Type", "application/geo+json")
        .body(three_areas())
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "invalid_token").await;
    assert_eq!(app.store_state().await, before);
}

async fn malformed_json_is_refused_with_the_file_named() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let r = app
        .send(
            Method::PUT,
            "/api/v1/geographies/g?filename=tracts.geojson",
            "application/geo+json",
            "{\"type\": \"FeatureCollection\", \"features\": [",
        )
        .await;
    let body = assert_error(r, 400, "malformed_file").await;
    assert_eq!(body["error"]["details"][0]["file"], "tracts.geojson");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1")
    );
    assert_eq!(app.store_state().await, before);
}

async fn an_empty_file_is_refused() {
    let app = spawn_app().await;
    let r = app.put_areas("g", "  \n").await;
    assert_error(r, 422, "empty_file").await;
}

async fn a_point_where_a_polygon_is_required_names_feature_and_field() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    let before = app.store_state().await;
    let bad = three_areas().replacen(
        r#""geometry":{"type":"Polygon","coordinates":[[[-87.68,41.80],[-87.67,41.80],[-87.67,41.81],[-87.68,41.81],[-87.68,41.80]]]}"#,
        r#""geometry":{"type":"Point","coordinates":[-87.675,41.805]}"#,
        1,
    );
    assert_ne!(bad, three_areas(), "the fixture changed");
    let body = assert_error(app.put_areas("g", &bad).await, 422, "invalid_geometry").await;
    let d = &body["error"]["details"][0];
    assert_eq!(d["row"], 2);
    assert_eq!(d["field"], "geometry");
    assert_eq!(app.store_state().await, before);
}

async fn projected_coordinates_are_refused_as_such() {
    let app = spawn_app().await;
    let projected = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"1"},"geometry":{"type":"Polygon","coordinates":[[[1160000,1900000],[1161000,1900000],[1161000,1901000],[1160000,1900000]]]}}]}"#;
    let body = assert_error(app.put_areas("g", projected).await, 422, "invalid_geometry").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("projected")
    );
    let declared = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3435"}},"features":[]}"#;
    assert_error(app.put_areas("g", declared).await, 422, "unsupported_crs").await;
    assert_eq!(app.store_state().await.1, 0);
}

async fn swapped_latitude_and_longitude_are_named() {
    let app = spawn_app().await;
    let swapped = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"1"},"geometry":{"type":"Polygon","coordinates":[[[41.80,-87.70],[41.80,-87.69],[41.81,-87.69],[41.80,-87.70]]]}}]}"#;
    let body = assert_error(app.put_areas("g", swapped).await, 422, "invalid_geometry").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("swapped"),
        "{body}"
    );
}

async fn duplicate_area_ids_are_refused() {
    let app = spawn_app().await;
    let dup = three_areas().replace("01001000002", "01001000001");
    let body = assert_error(app.put_areas("g", &dup).await, 422, "duplicate_id").await;
    assert_eq!(body["error"]["details"][0]["row"], 2);
    assert_eq!(body["error"]["details"][0]["field"], "GEOID");
}

async fn an_oversized_upload_is_refused_with_413() {
    let app = spawn_with(|s| s.max_upload_mb = 1).await;
    let big = "x".repeat(1024 * 1024 + 10);
    assert_error(app.put_areas("g", &big).await, 413, "payload_too_large").await;
}

async fn an_unsupported_content_type_is_refused() {
    let app = spawn_app().await;
    let r = app
        .send(Method::PUT, "/api/v1/geographies/g", "image/png", "x")
        .await;
    assert_error(r, 415, "unsupported_media_type").await;
}

async fn a_multipart_form_upload_is_accepted() {
    let app = spawn_app().await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(three_areas().into_bytes()).file_name("areas.geojson"),
    );
    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["files"][0], "areas.geojson");
}

async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/healthz").await["status"], "ok");
    let ready = app.get_json("/readyz").await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["data_version"], 0);
}

async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    app.get("/api/v1/geographies/g/areas").await;
    app.get("/api/v1/geographies/nowhere/areas").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains(r#"gapmap_http_requests_total{method="GET",route="/api/v1/geographies/{name}/areas",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"gapmap_http_requests_total{method="GET",route="/api/v1/geographies/{name}/areas",status="404"} 1"#), "{text}");
    assert!(text.contains("gapmap_data_version 1"), "{text}");
}

async fn the_openapi_document_lists_the_public_api() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/needs",
        "/api/v1/geographies/{name}",
        "/api/v1/geographies/{name}/areas",
        "/api/v1/assessments",
        "/api/v1/assessments/{year}",
        "/api/v1/partners",
        "/api/v1/partners/{id}",
        "/api/v1/partners/{id}/history",
        "/api/v1/sites",
        "/api/v1/sites/{id}",
        "/api/v1/gaps",
        "/api/v1/needs/{code}/filters",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
}

crate::api_tests!(
    the_openapi_document_lists_the_public_api,
    uploading_areas_stores_them_and_serves_them_as_geojson,
    one_area_is_served_by_its_geoid,
    replacing_a_geography_reports_what_changed,
    an_upload_without_a_token_is_refused_and_changes_nothing,
    malformed_json_is_refused_with_the_file_named,
    an_empty_file_is_refused,
    a_point_where_a_polygon_is_required_names_feature_and_field,
    projected_coordinates_are_refused_as_such,
    swapped_latitude_and_longitude_are_named,
    duplicate_area_ids_are_refused,
    an_oversized_upload_is_refused_with_413,
    an_unsupported_content_type_is_refused,
    a_multipart_form_upload_is_accepted,
    health_and_readiness_answer,
    metrics_count_requests_by_route_pattern,
);
