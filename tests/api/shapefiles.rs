//! Zipped shapefiles as TIGER/Line ships them, generated here with the `shapefile`
//! crate's writer so that no binary fixture is committed.

use crate::helpers::*;
use serde_json::json;
use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
use shapefile::{Point, Polygon, PolygonRing, Polyline};
use std::io::Cursor;

const NAD83: &str = r#"GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]"#;
/// NAD83 / Illinois East (ftUS), EPSG:3435, as ESRI writes it.
const ILLINOIS_EAST: &str = r#"PROJCS["NAD_1983_StatePlane_Illinois_East_FIPS_1201_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",984250.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-88.33333333333333],PARAMETER["Scale_Factor",0.999975],PARAMETER["Latitude_Of_Origin",36.66666666666666],UNIT["Foot_US",0.3048006096012192]]"#;

/// A clockwise square (a shapefile's outer ring) 0.01° wide.
fn square(x0: f64, y0: f64) -> Vec<Point> {
    let s = 0.01;
    vec![
        Point::new(x0, y0),
        Point::new(x0, y0 + s),
        Point::new(x0 + s, y0 + s),
        Point::new(x0 + s, y0),
        Point::new(x0, y0),
    ]
}

/// One TIGER tract record: GEOID, NAME, NAMELSAD and the internal point as TIGER
/// writes it (signed, zero-padded text), or none.
struct Tract {
    geoid: &'static str,
    name: &'static str,
    internal_point: Option<(&'static str, &'static str)>,
}

/// The zip of a shapefile in a folder, as the Census Bureau ships tl_2020_17_tract.zip.
fn tiger_zip<S: shapefile::record::EsriShape>(
    shapes: &[S],
    tracts: &[Tract],
    prj: Option<&str>,
) -> Vec<u8> {
    let (mut shp, mut shx, mut dbf) = (
        Cursor::new(Vec::new()),
        Cursor::new(Vec::new()),
        Cursor::new(Vec::new()),
    );
    {
        let field = |n: &str| FieldName::try_from(n).unwrap();
        let table = TableWriterBuilder::new()
            .add_character_field(field("GEOID"), 11)
            .add_character_field(field("NAME"), 100)
            .add_character_field(field("NAMELSAD"), 100)
            .add_character_field(field("INTPTLAT"), 11)
            .add_character_field(field("INTPTLON"), 12)
            .build_with_dest(&mut dbf);
        let mut writer =
            shapefile::Writer::new(shapefile::ShapeWriter::with_shx(&mut shp, &mut shx), table);
        for (shape, t) in shapes.iter().zip(tracts) {
            let mut r = Record::default();
            let text = |s: Option<&str>| FieldValue::Character(s.map(str::to_owned));
            r.insert("GEOID".into(), text(Some(t.geoid)));
            r.insert("NAME".into(), text(Some(t.name)));
            r.insert(
                "NAMELSAD".into(),
                text(Some(&format!("Census Tract {}", t.name))),
            );
            r.insert("INTPTLAT".into(), text(t.internal_point.map(|p| p.1)));
            r.insert("INTPTLON".into(), text(t.internal_point.map(|p| p.0)));
            writer.write_shape_and_record(shape, &r).unwrap();
        }
    }
    let (shp, shx, dbf) = (shp.into_inner(), shx.into_inner(), dbf.into_inner());
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("tl_2020_17_tract/tl_2020_17_tract.shp", &shp),
        ("tl_2020_17_tract/tl_2020_17_tract.shx", &shx),
        ("tl_2020_17_tract/tl_2020_17_tract.dbf", &dbf),
    ];
    if let Some(prj) = prj {
        entries.push(("tl_2020_17_tract/tl_2020_17_tract.prj", prj.as_bytes()));
    }
    zip_of(&entries)
}

fn two_tracts(prj: Option<&str>) -> Vec<u8> {
    let shapes = [
        Polygon::new(PolygonRing::Outer(square(-87.70, 41.80))),
        Polygon::new(PolygonRing::Outer(square(-87.69, 41.80))),
    ];
    let tracts = [
        Tract {
            geoid: "17031010100",
            name: "101",
            internal_point: Some(("-087.6960000", "+41.8040000")),
        },
        Tract {
            geoid: "17031010200",
            name: "102",
            internal_point: None,
        },
    ];
    tiger_zip(&shapes, &tracts, prj)
}

async fn put_zip(app: &TestApp, name: &str, zip: Vec<u8>) -> reqwest::Response {
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/geographies/{name}?filename=tl_2020_17_tract.zip"),
        "application/zip",
        zip,
    )
    .await
}

async fn a_tiger_shapefile_zip_is_stored_with_its_ids_names_and_demand_points() {
    let app = spawn_app().await;
    let r = put_zip(&app, "tracts-2020", two_tracts(Some(NAD83))).await;
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["rows"], 2);
    assert_eq!(report["files"], json!(["tl_2020_17_tract.zip"]));

    let fc = app.get_json("/api/v1/geographies/tracts-2020/areas").await;
    let props: Vec<&serde_json::Value> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"])
        .collect();
    assert_eq!(
        props[0],
        &json!({
            "geoid": "17031010100",
            "name": "101",
            "demand_lon": -87.696,
            "demand_lat": 41.804,
            "demand_point_source": "internal_point",
        })
    );
    assert_eq!(props[1]["geoid"], "17031010200");
    assert_eq!(props[1]["demand_point_source"], "centroid");
    // The centroid of the second square: (-87.685, 41.805).
    let (lon, lat) = (
        props[1]["demand_lon"].as_f64().unwrap(),
        props[1]["demand_lat"].as_f64().unwrap(),
    );
    assert!(
        (lon + 87.685).abs() < 1e-9 && (lat - 41.805).abs() < 1e-9,
        "{lon},{lat}"
    );
}

async fn a_shapefile_in_illinois_state_plane_feet_is_refused_as_unsupported_crs() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let r = put_zip(&app, "tracts-2020", two_tracts(Some(ILLINOIS_EAST))).await;
    let body = assert_error(r, 422, "unsupported_crs").await;
    assert_eq!(
        body["error"]["details"][0]["file"],
        "tl_2020_17_tract/tl_2020_17_tract.prj"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "projected coordinate system 'NAD_1983_StatePlane_Illinois_East_FIPS_1201_Feet'"
        ),
        "{message}"
    );
    assert_eq!(app.store_state().await, before);
}

async fn a_shapefile_zip_without_its_prj_is_refused_because_its_crs_is_unknown() {
    let app = spawn_app().await;
    let body = assert_error(
        put_zip(&app, "g", two_tracts(None)).await,
        422,
        "invalid_file",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no tl_2020_17_tract/tl_2020_17_tract.prj")
            && message.contains("cannot know the coordinate system"),
        "{message}"
    );
}

async fn a_shapefile_of_lines_is_refused_naming_the_record_and_the_geometry() {
    let app = spawn_app().await;
    let lines = [Polyline::new(vec![
        Point::new(-87.7, 41.8),
        Point::new(-87.6, 41.9),
    ])];
    let tracts = [Tract {
        geoid: "17031010100",
        name: "101",
        internal_point: None,
    }];
    let zip = tiger_zip(&lines, &tracts, Some(NAD83));
    let body = assert_error(put_zip(&app, "g", zip).await, 422, "invalid_geometry").await;
    let d = &body["error"]["details"][0];
    assert_eq!(d["file"], "tl_2020_17_tract/tl_2020_17_tract.shp");
    assert_eq!((&d["row"], &d["field"]), (&json!(1), &json!("geometry")));
}

async fn a_malformed_zip_is_refused_with_400_and_the_store_is_unchanged() {
    let app = spawn_app().await;
    let before = app.store_state().await;
    let mut zip = two_tracts(Some(NAD83));
    // Cut the archive in half: the central directory at its end is gone.
    zip.truncate(zip.len() / 2);
    let body = assert_error(put_zip(&app, "g", zip).await, 400, "malformed_file").await;
    assert_eq!(body["error"]["details"][0]["file"], "tl_2020_17_tract.zip");
    assert_eq!(app.store_state().await, before);
}

async fn a_zip_listing_thousands_of_entries_is_refused_before_they_are_read() {
    let app = spawn_app().await;
    let names: Vec<String> = (0..1_001).map(|i| format!("f{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let body = assert_error(
        put_zip(&app, "g", zip_of(&entries)).await,
        413,
        "payload_too_large",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("1001 entries"), "{message}");
}

crate::api_tests!(
    a_tiger_shapefile_zip_is_stored_with_its_ids_names_and_demand_points,
    a_shapefile_in_illinois_state_plane_feet_is_refused_as_unsupported_crs,
    a_shapefile_zip_without_its_prj_is_refused_because_its_crs_is_unknown,
    a_shapefile_of_lines_is_refused_naming_the_record_and_the_geometry,
    a_malformed_zip_is_refused_with_400_and_the_store_is_unchanged,
    a_zip_listing_thousands_of_entries_is_refused_before_they_are_read,
);
