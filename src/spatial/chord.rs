//! Points on the unit sphere and chord lengths: the coordinates the R-trees index.
//!
//! A great-circle distance d and the straight-line (chord) distance c between two points
//! of the unit sphere are tied by c = 2·sin(d / 2R), which grows with d up to the
//! antipode. So "within d km" is "within chord c" and the nearest point by chord is the
//! nearest by great circle: an ordinary Euclidean R-tree answers spherical questions
//! exactly, with no trouble at the poles or the antimeridian.

use super::EARTH_RADIUS_KM;
use crate::domain::LonLat;

/// A point on the unit sphere: x towards (0°E, 0°N), y towards (90°E, 0°N), z north.
pub type Xyz = [f64; 3];

/// The unit vector of a lon/lat point (dimensionless, |v| = 1).
///
/// # Examples
/// ```
/// use gapmap::domain::LonLat;
/// use gapmap::spatial::unit_vector;
/// let v = unit_vector(LonLat::new(90.0, 0.0).unwrap());
/// assert!(v[0].abs() < 1e-15 && (v[1] - 1.0).abs() < 1e-15 && v[2] == 0.0);
/// ```
pub fn unit_vector(p: LonLat) -> Xyz {
    let (lon, lat) = (p.lon().to_radians(), p.lat().to_radians());
    let (slat, clat) = lat.sin_cos();
    let (slon, clon) = lon.sin_cos();
    [clat * clon, clat * slon, slat]
}

/// The squared chord between two unit vectors (dimensionless; 0 to 4).
pub fn chord2(a: &Xyz, b: &Xyz) -> f64 {
    let (dx, dy, dz) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    dx * dx + dy * dy + dz * dz
}

/// The chord on the unit sphere that spans a great-circle distance of `km`
/// (dimensionless; 2 for half the circumference and beyond).
///
/// # Examples
/// ```
/// use gapmap::spatial::{chord_for_km, EARTH_RADIUS_KM};
/// let half_way_round = std::f64::consts::PI * EARTH_RADIUS_KM;
/// assert_eq!(chord_for_km(half_way_round * 2.0), 2.0);
/// assert!((chord_for_km(half_way_round) - 2.0).abs() < 1e-15);
/// ```
pub fn chord_for_km(km: f64) -> f64 {
    let half_angle = km / (2.0 * EARTH_RADIUS_KM);
    if half_angle >= std::f64::consts::FRAC_PI_2 {
        2.0
    } else {
        2.0 * half_angle.sin()
    }
}

/// The great-circle distance in km that a chord of the unit sphere spans.
pub fn km_for_chord(chord: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (chord / 2.0).clamp(0.0, 1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::haversine_km;
    use approx::assert_relative_eq;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn unit_vectors_have_length_one() {
        for (lon, lat) in [(0.0, 0.0), (-87.6, 41.8), (179.9, -89.0), (-180.0, 90.0)] {
            let v = unit_vector(p(lon, lat));
            assert_relative_eq!(chord2(&v, &[0.0; 3]), 1.0, max_relative = 1e-15);
        }
    }

    #[test]
    fn chord_and_haversine_agree() {
        let (a, b) = (p(-87.70, 41.80), p(-87.65, 41.85));
        let c = chord2(&unit_vector(a), &unit_vector(b)).sqrt();
        assert_relative_eq!(km_for_chord(c), haversine_km(a, b), max_relative = 1e-10);
        assert_relative_eq!(chord_for_km(haversine_km(a, b)), c, max_relative = 1e-10);
    }

    #[test]
    fn the_antimeridian_is_no_seam() {
        let (a, b) = (p(179.99, 0.0), p(-179.99, 0.0));
        let c = chord2(&unit_vector(a), &unit_vector(b)).sqrt();
        assert_relative_eq!(km_for_chord(c), haversine_km(a, b), max_relative = 1e-9);
        assert!(km_for_chord(c) < 2.3);
    }
}
