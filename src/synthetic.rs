//! A deterministic synthetic national problem for benchmarks: as many areas as the US
//! has block groups (242,747), each a tiny square around its demand point, and 250,000
//! child-care sites, both clustered in towns whose sizes follow Zipf's law.
//!
//! Towns have the density of a real urban core at their centre, so a big town spreads
//! like a metro area and a 15 km catchment holds hundreds of sites in a city and a few in
//! the country, as it would nationally. A fixed seed makes every run the same problem.

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

impl National {
    /// Generates `areas` areas and `sites` sites from `seed`.
    pub fn generate(areas: usize, sites: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        // Zipf weights: town k has a share ∝ 1/(k+1).
        let weights: Vec<f64> = (0..TOWNS).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let total: f64 = weights.iter().sum();
        let mut cumulative = Vec::with_capacity(TOWNS);
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
                    lon: rng.random_range(-123.0..-68.0),
                    lat: rng.random_range(26.0..48.5),
                    sigma_km: (n / (2.0 * std::f64::consts::PI * CENTRE_DENSITY_PER_KM2)).sqrt(),
                }
            })
            .collect();
        let place = |rng: &mut StdRng, rural_share: f64| -> (f64, f64) {
            if rng.random::<f64>() < rural_share {
                return (
                    rng.random_range(-123.0..-68.0),
                    rng.random_range(26.0..48.5),
                );
            }
            let u: f64 = rng.random();
            let t = &towns[cumulative.partition_point(|c| *c < u).min(TOWNS - 1)];
            let (dx, dy) = gaussian_pair(rng);
            let lat = (t.lat + dy * t.sigma_km / KM_PER_DEG).clamp(-89.0, 89.0);
            let lon = t.lon + dx * t.sigma_km / (KM_PER_DEG * lat.to_radians().cos());
            (lon.clamp(-179.0, 179.0), lat)
        };
        let mut out_areas = Vec::with_capacity(areas);
        let mut demand = Vec::with_capacity(areas);
        for i in 0..areas {
            let (lon, lat) = place(&mut rng, RURAL_AREAS);
            out_areas.push(square_area(i, lon, lat));
            demand.push(f64::from(rng.random_range(0..=400u32)));
        }
        let mut out_sites = Vec::with_capacity(sites);
        for j in 0..sites {
            let (lon, lat) = place(&mut rng, RURAL_SITES);
            out_sites.push(Site {
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
            });
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
}
