use serde::{Deserialize, Serialize};
use std::fmt;

/// An area's identifier within its geography. Census GEOIDs are digit strings whose
/// leading zeros matter (state 2 digits, county 5, tract 11, block group 12), so a
/// GEOID is always text, never a number.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct Geoid(String);

/// Why a GEOID was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GeoidError {
    #[error("the id is empty")]
    Empty,
    #[error("the id is longer than 64 characters")]
    TooLong,
    #[error("the id contains a control character")]
    Control,
}

impl Geoid {
    /// Trims surrounding white space and checks the id is usable as a key.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::Geoid;
    /// assert_eq!(Geoid::parse(" 01001020100 ").unwrap().as_str(), "01001020100");
    /// assert!(Geoid::parse("").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Self, GeoidError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(GeoidError::Empty);
        }
        if s.chars().count() > 64 {
            return Err(GeoidError::TooLong);
        }
        if s.chars().any(char::is_control) {
            return Err(GeoidError::Control);
        }
        Ok(Self(s.to_owned()))
    }

    /// Accepts the Census `GEO_ID` form (`1400000US17031010100`) as well as a bare GEOID.
    pub fn parse_census(raw: &str) -> Result<Self, GeoidError> {
        let s = raw.trim();
        match s.find("US") {
            Some(at) if at > 0 && s[..at].chars().all(|c| c.is_ascii_alphanumeric()) => {
                Self::parse(&s[at + 2..])
            }
            _ => Self::parse(s),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the id is all ASCII digits, as Census GEOIDs are.
    pub fn is_numeric(&self) -> bool {
        self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

impl TryFrom<String> for Geoid {
    type Error = GeoidError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Geoid> for String {
    fn from(g: Geoid) -> String {
        g.0
    }
}

impl fmt::Display for Geoid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn census_geo_id_prefix_is_removed() {
        let g = Geoid::parse_census("1400000US17031010100").unwrap();
        assert_eq!(g.as_str(), "17031010100");
        let g = Geoid::parse_census("1500000US010010201001").unwrap();
        assert_eq!(g.as_str(), "010010201001");
    }

    #[test]
    fn leading_zeros_are_kept() {
        assert_eq!(Geoid::parse("01001").unwrap().as_str(), "01001");
        assert!(Geoid::parse("01001").unwrap().is_numeric());
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(Geoid::parse("a\u{0}b"), Err(GeoidError::Control));
    }
}
