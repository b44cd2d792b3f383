//! The flat partner CSV for spreadsheet users: one row per site.
//!
//! Columns (any order; `id`, `name`, `lat`, `lon` and `services` are required):
//! `id,name,partner,lat,lon,services,capacity,languages,hours,address,partnership_level,
//! partnership_stage,agreement_start,agreement_end,notes` (plus optional `partner_id`,
//! `kind`). `services` and `languages` are `;`-separated; `capacity` is a number for every
//! listed service or `code=number;code=number`.

use super::directory::{self, FieldNames, SiteRecord};
use super::geojson_doc::check_lonlat;
use super::{InputFile, Problems, Table, TableLimits};
use crate::domain::{Catalog, LonLat, PartnerDirectory};
use crate::error::{Code, Error, Problem, Result};

/// Every column the flat CSV knows.
pub const COLUMNS: [&str; 17] = [
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
];
const REQUIRED: [&str; 5] = ["id", "name", "lat", "lon", "services"];

/// True when a CSV header looks like the flat format.
pub fn is_flat_header(headers: &[String]) -> bool {
    REQUIRED
        .iter()
        .all(|r| headers.iter().any(|h| h.eq_ignore_ascii_case(r)))
}

/// Reads the flat CSV.
pub fn read(file: &InputFile, catalog: &Catalog, limits: &TableLimits) -> Result<PartnerDirectory> {
    let t = Table::read(file, limits)?;
    read_table(&t, catalog)
}

/// Reads an already parsed table in the flat format.
pub fn read_table(t: &Table, catalog: &Catalog) -> Result<PartnerDirectory> {
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
    for r in REQUIRED {
        if t.column_any(&[r]).is_none() {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::at(file, 1, r, format!("the required column '{r}' is missing")),
            ));
        }
    }
    if t.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(file, "the file has a header but no rows"),
        ));
    }
    let col = |name: &str| t.column_any(&[name]);
    let get = |name: &str, r: usize| col(name).and_then(|c| t.cell(c, r)).map(str::to_owned);
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| {
            s.split(';')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
    };
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(t.len());
    for r in 0..t.len() {
        let row = Table::row_number(r);
        let location = match (get("lon", r), get("lat", r)) {
            (Some(lon), Some(lat)) => match (lon.parse::<f64>(), lat.parse::<f64>()) {
                (Ok(x), Ok(y)) => match check_lonlat(x, y) {
                    Ok(()) => LonLat::new(x, y).ok(),
                    Err(m) => {
                        problems.push(Code::InvalidCoordinates, Problem::at(file, row, "lat", m));
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
        };
        let mut capacity = Vec::new();
        if let Some(cap) = get("capacity", r) {
            if let Ok(x) = cap.parse::<f64>() {
                capacity.push((None, x));
            } else {
                for part in cap.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                    match part.split_once('=').map(|(k, v)| (k.trim(), v.trim().parse::<f64>())) {
                        Some((k, Ok(x))) => capacity.push((Some(k.to_owned()), x)),
                        _ => problems.push(
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
            }
        }
        records.push(SiteRecord {
            row,
            id: get("id", r),
            name: get("name", r),
            partner_id: get("partner_id", r),
            partner: get("partner", r),
            location,
            services: split(get("services", r)),
            capacity,
            languages: split(get("languages", r)),
            hours: get("hours", r),
            address: get("address", r),
            kind: get("kind", r),
            partnership_level: get("partnership_level", r),
            partnership_stage: get("partnership_stage", r),
            agreement_start: get("agreement_start", r),
            agreement_end: get("agreement_end", r),
            notes: get("notes", r),
        });
    }
    let dir = directory::build(records, catalog, file, FieldNames::PLAIN, &mut problems);
    problems.into_result(file)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<PartnerDirectory> {
        read(
            &InputFile::new("partners.csv", s),
            &Catalog::bundled(),
            &TableLimits::default(),
        )
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
