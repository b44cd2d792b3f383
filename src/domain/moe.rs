//! Margins of error of derived American Community Survey estimates, by the Census
//! Bureau's approximations (ACS General Handbook, "Understanding and Using American
//! Community Survey Data" (2020), chapter 8, "Calculating Measures of Error for Derived
//! Estimates"). ACS margins are 90% intervals: the standard error is MOE / 1.645.
//!
//! - a sum (or difference) of estimates: MOE = √(Σ MOE²);
//! - a proportion p = X / Y where X is a subset of Y:
//!   MOE_p = (1/Y) · √(MOE_X² − p² · MOE_Y²), and where the term under the root is
//!   negative the ratio form (1/Y) · √(MOE_X² + p² · MOE_Y²) instead;
//! - the coefficient of variation: CV = (MOE / 1.645) / estimate.

/// The z-value of the ACS's 90% margins of error.
pub const Z90: f64 = 1.645;

/// An estimate and its 90% margin of error (`None` when the source gave none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Its margin of error, a non-negative half-width.
    pub moe: Option<f64>,
}

impl Estimate {
    /// An estimate with a margin of error.
    pub fn new(value: f64, moe: Option<f64>) -> Self {
        Self { value, moe }
    }
}

/// The sum of estimates with MOE = √(Σ MOE²); the margin is unknown when any part's is.
///
/// # Examples
/// ```
/// use gapmap::domain::moe::{Estimate, sum};
/// let s = sum(&[Estimate::new(120.0, Some(30.0)), Estimate::new(80.0, Some(40.0))]);
/// assert_eq!(s, Estimate::new(200.0, Some(50.0)));
/// ```
pub fn sum(parts: &[Estimate]) -> Estimate {
    let value = parts.iter().map(|p| p.value).sum();
    let squares: Option<f64> = parts.iter().map(|p| p.moe.map(|m| m * m)).sum();
    Estimate {
        value,
        moe: squares.map(f64::sqrt),
    }
}

/// The proportion p = part / whole of a part that is a subset of the whole, with the
/// Handbook's proportion MOE, falling back to the ratio MOE where the term under the root
/// is negative. `None` when the whole is not above 0 (the share is undefined).
///
/// # Examples
/// ```
/// use gapmap::domain::moe::{Estimate, proportion};
/// // 30 ± 5 of 100 ± 10: √(25 − 0.09·100) = 4, so 0.3 ± 0.04.
/// let p = proportion(Estimate::new(30.0, Some(5.0)), Estimate::new(100.0, Some(10.0))).unwrap();
/// assert!((p.value - 0.3).abs() < 1e-12 && (p.moe.unwrap() - 0.04).abs() < 1e-12);
/// ```
pub fn proportion(part: Estimate, whole: Estimate) -> Option<Estimate> {
    if whole.value <= 0.0 {
        return None;
    }
    let p = part.value / whole.value;
    let moe = match (part.moe, whole.moe) {
        (Some(mx), Some(my)) => {
            let under = mx * mx - p * p * my * my;
            // The Handbook: "If the value under the square root is negative, use the
            // ratio formula instead."
            let under = if under < 0.0 {
                mx * mx + p * p * my * my
            } else {
                under
            };
            Some(under.sqrt() / whole.value)
        }
        _ => None,
    };
    Some(Estimate { value: p, moe })
}

/// The coefficient of variation (MOE / 1.645) / estimate; `None` when the estimate is not
/// above 0 (the CV is undefined there).
///
/// # Examples
/// ```
/// use gapmap::domain::moe::cv;
/// // 200 ± 98.7: SE = 60, CV = 0.3.
/// assert!((cv(200.0, 98.7).unwrap() - 0.3).abs() < 1e-12);
/// assert_eq!(cv(0.0, 12.0), None);
/// ```
pub fn cv(estimate: f64, moe: f64) -> Option<f64> {
    (estimate > 0.0).then(|| (moe.abs() / Z90) / estimate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn e(value: f64, moe: f64) -> Estimate {
        Estimate::new(value, Some(moe))
    }

    #[test]
    fn a_sum_adds_margins_in_quadrature() {
        // 3-4-5 and 5-12-13 triangles: √(3² + 4²) = 5, √(5² + 12²) = 13.
        assert_eq!(sum(&[e(10.0, 3.0), e(20.0, 4.0)]), e(30.0, 5.0));
        assert_eq!(sum(&[e(1.0, 5.0), e(2.0, 12.0)]), e(3.0, 13.0));
        // A margin of 0 (an estimate controlled to the population totals) adds nothing.
        assert_eq!(sum(&[e(40.0, 0.0), e(2.0, 7.0)]), e(42.0, 7.0));
    }

    #[test]
    fn a_sum_without_every_margin_has_no_margin() {
        let s = sum(&[e(10.0, 3.0), Estimate::new(20.0, None)]);
        assert_eq!(s, Estimate::new(30.0, None));
    }

    #[test]
    fn a_proportion_uses_the_subset_formula() {
        // p = 30/100; √(5² − 0.3²·10²) = √(25 − 9) = 4; MOE = 4/100.
        let p = proportion(e(30.0, 5.0), e(100.0, 10.0)).unwrap();
        assert_relative_eq!(p.value, 0.3);
        assert_relative_eq!(p.moe.unwrap(), 0.04, epsilon = 1e-15);
    }

    #[test]
    fn a_negative_term_under_the_root_falls_back_to_the_ratio_formula() {
        // p = 80/100 = 0.8; 4² − 0.64·20² = 16 − 256 < 0, so the ratio form:
        // √(16 + 256) = √272; MOE = √272 / 100.
        let p = proportion(e(80.0, 4.0), e(100.0, 20.0)).unwrap();
        assert_relative_eq!(p.value, 0.8);
        assert_relative_eq!(p.moe.unwrap(), 272f64.sqrt() / 100.0, epsilon = 1e-15);
        // Exactly zero under the root is not negative: the margin is 0.
        // p = 0.5, 5² − 0.25·10² = 0.
        assert_eq!(
            proportion(e(50.0, 5.0), e(100.0, 10.0)).unwrap().moe,
            Some(0.0)
        );
    }

    #[test]
    fn a_share_of_nothing_is_undefined() {
        assert_eq!(proportion(e(0.0, 12.0), e(0.0, 12.0)), None);
        let p = proportion(Estimate::new(3.0, None), e(6.0, 1.0)).unwrap();
        assert_eq!((p.value, p.moe), (0.5, None));
    }

    #[test]
    fn the_cv_is_the_standard_error_over_the_estimate() {
        assert_relative_eq!(cv(100.0, 16.45).unwrap(), 0.1, epsilon = 1e-12);
        assert_eq!(cv(-1.0, 3.0), None);
    }
}
