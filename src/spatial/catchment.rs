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
            .collect();
        Self {
            radius_km,
            bands,
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
        let mut beyond = 0;
        let mut unsure = false;
        for l in &self.limits {
            beyond += usize::from(c2 >= l.surely_within);
            unsure |= (c2 >= l.surely_within) & (c2 <= l.surely_beyond);
        }
        if unsure {
            let km = exact_km();
            beyond = self.limits.iter().filter(|l| km > l.km).count();
        }
        beyond
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
}
