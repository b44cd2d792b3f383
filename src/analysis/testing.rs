//! Tiny Atlases for the unit tests of the analyses: square areas on the equator, where
//! 0.01° of longitude is 1.112 km.

use crate::atlas::Atlas;
use crate::atlas::Snapshot;
use crate::domain::{
    Area, Assessment, Catalog, DemandPointSource, Geography, Geoid, IndicatorRow, IndicatorTable,
    LonLat, Site, SiteService,
};
use geo::{MultiPolygon, Rect};
use std::sync::Arc;

/// Areas `ids[k]` as squares 0.01° wide side by side from lon 0, demand points at their
/// centres (lon 0.005 + 0.01·k, lat 0).
pub fn squares(name: &str, ids: &[&str]) -> Geography {
    let areas = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let x0 = 0.01 * k as f64;
            Area {
                geoid: Geoid::parse(id).unwrap(),
                name: format!("Area {id}"),
                geometry: MultiPolygon::new(vec![
                    Rect::new((x0, -0.005), (x0 + 0.01, 0.005)).to_polygon(),
                ]),
                demand_point: LonLat::new(x0 + 0.005, 0.0).unwrap(),
                demand_point_source: DemandPointSource::Centroid,
            }
        })
        .collect();
    Geography {
        name: name.into(),
        areas,
    }
}

/// An assessment of `year` on `geography` with `columns` and rows `(geoid, values)`.
pub fn assessment(
    year: i32,
    geography: &str,
    columns: &[&str],
    rows: &[(&str, &[Option<f64>])],
) -> Assessment {
    Assessment {
        year,
        version: 1,
        geography: geography.into(),
        table: IndicatorTable {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|(g, v)| IndicatorRow {
                    geoid: Geoid::parse(g).unwrap(),
                    values: v.to_vec(),
                })
                .collect(),
        },
        warnings: Vec::new(),
    }
}

/// A site at (lon, 0) offering `code` with a capacity.
pub fn site(id: &str, lon: f64, code: &str, capacity: Option<f64>) -> Site {
    Site {
        id: id.into(),
        partner_id: format!("p-{id}"),
        name: format!("Site {id}"),
        location: LonLat::new(lon, 0.0).unwrap(),
        address: None,
        services: vec![SiteService {
            code: code.into(),
            capacity,
        }],
        languages: vec![],
        hours: None,
    }
}

/// The Atlas of these data, with the bundled needs.
pub fn atlas(geographies: Vec<Geography>, assessments: Vec<Assessment>, sites: Vec<Site>) -> Atlas {
    Atlas::build(
        Snapshot {
            data_version: 1,
            geographies,
            assessments,
            partners: vec![],
            sites,
            records: vec![],
        },
        Arc::new(Catalog::bundled()),
    )
}
