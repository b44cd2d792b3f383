use super::{Geoid, LonLat};
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

/// Where an area's demand point came from (DESIGN.md, "The data").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandPointSource {
    /// `pop_lon`/`pop_lat`: a population-weighted centroid supplied with the areas.
    PopulationWeighted,
    /// TIGER's `INTPTLON`/`INTPTLAT` internal point.
    InternalPoint,
    /// The polygon's centroid in lon/lat degrees, which lies inside the polygon.
    Centroid,
    /// An interior point, used where the centroid falls outside the polygon.
    InteriorPoint,
}

impl DemandPointSource {
    /// The stable text stored and shown for this source.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PopulationWeighted => "population_weighted",
            Self::InternalPoint => "internal_point",
            Self::Centroid => "centroid",
            Self::InteriorPoint => "interior_point",
        }
    }

    /// Parses the stored text back.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "population_weighted" => Self::PopulationWeighted,
            "internal_point" => Self::InternalPoint,
            "centroid" => Self::Centroid,
            "interior_point" => Self::InteriorPoint,
            _ => return None,
        })
    }
}

/// One area of a geography: a tract, a block group, a school zone …
#[derive(Clone, Debug)]
pub struct Area {
    /// The area's id, unique within its geography.
    pub geoid: Geoid,
    /// A readable name (may be empty when the source has none).
    pub name: String,
    /// The boundary in WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// The point from which distances to sites are measured.
    pub demand_point: LonLat,
    /// Where the demand point came from.
    pub demand_point_source: DemandPointSource,
}

/// A named set of areas, replaced as a whole on upload.
#[derive(Clone, Debug)]
pub struct Geography {
    /// e.g. `tracts-2020`.
    pub name: String,
    /// The areas, in upload order.
    pub areas: Vec<Area>,
}

impl Geography {
    /// The bounding box of its areas' polygons (None when no area has a point).
    pub fn extent(&self) -> Option<geo::Rect<f64>> {
        bbox_union(self.areas.iter().filter_map(|a| {
            use geo::BoundingRect;
            a.geometry.bounding_rect()
        }))
    }
}

/// The smallest box holding every given box (None when there is none).
pub fn bbox_union(boxes: impl IntoIterator<Item = geo::Rect<f64>>) -> Option<geo::Rect<f64>> {
    boxes.into_iter().reduce(|a, b| {
        geo::Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )
    })
}
