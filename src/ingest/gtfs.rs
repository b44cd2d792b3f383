//! GTFS `stops.txt`: each stop (location_type 0 or empty) and each station (1) becomes a
//! site offering `transit`; entrances, generic nodes and boarding areas are skipped since
//! their station is already counted.

use super::geojson_doc::check_lonlat;
use super::{InputFile, Problems, Table, TableLimits};
use crate::domain::{LonLat, Partner, PartnerDirectory, Site, SiteService};
use crate::error::{Code, Error, Problem, Result};

/// Reads stops; `feed` names the transit agency's partner and prefixes site ids.
pub fn read(file: &InputFile, feed: &str, limits: &TableLimits) -> Result<PartnerDirectory> {
    let t = Table::read(file, limits)?;
    let need = |name: &str| {
        t.column(name).ok_or_else(|| {
            Error::problem(
                Code::InvalidFile,
                Problem::at(
                    &file.name,
                    1,
                    name,
                    format!("stops.txt needs a '{name}' column"),
                ),
            )
        })
    };
    let (id_c, lat_c, lon_c) = (need("stop_id")?, need("stop_lat")?, need("stop_lon")?);
    let name_c = t.column("stop_name");
    let type_c = t.column("location_type");
    let mut problems = Problems::default();
    let mut sites = Vec::with_capacity(t.len());
    let mut seen = std::collections::HashMap::new();
    let partner_id = format!("transit-{feed}");
    for r in 0..t.len() {
        let row = Table::row_number(r);
        let kind = type_c.and_then(|c| t.cell(c, r)).unwrap_or("0");
        if !matches!(kind, "0" | "1") {
            continue;
        }
        let Some(stop_id) = t.cell(id_c, r) else {
            problems.push(
                Code::InvalidFile,
                Problem::at(&file.name, row, "stop_id", "the stop_id is empty"),
            );
            continue;
        };
        if let Some(first) = seen.insert(stop_id.to_owned(), row) {
            problems.push(
                Code::DuplicateId,
                Problem::at(
                    &file.name,
                    row,
                    "stop_id",
                    format!("stop_id '{stop_id}' is already on row {first}"),
                ),
            );
            continue;
        }
        let num = |c: usize, field: &str, problems: &mut Problems| match t
            .cell(c, r)
            .map(str::parse::<f64>)
        {
            Some(Ok(x)) => Some(x),
            _ => {
                problems.push(
                    Code::InvalidCoordinates,
                    Problem::at(
                        &file.name,
                        row,
                        field,
                        format!("{field} is missing or not a number"),
                    ),
                );
                None
            }
        };
        let (Some(lat), Some(lon)) = (
            num(lat_c, "stop_lat", &mut problems),
            num(lon_c, "stop_lon", &mut problems),
        ) else {
            continue;
        };
        let location = match check_lonlat(lon, lat)
            .and_then(|()| LonLat::new(lon, lat).map_err(|e| e.to_string()))
        {
            Ok(p) => p,
            Err(m) => {
                problems.push(
                    Code::InvalidCoordinates,
                    Problem::at(&file.name, row, "stop_lat", m),
                );
                continue;
            }
        };
        sites.push(Site {
            id: format!("{feed}:{stop_id}"),
            partner_id: partner_id.clone(),
            name: name_c
                .and_then(|c| t.cell(c, r))
                .unwrap_or(stop_id)
                .to_owned(),
            location,
            address: None,
            services: vec![SiteService {
                code: "transit".into(),
                capacity: None,
            }],
            languages: Vec::new(),
            hours: None,
        });
    }
    problems.into_result(&file.name)?;
    if sites.is_empty() {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(
                &file.name,
                "the file has no stops or stations (location_type 0 or 1)",
            ),
        ));
    }
    Ok(PartnerDirectory {
        partners: vec![Partner {
            kind: Some("transit agency".into()),
            ..Partner::named(partner_id, format!("Transit stops ({feed})"))
        }],
        sites,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_and_stations_become_transit_sites() {
        let f = InputFile::new(
            "stops.txt",
            "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\r\n1,A,41.87,-87.77,0,\r\n40010,Station,41.88,-87.63,1,\r\n9001,Entrance,41.88,-87.63,2,40010",
        );
        let d = read(&f, "cta", &TableLimits::default()).unwrap();
        assert_eq!(d.sites.len(), 2);
        assert_eq!(d.sites[0].id, "cta:1");
        assert_eq!(d.partners[0].id, "transit-cta");
    }

    #[test]
    fn a_stop_without_latitude_names_its_row() {
        let f = InputFile::new("stops.txt", "stop_id,stop_lat,stop_lon\n1,,-87.7\n");
        let e = read(&f, "x", &TableLimits::default()).unwrap_err();
        assert_eq!(e.details()[0].row, Some(2));
        assert_eq!(e.details()[0].field.as_deref(), Some("stop_lat"));
    }
}
