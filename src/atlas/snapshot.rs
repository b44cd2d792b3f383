//! The Atlas's input: everything it is built from, read from the store at one data
//! version. The store only answers queries; assembling them into one consistent view is
//! the Atlas's business, so this type lives here and the store never knows of it.

use crate::domain::{Assessment, Geography, Need, Partner, ProgramRecord, Site, TravelMatrix};
use crate::error::Result;
use crate::store::{Part, PartVersions, Store};

/// Everything the Atlas is built from, read at one data version.
#[derive(Debug)]
pub struct Snapshot {
    /// The data version read.
    pub data_version: i64,
    /// The version of each part read.
    pub parts: PartVersions,
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
                parts: store.part_versions().await?,
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

/// The parts of the store that changed since an Atlas was built, read at one data
/// version: `None` for a part unchanged (the Atlas keeps its own). The travel-time
/// matrices come whenever the geographies or the directory changed too, since they tie
/// one to the other.
#[derive(Debug)]
pub struct Changes {
    /// The data version read.
    pub data_version: i64,
    /// The version of each part now.
    pub parts: PartVersions,
    /// Every geography, when any changed.
    pub geographies: Option<Vec<Geography>>,
    /// The current assessments, when any changed.
    pub assessments: Option<Vec<Assessment>>,
    /// Every partner and site, when the directory changed.
    pub directory: Option<(Vec<Partner>, Vec<Site>)>,
    /// Every year's program records, when any changed.
    pub records: Option<Vec<(i32, Vec<ProgramRecord>)>>,
    /// Every travel-time matrix, when they, the geographies or the directory changed.
    pub travel: Option<Vec<TravelMatrix>>,
    /// The stored needs, when they changed.
    pub needs: Option<Vec<Need>>,
}

impl Changes {
    /// Reads the parts whose version is newer than in `since`. If a write commits while
    /// reading, it reads again.
    pub async fn read(store: &Store, since: &PartVersions) -> Result<Self> {
        loop {
            let before = store.data_version().await?;
            let parts = store.part_versions().await?;
            let changed = |p: Part| parts.get(p) > since.get(p);
            let (geo, dir) = (changed(Part::Geographies), changed(Part::Directory));
            let changes = Self {
                data_version: before,
                parts,
                geographies: if geo {
                    Some(store.geographies().await?)
                } else {
                    None
                },
                assessments: if changed(Part::Assessments) {
                    Some(store.current_assessments().await?)
                } else {
                    None
                },
                directory: if dir {
                    Some((store.partners().await?, store.sites().await?))
                } else {
                    None
                },
                records: if changed(Part::Records) {
                    Some(store.all_program_records().await?)
                } else {
                    None
                },
                travel: if changed(Part::Travel) || geo || dir {
                    Some(store.travel_matrices().await?)
                } else {
                    None
                },
                needs: if changed(Part::Needs) {
                    Some(store.needs().await?)
                } else {
                    None
                },
            };
            if store.data_version().await? == before {
                return Ok(changes);
            }
        }
    }

    /// The names of the parts it holds, for the log.
    pub fn names(&self) -> Vec<&'static str> {
        [
            ("geographies", self.geographies.is_some()),
            ("assessments", self.assessments.is_some()),
            ("directory", self.directory.is_some()),
            ("records", self.records.is_some()),
            ("travel", self.travel.is_some()),
            ("needs", self.needs.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, held)| held.then_some(name))
        .collect()
    }
}

impl From<Snapshot> for Changes {
    /// Everything changed: what [`crate::atlas::Atlas::build`] starts from.
    fn from(s: Snapshot) -> Self {
        Self {
            data_version: s.data_version,
            parts: s.parts,
            geographies: Some(s.geographies),
            assessments: Some(s.assessments),
            directory: Some((s.partners, s.sites)),
            records: Some(s.records),
            travel: Some(s.travel),
            needs: Some(s.needs),
        }
    }
}
