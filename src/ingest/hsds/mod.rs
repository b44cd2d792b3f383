//! Open Referral HSDS tabular packages: 3.0 (with 3.1's `service_capacity`), and 1.1
//! and 2.0 read under the 3.0 names (see versions.rs). A zip of CSV tables, or the
//! tables uploaded together. Each physical location that offers services becomes a
//! site of the organization delivering them.
//!
//! Only the tables gapmap uses are read; the others a package may hold (contacts,
//! funding, accessibility …) are ignored.

mod classify;
mod common;
mod details;
mod entities;
mod schedules;
mod sites;
mod versions;

pub(crate) use schedules::today;

use super::archive;
use super::{InputFile, PartnerImport, Table};
use super::{Limits, TableLimits, Untracked};
use crate::domain::Catalog;
use crate::error::{Code, Error, Problem, Result};
use std::collections::BTreeMap;

/// The tables a package must have.
pub const REQUIRED_TABLES: [&str; 4] = [
    "organizations",
    "services",
    "locations",
    "service_at_location",
];

/// The tables read when present.
pub const OPTIONAL_TABLES: [&str; 7] = [
    "languages",
    "schedules",
    "taxonomy_terms",
    "attributes",
    "service_capacity",
    "addresses",
    "phones",
];

/// Reads a zipped package within the zip and table limits. The tables may sit in a folder.
pub fn read_zip(
    file: &InputFile,
    catalog: &Catalog,
    limits: &Limits,
    untracked: Untracked,
) -> Result<PartnerImport> {
    let entries = archive::read_entries(file, &limits.zip, |path| {
        archive::extension(path).as_deref() == Some("csv") || versions::is_descriptor(path)
    })?;
    let package = Package::load(&file.name, &entries, &limits.table)?;
    sites::build(&package, catalog, &schedules::today(), untracked)
}

/// Reads a package uploaded as separate CSV files, recognised by their file names
/// (`organizations.csv`, `services.csv` …).
pub fn read_tables(
    files: &[InputFile],
    catalog: &Catalog,
    limits: &Limits,
    untracked: Untracked,
) -> Result<PartnerImport> {
    let package = Package::load("the HSDS package", files, &limits.table)?;
    sites::build(&package, catalog, &schedules::today(), untracked)
}

/// The HSDS table a file name stands for: `hsds/Locations.csv` -> `locations`.
pub fn table_name(path: &str) -> Option<&'static str> {
    let base = archive::base_name(path);
    let stem = match base.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("csv") => stem,
        Some(_) => return None,
        None => base,
    };
    REQUIRED_TABLES
        .iter()
        .chain(&OPTIONAL_TABLES)
        .find(|t| t.eq_ignore_ascii_case(stem))
        .copied()
}

/// True when a single uploaded CSV is one table of an HSDS package, by its name or by
/// columns only HSDS tables have.
pub fn is_hsds_table(file: &str, headers: &[String]) -> bool {
    let has = |c: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(c));
    table_name(file).is_some()
        || has("location_type")
        || has("taxonomy_term_id")
        || (has("service_id") && has("location_id"))
        || (has("organization_id") && (has("status") || has("latitude")))
}

/// The package's tables by name.
pub(super) struct Package {
    /// How messages name the package as a whole.
    pub name: String,
    /// Its HSDS version and how it was found.
    pub detected: versions::Detected,
    tables: BTreeMap<&'static str, Table>,
}

impl Package {
    fn load(name: &str, files: &[InputFile], limits: &TableLimits) -> Result<Self> {
        let detected = versions::detect(files);
        let legacy = detected.version == versions::Version::Legacy;
        let mut tables: BTreeMap<&'static str, Table> = BTreeMap::new();
        let mut names: BTreeMap<&'static str, &str> = BTreeMap::new();
        for f in files {
            let stem = versions::file_stem(&f.name);
            let Some(table) = table_name(&f.name)
                .or_else(|| legacy.then(|| versions::legacy_table(stem)).flatten())
            else {
                continue;
            };
            if let Some(first) = names.insert(table, &f.name) {
                return Err(Error::problem(
                    Code::InvalidFile,
                    Problem::in_file(
                        &f.name,
                        format!(
                            "the package holds the {table} table twice: {first} and {}",
                            f.name
                        ),
                    ),
                ));
            }
            // A blank optional table says nothing; a blank required one is refused below.
            if OPTIONAL_TABLES.contains(&table) && f.bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut t = Table::read(f, limits)?;
            if legacy {
                versions::adapt(table, stem, &mut t);
            }
            tables.insert(table, t);
        }
        let missing: Vec<&str> = REQUIRED_TABLES
            .iter()
            .filter(|t| !tables.contains_key(**t))
            .copied()
            .collect();
        if let Some(first) = missing.first() {
            let file = |t: &str| versions::file_of(detected.version, t);
            let first = file(first);
            let found: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            let found = if found.is_empty() {
                "no CSV files".to_owned()
            } else {
                found.join(", ")
            };
            let problems = missing
                .iter()
                .map(|t| Problem::in_file(&file(t), format!("{name} has no {}", file(t))))
                .collect();
            let needed: Vec<String> = REQUIRED_TABLES.iter().map(|t| file(t)).collect();
            return Err(Error::with_details(
                Code::InvalidFile,
                format!(
                    "{name} has no {first}: read as {}, the package needs {} (found: {found})",
                    detected.how,
                    needed.join(", ")
                ),
                problems,
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            detected,
            tables,
        })
    }

    /// A table, when the package has it (required tables always are present).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_come_from_file_names() {
        assert_eq!(table_name("hsds/Locations.csv"), Some("locations"));
        assert_eq!(
            table_name("service_at_location.csv"),
            Some("service_at_location")
        );
        assert_eq!(table_name("funding.csv"), None);
        assert_eq!(table_name("locations.json"), None);
    }

    #[test]
    fn a_package_without_locations_names_the_missing_file() {
        let files = [
            InputFile::new("organizations.csv", "id,name\n1,A\n"),
            InputFile::new("services.csv", "id,name\n1,A\n"),
            InputFile::new("service_at_location.csv", "service_id,location_id\n1,1\n"),
        ];
        let e = read_tables(
            &files,
            &Catalog::bundled(),
            &Limits::default(),
            Untracked::Refuse,
        )
        .unwrap_err();
        assert_eq!(e.code(), Code::InvalidFile);
        assert!(e.message().contains("no locations.csv"), "{}", e.message());
        assert_eq!(e.details()[0].file.as_deref(), Some("locations.csv"));
    }

    #[test]
    fn hsds_tables_are_recognised_by_their_columns() {
        let h = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert!(is_hsds_table(
            "upload.csv",
            &h("id,location_type,name,latitude,longitude")
        ));
        assert!(is_hsds_table("partners", &h("id,service_id,location_id")));
        assert!(!is_hsds_table(
            "partners.csv",
            &h("id,name,lat,lon,services")
        ));
    }
}
