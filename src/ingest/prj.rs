//! The coordinate system of a shapefile, from its `.prj` (ESRI WKT). gapmap stores WGS84
//! longitude/latitude, so only a geographic system on a WGS84-compatible datum is taken;
//! anything projected is refused rather than re-projected, since gapmap carries no
//! projection library and a silent wrong guess would move every area.

use crate::error::{Code, Error, Problem, Result};

/// Datums accepted as WGS84 for gapmap's purposes. NAD83 (TIGER/Line's datum, in any
/// realisation such as NAD83(2011)) differs from WGS84 by less than 2 m in the United
/// States: far below the precision of a tract boundary or a site's address.
const WGS84_LIKE: [&str; 4] = ["WGS1984", "WGS84", "NORTHAMERICAN1983", "NAD83"];

/// Checks that a `.prj` describes geographic lon/lat in degrees on WGS84 or NAD83.
///
/// # Examples
/// ```
/// use gapmap::ingest::prj;
/// let tiger = r#"GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]"#;
/// assert!(prj::check_geographic(tiger, "tl_2020_17_tract.prj").is_ok());
/// ```
pub fn check_geographic(wkt: &str, file: &str) -> Result<()> {
    let refuse = |message: String| {
        Err(Error::problem(
            Code::UnsupportedCrs,
            Problem::in_file(file, message),
        ))
    };
    let wkt = wkt.trim().trim_start_matches('\u{feff}');
    let keyword = wkt
        .split('[')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let name = first_quoted(wkt).unwrap_or("(unnamed)");
    const FIX: &str = "gapmap needs geographic longitude/latitude on WGS84 or NAD83 (EPSG:4326 or EPSG:4269). Re-project the shapefile (e.g. ogr2ogr -t_srs EPSG:4326 out.shp in.shp), or use the Census TIGER/Line file, which is in NAD83 longitude/latitude";
    match keyword.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEOGRAPHICCRS" => {}
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => {
            return refuse(format!(
                "the shapefile is in the projected coordinate system '{name}' (coordinates in metres or feet); {FIX}"
            ));
        }
        "" => return refuse(format!("the .prj file is empty; {FIX}")),
        other => {
            return refuse(format!(
                "the .prj describes a {other} coordinate system ('{name}'), not geographic longitude/latitude; {FIX}"
            ));
        }
    }
    let datum = named(wkt, "DATUM[").unwrap_or("(none)");
    let norm: String = datum
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    if !WGS84_LIKE.iter().any(|d| norm.contains(d)) {
        return refuse(format!(
            "the shapefile is in longitude/latitude on the datum '{datum}' (coordinate system '{name}'), which can differ from WGS84 by tens of metres or more; {FIX}"
        ));
    }
    let unit = named(wkt, "ANGLEUNIT[").or_else(|| named(wkt, "UNIT["));
    if let Some(unit) = unit
        && !unit.to_ascii_lowercase().contains("degree")
    {
        return refuse(format!(
            "the shapefile's angles are in '{unit}', not degrees (coordinate system '{name}'); {FIX}"
        ));
    }
    Ok(())
}

/// The first "quoted" string: the name of the outermost WKT node.
fn first_quoted(wkt: &str) -> Option<&str> {
    let start = wkt.find('"')? + 1;
    let len = wkt[start..].find('"')?;
    Some(&wkt[start..start + len])
}

/// The name of the first node opened by `open` (e.g. `DATUM[`), case-insensitively.
fn named<'a>(wkt: &'a str, open: &str) -> Option<&'a str> {
    let at = wkt.to_ascii_uppercase().find(open)? + open.len();
    first_quoted(&wkt[at..])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const TIGER: &str = r#"GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]"#;
    const WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    /// NAD83 / Illinois East (ftUS), EPSG:3435, as ESRI writes it.
    pub(crate) const ILLINOIS_EAST: &str = r#"PROJCS["NAD_1983_StatePlane_Illinois_East_FIPS_1201_Feet",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",984250.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-88.33333333333333],PARAMETER["Scale_Factor",0.999975],PARAMETER["Latitude_Of_Origin",36.66666666666666],UNIT["Foot_US",0.3048006096012192]]"#;

    #[test]
    fn tiger_nad83_and_wgs84_longitude_latitude_are_accepted() {
        assert!(check_geographic(TIGER, "t.prj").is_ok());
        assert!(check_geographic(WGS84, "t.prj").is_ok());
        assert!(check_geographic(&format!("\u{feff}{WGS84}\r\n"), "t.prj").is_ok());
    }

    #[test]
    fn a_state_plane_projection_is_refused_by_name() {
        let e = check_geographic(ILLINOIS_EAST, "tracts.prj").unwrap_err();
        assert_eq!(e.code(), Code::UnsupportedCrs);
        assert_eq!(e.details()[0].file.as_deref(), Some("tracts.prj"));
        assert!(
            e.message().contains(
                "projected coordinate system 'NAD_1983_StatePlane_Illinois_East_FIPS_1201_Feet'"
            ),
            "{}",
            e.message()
        );
    }

    #[test]
    fn nad27_and_unreadable_prj_files_are_refused() {
        let nad27 = TIGER
            .replace("North_American_1983", "North_American_1927")
            .replace("GRS_1980", "Clarke_1866");
        let e = check_geographic(&nad27, "t.prj").unwrap_err();
        assert!(
            e.message().contains("D_North_American_1927"),
            "{}",
            e.message()
        );
        assert!(check_geographic("", "t.prj").is_err());
        assert!(check_geographic("EPSG:4326", "t.prj").is_err());
        let grads = TIGER.replace(
            r#"UNIT["Degree",0.017453292519943295]"#,
            r#"UNIT["Grad",0.015707963267949]"#,
        );
        assert!(check_geographic(&grads, "t.prj").is_err());
    }
}
