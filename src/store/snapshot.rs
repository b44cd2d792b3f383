use super::Store;
use crate::domain::{Assessment, Geography, Partner, Site};
use crate::error::Result;

/// Everything the Atlas is built from, read at one data version.
#[derive(Debug)]
pub struct Snapshot {
    /// The data version read.
    pub data_version: i64,
    /// Every geography.
    pub geographies: Vec<Geography>,
    /// The current version of every assessment year.
    pub assessments: Vec<Assessment>,
    /// Every partner.
    pub partners: Vec<Partner>,
    /// Every site.
    pub sites: Vec<Site>,
}

impl Store {
    /// Reads the whole store. If a write commits while reading, it reads again, so the
    /// snapshot never mixes two data versions.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        loop {
            let before = self.data_version().await?;
            let snapshot = Snapshot {
                data_version: before,
                geographies: self.load_geographies().await?,
                assessments: self.load_current_assessments().await?,
                partners: self.load_partners().await?,
                sites: self.load_sites().await?,
            };
            if self.data_version().await? == before {
                return Ok(snapshot);
            }
        }
    }
}
