//! Gap analysis: pure functions from an Atlas, a need and parameters to the metrics of
//! DESIGN.md ("The metrics"). Nothing here does I/O; the API and the CLI call [`gaps`].
//!
//! The building blocks are public so later analyses (outreach, compare, siting) reuse
//! them: [`Problem`] (demand points, supply sites, catchment), [`sweep`] (both FCA steps
//! for any weightings), [`supply_sites`], [`desert_reason`] and [`resolve`].

mod cache;
mod desert;
mod export;
mod fca;
mod gaps;
pub(crate) mod parallel;
mod params;
mod problem;
mod supply;

pub use cache::GapCache;
pub use desert::{DesertInputs, desert_reason};
pub use export::{CSV_COLUMNS, to_csv, to_geojson};
pub use fca::{AreaReach, Fca, Weighting, e2sfca, sweep, two_sfca};
pub use gaps::{AreaGap, GapReport, GapSummary, Prepared, compute_gaps, gaps, prepare};
pub use params::{GapParams, MAX_RADIUS_KM, Resolved, fit_bands, hours_name, resolve};
pub use problem::{Problem, SupplySite};
pub use supply::supply_sites;
