//! The Atlas's input: everything it is built from, read from the store at one data
//! version. The store only answers queries; assembling them into one consistent view is
//! the Atlas's business, so this type lives here and the store never knows of it.

use crate::domain::{Assessment, Geography, Need, Partner, ProgramRecord, Site, TravelMatrix};
use crate::error::Result;
use crate::store::Store;

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
    /// Every year's program records.
    pub records: Vec<(i32, Vec<ProgramRecord>)>,
    /// Every travel-time matrix.
    pub travel: Vec<TravelMatrix>,
    /// The stored needs, in their order (empty for a store never seeded: the Atlas then
    /// measures the catalog's own needs).
    pub needs: Vec<Need>,
}

impl Snapshot {
    /// Reads the whole store. If a write commits while reading, it reads again, so the
    /// snapshot never mixes two data versions.
    pub async fn read(store: &Store) -> Result<Self> {
        loop {
            let before = store.data_version().await?;
            let snapshot = Self {
                data_version: before,
                geographies: store.geographies().await?,
                assessments: store.current_assessments().await?,
                partners: store.partners().await?,
                sites: store.sites().await?,
                records: store.all_program_records().await?,
                travel: store.travel_matrices().await?,
                needs: store.needs().await?,
            };
            if store.data_version().await? == before {
                return Ok(snapshot);
            }
        }
    }
}
