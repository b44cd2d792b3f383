//! The reliability of American Community Survey estimates: the coefficient of variation
//! from the published margin of error. ACS margins are 90% intervals, so the standard
//! error is MOE / 1.645 and CV = SE / estimate. A CV above 30% is commonly read as
//! "use with caution" (e.g. the Census Bureau's and ESRI's reliability guidance).

use crate::domain::{Geoid, IndicatorTable};
use serde::Serialize;

/// The CV above which an estimate is flagged.
pub const CV_LIMIT: f64 = 0.30;

/// The z-value of the ACS's 90% margins of error.
pub const Z90: f64 = 1.645;

/// One flagged value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flagged {
    /// The area.
    pub geoid: Geoid,
    /// The indicator.
    pub indicator: String,
    /// The estimate.
    pub estimate: f64,
    /// Its margin of error.
    pub moe: f64,
    /// (moe / 1.645) / estimate.
    pub cv: f64,
}

/// What the check found in one table.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Reliability {
    /// Indicators that have a `<name>_moe` column, in column order.
    pub indicators: Vec<String>,
    /// Values with both an estimate above 0 and a margin: the ones a CV exists for.
    pub checked: usize,
    /// Values whose CV is above [`CV_LIMIT`], by indicator then table order.
    pub flagged: Vec<Flagged>,
    /// Values with an estimate of 0 and a margin: the CV is undefined (not flagged).
    pub zero_estimates: usize,
}

/// The coefficient of variation of an ACS estimate, None when the estimate is not above 0.
///
/// # Examples
/// ```
/// use gapmap::output::report::cv;
/// // 200 ± 98.7 (90%): SE = 60, CV = 0.3.
/// assert!((cv(200.0, 98.7).unwrap() - 0.3).abs() < 1e-12);
/// assert_eq!(cv(0.0, 12.0), None);
/// ```
pub fn cv(estimate: f64, moe: f64) -> Option<f64> {
    (estimate > 0.0).then(|| (moe.abs() / Z90) / estimate)
}

/// Checks every indicator of `table` that has a `_moe` column.
pub fn check(table: &IndicatorTable) -> Reliability {
    let mut out = Reliability::default();
    for (col, name) in table.columns.iter().enumerate() {
        if name.ends_with("_moe") {
            continue;
        }
        let Some(moe_col) = table.column(&format!("{name}_moe")) else {
            continue;
        };
        out.indicators.push(name.clone());
        for row in &table.rows {
            let value = |c: usize| row.values.get(c).copied().flatten();
            let (Some(estimate), Some(moe)) = (value(col), value(moe_col)) else {
                continue;
            };
            match cv(estimate, moe) {
                None => out.zero_estimates += 1,
                Some(cv) => {
                    out.checked += 1;
                    if cv > CV_LIMIT {
                        out.flagged.push(Flagged {
                            geoid: row.geoid.clone(),
                            indicator: name.clone(),
                            estimate,
                            moe,
                            cv,
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::IndicatorRow;

    #[test]
    fn values_above_a_cv_of_30_percent_are_flagged_and_zero_estimates_counted() {
        let row = |g: &str, v: [Option<f64>; 3]| IndicatorRow {
            geoid: Geoid::parse(g).unwrap(),
            values: v.to_vec(),
        };
        let table = IndicatorTable {
            columns: vec!["kids".into(), "kids_moe".into(), "cars".into()],
            rows: vec![
                // CV = (98.7/1.645)/200 = 0.30 exactly: not above the limit.
                row("a", [Some(200.0), Some(98.7), Some(1.0)]),
                // CV = (65.8/1.645)/100 = 0.40.
                row("b", [Some(100.0), Some(65.8), None]),
                row("c", [Some(0.0), Some(10.0), None]),
                row("d", [Some(50.0), None, None]),
            ],
        };
        let r = check(&table);
        assert_eq!(r.indicators, ["kids"]);
        assert_eq!((r.checked, r.zero_estimates), (2, 1));
        assert_eq!(r.flagged.len(), 1);
        assert_eq!(r.flagged[0].geoid.as_str(), "b");
        assert!((r.flagged[0].cv - 0.4).abs() < 1e-12);
    }
}
