//! Shared building of a partner directory from site records, whatever the format: one
//! place for ids, service codes, capacities, languages, hours and partnership fields.

use super::Problems;
use crate::domain::{
    Catalog, Hours, LonLat, Partner, PartnerDirectory, PartnershipLevel, PartnershipStage, Site,
    SiteService, parse_date,
};
use crate::error::{Code, Problem};
use std::collections::{BTreeMap, HashMap};

/// One site as a format presents it, cells still as text.
#[derive(Debug, Default)]
pub struct SiteRecord {
    /// 1-based row (CSV: spreadsheet row; GeoJSON: feature number).
    pub row: u64,
    /// Site id.
    pub id: Option<String>,
    /// Site name.
    pub name: Option<String>,
    /// Partner id, when the source has one.
    pub partner_id: Option<String>,
    /// Partner name.
    pub partner: Option<String>,
    /// Position, already checked as lon/lat.
    pub location: Option<LonLat>,
    /// Service labels or codes, as given.
    pub services: Vec<String>,
    /// Capacity per service label (`None` key: applies to every service).
    pub capacity: Vec<(Option<String>, f64)>,
    /// Language codes as given.
    pub languages: Vec<String>,
    /// Opening hours text.
    pub hours: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Kind of organization.
    pub kind: Option<String>,
    /// Partnership level text.
    pub partnership_level: Option<String>,
    /// Partnership stage text.
    pub partnership_stage: Option<String>,
    /// Agreement start date text.
    pub agreement_start: Option<String>,
    /// Agreement end date text.
    pub agreement_end: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// Field names a format uses, so problems name the user's own columns.
#[derive(Clone, Copy, Debug)]
pub struct FieldNames {
    pub id: &'static str,
    pub name: &'static str,
    pub services: &'static str,
    pub capacity: &'static str,
    pub languages: &'static str,
    pub hours: &'static str,
    pub partnership_level: &'static str,
    pub partnership_stage: &'static str,
    pub agreement_start: &'static str,
    pub agreement_end: &'static str,
}

impl FieldNames {
    /// The names used by the flat CSV and the GeoJSON properties.
    pub const PLAIN: Self = Self {
        id: "id",
        name: "name",
        services: "services",
        capacity: "capacity",
        languages: "languages",
        hours: "hours",
        partnership_level: "partnership_level",
        partnership_stage: "partnership_stage",
        agreement_start: "agreement_start",
        agreement_end: "agreement_end",
    };
}

/// A URL- and key-friendly id from a name: `Chicago Public Library` -> `chicago-public-library`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Checks an ISO 639 code (2 or 3 letters) and returns it in lower case.
pub fn language_code(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_lowercase();
    ((2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())).then_some(s)
}

/// Builds the directory; every problem is recorded with its row and field.
pub fn build(
    records: Vec<SiteRecord>,
    catalog: &Catalog,
    file: &str,
    names: FieldNames,
    problems: &mut Problems,
) -> PartnerDirectory {
    let mut partners: BTreeMap<String, Partner> = BTreeMap::new();
    let mut sites = Vec::with_capacity(records.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for r in records {
        let row = r.row;
        let mut bad = |field: &str, code: Code, msg: String| {
            problems.push(code, Problem::at(file, row, field, msg))
        };
        let Some(id) = r.id.filter(|s| !s.trim().is_empty()) else {
            bad(names.id, Code::InvalidFile, "the site has no id".into());
            continue;
        };
        if let Some(first) = seen.insert(id.clone(), row) {
            bad(
                names.id,
                Code::DuplicateId,
                format!("id '{id}' is already used on row {first}"),
            );
            continue;
        }
        let Some(name) = r.name.filter(|s| !s.trim().is_empty()) else {
            bad(names.name, Code::InvalidFile, "the site has no name".into());
            continue;
        };
        let Some(location) = r.location else {
            // The format reported the coordinate problem already.
            continue;
        };

        // Services and capacities.
        let mut services: Vec<SiteService> = Vec::new();
        for raw in &r.services {
            match catalog.service_code(raw) {
                Some(code) if !services.iter().any(|s| s.code == code) => {
                    services.push(SiteService {
                        code: code.to_owned(),
                        capacity: None,
                    })
                }
                Some(_) => {}
                None => bad(
                    names.services,
                    Code::InvalidFile,
                    format!(
                        "unknown service '{raw}'; use one of: {}",
                        catalog
                            .services()
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
        if services.is_empty() && r.services.is_empty() {
            bad(
                names.services,
                Code::InvalidFile,
                "the site lists no services".into(),
            );
        }
        for (label, cap) in &r.capacity {
            if !cap.is_finite() || *cap < 0.0 {
                bad(
                    names.capacity,
                    Code::InvalidFile,
                    format!("capacity {cap} must be a number ≥ 0"),
                );
                continue;
            }
            match label {
                None => services.iter_mut().for_each(|s| s.capacity = Some(*cap)),
                Some(label) => match catalog.service_code(label) {
                    Some(code) => match services.iter_mut().find(|s| s.code == code) {
                        Some(s) => s.capacity = Some(*cap),
                        None => bad(
                            names.capacity,
                            Code::InvalidFile,
                            format!(
                                "capacity is given for '{label}', which the site does not list among its services"
                            ),
                        ),
                    },
                    None => bad(
                        names.capacity,
                        Code::InvalidFile,
                        format!("unknown service '{label}' in capacity"),
                    ),
                },
            }
        }

        let mut languages = Vec::new();
        for l in &r.languages {
            match language_code(l) {
                Some(code) if !languages.contains(&code) => languages.push(code),
                Some(_) => {}
                None => bad(
                    names.languages,
                    Code::InvalidFile,
                    format!("'{l}' is not an ISO 639 language code (e.g. en, es, zh)"),
                ),
            }
        }
        let hours = match r.hours.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => match Hours::parse(h) {
                Ok(h) => Some(h),
                Err(e) => {
                    bad(names.hours, Code::InvalidFile, e.to_string());
                    None
                }
            },
            None => None,
        };
        let level = match r
            .partnership_level
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => PartnershipLevel::parse(s).or_else(|| {
                bad(
                    names.partnership_level,
                    Code::InvalidFile,
                    format!(
                        "'{s}' is not a partnership level ({})",
                        PartnershipLevel::ALLOWED
                    ),
                );
                None
            }),
            None => None,
        };
        let stage = match r
            .partnership_stage
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => PartnershipStage::parse(s).or_else(|| {
                bad(
                    names.partnership_stage,
                    Code::InvalidFile,
                    format!(
                        "'{s}' is not a partnership stage ({})",
                        PartnershipStage::ALLOWED
                    ),
                );
                None
            }),
            None => None,
        };
        let mut date =
            |field: &str, v: &Option<String>| match v.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(s) => parse_date(s).or_else(|| {
                    bad(
                        field,
                        Code::InvalidFile,
                        format!("'{s}' is not a date in the form YYYY-MM-DD"),
                    );
                    None
                }),
                None => None,
            };
        let agreement_start = date(names.agreement_start, &r.agreement_start);
        let agreement_end = date(names.agreement_end, &r.agreement_end);

        let partner_name = r
            .partner
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| name.clone());
        let partner_id = r
            .partner_id
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| slug(&partner_name));
        let partner = partners
            .entry(partner_id.clone())
            .or_insert_with(|| Partner {
                id: partner_id.clone(),
                name: partner_name.trim().to_owned(),
                kind: None,
                partnership_level: None,
                partnership_stage: None,
                agreement_start: None,
                agreement_end: None,
                notes: None,
            });
        // Partner-level fields: the first row that states one wins.
        partner.kind = partner.kind.take().or(r.kind.clone());
        partner.partnership_level = partner.partnership_level.or(level);
        partner.partnership_stage = partner.partnership_stage.or(stage);
        partner.agreement_start = partner.agreement_start.take().or(agreement_start);
        partner.agreement_end = partner.agreement_end.take().or(agreement_end);
        partner.notes = partner.notes.take().or(r.notes.clone());

        sites.push(Site {
            id: id.trim().to_owned(),
            partner_id,
            name: name.trim().to_owned(),
            location,
            address: r.address.filter(|s| !s.trim().is_empty()),
            services,
            languages,
            hours,
        });
    }
    PartnerDirectory {
        partners: partners.into_values().collect(),
        sites,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable() {
        assert_eq!(slug("Chicago Public Library"), "chicago-public-library");
        assert_eq!(slug("  St. Mary's  (North) "), "st-mary-s-north");
    }

    #[test]
    fn language_codes_are_checked() {
        assert_eq!(language_code("ES").as_deref(), Some("es"));
        assert_eq!(language_code("spa").as_deref(), Some("spa"));
        assert!(language_code("Spanish").is_none());
    }
}
