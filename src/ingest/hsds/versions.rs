//! Which HSDS version a package follows, read from the package itself, and how the
//! tables of HSDS 1.1 and 2.0 are read under the 3.0 names the rest of the reader uses.
//!
//! The version comes from `datapackage.json` when it names one (its `hsds_version`, its
//! `profile`, or its `version` when the package describes itself as HSDS / Open
//! Referral), else from the file layout: `services_at_location.csv` is the 1.1/2.0
//! name, `service_at_location.csv` the 3.0 one.

use crate::ingest::{InputFile, Table, archive};
use serde_json::Value;

/// The HSDS layouts gapmap reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// HSDS 1.x and 2.0: plural link tables, `taxonomy.csv`, `regular_schedules.csv`
    /// (1.1) or `schedules.csv` (2.0), `physical_addresses.csv`.
    Legacy,
    /// HSDS 3.0 (and 3.1).
    V3,
}

/// The version and how it was found, for messages.
#[derive(Clone, Debug)]
pub struct Detected {
    pub version: Version,
    /// E.g. "HSDS 1.1 (named in datapackage.json)".
    pub how: String,
    /// A note when datapackage.json could not be used.
    pub note: Option<String>,
}

/// 1.1/2.0 file names and the 3.0 table each is read as.
const LEGACY_TABLES: [(&str, &str); 6] = [
    ("services_at_location", "service_at_location"),
    ("services_taxonomy", "attributes"),
    ("service_taxonomy", "attributes"),
    ("taxonomy", "taxonomy_terms"),
    ("regular_schedules", "schedules"),
    ("physical_addresses", "addresses"),
];

/// The 3.0 table a 1.1/2.0 file name stands for (`Services_At_Location.csv` ->
/// `service_at_location`).
pub fn legacy_table(stem: &str) -> Option<&'static str> {
    LEGACY_TABLES
        .iter()
        .find(|(legacy, _)| legacy.eq_ignore_ascii_case(stem))
        .map(|(_, table)| *table)
}

/// The file a version names a table by, for messages about a missing one.
pub fn file_of(version: Version, table: &str) -> String {
    let legacy = LEGACY_TABLES
        .iter()
        .find(|(_, t)| *t == table)
        .map(|(legacy, _)| *legacy);
    match (version, legacy) {
        (Version::Legacy, Some(legacy)) if table == "service_at_location" => {
            format!("{legacy}.csv")
        }
        _ => format!("{table}.csv"),
    }
}

fn stem(path: &str) -> &str {
    let base = archive::base_name(path);
    match base.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("csv") => stem,
        _ => base,
    }
}

/// True for the package descriptor.
pub fn is_descriptor(path: &str) -> bool {
    archive::base_name(path).eq_ignore_ascii_case("datapackage.json")
}

/// The version of a package from its files.
pub fn detect(files: &[InputFile]) -> Detected {
    let mut note = None;
    if let Some(d) = files.iter().find(|f| is_descriptor(&f.name)) {
        match serde_json::from_slice::<Value>(&d.bytes) {
            Ok(json) => {
                if let Some(v) = declared(&json) {
                    if let Some(version) = major(&v) {
                        return Detected {
                            version,
                            how: format!("HSDS {v} (named in {})", d.name),
                            note: None,
                        };
                    }
                    note = Some(format!(
                        "{} names HSDS version '{v}', which gapmap does not know; the package was read by its file layout",
                        d.name
                    ));
                }
            }
            Err(e) => {
                note = Some(format!(
                    "{} is not valid JSON ({e}); the package was read by its file layout",
                    d.name
                ))
            }
        }
    }
    let has = |name: &str| {
        files
            .iter()
            .any(|f| stem(&f.name).eq_ignore_ascii_case(name))
    };
    let (version, how) = if has("services_at_location") && !has("service_at_location") {
        let which = if has("regular_schedules") {
            "1.1"
        } else {
            "1.1/2.0"
        };
        (
            Version::Legacy,
            format!("HSDS {which} (by its services_at_location.csv)"),
        )
    } else {
        (Version::V3, "HSDS 3.0".to_owned())
    };
    Detected { version, how, note }
}

/// The HSDS version a descriptor names, if any.
fn declared(json: &Value) -> Option<String> {
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::trim);
    for key in ["hsds_version", "specification_version"] {
        if let Some(v) = text(key).filter(|v| !v.is_empty()) {
            return Some(v.to_owned());
        }
    }
    let about_hsds = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("hsds") || s.contains("openreferral") || s.contains("open referral")
    };
    // A profile such as "https://openreferral.org/hsds/1.1/datapackage" names it.
    if let Some(p) = text("profile").filter(|p| about_hsds(p))
        && let Some(v) = number_in(p)
    {
        return Some(v);
    }
    let describes_hsds = ["name", "title", "profile", "homepage", "description"]
        .iter()
        .filter_map(|k| text(k))
        .any(about_hsds)
        || text("title").is_some_and(|t| t.to_ascii_lowercase().contains("human services data"));
    if describes_hsds && let Some(v) = text("version").and_then(number_in) {
        return Some(v);
    }
    None
}

/// The first `N.N` in a text: `v1.1.0` -> `1.1.0`.
fn number_in(s: &str) -> Option<String> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let v: String = s[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v = v.trim_end_matches('.');
    v.contains('.').then(|| v.to_owned())
}

fn major(v: &str) -> Option<Version> {
    match v.trim_start_matches(['v', 'V']).split('.').next()? {
        "1" | "2" => Some(Version::Legacy),
        "3" => Some(Version::V3),
        _ => None,
    }
}

/// Reads a 1.1/2.0 table under the 3.0 column names (the file name stays in messages).
pub fn adapt(table: &str, file_stem: &str, t: &mut Table) {
    match (table, file_stem.to_ascii_lowercase().as_str()) {
        ("attributes", "services_taxonomy" | "service_taxonomy") => {
            t.rename_column("service_id", "link_id");
            t.rename_column("taxonomy_id", "taxonomy_term_id");
            t.add_constant_column("link_entity", "service");
        }
        ("taxonomy_terms", "taxonomy") => {
            t.rename_column("term", "name");
        }
        _ => {}
    }
}

/// The file's stem, for `adapt`.
pub fn file_stem(path: &str) -> &str {
    stem(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> InputFile {
        InputFile::new(name, text)
    }

    #[test]
    fn the_descriptor_names_the_version() {
        let d = detect(&[file(
            "datapackage.json",
            r#"{"name":"hsds","title":"Human Services Data Specification","version":"1.1.0"}"#,
        )]);
        assert_eq!(d.version, Version::Legacy);
        assert_eq!(d.how, "HSDS 1.1.0 (named in datapackage.json)");
        let d = detect(&[file(
            "pkg/datapackage.json",
            r#"{"profile":"https://openreferral.org/hsds/3.0/profile"}"#,
        )]);
        assert_eq!(d.version, Version::V3);
        let d = detect(&[file("datapackage.json", r#"{"hsds_version":"2.0.1"}"#)]);
        assert_eq!(d.version, Version::Legacy);
        // A package's own version number says nothing unless it describes HSDS.
        let d = detect(&[
            file("datapackage.json", r#"{"name":"my-city","version":"2.0"}"#),
            file("service_at_location.csv", "a\n"),
        ]);
        assert_eq!(d.version, Version::V3);
    }

    #[test]
    fn without_a_descriptor_the_layout_decides() {
        let d = detect(&[
            file("x/services_at_location.csv", "a\n"),
            file("x/regular_schedules.csv", "a\n"),
        ]);
        assert_eq!(d.version, Version::Legacy);
        assert!(d.how.contains("1.1"), "{}", d.how);
        let d = detect(&[file("service_at_location.csv", "a\n")]);
        assert_eq!(d.version, Version::V3);
        let d = detect(&[file("datapackage.json", "{not json")]);
        assert!(d.note.unwrap().contains("not valid JSON"));
    }

    #[test]
    fn legacy_names_map_to_tables() {
        assert_eq!(
            legacy_table("Services_At_Location"),
            Some("service_at_location")
        );
        assert_eq!(legacy_table("physical_addresses"), Some("addresses"));
        assert_eq!(legacy_table("locations"), None);
        assert_eq!(
            file_of(Version::Legacy, "service_at_location"),
            "services_at_location.csv"
        );
        assert_eq!(
            file_of(Version::V3, "service_at_location"),
            "service_at_location.csv"
        );
    }
}
