//! The barriers profile: per area, the four barriers a family-partnership asset map looks
//! for, each as the status of the need that measures it.
//!
//! | barrier | need | filter |
//! |---|---|---|
//! | `childcare` | `childcare` | — |
//! | `language` (English proficiency) | `language` | — |
//! | `hours` (non-traditional work hours) | `childcare` | `hours=evening_or_weekend`: only child care open after 18:00 on some day or on Saturday or Sunday counts |
//! | `transportation` | `transportation` | — |
//!
//! Each barrier of an area is `{desert, shortfall, nearest_km}` from that need's gap row
//! (default parameters), and `count` is the number of barriers whose need is a desert
//! there. A barrier the data cannot measure (the year lacks the need's demand indicator,
//! or no child-care site records its hours) is null for every area and said so in
//! `barriers`, not counted as a desert.

use super::params::GapParams;
use super::source::Source;
use crate::domain::{Geoid, HoursFilter};
use crate::error::{Code, Result};
use serde::Serialize;
use std::collections::HashMap;

/// The barriers, in order: code, label, need, hours filter.
pub const BARRIERS: [(&str, &str, &str, Option<HoursFilter>); 4] = [
    ("childcare", "Child care", "childcare", None),
    ("language", "English proficiency", "language", None),
    (
        "hours",
        "Non-traditional work hours",
        "childcare",
        Some(HoursFilter::EveningOrWeekend),
    ),
    ("transportation", "Transportation", "transportation", None),
];

/// One barrier of one area.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BarrierStatus {
    /// Whether the need's desert rule holds there.
    pub desert: bool,
    /// The need's 2SFCA shortfall there, in its supply units.
    pub shortfall: f64,
    /// Distance to the nearest site that counts, in km (null: none).
    pub nearest_km: Option<f64>,
}

/// The four barriers of an area (null: the data cannot measure that one).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Barriers {
    pub childcare: Option<BarrierStatus>,
    pub language: Option<BarrierStatus>,
    pub hours: Option<BarrierStatus>,
    pub transportation: Option<BarrierStatus>,
}

impl Barriers {
    fn slots(&mut self) -> [&mut Option<BarrierStatus>; 4] {
        [
            &mut self.childcare,
            &mut self.language,
            &mut self.hours,
            &mut self.transportation,
        ]
    }
}

/// One area's profile.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AreaBarriers {
    pub geoid: Geoid,
    pub name: String,
    pub barriers: Barriers,
    /// How many of the measured barriers are deserts here (0 to 4).
    pub count: usize,
    /// Position of the area in its geography (not serialised).
    #[serde(skip)]
    pub area: u32,
}

/// What a barrier is and whether the data measures it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BarrierInfo {
    pub code: &'static str,
    pub label: &'static str,
    /// The need that measures it.
    pub need: &'static str,
    /// The version of that need's standard (null when the store has no such need).
    pub need_version: Option<i64>,
    /// Its hours filter, if any.
    pub hours: Option<HoursFilter>,
    /// Whether the data measures it this year.
    pub measured: bool,
    /// Why not, when it is not.
    pub reason: Option<String>,
    /// Areas where it is a desert.
    pub deserts: usize,
}

/// The answer of `/barriers`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BarrierReport {
    pub year: i32,
    pub geography: String,
    pub data_version: i64,
    /// The four barriers, in order.
    pub barriers: Vec<BarrierInfo>,
    /// Areas by their count: `areas_by_count[n]` areas have n barriers.
    pub areas_by_count: [usize; 5],
    /// One row per area, in the assessment's order.
    pub areas: Vec<AreaBarriers>,
}

/// The barriers profile of `year`. A barrier whose need cannot be measured (an unknown
/// need, an indicator the year lacks, a filter no site's data answers) is reported as not
/// measured; other errors (no such year) are the answer.
pub fn barriers(source: &dyn Source, year: i32) -> Result<BarrierReport> {
    let atlas = source.atlas();
    let assessment = super::lookup::assessment(atlas, year)?;
    let mut rows: Vec<AreaBarriers> = Vec::new();
    let mut index: HashMap<Geoid, usize> = HashMap::new();
    let mut infos = Vec::with_capacity(BARRIERS.len());
    let mut geography = assessment.geography.clone();
    for (k, (code, label, need, hours)) in BARRIERS.into_iter().enumerate() {
        let params = GapParams {
            hours,
            ..GapParams::default()
        };
        let mut info = BarrierInfo {
            code,
            label,
            need,
            need_version: atlas.catalog.need(need).map(|n| n.version),
            hours,
            measured: false,
            reason: None,
            deserts: 0,
        };
        match source.gaps(year, need, &params) {
            Ok(report) => {
                geography = report.geography.clone();
                info.measured = true;
                for a in &report.areas {
                    let i = *index.entry(a.geoid.clone()).or_insert_with(|| {
                        rows.push(AreaBarriers {
                            geoid: a.geoid.clone(),
                            name: a.name.clone(),
                            barriers: Barriers {
                                childcare: None,
                                language: None,
                                hours: None,
                                transportation: None,
                            },
                            count: 0,
                            area: a.area,
                        });
                        rows.len() - 1
                    });
                    let row = &mut rows[i];
                    *row.barriers.slots()[k] = Some(BarrierStatus {
                        desert: a.desert,
                        shortfall: a.shortfall,
                        nearest_km: a.nearest_km,
                    });
                    if a.desert {
                        row.count += 1;
                        info.deserts += 1;
                    }
                }
            }
            Err(e)
                if matches!(
                    e.code(),
                    Code::UnknownNeed | Code::UnknownIndicator | Code::FilterWithoutData
                ) =>
            {
                info.reason = Some(e.message().to_owned());
            }
            Err(e) => return Err(e),
        }
        infos.push(info);
    }
    let mut areas_by_count = [0; 5];
    for r in &rows {
        areas_by_count[r.count] += 1;
    }
    Ok(BarrierReport {
        year,
        geography,
        data_version: atlas.data_version,
        barriers: infos,
        areas_by_count,
        areas: rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::*;
    use crate::domain::Hours;

    /// Three squares A0–A2 (demand points 0.01° = 1.112 km apart):
    /// - children under 5: 100, 0, 60; limited-English persons: 200, 0, 150; households
    ///   without a car: 50, 0, 40;
    /// - child care at A2: `day` 30 slots (Mo–Fr 07–17) and `late` 10 slots (Mo–Fr 07–20);
    ///   both reach all three areas (≤ 2.224 km of 3), D = 160;
    /// - one language site 55 km away (no area has one within 3 km); no transit at all.
    ///
    /// Child care: A0 has no slot inside (100 > 50: desert); A2 has 40 (60 / 40 = 1.5: not).
    /// A = 40/160 = 1/4, shortfall A0 100·(1/3 − 1/4) = 8.33, A2 60·(1/12) = 5.
    /// Hours (only `late`): A0 desert; A2 60 / 10 = 6 > 3: desert; A = 10/160 = 1/16.
    /// Language and transportation: no site within reach, demand over the floors (100 and
    /// 25) in A0 and A2: deserts. So A0 has 4 barriers, A1 none, A2 3.
    fn fixture(hours: bool) -> crate::atlas::Atlas {
        let ids = ["01000000000", "01000000001", "01000000002"];
        let year = assessment(
            2024,
            "g",
            &["children_under_5", "lep_persons", "households_no_vehicle"],
            &[
                (ids[0], &[Some(100.0), Some(200.0), Some(50.0)]),
                (ids[1], &[Some(0.0), Some(0.0), Some(0.0)]),
                (ids[2], &[Some(60.0), Some(150.0), Some(40.0)]),
            ],
        );
        let mut day = site("day", 0.025, "childcare", Some(30.0));
        let mut late = site("late", 0.025, "childcare", Some(10.0));
        if hours {
            day.hours = Some(Hours::parse("Mo-Fr 07:00-17:00").unwrap());
            late.hours = Some(Hours::parse("Mo-Fr 07:00-20:00").unwrap());
        }
        let lang = site("lang", 0.5, "language", None);
        atlas(vec![squares("g", &ids)], vec![year], vec![day, late, lang])
    }

    #[test]
    fn each_area_counts_its_barriers() {
        let r = barriers(&fixture(true), 2024).unwrap();
        let counts: Vec<(&str, usize)> = r
            .areas
            .iter()
            .map(|a| (a.geoid.as_str(), a.count))
            .collect();
        assert_eq!(
            counts,
            [("01000000000", 4), ("01000000001", 0), ("01000000002", 3)]
        );
        assert_eq!(r.areas_by_count, [1, 0, 0, 1, 1]);
        let a2 = &r.areas[2].barriers;
        let cc = a2.childcare.as_ref().unwrap();
        assert!(!cc.desert);
        assert!((cc.shortfall - 5.0).abs() < 1e-9, "{}", cc.shortfall);
        let h = a2.hours.as_ref().unwrap();
        assert!(h.desert);
        assert!((h.shortfall - 60.0 * (1.0 / 3.0 - 1.0 / 16.0)).abs() < 1e-9);
        let a0 = &r.areas[0].barriers;
        assert!((a0.childcare.as_ref().unwrap().shortfall - 100.0 / 12.0).abs() < 1e-9);
        assert_eq!(a0.transportation.as_ref().unwrap().nearest_km, None);
        let deserts: Vec<(&str, bool, usize)> = r
            .barriers
            .iter()
            .map(|b| (b.code, b.measured, b.deserts))
            .collect();
        assert_eq!(
            deserts,
            [
                ("childcare", true, 1),
                ("language", true, 2),
                ("hours", true, 2),
                ("transportation", true, 2)
            ]
        );
    }

    #[test]
    fn a_barrier_the_data_cannot_measure_is_null_and_not_counted() {
        let r = barriers(&fixture(false), 2024).unwrap();
        let hours = &r.barriers[2];
        assert_eq!((hours.code, hours.measured), ("hours", false));
        assert!(
            hours.reason.as_deref().unwrap().contains("opening hours"),
            "{hours:?}"
        );
        assert!(r.areas.iter().all(|a| a.barriers.hours.is_none()));
        assert_eq!(r.areas[0].count, 3);
    }
}
