//! Calendar days (proleptic Gregorian), as the report's date needs them: read from and
//! written as `YYYY-MM-DD`, counted in whole days.

use super::partner::parse_date;
use chrono::{Datelike, NaiveDate, TimeDelta};
use std::fmt;

/// A calendar day (chrono's `NaiveDate`, which polars already builds).
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
pub struct Day(NaiveDate);

impl Day {
    /// A `YYYY-MM-DD` date, or `None` when it is not a calendar day.
    pub fn parse(s: &str) -> Option<Self> {
        // The partner directory's strict reading of the form, then the calendar's.
        let s = parse_date(s)?;
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().map(Self)
    }

    /// Today in UTC.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let date = chrono::DateTime::from_timestamp(secs as i64, 0)
            .map_or(NaiveDate::MIN, |t| t.date_naive());
        Self(date)
    }

    /// `n` days later (earlier when negative).
    pub fn plus(self, n: i64) -> Self {
        Self(self.0 + TimeDelta::days(n))
    }

    /// Days from this day to `later` (negative when `later` is before it).
    pub fn days_until(self, later: Self) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// Its year.
    pub fn year(self) -> i32 {
        self.0.year()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
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
        assert_eq!(
            Day::parse("1970-01-01")
                .unwrap()
                .days_until(Day::parse("1970-01-02").unwrap()),
            1
        );
        assert_eq!(
            Day::parse("2024-02-28").unwrap().plus(2).to_string(),
            "2024-03-01"
        );
        assert!(Day::parse("2025-13-01").is_none());
    }
}
