//! An assessment year.

use std::fmt;

/// The first and last years gapmap accepts: anything outside is a typing mistake.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// An assessment year, checked once where it enters (a path, a query, a flag, a file).
/// It reads and writes as a plain number.
///
/// ```
/// use gapmap::domain::Year;
/// assert_eq!(Year::parse("2024").unwrap().get(), 2024);
/// assert!(Year::parse("24").is_err());
/// assert!(Year::new(12_024).is_err());
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Year(i32);

/// Why a text or number is not a year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a plausible assessment year (1900 to 2200)")]
pub struct YearError(pub String);

impl Year {
    /// A year in 1900..=2200.
    pub fn new(year: i32) -> Result<Self, YearError> {
        if YEARS.contains(&year) {
            Ok(Self(year))
        } else {
            Err(YearError(year.to_string()))
        }
    }

    /// Parses a year written as digits.
    pub fn parse(s: &str) -> Result<Self, YearError> {
        s.trim()
            .parse::<i32>()
            .map_err(|_| YearError(format!("'{s}'")))
            .and_then(Self::new)
    }

    /// The number.
    pub fn get(self) -> i32 {
        self.0
    }

    /// The year before, when it is still a year.
    pub fn previous(self) -> Option<Self> {
        Self::new(self.0 - 1).ok()
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for Year {
    type Err = YearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for Year {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Query strings give text, JSON and TOML give numbers: take both.
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) => i32::try_from(n)
                .map_err(|_| YearError(n.to_string()))
                .and_then(Self::new),
            Raw::Text(s) => Self::parse(&s),
        }
        .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_read_from_text_and_numbers_and_write_as_numbers() {
        let y: Year = serde_json::from_str("2014").unwrap();
        assert_eq!(y.get(), 2014);
        let y: Year = serde_json::from_str("\"2016\"").unwrap();
        assert_eq!(serde_json::to_string(&y).unwrap(), "2016");
        assert!(serde_json::from_str::<Year>("1899").is_err());
        assert!(serde_json::from_str::<Year>("\"twenty\"").is_err());
        assert_eq!(Year::new(1900).unwrap().previous(), None);
    }
}
