//! Which sites supply a need, and how much: S_j (DESIGN.md, "The metrics").

use super::params::Resolved;
use super::problem::SupplySite;
use crate::domain::{Site, Supply};
use crate::spatial::unit_vector;

/// The supply sites among `sites` (ids = positions in `sites`) and how many of them fell
/// back on the need's default capacity.
///
/// A site supplies the need when it offers one of the need's services and passes the
/// filters: with a language, it lists that language; with an hours filter, its opening
/// hours match (a site without hours does not). S_j is 1 with `supply = sites`; with
/// `supply = capacity` it is the sum of the capacities given for the need's services, or
/// the default capacity when none is given.
pub fn supply_sites(sites: &[Site], need: &Resolved) -> (Vec<SupplySite>, usize) {
    let mut defaulted = 0;
    let mut out = Vec::new();
    for (i, site) in sites.iter().enumerate() {
        let mut serves = false;
        let mut known: Option<f64> = None;
        for svc in &site.services {
            if need.services.contains(&svc.code) {
                serves = true;
                if let Some(c) = svc.capacity {
                    *known.get_or_insert(0.0) += c;
                }
            }
        }
        if !serves {
            continue;
        }
        if let Some(lang) = &need.language
            && !site.languages.iter().any(|l| l.eq_ignore_ascii_case(lang))
        {
            continue;
        }
        if let Some(filter) = need.hours
            && !site.hours.as_ref().is_some_and(|h| h.matches(filter))
        {
            continue;
        }
        let supply = match need.supply {
            Supply::Sites => 1.0,
            Supply::Capacity => known.unwrap_or_else(|| {
                defaulted += 1;
                need.default_capacity
            }),
        };
        out.push(SupplySite {
            id: u32::try_from(i).unwrap_or(u32::MAX),
            lonlat: site.location,
            xyz: unit_vector(site.location),
            supply,
        });
    }
    (out, defaulted)
}
