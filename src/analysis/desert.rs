//! Desert rules: whether an area counts as a desert for a need, and why.

use crate::domain::DesertRule;

/// The metrics a desert rule looks at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DesertInputs {
    /// P_i.
    pub demand: f64,
    /// Σ S_j of the sites inside the area.
    pub capacity_in_area: f64,
    /// Sites within r.
    pub sites_within: u32,
    /// E2SFCA access.
    pub access_e2sfca: f64,
    /// The radius used, for the reason's text.
    pub radius_km: f64,
}

/// The reason an area is a desert under `rule`, or None when it is not one.
///
/// - `cap_childcare` (Center for American Progress 2018): demand > min_demand and
///   (capacity_in_area = 0 or demand / capacity_in_area > max_ratio). Both bounds are
///   strict: exactly 50 children, or exactly 3 children per slot, is not a desert.
/// - `access`: demand ≥ min_demand and (sites_within = 0 or access_e2sfca < threshold).
///
/// # Examples
/// ```
/// use gapmap::analysis::{DesertInputs, desert_reason};
/// use gapmap::domain::DesertRule;
/// let cap = DesertRule::CapChildcare { min_demand: 50.0, max_ratio: 3.0 };
/// let m = |demand, capacity_in_area| DesertInputs {
///     demand, capacity_in_area, sites_within: 1, access_e2sfca: 0.1, radius_km: 3.0,
/// };
/// assert_eq!(desert_reason(&cap, &m(150.0, 50.0)), None);
/// assert!(desert_reason(&cap, &m(151.0, 50.0)).is_some());
/// assert_eq!(desert_reason(&cap, &m(50.0, 0.0)), None);
/// ```
pub fn desert_reason(rule: &DesertRule, m: &DesertInputs) -> Option<String> {
    match *rule {
        DesertRule::CapChildcare {
            min_demand,
            max_ratio,
        } => {
            if m.demand <= min_demand {
                None
            } else if m.capacity_in_area <= 0.0 {
                Some(format!(
                    "{} children and no licensed slots in the area",
                    m.demand
                ))
            } else if m.demand / m.capacity_in_area > max_ratio {
                Some(format!(
                    "{:.2} children per slot in the area (more than {max_ratio})",
                    m.demand / m.capacity_in_area
                ))
            } else {
                None
            }
        }
        DesertRule::Access {
            min_demand,
            threshold,
        } => {
            if m.demand < min_demand {
                None
            } else if m.sites_within == 0 {
                Some(format!("no site within {} km", m.radius_km))
            } else if m.access_e2sfca < threshold {
                Some(format!(
                    "access {:.3e} per person is below the threshold {threshold:e}",
                    m.access_e2sfca
                ))
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(demand: f64, capacity_in_area: f64, sites_within: u32, access: f64) -> DesertInputs {
        DesertInputs {
            demand,
            capacity_in_area,
            sites_within,
            access_e2sfca: access,
            radius_km: 3.0,
        }
    }

    const CAP: DesertRule = DesertRule::CapChildcare {
        min_demand: 50.0,
        max_ratio: 3.0,
    };

    #[test]
    fn exactly_fifty_children_is_not_a_desert_even_without_slots() {
        assert_eq!(desert_reason(&CAP, &inputs(50.0, 0.0, 0, 0.0)), None);
        assert_eq!(
            desert_reason(&CAP, &inputs(50.5, 0.0, 0, 0.0)).as_deref(),
            Some("50.5 children and no licensed slots in the area")
        );
    }

    #[test]
    fn exactly_three_children_per_slot_is_not_a_desert_and_just_over_is() {
        assert_eq!(desert_reason(&CAP, &inputs(300.0, 100.0, 1, 1.0)), None);
        assert_eq!(
            desert_reason(&CAP, &inputs(301.0, 100.0, 1, 1.0)).as_deref(),
            Some("3.01 children per slot in the area (more than 3)")
        );
    }

    #[test]
    fn the_access_rule_counts_from_min_demand_inclusive() {
        let rule = DesertRule::Access {
            min_demand: 100.0,
            threshold: 0.001,
        };
        assert_eq!(desert_reason(&rule, &inputs(99.0, 0.0, 0, 0.0)), None);
        assert_eq!(
            desert_reason(&rule, &inputs(100.0, 0.0, 0, 0.0)).as_deref(),
            Some("no site within 3 km")
        );
        assert!(desert_reason(&rule, &inputs(100.0, 0.0, 2, 0.0009)).is_some());
        assert_eq!(desert_reason(&rule, &inputs(100.0, 0.0, 2, 0.001)), None);
    }
}
