//! Shared building of a partner directory from site records, whatever the format: one
//! place for ids, service codes, capacities, languages, hours and partnership fields.

use super::Problems;
use crate::domain::partner_edit::{Capacity, Origin};
use crate::domain::{
    Answer, Catalog, DirectoryEdit, Edit, Hours, LonLat, PartnerFields, PartnershipLevel,
    PartnershipStage, ReadinessQuestion, SiteEdit, parse_date, parse_email, parse_phone,
};
use crate::error::{Code, Problem};
use std::collections::HashMap;

pub use crate::domain::slug;

/// One site as a format presents it, cells still as text. A field the format does not
/// give (a column absent, a property missing) is `Edit::Keep` (or `None`), and the stored
/// value stays; one given empty is `Edit::Clear`.
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
    /// Service labels or codes, as given; `None` when the format does not give them.
    pub services: Option<Vec<String>>,
    /// Capacity, per service label as given.
    pub capacity: Edit<Capacity>,
    /// Language codes as given.
    pub languages: Edit<Vec<String>>,
    /// Opening hours text.
    pub hours: Edit<String>,
    /// Address.
    pub address: Edit<String>,
    /// Kind of organization.
    pub kind: Edit<String>,
    /// Partnership level text.
    pub partnership_level: Edit<String>,
    /// Partnership stage text.
    pub partnership_stage: Edit<String>,
    /// Agreement start date text.
    pub agreement_start: Edit<String>,
    /// Agreement end date text.
    pub agreement_end: Edit<String>,
    /// Notes.
    pub notes: Edit<String>,
    /// The partner's contact person.
    pub contact_name: Edit<String>,
    /// Their email address.
    pub contact_email: Edit<String>,
    /// Their phone number.
    pub contact_phone: Edit<String>,
    /// Need codes the partnership addresses, as given.
    pub needs: Edit<Vec<String>>,
    /// Readiness answers in the order of `ReadinessQuestion::ALL`: the text, and the date
    /// cell beside it.
    pub readiness: [(Edit<String>, Option<String>); 4],
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

/// Checks an ISO 639 code (2 or 3 letters) and returns it in lower case.
pub fn language_code(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_lowercase();
    ((2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())).then_some(s)
}

/// Checks a text edit with `parse`; a value it refuses is reported and kept out.
fn checked<T>(
    edit: Edit<String>,
    parse: impl FnOnce(&str) -> Option<T>,
    mut refuse: impl FnMut(&str),
) -> Edit<T> {
    match edit {
        Edit::Keep => Edit::Keep,
        Edit::Clear => Edit::Clear,
        Edit::Set(s) if s.trim().is_empty() => Edit::Clear,
        Edit::Set(s) => match parse(&s) {
            Some(v) => Edit::Set(v),
            None => {
                refuse(&s);
                Edit::Keep
            }
        },
    }
}

/// A text edit with surrounding space trimmed; an all-blank value clears.
fn trimmed(edit: Edit<String>) -> Edit<String> {
    checked(edit, |s| Some(s.trim().to_owned()), |_| {})
}

/// Builds the edits of the directory that the records state; every problem is recorded
/// with its row and field.
pub fn build(
    records: Vec<SiteRecord>,
    catalog: &Catalog,
    file: &str,
    names: FieldNames,
    problems: &mut Problems,
) -> DirectoryEdit {
    let mut sites = Vec::with_capacity(records.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for r in records {
        let row = r.row;
        let mut bad = |field: &str, code: Code, msg: String| {
            problems.push(code, Problem::at(file, row, field, msg))
        };
        let Some(id) = r.id.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) else {
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
        let name = r.name.map(|s| s.trim().to_owned());
        if name.as_deref() == Some("") {
            bad(names.name, Code::InvalidFile, "the site has no name".into());
        }

        // Services.
        let services = r.services.map(|raw| {
            let mut codes: Vec<String> = Vec::new();
            for label in &raw {
                match catalog.service_code(label) {
                    Some(code) if !codes.iter().any(|c| c == code) => codes.push(code.to_owned()),
                    Some(_) => {}
                    None => bad(
                        names.services,
                        Code::InvalidFile,
                        format!(
                            "unknown service '{label}'; use one of: {}",
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
            if raw.is_empty() {
                bad(
                    names.services,
                    Code::InvalidFile,
                    "the site lists no services".into(),
                );
            }
            codes
        });

        // Capacities, by service code.
        let valid = |cap: f64, bad: &mut dyn FnMut(&str, Code, String)| {
            let ok = cap.is_finite() && cap >= 0.0;
            if !ok {
                bad(
                    names.capacity,
                    Code::InvalidFile,
                    format!("capacity {cap} must be a number ≥ 0"),
                );
            }
            ok
        };
        let capacity = match r.capacity {
            Edit::Set(Capacity::Every(x)) if !valid(x, &mut bad) => Edit::Keep,
            Edit::Set(Capacity::Each(list)) => {
                let mut each = Vec::with_capacity(list.len());
                for (label, value) in list {
                    if value.is_some_and(|x| !valid(x, &mut bad)) {
                        continue;
                    }
                    match catalog.service_code(&label) {
                        Some(code) => each.push((code.to_owned(), value)),
                        None => bad(
                            names.capacity,
                            Code::InvalidFile,
                            format!("unknown service '{label}' in capacity"),
                        ),
                    }
                }
                Edit::Set(Capacity::Each(each))
            }
            other => other,
        };

        let languages = match r.languages {
            Edit::Set(list) if list.is_empty() => Edit::Clear,
            Edit::Set(list) => {
                let mut codes = Vec::new();
                for l in &list {
                    match language_code(l) {
                        Some(code) if !codes.contains(&code) => codes.push(code),
                        Some(_) => {}
                        None => bad(
                            names.languages,
                            Code::InvalidFile,
                            format!("'{l}' is not an ISO 639 language code (e.g. en, es, zh)"),
                        ),
                    }
                }
                Edit::Set(codes)
            }
            other => other,
        };
        let hours = checked(
            r.hours,
            |h| Hours::parse(h).ok(),
            |h| {
                if let Err(e) = Hours::parse(h) {
                    bad(names.hours, Code::InvalidFile, e.to_string());
                }
            },
        );
        let partnership_level = checked(r.partnership_level, PartnershipLevel::parse, |s| {
            bad(
                names.partnership_level,
                Code::InvalidFile,
                format!(
                    "'{s}' is not a partnership level ({})",
                    PartnershipLevel::ALLOWED
                ),
            )
        });
        let partnership_stage = checked(r.partnership_stage, PartnershipStage::parse, |s| {
            bad(
                names.partnership_stage,
                Code::InvalidFile,
                format!(
                    "'{s}' is not a partnership stage ({})",
                    PartnershipStage::ALLOWED
                ),
            )
        });
        let mut date = |field: &str, edit: Edit<String>| {
            checked(edit, parse_date, |s| {
                bad(
                    field,
                    Code::InvalidFile,
                    format!("'{s}' is not a date in the form YYYY-MM-DD"),
                )
            })
        };
        let agreement_start = date(names.agreement_start, r.agreement_start);
        let agreement_end = date(names.agreement_end, r.agreement_end);
        let contact_email = checked(r.contact_email, parse_email, |s| {
            bad(
                "contact_email",
                Code::InvalidFile,
                format!("'{s}' is not an email address"),
            )
        });
        let contact_phone = checked(r.contact_phone, parse_phone, |s| {
            bad(
                "contact_phone",
                Code::InvalidFile,
                format!(
                    "'{s}' is not a phone number (digits with spaces, + - ( ) . /, and an optional 'ext' or 'x' extension)"
                ),
            )
        });
        let needs = match r.needs {
            Edit::Set(list) if list.is_empty() => Edit::Clear,
            Edit::Set(list) => match need_codes(&list, catalog) {
                Ok(codes) => Edit::Set(codes),
                Err(msg) => {
                    bad("needs", Code::InvalidFile, msg);
                    Edit::Keep
                }
            },
            other => other,
        };

        let mut readiness: [Edit<Answer>; 4] = Default::default();
        for (q, (text, date)) in ReadinessQuestion::ALL.into_iter().zip(r.readiness) {
            let field = format!("readiness_{}", q.code());
            readiness[q.index()] = match trimmed(text) {
                Edit::Set(text) => match date.as_deref().map(str::trim) {
                    Some(d) => match parse_date(d) {
                        Some(date) => Edit::Set(Answer { text, date }),
                        None => {
                            bad(
                                &format!("{field}_date"),
                                Code::InvalidFile,
                                format!("'{d}' is not a date in the form YYYY-MM-DD"),
                            );
                            Edit::Keep
                        }
                    },
                    None => {
                        bad(
                            &format!("{field}_date"),
                            Code::InvalidFile,
                            format!(
                                "the answer to '{}' needs the date it was given (YYYY-MM-DD) in {field}_date",
                                q.question()
                            ),
                        );
                        Edit::Keep
                    }
                },
                Edit::Clear => Edit::Clear,
                Edit::Keep => Edit::Keep,
            };
        }

        let partner_name = r
            .partner
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let partner_id = r
            .partner_id
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or_else(|| partner_name.as_deref().map(slug));
        sites.push(SiteEdit {
            id,
            origin: Some(Origin {
                file: file.to_owned(),
                row,
            }),
            partner_id,
            partner: PartnerFields {
                name: partner_name,
                kind: trimmed(r.kind),
                partnership_level,
                partnership_stage,
                agreement_start,
                agreement_end,
                notes: trimmed(r.notes),
                contact_name: trimmed(r.contact_name),
                contact_email,
                contact_phone,
                needs,
                readiness,
            },
            name: name.filter(|s| !s.is_empty()),
            location: r.location,
            address: trimmed(r.address),
            services,
            capacity,
            languages,
            hours,
        });
    }
    DirectoryEdit {
        partners: Vec::new(),
        sites,
    }
}

/// Checks need codes against the catalog: the codes, without repeats, or what is wrong.
pub fn need_codes(list: &[String], catalog: &Catalog) -> Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for raw in list {
        let code = raw.trim();
        if catalog.need(code).is_none() {
            let known: Vec<&str> = catalog.needs().iter().map(|n| n.code.as_str()).collect();
            return Err(format!(
                "'{code}' is not a need; use one of: {}",
                known.join(", ")
            ));
        }
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_are_checked() {
        assert_eq!(language_code("ES").as_deref(), Some("es"));
        assert_eq!(language_code("spa").as_deref(), Some("spa"));
        assert!(language_code("Spanish").is_none());
    }
}
