//! The flat partner CSV for spreadsheet users: one row per site.
//!
//! Columns (any order): `id,name,partner,partner_id,kind,lat,lon,services,capacity,
//! languages,hours,address,partnership_level,partnership_stage,agreement_start,
//! agreement_end,notes,contact_name,contact_email,contact_phone,needs`, and per readiness
//! question `readiness_<code>` with `readiness_<code>_date`. Only `id` is
//! always required; a site not yet stored needs `name`, `lat`, `lon` and `services`. A
//! column the file does not have leaves that field as stored; an empty cell clears it.
//! `services`, `languages` and `needs` are `;`-separated; `capacity` is a number for every
//! listed service or `code=number;code=number` (`code=` clears one service's capacity).

use super::directory::{self, FieldNames, SiteRecord};
use super::geojson_doc::check_lonlat;
use super::{InputFile, Problems, Table, TableLimits};
use crate::domain::partner_edit::Capacity;
use crate::domain::{Catalog, DirectoryEdit, Edit, LonLat, ReadinessQuestion};
use crate::error::{Code, Error, Problem, Result};

/// Every column the flat CSV knows.
pub const COLUMNS: [&str; 29] = [
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

/// The columns a file of new sites has: what the header of a flat CSV is recognised by.
const NEW_SITE: [&str; 5] = ["id", "name", "lat", "lon", "services"];

/// True when a CSV header has the columns of new sites in the flat format.
pub fn is_new_sites_header(headers: &[String]) -> bool {
    NEW_SITE
        .iter()
        .all(|c| headers.iter().any(|h| h.eq_ignore_ascii_case(c)))
}

/// True when a CSV header looks like the flat format: the columns of new sites, or an
/// `id` with only columns of the flat format (an edit of stored sites).
pub fn is_flat_header(headers: &[String]) -> bool {
    is_new_sites_header(headers)
        || (headers.iter().any(|h| h.eq_ignore_ascii_case("id"))
            && headers
                .iter()
                .all(|h| COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h))))
}

/// Reads the flat CSV.
pub fn read(file: &InputFile, catalog: &Catalog, limits: &TableLimits) -> Result<DirectoryEdit> {
    let t = Table::read(file, limits)?;
    read_table(&t, catalog)
}

/// Reads an already parsed table in the flat format.
pub fn read_table(t: &Table, catalog: &Catalog) -> Result<DirectoryEdit> {
    let file = t.file.as_str();
    for h in &t.headers {
        if !COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h)) {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    file,
                    1,
                    h,
                    format!(
                        "unknown column '{h}'; the flat format has: {}",
                        COLUMNS.join(", ")
                    ),
                ),
            ));
        }
    }
    if t.column_any(&["id"]).is_none() {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::at(file, 1, "id", "the required column 'id' is missing"),
        ));
    }
    // Coordinates come as a pair.
    match (t.column_any(&["lat"]), t.column_any(&["lon"])) {
        (Some(_), None) | (None, Some(_)) => {
            let missing = if t.column_any(&["lat"]).is_none() {
                "lat"
            } else {
                "lon"
            };
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(
                    file,
                    1,
                    missing,
                    format!("the column '{missing}' is missing: lat and lon come together"),
                ),
            ));
        }
        _ => {}
    }
    if t.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(file, "the file has a header but no rows"),
        ));
    }
    let col = |name: &str| t.column_any(&[name]);
    let get = |name: &str, r: usize| col(name).and_then(|c| t.cell(c, r)).map(str::to_owned);
    // A column the file has: its cell set or (empty) cleared; a column it lacks: kept.
    let edit = |name: &str, r: usize| match col(name) {
        None => Edit::Keep,
        Some(c) => Edit::stated(t.cell(c, r).map(str::to_owned)),
    };
    let split = |s: &str| -> Vec<String> {
        s.split(';')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect()
    };
    let list = |name: &str, r: usize| match edit(name, r) {
        Edit::Set(s) => Edit::stated(Some(split(&s)).filter(|l| !l.is_empty())),
        Edit::Clear => Edit::Clear,
        Edit::Keep => Edit::Keep,
    };
    let has_location = col("lat").is_some();
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(t.len());
    for r in 0..t.len() {
        let row = Table::row_number(r);
        let location = if !has_location {
            None
        } else {
            match (get("lon", r), get("lat", r)) {
                (Some(lon), Some(lat)) => match (lon.parse::<f64>(), lat.parse::<f64>()) {
                    (Ok(x), Ok(y)) => match check_lonlat(x, y) {
                        Ok(()) => LonLat::new(x, y).ok(),
                        Err(m) => {
                            problems
                                .push(Code::InvalidCoordinates, Problem::at(file, row, "lat", m));
                            None
                        }
                    },
                    (Err(_), _) => {
                        problems.push(
                            Code::InvalidFile,
                            Problem::at(file, row, "lon", format!("'{lon}' is not a number")),
                        );
                        None
                    }
                    (_, Err(_)) => {
                        problems.push(
                            Code::InvalidFile,
                            Problem::at(file, row, "lat", format!("'{lat}' is not a number")),
                        );
                        None
                    }
                },
                (None, _) => {
                    problems.push(
                        Code::InvalidCoordinates,
                        Problem::at(file, row, "lon", "the longitude is empty"),
                    );
                    None
                }
                (_, None) => {
                    problems.push(
                        Code::InvalidCoordinates,
                        Problem::at(file, row, "lat", "the latitude is empty"),
                    );
                    None
                }
            }
        };
        let capacity = match edit("capacity", r) {
            Edit::Set(cap) => match cap.parse::<f64>() {
                Ok(x) => Edit::Set(Capacity::Every(x)),
                Err(_) => {
                    let mut each = Vec::new();
                    for part in cap.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                        let parsed = part.split_once('=').and_then(|(k, v)| {
                            let (k, v) = (k.trim(), v.trim());
                            match v {
                                "" => Some((k.to_owned(), None)),
                                v => v.parse::<f64>().ok().map(|x| (k.to_owned(), Some(x))),
                            }
                        });
                        match parsed {
                            Some(pair) => each.push(pair),
                            None => problems.push(
                                Code::InvalidFile,
                                Problem::at(
                                    file,
                                    row,
                                    "capacity",
                                    format!("'{cap}' is not a capacity: write a number, or code=number;code=number"),
                                ),
                            ),
                        }
                    }
                    Edit::Set(Capacity::Each(each))
                }
            },
            Edit::Clear => Edit::Clear,
            Edit::Keep => Edit::Keep,
        };
        records.push(SiteRecord {
            row,
            id: get("id", r),
            // A name column with an empty cell says "no name", which a site cannot have.
            name: col("name").map(|c| t.cell(c, r).unwrap_or_default().to_owned()),
            partner_id: get("partner_id", r),
            partner: get("partner", r),
            location,
            services: col("services").map(|c| t.cell(c, r).map(split).unwrap_or_default()),
            capacity,
            languages: list("languages", r),
            hours: edit("hours", r),
            address: edit("address", r),
            kind: edit("kind", r),
            partnership_level: edit("partnership_level", r),
            partnership_stage: edit("partnership_stage", r),
            agreement_start: edit("agreement_start", r),
            agreement_end: edit("agreement_end", r),
            notes: edit("notes", r),
            contact_name: edit("contact_name", r),
            contact_email: edit("contact_email", r),
            contact_phone: edit("contact_phone", r),
            needs: list("needs", r),
            readiness: ReadinessQuestion::ALL.map(|q| {
                let text = format!("readiness_{}", q.code());
                (edit(&text, r), get(&format!("{text}_date"), r))
            }),
        });
    }
    let dir = directory::build(records, catalog, file, FieldNames::PLAIN, &mut problems);
    problems.into_result(file)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<crate::domain::PartnerDirectory> {
        read(
            &InputFile::new("partners.csv", s),
            &Catalog::bundled(),
            &TableLimits::default(),
        )
        .map(|e| e.on_empty().unwrap())
    }

    #[test]
    fn absent_columns_keep_and_empty_cells_clear() {
        let e = read(
            &InputFile::new(
                "p.csv",
                "id,partnership_stage,languages,capacity\nymca-1,taking_action,,childcare=;food=5\n",
            ),
            &Catalog::bundled(),
            &TableLimits::default(),
        )
        .unwrap();
        let s = &e.sites[0];
        assert_eq!(s.name, None);
        assert_eq!(s.location, None);
        assert_eq!(s.services, None);
        assert_eq!(s.hours, Edit::Keep);
        assert_eq!(s.partner.kind, Edit::Keep);
        assert_eq!(s.languages, Edit::Clear);
        assert_eq!(
            s.partner.partnership_stage,
            Edit::Set(crate::domain::PartnershipStage::TakingAction)
        );
        assert_eq!(
            s.capacity,
            Edit::Set(Capacity::Each(vec![
                ("childcare".into(), None),
                ("food".into(), Some(5.0))
            ]))
        );
    }

    #[test]
    fn contacts_and_needs_are_checked() {
        let e = read_str(
            "id,name,lat,lon,services,contact_email,contact_phone,needs\n\
             a,A,41.8,-87.6,childcare,ana@ymca.org,312-555-0100,childcare;transportation\n\
             b,B,41.8,-87.6,childcare,ana at ymca,call me,astrology\n",
        )
        .unwrap_err();
        let fields: Vec<_> = e
            .details()
            .iter()
            .map(|p| (p.row, p.field.as_deref()))
            .collect();
        assert_eq!(
            fields,
            [
                (Some(3), Some("contact_email")),
                (Some(3), Some("contact_phone")),
                (Some(3), Some("needs"))
            ]
        );
    }

    #[test]
    fn the_readme_example_is_read() {
        let d = read_str(
            "id,name,partner,lat,lon,services,capacity,languages,hours,partnership_level,partnership_stage,agreement_start\n\
             ymca-1,YMCA Kids Center,YMCA of Chicago,41.88,-87.63,childcare;parenting,childcare=60,en;es,Mo-Fr 06:30-18:00,collaboration,taking_action,2024-08-01\n",
        )
        .unwrap();
        assert_eq!(d.sites.len(), 1);
        assert_eq!(d.sites[0].services[0].capacity, Some(60.0));
        assert_eq!(d.sites[0].services[1].capacity, None);
        assert_eq!(d.partners[0].id, "ymca-of-chicago");
        assert_eq!(d.partners[0].agreement_start.as_deref(), Some("2024-08-01"));
    }

    #[test]
    fn problems_name_row_and_column() {
        let e = read_str("id,name,lat,lon,services,capacity\na,A,41.8,-87.6,childcare,lots\nb,B,100,101,childcare,\n")
            .unwrap_err();
        let rows: Vec<_> = e
            .details()
            .iter()
            .map(|p| (p.row, p.field.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (Some(2), Some("capacity".into())),
                (Some(3), Some("lat".into()))
            ]
        );
    }

    #[test]
    fn an_unknown_column_is_refused() {
        let e = read_str("id,name,lat,lon,services,colour\n").unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("colour"));
    }
}
