//! What each service offers in gapmap's terms: open service codes from taxonomy terms
//! (or the service's name), and capacities from HSDS 3.1's service_capacity.

use super::Package;
use super::common::{Cols, Notes, row};
use super::entities::{Offer, Service};
use crate::domain::partner_edit::Capacity;
use crate::domain::{Catalog, Edit};
use crate::error::{Code, Problem};
use crate::ingest::Problems;
use crate::ingest::directory::SiteRecord;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A taxonomy term's code and name, as given.
pub(super) struct Term {
    code: Option<String>,
    name: Option<String>,
}

/// Taxonomy terms linked to services and services-at-location through attributes.
pub(super) struct Taxonomy<'a> {
    terms: HashMap<&'a str, Term>,
    /// Service or service_at_location id -> its term ids.
    links: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Taxonomy<'a> {
    /// Reads taxonomy_terms.csv and the attributes that classify services; an attribute
    /// on a service that names an unknown term is a problem.
    pub(super) fn read(
        pkg: &'a Package,
        services: &HashMap<&'a str, Service>,
        offered: &HashMap<&'a str, Vec<Offer<'a>>>,
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
    pub(super) fn codes<'c>(
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
    pub(super) fn describe(&self, id: &str, s: &Service, file: &str) -> String {
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
pub(super) fn capacities<'a>(
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
pub(super) fn spread_capacities(
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
                if record.services.iter().flatten().any(|c| c == code) {
                    *per_code.entry(code).or_default() += caps[0].1;
                }
            }
        }
        // A site without a capacity row keeps the capacities stored for it.
        if !per_code.is_empty() {
            record.capacity = Edit::Set(Capacity::Each(
                per_code
                    .into_iter()
                    .map(|(c, x)| (c.to_owned(), Some(x)))
                    .collect(),
            ));
        }
    }
}
