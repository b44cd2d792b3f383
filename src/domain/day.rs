//! Calendar days (proleptic Gregorian), as the report's date needs them: read from and
//! written as `YYYY-MM-DD`, counted in whole days, without a date-time dependency.

use super::partner::parse_date;
use std::fmt;

/// A calendar day, held as days since 1970-01-01.
///
/// # Examples
/// ```
/// use gapmap::domain::Day;
/// let d = Day::parse("2027-03-01").unwrap();
/// assert_eq!(d.plus(90).to_string(), "2027-05-30");
/// assert_eq!(d.days_until(Day::parse("2028-03-01").unwrap()), 366);
/// assert_eq!(d.year(), 2027);
/// assert!(Day::parse("2027-02-29").is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// A `YYYY-MM-DD` date, or `None` when it is not a calendar day.
    pub fn parse(s: &str) -> Option<Self> {
        let s = parse_date(s)?;
        let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().ok();
        Some(Self(days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?)))
    }

    /// Today in UTC.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self((secs / 86_400) as i64)
    }

    /// `n` days later (earlier when negative).
    pub fn plus(self, n: i64) -> Self {
        Self(self.0 + n)
    }

    /// Days from this day to `later` (negative when `later` is before it).
    pub fn days_until(self, later: Self) -> i64 {
        later.0 - self.0
    }

    /// Its year.
    pub fn year(self) -> i32 {
        civil_from_days(self.0).0 as i32
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_leap_years_and_the_epoch() {
        for s in [
            "1969-12-31",
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "2100-03-01",
        ] {
            assert_eq!(Day::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Day::parse("1970-01-02").unwrap().0, 1);
        assert_eq!(
            Day::parse("2024-02-28").unwrap().plus(2).to_string(),
            "2024-03-01"
        );
        assert!(Day::parse("2025-13-01").is_none());
    }
}
