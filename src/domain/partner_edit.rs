//! Edits of the partner directory: what an upload's record or an edit in the API says about
//! each field of a site and of its partner, applied to what the store holds.
//!
//! A field the edit does not mention (a column absent from the upload, a property absent
//! from a feature, a key absent from a PATCH body) keeps its stored value; a field stated
//! empty (an empty cell, `null`) is cleared; any other value is set. [`apply`] gives every
//! record the edits touch as it will be stored and, for those that were stored already,
//! each changed field with its value before and after.

use super::{
    Answer, Contact, Hours, LonLat, Partner, PartnershipLevel, PartnershipStage, ReadinessQuestion,
    Site, SiteService, slug,
};
use crate::error::Problem;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// What an edit says about one field.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Edit<T> {
    /// Not mentioned: the stored value stays.
    #[default]
    Keep,
    /// Stated empty: the stored value is cleared.
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Edit<T> {
    /// A field the edit states: `None` (empty) clears, `Some` sets.
    pub fn stated(value: Option<T>) -> Self {
        match value {
            None => Self::Clear,
            Some(v) => Self::Set(v),
        }
    }

    /// True when the edit does not mention the field.
    pub fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }

    /// The value after the edit, given the stored one.
    pub fn apply(&self, stored: Option<T>) -> Option<T>
    where
        T: Clone,
    {
        match self {
            Self::Keep => stored,
            Self::Clear => None,
            Self::Set(v) => Some(v.clone()),
        }
    }

    /// Changes the value, keeping what the edit does.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Edit<U> {
        match self {
            Self::Keep => Edit::Keep,
            Self::Clear => Edit::Clear,
            Self::Set(v) => Edit::Set(f(v)),
        }
    }

    /// Two records' statements about one field of the same partner: the first value set
    /// wins; a clear counts only where no record sets a value.
    pub fn or(self, later: Self) -> Self {
        match (self, later) {
            (Self::Set(v), _) | (_, Self::Set(v)) => Self::Set(v),
            (Self::Clear, _) | (_, Self::Clear) => Self::Clear,
            (Self::Keep, Self::Keep) => Self::Keep,
        }
    }
}

/// What an edit says about a partner. The name is never cleared: a partner has one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartnerFields {
    /// A new name.
    pub name: Option<String>,
    pub kind: Edit<String>,
    pub partnership_level: Edit<PartnershipLevel>,
    pub partnership_stage: Edit<PartnershipStage>,
    /// `YYYY-MM-DD`, checked.
    pub agreement_start: Edit<String>,
    /// `YYYY-MM-DD`, checked.
    pub agreement_end: Edit<String>,
    pub notes: Edit<String>,
    pub contact_name: Edit<String>,
    /// Checked with [`super::parse_email`].
    pub contact_email: Edit<String>,
    /// Checked with [`super::parse_phone`].
    pub contact_phone: Edit<String>,
    /// Need codes, checked against the catalog; never `Set` empty.
    pub needs: Edit<Vec<String>>,
    /// The readiness answers, in the order of [`ReadinessQuestion::ALL`].
    pub readiness: [Edit<Answer>; 4],
}

impl PartnerFields {
    /// True when nothing about the partner is stated.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Several records' statements about one partner, field by field (see [`Edit::or`]).
    fn or(self, later: Self) -> Self {
        Self {
            name: self.name.or(later.name),
            kind: self.kind.or(later.kind),
            partnership_level: self.partnership_level.or(later.partnership_level),
            partnership_stage: self.partnership_stage.or(later.partnership_stage),
            agreement_start: self.agreement_start.or(later.agreement_start),
            agreement_end: self.agreement_end.or(later.agreement_end),
            notes: self.notes.or(later.notes),
            contact_name: self.contact_name.or(later.contact_name),
            contact_email: self.contact_email.or(later.contact_email),
            contact_phone: self.contact_phone.or(later.contact_phone),
            needs: self.needs.or(later.needs),
            readiness: {
                let [a, b, c, d] = self.readiness;
                let [e, f, g, h] = later.readiness;
                [a.or(e), b.or(f), c.or(g), d.or(h)]
            },
        }
    }

    /// The partner after the edit: `stored`, or a new one named `default_name`.
    fn apply(&self, id: &str, stored: Option<&Partner>, default_name: &str) -> Partner {
        let base = stored
            .cloned()
            .unwrap_or_else(|| Partner::named(id, default_name));
        Partner {
            id: id.to_owned(),
            name: self.name.clone().unwrap_or(base.name),
            kind: self.kind.apply(base.kind),
            partnership_level: self.partnership_level.apply(base.partnership_level),
            partnership_stage: self.partnership_stage.apply(base.partnership_stage),
            agreement_start: self.agreement_start.apply(base.agreement_start),
            agreement_end: self.agreement_end.apply(base.agreement_end),
            notes: self.notes.apply(base.notes),
            contact: Contact {
                name: self.contact_name.apply(base.contact.name),
                email: self.contact_email.apply(base.contact.email),
                phone: self.contact_phone.apply(base.contact.phone),
            },
            needs: self.needs.apply(Some(base.needs)).unwrap_or_default(),
            readiness: {
                let mut r = base.readiness;
                for q in ReadinessQuestion::ALL {
                    r.set(q, self.readiness[q.index()].apply(r.get(q).cloned()));
                }
                r
            },
        }
    }
}

/// A site's capacity as an edit states it.
#[derive(Clone, Debug, PartialEq)]
pub enum Capacity {
    /// One number for every service the site lists.
    Every(f64),
    /// Per service code: a number sets it, `None` clears it; services not named keep theirs.
    Each(Vec<(String, Option<f64>)>),
}

/// Where an edit came from, so that a refusal names the file and row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub row: u64,
}

/// What an upload's record or an edit says about one site and its partner.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiteEdit {
    /// The site's id.
    pub id: String,
    /// The file and row it came from (none for an edit in the API).
    pub origin: Option<Origin>,
    /// The partner the site belongs to. Not stated: a stored site keeps its partner; a new
    /// one belongs to the partner whose id is its name's [`slug`].
    pub partner_id: Option<String>,
    /// What the record says about that partner.
    pub partner: PartnerFields,
    /// A new name (never cleared).
    pub name: Option<String>,
    /// A new position (never cleared).
    pub location: Option<LonLat>,
    pub address: Edit<String>,
    /// The open service codes the site offers, in order, without repeats; never empty.
    pub services: Option<Vec<String>>,
    pub capacity: Edit<Capacity>,
    /// ISO 639 codes.
    pub languages: Edit<Vec<String>>,
    pub hours: Edit<Hours>,
}

impl SiteEdit {
    /// An edit of the site `id` that says nothing yet.
    pub fn of(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }
}

/// What an edit says about a partner by its id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartnerEdit {
    pub id: String,
    pub fields: PartnerFields,
    /// Why the level or stage changes, kept with the partner's history.
    pub note: Option<String>,
}

/// Edits of many sites and partners, as one upload or one API call makes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DirectoryEdit {
    /// Partners edited by id (their sites untouched).
    pub partners: Vec<PartnerEdit>,
    /// Sites, each with what it says of its partner.
    pub sites: Vec<SiteEdit>,
}

impl From<super::PartnerDirectory> for DirectoryEdit {
    /// Whole records: every field stated, so what the directory leaves empty is cleared.
    fn from(dir: super::PartnerDirectory) -> Self {
        let partners = dir
            .partners
            .into_iter()
            .map(|p| PartnerEdit {
                fields: PartnerFields {
                    name: Some(p.name),
                    kind: Edit::stated(p.kind),
                    partnership_level: Edit::stated(p.partnership_level),
                    partnership_stage: Edit::stated(p.partnership_stage),
                    agreement_start: Edit::stated(p.agreement_start),
                    agreement_end: Edit::stated(p.agreement_end),
                    notes: Edit::stated(p.notes),
                    contact_name: Edit::stated(p.contact.name),
                    contact_email: Edit::stated(p.contact.email),
                    contact_phone: Edit::stated(p.contact.phone),
                    needs: Edit::stated(Some(p.needs).filter(|n| !n.is_empty())),
                    readiness: ReadinessQuestion::ALL
                        .map(|q| Edit::stated(p.readiness.get(q).cloned())),
                },
                id: p.id,
                note: None,
            })
            .collect();
        let sites = dir
            .sites
            .into_iter()
            .map(|s| {
                let each: Vec<(String, Option<f64>)> = s
                    .services
                    .iter()
                    .map(|x| (x.code.clone(), x.capacity))
                    .collect();
                SiteEdit {
                    partner_id: Some(s.partner_id),
                    name: Some(s.name),
                    location: Some(s.location),
                    address: Edit::stated(s.address),
                    services: Some(s.services.into_iter().map(|x| x.code).collect()),
                    capacity: Edit::Set(Capacity::Each(each)),
                    languages: Edit::stated(Some(s.languages).filter(|l| !l.is_empty())),
                    hours: Edit::stated(s.hours),
                    ..SiteEdit::of(s.id)
                }
            })
            .collect();
        Self { partners, sites }
    }
}

impl DirectoryEdit {
    /// The directory these edits make in an empty store.
    pub fn on_empty(&self) -> Result<super::PartnerDirectory, Vec<Problem>> {
        let applied = apply(self, &HashMap::new(), &HashMap::new())?;
        Ok(super::PartnerDirectory {
            partners: applied.partners.into_iter().map(|p| p.record).collect(),
            sites: applied.sites.into_iter().map(|s| s.record).collect(),
        })
    }
}

/// Whether a record the edits touch is new, changed or as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Added,
    Changed,
    Unchanged,
}

/// One record after the edits, with what changed in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome<T> {
    /// The record as it will be stored.
    pub record: T,
    pub status: Status,
    /// The changed fields (a stored record only).
    pub fields: Vec<FieldChange>,
}

/// One changed field: its name as the flat CSV calls it, and its value before and after
/// (`null` when empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// The changed fields of one stored record; `cleared` names those that are empty now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordChange {
    /// `partner` or `site`.
    pub record: String,
    pub id: String,
    pub fields: Vec<FieldChange>,
    pub cleared: Vec<String>,
}

/// Every record the edits touch, as it will be stored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// Partners, by id.
    pub partners: Vec<Outcome<Partner>>,
    /// Sites, in the edits' order.
    pub sites: Vec<Outcome<Site>>,
}

impl Applied {
    /// True when every touched record is as stored.
    pub fn is_unchanged(&self) -> bool {
        self.partners.iter().all(|p| p.status == Status::Unchanged)
            && self.sites.iter().all(|s| s.status == Status::Unchanged)
    }

    /// The changed records, partners first, each with its changed fields.
    pub fn changes(&self) -> Vec<RecordChange> {
        self.first_changes(usize::MAX).0
    }

    /// The first `limit` of [`Applied::changes`], and how many changed records follow
    /// them (only those listed are built: a national upload may change every site).
    pub fn first_changes(&self, limit: usize) -> (Vec<RecordChange>, usize) {
        let partners = self.partners.iter().filter(|p| p.status == Status::Changed);
        let sites = self.sites.iter().filter(|s| s.status == Status::Changed);
        let total = partners.clone().count() + sites.clone().count();
        let listed: Vec<RecordChange> = partners
            .map(|p| record_change("partner", &p.record.id, &p.fields))
            .chain(sites.map(|s| record_change("site", &s.record.id, &s.fields)))
            .take(limit)
            .collect();
        let more = total - listed.len();
        (listed, more)
    }
}

/// A partnership's move: its level or stage changed (or was first set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub partner_id: String,
    /// `partnership_level` or `partnership_stage`.
    pub field: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The editor's note, where the edit gave one.
    pub note: Option<String>,
}

/// The fields whose changes are a partnership's history.
pub const MOVE_FIELDS: [&str; 2] = ["partnership_level", "partnership_stage"];

impl Applied {
    /// Every change of a partner's level or stage the edits make, partner by partner (a
    /// new partner's first level and stage count, from nothing); `edits` give the notes.
    pub fn moves(&self, edits: &DirectoryEdit) -> Vec<Move> {
        // The first edit of a partner gives its note (a map: an upload may edit many).
        let mut notes: HashMap<&str, Option<&String>> = HashMap::new();
        for e in &edits.partners {
            notes.entry(e.id.as_str()).or_insert(e.note.as_ref());
        }
        let note = |id: &str| notes.get(id).copied().flatten().cloned();
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let mut out = Vec::new();
        for p in &self.partners {
            let id = &p.record.id;
            match p.status {
                Status::Unchanged => {}
                Status::Added => {
                    let now = [
                        p.record.partnership_level.map(PartnershipLevel::as_str),
                        p.record.partnership_stage.map(PartnershipStage::as_str),
                    ];
                    for (field, to) in MOVE_FIELDS.into_iter().zip(now) {
                        if let Some(to) = to {
                            out.push(Move {
                                partner_id: id.clone(),
                                field,
                                from: None,
                                to: Some(to.to_owned()),
                                note: note(id),
                            });
                        }
                    }
                }
                Status::Changed => {
                    for field in MOVE_FIELDS {
                        if let Some(f) = p.fields.iter().find(|f| f.field == field) {
                            out.push(Move {
                                partner_id: id.clone(),
                                field,
                                from: text(&f.before),
                                to: text(&f.after),
                                note: note(id),
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

fn record_change(record: &str, id: &str, fields: &[FieldChange]) -> RecordChange {
    RecordChange {
        record: record.to_owned(),
        id: id.to_owned(),
        fields: fields.to_vec(),
        cleared: fields
            .iter()
            .filter(|f| f.after.is_null())
            .map(|f| f.field.clone())
            .collect(),
    }
}

/// Applies the edits to the stored partners and sites. A site that is not stored needs a
/// name, a position and its services; a capacity must name a service the site offers.
/// Refused: every such problem, with the file and row of its record.
pub fn apply(
    edits: &DirectoryEdit,
    partners: &HashMap<String, Partner>,
    sites: &HashMap<String, Site>,
) -> Result<Applied, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out_sites = Vec::with_capacity(edits.sites.len());
    // Per partner id: what the edits say of it, and a name for it should it be new.
    let mut touched: BTreeMap<String, (PartnerFields, String)> = BTreeMap::new();
    for e in &edits.sites {
        let stored = sites.get(&e.id);
        let Some(site) = apply_site(e, stored, &mut problems) else {
            continue;
        };
        let fields = e.partner.clone();
        match touched.get_mut(&site.partner_id) {
            Some((f, _)) => *f = std::mem::take(f).or(fields),
            None => {
                let default = e.partner.name.clone().unwrap_or_else(|| site.name.clone());
                touched.insert(site.partner_id.clone(), (fields, default));
            }
        }
        out_sites.push(outcome(site, stored, site_values));
    }
    for e in &edits.partners {
        match touched.get_mut(&e.id) {
            Some((f, _)) => *f = std::mem::take(f).or(e.fields.clone()),
            None => {
                let default = e.fields.name.clone().unwrap_or_else(|| e.id.clone());
                touched.insert(e.id.clone(), (e.fields.clone(), default));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let out_partners = touched
        .into_iter()
        .map(|(id, (fields, default))| {
            let stored = partners.get(&id);
            outcome(fields.apply(&id, stored, &default), stored, partner_values)
        })
        .collect();
    Ok(Applied {
        partners: out_partners,
        sites: out_sites,
    })
}

fn outcome<T: PartialEq>(
    record: T,
    stored: Option<&T>,
    values: fn(&T) -> Vec<(&'static str, Value)>,
) -> Outcome<T> {
    let Some(before) = stored else {
        return Outcome {
            record,
            status: Status::Added,
            fields: Vec::new(),
        };
    };
    let fields: Vec<FieldChange> = values(before)
        .into_iter()
        .zip(values(&record))
        .filter(|((_, b), (_, a))| a != b)
        .map(|((field, before), (_, after))| FieldChange {
            field: field.to_owned(),
            before,
            after,
        })
        .collect();
    Outcome {
        status: if fields.is_empty() {
            Status::Unchanged
        } else {
            Status::Changed
        },
        record,
        fields,
    }
}

/// One site after its edit; `None` (with the problems recorded) when it cannot be.
fn apply_site(e: &SiteEdit, stored: Option<&Site>, problems: &mut Vec<Problem>) -> Option<Site> {
    let problem = |field: &str, message: String| match &e.origin {
        Some(o) => Problem::at(&o.file, o.row, field, message),
        None => Problem {
            file: None,
            row: None,
            field: Some(field.to_owned()),
            message,
        },
    };
    let new = |what: &str| {
        format!(
            "site '{}' is not in the directory yet, so its record needs {what}",
            e.id
        )
    };
    let name = e.name.clone().or_else(|| stored.map(|s| s.name.clone()));
    let location = e.location.or_else(|| stored.map(|s| s.location));
    let codes = e
        .services
        .clone()
        .or_else(|| stored.map(|s| s.services.iter().map(|x| x.code.clone()).collect()));
    let before = problems.len();
    if name.is_none() {
        problems.push(problem("name", new("a name")));
    }
    if location.is_none() {
        problems.push(problem("lat", new("a position (lat and lon)")));
    }
    if codes.is_none() {
        problems.push(problem("services", new("its services")));
    }
    let (Some(name), Some(location), Some(codes)) = (name, location, codes) else {
        return None;
    };
    // Capacities: kept per service code unless the edit states them.
    let stored_capacity = |code: &str| {
        stored
            .and_then(|s| s.services.iter().find(|x| x.code == code))
            .and_then(|x| x.capacity)
    };
    let mut services: Vec<SiteService> = codes
        .iter()
        .map(|code| SiteService {
            code: code.clone(),
            capacity: match &e.capacity {
                Edit::Clear => None,
                Edit::Set(Capacity::Every(x)) => Some(*x),
                Edit::Keep | Edit::Set(Capacity::Each(_)) => stored_capacity(code),
            },
        })
        .collect();
    if let Edit::Set(Capacity::Each(list)) = &e.capacity {
        for (code, value) in list {
            match services.iter_mut().find(|s| &s.code == code) {
                Some(s) => s.capacity = *value,
                None if value.is_none() => {}
                None => problems.push(problem(
                    "capacity",
                    format!(
                        "capacity is given for '{code}', which site '{}' does not list among its services ({})",
                        e.id,
                        codes.join(", ")
                    ),
                )),
            }
        }
    }
    if problems.len() > before {
        return None;
    }
    let name_for_slug = name.clone();
    Some(Site {
        id: e.id.clone(),
        partner_id: e
            .partner_id
            .clone()
            .or_else(|| stored.map(|s| s.partner_id.clone()))
            .unwrap_or_else(|| slug(&name_for_slug)),
        name,
        location,
        address: e.address.apply(stored.and_then(|s| s.address.clone())),
        services,
        languages: e
            .languages
            .apply(stored.map(|s| s.languages.clone()))
            .unwrap_or_default(),
        hours: e.hours.apply(stored.and_then(|s| s.hours.clone())),
    })
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| json!(s))
}

fn list(v: &[String]) -> Value {
    if v.is_empty() { Value::Null } else { json!(v) }
}

/// A site's fields as the changes name and show them.
fn site_values(s: &Site) -> Vec<(&'static str, Value)> {
    let capacity: Map<String, Value> = s
        .services
        .iter()
        .filter_map(|x| x.capacity.map(|c| (x.code.clone(), json!(c))))
        .collect();
    let codes: Vec<String> = s.services.iter().map(|x| x.code.clone()).collect();
    vec![
        ("partner_id", json!(s.partner_id)),
        ("name", json!(s.name)),
        ("lat", json!(s.location.lat())),
        ("lon", json!(s.location.lon())),
        ("address", text(s.address.as_deref())),
        ("services", list(&codes)),
        (
            "capacity",
            if capacity.is_empty() {
                Value::Null
            } else {
                Value::Object(capacity)
            },
        ),
        ("languages", list(&s.languages)),
        ("hours", text(s.hours.as_ref().map(Hours::as_str))),
    ]
}

/// A partner's fields as the changes name and show them.
fn partner_values(p: &Partner) -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!(p.name)),
        ("kind", text(p.kind.as_deref())),
        (
            "partnership_level",
            text(p.partnership_level.map(PartnershipLevel::as_str)),
        ),
        (
            "partnership_stage",
            text(p.partnership_stage.map(PartnershipStage::as_str)),
        ),
        ("agreement_start", text(p.agreement_start.as_deref())),
        ("agreement_end", text(p.agreement_end.as_deref())),
        ("notes", text(p.notes.as_deref())),
        ("contact_name", text(p.contact.name.as_deref())),
        ("contact_email", text(p.contact.email.as_deref())),
        ("contact_phone", text(p.contact.phone.as_deref())),
        ("needs", list(&p.needs)),
        (
            "readiness_need_for_change",
            answer(p, ReadinessQuestion::NeedForChange),
        ),
        ("readiness_ideas", answer(p, ReadinessQuestion::Ideas)),
        ("readiness_benefits", answer(p, ReadinessQuestion::Benefits)),
        (
            "readiness_challenges",
            answer(p, ReadinessQuestion::Challenges),
        ),
    ]
}

fn answer(p: &Partner, q: ReadinessQuestion) -> Value {
    p.readiness
        .get(q)
        .map_or(Value::Null, |a| json!({"text": a.text, "date": a.date}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> (HashMap<String, Partner>, HashMap<String, Site>) {
        let mut p = Partner::named("ymca", "YMCA of Chicago");
        p.kind = Some("nonprofit".into());
        p.partnership_stage = Some(PartnershipStage::GettingTogether);
        let s = Site {
            id: "ymca-1".into(),
            partner_id: "ymca".into(),
            name: "YMCA Kids Center".into(),
            location: LonLat::new(-87.63, 41.88).unwrap(),
            address: Some("1 Main St".into()),
            services: vec![
                SiteService {
                    code: "childcare".into(),
                    capacity: Some(113.0),
                },
                SiteService {
                    code: "parenting".into(),
                    capacity: None,
                },
            ],
            languages: vec!["en".into(), "es".into()],
            hours: Some(Hours::parse("Mo-Fr 06:30-18:00").unwrap()),
        };
        (
            HashMap::from([(p.id.clone(), p)]),
            HashMap::from([(s.id.clone(), s)]),
        )
    }

    #[test]
    fn a_stage_only_edit_keeps_every_other_field() {
        let (partners, sites) = stored();
        let mut e = SiteEdit::of("ymca-1");
        e.partner.partnership_stage = Edit::Set(PartnershipStage::TakingAction);
        let applied = apply(
            &DirectoryEdit {
                sites: vec![e],
                ..Default::default()
            },
            &partners,
            &sites,
        )
        .unwrap();
        assert_eq!(applied.sites[0].status, Status::Unchanged);
        assert_eq!(applied.sites[0].record, sites["ymca-1"]);
        let p = &applied.partners[0];
        assert_eq!(p.record.kind.as_deref(), Some("nonprofit"));
        assert_eq!(
            applied.changes(),
            [RecordChange {
                record: "partner".into(),
                id: "ymca".into(),
                fields: vec![FieldChange {
                    field: "partnership_stage".into(),
                    before: json!("getting_together"),
                    after: json!("taking_action"),
                }],
                cleared: vec![],
            }]
        );
    }

    #[test]
    fn an_empty_cell_clears_and_the_change_says_so() {
        let (partners, sites) = stored();
        let mut e = SiteEdit::of("ymca-1");
        e.capacity = Edit::Clear;
        e.languages = Edit::Clear;
        let applied = apply(
            &DirectoryEdit {
                sites: vec![e],
                ..Default::default()
            },
            &partners,
            &sites,
        )
        .unwrap();
        let c = &applied.changes()[0];
        assert_eq!((c.record.as_str(), c.id.as_str()), ("site", "ymca-1"));
        assert_eq!(c.cleared, ["capacity", "languages"]);
        assert_eq!(c.fields[0].before, json!({"childcare": 113.0}));
        assert_eq!(c.fields[1].before, json!(["en", "es"]));
        assert!(applied.sites[0].record.languages.is_empty());
    }

    #[test]
    fn capacities_follow_their_service_codes() {
        let (partners, sites) = stored();
        // New services without a capacity column: childcare keeps its 113 slots.
        let mut e = SiteEdit::of("ymca-1");
        e.services = Some(vec!["food".into(), "childcare".into()]);
        let d = DirectoryEdit {
            sites: vec![e],
            ..Default::default()
        };
        let s = &apply(&d, &partners, &sites).unwrap().sites[0].record;
        assert_eq!(
            s.services,
            [
                SiteService {
                    code: "food".into(),
                    capacity: None
                },
                SiteService {
                    code: "childcare".into(),
                    capacity: Some(113.0)
                }
            ]
        );
        // Per code: a number sets one service, the others keep theirs.
        let mut e = SiteEdit::of("ymca-1");
        e.capacity = Edit::Set(Capacity::Each(vec![("parenting".into(), Some(12.0))]));
        let d = DirectoryEdit {
            sites: vec![e],
            ..Default::default()
        };
        let s = &apply(&d, &partners, &sites).unwrap().sites[0].record;
        assert_eq!(
            s.services.iter().map(|x| x.capacity).collect::<Vec<_>>(),
            [Some(113.0), Some(12.0)]
        );
        // A capacity for a service the site does not offer is refused, naming the row.
        let mut e = SiteEdit::of("ymca-1");
        e.origin = Some(Origin {
            file: "p.csv".into(),
            row: 2,
        });
        e.capacity = Edit::Set(Capacity::Each(vec![("food".into(), Some(5.0))]));
        let d = DirectoryEdit {
            sites: vec![e],
            ..Default::default()
        };
        let problems = apply(&d, &partners, &sites).unwrap_err();
        assert_eq!(
            (problems[0].row, problems[0].field.as_deref()),
            (Some(2), Some("capacity"))
        );
    }

    #[test]
    fn a_new_site_needs_a_name_a_position_and_services() {
        let (partners, sites) = stored();
        let mut e = SiteEdit::of("new-1");
        e.origin = Some(Origin {
            file: "p.csv".into(),
            row: 3,
        });
        e.partner.partnership_stage = Edit::Set(PartnershipStage::TakingAction);
        let problems = apply(
            &DirectoryEdit {
                sites: vec![e],
                ..Default::default()
            },
            &partners,
            &sites,
        )
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, [Some("name"), Some("lat"), Some("services")]);
        assert!(
            problems[0]
                .message
                .contains("'new-1' is not in the directory yet")
        );
    }

    #[test]
    fn a_new_site_takes_a_new_partner_named_after_it() {
        let e = SiteEdit {
            name: Some("Little Stars".into()),
            location: Some(LonLat::new(-87.6, 41.8).unwrap()),
            services: Some(vec!["childcare".into()]),
            capacity: Edit::Set(Capacity::Every(40.0)),
            ..SiteEdit::of("ls-1")
        };
        let applied = apply(
            &DirectoryEdit {
                sites: vec![e],
                ..Default::default()
            },
            &HashMap::new(),
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(applied.sites[0].status, Status::Added);
        assert_eq!(applied.sites[0].record.partner_id, "little-stars");
        assert_eq!(applied.partners[0].record.name, "Little Stars");
        assert_eq!(applied.partners[0].status, Status::Added);
        assert!(applied.changes().is_empty());
    }

    #[test]
    fn level_and_stage_changes_are_the_moves_with_their_note() {
        let (partners, sites) = stored();
        let edits = DirectoryEdit {
            partners: vec![PartnerEdit {
                id: "ymca".into(),
                fields: PartnerFields {
                    partnership_level: Edit::Set(PartnershipLevel::Cooperation),
                    partnership_stage: Edit::Clear,
                    notes: Edit::Set("met the board".into()),
                    ..PartnerFields::default()
                },
                note: Some("signed the MOU".into()),
            }],
            sites: vec![SiteEdit {
                name: Some("Little Stars".into()),
                location: Some(LonLat::new(-87.6, 41.8).unwrap()),
                services: Some(vec!["childcare".into()]),
                partner: PartnerFields {
                    partnership_stage: Edit::Set(PartnershipStage::GettingTogether),
                    ..PartnerFields::default()
                },
                ..SiteEdit::of("ls-1")
            }],
        };
        let applied = apply(&edits, &partners, &sites).unwrap();
        let moves = applied.moves(&edits);
        let note = Some("signed the MOU".to_owned());
        assert_eq!(
            moves,
            [
                Move {
                    partner_id: "little-stars".into(),
                    field: "partnership_stage",
                    from: None,
                    to: Some("getting_together".into()),
                    note: None,
                },
                Move {
                    partner_id: "ymca".into(),
                    field: "partnership_level",
                    from: None,
                    to: Some("cooperation".into()),
                    note: note.clone(),
                },
                Move {
                    partner_id: "ymca".into(),
                    field: "partnership_stage",
                    from: Some("getting_together".into()),
                    to: None,
                    note,
                },
            ]
        );
    }

    #[test]
    fn the_first_record_stating_a_partner_field_wins() {
        let (partners, sites) = stored();
        let mut a = SiteEdit::of("ymca-1");
        a.partner.notes = Edit::Clear;
        let mut b = SiteEdit::of("ymca-1");
        b.partner.notes = Edit::Set("weekly call".into());
        let mut c = SiteEdit::of("ymca-1");
        c.partner.notes = Edit::Set("monthly call".into());
        let d = DirectoryEdit {
            sites: vec![a, b, c],
            ..Default::default()
        };
        let applied = apply(&d, &partners, &sites).unwrap();
        assert_eq!(
            applied.partners[0].record.notes.as_deref(),
            Some("weekly call")
        );
    }
}
