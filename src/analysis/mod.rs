//! Gap analysis: pure functions from an Atlas, a need and parameters to the metrics of
//! DESIGN.md ("The metrics"). Nothing here does I/O or knows of formats; the API and the
//! CLI call [`gaps`] and hand the answer to [`crate::output`].
//!
//! The building blocks are public so later analyses (outreach, compare, siting) reuse
//! them: [`Problem`] (demand points, supply sites, catchment), [`sweep`] (both FCA steps
//! for any weightings), [`supply_sites`], [`desert_reason`] and [`resolve`].
//!
//! Built on the gap report: [`outreach`] (areas ranked by unserved eligible families),
//! [`compare`] (one need in two years, area by area) and [`siting`] (where new sites
//! would close the most shortfall).

pub mod barriers;
pub mod compare;
mod desert;
mod fca;
pub mod filters;
mod gaps;
pub mod lookup;
pub mod minutes;
pub mod opportunities;
pub mod outreach;
mod params;
mod problem;
pub mod search;
pub mod siting;
mod source;
mod supply;
#[cfg(test)]
pub(crate) mod testing;
mod vehicle;

pub use barriers::{BarrierReport, barriers};
pub use compare::{CompareReport, compare};
pub use desert::{Certainty, DesertInputs, desert_certainty, desert_reason, is_desert};
pub use fca::{AreaReach, Fca, Weighting, e2sfca, sweep, two_sfca};
pub use filters::{FilterOption, FilterReport, filter_options, supplying_sites};
pub use gaps::{AreaGap, GapReport, GapSummary, Prepared, compute_gaps, gaps, prepare};
pub use minutes::Decay;
pub use opportunities::{OpportunityReport, opportunities};
pub use outreach::{OutreachParams, OutreachReport, outreach};
pub use params::{
    GapParams, MAX_RADIUS_KM, Resolved, RuleChoice, TravelRequest, TravelResolved, fit_bands,
    hours_name, resolve, travel_request,
};
pub use problem::{Problem, SupplySite};
pub use search::{SearchReport, search};
pub use siting::{MAX_K, SitingParams, SitingReport, siting};
pub use source::{Cached, Source};
pub use supply::supply_sites;
pub use vehicle::{
    VehicleArea, VehicleParams, VehicleReport, VehicleResolved, VehicleSummary, vehicle_access,
};
