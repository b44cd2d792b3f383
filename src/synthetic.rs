//! A deterministic synthetic national problem for benchmarks: as many areas as the US
//! has block groups (242,747), each a tiny square around its demand point, and 250,000
//! child-care sites, both clustered in towns whose sizes follow Zipf's law.
//!
//! Towns have the density of a real urban core at their centre, so a big town spreads
//! like a metro area and a 15 km catchment holds hundreds of sites in a city and a few in
//! the country, as it would nationally. A fixed seed makes every run the same problem.
//!
//! [`StateMatrix`] makes a state instead (a Texas-sized box, a few dozen towns) with its
//! tract-to-tract drive-time matrix, as r5py writes one, for the scale benchmark of
//! travel-time catchments.

use crate::atlas::Snapshot;
use crate::domain::{
    Area, Assessment, DemandPointSource, Geography, Geoid, IndicatorRow, IndicatorTable, LonLat,
    Partner, Site, SiteService,
};
use geo::{MultiPolygon, Rect};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

/// US block groups in the 2020 census: the national number of areas.
pub const NATIONAL_AREAS: usize = 242_747;
/// Sites of one service nationally.
pub const NATIONAL_SITES: usize = 250_000;
/// The indicator the synthetic areas carry (the child-care need's demand).
pub const INDICATOR: &str = "children_under_5";
/// The geography name.
pub const GEOGRAPHY: &str = "synthetic-block-groups";

const TOWNS: usize = 3_000;
/// Areas (and sites) per km² at a town's centre: about a dense urban core's block groups.
const CENTRE_DENSITY_PER_KM2: f64 = 1.5;
/// Shares of areas and of sites scattered over the country outside any town.
const RURAL_AREAS: f64 = 0.08;
const RURAL_SITES: f64 = 0.05;
/// Side of an area's square, in degrees (about 200 m).
const AREA_SIDE_DEG: f64 = 0.002;
const KM_PER_DEG: f64 = 111.195;

/// The generated problem.
#[derive(Clone, Debug)]
pub struct National {
    /// The areas (GEOIDs `000000000001` …, 12 digits like block groups).
    pub areas: Vec<Area>,
    /// Children under 5 per area, 0 to 400.
    pub demand: Vec<f64>,
    /// Child-care sites with 10 to 150 slots.
    pub sites: Vec<Site>,
}

struct Town {
    lon: f64,
    lat: f64,
    sigma_km: f64,
}

/// Where towns are drawn: a box of longitudes and latitudes and the number of towns.
struct Region {
    lon: std::ops::Range<f64>,
    lat: std::ops::Range<f64>,
    towns: usize,
}

/// The lower 48 states.
const US: Region = Region {
    lon: -123.0..-68.0,
    lat: 26.0..48.5,
    towns: TOWNS,
};

/// Towns of Zipf-distributed sizes in a region, and a way to place a point among them.
struct Towns<'a> {
    region: &'a Region,
    towns: Vec<Town>,
    cumulative: Vec<f64>,
}

impl<'a> Towns<'a> {
    fn new(rng: &mut StdRng, region: &'a Region, areas: usize) -> Self {
        // Zipf weights: town k has a share ∝ 1/(k+1).
        let weights: Vec<f64> = (0..region.towns).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let total: f64 = weights.iter().sum();
        let mut cumulative = Vec::with_capacity(region.towns);
        let mut acc = 0.0;
        for w in &weights {
            acc += w / total;
            cumulative.push(acc);
        }
        let towns: Vec<Town> = weights
            .iter()
            .map(|w| {
                // Expected areas in the town; a 2-D Gaussian of σ has its centre density
                // n / (2πσ²), set to the urban core's.
                let n = (areas as f64 * (1.0 - RURAL_AREAS) * w / total).max(1.0);
                Town {
                    lon: rng.random_range(region.lon.clone()),
                    lat: rng.random_range(region.lat.clone()),
                    sigma_km: (n / (2.0 * std::f64::consts::PI * CENTRE_DENSITY_PER_KM2)).sqrt(),
                }
            })
            .collect();
        Self {
            region,
            towns,
            cumulative,
        }
    }

    /// A point: anywhere in the region with probability `rural_share`, else in a town
    /// drawn by size, Gaussian around its centre.
    fn place(&self, rng: &mut StdRng, rural_share: f64) -> (f64, f64) {
        if rng.random::<f64>() < rural_share {
            return (
                rng.random_range(self.region.lon.clone()),
                rng.random_range(self.region.lat.clone()),
            );
        }
        let u: f64 = rng.random();
        let t = &self.towns[self
            .cumulative
            .partition_point(|c| *c < u)
            .min(self.towns.len() - 1)];
        let (dx, dy) = gaussian_pair(rng);
        let lat = (t.lat + dy * t.sigma_km / KM_PER_DEG).clamp(-89.0, 89.0);
        let lon = t.lon + dx * t.sigma_km / (KM_PER_DEG * lat.to_radians().cos());
        (lon.clamp(-179.0, 179.0), lat)
    }
}

fn synthetic_site(j: usize, lon: f64, lat: f64, rng: &mut StdRng) -> Site {
    Site {
        id: format!("s{j:06}"),
        partner_id: "synthetic".into(),
        name: format!("Site {j}"),
        location: LonLat::new(lon, lat).unwrap_or_else(|_| origin()),
        address: None,
        services: vec![SiteService {
            code: "childcare".into(),
            capacity: Some(f64::from(rng.random_range(10..=150u32))),
        }],
        languages: Vec::new(),
        hours: None,
    }
}

impl National {
    /// Generates `areas` areas and `sites` sites from `seed`.
    pub fn generate(areas: usize, sites: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let towns = Towns::new(&mut rng, &US, areas);
        let mut out_areas = Vec::with_capacity(areas);
        let mut demand = Vec::with_capacity(areas);
        for i in 0..areas {
            let (lon, lat) = towns.place(&mut rng, RURAL_AREAS);
            out_areas.push(square_area(i, lon, lat));
            demand.push(f64::from(rng.random_range(0..=400u32)));
        }
        let mut out_sites = Vec::with_capacity(sites);
        for j in 0..sites {
            let (lon, lat) = towns.place(&mut rng, RURAL_SITES);
            out_sites.push(synthetic_site(j, lon, lat, &mut rng));
        }
        // The store orders sites by id; so does the generator (ids are zero-padded).
        Self {
            areas: out_areas,
            demand,
            sites: out_sites,
        }
    }

    /// The national problem: [`NATIONAL_AREAS`] areas, [`NATIONAL_SITES`] sites, seed 2020.
    // `National::national()` names the benchmark's fixed instance, not a plain constructor.
    #[allow(clippy::self_named_constructors)]
    pub fn national() -> Self {
        Self::generate(NATIONAL_AREAS, NATIONAL_SITES, 2020)
    }

    /// A store snapshot holding the problem as assessment year 2020.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            data_version: 1,
            parts: Default::default(),
            geographies: vec![Geography {
                name: GEOGRAPHY.into(),
                areas: self.areas.clone(),
            }],
            assessments: vec![Assessment {
                year: 2020,
                version: 1,
                geography: GEOGRAPHY.into(),
                table: IndicatorTable {
                    columns: vec![INDICATOR.into()],
                    rows: self
                        .areas
                        .iter()
                        .zip(&self.demand)
                        .map(|(a, d)| IndicatorRow {
                            geoid: a.geoid.clone(),
                            values: vec![Some(*d)],
                        })
                        .collect(),
                },
                warnings: Vec::new(),
            }],
            partners: vec![Partner::named("synthetic", "Synthetic partner")],
            sites: self.sites.clone(),
            records: Vec::new(),
            travel: Vec::new(),
            needs: Vec::new(),
        }
    }

    /// Writes `areas.geojson`, `assessment.csv` and `sites.csv` (gapmap's flat partner
    /// CSV) into `dir`, for `gapmap import` and a service-level measurement.
    pub fn write_files(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("areas.geojson"))?);
        f.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        for (i, a) in self.areas.iter().enumerate() {
            let (x, y) = (a.demand_point.lon(), a.demand_point.lat());
            let h = AREA_SIDE_DEG / 2.0;
            if i > 0 {
                f.write_all(b",\n")?;
            }
            write!(
                f,
                r#"{{"type":"Feature","properties":{{"GEOID":"{}","NAME":"{}"}},"geometry":{{"type":"Polygon","coordinates":[[[{},{}],[{},{}],[{},{}],[{},{}],[{},{}]]]}}}}"#,
                a.geoid,
                a.name,
                x - h,
                y - h,
                x + h,
                y - h,
                x + h,
                y + h,
                x - h,
                y + h,
                x - h,
                y - h
            )?;
        }
        f.write_all(b"\n]}\n")?;
        f.flush()?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("assessment.csv"))?);
        writeln!(f, "GEOID,{INDICATOR}")?;
        for (a, d) in self.areas.iter().zip(&self.demand) {
            writeln!(f, "{},{d}", a.geoid)?;
        }
        f.flush()?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("sites.csv"))?);
        writeln!(f, "id,name,partner,lat,lon,services,capacity")?;
        for s in &self.sites {
            let cap = s.services.first().and_then(|x| x.capacity).unwrap_or(0.0);
            writeln!(
                f,
                "{},{},Synthetic partner,{},{},childcare,{cap}",
                s.id,
                s.name,
                s.location.lat(),
                s.location.lon()
            )?;
        }
        f.flush()
    }
}

/// A Texas-sized box (the state has 6,896 tracts in 2020) with a few dozen towns, so that
/// its metros hold most of the pairs within an hour's drive.
const STATE: Region = Region {
    lon: -106.6..-93.5,
    lat: 25.8..36.5,
    towns: 30,
};
/// Areas of the synthetic state (the state scale of BENCHMARKS.md).
pub const STATE_AREAS: usize = 24_275;
/// Sites of the synthetic state.
pub const STATE_SITES: usize = 25_000;
/// Pairs of the synthetic drive matrix.
pub const STATE_PAIRS: usize = 50_000_000;
/// The state's areas sit on a grid of cells this wide (degrees), one area per cell, so
/// that their squares never overlap and a site at an area's centre lies in that area only.
const STATE_CELL_DEG: f64 = 2.0 * AREA_SIDE_DEG;
/// Pairs farther apart than this are never in the matrix (a drive of over 4 hours).
const STATE_MAX_KM: f64 = 400.0;
/// Histogram bins of the raw drive times, in minutes.
const BIN_MINUTES: f64 = 0.001;
const MAX_RAW_MINUTES: f64 = 600.0;
const R_KM: f64 = 6371.0088;

/// A synthetic state and its tract-to-tract drive-time matrix, as r5py writes one:
/// `from_id,to_id,travel_time` (minutes), every pair within the reach and no other.
#[derive(Clone, Debug)]
pub struct StateMatrix {
    /// The areas (GEOIDs `48000000001` …, 11 digits like Texas tracts), their children
    /// under 5, and the sites, each at the centre of an area.
    pub problem: National,
    seed: u64,
}

/// What [`StateMatrix::write_matrix`] wrote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatrixWritten {
    /// Pairs written.
    pub pairs: usize,
    /// The factor the modelled drive times were scaled by so that exactly `pairs` pairs
    /// lie within the reach (below 1: the roads are faster than modelled).
    pub scale: f64,
}

impl StateMatrix {
    /// Generates `areas` areas and `sites` sites of a state from `seed`.
    pub fn generate(areas: usize, sites: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let towns = Towns::new(&mut rng, &STATE, areas);
        let mut taken = std::collections::HashSet::with_capacity(areas);
        let mut out_areas = Vec::with_capacity(areas);
        let mut demand = Vec::with_capacity(areas);
        for i in 0..areas {
            let (lon, lat) = loop {
                let (lon, lat) = towns.place(&mut rng, RURAL_AREAS);
                let cell = (
                    (lon / STATE_CELL_DEG).floor() as i64,
                    (lat / STATE_CELL_DEG).floor() as i64,
                );
                if taken.insert(cell) {
                    break (
                        (cell.0 as f64 + 0.5) * STATE_CELL_DEG,
                        (cell.1 as f64 + 0.5) * STATE_CELL_DEG,
                    );
                }
            };
            let mut area = square_area(i, lon, lat);
            let geoid = format!("48{:09}", i + 1);
            area.geoid =
                Geoid::parse(&geoid).unwrap_or_else(|_| unreachable!("11 digits are a GEOID"));
            area.name = format!("Tract {}", i + 1);
            out_areas.push(area);
            demand.push(f64::from(rng.random_range(0..=400u32)));
        }
        let mut out_sites = Vec::with_capacity(sites);
        for j in 0..sites {
            let at = &out_areas[rng.random_range(0..areas.max(1))];
            let (lon, lat) = (at.demand_point.lon(), at.demand_point.lat());
            out_sites.push(synthetic_site(j, lon, lat, &mut rng));
        }
        Self {
            problem: National {
                areas: out_areas,
                demand,
                sites: out_sites,
            },
            seed,
        }
    }

    /// The modelled drive from area `i` to area `j`, `km` apart: 3 minutes to get going
    /// and park, then 1.25 km of road per km, at a speed rising from 30 km/h in town to
    /// 90 km/h on long trips, times a factor in [0.9, 1.1) of the pair (so the matrix is
    /// asymmetric).
    fn raw_minutes(&self, i: usize, j: usize, km: f64) -> f64 {
        let speed = 30.0 + 60.0 * (1.0 - (-km / 25.0).exp());
        let base = 3.0 + 60.0 * 1.25 * km / speed;
        let h = splitmix64(self.seed ^ (((i as u64) << 32) | j as u64));
        base * (0.9 + 0.2 * (h >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// Calls `f(i, j, raw_minutes)` for every pair of areas within [`STATE_MAX_KM`], by
    /// origin and then destination.
    fn each_pair(&self, mut f: impl FnMut(usize, usize, f64)) {
        let units: Vec<[f64; 3]> = self
            .problem
            .areas
            .iter()
            .map(|a| {
                let (lon, lat) = (
                    a.demand_point.lon().to_radians(),
                    a.demand_point.lat().to_radians(),
                );
                [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
            })
            .collect();
        let max_chord = 2.0 * (STATE_MAX_KM / (2.0 * R_KM)).sin();
        let max_chord2 = max_chord * max_chord;
        for (i, u) in units.iter().enumerate() {
            for (j, v) in units.iter().enumerate() {
                let c2 = (u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2) + (u[2] - v[2]).powi(2);
                if c2 > max_chord2 {
                    continue;
                }
                let km = 2.0 * R_KM * (c2.sqrt() / 2.0).min(1.0).asin();
                f(i, j, self.raw_minutes(i, j, km));
            }
        }
    }

    /// Writes `travel_times.csv` into `dir`: the `pairs` quickest pairs, with the times
    /// scaled so that the slowest of them takes `minutes`, rounded to 0.1 minute (so every
    /// time is at most `minutes`). Two passes over all pairs: a histogram of the times
    /// finds the cut, then the pairs under it are written.
    pub fn write_matrix(
        &self,
        dir: &std::path::Path,
        pairs: usize,
        minutes: f64,
    ) -> std::io::Result<MatrixWritten> {
        let bins = (MAX_RAW_MINUTES / BIN_MINUTES) as usize;
        let bin_of = |t: f64| (t / BIN_MINUTES) as usize;
        let mut histogram = vec![0u64; bins];
        self.each_pair(|_, _, t| {
            if let Some(h) = histogram.get_mut(bin_of(t)) {
                *h += 1;
            }
        });
        // The cut: bins below `cut` are written whole, `quota` pairs of bin `cut`.
        let mut below = 0u64;
        let mut cut = None;
        for (b, &n) in histogram.iter().enumerate() {
            if below + n >= pairs as u64 {
                cut = Some((b, pairs as u64 - below));
                break;
            }
            below += n;
        }
        let Some((cut, quota)) = cut else {
            return Err(std::io::Error::other(format!(
                "the state has only {below} pairs within {STATE_MAX_KM} km; ask for fewer pairs or more areas"
            )));
        };
        let scale = minutes / ((cut + 1) as f64 * BIN_MINUTES);
        std::fs::create_dir_all(dir)?;
        let mut f = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(dir.join("travel_times.csv"))?,
        );
        let ids: Vec<&str> = self
            .problem
            .areas
            .iter()
            .map(|a| a.geoid.as_str())
            .collect();
        let mut written = 0usize;
        let mut at_cut = 0u64;
        let mut failed = None;
        writeln!(f, "from_id,to_id,travel_time")?;
        self.each_pair(|i, j, t| {
            let b = bin_of(t);
            if b > cut || failed.is_some() {
                return;
            }
            if b == cut {
                if at_cut == quota {
                    return;
                }
                at_cut += 1;
            }
            let tenths = (t * scale * 10.0).round() as u64;
            if let Err(e) = writeln!(f, "{},{},{}.{}", ids[i], ids[j], tenths / 10, tenths % 10) {
                failed = Some(e);
            }
            written += 1;
        });
        if let Some(e) = failed {
            return Err(e);
        }
        f.flush()?;
        Ok(MatrixWritten {
            pairs: written,
            scale,
        })
    }
}

/// SplitMix64: a well-mixed hash of one word.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn origin() -> LonLat {
    // (0, 0) is always a valid coordinate; placement clamps keep this unreachable.
    LonLat::new(0.0, 0.0).unwrap_or_else(|_| unreachable!("(0, 0) is a valid lon/lat"))
}

fn square_area(i: usize, lon: f64, lat: f64) -> Area {
    let h = AREA_SIDE_DEG / 2.0;
    let geoid = format!("{:012}", i + 1);
    Area {
        geoid: Geoid::parse(&geoid).unwrap_or_else(|_| unreachable!("12 digits are a GEOID")),
        name: format!("Block group {}", i + 1),
        geometry: MultiPolygon::new(vec![
            Rect::new((lon - h, lat - h), (lon + h, lat + h)).to_polygon(),
        ]),
        demand_point: LonLat::new(lon, lat).unwrap_or_else(|_| origin()),
        demand_point_source: DemandPointSource::Centroid,
    }
}

/// Two independent standard normal numbers (Box–Muller).
fn gaussian_pair(rng: &mut StdRng) -> (f64, f64) {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = 2.0 * std::f64::consts::PI * u2;
    (r * t.cos(), r * t.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_problem() {
        let a = National::generate(500, 400, 7);
        let b = National::generate(500, 400, 7);
        assert_eq!(a.demand, b.demand);
        assert_eq!(a.sites, b.sites);
        assert_eq!(a.areas.len(), 500);
        assert_eq!(a.areas[0].geoid.as_str(), "000000000001");
    }

    #[test]
    fn the_state_matrix_holds_exactly_the_pairs_asked_for_within_the_reach() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateMatrix::generate(400, 100, 7);
        let w = s.write_matrix(dir.path(), 20_000, 60.0).unwrap();
        assert_eq!(w.pairs, 20_000);
        let text = std::fs::read_to_string(dir.path().join("travel_times.csv")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "from_id,to_id,travel_time");
        assert_eq!(lines.len(), 20_001);
        let mut pairs = std::collections::HashSet::new();
        let mut asymmetric = false;
        let mut times = std::collections::HashMap::new();
        for l in &lines[1..] {
            let c: Vec<&str> = l.split(',').collect();
            let t: f64 = c[2].parse().unwrap();
            assert!((0.0..=60.0).contains(&t), "{l}");
            assert!(pairs.insert((c[0], c[1])), "{l} twice");
            times.insert((c[0], c[1]), t);
        }
        for ((a, b), t) in &times {
            if times.get(&(*b, *a)).is_some_and(|u| u != t) {
                asymmetric = true;
            }
        }
        assert!(asymmetric);
        // Sites stand at area centres, inside their own square and no other.
        let a = &s.problem.areas;
        for site in &s.problem.sites {
            let inside = a
                .iter()
                .filter(|x| {
                    let (dx, dy) = (
                        (x.demand_point.lon() - site.location.lon()).abs(),
                        (x.demand_point.lat() - site.location.lat()).abs(),
                    );
                    dx < AREA_SIDE_DEG / 2.0 && dy < AREA_SIDE_DEG / 2.0
                })
                .count();
            assert_eq!(inside, 1);
        }
        let again = StateMatrix::generate(400, 100, 7);
        let w2 = again.write_matrix(dir.path(), 20_000, 60.0).unwrap();
        assert_eq!(w, w2);
        assert_eq!(
            text,
            std::fs::read_to_string(dir.path().join("travel_times.csv")).unwrap()
        );
    }
}
