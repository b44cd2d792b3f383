//! Latitude bands: points sorted into bands of latitude and by longitude within each band,
//! so that "every point within r of here" is a scan of a few contiguous runs of memory.
//! The FCA sweeps enumerate tens of millions of area–site pairs at national scale; an
//! R-tree finds them too, but chasing its nodes costs several times more per pair.

use super::{EARTH_RADIUS_KM, Xyz, unit_vector};
use crate::domain::LonLat;

/// Widening of the search cap's angle: the bands and longitude windows searched cover a
/// cap slightly larger than asked, so rounding in their trigonometry never loses a point;
/// the caller's exact chord test then decides.
const WINDOW_MARGIN: f64 = 1e-6;

/// Points in latitude bands of height r/2 (or wider for tiny radii), sorted by longitude
/// within each band. Positions (0..len) follow that order: neighbouring positions are
/// neighbours on the ground, which is also a good order in which to ask questions.
#[derive(Clone, Debug)]
pub struct BandGrid {
    band_deg: f64,
    starts: Vec<u32>,
    lon: Vec<f64>,
    lat: Vec<f64>,
    // Unit vectors as three arrays, so that a run of candidates is a run of each.
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    ids: Vec<u32>,
}

impl BandGrid {
    /// Sorts `(id, point)` into bands suited to searches of radius `radius_km`.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::LonLat;
    /// use gapmap::spatial::{BandGrid, chord_for_km, unit_vector};
    /// let p = |lon, lat| LonLat::new(lon, lat).unwrap();
    /// let grid = BandGrid::build([(10, p(0.0, 0.0)), (11, p(0.0, 0.05)), (12, p(179.99, 0.0))], 6.0);
    /// let mut found = Vec::new();
    /// let at = p(0.0, 0.02);
    /// grid.for_each_within(at, &unit_vector(at), 6.0, chord_for_km(6.0).powi(2), |pos, _| {
    ///     found.push(grid.id(pos))
    /// });
    /// found.sort();
    /// assert_eq!(found, [10, 11]);
    /// ```
    pub fn build(points: impl IntoIterator<Item = (u32, LonLat)>, radius_km: f64) -> Self {
        let radius_deg = (radius_km / EARTH_RADIUS_KM).to_degrees();
        // Half the radius: about five bands per search. At least 0.001° (111 m) so that
        // a tiny radius does not make millions of empty bands.
        let band_deg = (radius_deg / 2.0).clamp(0.001, 180.0);
        let bands = (180.0 / band_deg).ceil() as usize;
        let mut items: Vec<(usize, f64, f64, u32)> = points
            .into_iter()
            .map(|(id, p)| (band_of(p.lat(), band_deg, bands), p.lon(), p.lat(), id))
            .collect();
        items.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        let mut starts = vec![0u32; bands + 1];
        for it in &items {
            starts[it.0 + 1] += 1;
        }
        for b in 0..bands {
            starts[b + 1] += starts[b];
        }
        let lonlat = |it: &(usize, f64, f64, u32)| {
            LonLat::new(it.1, it.2).unwrap_or_else(|_| unreachable!("came from a LonLat"))
        };
        let (mut x, mut y, mut z) = (
            Vec::with_capacity(items.len()),
            Vec::with_capacity(items.len()),
            Vec::with_capacity(items.len()),
        );
        for v in items.iter().map(|it| unit_vector(lonlat(it))) {
            x.push(v[0]);
            y.push(v[1]);
            z.push(v[2]);
        }
        Self {
            band_deg,
            starts,
            x,
            y,
            z,
            lon: items.iter().map(|it| it.1).collect(),
            lat: items.iter().map(|it| it.2).collect(),
            ids: items.iter().map(|it| it.3).collect(),
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The caller's id of the point at `pos`.
    pub fn id(&self, pos: usize) -> u32 {
        self.ids[pos]
    }

    /// The unit vector of the point at `pos`.
    pub fn xyz(&self, pos: usize) -> Xyz {
        [self.x[pos], self.y[pos], self.z[pos]]
    }

    /// The lon/lat of the point at `pos`.
    pub fn lonlat(&self, pos: usize) -> LonLat {
        LonLat::new(self.lon[pos], self.lat[pos])
            .unwrap_or_else(|_| unreachable!("came from a LonLat"))
    }

    /// The unit vectors' x, y and z, each in position order: a run of positions from
    /// [`Self::for_each_run`] is a run of each slice.
    pub fn coordinates(&self) -> (&[f64], &[f64], &[f64]) {
        (&self.x, &self.y, &self.z)
    }

    /// Calls `visit(pos, chord²)` for every point whose squared chord to `at` (unit
    /// vector `xyz`) is ≤ `max_chord2`, where `max_chord2` is at most the squared chord of
    /// `radius_km` (plus rounding): the bands and longitudes searched cover that radius.
    pub fn for_each_within(
        &self,
        at: LonLat,
        xyz: &Xyz,
        radius_km: f64,
        max_chord2: f64,
        mut visit: impl FnMut(usize, f64),
    ) {
        self.for_each_candidate(at, xyz, radius_km, |pos, c2| {
            if c2 <= max_chord2 {
                visit(pos, c2);
            }
        });
    }

    /// Calls `visit(pos, chord²)` for every point of the bands and longitudes that cover
    /// the cap of `radius_km` around `at`: a superset of the points within it (about one
    /// in five lies beyond), for callers that sort the candidates out without branching.
    pub fn for_each_candidate(
        &self,
        at: LonLat,
        xyz: &Xyz,
        radius_km: f64,
        mut visit: impl FnMut(usize, f64),
    ) {
        self.for_each_run(at, radius_km, |start, end| {
            for pos in start..end {
                let (dx, dy, dz) = (
                    xyz[0] - self.x[pos],
                    xyz[1] - self.y[pos],
                    xyz[2] - self.z[pos],
                );
                visit(pos, dx * dx + dy * dy + dz * dz);
            }
        });
    }

    /// Calls `run(start, end)` for each run of positions `start..end` that together hold
    /// the points of the bands and longitudes covering the cap of `radius_km` around
    /// `at` (the candidates of [`Self::for_each_candidate`], in the same order).
    pub fn for_each_run(&self, at: LonLat, radius_km: f64, mut run: impl FnMut(usize, usize)) {
        let rho = (radius_km / EARTH_RADIUS_KM) * (1.0 + WINDOW_MARGIN) + 1e-12;
        let phi0 = at.lat().to_radians();
        let (lat_lo, lat_hi) = (phi0 - rho, phi0 + rho);
        let bands = self.starts.len() - 1;
        let b_lo = band_of(lat_lo.to_degrees().max(-90.0), self.band_deg, bands);
        let b_hi = band_of(lat_hi.to_degrees().min(90.0), self.band_deg, bands);
        let polar = lat_hi >= std::f64::consts::FRAC_PI_2 || lat_lo <= -std::f64::consts::FRAC_PI_2;
        // Latitude where the cap is widest in longitude, and that width.
        let (phi_star, widest) = if polar {
            (0.0, std::f64::consts::PI)
        } else {
            (
                (phi0.sin() / rho.cos()).clamp(-1.0, 1.0).asin(),
                (rho.sin() / phi0.cos()).clamp(-1.0, 1.0).asin(),
            )
        };
        for b in b_lo..=b_hi {
            let (start, end) = (self.starts[b] as usize, self.starts[b + 1] as usize);
            if start == end {
                continue;
            }
            let half_width = if polar {
                std::f64::consts::PI
            } else {
                let a = (-90.0 + b as f64 * self.band_deg).to_radians().max(lat_lo);
                let c = (-90.0 + (b + 1) as f64 * self.band_deg)
                    .to_radians()
                    .min(lat_hi);
                if phi_star >= a && phi_star <= c {
                    widest
                } else {
                    let phi = if c < phi_star { c } else { a };
                    let cos_w = (rho.cos() - phi.sin() * phi0.sin()) / (phi.cos() * phi0.cos());
                    cos_w.clamp(-1.0, 1.0).acos()
                }
            };
            let w = half_width.to_degrees();
            let (lo, hi) = (at.lon() - w, at.lon() + w);
            let band = &self.lon[start..end];
            let mut scan = |from: f64, to: f64| {
                let first = start + band.partition_point(|x| *x < from);
                let last = start + band.partition_point(|x| *x <= to);
                if first < last {
                    run(first, last);
                }
            };
            if w >= 180.0 {
                scan(-180.0, 180.0);
            } else {
                scan(lo.max(-180.0), hi.min(180.0));
                // Across the antimeridian.
                if lo < -180.0 {
                    scan(lo + 360.0, 180.0);
                }
                if hi > 180.0 {
                    scan(-180.0, hi - 360.0);
                }
            }
        }
    }
}

fn band_of(lat: f64, band_deg: f64, bands: usize) -> usize {
    let b = ((lat + 90.0) / band_deg).floor();
    if b <= 0.0 {
        0
    } else {
        (b as usize).min(bands - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{chord_for_km, haversine_km};

    fn p(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    /// Brute force and the grid agree on which points lie within r.
    fn check(points: &[LonLat], at: LonLat, r: f64) {
        let grid = BandGrid::build(points.iter().enumerate().map(|(i, p)| (i as u32, *p)), r);
        let mut found: Vec<u32> = Vec::new();
        grid.for_each_within(
            at,
            &unit_vector(at),
            r,
            chord_for_km(r).powi(2) * (1.0 + 1e-9),
            |pos, _| found.push(grid.id(pos)),
        );
        found.sort();
        let expected: Vec<u32> = (0..points.len() as u32)
            .filter(|i| haversine_km(at, points[*i as usize]) <= r * (1.0 - 1e-9))
            .collect();
        for e in &expected {
            assert!(found.contains(e), "{e} missing near {at:?} r {r}");
        }
        for f in &found {
            assert!(
                haversine_km(at, points[*f as usize]) <= r * (1.0 + 1e-6),
                "{f} too far"
            );
        }
    }

    fn ring(at: LonLat, r: f64) -> Vec<LonLat> {
        // Points at 0.5r, 0.999r and 1.001r in 72 directions.
        let mut out = Vec::new();
        for k in 0..72 {
            let bearing = (k as f64 * 5.0).to_radians();
            for f in [0.5, 0.999, 1.001] {
                let d = f * r / EARTH_RADIUS_KM;
                let (phi1, lam1) = (at.lat().to_radians(), at.lon().to_radians());
                let phi2 = (phi1.sin() * d.cos() + phi1.cos() * d.sin() * bearing.cos()).asin();
                let lam2 = lam1
                    + (bearing.sin() * d.sin() * phi1.cos())
                        .atan2(d.cos() - phi1.sin() * phi2.sin());
                let lon = (lam2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
                out.push(p(lon, phi2.to_degrees()));
            }
        }
        out
    }

    #[test]
    fn finds_exactly_the_points_within_r_everywhere() {
        for (at, r) in [
            (p(-87.6, 41.8), 15.0),
            (p(-87.6, 41.8), 0.8),
            (p(0.0, 0.0), 3.0),
            (p(179.99, 10.0), 5.0),
            (p(-179.999, -20.0), 50.0),
            (p(10.0, 89.95), 20.0),
            (p(10.0, -89.99), 5.0),
            (p(45.0, 60.0), 100.0),
        ] {
            check(&ring(at, r), at, r);
        }
    }
}
