//! From HSDS tables to partners and sites.
//!
//! A site is a physical location with coordinates and at least one active service linked
//! through service_at_location. Its partner is the organization delivering the services
//! (HSDS's `location.organization_id` names who maintains the location's record, so it
//! is only the fallback); a location shared by several organizations becomes one site
//! per organization, with ids `<location id>/<organization id>`.

use super::Package;
use super::schedules::{self, Week};
use crate::domain::{Catalog, LonLat, PartnerDirectory};
use crate::error::{Code, Error, Problem, Result};
use crate::ingest::directory::{self, FieldNames, SiteRecord};
use crate::ingest::geojson_doc::check_lonlat;
use crate::ingest::{PartnerImport, Problems, Table};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Field names for the problems `directory::build` reports against locations.csv.
const LOCATION_FIELDS: FieldNames = FieldNames {
    id: "id",
    name: "name",
    services: "id",
    capacity: "maximum",
    languages: "code",
    hours: "opens_at",
    partnership_level: "partnership_level",
    partnership_stage: "partnership_stage",
    agreement_start: "agreement_start",
    agreement_end: "agreement_end",
};

/// At most this many warnings are listed; the last one counts the rest.
const MAX_NOTES: usize = 50;

#[derive(Default)]
struct Notes {
    list: Vec<String>,
    more: usize,
}

impl Notes {
    fn push(&mut self, note: String) {
        if self.list.len() < MAX_NOTES {
            self.list.push(note);
        } else {
            self.more += 1;
        }
    }

    fn into_vec(mut self) -> Vec<String> {
        if self.more > 0 {
            self.list.push(format!("… and {} more warnings", self.more));
        }
        self.list
    }
}

/// Column lookup and cell access for one table.
struct Cols<'a> {
    t: &'a Table,
}

impl<'a> Cols<'a> {
    fn get(&self, name: &str, r: usize) -> Option<&'a str> {
        self.t.column_any(&[name]).and_then(|c| self.t.cell(c, r))
    }

    fn file(&self) -> &'a str {
        &self.t.file
    }
}

fn row(r: usize) -> u64 {
    Table::row_number(r)
}

struct Service {
    row: u64,
    name: String,
    org: Option<String>,
    active: bool,
}

struct Location {
    row: u64,
    name: Option<String>,
    org: Option<String>,
    physical: bool,
    point: Option<LonLat>,
    has_coordinates: bool,
}

/// A taxonomy term's code and name, as given.
struct Term {
    code: Option<String>,
    name: Option<String>,
}

/// Builds the directory from a loaded package; `today` dates the schedules.
pub(super) fn build(pkg: &Package, catalog: &Catalog, today: &str) -> Result<PartnerImport> {
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
    check_columns(pkg)?;
    let mut problems = Problems::default();
    let mut notes = Notes::default();

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
        let point = coordinates(&locations_t, r, &mut problems);
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

    let taxonomy = Taxonomy::read(pkg, &services, &offered, &mut problems);
    let capacities = capacities(pkg, &services, &mut problems);
    let languages = Languages::read(pkg, &mut problems, &mut notes);
    let schedules = read_schedules(pkg, today, &mut notes);
    let addresses = addresses(pkg);

    // Sites.
    let mut records: Vec<SiteRecord> = Vec::new();
    // Per record: its services, to spread capacities only where they are unambiguous.
    let mut record_services: Vec<Vec<&str>> = Vec::new();
    let (mut without_services, mut inactive_only) = (0usize, 0usize);
    let mut unmapped: Vec<String> = Vec::new();
    for (loc_id, loc) in &locations {
        if !loc.physical {
            continue;
        }
        let Some(links) = offered.get(loc_id) else {
            without_services += 1;
            continue;
        };
        let active: Vec<(Option<&str>, &str)> = links
            .iter()
            .copied()
            .filter(|(_, s)| services.get(s).is_some_and(|s| s.active))
            .collect();
        if active.is_empty() {
            inactive_only += 1;
            continue;
        }
        let Some(point) = loc.point else {
            if !loc.has_coordinates {
                notes.push(format!(
                    "{}, row {}: location '{}' has no latitude/longitude and was left out (gapmap does not geocode addresses)",
                    locations_t.file(),
                    loc.row,
                    loc.name.as_deref().unwrap_or(loc_id)
                ));
            }
            continue;
        };

        // One group of services per delivering organization, in file order.
        let mut groups: Vec<(&str, Vec<(Option<&str>, &str)>)> = Vec::new();
        for (sal, service_id) in active {
            let service = &services[service_id];
            let Some(org) = service.org.as_deref().or(loc.org.as_deref()) else {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(
                        locations_t.file(),
                        loc.row,
                        "organization_id",
                        format!(
                            "no organization delivers service '{}' here: neither the location nor the service ({}, row {}) names one",
                            service.name,
                            services_t.file(),
                            service.row
                        ),
                    ),
                );
                continue;
            };
            match groups.iter_mut().find(|(o, _)| *o == org) {
                Some((_, list)) => list.push((sal, service_id)),
                None => groups.push((org, vec![(sal, service_id)])),
            }
        }
        let split = groups.len() > 1;
        let mut kept = 0usize;
        let mut dropped: Vec<String> = Vec::new();
        for (org, links) in groups {
            let mut codes: Vec<&str> = Vec::new();
            let mut left_out: Vec<String> = Vec::new();
            for (sal, service_id) in &links {
                let found = taxonomy.codes(catalog, service_id, *sal, &services[service_id].name);
                if found.is_empty() {
                    left_out.push(taxonomy.describe(
                        service_id,
                        &services[service_id],
                        services_t.file(),
                    ));
                }
                for c in found {
                    if !codes.contains(&c) {
                        codes.push(c);
                    }
                }
            }
            if codes.is_empty() {
                dropped.extend(left_out);
                continue;
            }
            unmapped.extend(left_out);
            kept += 1;

            let site_services: HashSet<&str> = links.iter().map(|(_, s)| *s).collect();
            let site_sals: HashSet<&str> = links.iter().filter_map(|(sal, _)| *sal).collect();
            let here = Here {
                location: loc_id,
                services: &site_services,
                sals: &site_sals,
            };
            let mut week = Week::default();
            for (links, spans) in &schedules {
                if here.matches(links, &languages.phones) {
                    week.add(spans);
                }
            }
            records.push(SiteRecord {
                row: loc.row,
                id: Some(if split {
                    format!("{loc_id}/{org}")
                } else {
                    (*loc_id).to_owned()
                }),
                name: loc
                    .name
                    .clone()
                    .or_else(|| orgs.get(org).map(|n| (*n).to_owned())),
                partner_id: Some(org.to_owned()),
                partner: orgs.get(org).map(|n| (*n).to_owned()),
                location: Some(point),
                services: codes.iter().map(|c| (*c).to_owned()).collect(),
                capacity: Vec::new(),
                languages: languages.at(&here),
                hours: week.to_hours_text(),
                address: addresses.get(*loc_id).cloned(),
                ..Default::default()
            });
            record_services.push(links.iter().map(|(_, s)| *s).collect());
        }
        if kept == 0 && !dropped.is_empty() {
            problems.push(
                Code::InvalidFile,
                Problem::at(
                    locations_t.file(),
                    loc.row,
                    "id",
                    format!(
                        "no service at location '{}' maps to a gapmap service: {}. Link each service (attributes.csv) to a taxonomy term whose code is an AIRS/211 code (e.g. PH-1250 for child care) or whose name is a service name of data/needs.toml (e.g. 'child care', 'food pantry')",
                        loc.name.as_deref().unwrap_or(loc_id),
                        dropped.join("; ")
                    ),
                ),
            );
        } else {
            unmapped.extend(dropped);
        }
    }
    spread_capacities(
        &mut records,
        &record_services,
        &capacities,
        catalog,
        &taxonomy,
        &services,
        &mut notes,
    );

    if !unmapped.is_empty() {
        notes.push(format!(
            "{} services map to no gapmap service and were left out of their sites: {}",
            unmapped.len(),
            unmapped
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if without_services > 0 {
        notes.push(format!(
            "{without_services} physical locations offer no service in {} and were left out",
            sal_t.file()
        ));
    }
    if inactive_only > 0 {
        notes.push(format!(
            "{inactive_only} locations offer only inactive or defunct services and were left out"
        ));
    }

    let directory: PartnerDirectory = directory::build(
        records,
        catalog,
        locations_t.file(),
        LOCATION_FIELDS,
        &mut problems,
    );
    problems.into_result(&pkg.name)?;
    if directory.sites.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(
                locations_t.file(),
                format!(
                    "{} holds no physical location with coordinates and an active service, so there is no site to import",
                    pkg.name
                ),
            ),
        ));
    }
    Ok(PartnerImport {
        directory,
        warnings: notes.into_vec(),
    })
}

/// Refuses tables that lack the columns gapmap reads from them.
fn check_columns(pkg: &Package) -> Result<()> {
    const NEEDED: [(&str, &[&str]); 9] = [
        ("organizations", &["id", "name"]),
        ("services", &["id", "name"]),
        ("locations", &["id"]),
        ("service_at_location", &["service_id", "location_id"]),
        ("taxonomy_terms", &["id"]),
        ("attributes", &["link_id", "taxonomy_term_id"]),
        ("service_capacity", &["service_id"]),
        ("addresses", &["location_id"]),
        ("phones", &["id"]),
    ];
    let mut problems = Problems::default();
    for (name, columns) in NEEDED {
        let Some(t) = pkg.table(name) else { continue };
        for c in columns {
            if t.column_any(&[c]).is_none() {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(
                        &t.file,
                        1,
                        c,
                        format!("the required column '{c}' is missing"),
                    ),
                );
            }
        }
    }
    if let Some(t) = pkg.table("service_capacity")
        && t.column_any(&["maximum", "available"]).is_none()
    {
        problems.push(
            Code::InvalidFile,
            Problem::at(
                &t.file,
                1,
                "maximum",
                "the table needs a 'maximum' or 'available' column",
            ),
        );
    }
    problems.into_result(&pkg.name)
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

/// Taxonomy terms linked to services and services-at-location through attributes.
struct Taxonomy<'a> {
    terms: HashMap<&'a str, Term>,
    /// Service or service_at_location id -> its term ids.
    links: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Taxonomy<'a> {
    fn read(
        pkg: &'a Package,
        services: &HashMap<&'a str, Service>,
        offered: &HashMap<&'a str, Vec<(Option<&'a str>, &'a str)>>,
        problems: &mut Problems,
    ) -> Self {
        let mut terms = HashMap::new();
        if let Some(t) = pkg.table("taxonomy_terms").map(|t| Cols { t }) {
            for r in 0..t.t.len() {
                if let Some(id) = t.get("id", r) {
                    terms.insert(
                        id,
                        Term {
                            code: t.get("code", r).map(str::to_owned),
                            name: t.get("name", r).map(str::to_owned),
                        },
                    );
                }
            }
        }
        let sals: HashSet<&str> = offered
            .values()
            .flatten()
            .filter_map(|(sal, _)| *sal)
            .collect();
        let mut links: HashMap<&str, Vec<&str>> = HashMap::new();
        if let Some(t) = pkg.table("attributes").map(|t| Cols { t }) {
            for r in 0..t.t.len() {
                let (Some(link), Some(term)) = (t.get("link_id", r), t.get("taxonomy_term_id", r))
                else {
                    continue;
                };
                // Attributes also describe organizations, locations, eligibility …;
                // only those on a service (or a service at one location) classify it.
                let entity = t
                    .get("link_entity", r)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let target = match entity.as_str() {
                    "" | "service" | "services" => {
                        services.contains_key(link) || sals.contains(link)
                    }
                    "service_at_location" => sals.contains(link),
                    _ => false,
                };
                if !target {
                    continue;
                }
                if !terms.contains_key(term) {
                    let why = if pkg.table("taxonomy_terms").is_some() {
                        format!("taxonomy term '{term}' is not in taxonomy_terms.csv")
                    } else {
                        format!(
                            "taxonomy term '{term}' cannot be looked up: the package has no taxonomy_terms.csv"
                        )
                    };
                    problems.push(
                        Code::InvalidFile,
                        Problem::at(&t.t.file, row(r), "taxonomy_term_id", why),
                    );
                    continue;
                }
                links.entry(link).or_default().push(term);
            }
        }
        Self { terms, links }
    }

    /// The open codes of a service at one location: from its taxonomy terms (code, then
    /// name), else from the service's name.
    fn codes<'c>(
        &self,
        catalog: &'c Catalog,
        service: &str,
        sal: Option<&str>,
        name: &str,
    ) -> Vec<&'c str> {
        let mut codes = Vec::new();
        let linked = self
            .links
            .get(service)
            .into_iter()
            .chain(sal.and_then(|s| self.links.get(s)));
        for term in linked.flatten().filter_map(|t| self.terms.get(t)) {
            let code = term.code.as_deref().and_then(|c| catalog.service_code(c));
            if let Some(c) =
                code.or_else(|| term.name.as_deref().and_then(|n| catalog.service_code(n)))
                && !codes.contains(&c)
            {
                codes.push(c);
            }
        }
        if codes.is_empty()
            && let Some(c) = catalog.service_code(name)
        {
            codes.push(c);
        }
        codes
    }

    /// What was tried for a service, for messages.
    fn describe(&self, id: &str, s: &Service, file: &str) -> String {
        let terms: Vec<String> = self
            .links
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|t| self.terms.get(t))
            .map(|t| {
                format!(
                    "code '{}', name '{}'",
                    t.code.as_deref().unwrap_or(""),
                    t.name.as_deref().unwrap_or("")
                )
            })
            .collect();
        let terms = if terms.is_empty() {
            "no taxonomy term".to_owned()
        } else {
            format!("taxonomy terms {}", terms.join(" / "))
        };
        format!(
            "service '{}' ({file}, row {}; {terms}; the name matches no service either)",
            s.name, s.row
        )
    }
}

/// The capacity of each service that states one: `maximum`, else `available`.
fn capacities<'a>(
    pkg: &'a Package,
    services: &HashMap<&str, Service>,
    problems: &mut Problems,
) -> HashMap<&'a str, Vec<(u64, f64)>> {
    let mut out: HashMap<&str, Vec<(u64, f64)>> = HashMap::new();
    let Some(t) = pkg.table("service_capacity").map(|t| Cols { t }) else {
        return out;
    };
    for r in 0..t.t.len() {
        let Some(service) = t.get("service_id", r) else {
            continue;
        };
        if !services.contains_key(service) {
            problems.push(
                Code::InvalidFile,
                Problem::at(
                    t.file(),
                    row(r),
                    "service_id",
                    format!("service '{service}' is not in services.csv"),
                ),
            );
            continue;
        }
        let (field, value) = match (t.get("maximum", r), t.get("available", r)) {
            (Some(v), _) => ("maximum", v),
            (None, Some(v)) => ("available", v),
            (None, None) => continue,
        };
        match value.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => out.entry(service).or_default().push((row(r), x)),
            _ => problems.push(
                Code::InvalidFile,
                Problem::at(
                    t.file(),
                    row(r),
                    field,
                    format!("'{value}' is not a number ≥ 0"),
                ),
            ),
        }
    }
    out
}

/// Gives each site the capacity of its services, where it belongs to that site alone.
fn spread_capacities(
    records: &mut [SiteRecord],
    record_services: &[Vec<&str>],
    capacities: &HashMap<&str, Vec<(u64, f64)>>,
    catalog: &Catalog,
    taxonomy: &Taxonomy<'_>,
    services: &HashMap<&str, Service>,
    notes: &mut Notes,
) {
    let mut sites_of: HashMap<&str, usize> = HashMap::new();
    for s in record_services.iter().flatten() {
        *sites_of.entry(s).or_default() += 1;
    }
    for (record, list) in records.iter_mut().zip(record_services) {
        let mut per_code: BTreeMap<&str, f64> = BTreeMap::new();
        for service in list {
            let Some(caps) = capacities.get(service) else {
                continue;
            };
            let name = &services[service].name;
            if caps.len() > 1 {
                notes.push(format!(
                    "service_capacity.csv: service '{name}' has {} capacity rows (different units?); its capacity was left out",
                    caps.len()
                ));
                continue;
            }
            if sites_of[service] > 1 {
                notes.push(format!(
                    "service_capacity.csv, row {}: service '{name}' is offered at {} sites and HSDS gives one capacity for all of them; it was left out rather than split",
                    caps[0].0, sites_of[service]
                ));
                continue;
            }
            // A service classified under two codes (e.g. child care and early
            // education) offers its places under each.
            for code in taxonomy.codes(catalog, service, None, name) {
                if record.services.iter().any(|c| c == code) {
                    *per_code.entry(code).or_default() += caps[0].1;
                }
            }
        }
        record.capacity = per_code
            .into_iter()
            .map(|(c, x)| (Some(c.to_owned()), x))
            .collect();
    }
}

/// Where one site is, for matching rows that link to a location, services, services at
/// location or phones.
struct Here<'a> {
    location: &'a str,
    services: &'a HashSet<&'a str>,
    sals: &'a HashSet<&'a str>,
}

/// The links of a languages or schedules row.
#[derive(Default)]
struct Links {
    location: Option<String>,
    service: Option<String>,
    sal: Option<String>,
    phone: Option<String>,
}

impl Links {
    fn read(t: &Cols<'_>, r: usize) -> Self {
        let get = |c: &str| t.get(c, r).map(str::to_owned);
        Self {
            location: get("location_id"),
            service: get("service_id"),
            sal: get("service_at_location_id"),
            phone: get("phone_id"),
        }
    }
}

impl Here<'_> {
    /// True when every link the row sets agrees with this site and at least one is set.
    fn matches(&self, l: &Links, phones: &HashMap<String, Links>) -> bool {
        let phone = l
            .phone
            .as_ref()
            .map(|p| phones.get(p).is_some_and(|ph| self.matches(ph, phones)));
        let checks = [
            l.location.as_deref().map(|x| x == self.location),
            l.service.as_deref().map(|x| self.services.contains(x)),
            l.sal.as_deref().map(|x| self.sals.contains(x)),
            // A phone with no table to look it up in neither adds nor vetoes.
            phone.filter(|_| !phones.is_empty()),
        ];
        checks.iter().any(Option::is_some) && checks.iter().flatten().all(|ok| *ok)
    }
}

/// Language rows with their links, and the phones they may link through.
struct Languages {
    rows: Vec<(String, Links)>,
    phones: HashMap<String, Links>,
}

impl Languages {
    fn read(pkg: &Package, problems: &mut Problems, notes: &mut Notes) -> Self {
        let mut phones = HashMap::new();
        if let Some(t) = pkg.table("phones").map(|t| Cols { t }) {
            for r in 0..t.t.len() {
                if let Some(id) = t.get("id", r) {
                    let mut links = Links::read(&t, r);
                    // A phone does not link to another phone.
                    links.phone = None;
                    phones.insert(id.to_owned(), links);
                }
            }
        }
        let mut rows = Vec::new();
        if let Some(t) = pkg.table("languages").map(|t| Cols { t }) {
            for r in 0..t.t.len() {
                let Some(raw) = t.get("code", r) else {
                    notes.push(format!(
                        "{}, row {}: language '{}' has no ISO 639 code and was left out",
                        t.file(),
                        row(r),
                        t.get("name", r).unwrap_or("(unnamed)")
                    ));
                    continue;
                };
                // A BCP 47 tag such as en-US names its language first.
                let primary = raw.split(['-', '_']).next().unwrap_or(raw);
                match directory::language_code(primary) {
                    Some(code) => rows.push((code, Links::read(&t, r))),
                    None => problems.push(
                        Code::InvalidFile,
                        Problem::at(
                            t.file(),
                            row(r),
                            "code",
                            format!("'{raw}' is not an ISO 639 language code (e.g. en, es, ur)"),
                        ),
                    ),
                }
            }
        }
        Self { rows, phones }
    }

    fn at(&self, here: &Here<'_>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (code, links) in &self.rows {
            if here.matches(links, &self.phones) && !out.contains(code) {
                out.push(code.clone());
            }
        }
        out
    }
}

/// Each schedule row that is a weekly pattern, with its links; the others are noted.
fn read_schedules(pkg: &Package, today: &str, notes: &mut Notes) -> Vec<(Links, Week)> {
    let Some(t) = pkg.table("schedules").map(|t| Cols { t }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in 0..t.t.len() {
        match schedules::read_row(t.t, r, today) {
            Ok(week) => out.push((Links::read(&t, r), week)),
            Err(why) => notes.push(format!(
                "{}, row {}: the schedule was left out because {why}",
                t.file(),
                row(r)
            )),
        }
    }
    out
}

/// One address per location (a physical one when there are several), as one line.
fn addresses(pkg: &Package) -> HashMap<String, String> {
    let mut out: HashMap<String, (bool, String)> = HashMap::new();
    let Some(t) = pkg.table("addresses").map(|t| Cols { t }) else {
        return HashMap::new();
    };
    for r in 0..t.t.len() {
        let Some(location) = t.get("location_id", r) else {
            continue;
        };
        let region = [t.get("state_province", r), t.get("postal_code", r)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<&str> = [
            t.get("address_1", r),
            t.get("address_2", r),
            t.get("city", r),
            t.get("region", r),
            Some(region.as_str()).filter(|s| !s.is_empty()),
            t.get("country", r),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            continue;
        }
        let physical = t
            .get("address_type", r)
            .is_some_and(|a| a.eq_ignore_ascii_case("physical"));
        let line = parts.join(", ");
        match out.get(location) {
            Some((true, _)) => {}
            Some((false, _)) if !physical => {}
            _ => {
                out.insert(location.to_owned(), (physical, line));
            }
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::InputFile;

    const TODAY: &str = "2025-03-01";

    fn package(tables: &[(&str, &str)]) -> Package {
        let files: Vec<InputFile> = tables
            .iter()
            .map(|(name, text)| InputFile::new(format!("{name}.csv"), text.replace("\n    ", "\n")))
            .collect();
        Package::load("pkg.zip", &files).unwrap()
    }

    fn read(tables: &[(&str, &str)]) -> Result<PartnerImport> {
        build(&package(tables), &Catalog::bundled(), TODAY)
    }

    const ORGS: &str = "id,name\n    o1,Little Stars Inc\n    o2,Food for All\n";
    const SERVICES: &str = "id,organization_id,name,status\n    s1,o1,Infant care,active\n    s2,o1,Food Pantry,active\n    s3,o1,Legal aid,active\n    s4,o2,Food Pantries,active\n    s5,o1,Head Start,inactive\n";
    const LOCATIONS: &str = "id,location_type,organization_id,name,latitude,longitude\n    l1,physical,o1,Little Stars North,41.8,-87.6\n    l2,virtual,o1,Online,,\n    l3,,,Church Hall,41.9,-87.7\n";

    fn full() -> Vec<(&'static str, &'static str)> {
        vec![
            ("organizations", ORGS),
            ("services", SERVICES),
            ("locations", LOCATIONS),
            (
                "service_at_location",
                "id,service_id,location_id\n    sal1,s1,l1\n    sal2,s2,l1\n    sal3,s3,l1\n    sal4,s1,l2\n    sal5,s4,l3\n    sal6,s2,l3\n    sal7,s5,l1\n",
            ),
            (
                "taxonomy_terms",
                "id,code,name\n    t1,PH-1250.1000,Child Care Centers\n    t2,,Legal services\n",
            ),
            (
                "attributes",
                "id,link_id,taxonomy_term_id,link_entity\n    a1,s1,t1,service\n    a2,s3,t2,service\n    a3,o1,t1,organization\n",
            ),
            (
                "service_capacity",
                "id,service_id,unit_id,available,maximum\n    c1,s1,u1,3,40\n",
            ),
            ("phones", "id,location_id,number\n    p1,l1,555-0100\n"),
            (
                "languages",
                "id,service_id,location_id,phone_id,name,code\n    g1,,l1,,Spanish,es\n    g2,,,p1,English,en-US\n    g3,s4,,,Polish,pl\n    g4,,l1,,Urdu,\n",
            ),
            (
                "schedules",
                "id,service_id,location_id,service_at_location_id,freq,byday,opens_at,closes_at,valid_to\n    h1,,,sal1,WEEKLY,\"MO,TU,WE,TH,FR\",07:00,18:00,\n    h2,,l1,,WEEKLY,SA,09:00,12:00,\n    h3,,l1,,WEEKLY,SU,09:00,12:00,2024-12-31\n",
            ),
            (
                "addresses",
                "id,location_id,address_1,city,state_province,postal_code,country,address_type\n    d1,l1,1 Main St,Chicago,IL,60601,US,postal\n",
            ),
        ]
    }

    #[test]
    fn a_small_package_becomes_partners_and_sites() {
        let import = read(&full()).unwrap();
        let dir = &import.directory;
        let ids: Vec<&str> = dir.sites.iter().map(|s| s.id.as_str()).collect();
        // l3 hosts two organizations' services, so it splits; l2 is virtual.
        assert_eq!(ids, ["l1", "l3/o2", "l3/o1"]);
        let s = &dir.sites[0];
        assert_eq!(s.name, "Little Stars North");
        assert_eq!(s.partner_id, "o1");
        assert_eq!((s.location.lon(), s.location.lat()), (-87.6, 41.8));
        let services: Vec<(&str, Option<f64>)> = s
            .services
            .iter()
            .map(|x| (x.code.as_str(), x.capacity))
            .collect();
        assert_eq!(services, [("childcare", Some(40.0)), ("food", None)]);
        assert_eq!(s.languages, ["es", "en"]);
        assert_eq!(
            s.hours.as_ref().map(|h| h.as_str()),
            Some("Mo-Fr 07:00-18:00; Sa 09:00-12:00")
        );
        assert_eq!(
            s.address.as_deref(),
            Some("1 Main St, Chicago, IL 60601, US")
        );
        let food = &dir.sites[1];
        assert_eq!(
            (food.partner_id.as_str(), food.name.as_str()),
            ("o2", "Church Hall")
        );
        assert_eq!(food.languages, ["pl"]);
        assert_eq!(food.hours, None);
        let partners: Vec<(&str, &str)> = dir
            .partners
            .iter()
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect();
        assert_eq!(
            partners,
            [("o1", "Little Stars Inc"), ("o2", "Food for All")]
        );

        let w = import.warnings.join("\n");
        assert!(
            w.contains("row 4: the schedule was left out because it ended on 2024-12-31"),
            "{w}"
        );
        assert!(w.contains("language 'Urdu' has no ISO 639 code"), "{w}");
        assert!(w.contains("service 'Legal aid' (services.csv, row 4; taxonomy terms code '', name 'Legal services'"), "{w}");
    }

    #[test]
    fn latitude_100_is_refused_naming_file_row_and_field() {
        let mut t = full();
        t[2].1 =
            "id,name,latitude,longitude\n    l1,Hall,41.8,-87.6\n    l3,Civic Center,100,101\n";
        let e = read(&t).unwrap_err();
        let d = &e.details()[0];
        assert_eq!(
            (d.file.as_deref(), d.row, d.field.as_deref()),
            (Some("locations.csv"), Some(3), Some("latitude"))
        );
        assert!(
            d.message.contains("latitude 100 is outside -90..90"),
            "{}",
            d.message
        );
        t[2].1 =
            "id,name,latitude,longitude\n    l1,Hall,41.8,-87.6\n    l3,Civic Center,41.8,-187.6\n";
        let e = read(&t).unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("longitude"));
    }

    #[test]
    fn links_to_missing_services_and_locations_are_named() {
        let mut t = full();
        t[3].1 = "id,service_id,location_id\n    sal1,s1,l1\n    sal2,s9,l1\n    sal3,s2,l9\n";
        let e = read(&t).unwrap_err();
        let at: Vec<(Option<u64>, Option<&str>)> = e
            .details()
            .iter()
            .map(|d| (d.row, d.field.as_deref()))
            .collect();
        assert_eq!(
            at,
            [
                (Some(3), Some("service_id")),
                (Some(4), Some("location_id"))
            ]
        );
        assert!(
            e.details()
                .iter()
                .all(|d| d.file.as_deref() == Some("service_at_location.csv"))
        );
    }

    #[test]
    fn a_location_with_no_known_service_is_refused_with_what_was_tried() {
        let mut t = full();
        t[3].1 = "id,service_id,location_id\n    sal1,s1,l1\n    sal3,s3,l3\n";
        let e = read(&t).unwrap_err();
        let d = &e.details()[0];
        assert_eq!(
            (d.file.as_deref(), d.row, d.field.as_deref()),
            (Some("locations.csv"), Some(4), Some("id"))
        );
        assert!(
            d.message.contains("'Legal aid'") && d.message.contains("AIRS"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_package_without_any_site_is_refused_as_empty() {
        let mut t = full();
        t[3].1 = "id,service_id,location_id\n    sal4,s1,l2\n";
        assert_eq!(read(&t).unwrap_err().code(), Code::EmptyFile);
    }

    #[test]
    fn a_capacity_shared_by_several_sites_is_left_out_with_a_warning() {
        let mut t = full();
        t[3].1 = "id,service_id,location_id\n    sal1,s1,l1\n    sal5,s1,l3\n";
        let import = read(&t).unwrap();
        assert!(
            import
                .directory
                .sites
                .iter()
                .all(|s| s.services[0].capacity.is_none())
        );
        assert!(
            import
                .warnings
                .iter()
                .any(|w| w.contains("offered at 2 sites")),
            "{:?}",
            import.warnings
        );
    }
}
