//! From HSDS tables to partners and sites.
//!
//! A site is a physical location with coordinates and at least one active service linked
//! through service_at_location. Its partner is the organization delivering the services
//! (HSDS's `location.organization_id` names who maintains the location's record, so it
//! is only the fallback); a location shared by several organizations becomes one site
//! per organization, with ids `<location id>/<organization id>`.

use super::Package;
use super::classify::{Taxonomy, capacities, spread_capacities};
use super::common::Notes;
use super::details::{Here, Languages, Links, addresses, read_schedules};
use super::entities::{Entities, Location, Offer};
use super::schedules::Week;
use crate::domain::{Catalog, DirectoryEdit, Edit};
use crate::error::{Code, Error, Problem, Result};
use crate::ingest::directory::{self, FieldNames, SiteRecord};
use crate::ingest::{PartnerImport, Problems, Untracked};
use std::collections::{HashMap, HashSet};

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

/// Builds the directory from a loaded package; `today` dates the schedules.
pub(super) fn build(
    pkg: &Package,
    catalog: &Catalog,
    today: &str,
    untracked: Untracked,
) -> Result<PartnerImport> {
    check_columns(pkg)?;
    let mut problems = Problems::default();
    let mut notes = Notes::default();
    let e = Entities::read(pkg, &mut problems, &mut notes)?;
    let ctx = Context {
        e: &e,
        catalog,
        taxonomy: Taxonomy::read(pkg, &e.services, &e.offered, &mut problems),
        languages: Languages::read(pkg, &mut problems, &mut notes),
        schedules: read_schedules(pkg, today, &mut notes),
        addresses: addresses(pkg),
        untracked,
    };
    let capacities = capacities(pkg, &e.services, &mut problems);
    if pkg.detected.version == super::versions::Version::Legacy {
        notes.push(format!("{} was read as {}", pkg.name, pkg.detected.how));
    }
    if let Some(n) = &pkg.detected.note {
        notes.push(n.clone());
    }

    let mut out = Assembly::default();
    for (id, loc) in &e.locations {
        ctx.sites_at(id, loc, &mut out, &mut problems, &mut notes);
    }
    spread_capacities(
        &mut out.records,
        &out.record_services,
        &capacities,
        catalog,
        &ctx.taxonomy,
        &e.services,
        &mut notes,
    );
    out.summarise(&e, &mut notes);
    let skipped = out.untracked_only.len();

    let edits: DirectoryEdit = directory::build(
        out.records,
        catalog,
        e.files.locations,
        LOCATION_FIELDS,
        &mut problems,
    );
    problems.into_result(&pkg.name)?;
    if edits.sites.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(
                e.files.locations,
                if skipped > 0 {
                    format!(
                        "{} leaves no site to import: {skipped} locations offer no service gapmap tracks and were left out as asked, and no other location has coordinates and an active service",
                        pkg.name
                    )
                } else {
                    format!(
                        "{} holds no physical location with coordinates and an active service, so there is no site to import",
                        pkg.name
                    )
                },
            ),
        ));
    }
    Ok(PartnerImport {
        edits,
        warnings: notes.into_vec(),
    })
}

/// Everything read from the package that a site draws on.
struct Context<'a> {
    e: &'a Entities<'a>,
    catalog: &'a Catalog,
    taxonomy: Taxonomy<'a>,
    languages: Languages,
    schedules: Vec<(Links, Week)>,
    addresses: HashMap<String, String>,
    untracked: Untracked,
}

/// The sites built so far and what was left out.
#[derive(Default)]
struct Assembly<'a> {
    records: Vec<SiteRecord>,
    /// Per record, its services: capacities are given only where unambiguous.
    record_services: Vec<Vec<&'a str>>,
    /// Services that map to no open code, at locations that kept other services.
    unmapped: Vec<String>,
    without_services: usize,
    inactive_only: usize,
    /// Locations left out because none of their services is tracked (with `Skip`).
    untracked_only: Vec<String>,
}

impl<'a> Assembly<'a> {
    fn summarise(&self, e: &Entities<'_>, notes: &mut Notes) {
        if !self.unmapped.is_empty() {
            let first: Vec<&str> = self.unmapped.iter().take(5).map(String::as_str).collect();
            notes.push(format!(
                "{} services map to no gapmap service and were left out of their sites: {}",
                self.unmapped.len(),
                first.join("; ")
            ));
        }
        if self.without_services > 0 {
            notes.push(format!(
                "{} physical locations offer no service in {} and were left out",
                self.without_services, e.files.service_at_location
            ));
        }
        if !self.untracked_only.is_empty() {
            let first: Vec<&str> = self
                .untracked_only
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            let more = if self.untracked_only.len() > 5 {
                "; …"
            } else {
                ""
            };
            notes.push(format!(
                "{} locations offer no service gapmap tracks and were left out, as asked: {}{more}",
                self.untracked_only.len(),
                first.join("; ")
            ));
        }
        if self.inactive_only > 0 {
            notes.push(format!(
                "{} locations offer only inactive or defunct services and were left out",
                self.inactive_only
            ));
        }
    }
}

impl<'a> Context<'a> {
    /// The sites of one location: none, one, or one per delivering organization.
    fn sites_at(
        &self,
        loc_id: &'a str,
        loc: &'a Location,
        out: &mut Assembly<'a>,
        problems: &mut Problems,
        notes: &mut Notes,
    ) {
        let e = self.e;
        if !loc.physical {
            return;
        }
        let Some(links) = e.offered.get(loc_id) else {
            out.without_services += 1;
            return;
        };
        let active: Vec<Offer<'a>> = links
            .iter()
            .copied()
            .filter(|(_, s)| e.services.get(s).is_some_and(|s| s.active))
            .collect();
        if active.is_empty() {
            out.inactive_only += 1;
            return;
        }
        if loc.point.is_none() {
            // Refused coordinates are already a problem; missing ones are refused by name
            // unless the caller asked to leave such locations out.
            if !loc.has_coordinates {
                self.without_coordinates(loc_id, loc, problems, notes);
            }
            return;
        }
        let groups = self.by_organization(loc, active, problems);
        let split = groups.len() > 1;
        let mut dropped: Vec<String> = Vec::new();
        let mut kept = 0usize;
        for (org, links) in groups {
            let (codes, left_out) = self.codes(&links);
            if codes.is_empty() {
                dropped.extend(left_out);
                continue;
            }
            out.unmapped.extend(left_out);
            kept += 1;
            let id = if split {
                format!("{loc_id}/{org}")
            } else {
                loc_id.to_owned()
            };
            out.records
                .push(self.record(id, loc_id, loc, org, &links, codes));
            out.record_services
                .push(links.iter().map(|(_, s)| *s).collect());
        }
        if kept > 0 || dropped.is_empty() {
            out.unmapped.extend(dropped);
            return;
        }
        let name = loc.name.as_deref().unwrap_or(loc_id);
        if self.untracked == Untracked::Skip {
            out.untracked_only
                .push(format!("'{name}' ({})", dropped.join(", ")));
            return;
        }
        problems.push(
            Code::InvalidFile,
            Problem::at(
                e.files.locations,
                loc.row,
                "id",
                format!(
                    "no service at location '{name}' maps to a gapmap service: {}. Link each service (attributes.csv) to a taxonomy term whose code is an AIRS/211 code (e.g. PH-1250 for child care) or whose name is a service name of data/needs.toml (e.g. 'child care', 'food pantry'); or, if such locations are of no use to your gap analysis, leave them out with untracked_services=skip (on the command line, --untracked-services skip)",
                    dropped.join("; ")
                ),
            ),
        );
    }

    /// A physical location offering services but lacking coordinates: refused naming it,
    /// or, with `untracked_services=skip`, left out with its address in the warnings so
    /// that it can be geocoded (gapmap does not geocode).
    fn without_coordinates(
        &self,
        loc_id: &str,
        loc: &Location,
        problems: &mut Problems,
        notes: &mut Notes,
    ) {
        let file = self.e.files.locations;
        let name = loc.name.as_deref().unwrap_or(loc_id);
        let address = match self.addresses.get(loc_id) {
            Some(a) => format!("its address: {a}"),
            None => "the package gives no address for it".to_owned(),
        };
        if self.untracked == Untracked::Skip {
            notes.push(format!(
                "{file}, row {}: location '{name}' has no latitude/longitude and was left out, as asked; geocode it to import it ({address})",
                loc.row
            ));
            return;
        }
        problems.push(
            Code::InvalidCoordinates,
            Problem::at(
                file,
                loc.row,
                "latitude",
                format!(
                    "location '{name}' offers services but has no latitude/longitude, and gapmap does not geocode addresses ({address}): add its coordinates, or leave such locations out with untracked_services=skip (on the command line, --untracked-services skip)"
                ),
            ),
        );
    }

    /// The location's active services grouped by the organization delivering them, in
    /// file order.
    fn by_organization(
        &self,
        loc: &'a Location,
        active: Vec<Offer<'a>>,
        problems: &mut Problems,
    ) -> Vec<(&'a str, Vec<Offer<'a>>)> {
        let e = self.e;
        let mut groups: Vec<(&str, Vec<Offer<'a>>)> = Vec::new();
        for (sal, service_id) in active {
            let service = &e.services[service_id];
            let Some(org) = service.org.as_deref().or(loc.org.as_deref()) else {
                problems.push(
                    Code::InvalidFile,
                    Problem::at(
                        e.files.locations,
                        loc.row,
                        "organization_id",
                        format!(
                            "no organization delivers service '{}' here: neither the location nor the service ({}, row {}) names one",
                            service.name, e.files.services, service.row
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
        groups
    }

    /// The open codes of a group of services, and a description of each service that
    /// maps to none.
    fn codes(&self, links: &[Offer<'a>]) -> (Vec<&'a str>, Vec<String>) {
        let e = self.e;
        let mut codes: Vec<&str> = Vec::new();
        let mut left_out = Vec::new();
        for (sal, service_id) in links {
            let service = &e.services[service_id];
            let found = self
                .taxonomy
                .codes(self.catalog, service_id, *sal, &service.name);
            if found.is_empty() {
                left_out.push(
                    self.taxonomy
                        .describe(service_id, service, e.files.services),
                );
            }
            for c in found {
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
        }
        (codes, left_out)
    }

    /// One site's record: the location with one organization's services.
    fn record(
        &self,
        id: String,
        loc_id: &str,
        loc: &Location,
        org: &str,
        links: &[Offer<'_>],
        codes: Vec<&str>,
    ) -> SiteRecord {
        let services: HashSet<&str> = links.iter().map(|(_, s)| *s).collect();
        let sals: HashSet<&str> = links.iter().filter_map(|(sal, _)| *sal).collect();
        let here = Here {
            location: loc_id,
            services: &services,
            sals: &sals,
        };
        let mut week = Week::default();
        for (links, spans) in &self.schedules {
            if here.matches(links, &self.languages.phones) {
                week.add(spans);
            }
        }
        let org_name = self.e.orgs.get(org).map(|n| (*n).to_owned());
        // HSDS states what a location has, never that it lacks something: a location
        // without languages, schedule or address leaves the stored ones as they are.
        let given = |v: Option<String>| v.map_or(Edit::Keep, Edit::Set);
        let languages = self.languages.at(&here);
        SiteRecord {
            row: loc.row,
            id: Some(id),
            name: loc.name.clone().or_else(|| org_name.clone()),
            partner_id: Some(org.to_owned()),
            partner: org_name,
            location: loc.point,
            services: Some(codes.into_iter().map(str::to_owned).collect()),
            languages: if languages.is_empty() {
                Edit::Keep
            } else {
                Edit::Set(languages)
            },
            hours: given(week.to_hours_text()),
            address: given(self.addresses.get(loc_id).cloned()),
            ..Default::default()
        }
    }
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
        Package::load("pkg.zip", &files, &Default::default()).unwrap()
    }

    fn read(tables: &[(&str, &str)]) -> Result<PartnerImport> {
        build(
            &package(tables),
            &Catalog::bundled(),
            TODAY,
            Untracked::Refuse,
        )
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
        let dir = &import.edits.on_empty().unwrap();
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
    fn untracked_locations_are_skipped_with_a_warning_when_asked() {
        let mut t = full();
        t[3].1 = "id,service_id,location_id\n    sal1,s1,l1\n    sal3,s3,l3\n";
        let pkg = package(&t);
        let import = build(&pkg, &Catalog::bundled(), TODAY, Untracked::Skip).unwrap();
        // Little Stars North stays; Church Hall, offering only legal aid, is left out.
        let dir = import.edits.on_empty().unwrap();
        let names: Vec<&str> = dir.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Little Stars North"]);
        let warning = import
            .warnings
            .iter()
            .find(|w| w.contains("no service gapmap tracks"))
            .unwrap();
        assert!(
            warning.starts_with("1 locations")
                && warning.contains("'Church Hall' (service 'Legal aid'"),
            "{warning}"
        );
        // Skipping every location leaves nothing: still refused as empty.
        t[3].1 = "id,service_id,location_id\n    sal3,s3,l3\n";
        let e = build(&package(&t), &Catalog::bundled(), TODAY, Untracked::Skip).unwrap_err();
        assert_eq!(e.code(), Code::EmptyFile);
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
                .edits
                .on_empty()
                .unwrap()
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
