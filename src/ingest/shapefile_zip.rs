//! Areas from a zipped ESRI shapefile as TIGER/Line ships it: `.shp` (shapes), `.shx`
//! (index, not needed to read in order), `.dbf` (attributes: GEOID, NAME, INTPTLAT …)
//! and `.prj` (coordinate system), possibly inside one folder of the zip.
//!
//! The attributes of each record are presented to the GeoJSON reader's shared code as
//! feature properties, so ids, names, demand points and limits follow the same rules.

use super::archive;
use super::areas_geojson::{self, AreaOptions, Sources};
use super::geojson_doc::{RawFeature, check_lonlat};
use super::{InputFile, prj};
use crate::domain::Geography;
use crate::error::{Code, Error, Problem, Result};
use geo::{Area as _, Contains, Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Number, Value};
use shapefile::{PolygonRing, Shape, dbase};
use std::io::Cursor;

const PARTS: [&str; 5] = ["shp", "shx", "dbf", "prj", "cpg"];

/// Reads a geography from a zipped shapefile, within the zip and vertex limits of `opts`.
pub fn read(file: &InputFile, geography: &str, opts: &AreaOptions) -> Result<Geography> {
    let entries = archive::read_entries(file, &opts.limits.zip, |path| {
        archive::extension(path).is_some_and(|e| PARTS.contains(&e.as_str()))
    })?;
    let parts = Parts::find(&file.name, &entries)?;
    let prj_text = std::str::from_utf8(&parts.prj.bytes).map_err(|_| {
        Error::problem(
            Code::UnsupportedCrs,
            Problem::in_file(&parts.prj.name, "the .prj file is not text"),
        )
    })?;
    prj::check_geographic(prj_text, &parts.prj.name)?;

    let records = read_dbf(parts.dbf)?;
    let shapes = read_shp(parts.shp)?;
    if shapes.len() != records.len() {
        return Err(Error::problem(
            Code::MalformedFile,
            Problem::in_file(
                &parts.shp.name,
                format!(
                    "the .shp holds {} shapes but {} holds {} records; the two must match one to one",
                    shapes.len(),
                    parts.dbf.name,
                    records.len()
                ),
            ),
        ));
    }
    if shapes.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(&parts.shp.name, "the shapefile has no records"),
        ));
    }
    let sources = Sources {
        attributes: &parts.dbf.name,
        geometry: &parts.shp.name,
        item: "record",
    };
    let items = shapes
        .into_iter()
        .zip(records)
        .enumerate()
        .map(|(i, (shape, properties))| {
            let number = i as u64 + 1;
            let geometry = multipolygon(shape).map_err(|(code, message)| {
                (
                    code,
                    Problem::at(&parts.shp.name, number, "geometry", message),
                )
            })?;
            let feature = RawFeature {
                number,
                properties: &properties,
                geometry: None,
                id: None,
            };
            areas_geojson::from_feature(&feature, geometry, sources, opts)
        })
        .collect::<Vec<_>>();
    areas_geojson::finish(items, sources, geography, opts)
}

/// The members of the one shapefile in the zip.
struct Parts<'a> {
    shp: &'a InputFile,
    dbf: &'a InputFile,
    prj: &'a InputFile,
}

impl<'a> Parts<'a> {
    fn find(zip_name: &str, entries: &'a [InputFile]) -> Result<Self> {
        let refuse = |message: String| {
            Err(Error::problem(
                Code::InvalidFile,
                Problem::in_file(zip_name, message),
            ))
        };
        let shps: Vec<&InputFile> = entries
            .iter()
            .filter(|f| archive::extension(&f.name).as_deref() == Some("shp"))
            .collect();
        let shp = match shps.as_slice() {
            [one] => *one,
            [] => {
                return refuse(
                    "the zip holds no .shp file: upload the shapefile zip as TIGER/Line ships it (.shp, .shx, .dbf, .prj)"
                        .into(),
                );
            }
            several => {
                let names: Vec<&str> = several.iter().map(|f| f.name.as_str()).collect();
                return refuse(format!(
                    "the zip holds several shapefiles ({}); upload one geography per zip",
                    names.join(", ")
                ));
            }
        };
        // Members share the .shp's path without its extension; the case of the
        // extension varies between tools.
        let stem = &shp.name[..shp.name.len() - 4];
        let member = |ext: &str| {
            entries.iter().find(|f| {
                f.name.len() == shp.name.len()
                    && f.name.starts_with(stem)
                    && archive::extension(&f.name).as_deref() == Some(ext)
            })
        };
        let Some(dbf) = member("dbf") else {
            return refuse(format!(
                "the zip has {} but no {stem}.dbf, which holds each area's GEOID and name",
                shp.name
            ));
        };
        let Some(prj) = member("prj") else {
            return refuse(format!(
                "the zip has {} but no {stem}.prj: without it gapmap cannot know the coordinate system. Add the .prj that came with the shapefile (TIGER/Line zips include one)",
                shp.name
            ));
        };
        Ok(Self { shp, dbf, prj })
    }
}

/// The DBF records as feature properties.
fn read_dbf(dbf: &InputFile) -> Result<Vec<Map<String, Value>>> {
    let malformed = |e: dbase::Error| {
        Error::problem(
            Code::MalformedFile,
            Problem::in_file(&dbf.name, format!("the .dbf cannot be read: {e}")),
        )
    };
    // TIGER/Line writes UTF-8. Other tools may use a legacy code page: decoding lossily
    // keeps ids (ASCII in practice) exact, and at worst marks odd letters in names.
    let mut reader = dbase::ReaderBuilder::new()
        .with_encoding(dbase::UnicodeLossy)
        .build(Cursor::new(dbf.bytes.as_slice()))
        .map_err(malformed)?;
    let records = reader.read().map_err(malformed)?;
    Ok(records
        .into_iter()
        .map(|r| r.into_iter().map(|(k, v)| (k, json_value(v))).collect())
        .collect())
}

/// A DBF value as the JSON value a GeoJSON property would hold.
fn json_value(v: dbase::FieldValue) -> Value {
    use dbase::FieldValue as F;
    let number = |x: f64| {
        // Whole numbers print without ".0", as an id should.
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            Value::Number(Number::from(x as i64))
        } else {
            Number::from_f64(x).map_or(Value::Null, Value::Number)
        }
    };
    match v {
        F::Character(Some(s)) | F::Memo(s) => Value::String(s),
        F::Numeric(Some(x)) | F::Double(x) | F::Currency(x) => number(x),
        F::Float(Some(x)) => number(f64::from(x)),
        F::Integer(x) => Value::Number(Number::from(x)),
        F::Logical(Some(b)) => Value::Bool(b),
        F::Date(Some(d)) => {
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
        _ => Value::Null,
    }
}

fn read_shp(shp: &InputFile) -> Result<Vec<Shape>> {
    let malformed = |e: shapefile::Error, record: Option<usize>| {
        let at = record
            .map(|r| format!(" at record {r}"))
            .unwrap_or_default();
        Error::problem(
            Code::MalformedFile,
            Problem::in_file(&shp.name, format!("the .shp cannot be read{at}: {e}")),
        )
    };
    let mut reader = shapefile::ShapeReader::new(Cursor::new(shp.bytes.as_slice()))
        .map_err(|e| malformed(e, None))?;
    reader
        .iter_shapes()
        .enumerate()
        .map(|(i, s)| s.map_err(|e| malformed(e, Some(i + 1))))
        .collect()
}

/// A polygon record as a MultiPolygon, each hole grouped with the outer ring around it.
///
/// The shapefile specification marks outer rings by clockwise order and holes by
/// counter-clockwise order, and lets rings come in any order. The `shapefile` crate's
/// own geo-types conversion attaches each hole to the outer ring read just before it,
/// which is wrong for files that list holes after a different outer ring; this groups by
/// containment instead.
fn multipolygon(shape: Shape) -> std::result::Result<MultiPolygon<f64>, (Code, String)> {
    let rings: Vec<(bool, Vec<Coord<f64>>)> = match shape {
        Shape::Polygon(p) => rings(p.into_inner(), |p| (p.x, p.y)),
        Shape::PolygonM(p) => rings(p.into_inner(), |p| (p.x, p.y)),
        Shape::PolygonZ(p) => rings(p.into_inner(), |p| (p.x, p.y)),
        Shape::NullShape => {
            return Err((
                Code::InvalidGeometry,
                "the record has no geometry (a null shape)".into(),
            ));
        }
        other => {
            return Err((
                Code::InvalidGeometry,
                format!(
                    "areas must be polygons, this record is a {}",
                    other.shapetype()
                ),
            ));
        }
    };
    for (i, (outer, coords)) in rings.iter().enumerate() {
        let which = format!("ring {} ({})", i + 1, if *outer { "outer" } else { "hole" });
        if let Some(bad) = coords.iter().find_map(|c| check_lonlat(c.x, c.y).err()) {
            return Err((Code::InvalidGeometry, format!("{which}: {bad}")));
        }
        if coords.len() < 4 {
            return Err((
                Code::InvalidGeometry,
                format!(
                    "{which} has {} points; a ring needs at least 4",
                    coords.len()
                ),
            ));
        }
        if coords.first() != coords.last() {
            return Err((
                Code::InvalidGeometry,
                format!("{which} is not closed: its first and last points differ"),
            ));
        }
    }
    let (outers, holes): (Vec<_>, Vec<_>) = rings.into_iter().partition(|(outer, _)| *outer);
    let mut polygons: Vec<Polygon<f64>> = outers
        .into_iter()
        .map(|(_, c)| Polygon::new(LineString::from(c), Vec::new()))
        .collect();
    if polygons.is_empty() {
        return Err((
            Code::InvalidGeometry,
            "the record has no outer ring (outer rings run clockwise in a shapefile); the ring order looks reversed".into(),
        ));
    }
    for (n, (_, coords)) in holes.into_iter().enumerate() {
        let hole = LineString::from(coords);
        // The smallest outer ring holding the hole: an island in a lake in a larger
        // polygon keeps the lake as the larger polygon's hole.
        // With one outer ring there is nothing to choose, and testing containment on a
        // large boundary costs time for no information.
        let owner = if polygons.len() == 1 {
            Some(0)
        } else {
            polygons
                .iter()
                .enumerate()
                .filter(|(_, p)| p.contains(&hole))
                .min_by(|(_, a), (_, b)| a.unsigned_area().total_cmp(&b.unsigned_area()))
                .map(|(i, _)| i)
        };
        let Some(owner) = owner else {
            return Err((
                Code::InvalidGeometry,
                format!(
                    "hole {} lies inside no outer ring; the ring order looks reversed (holes run counter-clockwise in a shapefile)",
                    n + 1
                ),
            ));
        };
        polygons[owner].interiors_push(hole);
    }
    Ok(MultiPolygon(polygons))
}

fn rings<P>(
    rings: Vec<PolygonRing<P>>,
    xy: impl Fn(&P) -> (f64, f64),
) -> Vec<(bool, Vec<Coord<f64>>)> {
    rings
        .into_iter()
        .map(|r| {
            let outer = matches!(r, PolygonRing::Outer(_));
            let coords = r
                .into_inner()
                .iter()
                .map(|p| {
                    let (x, y) = xy(p);
                    Coord { x, y }
                })
                .collect();
            (outer, coords)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::DemandPointSource;
    use crate::ingest::archive::tests::zip_of;
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    use shapefile::{Point, Polygon as ShpPolygon, Polyline};

    pub(crate) const NAD83: &str = r#"GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]"#;

    fn square(x0: f64, y0: f64, size: f64) -> Vec<Point> {
        // Clockwise, as a shapefile's outer ring.
        vec![
            Point::new(x0, y0),
            Point::new(x0, y0 + size),
            Point::new(x0 + size, y0 + size),
            Point::new(x0 + size, y0),
            Point::new(x0, y0),
        ]
    }

    /// GEOID, NAME and the internal point (INTPTLON, INTPTLAT) of one record.
    type Row<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);

    /// .shp, .shx and .dbf bytes for the given polygons and (GEOID, NAME, INTPTLON, INTPTLAT).
    fn shapefile_bytes<S: shapefile::record::EsriShape>(
        shapes: &[S],
        rows: &[Row<'_>],
    ) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (mut shp, mut shx, mut dbf) = (
            Cursor::new(Vec::new()),
            Cursor::new(Vec::new()),
            Cursor::new(Vec::new()),
        );
        {
            let table = TableWriterBuilder::new()
                .add_character_field(FieldName::try_from("GEOID").unwrap(), 20)
                .add_character_field(FieldName::try_from("NAME").unwrap(), 40)
                .add_character_field(FieldName::try_from("INTPTLON").unwrap(), 12)
                .add_character_field(FieldName::try_from("INTPTLAT").unwrap(), 11)
                .build_with_dest(&mut dbf);
            let mut w =
                shapefile::Writer::new(shapefile::ShapeWriter::with_shx(&mut shp, &mut shx), table);
            for (shape, (geoid, name, point)) in shapes.iter().zip(rows) {
                let mut r = Record::default();
                r.insert("GEOID".into(), FieldValue::Character(Some((*geoid).into())));
                r.insert("NAME".into(), FieldValue::Character(Some((*name).into())));
                r.insert(
                    "INTPTLON".into(),
                    FieldValue::Character(point.map(|p| p.0.into())),
                );
                r.insert(
                    "INTPTLAT".into(),
                    FieldValue::Character(point.map(|p| p.1.into())),
                );
                w.write_shape_and_record(shape, &r).unwrap();
            }
        }
        (shp.into_inner(), shx.into_inner(), dbf.into_inner())
    }

    fn zipped<S: shapefile::record::EsriShape>(
        shapes: &[S],
        rows: &[Row<'_>],
        prj: Option<&str>,
    ) -> InputFile {
        let (shp, shx, dbf) = shapefile_bytes(shapes, rows);
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("tl_2020_17_tract/tl_2020_17_tract.shp", &shp),
            ("tl_2020_17_tract/tl_2020_17_tract.shx", &shx),
            ("tl_2020_17_tract/tl_2020_17_tract.dbf", &dbf),
        ];
        if let Some(prj) = prj {
            entries.push(("tl_2020_17_tract/tl_2020_17_tract.prj", prj.as_bytes()));
        }
        InputFile::new("tracts.zip", zip_of(&entries))
    }

    fn read_zip(f: &InputFile) -> Result<Geography> {
        read(f, "t", &AreaOptions::default())
    }

    #[test]
    fn tiger_records_give_ids_names_and_internal_points() {
        let shapes = [
            ShpPolygon::new(PolygonRing::Outer(square(-87.70, 41.80, 0.01))),
            ShpPolygon::new(PolygonRing::Outer(square(-87.69, 41.80, 0.01))),
        ];
        let rows = [
            ("17031010100", "101", Some(("-087.6950000", "+41.8050000"))),
            ("17031010200", "102", None),
        ];
        let g = read_zip(&zipped(&shapes, &rows, Some(NAD83))).unwrap();
        let a = &g.areas[0];
        assert_eq!(a.geoid.as_str(), "17031010100");
        assert_eq!(a.name, "101");
        assert_eq!(
            (a.demand_point.lon(), a.demand_point.lat()),
            (-87.695, 41.805)
        );
        assert_eq!(a.demand_point_source, DemandPointSource::InternalPoint);
        let b = &g.areas[1];
        assert_eq!(b.demand_point_source, DemandPointSource::Centroid);
        approx::assert_relative_eq!(b.demand_point.lon(), -87.685, epsilon = 1e-9);
        approx::assert_relative_eq!(b.demand_point.lat(), 41.805, epsilon = 1e-9);
    }

    #[test]
    fn holes_are_grouped_with_the_outer_ring_around_them() {
        // Two squares; the hole of the first is listed after the second outer ring.
        let mut hole = square(0.25, 0.25, 0.5);
        hole.reverse();
        let shape = ShpPolygon::with_rings(vec![
            PolygonRing::Outer(square(0.0, 0.0, 1.0)),
            PolygonRing::Outer(square(2.0, 0.0, 1.0)),
            PolygonRing::Inner(hole),
        ]);
        let g = read_zip(&zipped(&[shape], &[("1", "a", None)], Some(NAD83))).unwrap();
        let mp = &g.areas[0].geometry;
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[1].interiors().len(), 0);
        approx::assert_relative_eq!(mp.unsigned_area(), 1.75, epsilon = 1e-12);
    }

    #[test]
    fn a_projected_prj_is_refused_naming_the_projection() {
        let shapes = [ShpPolygon::new(PolygonRing::Outer(square(0.0, 0.0, 1.0)))];
        let f = zipped(
            &shapes,
            &[("1", "a", None)],
            Some(crate::ingest::prj::tests::ILLINOIS_EAST),
        );
        let e = read_zip(&f).unwrap_err();
        assert_eq!(e.code(), Code::UnsupportedCrs);
        assert_eq!(
            e.details()[0].file.as_deref(),
            Some("tl_2020_17_tract/tl_2020_17_tract.prj")
        );
        assert!(
            e.message().contains("StatePlane_Illinois_East"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_missing_prj_is_refused() {
        let shapes = [ShpPolygon::new(PolygonRing::Outer(square(0.0, 0.0, 1.0)))];
        let e = read_zip(&zipped(&shapes, &[("1", "a", None)], None)).unwrap_err();
        assert!(
            e.message().contains("tl_2020_17_tract.prj"),
            "{}",
            e.message()
        );
        assert!(e.message().contains("coordinate system"), "{}", e.message());
    }

    #[test]
    fn a_line_record_is_refused_with_its_number() {
        let lines = [Polyline::new(vec![
            Point::new(0.0, 0.0),
            Point::new(1.0, 1.0),
        ])];
        let e = read_zip(&zipped(&lines, &[("1", "a", None)], Some(NAD83))).unwrap_err();
        assert_eq!(e.code(), Code::InvalidGeometry);
        let d = &e.details()[0];
        assert_eq!((d.row, d.field.as_deref()), (Some(1), Some("geometry")));
        assert!(d.message.contains("Polyline"), "{}", d.message);
    }

    #[test]
    fn projected_coordinates_and_duplicate_ids_are_named() {
        let far = [ShpPolygon::new(PolygonRing::Outer(square(
            1_160_000.0,
            1_900_000.0,
            1000.0,
        )))];
        let e = read_zip(&zipped(&far, &[("1", "a", None)], Some(NAD83))).unwrap_err();
        assert!(e.message().contains("projected"), "{}", e.message());

        let two = [
            ShpPolygon::new(PolygonRing::Outer(square(0.0, 0.0, 1.0))),
            ShpPolygon::new(PolygonRing::Outer(square(1.0, 0.0, 1.0))),
        ];
        let e = read_zip(&zipped(
            &two,
            &[("7", "a", None), ("7", "b", None)],
            Some(NAD83),
        ))
        .unwrap_err();
        assert_eq!(e.code(), Code::DuplicateId);
        let d = &e.details()[0];
        assert_eq!(
            d.file.as_deref(),
            Some("tl_2020_17_tract/tl_2020_17_tract.dbf")
        );
        assert_eq!((d.row, d.field.as_deref()), (Some(2), Some("GEOID")));
        assert!(d.message.contains("record 1"), "{}", d.message);
    }

    #[test]
    fn the_vertex_limit_applies_to_shapefiles_too() {
        let shapes = [ShpPolygon::new(PolygonRing::Outer(square(0.0, 0.0, 1.0)))];
        let opts = AreaOptions {
            limits: crate::ingest::Limits {
                vertices: crate::ingest::VertexLimits {
                    max_vertices_per_area: 4,
                    ..Default::default()
                },
                ..Default::default()
            },
            ..Default::default()
        };
        let e = read(
            &zipped(&shapes, &[("1", "a", None)], Some(NAD83)),
            "t",
            &opts,
        )
        .unwrap_err();
        assert!(e.message().contains("5 vertices"), "{}", e.message());
    }

    #[test]
    fn numeric_dbf_values_read_as_plain_numbers() {
        assert_eq!(
            json_value(FieldValue::Numeric(Some(17031.0))),
            Value::from(17031)
        );
        assert_eq!(json_value(FieldValue::Numeric(Some(2.5))), Value::from(2.5));
        assert_eq!(json_value(FieldValue::Character(None)), Value::Null);
    }
}
