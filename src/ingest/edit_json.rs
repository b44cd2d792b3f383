//! Edits in the API: the JSON bodies of `PATCH /api/v1/partners/{id}` and
//! `PATCH /api/v1/sites/{id}`. A key the body does not have keeps the stored value; `null`
//! (or an empty string or list) clears it; any other value sets it. A body that is not a
//! JSON object is refused with 400 `malformed_body`, a key gapmap does not know with 400
//! `unknown_field`, and a value it cannot take with 422 `invalid_value`, each naming the
//! field.

use super::directory::{language_code, need_codes};
use crate::domain::partner_edit::Capacity;
use crate::domain::{
    Answer, Catalog, Edit, Hours, PartnerEdit, PartnerFields, PartnershipLevel, PartnershipStage,
    ReadinessQuestion, SiteEdit, parse_date, parse_email, parse_phone,
};
use crate::error::{Code, Error, Problem, Result};
use serde_json::{Map, Value};

/// The keys of a partner edit.
pub const PARTNER_KEYS: [&str; 9] = [
    "partnership_level",
    "partnership_stage",
    "agreement_start",
    "agreement_end",
    "notes",
    "contact",
    "needs",
    "readiness",
    "note",
];
/// The keys of a contact.
pub const CONTACT_KEYS: [&str; 3] = ["name", "email", "phone"];
/// The keys of a site edit.
pub const SITE_KEYS: [&str; 4] = ["services", "capacity", "languages", "hours"];

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::new(
            Code::MalformedBody,
            "the body must be a JSON object of the fields to change, e.g. {\"partnership_stage\": \"taking_action\"}",
        )),
        Err(e) => Err(Error::new(
            Code::MalformedBody,
            format!("the body is not JSON: {e}"),
        )),
    }
}

/// Refuses keys outside `known`, naming each (`prefix` for nested objects).
fn known_keys(map: &Map<String, Value>, known: &[&str], prefix: &str) -> Vec<Problem> {
    map.keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| {
            Problem::field(
                &format!("{prefix}{k}"),
                format!(
                    "'{prefix}{k}' is not a field that can be changed here; the fields are: {}",
                    known
                        .iter()
                        .map(|x| format!("{prefix}{x}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
        .collect()
}

/// Collects value problems field by field.
#[derive(Default)]
struct Checks {
    problems: Vec<Problem>,
}

impl Checks {
    fn bad(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::field(field, message));
    }

    /// A text field: a string sets (blank clears), `null` clears, absent keeps.
    fn text(&mut self, map: &Map<String, Value>, field: &str, key: &str) -> Edit<String> {
        match map.get(key) {
            None => Edit::Keep,
            Some(Value::Null) => Edit::Clear,
            Some(Value::String(s)) if s.trim().is_empty() => Edit::Clear,
            Some(Value::String(s)) => Edit::Set(s.trim().to_owned()),
            Some(other) => {
                self.bad(
                    field,
                    format!("'{field}' must be text or null, not {other}"),
                );
                Edit::Keep
            }
        }
    }

    /// A text field checked by `parse`, whose refusal is `what`.
    fn parsed<T>(
        &mut self,
        map: &Map<String, Value>,
        field: &str,
        key: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        what: impl FnOnce(&str) -> String,
    ) -> Edit<T> {
        match self.text(map, field, key) {
            Edit::Set(s) => match parse(&s) {
                Some(v) => Edit::Set(v),
                None => {
                    self.bad(field, what(&s));
                    Edit::Keep
                }
            },
            Edit::Clear => Edit::Clear,
            Edit::Keep => Edit::Keep,
        }
    }

    /// A list of strings: an array sets (empty clears), `null` clears, absent keeps.
    fn list(&mut self, map: &Map<String, Value>, field: &str) -> Edit<Vec<String>> {
        match map.get(field) {
            None => Edit::Keep,
            Some(Value::Null) => Edit::Clear,
            Some(Value::Array(items)) if items.is_empty() => Edit::Clear,
            Some(Value::Array(items)) => {
                let texts: Option<Vec<String>> = items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect();
                match texts {
                    Some(t) => Edit::Set(t),
                    None => {
                        self.bad(field, format!("'{field}' must be an array of strings"));
                        Edit::Keep
                    }
                }
            }
            Some(_) => {
                self.bad(
                    field,
                    format!("'{field}' must be an array of strings or null"),
                );
                Edit::Keep
            }
        }
    }

    fn finish<T>(self, value: T) -> Result<T> {
        match self.problems.len() {
            0 => Ok(value),
            1 => Err(Error::with_details(
                Code::InvalidValue,
                said(&self.problems[0]),
                self.problems,
            )),
            n => Err(Error::with_details(
                Code::InvalidValue,
                format!(
                    "{n} fields cannot be taken, the first: {}",
                    said(&self.problems[0])
                ),
                self.problems,
            )),
        }
    }
}

/// A problem as one line: the field, then what is wrong.
fn said(p: &Problem) -> String {
    match &p.field {
        Some(f) => format!("{f}: {}", p.message),
        None => p.message.clone(),
    }
}

fn unknown(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let message = problems
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    Err(Error::with_details(Code::UnknownField, message, problems))
}

/// Reads an edit of the partner `id`. Its `note` explains a change of level or stage and
/// is kept with the partner's history, so it needs one of them in the same edit.
pub fn partner_edit(id: &str, body: &[u8], catalog: &Catalog) -> Result<PartnerEdit> {
    let map = object(body)?;
    let mut unknown_keys = known_keys(&map, &PARTNER_KEYS, "");
    let contact = match map.get("contact") {
        None => None,
        Some(Value::Null) => Some(Map::new()),
        Some(Value::Object(c)) => {
            unknown_keys.extend(known_keys(c, &CONTACT_KEYS, "contact."));
            Some(c.clone())
        }
        Some(_) => None,
    };
    let readiness = match map.get("readiness") {
        Some(Value::Object(r)) => {
            let codes: Vec<&str> = ReadinessQuestion::ALL.iter().map(|q| q.code()).collect();
            unknown_keys.extend(known_keys(r, &codes, "readiness."));
            for q in ReadinessQuestion::ALL {
                if let Some(Value::Object(a)) = r.get(q.code()) {
                    unknown_keys.extend(known_keys(
                        a,
                        &["text", "date"],
                        &format!("readiness.{}.", q.code()),
                    ));
                }
            }
            Some(r.clone())
        }
        _ => None,
    };
    unknown(unknown_keys)?;
    let mut c = Checks::default();
    if matches!(map.get("readiness"), Some(v) if !v.is_object()) {
        c.bad(
            "readiness",
            "'readiness' must be an object of answers, e.g. {\"ideas\": {\"text\": \"…\", \"date\": \"2025-01-10\"}}",
        );
    }
    if matches!(map.get("contact"), Some(v) if !v.is_null() && !v.is_object()) {
        c.bad(
            "contact",
            "'contact' must be an object {name, email, phone} or null",
        );
    }
    let mut fields = PartnerFields {
        partnership_level: c.parsed(
            &map,
            "partnership_level",
            "partnership_level",
            PartnershipLevel::parse,
            |s| {
                format!(
                    "'{s}' is not a partnership level ({})",
                    PartnershipLevel::ALLOWED
                )
            },
        ),
        partnership_stage: c.parsed(
            &map,
            "partnership_stage",
            "partnership_stage",
            PartnershipStage::parse,
            |s| {
                format!(
                    "'{s}' is not a partnership stage ({})",
                    PartnershipStage::ALLOWED
                )
            },
        ),
        agreement_start: c.parsed(
            &map,
            "agreement_start",
            "agreement_start",
            parse_date,
            |s| format!("'{s}' is not a date in the form YYYY-MM-DD"),
        ),
        agreement_end: c.parsed(&map, "agreement_end", "agreement_end", parse_date, |s| {
            format!("'{s}' is not a date in the form YYYY-MM-DD")
        }),
        notes: c.text(&map, "notes", "notes"),
        ..PartnerFields::default()
    };
    if let (Edit::Set(start), Edit::Set(end)) = (&fields.agreement_start, &fields.agreement_end)
        && end < start
    {
        c.bad(
            "agreement_end",
            format!("the agreement cannot end ({end}) before it starts ({start})"),
        );
    }
    if let Some(contact) = contact {
        // `contact: null` clears all three; an object changes the keys it has.
        let all = contact.is_empty() && map.get("contact") == Some(&Value::Null);
        let whole = |e: Edit<String>| if all { Edit::Clear } else { e };
        fields.contact_name = whole(c.text(&contact, "contact.name", "name"));
        fields.contact_email =
            whole(
                c.parsed(&contact, "contact.email", "email", parse_email, |s| {
                    format!("'{s}' is not an email address")
                }),
            );
        fields.contact_phone = whole(c.parsed(
            &contact,
            "contact.phone",
            "phone",
            parse_phone,
            |s| {
                format!(
                    "'{s}' is not a phone number (digits with spaces, + - ( ) . /, and an optional 'ext' or 'x' extension)"
                )
            },
        ));
    }
    fields.needs = match c.list(&map, "needs") {
        Edit::Set(list) => match need_codes(&list, catalog) {
            Ok(codes) => Edit::Set(codes),
            Err(m) => {
                c.bad("needs", m);
                Edit::Keep
            }
        },
        other => other,
    };
    if let Some(r) = readiness {
        for q in ReadinessQuestion::ALL {
            let field = format!("readiness.{}", q.code());
            fields.readiness[q.index()] = match r.get(q.code()) {
                None => Edit::Keep,
                Some(Value::Null) => Edit::Clear,
                Some(Value::Object(a)) => match c.text(a, &format!("{field}.text"), "text") {
                    Edit::Set(text) => {
                        // An answer given now is dated today unless the editor says when.
                        let date = match c.text(a, &format!("{field}.date"), "date") {
                            Edit::Set(d) => parse_date(&d).or_else(|| {
                                c.bad(
                                    &format!("{field}.date"),
                                    format!("'{d}' is not a date in the form YYYY-MM-DD"),
                                );
                                None
                            }),
                            _ => Some(super::hsds::today()),
                        };
                        date.map_or(Edit::Keep, |date| Edit::Set(Answer { text, date }))
                    }
                    Edit::Clear => Edit::Clear,
                    Edit::Keep => {
                        c.bad(
                            &field,
                            "an answer needs its 'text' (null clears the answer)",
                        );
                        Edit::Keep
                    }
                },
                Some(_) => {
                    c.bad(&field, "an answer is {\"text\", \"date\"} or null");
                    Edit::Keep
                }
            };
        }
    }
    let note = match c.text(&map, "note", "note") {
        Edit::Set(n) => Some(n),
        _ => None,
    };
    if note.is_some() && fields.partnership_level.is_keep() && fields.partnership_stage.is_keep() {
        c.bad(
            "note",
            "a note explains a change of partnership_level or partnership_stage and is kept with the partner's history: give one of them in the same edit (the partner's own notes are 'notes')",
        );
    }
    c.finish(PartnerEdit {
        id: id.to_owned(),
        fields,
        note,
    })
}

/// Reads a site edit of the site `id`.
pub fn site_edit(id: &str, body: &[u8], catalog: &Catalog) -> Result<SiteEdit> {
    let map = object(body)?;
    unknown(known_keys(&map, &SITE_KEYS, ""))?;
    let mut c = Checks::default();
    let services = match c.list(&map, "services") {
        Edit::Keep => None,
        Edit::Clear => {
            c.bad(
                "services",
                "a site offers at least one service: 'services' cannot be empty",
            );
            None
        }
        Edit::Set(labels) => {
            let mut codes: Vec<String> = Vec::new();
            for label in &labels {
                match catalog.service_code(label) {
                    Some(code) => {
                        if !codes.iter().any(|x| x == code) {
                            codes.push(code.to_owned());
                        }
                    }
                    None => c.bad(
                        "services",
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
            Some(codes)
        }
    };
    let non_negative = |x: Option<f64>| x.filter(|x| x.is_finite() && *x >= 0.0);
    let capacity = match map.get("capacity") {
        None => Edit::Keep,
        Some(Value::Null) => Edit::Clear,
        Some(Value::Number(n)) => match non_negative(n.as_f64()) {
            Some(x) => Edit::Set(Capacity::Every(x)),
            None => {
                c.bad("capacity", format!("capacity {n} must be a number ≥ 0"));
                Edit::Keep
            }
        },
        Some(Value::Object(m)) => {
            let mut each = Vec::with_capacity(m.len());
            for (label, v) in m {
                let field = format!("capacity.{label}");
                let Some(code) = catalog.service_code(label) else {
                    c.bad(&field, format!("unknown service '{label}' in capacity"));
                    continue;
                };
                match v {
                    Value::Null => each.push((code.to_owned(), None)),
                    Value::Number(n) => match non_negative(n.as_f64()) {
                        Some(x) => each.push((code.to_owned(), Some(x))),
                        None => c.bad(&field, format!("capacity {n} must be a number ≥ 0")),
                    },
                    other => c.bad(
                        &field,
                        format!("capacity must be a number ≥ 0 or null, not {other}"),
                    ),
                }
            }
            Edit::Set(Capacity::Each(each))
        }
        Some(other) => {
            c.bad(
                "capacity",
                format!(
                    "capacity must be a number, an object such as {{\"childcare\": 40}}, or null; not {other}"
                ),
            );
            Edit::Keep
        }
    };
    let languages = match c.list(&map, "languages") {
        Edit::Set(list) => {
            let mut codes: Vec<String> = Vec::new();
            for l in &list {
                match language_code(l) {
                    Some(code) if !codes.contains(&code) => codes.push(code),
                    Some(_) => {}
                    None => c.bad(
                        "languages",
                        format!("'{l}' is not an ISO 639 language code (e.g. en, es, zh)"),
                    ),
                }
            }
            Edit::Set(codes)
        }
        other => other,
    };
    let hours = match c.text(&map, "hours", "hours") {
        Edit::Set(h) => match Hours::parse(&h) {
            Ok(h) => Edit::Set(h),
            Err(e) => {
                c.bad("hours", e.to_string());
                Edit::Keep
            }
        },
        Edit::Clear => Edit::Clear,
        Edit::Keep => Edit::Keep,
    };
    c.finish(SiteEdit {
        services,
        capacity,
        languages,
        hours,
        ..SiteEdit::of(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(body: &str) -> Result<PartnerFields> {
        partner_edit("p", body.as_bytes(), &Catalog::bundled()).map(|e| e.fields)
    }

    #[test]
    fn readiness_answers_are_read_with_their_date() {
        let f = partner(
            r#"{"readiness": {"ideas": {"text": "Shared family nights", "date": "2025-01-10"}, "challenges": null, "benefits": {"text": "Warm hand-offs"}}}"#,
        )
        .unwrap();
        assert_eq!(
            f.readiness[ReadinessQuestion::Ideas.index()],
            Edit::Set(Answer {
                text: "Shared family nights".into(),
                date: "2025-01-10".into()
            })
        );
        assert_eq!(
            f.readiness[ReadinessQuestion::Challenges.index()],
            Edit::Clear
        );
        assert_eq!(
            f.readiness[ReadinessQuestion::NeedForChange.index()],
            Edit::Keep
        );
        let Edit::Set(a) = &f.readiness[ReadinessQuestion::Benefits.index()] else {
            panic!("benefits is set");
        };
        assert!(parse_date(&a.date).is_some(), "dated today: {}", a.date);
        let e = partner(r#"{"readiness": {"hopes": {"text": "x"}}}"#).unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("readiness.hopes"));
        let e = partner(r#"{"readiness": {"ideas": {"text": "x", "date": "soon"}}}"#).unwrap_err();
        assert_eq!(
            e.details()[0].field.as_deref(),
            Some("readiness.ideas.date")
        );
    }

    #[test]
    fn a_note_goes_with_a_move() {
        let e = partner_edit(
            "p",
            br#"{"partnership_stage": "taking_action", "note": "MOU signed"}"#,
            &Catalog::bundled(),
        )
        .unwrap();
        assert_eq!(e.note.as_deref(), Some("MOU signed"));
        let bad = partner(r#"{"notes": "x", "note": "why"}"#).unwrap_err();
        assert_eq!(bad.details()[0].field.as_deref(), Some("note"));
    }

    #[test]
    fn a_partner_edit_names_only_what_it_changes() {
        let f = partner(r#"{"partnership_stage": "taking_action", "notes": null, "contact": {"email": "ana@ymca.org"}}"#)
            .unwrap();
        assert_eq!(
            f.partnership_stage,
            Edit::Set(PartnershipStage::TakingAction)
        );
        assert_eq!(f.notes, Edit::Clear);
        assert_eq!(f.contact_email, Edit::Set("ana@ymca.org".into()));
        assert_eq!(f.contact_name, Edit::Keep);
        assert_eq!(f.partnership_level, Edit::Keep);
        let cleared = partner(r#"{"contact": null}"#).unwrap();
        assert_eq!(
            (
                cleared.contact_name,
                cleared.contact_email,
                cleared.contact_phone
            ),
            (Edit::Clear, Edit::Clear, Edit::Clear)
        );
    }

    #[test]
    fn bad_partner_edits_name_the_field() {
        let e = partner(r#"{"partnership_stage": "done", "agreement_start": "2024-02-30", "needs": ["astrology"]}"#)
            .unwrap_err();
        assert_eq!(e.code(), Code::InvalidValue);
        let fields: Vec<_> = e.details().iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                Some("partnership_stage"),
                Some("agreement_start"),
                Some("needs")
            ]
        );
        let e = partner(r#"{"colour": "red", "contact": {"fax": "1"}}"#).unwrap_err();
        assert_eq!(e.code(), Code::UnknownField);
        let fields: Vec<_> = e.details().iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, [Some("colour"), Some("contact.fax")]);
        assert_eq!(partner("[1]").unwrap_err().code(), Code::MalformedBody);
        assert_eq!(partner("{").unwrap_err().code(), Code::MalformedBody);
        let e = partner(r#"{"agreement_start": "2025-01-01", "agreement_end": "2024-12-31"}"#)
            .unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("agreement_end"));
    }

    #[test]
    fn a_site_edit_reads_services_capacity_languages_and_hours() {
        let c = Catalog::bundled();
        let e = site_edit(
            "s1",
            br#"{"services": ["childcare", "Head Start"], "capacity": {"childcare": 60, "early_education": null}, "languages": ["ES", "en"], "hours": "Mo-Fr 07:00-18:00"}"#,
            &c,
        )
        .unwrap();
        assert_eq!(
            e.services.as_deref(),
            Some(&["childcare".to_owned(), "early_education".to_owned()][..])
        );
        assert_eq!(
            e.capacity,
            Edit::Set(Capacity::Each(vec![
                ("childcare".into(), Some(60.0)),
                ("early_education".into(), None)
            ]))
        );
        assert_eq!(e.languages, Edit::Set(vec!["es".into(), "en".into()]));
        assert!(matches!(e.hours, Edit::Set(_)));
        assert_eq!(e.name, None);
        assert_eq!(e.address, Edit::Keep);
        let bad = site_edit(
            "s1",
            br#"{"services": [], "capacity": -3, "hours": "sometimes"}"#,
            &c,
        )
        .unwrap_err();
        let fields: Vec<_> = bad.details().iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, [Some("services"), Some("capacity"), Some("hours")]);
        let unknown = site_edit("s1", br#"{"name": "X"}"#, &c).unwrap_err();
        assert_eq!(unknown.code(), Code::UnknownField);
    }
}
