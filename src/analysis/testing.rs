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
            travel: Vec::new(),
            needs: Vec::new(),
        },
        Arc::new(Catalog::bundled()),
    )
}

/// The opportunities fixture (child care, 2024), on six squares A0–A5 (demand points at
/// lon 0.005 + 0.01·k; 0.02° = 2.224 km is within the 3 km radius, 0.03° = 3.336 km not):
///
/// - demand: A0 300, A2 60, A5 90 children, the others 0;
/// - supply: `cc-1` at A5, 30 slots (the median capacity, so C = 30), and `cc-0` at A0
///   offering child care without a capacity (0 slots: it supplies the need, so it is no
///   candidate, and adds nothing);
/// - deserts: A0 (300 children, no slot) and A2 (60, none); A5 has 90 / 30 = 3, not above 3;
/// - shortfall (target 1/3): A0 100 and A2 20 (cc-1 reaches neither), A5 0 (A = 30/90).
///
/// Candidates and gains, Σ min(shortfall_i, P_i·30/D):
/// - `lib-1` at A0 reaches A0–A2: D = 360, 25 + 5 = **30** (within reach: 120 short);
/// - `lib-2` at A2 reaches A0–A4: the same 30, the same 120: after lib-1 by id;
/// - `clinic-1` at A3 reaches A1–A5: D = 60 + 90 = 150, A2 covers min(20, 12) = **12**;
/// - `school-1` at A4 reaches A2–A5: the same 12: after clinic-1 by id.
///
/// Not candidates: `coop-1` at A0 (its partner is at cooperation), `far-1` at A5 (no desert
/// within reach), `stop-1` at A0 (a transit stop).
pub fn opportunity_atlas() -> Atlas {
    use crate::domain::{Partner, PartnershipLevel};
    let ids = [
        "01000000000",
        "01000000001",
        "01000000002",
        "01000000003",
        "01000000004",
        "01000000005",
    ];
    let z = Some(0.0);
    let year = assessment(
        2024,
        "g",
        &["children_under_5"],
        &[
            (ids[0], &[Some(300.0)]),
            (ids[1], &[z]),
            (ids[2], &[Some(60.0)]),
            (ids[3], &[z]),
            (ids[4], &[z]),
            (ids[5], &[Some(90.0)]),
        ],
    );
    let at = |k: usize| 0.005 + 0.01 * k as f64;
    let sites = vec![
        site("cc-0", at(0), "childcare", None),
        site("cc-1", at(5), "childcare", Some(30.0)),
        site("clinic-1", at(3), "health", None),
        site("coop-1", at(0), "food", None),
        site("far-1", at(5), "adult_education", None),
        site("lib-1", at(0), "adult_education", None),
        site("lib-2", at(2), "language", None),
        site("school-1", at(4), "parenting", None),
        site("stop-1", at(0), "transit", None),
    ];
    let mut coop = Partner::named("p-coop-1", "Food Co-op");
    coop.partnership_level = Some(PartnershipLevel::Cooperation);
    let mut lib = Partner::named("p-lib-1", "Public Library");
    lib.kind = Some("library".into());
    Atlas::build(
        Snapshot {
            data_version: 1,
            geographies: vec![squares("g", &ids)],
            assessments: vec![year],
            partners: vec![coop, lib],
            sites,
            records: vec![],
            travel: Vec::new(),
            needs: Vec::new(),
        },
        Arc::new(Catalog::bundled()),
    )
}

/// The opportunities of [`opportunity_atlas`], best first, with their gains.
pub const OPPORTUNITY_GAINS: [(&str, f64); 4] = [
    ("lib-1", 30.0),
    ("lib-2", 30.0),
    ("clinic-1", 12.0),
    ("school-1", 12.0),
];
