//! The generated API contract covers the API: every route the server registers is in
//! it with its methods, its limits are the code's, and it is what the server serves.

use crate::helpers::{root, spawn_app};
use serde_json::Value;
use std::collections::BTreeSet;

/// Routes that are the map page, not the API (HTML, scripts, styles, MapLibre's files).
const PAGE_ROUTES: [&str; 4] = [
    "/",
    "/index.html",
    "/app/{path:.*}",
    "/vendor/maplibre-gl/{path:.*}",
];

/// `(method, path)` of every `web::resource` in the route files, read from their source
/// so that a route added without documentation fails here.
fn registered_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for file in ["src/api/mod.rs", "src/api/page.rs"] {
        let src = std::fs::read_to_string(root().join(file)).unwrap();
        // The scope's resources are chained onto it inside the `.service(` that holds it.
        let scope_at = src.find("web::scope(\"/api/v1\")");
        let scope_end = scope_at.map(|at| {
            let service = src[..at].rfind(".service(").unwrap();
            service + closing_paren(&src[service..])
        });
        let mut rest = 0;
        while let Some(found) = src[rest..].find("web::resource(\"") {
            let at = rest + found;
            let path_start = at + "web::resource(\"".len();
            let path_end = path_start + src[path_start..].find('"').unwrap();
            let path = &src[path_start..path_end];
            let next = src[path_end..]
                .find("web::resource(")
                .map_or(src.len(), |n| path_end + n);
            let in_scope = scope_at
                .zip(scope_end)
                .is_some_and(|(a, e)| at > a && at < e);
            let full = if in_scope {
                format!("/api/v1{path}")
            } else {
                path.to_owned()
            };
            for method in ["get", "put", "post", "patch", "delete"] {
                if src[path_end..next].contains(&format!("web::{method}()")) {
                    routes.insert((method.to_owned(), full.clone()));
                }
            }
            rest = path_end;
        }
    }
    assert!(
        routes.len() >= 25,
        "read only {} routes: {routes:?}",
        routes.len()
    );
    routes
}

/// The length of `s` up to and including the parenthesis that closes its first one.
fn closing_paren(s: &str) -> usize {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn document() -> Value {
    serde_json::to_value(gapmap::api::openapi::document()).unwrap()
}

fn parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path} has no parameter {name}"))
}

#[test]
fn every_registered_route_is_documented_and_nothing_else() {
    let doc = document();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "put", "post", "patch", "delete"].contains(&k.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let registered: BTreeSet<(String, String)> = registered_routes()
        .into_iter()
        .filter(|(_, p)| !PAGE_ROUTES.contains(&p.as_str()))
        .collect();
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "routes without #[utoipa::path]: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
    assert!(registered.contains(&("get".into(), "/api/v1/config".into())));
}

#[test]
fn the_documented_limits_are_the_ones_the_code_enforces() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let radius = &parameter(&doc, "/api/v1/gaps", "radius_km")["schema"];
    assert_eq!(radius["exclusiveMinimum"], 0.0);
    assert_eq!(radius["maximum"], gapmap::analysis::MAX_RADIUS_KM);
    let k = &parameter(&doc, "/api/v1/siting", "k")["schema"];
    assert_eq!(
        (k["minimum"].as_f64(), k["maximum"].as_f64()),
        (Some(1.0), Some(gapmap::analysis::MAX_K as f64))
    );
    // Siting's capacity: above 0, as a 3.1 number (3.0's boolean form was invalid here).
    assert_eq!(
        parameter(&doc, "/api/v1/siting", "capacity")["schema"]["exclusiveMinimum"],
        0.0
    );
    for (path, name) in [
        ("/api/v1/gaps", "year"),
        ("/api/v1/compare", "from"),
        ("/reports/{year}", "year"),
    ] {
        let year = &parameter(&doc, path, name)["schema"];
        assert_eq!(
            (year["minimum"].as_f64(), year["maximum"].as_f64()),
            (Some(1900.0), Some(2200.0)),
            "{path} {name}"
        );
    }
    let limit = &parameter(&doc, "/api/v1/gaps", "limit")["schema"];
    assert_eq!(
        (limit["minimum"].as_f64(), limit["maximum"].as_f64()),
        (Some(1.0), Some(gapmap::api::GAPS_MAX_LIMIT as f64))
    );
    let format = &parameter(&doc, "/api/v1/gaps", "format")["schema"];
    let format = doc_schema(&doc, format);
    assert_eq!(
        format["enum"],
        serde_json::json!(["json", "geojson", "csv"])
    );
}

/// A schema, following one `$ref` (also inside a `oneOf` with null, as utoipa writes an
/// optional reference).
fn doc_schema<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let reference = schema["$ref"].as_str().or_else(|| {
        schema["oneOf"]
            .as_array()?
            .iter()
            .find_map(|s| s["$ref"].as_str())
    });
    match reference {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

#[test]
fn every_error_code_is_in_the_error_schema_and_uploads_list_their_refusals() {
    let doc = document();
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    let listed: Vec<&str> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let all: Vec<&str> = gapmap::error::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(listed, all);
    let put = &doc["paths"]["/api/v1/assessments/{year}"]["put"];
    for status in ["200", "400", "401", "403", "413", "415", "422", "503"] {
        assert!(
            put["responses"][status].is_object(),
            "PUT assessment lacks {status}"
        );
    }
    assert_eq!(put["security"], serde_json::json!([{"token": []}]));
    let gaps = &doc["paths"]["/api/v1/gaps"]["get"]["responses"]["200"]["content"];
    for media in ["application/json", "application/geo+json", "text/csv"] {
        assert!(gaps[media].is_object(), "gaps lacks {media}");
    }
}

#[tokio::test]
async fn the_server_serves_the_generated_document() {
    let app = spawn_app().await;
    let served = app.get_json("/api/openapi.json").await;
    assert_eq!(served, document());
    for path in [
        "/api/v1/config",
        "/api/v1/assessments/{year}/records",
        "/reports/{year}",
    ] {
        assert!(
            served["paths"][path].is_object(),
            "{path} is not documented"
        );
    }
}
