//! The map page's routes: the page, its files, MapLibre from node_modules, /api/v1/config.
//! Each test serves its own small web folder, so they pass with or without `npm ci`.

use crate::helpers::{assert_error, spawn_with};
use std::path::Path;

/// A web folder like `web/`: index.html, app/, and (optionally) MapLibre's dist files.
fn web_folder(with_maplibre: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><title>gapmap</title>",
    )
    .unwrap();
    std::fs::write(root.join("package.json"), "{}").unwrap();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/main.js"), "export const x = 1;\n").unwrap();
    std::fs::write(root.join("app/app.css"), "body { margin: 0 }\n").unwrap();
    std::fs::write(root.join(".secret"), "not for the web").unwrap();
    if with_maplibre {
        let dist = root.join("node_modules/maplibre-gl/dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("maplibre-gl.mjs"), "export class Map {}\n").unwrap();
        std::fs::write(
            dist.join("maplibre-gl-worker.mjs"),
            "self.onmessage = null;\n",
        )
        .unwrap();
        std::fs::write(dist.join("maplibre-gl.css"), ".maplibregl-map {}\n").unwrap();
    }
    dir
}

fn policy(r: &reqwest::Response) -> String {
    r.headers()
        .get("content-security-policy")
        .expect("a Content-Security-Policy header")
        .to_str()
        .unwrap()
        .to_owned()
}

async fn app_with(web: &Path, basemap: Option<&str>) -> crate::helpers::TestApp {
    let web = web.to_path_buf();
    let basemap = basemap.map(str::to_owned);
    spawn_with(move |s| {
        s.web_dir = web;
        s.basemap_style = basemap;
    })
    .await
}

#[tokio::test]
async fn the_page_is_served_with_a_policy_that_allows_no_inline_script_or_style() {
    let web = web_folder(true);
    let app = app_with(web.path(), None).await;

    let r = app.get("/").await;

    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = policy(&r);
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.text().await.unwrap().contains("<title>gapmap</title>"));

    let head = app.client.head(app.url("/")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers().contains_key("content-security-policy"));
    assert!(head.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn modules_are_served_as_javascript_from_app_and_vendor() {
    let web = web_folder(true);
    let app = app_with(web.path(), None).await;

    for path in ["/app/main.js", "/vendor/maplibre-gl/maplibre-gl.mjs"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "text/javascript; charset=utf-8",
            "{path}"
        );
        assert!(policy(&r).contains("worker-src 'self';"), "{path}");
    }
    let css = app.get("/vendor/maplibre-gl/maplibre-gl.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn without_maplibre_installed_the_page_says_to_run_npm_ci() {
    let web = web_folder(false);
    let app = app_with(web.path(), None).await;

    let page = app.get("/").await;
    let vendor = app.get("/vendor/maplibre-gl/maplibre-gl.mjs").await;

    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("npm ci --prefix web"));
    assert_eq!(vendor.status(), 503);
    assert!(vendor.text().await.unwrap().contains("npm ci --prefix web"));
}

/// The status of a GET sent byte for byte: HTTP clients resolve `..` before sending.
async fn raw_status(address: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.expect("status line");
    std::str::from_utf8(&head[9..12])
        .expect("ascii")
        .parse()
        .expect("status code")
}

#[tokio::test]
async fn nothing_outside_app_and_maplibre_dist_is_served() {
    let web = web_folder(true);
    let app = app_with(web.path(), None).await;

    for path in [
        "/app/../package.json",
        "/app/%2e%2e/package.json",
        "/app/..%2fpackage.json",
        "/app/%2e%2e%2f.secret",
        "/app/.secret",
        "/app/",
        "/app//main.js",
        "/vendor/maplibre-gl/../../../package.json",
        "/vendor/maplibre-gl/%2e%2e/%2e%2e/%2e%2e/package.json",
        "/package.json",
        "/node_modules/maplibre-gl/dist/maplibre-gl.mjs",
        "/app/missing.js",
    ] {
        assert_eq!(raw_status(&app.address, path).await, 404, "{path}");
    }
    assert_eq!(raw_status(&app.address, "/app/main.js").await, 200);
}

#[tokio::test]
async fn config_has_no_basemap_by_default() {
    let web = web_folder(true);
    let app = app_with(web.path(), None).await;

    let body = app.get_json("/api/v1/config").await;

    assert_eq!(body["basemap_style"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_basemap_style_is_handed_to_the_page_and_its_origin_named_in_the_policy() {
    let web = web_folder(true);
    let style = "https://tiles.example.org/styles/basic/style.json";
    let app = app_with(web.path(), Some(style)).await;

    let body = app.get_json("/api/v1/config").await;
    let csp = policy(&app.get("/").await);

    assert_eq!(body["basemap_style"], style);
    assert!(
        csp.contains("connect-src 'self' https://tiles.example.org;"),
        "{csp}"
    );
    assert!(csp.contains("https://tiles.example.org;"), "{csp}");
    assert!(!csp.contains("/styles/"), "only the origin: {csp}");
}

#[tokio::test]
async fn a_basemap_style_that_is_not_an_http_url_stops_the_server_from_starting() {
    let web = web_folder(true);
    let dir = tempfile::tempdir().unwrap();
    let mut serve = crate::helpers::test_serve_settings();
    serve.allow_anonymous_writes = true;
    serve.web_dir = web.path().to_path_buf();
    serve.basemap_style = Some("javascript:alert(1)".into());
    let settings = gapmap::config::Settings {
        store: gapmap::store::StoreOptions::at(
            dir.path()
                .join("g.db")
                .display()
                .to_string()
                .parse()
                .unwrap(),
        ),
        limits: Default::default(),
        serve,
    };

    let err = match gapmap::Application::build(settings).await {
        Ok(_) => panic!("the server started with a javascript: basemap"),
        Err(e) => e.to_string(),
    };

    assert!(err.contains("GAPMAP_BASEMAP_STYLE"), "{err}");
}

#[tokio::test]
async fn an_unknown_page_file_answers_with_the_error_shape() {
    let web = web_folder(true);
    let app = app_with(web.path(), None).await;

    assert_error(app.get("/app/nope.js").await, 404, "not_found").await;
}

#[tokio::test]
async fn the_methods_page_defines_every_metric_and_desert_rule() {
    // The repository's own web folder: the page's text lives there.
    let app = app_with(&crate::helpers::root().join("web"), None).await;
    let r = app.get("/methods").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(!policy(&r).contains("unsafe-inline"));
    let html = r.text().await.unwrap();
    // Every number a gap row carries, as the popup links to it, and every rule.
    for id in [
        "demand",
        "nearest_km",
        "sites_within",
        "capacity_within",
        "sites_in_area",
        "capacity_in_area",
        "access_2sfca",
        "access_e2sfca",
        "shortfall",
        "shortfall_in_area",
        "target_met",
        "desert",
        "cap_childcare",
        "access",
        "catchment",
        "distances",
        "limits",
        "colour",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "no #{id} on /methods"
        );
    }
    assert!(html.contains("haversine"));
    assert!(html.contains("6,371.0088 km"));
    assert!(html.contains("America's Child Care Deserts in 2018"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/app/methods.css\">"));
    assert_eq!(app.get("/app/methods.css").await.status(), 200);
}
