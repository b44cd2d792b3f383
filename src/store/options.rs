//! How to reach the store: where it is and how the connection pool behaves.

use std::fmt;

/// Where the store is: a SQLite file or a PostgreSQL URL. Its `Display` and `Debug` hide
/// any password, so it can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl(String);

impl DbUrl {
    /// The URL that sqlx connects to (a bare path becomes a SQLite URL).
    pub fn connect_url(&self) -> String {
        if self.is_postgres() || self.0.starts_with("sqlite:") {
            self.0.clone()
        } else {
            format!("sqlite://{}?mode=rwc", self.0)
        }
    }

    /// True for a PostgreSQL store.
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }
}

impl Default for DbUrl {
    fn default() -> Self {
        Self("gapmap.db".into())
    }
}

impl std::str::FromStr for DbUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err("the store location is empty".into());
        }
        Ok(Self(s.trim().to_owned()))
    }
}

impl<'de> serde::Deserialize<'de> for DbUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // postgres://user:password@host/db -> postgres://user:***@host/db
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.0[scheme + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        write!(f, "{}{}:***{}", &self.0[..scheme + 3], user, &self.0[at..])
                    }
                    None => f.write_str(&self.0),
                }
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({self})")
    }
}

/// Everything [`super::Store::connect`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// The store's location.
    pub url: DbUrl,
    /// Connections in the pool (PostgreSQL; SQLite uses at most 4).
    pub pool_size: u32,
    /// A statement running longer than this many seconds is cancelled (PostgreSQL);
    /// 0 = no limit.
    pub statement_timeout_secs: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            url: DbUrl::default(),
            pool_size: 10,
            statement_timeout_secs: 300,
        }
    }
}

impl StoreOptions {
    /// The default options for the store at `url`.
    pub fn at(url: DbUrl) -> Self {
        Self {
            url,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_from_display() {
        let u: DbUrl = "postgres://app:s3cret@db:5432/gapmap".parse().unwrap();
        assert_eq!(u.to_string(), "postgres://app:***@db:5432/gapmap");
        assert!(!format!("{u:?}").contains("s3cret"));
    }

    #[test]
    fn a_bare_path_is_a_sqlite_file() {
        let u: DbUrl = "gapmap.db".parse().unwrap();
        assert_eq!(u.connect_url(), "sqlite://gapmap.db?mode=rwc");
        assert!(!u.is_postgres());
    }
}
