//! Travel-time matrices: the minutes from each area to each site (or destination area) by
//! one way of travelling, as a region's routing tools (r5py/r5r, OpenTripPlanner, OSRM,
//! OpenTimes) produce them. A pair that is not in the matrix is unreachable.

use super::Geoid;
use serde::{Deserialize, Serialize};

/// The longest reach M accepted, in minutes: four hours. Longer trips are not a
/// community's access, and the matrix tools rarely go that far.
pub const MAX_MINUTES: f64 = 240.0;

/// How a family travels (`/travel-times/{mode}`, `/gaps?mode=`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum TravelMode {
    /// On foot.
    Walk,
    /// Public transit (with walking to and from it).
    Transit,
    /// By car.
    Drive,
    /// By bicycle.
    Bike,
}

impl TravelMode {
    /// Every mode, in the order the API lists them.
    pub const ALL: [TravelMode; 4] = [Self::Walk, Self::Transit, Self::Drive, Self::Bike];

    /// Parses `walk`, `transit`, `drive` or `bike`.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::TravelMode;
    /// assert_eq!(TravelMode::parse("transit"), Some(TravelMode::Transit));
    /// assert_eq!(TravelMode::parse("car"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == s)
    }

    /// The name the API uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Walk => "walk",
            Self::Transit => "transit",
            Self::Drive => "drive",
            Self::Bike => "bike",
        }
    }

    /// How a sentence says it ("by transit").
    pub fn phrase(self) -> &'static str {
        match self {
            Self::Walk => "on foot",
            Self::Transit => "by transit",
            Self::Drive => "by car",
            Self::Bike => "by bike",
        }
    }
}

/// Where a matrix came from: shown in the report's sources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatrixSource {
    /// The tool that computed it (as given, or as its format tells: `r5py/r5r`,
    /// `OpenTripPlanner`, `OSRM`, `OpenTimes`).
    pub tool: String,
    /// When the tool ran or the network it used dates from, as given.
    pub date: Option<String>,
    /// The departure time the tool used, as given (transit times depend on it).
    pub departure: Option<String>,
    /// The uploaded file's name.
    pub file: String,
    /// When it was stored (RFC 3339, UTC).
    pub stored_at: String,
}

/// What a matrix's `to_id`s name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    /// Site ids: each pair is the time to that site.
    Sites,
    /// Area GEOIDs: every site in a destination area takes that area's time.
    Areas,
}

impl DestinationKind {
    /// The name the store and the API use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sites => "sites",
            Self::Areas => "areas",
        }
    }

    /// Parses [`Self::name`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sites" => Some(Self::Sites),
            "areas" => Some(Self::Areas),
            _ => None,
        }
    }
}

/// One travel-time matrix of one geography and mode, stored compactly: per origin the
/// destinations it reaches and the minutes, origins in upload order, destinations sorted.
#[derive(Clone, Debug, PartialEq)]
pub struct TravelMatrix {
    /// The geography whose areas are the origins.
    pub geography: String,
    /// How the times were travelled.
    pub mode: TravelMode,
    /// Where it came from.
    pub source: MatrixSource,
    /// What the destinations are.
    pub kind: DestinationKind,
    /// The origin areas.
    pub origins: Vec<Geoid>,
    /// The destination ids (site ids or GEOIDs).
    pub destinations: Vec<String>,
    /// `offsets[o]..offsets[o + 1]` are origin o's pairs in `to` and `minutes`.
    pub offsets: Vec<u32>,
    /// Destination (position in `destinations`) of each pair.
    pub to: Vec<u32>,
    /// Minutes of each pair (≥ 0).
    pub minutes: Vec<f32>,
}

impl TravelMatrix {
    /// The pairs of origin `o`: (destination position, minutes).
    pub fn row(&self, o: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        let (a, b) = (self.offsets[o] as usize, self.offsets[o + 1] as usize);
        self.to[a..b]
            .iter()
            .copied()
            .zip(self.minutes[a..b].iter().copied())
    }

    /// How many pairs the matrix holds.
    pub fn pairs(&self) -> usize {
        self.to.len()
    }

    /// Origin o's pairs as stored: little-endian (u32 destination, f32 minutes) each.
    pub fn row_bytes(&self, o: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            (self.offsets[o + 1] - self.offsets[o]) as usize * std::mem::size_of::<(u32, f32)>(),
        );
        for (d, m) in self.row(o) {
            out.extend_from_slice(&d.to_le_bytes());
            out.extend_from_slice(&m.to_le_bytes());
        }
        out
    }

    /// Appends an origin's pairs read back from [`Self::row_bytes`]; false when the bytes
    /// are not whole pairs.
    pub fn push_row_bytes(&mut self, bytes: &[u8]) -> bool {
        if !bytes.len().is_multiple_of(8) {
            return false;
        }
        for pair in bytes.chunks_exact(8) {
            let (d, m) = pair.split_at(4);
            let (Ok(d), Ok(m)) = (<[u8; 4]>::try_from(d), <[u8; 4]>::try_from(m)) else {
                return false;
            };
            self.to.push(u32::from_le_bytes(d));
            self.minutes.push(f32::from_le_bytes(m));
        }
        self.offsets
            .push(u32::try_from(self.to.len()).unwrap_or(u32::MAX));
        true
    }
}

/// A stored matrix as `GET /api/v1/travel-times` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatrixSummary {
    /// The geography of its origins.
    pub geography: String,
    /// The mode.
    pub mode: TravelMode,
    /// What its destinations are.
    pub destinations: DestinationKind,
    /// Origin areas with at least one pair.
    pub origins: usize,
    /// Destination ids.
    pub destination_count: usize,
    /// Pairs (origin, destination) with a time.
    pub pairs: usize,
    /// Where it came from.
    pub source: MatrixSource,
}

impl TravelMatrix {
    /// The summary of this matrix.
    pub fn summary(&self) -> MatrixSummary {
        MatrixSummary {
            geography: self.geography.clone(),
            mode: self.mode,
            destinations: self.kind,
            origins: self.origins.len(),
            destination_count: self.destinations.len(),
            pairs: self.pairs(),
            source: self.source.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_their_bytes() {
        let m = TravelMatrix {
            geography: "g".into(),
            mode: TravelMode::Walk,
            source: MatrixSource::default(),
            kind: DestinationKind::Sites,
            origins: vec![Geoid::parse("1").unwrap(), Geoid::parse("2").unwrap()],
            destinations: vec!["a".into(), "b".into()],
            offsets: vec![0, 2, 3],
            to: vec![0, 1, 1],
            minutes: vec![1.5, 20.0, 0.0],
        };
        let mut back = TravelMatrix {
            offsets: vec![0],
            to: Vec::new(),
            minutes: Vec::new(),
            ..m.clone()
        };
        for o in 0..2 {
            assert!(back.push_row_bytes(&m.row_bytes(o)));
        }
        assert_eq!(back, m);
        assert!(!back.push_row_bytes(&[1, 2, 3]));
    }
}
