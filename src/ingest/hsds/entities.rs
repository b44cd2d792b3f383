//! The core HSDS entities: organizations, services, locations (their coordinates
//! checked whether or not they become sites) and the services each location offers.

use super::Package;
use super::common::{Cols, Notes, row};
use crate::domain::LonLat;
use crate::error::{Code, Error, Problem, Result};
use crate::ingest::Problems;
use crate::ingest::geojson_doc::check_lonlat;
use std::collections::HashMap;

pub(super) struct Service {
    pub(super) row: u64,
    pub(super) name: String,
    pub(super) org: Option<String>,
    pub(super) active: bool,
}

pub(super) struct Location {
    pub(super) row: u64,
    pub(super) name: Option<String>,
    pub(super) org: Option<String>,
    pub(super) physical: bool,
    pub(super) point: Option<LonLat>,
    pub(super) has_coordinates: bool,
}

/// One service_at_location link: its own id, if any, and the service's id.
pub(super) type Offer<'a> = (Option<&'a str>, &'a str);

/// The file names of the four required tables, for messages.
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
        // Organizations and services.
        let mut orgs: HashMap<&str, &str> = HashMap::new();
        for r in 0..orgs_t.t.len() {
            let (Some(id), name) = (orgs_t.get("id", r), orgs_t.get("name", r)) else {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(orgs_t.file(), row(r), "id", "the organization has no id"),
                );
                continue;
            };
            let Some(name) = name else {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(
                        orgs_t.file(),
                        row(r),
                        "name",
                        "the organization has no name",
                    ),
                );
                continue;
            };
            if orgs.insert(id, name).is_some() {
                problems.push(
                    Code::DuplicateId,
                    Problem::at(
                        orgs_t.file(),
                        row(r),
                        "id",
                        format!("organization id '{id}' appears twice"),
                    ),
                );
            }
        }
        let mut services: HashMap<&str, Service> = HashMap::new();
        for r in 0..services_t.t.len() {
            let Some(id) = services_t.get("id", r) else {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(services_t.file(), row(r), "id", "the service has no id"),
                );
                continue;
            };
            let org = services_t.get("organization_id", r);
            if let Some(org) = org
                && !orgs.contains_key(org)
            {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(
                        services_t.file(),
                        row(r),
                        "organization_id",
                        format!("organization '{org}' is not in {}", orgs_t.file()),
                    ),
                );
            }
            let status = services_t.get("status", r).unwrap_or("active");
            let service = Service {
                row: row(r),
                name: services_t.get("name", r).unwrap_or_default().to_owned(),
                org: org.map(str::to_owned),
                active: !["inactive", "defunct"]
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(status)),
            };
            if services.insert(id, service).is_some() {
                problems.push(
                    Code::DuplicateId,
                    Problem::at(
                        services_t.file(),
                        row(r),
                        "id",
                        format!("service id '{id}' appears twice"),
                    ),
                );
            }
        }

        // Locations, with their coordinates checked whether or not they become sites.
        let mut locations: Vec<(&str, Location)> = Vec::new();
        let mut location_index: HashMap<&str, usize> = HashMap::new();
        for r in 0..locations_t.t.len() {
            let Some(id) = locations_t.get("id", r) else {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(locations_t.file(), row(r), "id", "the location has no id"),
                );
                continue;
            };
            let point = coordinates(&locations_t, r, problems);
            let org = locations_t.get("organization_id", r);
            if let Some(org) = org
                && !orgs.contains_key(org)
            {
                notes.push(format!(
                    "{}, row {}: organization_id '{org}' is not in {}; the location's sites take their partner from their services' organization",
                    locations_t.file(),
                    row(r),
                    orgs_t.file()
                ));
            }
            let location = Location {
                row: row(r),
                name: locations_t.get("name", r).map(str::to_owned),
                org: org.filter(|o| orgs.contains_key(o)).map(str::to_owned),
                physical: locations_t
                    .get("location_type", r)
                    .is_none_or(|t| t.eq_ignore_ascii_case("physical")),
                point: point.unwrap_or(None),
                has_coordinates: locations_t.get("latitude", r).is_some()
                    || locations_t.get("longitude", r).is_some(),
            };
            if location_index.insert(id, locations.len()).is_some() {
                problems.push(
                    Code::DuplicateId,
                    Problem::at(
                        locations_t.file(),
                        row(r),
                        "id",
                        format!("location id '{id}' appears twice"),
                    ),
                );
                continue;
            }
            locations.push((id, location));
        }

        // Which services each location offers.
        let mut offered: HashMap<&str, Vec<(Option<&str>, &str)>> = HashMap::new();
        for r in 0..sal_t.t.len() {
            let (service, location) = (sal_t.get("service_id", r), sal_t.get("location_id", r));
            let mut known = true;
            for (field, id, ok, target) in [
                (
                    "service_id",
                    service,
                    service.is_some_and(|s| services.contains_key(s)),
                    services_t.file(),
                ),
                (
                    "location_id",
                    location,
                    location.is_some_and(|l| location_index.contains_key(l)),
                    locations_t.file(),
                ),
            ] {
                if !ok {
                    known = false;
                    let message = match id {
                        Some(id) => format!("'{id}' is not in {target}"),
                        None => "the link is empty".to_owned(),
                    };
                    problems.push(
                        Code::InvalidFile,
                        Problem::at(sal_t.file(), row(r), field, message),
                    );
                }
            }
            if let (true, Some(service), Some(location)) = (known, service, location) {
                let list = offered.entry(location).or_default();
                if !list.iter().any(|(_, s)| *s == service) {
                    list.push((sal_t.get("id", r), service));
                }
            }
        }
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

/// The location's point: `Ok(None)` when it has none, `Err` when it is refused.
fn coordinates(
    t: &Cols<'_>,
    r: usize,
    problems: &mut Problems,
) -> std::result::Result<Option<LonLat>, ()> {
    let (lat, lon) = (t.get("latitude", r), t.get("longitude", r));
    let number =
        |field: &str, v: Option<&str>, problems: &mut Problems| match v.map(str::parse::<f64>) {
            Some(Ok(x)) => Ok(x),
            Some(Err(_)) => {
                problems.push(
                    Code::InvalidCoordinates,
                    Problem::at(
                        t.file(),
                        row(r),
                        field,
                        format!("'{}' is not a number", v.unwrap_or_default()),
                    ),
                );
                Err(())
            }
            None => {
                problems.push(
                    Code::InvalidCoordinates,
                    Problem::at(
                        t.file(),
                        row(r),
                        field,
                        format!("the {field} is empty while the other coordinate is set"),
                    ),
                );
                Err(())
            }
        };
    if lat.is_none() && lon.is_none() {
        return Ok(None);
    }
    let y = number("latitude", lat, problems);
    let x = number("longitude", lon, problems);
    let (x, y) = (x?, y?);
    let refuse = |message: String, problems: &mut Problems| {
        // Name the coordinate that is out of place: latitude when it cannot be one.
        let field = if !(-90.0..=90.0).contains(&y) || (y.abs() > 85.0 && x.abs() <= 85.0) {
            "latitude"
        } else {
            "longitude"
        };
        problems.push(
            Code::InvalidCoordinates,
            Problem::at(t.file(), row(r), field, message),
        );
        Err(())
    };
    if let Err(m) = check_lonlat(x, y) {
        return refuse(m, problems);
    }
    match LonLat::new(x, y) {
        Ok(p) => Ok(Some(p)),
        Err(e) => refuse(e.to_string(), problems),
    }
}
