//! A need's catchment: the radius r and the E2SFCA distance bands, tested against squared
//! chords so that sweeping millions of area–site pairs needs no trigonometry, yet decided
//! by the haversine distance wherever a pair lies near a bound, so every answer is the
//! one the haversine formula gives (bounds inclusive: d ≤ r).

use super::{Xyz, chord_for_km, chord2, haversine_km};
use crate::domain::LonLat;

/// Relative margin around each bound's squared chord inside which the haversine decides.
/// The squared chord of two unit vectors carries a relative error far below 1e-12 for the
/// distances used here (tens of metres and more); 1e-9 leaves a wide safety factor and
/// still sends only a vanishing share of pairs to the trigonometric test.
const MARGIN: f64 = 1e-9;

/// One distance bound (km) with its squared chord and the window around it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bound {
    km: f64,
    surely_within: f64,
    surely_beyond: f64,
}

impl Bound {
    fn new(km: f64) -> Self {
        let c2 = chord_for_km(km).powi(2);
        Self {
            km,
            surely_within: c2 * (1.0 - MARGIN),
            surely_beyond: c2 * (1.0 + MARGIN) + 1e-24,
        }
    }
}

/// The radius r (km) and step bands `[upper_km, weight]` of a need.
///
/// A pair's **zone** is the index of the first band whose upper bound is ≥ d, or
/// `bands.len()` when d lies beyond the last band but still within r (weight 0, yet
/// counted by 2SFCA and `sites_within`); a pair beyond r has no zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Catchment {
    radius_km: f64,
    bands: Vec<(f64, f64)>,
    /// The bands' upper bounds, then the radius.
    limits: Vec<Bound>,
    /// The same limits in fixed-width arrays when there are at most [`LANES`] of them
    /// (every bundled need has four or fewer): the sweeps test a pair against all of them
    /// at once.
    lanes: Option<Lanes>,
}

/// Width of [`Lanes`]: four limits, two SSE2 registers of f64.
const LANES: usize = 4;

/// The limits' surely-within squared chords, padded with +∞ so that a padding lane never
/// counts, and for each zone z the surely-beyond chord of the limit below it (−∞ for
/// zone 0 and padding), so that one comparison tells whether a pair lies near a bound.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Lanes {
    surely_within: [f64; LANES],
    beyond_below: [f64; 2 * LANES],
}

impl Lanes {
    fn new(limits: &[Bound]) -> Option<Self> {
        let ascending = limits.windows(2).all(|w| w[0].km <= w[1].km);
        (ascending && limits.len() <= LANES).then(|| {
            let mut lanes = Self {
                surely_within: [f64::INFINITY; LANES],
                beyond_below: [f64::NEG_INFINITY; 2 * LANES],
            };
            for (i, l) in limits.iter().enumerate() {
                lanes.surely_within[i] = l.surely_within;
                lanes.beyond_below[i + 1] = l.surely_beyond;
            }
            lanes
        })
    }

    /// The number z of limits surely passed, and whether `c2` lies near a limit. The
    /// limits ascend, so a pair near any limit is near limit z − 1: with c2 ≥ within(l)
    /// for every l < z, c2 ≤ beyond(l) for some l < z implies c2 ≤ beyond(z − 1).
    #[inline]
    fn count(&self, c2: f64) -> (usize, bool) {
        let mut beyond = 0;
        for w in self.surely_within {
            beyond += usize::from(c2 >= w);
        }
        // beyond ≤ LANES < 2·LANES: the mask only spares the bounds check.
        (beyond, c2 <= self.beyond_below[beyond & (2 * LANES - 1)])
    }
}

impl Catchment {
    /// A catchment of radius `radius_km` with ascending `bands` (`[upper_km, weight]`);
    /// bands reaching beyond the radius never apply, since a pair beyond r has no zone.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::LonLat;
    /// use gapmap::spatial::{Catchment, unit_vector, chord2};
    /// let c = Catchment::new(3.0, vec![(1.0, 1.0), (2.0, 0.68), (3.0, 0.22)]);
    /// let a = LonLat::new(0.0, 0.0).unwrap();
    /// let b = LonLat::new(0.0, 0.015).unwrap(); // 1.668 km north
    /// let zone = c.zone(chord2(&unit_vector(a), &unit_vector(b)), a, b);
    /// assert_eq!(zone, Some(1));
    /// assert_eq!(c.weight(1), 0.68);
    /// ```
    pub fn new(radius_km: f64, bands: Vec<(f64, f64)>) -> Self {
        // Bands beyond the radius can never apply: keep the limits ascending.
        let limits = bands
            .iter()
            .map(|b| b.0.min(radius_km))
            .chain([radius_km])
            .map(Bound::new)
            .collect::<Vec<_>>();
        Self {
            radius_km,
            bands,
            lanes: Lanes::new(&limits),
            limits,
        }
    }

    /// The radius r in km.
    pub fn radius_km(&self) -> f64 {
        self.radius_km
    }

    /// The bands `[upper_km, weight]`.
    pub fn bands(&self) -> &[(f64, f64)] {
        &self.bands
    }

    /// A squared chord that every pair within r stays below (for candidate searches).
    pub fn query_chord2(&self) -> f64 {
        self.limits.last().map_or(0.0, |r| r.surely_beyond)
    }

    /// The zone of a pair at squared chord `c2` between `a` and `b` (see the type's doc).
    pub fn zone(&self, c2: f64, a: LonLat, b: LonLat) -> Option<u8> {
        self.zone_with(c2, || haversine_km(a, b))
    }

    /// The zone of a pair given by lon/lat and unit vectors.
    pub fn zone_of(&self, a: (LonLat, &Xyz), b: (LonLat, &Xyz)) -> Option<u8> {
        self.zone(chord2(a.1, b.1), a.0, b.0)
    }

    /// The zone of a pair at squared chord `c2`; `exact_km` gives its haversine distance
    /// and is called only for a pair lying near a bound.
    #[inline]
    pub fn zone_with(&self, c2: f64, exact_km: impl Fn() -> f64) -> Option<u8> {
        let z = self.zone_index(c2, exact_km);
        (z < self.limits.len()).then(|| u8::try_from(z).unwrap_or(u8::MAX))
    }

    /// The zone as an index 0..=bands.len(), or bands.len() + 1 beyond r: the number of
    /// limits (band bounds, then r) the pair lies beyond. Branch-free on the usual path,
    /// for the FCA sweeps, where zones change unpredictably from pair to pair.
    #[inline]
    pub fn zone_index(&self, c2: f64, exact_km: impl Fn() -> f64) -> usize {
        let (mut beyond, unsure) = match &self.lanes {
            Some(lanes) => lanes.count(c2),
            None => self.count_each(c2),
        };
        if unsure {
            let km = exact_km();
            beyond = self.limits.iter().filter(|l| km > l.km).count();
        }
        beyond
    }

    /// What [`Lanes::count`] computes, limit by limit, for any number of limits.
    fn count_each(&self, c2: f64) -> (usize, bool) {
        let mut beyond = 0;
        let mut unsure = false;
        for l in &self.limits {
            beyond += usize::from(c2 >= l.surely_within);
            unsure |= (c2 >= l.surely_within) & (c2 <= l.surely_beyond);
        }
        (beyond, unsure)
    }

    /// The E2SFCA weight of a zone: the band's weight, 0 beyond the last band.
    pub fn weight(&self, zone: u8) -> f64 {
        self.bands.get(usize::from(zone)).map_or(0.0, |b| b.1)
    }

    /// Per zone index (0..=bands.len() + 1, see [`Self::zone_index`]), the 2SFCA (uniform)
    /// or E2SFCA (band) weight; 0 beyond r.
    pub fn weights(&self, bands: bool) -> Vec<f64> {
        (0..self.limits.len() + 1)
            .map(|z| match z {
                z if z >= self.limits.len() => 0.0,
                z if bands => self.bands.get(z).map_or(0.0, |b| b.1),
                _ => 1.0,
            })
            .collect()
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::unit_vector;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    fn zone(c: &Catchment, a: LonLat, b: LonLat) -> Option<u8> {
        c.zone_of((a, &unit_vector(a)), (b, &unit_vector(b)))
    }

    #[test]
    fn a_pair_exactly_at_the_radius_is_within() {
        let (a, b) = (p(-87.70, 41.80), p(-87.66, 41.83));
        let d = haversine_km(a, b);
        assert_eq!(zone(&Catchment::new(d, vec![(d, 1.0)]), a, b), Some(0));
        let just_less = d * (1.0 - 1e-15);
        assert_eq!(
            zone(&Catchment::new(just_less, vec![(just_less, 1.0)]), a, b),
            None
        );
    }

    #[test]
    fn zones_follow_the_bands_and_the_radius() {
        let c = Catchment::new(3.0, vec![(1.0, 1.0), (2.0, 0.5)]);
        let a = p(0.0, 0.0);
        // 0.01° of latitude ≈ 1.112 km.
        assert_eq!(zone(&c, a, p(0.0, 0.005)), Some(0));
        assert_eq!(zone(&c, a, p(0.0, 0.01)), Some(1));
        assert_eq!(zone(&c, a, p(0.0, 0.02)), Some(2));
        assert_eq!(c.weight(2), 0.0);
        assert_eq!(zone(&c, a, p(0.0, 0.03)), None);
    }

    proptest::proptest! {
        /// The lanes' one-comparison test of "near a bound" and their count agree with
        /// testing every limit, on chords at and around each bound, with bands that end
        /// at the radius (two equal limits) or beyond it.
        #[test]
        fn lanes_agree_with_testing_each_limit(
            radius in 0.5..40.0f64,
            cuts in proptest::collection::vec(0.05..1.2f64, 0..4),
            offsets in proptest::collection::vec(-3.0..3.0f64, 1..8),
        ) {
            let mut uppers: Vec<f64> = cuts.iter().map(|c| c * radius).collect();
            uppers.sort_by(f64::total_cmp);
            if let Some(last) = uppers.last_mut() {
                *last = last.max(radius); // the last band often ends at r
            }
            let bands: Vec<(f64, f64)> = uppers.iter().map(|u| (*u, 0.5)).collect();
            let c = Catchment::new(radius, bands);
            let lanes = c.lanes.expect("at most four limits take the lanes");
            for bound in &c.limits {
                let exact = chord_for_km(bound.km).powi(2);
                for o in &offsets {
                    // From well inside to well beyond the margin around the bound.
                    let c2 = exact * (1.0 + o * MARGIN);
                    proptest::prop_assert_eq!(lanes.count(c2), c.count_each(c2), "c2 {}", c2);
                }
                for c2 in [bound.surely_within, bound.surely_beyond, 0.0, 4.0] {
                    proptest::prop_assert_eq!(lanes.count(c2), c.count_each(c2));
                }
            }
        }
    }

    #[test]
    fn more_limits_than_lanes_are_tested_one_by_one() {
        let bands: Vec<(f64, f64)> = (1..=6)
            .map(|k| (f64::from(k), 1.0 / f64::from(k)))
            .collect();
        let c = Catchment::new(6.0, bands);
        assert!(c.lanes.is_none());
        let a = p(0.0, 0.0);
        // 0.01° of latitude ≈ 1.112 km: past the 1 km bound, within 2 km.
        assert_eq!(zone(&c, a, p(0.0, 0.01)), Some(1));
        assert_eq!(zone(&c, a, p(0.0, 0.05)), Some(5));
        assert_eq!(zone(&c, a, p(0.0, 0.06)), None);
    }
}
