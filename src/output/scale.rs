//! The one colour scale of "share of the target met" (the `target_met` of a gap row), the
//! same on the map page, which reads it from `/api/v1/vocabulary`, and in the printed
//! report. Its classes are fixed shares of the need's target, so a colour means the same
//! in every view, year and need; the last class, "target met", is the only one a desert
//! can never fall in (DESIGN.md, "Colour").

use serde::Serialize;

/// Lower bounds of classes 1 to 4: class k holds the shares in [BOUNDS[k−1], BOUNDS[k])
/// (class 0 those below 25 %, class 4 the target met).
pub const TARGET_MET_BOUNDS: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// Viridis in five steps, dark (least met) to light (met): readable with every common
/// colour-vision deficiency and in grey, since its lightness rises steadily.
pub const TARGET_MET_COLOURS: [&str; 5] = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

/// What each class means.
pub const TARGET_MET_LABELS: [&str; 5] = [
    "under 25% of the target",
    "25% to under 50%",
    "50% to under 75%",
    "75% to under 100%",
    "target met (100% or more)",
];

/// Areas without demand, which have no share.
pub const NO_DEMAND: &str = "#d4d4d4";

/// The class of a share of the target met.
///
/// # Examples
/// ```
/// use gapmap::output::scale::target_met_class;
/// assert_eq!(target_met_class(0.0), 0);
/// assert_eq!(target_met_class(0.25), 1);
/// assert_eq!(target_met_class(0.999), 3);
/// assert_eq!(target_met_class(1.0), 4);
/// assert_eq!(target_met_class(7.5), 4);
/// ```
pub fn target_met_class(share: f64) -> usize {
    TARGET_MET_BOUNDS.iter().filter(|b| share >= **b).count()
}

/// The colour of an area's `target_met` (None: no demand).
pub fn target_met_colour(share: Option<f64>) -> &'static str {
    share.map_or(NO_DEMAND, |s| TARGET_MET_COLOURS[target_met_class(s)])
}

/// The scale as the vocabulary publishes it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TargetMetScale {
    /// [`TARGET_MET_BOUNDS`].
    pub bounds: [f64; 4],
    /// [`TARGET_MET_COLOURS`].
    pub colours: [&'static str; 5],
    /// [`TARGET_MET_LABELS`].
    pub labels: [&'static str; 5],
    /// [`NO_DEMAND`].
    pub no_demand: &'static str,
}

/// The scale, for `/api/v1/vocabulary`.
pub fn target_met_scale() -> TargetMetScale {
    TargetMetScale {
        bounds: TARGET_MET_BOUNDS,
        colours: TARGET_MET_COLOURS,
        labels: TARGET_MET_LABELS,
        no_demand: NO_DEMAND,
    }
}

/// The colours of an area's barrier count, 0 to 4 (`/barriers`' `count`): the same
/// viridis reversed, light (no barrier) to dark (all four), so that dark is worse here as
/// on the target-met scale. Fixed: a count has the same colour in every year.
pub const BARRIER_COLOURS: [&str; 5] = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];

/// What each count means.
pub const BARRIER_LABELS: [&str; 5] = [
    "no barrier",
    "1 barrier",
    "2 barriers",
    "3 barriers",
    "all 4 barriers",
];

/// The barrier-count scale as the vocabulary publishes it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BarrierScale {
    /// [`BARRIER_COLOURS`]: `colours[n]` is the colour of n barriers.
    pub colours: [&'static str; 5],
    /// [`BARRIER_LABELS`].
    pub labels: [&'static str; 5],
}

/// The barrier scale, for `/api/v1/vocabulary`.
pub fn barrier_scale() -> BarrierScale {
    BarrierScale {
        colours: BARRIER_COLOURS,
        labels: BARRIER_LABELS,
    }
}
