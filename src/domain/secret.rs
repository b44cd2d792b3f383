//! A value that must never reach a log.

use std::fmt;

/// A token or password: `Debug` prints `[redacted]` and there is no `Display`, so it
/// cannot be logged by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself, for comparison only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().len() < 16 {
            return Err("a token must have at least 16 characters".into());
        }
        Ok(Self(s.trim().to_owned()))
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_redacted_and_long_enough() {
        let s: Secret = "abcdefghijklmnopqrstuvwxyz".parse().unwrap();
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert!("short".parse::<Secret>().is_err());
    }
}
