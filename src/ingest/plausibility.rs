//! Plausibility checks of an assessment about to be stored. None refuses the upload: each
//! finding is a [`Warning`] naming the file, row and indicator, stored with the year so the
//! data steward (and the report's caveats) can see it.
//!
//! - **Subsets**: an indicator the catalogue declares `subset_of` another (children under 5
//!   in poverty ⊆ children under 5 ⊆ total population; limited-English households ⊆
//!   households) must not exceed it in an area. Where the year lacks the declared
//!   superset, the next one up the chain that it has is used.
//! - **Maxima**: a value above the indicator's stated `max` (a share above 1).
//! - **Year over year**: a value more than [`JUMP_FACTOR`] times the same area's value in
//!   the previous assessment year, or less than its reciprocal, where the larger of the
//!   two is at least [`JUMP_MIN`] (small counts swing by chance).

use super::Origins;
use crate::domain::{IndicatorCatalog, IndicatorTable, Warning};
use std::collections::HashMap;

/// A value this many times the previous year's (or less than its reciprocal) is flagged.
pub const JUMP_FACTOR: f64 = 3.0;
/// ... when the larger of the two values is at least this.
pub const JUMP_MIN: f64 = 50.0;
/// At most this many findings are listed; one more warning gives the rest's count.
pub const MAX_WARNINGS: usize = 200;

/// An area's values in a table, by GEOID.
type ValuesByArea<'a> = HashMap<&'a str, &'a [Option<f64>]>;

/// The year before, for the year-over-year check.
#[derive(Clone, Copy, Debug)]
pub struct PreviousYear<'a> {
    /// Its year.
    pub year: i32,
    /// Its values.
    pub table: &'a IndicatorTable,
}

/// Checks `table` (whose values came from `origins`) against the catalogue and the
/// previous year, returning the findings in row order.
pub fn check(
    table: &IndicatorTable,
    origins: &Origins,
    catalog: &IndicatorCatalog,
    previous: Option<PreviousYear<'_>>,
) -> Vec<Warning> {
    let mut found = Vec::new();
    let columns: Vec<(usize, &str)> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.ends_with("_moe"))
        .map(|(i, c)| (i, c.as_str()))
        .collect();
    let fmt = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v}")
        } else {
            format!("{v:.3}")
        }
    };

    // For each indicator, the nearest declared superset the table has.
    let superset: Vec<Option<(usize, &str)>> = columns
        .iter()
        .map(|&(_, name)| {
            let mut at = catalog.get(name)?.subset_of.as_deref();
            let mut hops = 0;
            while let Some(parent) = at {
                if let Some(c) = table.column(parent) {
                    return Some((c, parent));
                }
                at = catalog.get(parent).and_then(|d| d.subset_of.as_deref());
                hops += 1;
                if hops > 64 {
                    break;
                }
            }
            None
        })
        .collect();
    let before: Option<(i32, ValuesByArea)> = previous.map(|p| {
        (
            p.year,
            p.table
                .rows
                .iter()
                .map(|r| (r.geoid.as_str(), r.values.as_slice()))
                .collect(),
        )
    });

    for (r, row) in table.rows.iter().enumerate() {
        for (k, &(c, name)) in columns.iter().enumerate() {
            let Some(v) = row.values.get(c).copied().flatten() else {
                continue;
            };
            let Some(origin) = origins.at(r, name) else {
                continue;
            };
            let at = |message: String| Warning::at(&origin.file, origin.row, name, message);
            if let Some((pc, parent)) = superset[k]
                && let Some(pv) = row.values.get(pc).copied().flatten()
                && v > pv
            {
                found.push(at(format!(
                    "{name} is {} in {}, more than its {parent} ({}), of which it is a part",
                    fmt(v),
                    row.geoid,
                    fmt(pv)
                )));
            }
            if let Some(max) = catalog.get(name).and_then(|d| d.max)
                && v > max
            {
                found.push(at(format!(
                    "{name} is {} in {}, above the plausible maximum of {}",
                    fmt(v),
                    row.geoid,
                    fmt(max)
                )));
            }
            if let Some((year, rows)) = &before
                && let Some(old_values) = rows.get(row.geoid.as_str())
                && let Some(pc) = previous.and_then(|p| p.table.column(name))
                && let Some(old) = old_values.get(pc).copied().flatten()
                && v.max(old) >= JUMP_MIN
                && (v > JUMP_FACTOR * old || old > JUMP_FACTOR * v)
            {
                let how = match (v > old, old > 0.0, v > 0.0) {
                    (true, true, _) => format!("{:.1} times", v / old),
                    (true, false, _) => "up from".to_owned(),
                    (false, _, true) => format!("{:.1} times less than", old / v),
                    (false, _, false) => "down from".to_owned(),
                };
                found.push(at(format!(
                    "{name} is {} in {}, {how} the {} of {year}; check the file, or the boundaries if the areas changed",
                    fmt(v),
                    row.geoid,
                    fmt(old)
                )));
            }
        }
    }
    if found.len() > MAX_WARNINGS {
        let more = found.len() - MAX_WARNINGS;
        found.truncate(MAX_WARNINGS);
        found.push(Warning::new(format!(
            "and {more} more plausibility findings like these"
        )));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Geoid, IndicatorRow};
    use crate::ingest::RowOrigin;

    fn table(columns: &[&str], rows: &[(&str, Vec<Option<f64>>)]) -> IndicatorTable {
        IndicatorTable {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|(g, v)| IndicatorRow {
                    geoid: Geoid::parse(g).unwrap(),
                    values: v.clone(),
                })
                .collect(),
        }
    }

    fn origins(n: usize) -> Origins {
        let rows: Vec<RowOrigin> = (0..n)
            .map(|i| RowOrigin {
                file: "a.csv".into(),
                row: i as u64 + 2,
            })
            .collect();
        rows.into()
    }

    #[test]
    fn a_subset_above_its_superset_is_named_with_row_and_field() {
        let t = table(
            &[
                "children_under_5",
                "children_under_5_poverty",
                "children_under_5_poverty_moe",
            ],
            &[
                ("01", vec![Some(100.0), Some(40.0), Some(9.0)]),
                ("02", vec![Some(100.0), Some(120.0), Some(9.0)]),
                ("03", vec![None, Some(120.0), None]),
            ],
        );
        let w = check(&t, &origins(3), &IndicatorCatalog::bundled(), None);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            (w[0].file.as_deref(), w[0].row, w[0].field.as_deref()),
            (Some("a.csv"), Some(3), Some("children_under_5_poverty"))
        );
        assert_eq!(
            w[0].message,
            "children_under_5_poverty is 120 in 02, more than its children_under_5 (100), of which it is a part"
        );
    }

    #[test]
    fn a_missing_superset_is_skipped_for_the_next_one_up() {
        // children_under_5_poverty ⊆ children_under_5 ⊆ total_population.
        let t = table(
            &["total_population", "children_under_5_poverty"],
            &[("01", vec![Some(80.0), Some(90.0)])],
        );
        let w = check(&t, &origins(1), &IndicatorCatalog::bundled(), None);
        assert!(
            w[0].message.contains("more than its total_population (80)"),
            "{w:?}"
        );
        // households ⊇ lep_households
        let t = table(
            &["households", "lep_households"],
            &[("01", vec![Some(10.0), Some(11.0)])],
        );
        assert_eq!(
            check(&t, &origins(1), &IndicatorCatalog::bundled(), None).len(),
            1
        );
    }

    #[test]
    fn a_share_above_one_is_above_its_plausible_maximum() {
        let t = table(
            &["households_no_vehicle_share"],
            &[("01", vec![Some(1.2)]), ("02", vec![Some(1.0)])],
        );
        let w = check(&t, &origins(2), &IndicatorCatalog::bundled(), None);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].message.contains("above the plausible maximum of 1"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn a_jump_beyond_three_times_last_year_is_flagged_where_counts_are_large() {
        let old = table(
            &["children_under_5"],
            &[
                ("01", vec![Some(100.0)]),
                ("02", vec![Some(10.0)]),
                ("03", vec![Some(200.0)]),
                ("04", vec![Some(0.0)]),
            ],
        );
        let now = table(
            &["children_under_5"],
            &[
                ("01", vec![Some(301.0)]), // 3.01 times: flagged
                ("02", vec![Some(40.0)]),  // 4 times, but both below 50: not
                ("03", vec![Some(60.0)]),  // a third of 200 is 66.7: flagged
                ("04", vec![Some(50.0)]),  // from 0 to 50: flagged
            ],
        );
        let prev = PreviousYear {
            year: 2021,
            table: &old,
        };
        let w = check(&now, &origins(4), &IndicatorCatalog::bundled(), Some(prev));
        let rows: Vec<u64> = w.iter().filter_map(|w| w.row).collect();
        assert_eq!(rows, [2, 4, 5], "{w:?}");
        assert!(
            w[0].message.contains("3.0 times the 100 of 2021"),
            "{}",
            w[0].message
        );
        assert!(
            w[1].message.contains("3.3 times less than the 200 of 2021"),
            "{}",
            w[1].message
        );
        assert!(
            w[2].message.contains("up from the 0 of 2021"),
            "{}",
            w[2].message
        );
        // Exactly three times is not beyond the factor.
        let same = table(&["children_under_5"], &[("01", vec![Some(300.0)])]);
        assert!(check(&same, &origins(1), &IndicatorCatalog::bundled(), Some(prev)).is_empty());
    }
}
