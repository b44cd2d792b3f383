//! The Atlas's input: everything it is built from, read from the store at one data
//! version. The store only answers queries; assembling them into one consistent view is
//! the Atlas's business, so this type lives here and the store never knows of it.

use crate::domain::{Assessment, Geography, Need, Partner, ProgramRecord, Site, TravelMatrix};
use crate::error::Result;
use crate::store::{PartVersions, Store};

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
    ///
    /// The parts are read at once, each on its own connection (SQLite's readers and
    /// PostgreSQL's go on side by side): a national store's areas, assessments and sites
    /// take about as long as the slowest of them instead of their sum. Every write bumps
    /// the data version first, so an unchanged version before and after means no part
    /// read mixes in a write.
    pub async fn read(store: &Store) -> Result<Self> {
        loop {
            let before = store.data_version().await?;
            let started = std::time::Instant::now();
            // The large parts on tasks of their own, so that decoding one part's rows
            // never holds up the transfer of another's.
            let s = store.clone();
            let geographies =
                spawn_read("geographies", started, async move { s.geographies().await });
            let s = store.clone();
            let assessments = spawn_read("assessments", started, async move {
                s.current_assessments().await
            });
            let s = store.clone();
            let directory = spawn_read("directory", started, async move {
                Ok((s.partners().await?, s.sites().await?))
            });
            let (parts, records, travel, needs) = tokio::try_join!(
                store.part_versions(),
                store.all_program_records(),
                store.travel_matrices(),
                store.needs(),
            )?;
            let geographies = joined(geographies).await?;
            let assessments = joined(assessments).await?;
            let (partners, sites) = joined(directory).await?;
            let snapshot = Self {
                data_version: before,
                parts,
                geographies,
                assessments,
                partners,
                sites,
                records,
                travel,
                needs,
            };
            if store.data_version().await? == before {
                return Ok(snapshot);
            }
        }
    }
}

/// Reads a part of the store on a task of its own (see [`Snapshot::read`]).
fn spawn_read<T: Send + 'static>(
    what: &'static str,
    started: std::time::Instant,
    read: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> tokio::task::JoinHandle<Result<T>> {
    tokio::spawn(async move {
        let part = read.await;
        tracing::debug!(
            part = what,
            ms = started.elapsed().as_millis(),
            "store part read"
        );
        part
    })
}

async fn joined<T>(task: tokio::task::JoinHandle<Result<T>>) -> Result<T> {
    task.await.map_err(crate::error::Error::internal)?
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
            let changed = |p: crate::store::Part| parts.get(p) > since.get(p);
            let (geo, dir) = (
                changed(crate::store::Part::Geographies),
                changed(crate::store::Part::Directory),
            );
            let changes = Self {
                data_version: before,
                parts,
                geographies: if geo {
                    Some(store.geographies().await?)
                } else {
                    None
                },
                assessments: if changed(crate::store::Part::Assessments) {
                    Some(store.current_assessments().await?)
                } else {
                    None
                },
                directory: if dir {
                    Some((store.partners().await?, store.sites().await?))
                } else {
                    None
                },
                records: if changed(crate::store::Part::Records) {
                    Some(store.all_program_records().await?)
                } else {
                    None
                },
                travel: if changed(crate::store::Part::Travel) || geo || dir {
                    Some(store.travel_matrices().await?)
                } else {
                    None
                },
                needs: if changed(crate::store::Part::Needs) {
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
