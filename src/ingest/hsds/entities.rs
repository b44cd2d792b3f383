//! The core HSDS entities: organizations, services, locations (their coordinates
//! checked whether or not they become sites) and the services each location offers.

use super::Package;
use super::common::{Cols, Notes, row};
use crate::domain::LonLat;
use crate::error::{Code, Error, Problem, Result};
use crate::ingest::Problems;
use crate::ingest::geojson_doc::check_lonlat;
use std::collections::{HashMap, HashSet};

/// A row of services.csv.
pub(super) struct Service {
    pub(super) row: u64,
    pub(super) name: String,
    /// The delivering organization, when it names a known one.
    pub(super) org: Option<String>,
    /// False for `inactive` and `defunct` services, which supply nothing.
    pub(super) active: bool,
}

/// A row of locations.csv.
pub(super) struct Location {
    pub(super) row: u64,
    pub(super) name: Option<String>,
    /// The organization maintaining the record, when it names a known one.
    pub(super) org: Option<String>,
    /// `location_type` physical or unset (postal and virtual locations are no sites).
    pub(super) physical: bool,
    /// The checked position; `None` when absent or refused.
    pub(super) point: Option<LonLat>,
    /// True when a latitude or longitude was given, even a refused one.
    pub(super) has_coordinates: bool,
}

/// One service_at_location link: its own id, if any, and the service's id.
pub(super) type Offer<'a> = (Option<&'a str>, &'a str);

/// The file names of the required tables, for messages.
pub(super) struct Files<'a> {
    pub(super) services: &'a str,
    pub(super) locations: &'a str,
    pub(super) service_at_location: &'a str,
}

/// Organizations, services, locations and their links, with ids as keys.
pub(super) struct Entities<'a> {
    pub(super) files: Files<'a>,
    /// Organization id -> name.
    pub(super) orgs: HashMap<&'a str, &'a str>,
    pub(super) services: HashMap<&'a str, Service>,
    /// In file order.
    pub(super) locations: Vec<(&'a str, Location)>,
    /// Location id -> the services it offers, in file order.
    pub(super) offered: HashMap<&'a str, Vec<Offer<'a>>>,
}

impl<'a> Entities<'a> {
    /// Reads the required tables; bad cells and broken links go to `problems`.
    pub(super) fn read(
        pkg: &'a Package,
        problems: &mut Problems,
        notes: &mut Notes,
    ) -> Result<Self> {
        let table = |name: &str| pkg.table(name).map(|t| Cols { t });
        let (Some(orgs_t), Some(services_t), Some(locations_t), Some(sal_t)) = (
            table("organizations"),
            table("services"),
            table("locations"),
            table("service_at_location"),
        ) else {
            // Package::load refuses a package without these.
            return Err(Error::internal("an HSDS package lost a required table"));
        };
        let orgs = organizations(&orgs_t, problems);
        let services = services(&services_t, &orgs, orgs_t.file(), problems);
        let locations = locations(&locations_t, &orgs, orgs_t.file(), problems, notes);
        let offered = offers(
            &sal_t,
            &services,
            services_t.file(),
            &locations,
            locations_t.file(),
            problems,
        );
        Ok(Self {
            files: Files {
                services: services_t.file(),
                locations: locations_t.file(),
                service_at_location: sal_t.file(),
            },
            orgs,
            services,
            locations,
            offered,
        })
    }
}

fn duplicate(file: &str, r: usize, what: &str, id: &str) -> Problem {
    Problem::at(
        file,
        row(r),
        "id",
        format!("{what} id '{id}' appears twice"),
    )
}

/// Organization id -> name.
fn organizations<'a>(t: &Cols<'a>, problems: &mut Problems) -> HashMap<&'a str, &'a str> {
    let mut orgs = HashMap::new();
    for r in 0..t.t.len() {
        let (id, name) = (t.get("id", r), t.get("name", r));
        let (Some(id), Some(name)) = (id, name) else {
            let field = if id.is_none() { "id" } else { "name" };
            problems.push(
                Code::InvalidFile,
                Problem::at(
                    t.file(),
                    row(r),
                    field,
                    format!("the organization has no {field}"),
                ),
            );
            continue;
        };
        if orgs.insert(id, name).is_some() {
            problems.push(
                Code::DuplicateId,
                duplicate(t.file(), r, "organization", id),
            );
        }
    }
    orgs
}

fn services<'a>(
    t: &Cols<'a>,
    orgs: &HashMap<&str, &str>,
    orgs_file: &str,
    problems: &mut Problems,
) -> HashMap<&'a str, Service> {
    let mut services = HashMap::new();
    for r in 0..t.t.len() {
        let Some(id) = t.get("id", r) else {
            problems.push(
                Code::InvalidFile,
                Problem::at(t.file(), row(r), "id", "the service has no id"),
            );
            continue;
        };
        let org = t.get("organization_id", r);
        if let Some(org) = org
            && !orgs.contains_key(org)
        {
            problems.push(
                Code::InvalidFile,
                Problem::at(
                    t.file(),
                    row(r),
                    "organization_id",
                    format!("organization '{org}' is not in {orgs_file}"),
                ),
            );
        }
        let status = t.get("status", r).unwrap_or("active");
        let service = Service {
            row: row(r),
            name: t.get("name", r).unwrap_or_default().to_owned(),
            org: org.filter(|o| orgs.contains_key(o)).map(str::to_owned),
            active: !["inactive", "defunct"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(status)),
        };
        if services.insert(id, service).is_some() {
            problems.push(Code::DuplicateId, duplicate(t.file(), r, "service", id));
        }
    }
    services
}

/// Locations in file order, their coordinates checked whether or not they become sites.
fn locations<'a>(
    t: &Cols<'a>,
    orgs: &HashMap<&str, &str>,
    orgs_file: &str,
    problems: &mut Problems,
    notes: &mut Notes,
) -> Vec<(&'a str, Location)> {
    let mut locations: Vec<(&str, Location)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for r in 0..t.t.len() {
        let Some(id) = t.get("id", r) else {
            problems.push(
                Code::InvalidFile,
                Problem::at(t.file(), row(r), "id", "the location has no id"),
            );
            continue;
        };
        if !seen.insert(id) {
            problems.push(Code::DuplicateId, duplicate(t.file(), r, "location", id));
            continue;
        }
        let org = t.get("organization_id", r);
        if let Some(org) = org
            && !orgs.contains_key(org)
        {
            // Only a fallback for the partner (see sites.rs), so not worth refusing.
            notes.push(format!(
                "{}, row {}: organization_id '{org}' is not in {orgs_file}; the location's sites take their partner from their services' organization",
                t.file(),
                row(r),
            ));
        }
        let location = Location {
            row: row(r),
            name: t.get("name", r).map(str::to_owned),
            org: org.filter(|o| orgs.contains_key(o)).map(str::to_owned),
            physical: t
                .get("location_type", r)
                .is_none_or(|k| k.eq_ignore_ascii_case("physical")),
            point: coordinates(t, r, problems),
            has_coordinates: t.get("latitude", r).is_some() || t.get("longitude", r).is_some(),
        };
        locations.push((id, location));
    }
    locations
}

/// Location id -> the services it offers; links to unknown rows are problems.
fn offers<'a>(
    t: &Cols<'a>,
    services: &HashMap<&str, Service>,
    services_file: &str,
    locations: &[(&str, Location)],
    locations_file: &str,
    problems: &mut Problems,
) -> HashMap<&'a str, Vec<Offer<'a>>> {
    let location_ids: HashSet<&str> = locations.iter().map(|(id, _)| *id).collect();
    let mut offered: HashMap<&str, Vec<Offer<'a>>> = HashMap::new();
    for r in 0..t.t.len() {
        let (service, location) = (t.get("service_id", r), t.get("location_id", r));
        let checks = [
            (
                "service_id",
                service,
                services_file,
                service.is_some_and(|s| services.contains_key(s)),
            ),
            (
                "location_id",
                location,
                locations_file,
                location.is_some_and(|l| location_ids.contains(l)),
            ),
        ];
        let mut known = true;
        for (field, id, target, ok) in checks {
            if ok {
                continue;
            }
            known = false;
            let message = match id {
                Some(id) => format!("'{id}' is not in {target}"),
                None => "the link is empty".to_owned(),
            };
            problems.push(
                Code::InvalidFile,
                Problem::at(t.file(), row(r), field, message),
            );
        }
        if let (true, Some(service), Some(location)) = (known, service, location) {
            let list = offered.entry(location).or_default();
            if !list.iter().any(|(_, s)| *s == service) {
                list.push((t.get("id", r), service));
            }
        }
    }
    offered
}

/// The location's point, `None` when it has none or it is refused (a problem then).
fn coordinates(t: &Cols<'_>, r: usize, problems: &mut Problems) -> Option<LonLat> {
    let (lat, lon) = (t.get("latitude", r), t.get("longitude", r));
    if lat.is_none() && lon.is_none() {
        return None;
    }
    let mut number = |field: &str, v: Option<&str>| {
        let message = match v.map(str::parse::<f64>) {
            Some(Ok(x)) => return Some(x),
            Some(Err(_)) => format!("'{}' is not a number", v.unwrap_or_default()),
            None => format!("the {field} is empty while the other coordinate is set"),
        };
        problems.push(
            Code::InvalidCoordinates,
            Problem::at(t.file(), row(r), field, message),
        );
        None
    };
    let (y, x) = (number("latitude", lat), number("longitude", lon));
    let (x, y) = (x?, y?);
    let message = match check_lonlat(x, y) {
        Ok(()) => match LonLat::new(x, y) {
            Ok(p) => return Some(p),
            Err(e) => e.to_string(),
        },
        Err(m) => m,
    };
    // Name the coordinate that is out of place: the latitude when it cannot be one.
    let field = if !(-90.0..=90.0).contains(&y) || (y.abs() > 85.0 && x.abs() <= 85.0) {
        "latitude"
    } else {
        "longitude"
    };
    problems.push(
        Code::InvalidCoordinates,
        Problem::at(t.file(), row(r), field, message),
    );
    None
}
