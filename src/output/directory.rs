//! What the store holds, in the formats that upload again: an assessment as JSON and CSV,
//! and the partner directory as the flat CSV (`crate::ingest::flat_csv`).

use super::csv::Csv;
use crate::atlas::Atlas;
use crate::domain::{Assessment, Partner, ReadinessQuestion, Warning};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The flat partner CSV's columns, in the order the download writes them.
pub const FLAT_CSV_COLUMNS: [&str; 29] = [
    "id",
    "name",
    "partner",
    "partner_id",
    "kind",
    "lat",
    "lon",
    "services",
    "capacity",
    "languages",
    "hours",
    "address",
    "partnership_level",
    "partnership_stage",
    "agreement_start",
    "agreement_end",
    "notes",
    "contact_name",
    "contact_email",
    "contact_phone",
    "needs",
    "readiness_need_for_change",
    "readiness_need_for_change_date",
    "readiness_ideas",
    "readiness_ideas_date",
    "readiness_benefits",
    "readiness_benefits_date",
    "readiness_challenges",
    "readiness_challenges_date",
];

/// The assessment as `{year, version, geography, indicators, columns, warnings, areas:
/// [{geoid, values}]}`; `warnings` are those the upload was stored with.
pub fn assessment_json(a: &Assessment) -> AssessmentJson<'_> {
    AssessmentJson {
        year: a.year,
        version: a.version,
        geography: &a.geography,
        indicators: a.table.indicators(),
        columns: &a.table.columns,
        warnings: &a.warnings,
        areas: a
            .table
            .rows
            .iter()
            .map(|r| AssessmentRowJson {
                geoid: r.geoid.as_str(),
                values: a
                    .table
                    .columns
                    .iter()
                    .map(String::as_str)
                    .zip(r.values.iter().copied())
                    .collect(),
            })
            .collect(),
    }
}

/// A stored assessment version as JSON (`GET /api/v1/assessments/{year}`).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Assessment)]
pub struct AssessmentJson<'a> {
    /// The assessment year.
    pub year: i32,
    /// The version shown.
    pub version: i64,
    /// The geography its GEOIDs belong to.
    pub geography: &'a str,
    /// The indicator columns (margins of error, `<indicator>_moe`, left out).
    #[schema(value_type = Vec<String>)]
    pub indicators: Vec<&'a str>,
    /// Every column in upload order.
    #[schema(value_type = Vec<String>)]
    pub columns: &'a [String],
    /// What the upload was stored with but a person should look at.
    #[schema(value_type = Vec<Warning>)]
    pub warnings: &'a [Warning],
    /// One row per area, in upload order.
    pub areas: Vec<AssessmentRowJson<'a>>,
}

/// One area's values.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AssessmentRow)]
pub struct AssessmentRowJson<'a> {
    /// The area's GEOID.
    pub geoid: &'a str,
    /// Column -> value; null for an empty cell.
    #[schema(value_type = BTreeMap<String, Option<f64>>)]
    pub values: BTreeMap<&'a str, Option<f64>>,
}

/// The table as CSV: `GEOID` then every column in upload order; numbers in their shortest
/// exact form, so uploading the download again stores the same values.
pub fn assessment_csv(a: &Assessment, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut csv = Csv::with_header(
        std::iter::once("GEOID").chain(a.table.columns.iter().map(String::as_str)),
    );
    for r in &a.table.rows {
        csv.text(r.geoid.as_str());
        for v in &r.values {
            csv.opt_number(*v);
        }
        csv.end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}

/// The whole directory in the flat CSV format (`crate::ingest::flat_csv`), which imports
/// again to the same sites and partners.
pub fn sites_flat_csv(atlas: &Atlas, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut csv = Csv::with_header(FLAT_CSV_COLUMNS);
    for s in atlas.sites.iter() {
        let p = atlas.partners.get(&s.partner_id);
        let services: Vec<&str> = s.services.iter().map(|x| x.code.as_str()).collect();
        let capacity: Vec<String> = s
            .services
            .iter()
            .filter_map(|x| x.capacity.map(|c| format!("{}={c}", x.code)))
            .collect();
        let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
        csv.text(&s.id)
            .text(&s.name)
            .text(&text(p.map(|p| p.name.as_str())))
            .text(&s.partner_id)
            .text(&text(p.and_then(|p| p.kind.as_deref())))
            .number(s.location.lat())
            .number(s.location.lon())
            .text(&services.join(";"))
            .text(&capacity.join(";"))
            .text(&s.languages.join(";"))
            .text(&text(s.hours.as_ref().map(|h| h.as_str())))
            .text(&text(s.address.as_deref()))
            .text(&text(
                p.and_then(|p| p.partnership_level).map(|l| l.as_str()),
            ))
            .text(&text(
                p.and_then(|p| p.partnership_stage).map(|l| l.as_str()),
            ))
            .text(&text(p.and_then(|p| p.agreement_start.as_deref())))
            .text(&text(p.and_then(|p| p.agreement_end.as_deref())))
            .text(&text(p.and_then(|p| p.notes.as_deref())))
            .text(&text(p.and_then(|p| p.contact.name.as_deref())))
            .text(&text(p.and_then(|p| p.contact.email.as_deref())))
            .text(&text(p.and_then(|p| p.contact.phone.as_deref())))
            .text(&p.map(|p| p.needs.join(";")).unwrap_or_default());
        for q in ReadinessQuestion::ALL {
            let a = p.and_then(|p| p.readiness.get(q));
            csv.text(&text(a.map(|a| a.text.as_str())))
                .text(&text(a.map(|a| a.date.as_str())));
        }
        csv.end_row();
        csv.spill(w)?;
    }
    csv.finish_into(w)
}

/// One partner as `partners_json` lists it, with its sites as GeoJSON points:
/// `{partner: {…, sites, services}, sites: FeatureCollection}`.
pub fn partner_json<'a>(atlas: &'a Atlas, partner: &'a Partner) -> PartnerDetail<'a> {
    let sites: Vec<&crate::domain::Site> = atlas
        .sites
        .iter()
        .filter(|s| s.partner_id == partner.id)
        .collect();
    let mut services: Vec<&str> = Vec::new();
    for svc in sites.iter().flat_map(|s| &s.services) {
        if !services.contains(&svc.code.as_str()) {
            services.push(&svc.code);
        }
    }
    services.sort_unstable();
    PartnerDetail {
        partner: PartnerEntry {
            partner,
            sites: sites.len(),
            services,
        },
        sites: super::geojson::sites_geojson(atlas, sites.into_iter()),
    }
}

/// One partner with its sites (`GET /api/v1/partners/{id}`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PartnerDetail<'a> {
    /// The partner as the list shows it.
    pub partner: PartnerEntry<'a>,
    /// Its sites as GeoJSON points, as `GET /api/v1/sites` gives them.
    #[schema(value_type = super::geojson::FeatureCollection)]
    pub sites: serde_json::Value,
}

/// `{partners: [...]}`: every partner with its number of sites and their services.
pub fn partners_json(atlas: &Atlas) -> PartnerList<'_> {
    let mut sites: HashMap<&str, (usize, Vec<&str>)> = HashMap::new();
    for s in atlas.sites.iter() {
        let e = sites.entry(s.partner_id.as_str()).or_default();
        e.0 += 1;
        for svc in &s.services {
            if !e.1.contains(&svc.code.as_str()) {
                e.1.push(&svc.code);
            }
        }
    }
    let partners = atlas
        .partners
        .values()
        .map(|partner| {
            let (sites, mut services) = sites.remove(partner.id.as_str()).unwrap_or_default();
            services.sort_unstable();
            PartnerEntry {
                partner,
                sites,
                services,
            }
        })
        .collect();
    PartnerList { partners }
}

/// The directory's partners (`GET /api/v1/partners`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PartnerList<'a> {
    /// Every partner, by id.
    pub partners: Vec<PartnerEntry<'a>>,
}

/// A partner with how many sites it has and what they offer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PartnerEntry<'a> {
    /// The partner's own fields.
    #[serde(flatten)]
    #[schema(value_type = Partner)]
    pub partner: &'a Partner,
    /// Number of its sites.
    pub sites: usize,
    /// The service codes its sites offer, sorted.
    #[schema(value_type = Vec<String>)]
    pub services: Vec<&'a str>,
}
