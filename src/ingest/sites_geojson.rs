//! Partner sites from GeoJSON Point features with properties `id`, `name`, `partner`,
//! `services` (array), `capacity` (object service -> number), `languages` (array) and
//! optionally `hours`, `address`, `kind`, `partner_id`, `partnership_level`,
//! `partnership_stage`, `agreement_start`, `agreement_end`, `notes`, `contact_name`,
//! `contact_email`, `contact_phone`, `needs` (array). A property a feature does not have
//! leaves that field as stored; `null` or `""` clears it.

use super::directory::{self, FieldNames, SiteRecord};
use super::geojson_doc::{self, property_text};
use super::{InputFile, Problems};
use crate::domain::partner_edit::Capacity;
use crate::domain::{Catalog, DirectoryEdit, Edit, LonLat, ReadinessQuestion};
use crate::error::{Code, Problem, Result};
use serde_json::Value;

/// Reads a partner directory from GeoJSON points.
pub fn read(file: &InputFile, catalog: &Catalog) -> Result<DirectoryEdit> {
    let mut problems = Problems::default();
    let mut records = Vec::new();
    // Each feature becomes a site record (or problems) as the file streams in.
    geojson_doc::for_each_feature(file, |f| {
        let p = f.properties;
        let at = |field: &str, msg: String| Problem::at(&file.name, f.number, field, msg);
        let location = match f.geometry {
            None => {
                problems.push(
                    Code::InvalidGeometry,
                    at("geometry", "the site has no geometry".into()),
                );
                None
            }
            Some(g) if g.get("type").and_then(Value::as_str) != Some("Point") => {
                let kind = g.get("type").and_then(Value::as_str).unwrap_or("(none)");
                problems.push(
                    Code::InvalidGeometry,
                    at(
                        "geometry",
                        format!("a site must be a Point, this one is a {kind}"),
                    ),
                );
                None
            }
            Some(g) => match g.get("coordinates").map(geojson_doc::position) {
                Some(Ok((lon, lat))) => LonLat::new(lon, lat).ok(),
                Some(Err(m)) => {
                    problems.push(Code::InvalidCoordinates, at("geometry", m));
                    None
                }
                None => {
                    problems.push(
                        Code::InvalidGeometry,
                        at("geometry", "the Point has no coordinates".into()),
                    );
                    None
                }
            },
        };
        let list = |key: &str, problems: &mut Problems| -> Edit<Vec<String>> {
            match p.get(key) {
                None => Edit::Keep,
                Some(Value::Null) => Edit::Clear,
                Some(Value::Array(items)) => Edit::Set(
                    items
                        .iter()
                        .filter_map(|v| match v {
                            Value::String(s) => Some(s.clone()),
                            _ => {
                                problems.push(
                                    Code::InvalidFile,
                                    at(key, format!("'{key}' must be an array of strings")),
                                );
                                None
                            }
                        })
                        .collect(),
                ),
                Some(Value::String(s)) => Edit::Set(
                    s.split(';')
                        .map(|x| x.trim().to_owned())
                        .filter(|x| !x.is_empty())
                        .collect(),
                ),
                Some(_) => {
                    problems.push(
                        Code::InvalidFile,
                        at(key, format!("'{key}' must be an array of strings")),
                    );
                    Edit::Keep
                }
            }
        };
        // A property the feature has: set, or cleared when null or blank.
        let text = |key: &str| match p.get(key) {
            None => Edit::Keep,
            Some(_) => Edit::stated(property_text(p, key)),
        };
        let services = match list("services", &mut problems) {
            Edit::Keep => None,
            Edit::Clear => Some(Vec::new()),
            Edit::Set(v) => Some(v),
        };
        let languages = list("languages", &mut problems);
        let needs = list("needs", &mut problems);
        let capacity = match p.get("capacity") {
            None => Edit::Keep,
            Some(Value::Null) => Edit::Clear,
            Some(Value::Number(n)) => Edit::Set(Capacity::Every(n.as_f64().unwrap_or(f64::NAN))),
            Some(Value::Object(m)) => Edit::Set(Capacity::Each(
                m.iter()
                    .filter_map(|(k, v)| match v.as_f64() {
                        Some(x) => Some((k.clone(), Some(x))),
                        None if v.is_null() => Some((k.clone(), None)),
                        None => {
                            problems.push(
                                Code::InvalidFile,
                                at("capacity", format!("capacity for '{k}' is not a number")),
                            );
                            None
                        }
                    })
                    .collect(),
            )),
            Some(_) => {
                problems.push(
                    Code::InvalidFile,
                    at(
                        "capacity",
                        "capacity must be an object such as {\"childcare\": 40}".into(),
                    ),
                );
                Edit::Keep
            }
        };
        let id = property_text(p, "id").or_else(|| match f.id {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        });
        // `readiness: {need_for_change: {text, date} | null, …}`
        let mut readiness: [(Edit<String>, Option<String>); 4] = Default::default();
        match p.get("readiness") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for q in ReadinessQuestion::ALL {
                    readiness[q.index()] = match m.get(q.code()) {
                        None => (Edit::Keep, None),
                        Some(Value::Null) => (Edit::Clear, None),
                        Some(Value::Object(a)) => (
                            Edit::stated(property_text(a, "text")),
                            property_text(a, "date"),
                        ),
                        Some(_) => {
                            problems.push(
                                Code::InvalidFile,
                                at(
                                    "readiness",
                                    format!("readiness.{} must be {{\"text\", \"date\"}} or null", q.code()),
                                ),
                            );
                            (Edit::Keep, None)
                        }
                    };
                }
            }
            Some(_) => problems.push(
                Code::InvalidFile,
                at(
                    "readiness",
                    "readiness must be an object such as {\"ideas\": {\"text\": \"…\", \"date\": \"2025-01-10\"}}".into(),
                ),
            ),
        }
        records.push(SiteRecord {
            row: f.number,
            id,
            name: p
                .get("name")
                .map(|_| property_text(p, "name").unwrap_or_default()),
            partner_id: property_text(p, "partner_id"),
            partner: property_text(p, "partner"),
            location,
            services,
            capacity,
            languages,
            hours: text("hours"),
            address: text("address"),
            kind: text("kind"),
            partnership_level: text("partnership_level"),
            partnership_stage: text("partnership_stage"),
            agreement_start: text("agreement_start"),
            agreement_end: text("agreement_end"),
            notes: text("notes"),
            contact_name: text("contact_name"),
            contact_email: text("contact_email"),
            contact_phone: text("contact_phone"),
            needs,
            readiness,
        });
    })?;
    let dir = directory::build(
        records,
        catalog,
        &file.name,
        FieldNames::PLAIN,
        &mut problems,
    );
    problems.into_result(&file.name)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<crate::domain::PartnerDirectory> {
        read(&InputFile::new("sites.geojson", s), &Catalog::bundled())
            .map(|e| e.on_empty().unwrap())
    }

    #[test]
    fn missing_properties_keep_and_null_clears() {
        let e = read(
            &InputFile::new(
                "sites.geojson",
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-87.6,41.8]},
                "properties":{"id":"s1","partnership_stage":"taking_action","hours":null,"languages":[]}}]}"#,
            ),
            &Catalog::bundled(),
        )
        .unwrap();
        let s = &e.sites[0];
        assert_eq!((s.name.as_deref(), s.services.as_ref()), (None, None));
        assert_eq!(s.capacity, Edit::Keep);
        assert_eq!(s.partner.kind, Edit::Keep);
        assert_eq!(s.hours, Edit::Clear);
        assert_eq!(s.languages, Edit::Clear);
    }

    #[test]
    fn a_site_with_capacity_and_languages_is_read() {
        let d = read_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-87.6,41.8]},
            "properties":{"id":"s1","name":"Little Stars","partner":"Little Stars Inc","services":["childcare","Head Start"],
            "capacity":{"childcare":40},"languages":["en","ES"],"hours":"Mo-Fr 06:30-18:30","partnership_level":"cooperation"}}]}"#,
        )
        .unwrap();
        let s = &d.sites[0];
        assert_eq!(s.partner_id, "little-stars-inc");
        assert_eq!(s.services[0].capacity, Some(40.0));
        assert_eq!(s.services[1].code, "early_education");
        assert_eq!(s.services[1].capacity, None);
        assert_eq!(s.languages, ["en", "es"]);
        assert!(d.partners[0].partnership_level.is_some());
    }

    #[test]
    fn swapped_coordinates_and_unknown_services_name_the_feature() {
        let e = read_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[41.8,-87.6]},
            "properties":{"id":"s1","name":"A","services":["childcare"]}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-87.6,41.8]},"properties":{"id":"s2","name":"B","services":["astrology"]}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.details().len(), 2);
        assert!(e.details()[0].message.contains("swapped"));
        assert_eq!(e.details()[1].row, Some(2));
        assert_eq!(e.details()[1].field.as_deref(), Some("services"));
    }
}
