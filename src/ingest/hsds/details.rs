//! The details of a site: languages, opening hours and address, from rows that link to
//! a location, a service, a service at a location or a phone.

use super::Package;
use super::common::{Cols, Notes, row};
use super::schedules::{self, Week};
use crate::error::{Code, Problem};
use crate::ingest::Problems;
use crate::ingest::directory;
use std::collections::{HashMap, HashSet};

/// Where one site is, for matching rows that link to a location, services, services at
/// location or phones.
pub(super) struct Here<'a> {
    pub(super) location: &'a str,
    pub(super) services: &'a HashSet<&'a str>,
    pub(super) sals: &'a HashSet<&'a str>,
}

/// The links of a languages or schedules row.
#[derive(Default)]
pub(super) struct Links {
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
    pub(super) fn matches(&self, l: &Links, phones: &HashMap<String, Links>) -> bool {
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
pub(super) struct Languages {
    rows: Vec<(String, Links)>,
    /// Phone id -> its links, for rows that link through a phone.
    pub(super) phones: HashMap<String, Links>,
}

impl Languages {
    /// Reads phones.csv and languages.csv; a malformed code is a problem, a missing one
    /// a warning.
    pub(super) fn read(pkg: &Package, problems: &mut Problems, notes: &mut Notes) -> Self {
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

    /// The languages served at a site, in file order.
    pub(super) fn at(&self, here: &Here<'_>) -> Vec<String> {
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
pub(super) fn read_schedules(pkg: &Package, today: &str, notes: &mut Notes) -> Vec<(Links, Week)> {
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
pub(super) fn addresses(pkg: &Package) -> HashMap<String, String> {
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
