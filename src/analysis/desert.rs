//! Desert rules: whether an area counts as a desert for a need, and why.

use crate::domain::DesertRule;
use serde::Serialize;

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
    /// 2SFCA access.
    pub access_2sfca: f64,
    /// The need's target (supply per unit of demand), for the catchment rule.
    pub target: f64,
    /// The radius used, for the reason's text.
    pub radius_km: f64,
}

impl DesertInputs {
    /// The share of the target met as `rule` measures supply: capacity inside the area ÷
    /// (demand × target) for `cap_childcare`, access_e2sfca ÷ target for `access`,
    /// access_2sfca ÷ target for `catchment`; None without demand or target. A desert
    /// always has a share below 1 (the catalog checks the rules' bounds against their
    /// targets), so the map never draws one in the colour of "target met".
    ///
    /// # Examples
    /// ```
    /// use gapmap::analysis::DesertInputs;
    /// use gapmap::domain::DesertRule;
    /// let cap = DesertRule::CapChildcare { min_demand: 50.0, max_ratio: 3.0 };
    /// let m = DesertInputs {
    ///     demand: 300.0, capacity_in_area: 50.0, sites_within: 4, access_e2sfca: 0.4,
    ///     access_2sfca: 0.5, target: 0.25, radius_km: 3.0,
    /// };
    /// // 50 slots of the 75 that 300 children need at 0.25 a child.
    /// assert_eq!(m.target_met(&cap), Some(50.0 / 75.0));
    /// assert_eq!(m.target_met(&cap.catchment()), Some(2.0));
    /// ```
    pub fn target_met(&self, rule: &DesertRule) -> Option<f64> {
        if !(self.demand > 0.0 && self.target > 0.0) {
            return None;
        }
        Some(match rule {
            DesertRule::CapChildcare { .. } => self.capacity_in_area / (self.demand * self.target),
            DesertRule::Access { .. } => self.access_e2sfca / self.target,
            DesertRule::Catchment { .. } => self.access_2sfca / self.target,
        })
    }
}

/// The reason an area is a desert under `rule`, or None when it is not one.
///
/// - `cap_childcare` (Center for American Progress 2018): demand > min_demand and
///   (capacity_in_area = 0 or demand / capacity_in_area > max_ratio). Both bounds are
///   strict: exactly 50 children, or exactly 3 children per slot, is not a desert.
/// - `access`: demand ≥ min_demand and (sites_within = 0 or access_e2sfca < threshold).
/// - `catchment` (CAP 2020's demand-adjusted supply): demand ≥ min_demand (> with
///   `strict_min`) and access_2sfca < target.
///
/// # Examples
/// ```
/// use gapmap::analysis::{DesertInputs, desert_reason};
/// use gapmap::domain::DesertRule;
/// let cap = DesertRule::CapChildcare { min_demand: 50.0, max_ratio: 3.0 };
/// let m = |demand, capacity_in_area| DesertInputs {
///     demand, capacity_in_area, sites_within: 1, access_e2sfca: 0.1, access_2sfca: 0.1,
///     target: 1.0 / 3.0, radius_km: 3.0,
/// };
/// assert_eq!(desert_reason(&cap, &m(150.0, 50.0)), None);
/// assert!(desert_reason(&cap, &m(151.0, 50.0)).is_some());
/// assert_eq!(desert_reason(&cap, &m(50.0, 0.0)), None);
/// ```
pub fn desert_reason(rule: &DesertRule, m: &DesertInputs) -> Option<String> {
    if !is_desert(rule, m) {
        return None;
    }
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
        DesertRule::Catchment { .. } => Some(if m.sites_within == 0 {
            format!("no site within {} km", m.radius_km)
        } else {
            format!(
                "2SFCA access {:.3e} per unit of demand within {} km is below the target {:e} \
                 ({:.0} % of it)",
                m.access_2sfca,
                m.radius_km,
                m.target,
                100.0 * m.access_2sfca / m.target
            )
        }),
    }
}

/// Whether `rule` makes the area a desert (the condition [`desert_reason`] explains).
pub fn is_desert(rule: &DesertRule, m: &DesertInputs) -> bool {
    match *rule {
        DesertRule::CapChildcare {
            min_demand,
            max_ratio,
        } => {
            m.demand > min_demand
                && (m.capacity_in_area <= 0.0 || m.demand / m.capacity_in_area > max_ratio)
        }
        DesertRule::Access {
            min_demand,
            threshold,
        } => m.demand >= min_demand && (m.sites_within == 0 || m.access_e2sfca < threshold),
        DesertRule::Catchment {
            min_demand,
            strict_min,
        } => {
            let enough_demand = if strict_min {
                m.demand > min_demand
            } else {
                m.demand >= min_demand
            };
            enough_demand && m.access_2sfca < m.target
        }
    }
}

/// Whether an area's desert answer holds across its demand's margin of error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Certainty {
    /// The rule gives the same answer at demand − MOE (floored at 0) and demand + MOE.
    Certain,
    /// It gives different answers: within the margin the area may or may not be a desert.
    Uncertain,
}

/// The desert rule re-evaluated with the demand set to max(0, demand − MOE) and to
/// demand + MOE, every other quantity as computed (DESIGN.md, "Uncertainty"); `None`
/// without a margin.
///
/// # Examples
/// ```
/// use gapmap::analysis::{Certainty, DesertInputs, desert_certainty};
/// use gapmap::domain::DesertRule;
/// let cap = DesertRule::CapChildcare { min_demand: 50.0, max_ratio: 3.0 };
/// let m = DesertInputs {
///     demand: 200.0, capacity_in_area: 50.0, sites_within: 1, access_e2sfca: 0.1,
///     access_2sfca: 0.1, target: 1.0 / 3.0, radius_km: 3.0,
/// };
/// // 200 ± 30 children for 50 slots: 3.4 to 4.6 per slot, a desert either way.
/// assert_eq!(desert_certainty(&cap, &m, Some(30.0)), Some(Certainty::Certain));
/// // 200 ± 60: 2.8 per slot is not a desert, 5.2 is.
/// assert_eq!(desert_certainty(&cap, &m, Some(60.0)), Some(Certainty::Uncertain));
/// assert_eq!(desert_certainty(&cap, &m, None), None);
/// ```
pub fn desert_certainty(
    rule: &DesertRule,
    m: &DesertInputs,
    moe: Option<f64>,
) -> Option<Certainty> {
    let moe = moe?;
    let at = |demand: f64| is_desert(rule, &DesertInputs { demand, ..*m });
    Some(if at((m.demand - moe).max(0.0)) == at(m.demand + moe) {
        Certainty::Certain
    } else {
        Certainty::Uncertain
    })
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
            access_2sfca: access,
            target: 1.0 / 3.0,
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
    fn certainty_compares_the_rule_at_both_ends_of_the_margin() {
        // 60 ± 15 children, no slots: 45 is not above 50, 75 is: uncertain.
        let m = inputs(60.0, 0.0, 0, 0.0);
        assert_eq!(
            desert_certainty(&CAP, &m, Some(15.0)),
            Some(Certainty::Uncertain)
        );
        // 60 ± 10: 50 is exactly the bound (not a desert), 70 is: uncertain.
        assert_eq!(
            desert_certainty(&CAP, &m, Some(10.0)),
            Some(Certainty::Uncertain)
        );
        // 60 ± 9.5: 50.5 and 69.5 are both deserts: certain.
        assert_eq!(
            desert_certainty(&CAP, &m, Some(9.5)),
            Some(Certainty::Certain)
        );
        // A certain non-desert: 30 ± 20 children is at most 50.
        let m = inputs(30.0, 0.0, 0, 0.0);
        assert_eq!(
            desert_certainty(&CAP, &m, Some(20.0)),
            Some(Certainty::Certain)
        );
        // The lower end is floored at 0: 10 ± 40 children for 1 slot is 0 to 50.
        let m = inputs(10.0, 1.0, 1, 0.0);
        assert_eq!(
            desert_certainty(&CAP, &m, Some(40.0)),
            Some(Certainty::Certain)
        );
        // A margin of 0 is certain; no margin is unknown.
        assert_eq!(
            desert_certainty(&CAP, &m, Some(0.0)),
            Some(Certainty::Certain)
        );
        assert_eq!(desert_certainty(&CAP, &m, None), None);
    }

    #[test]
    fn certainty_under_the_access_rule_moves_only_the_demand() {
        let rule = DesertRule::Access {
            min_demand: 100.0,
            threshold: 0.001,
        };
        // No site within reach: a desert wherever demand ≥ 100. 120 ± 30: 90 / 150.
        let m = inputs(120.0, 0.0, 0, 0.0);
        assert_eq!(
            desert_certainty(&rule, &m, Some(30.0)),
            Some(Certainty::Uncertain)
        );
        assert_eq!(
            desert_certainty(&rule, &m, Some(20.0)),
            Some(Certainty::Certain)
        );
        // Access held as computed: above the threshold, never a desert.
        let m = inputs(120.0, 0.0, 3, 0.002);
        assert_eq!(
            desert_certainty(&rule, &m, Some(100.0)),
            Some(Certainty::Certain)
        );
    }

    #[test]
    fn the_catchment_rule_is_2sfca_below_the_target_with_the_needs_demand_floor() {
        let catchment = CAP.catchment();
        // 150 children with 0.3 slots each within reach (target 1/3): a desert.
        let m = inputs(150.0, 500.0, 4, 0.3);
        assert_eq!(
            desert_reason(&catchment, &m).as_deref(),
            Some(
                "2SFCA access 3.000e-1 per unit of demand within 3 km is below the target 3.333333333333333e-1 (90 % of it)"
            )
        );
        // The in-area rule disagrees: 500 slots inside for 150 children.
        assert_eq!(desert_reason(&CAP, &m), None);
        // Exactly the target is enough; CAP's floor stays strict: 50 children never count.
        assert_eq!(
            desert_reason(&catchment, &inputs(150.0, 0.0, 4, 1.0 / 3.0)),
            None
        );
        assert_eq!(desert_reason(&catchment, &inputs(50.0, 0.0, 0, 0.0)), None);
        assert_eq!(
            desert_reason(&catchment, &inputs(51.0, 0.0, 0, 0.0)).as_deref(),
            Some("no site within 3 km")
        );
        // The access rule's floor is inclusive, and stays so.
        let access = DesertRule::Access {
            min_demand: 100.0,
            threshold: 0.001,
        };
        assert!(is_desert(&access.catchment(), &inputs(100.0, 0.0, 1, 0.2)));
    }

    #[test]
    fn a_desert_never_meets_the_target_by_its_rules_measure() {
        // CAP: children per slot above 3 is less than a third of a slot per child.
        for (demand, slots) in [(301.0, 100.0), (51.0, 0.0), (1000.0, 333.0), (60.0, 19.9)] {
            let m = inputs(demand, slots, 1, 1.0);
            assert!(is_desert(&CAP, &m), "{demand} {slots}");
            let met = m.target_met(&CAP).unwrap();
            assert!(met < 1.0, "{demand} children, {slots} slots: {met}");
        }
        // Exactly 3 per slot meets the target, and is no desert.
        let m = inputs(300.0, 100.0, 1, 1.0);
        assert!(!is_desert(&CAP, &m));
        assert_eq!(m.target_met(&CAP), Some(1.0));
        // Without demand there is no share.
        assert_eq!(inputs(0.0, 10.0, 1, 1.0).target_met(&CAP), None);
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
