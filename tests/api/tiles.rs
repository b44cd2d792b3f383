//! `/tiles/{layer}/{z}/{x}/{y}.mvt`: Mapbox Vector Tiles of the areas and the sites,
//! decoded here with the protobuf schema of the MVT 2.1 specification.
//!
//! Hand-checked positions (Web Mercator, extent 4096, so the world at zoom z is
//! 4096·2^z units wide; x = (lon + 180)/360 · world, y = (1 − ln(tan φ + sec φ)/π)/2 · world):
//! - at zoom 1 the world is 8192 units: lon 45° is x = 5120, i.e. 1024 in the eastern
//!   column's tiles; lat 40° is y = 3101.32 and lat −40° is y = 5090.68 (994.68 in the
//!   southern row's tiles);
//! - the squares of `three_areas()` (lon −87.69 … −87.66, lat 41.80 … 41.81) lie in tile
//!   12/1050/1523, each about 466 units wide.

use crate::helpers::*;
use prost::Message;
use serde_json::Value;

#[derive(Clone, PartialEq, Message)]
struct VtTile {
    #[prost(message, repeated, tag = "3")]
    layers: Vec<VtLayer>,
}

#[derive(Clone, PartialEq, Message)]
struct VtLayer {
    #[prost(uint32, optional, tag = "15")]
    version: Option<u32>,
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(message, repeated, tag = "2")]
    features: Vec<VtFeature>,
    #[prost(string, repeated, tag = "3")]
    keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    values: Vec<VtValue>,
    #[prost(uint32, optional, tag = "5")]
    extent: Option<u32>,
}

#[derive(Clone, PartialEq, Message)]
struct VtValue {
    #[prost(string, optional, tag = "1")]
    string_value: Option<String>,
    #[prost(float, optional, tag = "2")]
    float_value: Option<f32>,
    #[prost(double, optional, tag = "3")]
    double_value: Option<f64>,
    #[prost(int64, optional, tag = "4")]
    int_value: Option<i64>,
    #[prost(uint64, optional, tag = "5")]
    uint_value: Option<u64>,
    #[prost(sint64, optional, tag = "6")]
    sint_value: Option<i64>,
    #[prost(bool, optional, tag = "7")]
    bool_value: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
struct VtFeature {
    #[prost(uint64, optional, tag = "1")]
    id: Option<u64>,
    #[prost(uint32, repeated, tag = "2")]
    tags: Vec<u32>,
    #[prost(int32, optional, tag = "3")]
    kind: Option<i32>,
    #[prost(uint32, repeated, tag = "4")]
    geometry: Vec<u32>,
}

/// A decoded feature: its id, properties as JSON, and its rings (or points) in tile units.
#[derive(Debug)]
struct Decoded {
    id: Option<u64>,
    kind: i32,
    properties: serde_json::Map<String, Value>,
    parts: Vec<Vec<(i64, i64)>>,
}

fn value_json(v: &VtValue) -> Value {
    if let Some(s) = &v.string_value {
        return Value::String(s.clone());
    }
    if let Some(b) = v.bool_value {
        return Value::Bool(b);
    }
    if let Some(d) = v.double_value {
        return serde_json::json!(d);
    }
    if let Some(f) = v.float_value {
        return serde_json::json!(f64::from(f));
    }
    if let Some(i) = v.sint_value.or(v.int_value) {
        return serde_json::json!(i);
    }
    if let Some(u) = v.uint_value {
        return serde_json::json!(u);
    }
    Value::Null
}

/// The geometry commands of MVT 4.3: MoveTo (1), LineTo (2), ClosePath (7), with
/// zigzag-encoded deltas.
fn geometry(commands: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let zigzag = |p: u32| i64::from((p >> 1) as i32 ^ -((p & 1) as i32));
    let (mut x, mut y) = (0i64, 0i64);
    let mut parts: Vec<Vec<(i64, i64)>> = Vec::new();
    let mut i = 0;
    while i < commands.len() {
        let (id, count) = (commands[i] & 7, commands[i] >> 3);
        i += 1;
        match id {
            1 | 2 => {
                for _ in 0..count {
                    x += zigzag(commands[i]);
                    y += zigzag(commands[i + 1]);
                    i += 2;
                    if id == 1 {
                        parts.push(Vec::new());
                    }
                    parts.last_mut().expect("a MoveTo first").push((x, y));
                }
            }
            7 => {}
            other => panic!("unknown command {other}"),
        }
    }
    parts
}

fn decode(bytes: &[u8]) -> (String, u32, Vec<Decoded>) {
    let tile = VtTile::decode(bytes).expect("a vector tile");
    assert_eq!(tile.layers.len(), 1, "one layer");
    let layer = &tile.layers[0];
    assert_eq!(layer.version, Some(2), "MVT 2");
    let features = layer
        .features
        .iter()
        .map(|f| {
            let properties = f
                .tags
                .chunks(2)
                .map(|kv| {
                    (
                        layer.keys[kv[0] as usize].clone(),
                        value_json(&layer.values[kv[1] as usize]),
                    )
                })
                .collect();
            Decoded {
                id: f.id,
                kind: f.kind.unwrap_or(0),
                properties,
                parts: geometry(&f.geometry),
            }
        })
        .collect();
    (
        layer.name.clone().unwrap_or_default(),
        layer.extent.unwrap_or(4096),
        features,
    )
}

async fn tile(app: &TestApp, path: &str) -> (String, u32, Vec<Decoded>) {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    decode(&r.bytes().await.unwrap())
}

/// Twice the shoelace area with y down: positive when the ring runs clockwise on screen.
fn area2(ring: &[(i64, i64)]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// The ring's points from its smallest, so two tilings of one ring compare equal.
fn normalised(ring: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let start = (0..ring.len()).min_by_key(|&i| ring[i]).unwrap();
    ring[start..]
        .iter()
        .chain(&ring[..start])
        .copied()
        .collect()
}

/// One square 90° wide and 80° high around (0, 0), wound counter-clockwise on screen
/// (as RFC 7946 writes it) to show the tile rewinds it.
const BIG_SQUARE: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"99","NAME":"Big"},"geometry":{"type":"Polygon","coordinates":[[[-45,-40],[45,-40],[45,40],[-45,40],[-45,-40]]]}}]}"#;

async fn a_tile_holds_the_areas_it_meets_clipped_at_its_buffer() {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("world", BIG_SQUARE).await.status(), 200);
    // North-east quarter of the world at zoom 1: the square runs from x = −64 (the
    // buffer; its west edge at lon −45° is far outside) to 1024 (lon 45°), and from
    // y = 3101 (lat 40°) to 4160 (the buffer below the equator).
    let (name, extent, features) = tile(&app, "/tiles/areas/1/1/0.mvt").await;
    assert_eq!((name.as_str(), extent), ("areas", 4096));
    assert_eq!(features.len(), 1);
    let f = &features[0];
    assert_eq!(f.kind, 3, "a polygon");
    assert_eq!(f.id, Some(0));
    assert_eq!(f.properties["geoid"], "99");
    assert_eq!(f.properties["name"], "Big");
    assert_eq!(f.parts.len(), 1);
    assert_eq!(
        normalised(&f.parts[0]),
        vec![(-64, 3101), (1024, 3101), (1024, 4160), (-64, 4160)]
    );
    assert!(
        area2(&f.parts[0]) > 0,
        "an exterior ring runs clockwise on screen"
    );
    // The south-west quarter: x from 3072 (lon −45°) to 4160, y from −64 to 995 (lat −40°).
    let (_, _, features) = tile(&app, "/tiles/areas/1/0/1.mvt").await;
    assert_eq!(
        normalised(&features[0].parts[0]),
        vec![(3072, -64), (4160, -64), (4160, 995), (3072, 995)]
    );
    // A tile the square does not reach has the layer and no feature.
    let (name, _, features) = tile(&app, "/tiles/areas/3/0/0.mvt").await;
    assert_eq!(name, "areas");
    assert!(features.is_empty());
}

async fn areas_smaller_than_a_pixel_draw_that_pixel_once() {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    // At zoom 0 the three squares (0.01° ≈ 0.11 units each) share one speck of 16 units
    // (two pixels).
    let (_, _, features) = tile(&app, "/tiles/areas/0/0/0.mvt").await;
    assert_eq!(features.len(), 1, "{features:?}");
    let ring = normalised(&features[0].parts[0]);
    // lon −87.675 is x = 1050.45 → speck 65 (1040 … 1056); lat 41.805 is y = 1523.5 →
    // speck 95 (1520 … 1536).
    assert_eq!(
        ring,
        vec![(1040, 1520), (1056, 1520), (1056, 1536), (1040, 1536)]
    );
    // Closer in, each is its own polygon.
    let (_, _, features) = tile(&app, "/tiles/areas/12/1050/1523.mvt").await;
    let geoids: Vec<&Value> = features.iter().map(|f| &f.properties["geoid"]).collect();
    assert_eq!(geoids, ["01001000001", "01001000002", "01001000003"]);
    for f in &features {
        let ring = &f.parts[0];
        let xs: Vec<i64> = ring.iter().map(|p| p.0).collect();
        let width = xs.iter().max().unwrap() - xs.iter().min().unwrap();
        assert!((465..=467).contains(&width), "{width}");
    }
}

const CSV: &str = "GEOID,persons_poverty,children_under_5\n\
01001000001,10000,600\n01001000002,5000,60\n01001000003,20000,0\n";

const SITES: &str = "id,name,partner,partner_id,kind,lat,lon,services,capacity,languages,partnership_level\n\
cc-1,Little Stars,Little Stars,stars,child care center,41.805,-87.685,childcare,30,es;pl,cooperation\n\
lib-1,Branch Library,Public Library,library,library,41.805,-87.665,adult_education,,,networking\n";

async fn app_with_data() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
    let r = app.put_assessment(2024, "g", CSV).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post_partners("?filename=sites.csv", "text/csv", SITES.to_owned())
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app
}

async fn area_tiles_carry_the_numbers_of_the_gaps_answer() {
    let app = app_with_data().await;
    let gaps = app
        .get_json("/api/v1/gaps?year=2024&need=childcare&radius_km=1")
        .await;
    let (_, _, features) = tile(
        &app,
        "/tiles/areas/12/1050/1523.mvt?year=2024&need=childcare&radius_km=1",
    )
    .await;
    assert_eq!(features.len(), 3);
    for (f, row) in features.iter().zip(gaps["areas"].as_array().unwrap()) {
        assert_eq!(f.properties["geoid"], row["geoid"]);
        for (key, value) in row.as_object().unwrap() {
            if value.is_null() {
                assert!(
                    !f.properties.contains_key(key),
                    "{key} is left out when null"
                );
            } else if let Some(n) = value.as_f64() {
                let got = f.properties[key]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{key}"));
                assert_eq!(got, n, "{key}");
            } else {
                assert_eq!(&f.properties[key], value, "{key}");
            }
        }
    }
    // Hand-checked: area 1 holds the one child-care site (30 slots) and 600 children.
    let first = &features[0].properties;
    assert_eq!(first["demand"], 600.0);
    assert_eq!(first["capacity_in_area"], 30.0);
    assert_eq!(first["sites_in_area"], 1);
    // Area 3 has no children: no share of the target to colour.
    assert!(!features[2].properties.contains_key("target_met"));
}

async fn site_tiles_carry_the_sites_and_filter_by_service() {
    let app = app_with_data().await;
    let (name, _, features) = tile(&app, "/tiles/sites/12/1050/1523.mvt").await;
    assert_eq!(name, "sites");
    assert_eq!(features.len(), 2);
    let cc = features
        .iter()
        .find(|f| f.properties["id"] == "cc-1")
        .unwrap();
    assert_eq!(cc.kind, 1, "a point");
    assert_eq!(cc.properties["services"], "childcare");
    assert_eq!(cc.properties["languages"], "es,pl");
    assert_eq!(cc.properties["partner"], "Little Stars");
    assert_eq!(cc.properties["partnership_level"], "cooperation");
    // lon −87.685 is x = 4,302,190.8 at zoom 12, less 1050 · 4096 = 4,300,800: 1391; lat
    // 41.805 is y = 6,240,198.4, less 1523 · 4096 = 6,238,208: 1990.
    assert_eq!(cc.parts[0][0], (1391, 1990));
    let (_, _, features) = tile(&app, "/tiles/sites/12/1050/1523.mvt?service=childcare").await;
    assert_eq!(features.len(), 1);
    assert_eq!(features[0].properties["id"], "cc-1");
}

/// Zoom level `z`'s tile column and row of a point.
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let r = lat.to_radians();
    let y = (1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x.floor() as u32, y.floor() as u32)
}

/// Below zoom 12 the server clusters the sites: over every tile of a zoom, the clusters'
/// `point_count` and the single sites add up to the directory's sites (with `service=`, to
/// those offering one of the services), the clusters' `capacity` and the single sites'
/// own capacities to the directory's, and every point lies inside its tile (no buffer: a
/// site is counted by one tile only). From zoom 12 on, every site is its own point.
async fn site_tiles_cluster_below_zoom_12_and_the_counts_add_up() {
    let app = spawn_with(|s| s.no_demo = false).await;
    let all = app.get_json("/api/v1/sites").await;
    let sites = all["features"].as_array().unwrap();
    assert!(sites.len() > 700, "{} demo sites", sites.len());
    let position = |f: &Value| {
        let c = &f["geometry"]["coordinates"];
        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
    };
    let capacity_of = |f: &Value, services: Option<&[&str]>| -> f64 {
        f["properties"]["capacity"]
            .as_object()
            .map(|c| {
                c.iter()
                    .filter(|(k, _)| services.is_none_or(|s| s.contains(&k.as_str())))
                    .map(|(_, v)| v.as_f64().unwrap())
                    .sum()
            })
            .unwrap_or(0.0)
    };
    let offers = |f: &Value, services: Option<&[&str]>| {
        services.is_none_or(|s| {
            f["properties"]["services"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| s.contains(&x.as_str().unwrap()))
        })
    };
    let by_id: std::collections::HashMap<&str, &Value> = sites
        .iter()
        .map(|f| (f["properties"]["id"].as_str().unwrap(), f))
        .collect();
    let (mut w, mut s, mut e, mut n) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
    for f in sites {
        let (x, y) = position(f);
        (w, s, e, n) = (w.min(x), s.min(y), e.max(x), n.max(y));
    }
    for (query, services) in [
        ("", None),
        (
            "?service=childcare,head_start",
            Some(&["childcare", "head_start"][..]),
        ),
    ] {
        let wanted: Vec<&Value> = sites.iter().filter(|f| offers(f, services)).collect();
        let capacity: f64 = wanted.iter().map(|f| capacity_of(f, services)).sum();
        for z in [3u32, 8, 10, 11] {
            let (x0, y0) = tile_of(w, n, z);
            let (x1, y1) = tile_of(e, s, z);
            let (mut count, mut cap, mut clusters) = (0u64, 0.0f64, 0);
            for x in x0..=x1 {
                for y in y0..=y1 {
                    let (name, extent, features) =
                        tile(&app, &format!("/tiles/sites/{z}/{x}/{y}.mvt{query}")).await;
                    assert_eq!((name.as_str(), extent), ("sites", 4096));
                    for f in &features {
                        assert_eq!(f.kind, 1, "a point");
                        let (px, py) = f.parts[0][0];
                        assert!(
                            (0..4096).contains(&px) && (0..4096).contains(&py),
                            "{px},{py}"
                        );
                        if let Some(c) = f.properties.get("point_count") {
                            let c = c.as_u64().unwrap();
                            assert!(c >= 2, "a cluster holds several sites");
                            assert_eq!(f.id, None, "a cluster has no site's id");
                            // MapLibre's (supercluster's) label: 950, 1.3k, 13k.
                            let label = match c {
                                10_000.. => format!("{}k", (c as f64 / 1e3).round()),
                                1_000.. => format!("{}k", (c as f64 / 1e2).round() / 10.0),
                                _ => c.to_string(),
                            };
                            assert_eq!(f.properties["point_count_abbreviated"], label);
                            assert!(f.properties["capacity_unknown"].as_u64().unwrap() <= c);
                            count += c;
                            cap += f.properties["capacity"].as_f64().unwrap();
                            clusters += 1;
                        } else {
                            let id = f.properties["id"].as_str().unwrap();
                            let site = by_id[id];
                            assert!(offers(site, services), "{id} offers the service");
                            count += 1;
                            cap += capacity_of(site, services);
                        }
                    }
                }
            }
            assert_eq!(
                count,
                wanted.len() as u64,
                "zoom {z}{query}: every site once"
            );
            assert!(
                (cap - capacity).abs() < 1e-6,
                "zoom {z}{query}: {cap} ≠ {capacity}"
            );
            assert!(clusters > 0, "zoom {z}: the demo's sites are clustered");
        }
    }
    // At zoom 3 the whole city is a few clusters; the tile is small.
    let (x, y) = tile_of(-87.7, 41.85, 3);
    let r = app.get(&format!("/tiles/sites/3/{x}/{y}.mvt")).await;
    let bytes = r.bytes().await.unwrap();
    let (_, _, features) = decode(&bytes);
    assert!(features.len() < 20, "{} features at zoom 3", features.len());
    // From zoom 12 on, no clusters.
    let (x, y) = tile_of(-87.65, 41.88, 12);
    let (_, _, features) = tile(&app, &format!("/tiles/sites/12/{x}/{y}.mvt")).await;
    assert!(!features.is_empty());
    assert!(
        features
            .iter()
            .all(|f| !f.properties.contains_key("point_count") && f.id.is_some())
    );
}

async fn tiles_carry_an_etag_that_changes_with_the_data() {
    let app = app_with_data().await;
    let path = "/tiles/areas/12/1050/1523.mvt?year=2024&need=childcare";
    let r = app.get(path).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let again = app
        .client
        .get(app.url(path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // Other parameters, other tile.
    let other = app.get(&format!("{path}&radius_km=2")).await;
    assert_ne!(other.headers()["etag"].to_str().unwrap(), etag);
    // New data, new ETag: the old one no longer answers 304.
    let more = "id,name,lat,lon,services,capacity\ncc-9,New,41.805,-87.675,childcare,12\n";
    let r = app
        .post_partners("?mode=merge&filename=more.csv", "text/csv", more.to_owned())
        .await;
    assert_eq!(r.status(), 200);
    let after = app
        .client
        .get(app.url(path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
}

async fn bad_tile_requests_are_refused_with_the_reason() {
    let app = app_with_data().await;
    for (path, status, code) in [
        ("/tiles/areas/23/0/0.mvt", 404, "not_found"),
        ("/tiles/areas/2/4/0.mvt", 404, "not_found"),
        ("/tiles/roads/2/0/0.mvt", 400, "invalid_parameter"),
        (
            "/tiles/areas/2/0/0.mvt?service=childcare",
            400,
            "invalid_parameter",
        ),
        (
            "/tiles/sites/2/0/0.mvt?need=childcare",
            400,
            "invalid_parameter",
        ),
        (
            "/tiles/areas/2/0/0.mvt?need=childcare",
            400,
            "invalid_parameter",
        ),
        (
            "/tiles/areas/2/0/0.mvt?radius_km=2",
            400,
            "invalid_parameter",
        ),
        (
            "/tiles/areas/2/0/0.mvt?year=2024&need=astrology",
            404,
            "unknown_need",
        ),
        (
            "/tiles/areas/2/0/0.mvt?year=1999&need=childcare",
            404,
            "unknown_year",
        ),
        (
            "/tiles/areas/2/0/0.mvt?geography=nowhere",
            404,
            "unknown_geography",
        ),
    ] {
        let body = assert_error(app.get(path).await, status, code).await;
        assert!(body["error"]["message"].as_str().is_some(), "{path}");
    }
}

async fn tiles_need_a_token_where_reads_do() {
    let app = spawn_with(|s| s.reads = gapmap::config::Reads::Token).await;
    let r = app
        .client
        .get(app.url("/tiles/sites/0/0/0.mvt"))
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "missing_token").await;
}

#[test]
fn the_command_line_writes_the_tile_the_server_serves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let areas = dir.path().join("world.geojson");
    std::fs::write(&areas, BIG_SQUARE).unwrap();
    let areas = areas.display().to_string();
    gapmap_ok(&db, &["import", "areas", &areas, "--geography", "world"]);
    let out = dir.path().join("t.mvt");
    let out_s = out.display().to_string();
    gapmap_ok(&db, &["tile", "areas", "1", "1", "0", "--out", &out_s]);
    let (name, _, features) = decode(&std::fs::read(&out).unwrap());
    assert_eq!(name, "areas");
    assert_eq!(
        normalised(&features[0].parts[0]),
        vec![(-64, 3101), (1024, 3101), (1024, 4160), (-64, 4160)]
    );
    let refused = gapmap(&db, &["tile", "areas", "1", "2", "0", "--out", &out_s]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no tile 1/2/0"));
}

crate::api_tests!(
    a_tile_holds_the_areas_it_meets_clipped_at_its_buffer,
    areas_smaller_than_a_pixel_draw_that_pixel_once,
    area_tiles_carry_the_numbers_of_the_gaps_answer,
    site_tiles_carry_the_sites_and_filter_by_service,
    site_tiles_cluster_below_zoom_12_and_the_counts_add_up,
    tiles_carry_an_etag_that_changes_with_the_data,
    bad_tile_requests_are_refused_with_the_reason,
    tiles_need_a_token_where_reads_do,
);
