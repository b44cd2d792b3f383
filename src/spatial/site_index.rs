//! The sites of an Atlas indexed per service code: one bulk-loaded [`PointIndex`] per
//! code, so a need's query touches only the sites that can supply it.

use super::PointIndex;
use crate::domain::{LonLat, Site};
use std::collections::BTreeMap;

/// One R-tree of sites per service code; ids are positions in the slice it was built from.
#[derive(Clone, Debug, Default)]
pub struct SiteIndex {
    by_service: BTreeMap<String, PointIndex>,
}

impl SiteIndex {
    /// Groups the sites by service code and bulk-loads one tree per code. A site offering
    /// a code twice is indexed once under it.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::{LonLat, Site, SiteService};
    /// use gapmap::spatial::SiteIndex;
    /// let site = Site {
    ///     id: "s1".into(), partner_id: "p".into(), name: "S".into(),
    ///     location: LonLat::new(-87.6, 41.8).unwrap(), address: None,
    ///     services: vec![SiteService { code: "food".into(), capacity: None }],
    ///     languages: vec![], hours: None,
    /// };
    /// let index = SiteIndex::build(&[site]);
    /// let near = LonLat::new(-87.6, 41.81).unwrap();
    /// assert_eq!(index.service("food").unwrap().nearest(near, |_| true).unwrap().0, 0);
    /// assert!(index.service("health").is_none());
    /// ```
    pub fn build(sites: &[Site]) -> Self {
        let mut groups: BTreeMap<&str, Vec<(u32, LonLat)>> = BTreeMap::new();
        for (i, site) in sites.iter().enumerate() {
            let id = index_u32(i);
            for (k, svc) in site.services.iter().enumerate() {
                let repeated = site.services[..k].iter().any(|s| s.code == svc.code);
                if !repeated {
                    groups
                        .entry(svc.code.as_str())
                        .or_default()
                        .push((id, site.location));
                }
            }
        }
        Self {
            by_service: groups
                .into_iter()
                .map(|(code, points)| (code.to_owned(), PointIndex::build(points)))
                .collect(),
        }
    }

    /// The tree of one service code (None when no site offers it).
    pub fn service(&self, code: &str) -> Option<&PointIndex> {
        self.by_service.get(code)
    }

    /// Every service code that some site offers, in code order.
    pub fn codes(&self) -> impl Iterator<Item = &str> + '_ {
        self.by_service.keys().map(String::as_str)
    }

    /// The `k` nearest distinct sites offering any of `codes` and passing `keep`, as
    /// `(id, km)`, nearest first (ties in id order). A site offering several of the codes
    /// is listed once.
    pub fn nearest_k(
        &self,
        codes: &[String],
        at: LonLat,
        k: usize,
        mut keep: impl FnMut(u32) -> bool,
    ) -> Vec<(u32, f64)> {
        // Each tree's k nearest hold the overall k nearest: a site among the overall k
        // nearest has fewer than k closer sites in any tree that holds it.
        let mut all: Vec<(u32, f64)> = codes
            .iter()
            .filter_map(|c| self.service(c))
            .flat_map(|tree| tree.nearest_k(at, k, &mut keep))
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut seen = std::collections::HashSet::new();
        all.retain(|x| seen.insert(x.0));
        all.truncate(k);
        all
    }

    /// The nearest site offering any of `codes` and passing `keep`, with its km.
    pub fn nearest(
        &self,
        codes: &[String],
        at: LonLat,
        mut keep: impl FnMut(u32) -> bool,
    ) -> Option<(u32, f64)> {
        codes
            .iter()
            .filter_map(|c| self.service(c))
            .filter_map(|tree| tree.nearest(at, &mut keep))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
    }
}

/// Positions fit in u32: the Atlas refuses more than u32::MAX sites or areas long before.
pub(crate) fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SiteService;

    fn site(lon: f64, lat: f64, codes: &[&str]) -> Site {
        Site {
            id: format!("{lon},{lat}"),
            partner_id: "p".into(),
            name: "s".into(),
            location: LonLat::new(lon, lat).unwrap(),
            address: None,
            services: codes
                .iter()
                .map(|c| SiteService {
                    code: (*c).into(),
                    capacity: None,
                })
                .collect(),
            languages: vec![],
            hours: None,
        }
    }

    #[test]
    fn nearest_looks_across_every_code_of_a_need() {
        let sites = [
            site(0.0, 0.10, &["transit"]),
            site(0.0, 0.05, &["transportation", "transportation"]),
            site(0.0, 0.01, &["food"]),
        ];
        let index = SiteIndex::build(&sites);
        assert_eq!(index.service("transportation").unwrap().len(), 1);
        let codes = ["transit".to_owned(), "transportation".to_owned()];
        let at = LonLat::new(0.0, 0.0).unwrap();
        assert_eq!(index.nearest(&codes, at, |_| true).unwrap().0, 1);
        assert_eq!(index.nearest(&codes, at, |id| id != 1).unwrap().0, 0);
        assert!(
            index
                .nearest(&["health".to_owned()], at, |_| true)
                .is_none()
        );
    }

    #[test]
    fn nearest_k_lists_a_site_of_several_codes_once() {
        let sites = [
            site(0.0, 0.03, &["food"]),
            site(0.0, 0.01, &["food", "health"]),
            site(0.0, 0.02, &["health"]),
        ];
        let index = SiteIndex::build(&sites);
        let codes = ["food".to_owned(), "health".to_owned()];
        let at = LonLat::new(0.0, 0.0).unwrap();
        let ids: Vec<u32> = index
            .nearest_k(&codes, at, 3, |_| true)
            .iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(ids, [1, 2, 0]);
        assert_eq!(index.nearest_k(&codes, at, 1, |id| id != 1)[0].0, 2);
        assert_eq!(index.codes().collect::<Vec<_>>(), ["food", "health"]);
    }
}
