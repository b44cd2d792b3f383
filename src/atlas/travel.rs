//! A stored travel-time matrix tied to the Atlas: its origins as area positions of the
//! geography, its destinations as the sites they stand for (a site id: that site; an
//! area GEOID: every site located in that area).

use super::GeographyData;
use crate::domain::{DestinationKind, Site, TravelMatrix};
use std::collections::HashMap;

/// Marks an area that is no origin of the matrix (every pair from it is missing).
pub const NO_ORIGIN: u32 = u32::MAX;

/// A matrix ready for the analyses.
#[derive(Debug)]
pub struct TravelTimes {
    /// The matrix as stored.
    pub matrix: TravelMatrix,
    /// For each area of the geography (by position), its origin in `matrix`, or
    /// [`NO_ORIGIN`].
    pub origin_of_area: Vec<u32>,
    /// `site_offsets[d]..site_offsets[d + 1]` index `sites`: the sites (positions in
    /// `Atlas::sites`) destination d stands for.
    site_offsets: Vec<u32>,
    sites: Vec<u32>,
}

impl TravelTimes {
    /// Ties `matrix` to the geography and the Atlas's sites. Ids that are no longer
    /// stored (a site removed, an area no longer in the geography) are left out.
    pub fn new(matrix: TravelMatrix, geo: &GeographyData, all_sites: &[Site]) -> Self {
        let mut origin_of_area = vec![NO_ORIGIN; geo.geography.areas.len()];
        for (o, g) in matrix.origins.iter().enumerate() {
            if let Some(&a) = geo.by_geoid.get(g) {
                origin_of_area[a] = u32::try_from(o).unwrap_or(NO_ORIGIN);
            }
        }
        let mut site_offsets = Vec::with_capacity(matrix.destinations.len() + 1);
        site_offsets.push(0u32);
        let mut sites = Vec::new();
        let push = |v: &mut Vec<u32>, j: usize| v.push(u32::try_from(j).unwrap_or(u32::MAX));
        match matrix.kind {
            DestinationKind::Sites => {
                let by_id: HashMap<&str, usize> = all_sites
                    .iter()
                    .enumerate()
                    .map(|(j, s)| (s.id.as_str(), j))
                    .collect();
                for d in &matrix.destinations {
                    if let Some(&j) = by_id.get(d.as_str()) {
                        push(&mut sites, j);
                    }
                    site_offsets.push(u32::try_from(sites.len()).unwrap_or(u32::MAX));
                }
            }
            DestinationKind::Areas => {
                let mut in_area: Vec<Vec<usize>> = vec![Vec::new(); geo.geography.areas.len()];
                for (j, &a) in geo.site_area.iter().enumerate() {
                    if let Some(list) = in_area.get_mut(a as usize) {
                        list.push(j);
                    }
                }
                for d in &matrix.destinations {
                    let area = crate::domain::Geoid::parse(d)
                        .ok()
                        .and_then(|g| geo.by_geoid.get(&g).copied());
                    for &j in area.map(|a| in_area[a].as_slice()).unwrap_or(&[]) {
                        push(&mut sites, j);
                    }
                    site_offsets.push(u32::try_from(sites.len()).unwrap_or(u32::MAX));
                }
            }
        }
        Self {
            matrix,
            origin_of_area,
            site_offsets,
            sites,
        }
    }

    /// The sites (positions in `Atlas::sites`) destination `d` stands for.
    pub fn sites_of(&self, d: u32) -> &[u32] {
        let d = d as usize;
        &self.sites[self.site_offsets[d] as usize..self.site_offsets[d + 1] as usize]
    }

    /// How many destinations the matrix has.
    pub fn destinations(&self) -> usize {
        self.site_offsets.len() - 1
    }
}
