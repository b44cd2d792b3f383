//! Great-circle distance by the haversine formula, the distance every metric uses
//! (DESIGN.md, "The metrics").

use crate::domain::LonLat;

/// The mean Earth radius in km (IUGG R1 = 6371.0088 km), as DESIGN.md fixes it.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The great-circle distance in **km** between two WGS84 lon/lat points on a sphere of
/// radius [`EARTH_RADIUS_KM`], by the haversine formula (numerically sound for the short
/// distances that matter here, unlike the spherical law of cosines).
///
/// # Examples
/// ```
/// use gapmap::domain::LonLat;
/// use gapmap::spatial::haversine_km;
/// let a = LonLat::new(0.0, 0.0).unwrap();
/// let b = LonLat::new(0.0, 1.0).unwrap();
/// // One degree of arc is R·π/180 km.
/// assert!((haversine_km(a, b) - 111.1950802335329).abs() < 1e-9);
/// ```
pub fn haversine_km(a: LonLat, b: LonLat) -> f64 {
    let (lat1, lat2) = (a.lat().to_radians(), b.lat().to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon() - a.lon()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    // Rounding can push h a hair above 1 for antipodal points; asin needs ≤ 1.
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn a_point_is_zero_km_from_itself() {
        assert_eq!(haversine_km(p(-87.6, 41.8), p(-87.6, 41.8)), 0.0);
    }

    #[test]
    fn a_quarter_meridian_is_a_quarter_of_the_circumference() {
        let quarter = std::f64::consts::PI * EARTH_RADIUS_KM / 2.0;
        assert_relative_eq!(
            haversine_km(p(10.0, 0.0), p(10.0, 90.0)),
            quarter,
            max_relative = 1e-12
        );
    }

    #[test]
    fn antipodes_are_half_the_circumference_apart() {
        let half = std::f64::consts::PI * EARTH_RADIUS_KM;
        assert_relative_eq!(
            haversine_km(p(0.0, 0.0), p(180.0, 0.0)),
            half,
            max_relative = 1e-12
        );
    }

    #[test]
    fn distance_is_symmetric() {
        let (a, b) = (p(-87.70, 41.80), p(-87.65, 41.85));
        assert_eq!(haversine_km(a, b), haversine_km(b, a));
    }
}
