//! Spatial building blocks: great-circle distance, unit-sphere coordinates, R-trees of
//! points (sites, demand points) and of area polygons, and a need's catchment zones.
//! Distances are great-circle km (haversine, R = 6371.0088 km) throughout.

mod area_index;
mod band_grid;
mod catchment;
mod chord;
mod haversine;
mod point_index;
mod site_index;
mod tile;

pub use area_index::AreaIndex;
pub use band_grid::BandGrid;
pub use catchment::Catchment;
pub use chord::{Xyz, chord_for_km, chord2, km_for_chord, unit_vector};
pub use haversine::{EARTH_RADIUS_KM, haversine_km};
pub use point_index::{IndexedPoint, PointIndex};
pub use site_index::SiteIndex;
pub use tile::{MAX_ZOOM, TileGrid, TileId, ring_area2};
