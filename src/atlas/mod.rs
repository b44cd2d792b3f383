//! The Atlas: an immutable in-memory snapshot of the store (areas, assessments, partners,
//! sites and their spatial indexes) that every read is served from. It is rebuilt after
//! each committed write and swapped in atomically, so a reader never sees half an import.
//!
//! Beside it sits the one [`Cache`] of computed answers, keyed by data version.

mod cache;
mod snapshot;
mod travel;

pub use cache::{Cache, CacheKey, KeyValue};
pub use snapshot::Snapshot;
pub use travel::{NO_ORIGIN, TravelTimes};

use crate::domain::{
    Assessment, Catalog, Geography, Geoid, Partner, ProgramRecord, Site, TravelMode,
};
use crate::error::Result;
use crate::spatial::{AreaIndex, PointIndex, SiteIndex};
use crate::store::Store;
use arc_swap::ArcSwap;
use geo::{BoundingRect, Rect};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Marks a site that lies in no area of a geography (see [`GeographyData::site_area`]).
pub const NO_AREA: u32 = u32::MAX;

/// One geography with a lookup by GEOID, its extent and its spatial indexes.
#[derive(Debug)]
pub struct GeographyData {
    /// The areas.
    pub geography: Geography,
    /// GEOID -> position in `geography.areas`.
    pub by_geoid: HashMap<Geoid, usize>,
    /// The bounding box of all areas (None when there are none).
    pub bbox: Option<Rect<f64>>,
    /// R-tree of the areas' polygons (ids = positions in `geography.areas`).
    pub area_index: AreaIndex,
    /// R-tree of the areas' demand points (ids = positions in `geography.areas`).
    pub demand_points: PointIndex,
    /// For each site of the Atlas (by position), the area whose polygon holds it, or
    /// [`NO_AREA`]; a site on an edge belongs to one area only (see [`AreaIndex`]).
    pub site_area: Vec<u32>,
}

impl GeographyData {
    /// Indexes a geography and locates every site in it.
    pub fn new(geography: Geography, sites: &[Site]) -> Self {
        let by_geoid = geography
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.geoid.clone(), i))
            .collect();
        let bbox = geography
            .areas
            .iter()
            .filter_map(|a| a.geometry.bounding_rect())
            .reduce(|a, b| {
                Rect::new(
                    (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                    (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
                )
            });
        let area_index = AreaIndex::build(&geography.areas);
        let demand_points = PointIndex::build(
            geography
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| (u32::try_from(i).unwrap_or(u32::MAX), a.demand_point)),
        );
        let site_area = crate::parallel::map(sites.len(), |j| {
            area_index
                .locate(&geography.areas, sites[j].location)
                .unwrap_or(NO_AREA)
        });
        Self {
            geography,
            by_geoid,
            bbox,
            area_index,
            demand_points,
            site_area,
        }
    }
}

/// The immutable snapshot.
#[derive(Debug)]
pub struct Atlas {
    /// The store's data version this Atlas was built from.
    pub data_version: i64,
    /// Services and needs: the needs as stored at `data_version`, each with its version.
    pub catalog: Arc<Catalog>,
    /// Geographies by name.
    pub geographies: BTreeMap<String, GeographyData>,
    /// The current version of each assessment year.
    pub assessments: BTreeMap<i32, Assessment>,
    /// Partners by id.
    pub partners: BTreeMap<String, Partner>,
    /// Every site, ordered by id.
    pub sites: Vec<Site>,
    /// The sites in one R-tree per service code (ids = positions in `sites`).
    pub site_index: SiteIndex,
    /// Each year's program records, in upload order (years without any are absent).
    pub records: BTreeMap<i32, Vec<ProgramRecord>>,
    /// The travel-time matrices by geography and mode.
    pub travel: BTreeMap<(String, TravelMode), Arc<TravelTimes>>,
}

impl Atlas {
    /// Builds the Atlas from a store snapshot (CPU work: call off the async runtime). The
    /// needs measured are the snapshot's (the store's), with `catalog`'s services; a
    /// snapshot without needs (a store never seeded) measures `catalog`'s own needs.
    pub fn build(snapshot: Snapshot, catalog: Arc<Catalog>) -> Self {
        let catalog = if snapshot.needs.is_empty() {
            catalog
        } else {
            Arc::new(catalog.with_needs(snapshot.needs))
        };
        let sites = snapshot.sites;
        let geographies: BTreeMap<String, GeographyData> = snapshot
            .geographies
            .into_iter()
            .map(|g| (g.name.clone(), GeographyData::new(g, &sites)))
            .collect();
        let travel = snapshot
            .travel
            .into_iter()
            .filter_map(|m| {
                let geo = geographies.get(&m.geography)?;
                let key = (m.geography.clone(), m.mode);
                Some((key, Arc::new(TravelTimes::new(m, geo, &sites))))
            })
            .collect();
        Self {
            data_version: snapshot.data_version,
            catalog,
            geographies,
            assessments: snapshot
                .assessments
                .into_iter()
                .map(|a| (a.year, a))
                .collect(),
            partners: snapshot
                .partners
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect(),
            site_index: SiteIndex::build(&sites),
            sites,
            records: snapshot.records.into_iter().collect(),
            travel,
        }
    }

    /// The union of every geography's extent, where sites are expected.
    pub fn extent(&self) -> Option<Rect<f64>> {
        self.geographies
            .values()
            .filter_map(|g| g.bbox)
            .reduce(|a, b| {
                Rect::new(
                    (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                    (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
                )
            })
    }
}

/// The current Atlas, swapped atomically, and the cache of answers computed from it;
/// shared by every request.
#[derive(Debug)]
pub struct AtlasHandle {
    current: ArcSwap<Atlas>,
    cache: Arc<Cache>,
    catalog: Arc<Catalog>,
    rebuild: Mutex<()>,
}

impl AtlasHandle {
    /// Builds the first Atlas from the store.
    pub async fn load(store: &Store, catalog: Arc<Catalog>) -> Result<Self> {
        let atlas = build_from(store, catalog.clone()).await?;
        Ok(Self {
            current: ArcSwap::from_pointee(atlas),
            cache: Arc::new(Cache::default()),
            catalog,
            rebuild: Mutex::new(()),
        })
    }

    /// The Atlas readers use now.
    pub fn get(&self) -> Arc<Atlas> {
        self.current.load_full()
    }

    /// The cache of answers (keys carry the data version they were computed from).
    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// Rebuilds if the store holds a newer data version; returns the Atlas now current.
    pub async fn refresh(&self, store: &Store) -> Result<Arc<Atlas>> {
        // One rebuild at a time: a second caller waits and then finds it up to date.
        let _guard = self.rebuild.lock().await;
        let version = store.data_version().await?;
        if version > self.get().data_version {
            let atlas = build_from(store, self.catalog.clone()).await?;
            if atlas.data_version > self.get().data_version {
                self.current.store(Arc::new(atlas));
            }
        }
        Ok(self.get())
    }
}

impl AtlasHandle {
    /// Rebuilds from the store whatever its data version (after seeding, which moves none).
    pub async fn rebuild(&self, store: &Store) -> Result<Arc<Atlas>> {
        let _guard = self.rebuild.lock().await;
        let atlas = build_from(store, self.catalog.clone()).await?;
        self.current.store(Arc::new(atlas));
        Ok(self.get())
    }
}

async fn build_from(store: &Store, catalog: Arc<Catalog>) -> Result<Atlas> {
    let snapshot = Snapshot::read(store).await?;
    tokio::task::spawn_blocking(move || Atlas::build(snapshot, catalog))
        .await
        .map_err(crate::error::Error::internal)
}
