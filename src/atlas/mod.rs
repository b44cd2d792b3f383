//! The Atlas: an immutable in-memory snapshot of the store (areas, assessments, partners,
//! sites and their spatial indexes) that every read is served from. It is rebuilt after
//! each committed write and swapped in atomically, so a reader never sees half an import.
//!
//! Beside it sits the one [`Cache`] of computed answers, keyed by data version.

mod cache;
mod snapshot;
mod travel;

pub use cache::{Cache, CacheKey, KeyValue};
pub use snapshot::{Changes, Snapshot};
pub use travel::{NO_ORIGIN, TravelTimes};

use crate::domain::{
    Assessment, Catalog, Geography, Geoid, Partner, ProgramRecord, Site, TravelMode,
};
use crate::error::Result;
use crate::spatial::{AreaIndex, PointIndex, SiteIndex};
use crate::store::{PartVersions, Store};
use arc_swap::ArcSwap;
use geo::Rect;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Marks a site that lies in no area of a geography (see [`GeographyData::site_area`]).
pub const NO_AREA: u32 = u32::MAX;

/// A geography's areas with a lookup by GEOID, its extent and its spatial indexes: what
/// depends on the areas alone, shared between Atlases while the geography is unchanged.
#[derive(Debug)]
pub struct GeographyAreas {
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
}

/// One geography: its areas and indexes (shared, see [`GeographyAreas`], whose fields it
/// derefs to) and where the Atlas's sites lie in it.
#[derive(Clone, Debug)]
pub struct GeographyData {
    areas: Arc<GeographyAreas>,
    /// For each site of the Atlas (by position), the area whose polygon holds it, or
    /// [`NO_AREA`]; a site on an edge belongs to one area only (see [`AreaIndex`]).
    pub site_area: Arc<Vec<u32>>,
}

impl std::ops::Deref for GeographyData {
    type Target = GeographyAreas;

    fn deref(&self) -> &GeographyAreas {
        &self.areas
    }
}

impl GeographyData {
    /// Indexes a geography and locates every site in it.
    pub fn new(geography: Geography, sites: &[Site]) -> Self {
        // The two R-trees side by side with the lookup and the extent.
        let (by_geoid, bbox, area_index, demand_points) = std::thread::scope(|s| {
            let areas = &geography.areas;
            let area_index = s.spawn(|| AreaIndex::build(areas));
            let demand_points = s.spawn(|| {
                PointIndex::build(
                    areas
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (u32::try_from(i).unwrap_or(u32::MAX), a.demand_point)),
                )
            });
            let by_geoid: HashMap<Geoid, usize> = areas
                .iter()
                .enumerate()
                .map(|(i, a)| (a.geoid.clone(), i))
                .collect();
            let bbox = geography.extent();
            (by_geoid, bbox, joined(area_index), joined(demand_points))
        });
        let areas = Arc::new(GeographyAreas {
            geography,
            by_geoid,
            bbox,
            area_index,
            demand_points,
        });
        Self::locating(areas, sites)
    }

    /// The same areas and indexes (shared, not copied) with `sites` located in them.
    pub fn with_sites(&self, sites: &[Site]) -> Self {
        Self::locating(self.areas.clone(), sites)
    }

    fn locating(areas: Arc<GeographyAreas>, sites: &[Site]) -> Self {
        let site_area = crate::parallel::map(sites.len(), |j| {
            areas
                .area_index
                .locate(&areas.geography.areas, sites[j].location)
                .unwrap_or(NO_AREA)
        });
        Self {
            areas,
            site_area: Arc::new(site_area),
        }
    }
}

/// The immutable snapshot. Its parts are shared (`Arc`) with the Atlas it was updated
/// from when the write did not change them (see [`Atlas::update`]).
#[derive(Debug)]
pub struct Atlas {
    /// The store's data version this Atlas was built from.
    pub data_version: i64,
    /// The version of each part of the store it holds.
    pub parts: PartVersions,
    /// Services and needs: the needs as stored at `data_version`, each with its version.
    pub catalog: Arc<Catalog>,
    /// Geographies by name.
    pub geographies: BTreeMap<String, GeographyData>,
    /// The current version of each assessment year.
    pub assessments: Arc<BTreeMap<i32, Assessment>>,
    /// Partners by id.
    pub partners: Arc<BTreeMap<String, Partner>>,
    /// Every site, ordered by id.
    pub sites: Arc<Vec<Site>>,
    /// The sites in one R-tree per service code (ids = positions in `sites`).
    pub site_index: Arc<SiteIndex>,
    /// Each year's program records, in upload order (years without any are absent).
    pub records: Arc<BTreeMap<i32, Vec<ProgramRecord>>>,
    /// The travel-time matrices by geography and mode.
    pub travel: BTreeMap<(String, TravelMode), Arc<TravelTimes>>,
}

impl Atlas {
    /// Builds the Atlas from a store snapshot (CPU work: call off the async runtime). The
    /// needs measured are the snapshot's (the store's), with `catalog`'s services; a
    /// snapshot without needs (a store never seeded) measures `catalog`'s own needs.
    pub fn build(snapshot: Snapshot, catalog: Arc<Catalog>) -> Self {
        Self::assemble(None, Changes::from(snapshot), catalog)
    }

    /// The Atlas after a write: the parts `changes` holds are built anew, the others are
    /// this Atlas's, shared. Sites that changed are located again in the unchanged
    /// geographies (their areas and R-trees are shared); new or changed areas are indexed
    /// with the sites; the travel-time matrices, which tie areas to sites, come with the
    /// changes whenever either did. The answer equals [`Atlas::build`] of the whole store.
    /// `catalog` gives the services, and the needs while the store holds none, as in
    /// [`Atlas::build`].
    pub fn update(&self, changes: Changes, catalog: Arc<Catalog>) -> Self {
        Self::assemble(Some(self), changes, catalog)
    }

    fn assemble(old: Option<&Atlas>, c: Changes, catalog: Arc<Catalog>) -> Self {
        let catalog = match (c.needs, old) {
            (Some(needs), _) if !needs.is_empty() => Arc::new(catalog.with_needs(needs)),
            (Some(_), _) | (None, None) => catalog,
            (None, Some(old)) => old.catalog.clone(),
        };
        let sites_changed = c.directory.is_some() || old.is_none();
        let (partners, sites, old_index) = match (c.directory, old) {
            (Some((partners, sites)), _) => (
                Arc::new(partners.into_iter().map(|p| (p.id.clone(), p)).collect()),
                Arc::new(sites),
                None,
            ),
            (None, Some(old)) => (
                old.partners.clone(),
                old.sites.clone(),
                Some(old.site_index.clone()),
            ),
            (None, None) => (Arc::default(), Arc::new(Vec::new()), None),
        };
        // The sites' R-trees are built beside the geographies' (which locate the sites but
        // do not use their trees).
        let (site_index, geographies) = std::thread::scope(|s| {
            let site_index = old_index
                .is_none()
                .then(|| s.spawn(|| Arc::new(SiteIndex::build(&sites))));
            let geographies: BTreeMap<String, GeographyData> = match (c.geographies, old) {
                (Some(gs), _) => gs
                    .into_iter()
                    .map(|g| (g.name.clone(), GeographyData::new(g, &sites)))
                    .collect(),
                (None, Some(old)) if sites_changed => old
                    .geographies
                    .iter()
                    .map(|(name, g)| (name.clone(), g.with_sites(&sites)))
                    .collect(),
                (None, Some(old)) => old.geographies.clone(),
                (None, None) => BTreeMap::new(),
            };
            let site_index = match (site_index, old_index) {
                (Some(built), _) => joined(built),
                (None, Some(index)) => index,
                (None, None) => Arc::new(SiteIndex::build(&[])),
            };
            (site_index, geographies)
        });
        let travel = match (c.travel, old) {
            (Some(matrices), _) => matrices
                .into_iter()
                .filter_map(|m| {
                    let geo = geographies.get(&m.geography)?;
                    let key = (m.geography.clone(), m.mode);
                    Some((key, Arc::new(TravelTimes::new(m, geo, &sites))))
                })
                .collect(),
            (None, Some(old)) => old.travel.clone(),
            (None, None) => BTreeMap::new(),
        };
        let assessments = match (c.assessments, old) {
            (Some(a), _) => Arc::new(a.into_iter().map(|a| (a.year, a)).collect()),
            (None, Some(old)) => old.assessments.clone(),
            (None, None) => Default::default(),
        };
        let records = match (c.records, old) {
            (Some(r), _) => Arc::new(r.into_iter().collect()),
            (None, Some(old)) => old.records.clone(),
            (None, None) => Default::default(),
        };
        Self {
            data_version: c.data_version,
            parts: c.parts,
            catalog,
            geographies,
            assessments,
            partners,
            sites,
            site_index,
            records,
            travel,
        }
    }

    /// The union of every geography's extent, where sites are expected.
    pub fn extent(&self) -> Option<Rect<f64>> {
        crate::domain::bbox_union(self.geographies.values().filter_map(|g| g.bbox))
    }
}

/// The answer of a scoped thread; its panic, a bug, goes on as a panic.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

/// The current Atlas, swapped atomically, and the cache of answers computed from it;
/// shared by every request.
#[derive(Debug)]
pub struct AtlasHandle {
    current: ArcSwap<Atlas>,
    cache: Arc<Cache>,
    catalog: Arc<Catalog>,
    rebuild: Mutex<()>,
    /// False for [`AtlasHandle::unloaded`]: its Atlas stays empty.
    loaded: bool,
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
            loaded: true,
        })
    }

    /// A handle whose Atlas is never built: for a process that only writes (an import
    /// from the command line), which checks an upload against the store itself (see
    /// [`crate::imports::Services`]) and leaves building an Atlas to the servers that read
    /// the store. Its Atlas is empty and [`AtlasHandle::refresh`] leaves it so.
    pub fn unloaded(catalog: Arc<Catalog>) -> Self {
        let empty = Atlas::assemble(
            None,
            Changes {
                data_version: 0,
                parts: PartVersions::default(),
                geographies: None,
                assessments: None,
                directory: None,
                records: None,
                travel: None,
                needs: None,
            },
            catalog.clone(),
        );
        Self {
            current: ArcSwap::from_pointee(empty),
            cache: Arc::new(Cache::default()),
            catalog,
            rebuild: Mutex::new(()),
            loaded: false,
        }
    }

    /// False for a handle made by [`AtlasHandle::unloaded`].
    pub fn is_loaded(&self) -> bool {
        self.loaded
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
    /// Only the parts of the store that changed since the current Atlas are read (each
    /// part's version says so) and built anew; the rest is shared with the current Atlas.
    pub async fn refresh(&self, store: &Store) -> Result<Arc<Atlas>> {
        if !self.loaded {
            return Ok(self.get());
        }
        // One rebuild at a time: a second caller waits and then finds it up to date.
        let _guard = self.rebuild.lock().await;
        let version = store.data_version().await?;
        let current = self.get();
        if version > current.data_version {
            let started = std::time::Instant::now();
            let changes = Changes::read(store, &current.parts).await?;
            let read_ms = started.elapsed().as_millis();
            let parts = changes.names();
            let catalog = self.catalog.clone();
            let atlas = tokio::task::spawn_blocking(move || current.update(changes, catalog))
                .await
                .map_err(crate::error::Error::internal)?;
            tracing::info!(
                data_version = atlas.data_version,
                parts = parts.join(",").as_str(),
                read_ms,
                total_ms = started.elapsed().as_millis(),
                "Atlas updated"
            );
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
        if !self.loaded {
            return Ok(self.get());
        }
        let _guard = self.rebuild.lock().await;
        let atlas = build_from(store, self.catalog.clone()).await?;
        self.current.store(Arc::new(atlas));
        Ok(self.get())
    }
}

async fn build_from(store: &Store, catalog: Arc<Catalog>) -> Result<Atlas> {
    let started = std::time::Instant::now();
    let snapshot = Snapshot::read(store).await?;
    let read_ms = started.elapsed().as_millis();
    let atlas = tokio::task::spawn_blocking(move || Atlas::build(snapshot, catalog))
        .await
        .map_err(crate::error::Error::internal)?;
    tracing::debug!(
        data_version = atlas.data_version,
        read_ms,
        total_ms = started.elapsed().as_millis(),
        "Atlas built"
    );
    Ok(atlas)
}
