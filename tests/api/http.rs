//! What every response shares: security headers, the error shape for unknown routes and
//! wrong methods, and the challenge of a 401.

use crate::helpers::*;

async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    app.put_areas("g", &three_areas()).await;
    for path in [
        "/",
        "/app/main.js",
        "/healthz",
        "/api/v1/needs",
        "/api/v1/geographies/g/areas",
        "/api/v1/gaps?year=1999&need=childcare",
        "/reports/2024",
        "/no/such/page",
        "/api/openapi.json",
    ] {
        let r = app.get(path).await;
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    // The page keeps its own policy; data answers load nothing at all.
    let page = app.get("/").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let data = app.get("/api/v1/needs").await;
    assert_eq!(
        data.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    // A 401 raised before any handler ran has them too.
    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

async fn a_401_names_the_bearer_scheme_and_realm() {
    let app = spawn_app().await;
    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .header("Content-Type", "application/geo+json")
        .body(three_areas())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["www-authenticate"], r#"Bearer realm="gapmap""#);
    assert_error(r, 401, "missing_token").await;

    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .bearer_auth("not-a-token-we-know-of")
        .header("Content-Type", "application/geo+json")
        .body(three_areas())
        .send()
        .await
        .unwrap();
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert_eq!(challenge, r#"Bearer realm="gapmap", error="invalid_token""#);
    assert_error(r, 401, "invalid_token").await;

    // A 403 is not a challenge: the token is known, its role is too small.
    let (_, viewer) = app
        .services
        .store
        .create_token(gapmap::store::Role::Viewer, "reader")
        .await
        .unwrap();
    let r = app
        .client
        .put(app.url("/api/v1/geographies/g"))
        .bearer_auth(viewer)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("www-authenticate").is_none());
    assert_error(r, 403, "forbidden").await;
}

async fn a_401_from_private_reads_is_a_challenge_too() {
    let app = spawn_with(|s| s.reads = gapmap::config::Reads::Token).await;
    let r = app.get("/api/v1/needs").await;
    assert_eq!(r.headers()["www-authenticate"], r#"Bearer realm="gapmap""#);
    assert_error(r, 401, "missing_token").await;
}

async fn an_unknown_path_is_a_404_in_the_error_shape() {
    let app = spawn_app().await;
    for path in ["/api/v1/nothing", "/api/v2/gaps", "/nothing.html", "/api"] {
        let r = app.get(path).await;
        assert_eq!(r.headers()["content-type"], "application/json", "{path}");
        let body = assert_error(r, 404, "not_found").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("GET {path}")), "{message}");
    }
}

async fn a_wrong_method_is_a_405_in_the_error_shape() {
    let app = spawn_app().await;
    for (method, path) in [
        (reqwest::Method::DELETE, "/api/v1/gaps"),
        (reqwest::Method::POST, "/api/v1/geographies/g"),
        (reqwest::Method::PUT, "/healthz"),
        (reqwest::Method::POST, "/"),
    ] {
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        let body = assert_error(r, 405, "method_not_allowed").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{method} is not a method of {path}")),
            "{message}"
        );
    }
}

crate::api_tests!(
    every_response_carries_the_security_headers,
    a_401_names_the_bearer_scheme_and_realm,
    a_401_from_private_reads_is_a_challenge_too,
    an_unknown_path_is_a_404_in_the_error_shape,
    a_wrong_method_is_a_405_in_the_error_shape,
);
