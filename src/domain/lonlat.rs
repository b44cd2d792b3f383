use serde::{Deserialize, Serialize};

/// A WGS84 longitude/latitude pair in decimal degrees (RFC 7946 order: lon first).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

/// Why a coordinate pair was refused; the messages say what to check.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LonLatError {
    #[error("the coordinate is not a finite number")]
    NotFinite,
    #[error(
        "({lon}, {lat}) is not a longitude/latitude in degrees; the coordinates look projected (metres or feet): gapmap needs WGS84 lon/lat (EPSG:4326)"
    )]
    Projected { lon: f64, lat: f64 },
    #[error("latitude {lat} is outside -90..90; are latitude and longitude swapped?")]
    LatitudeOutOfRange { lat: f64 },
    #[error("longitude {lon} is outside -180..180")]
    LongitudeOutOfRange { lon: f64 },
}

impl LonLat {
    /// Checks ranges: longitude in [-180, 180], latitude in [-90, 90].
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::LonLat;
    /// let p = LonLat::new(-87.63, 41.88).unwrap();
    /// assert_eq!((p.lon(), p.lat()), (-87.63, 41.88));
    /// assert!(LonLat::new(101.0, 100.0).is_err());
    /// ```
    pub fn new(lon: f64, lat: f64) -> Result<Self, LonLatError> {
        if !lon.is_finite() || !lat.is_finite() {
            return Err(LonLatError::NotFinite);
        }
        if lon.abs() > 1000.0 || lat.abs() > 1000.0 {
            return Err(LonLatError::Projected { lon, lat });
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(LonLatError::LatitudeOutOfRange { lat });
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(LonLatError::LongitudeOutOfRange { lon });
        }
        Ok(Self { lon, lat })
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// The same point as a `geo` point (x = lon, y = lat).
    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projected_coordinates_are_named_as_such() {
        let err = LonLat::new(443_000.0, 4_640_000.0).unwrap_err();
        assert!(err.to_string().contains("projected"));
    }

    #[test]
    fn latitude_100_is_refused() {
        assert_eq!(
            LonLat::new(101.0, 100.0),
            Err(LonLatError::LatitudeOutOfRange { lat: 100.0 })
        );
    }
}
