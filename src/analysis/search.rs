//! Finding areas, partners and sites by what a person types: a GEOID or part of a name.
//! The map page searches what it has loaded; a geography drawn from tiles has nothing
//! loaded, so the page (and anyone else) asks the server, which searches the Atlas.
//!
//! Matching (DESIGN.md, "Search"): the text, trimmed, is looked for case-insensitively
//! inside each area's GEOID and name, each partner's name, and each site's name and its
//! partner's name. Hits are ordered exact match first (the whole GEOID, id or name), then
//! those that start with the text, then the rest, each group in the Atlas's order
//! (geographies by name and their areas in upload order; partners and sites by id).

use crate::atlas::Atlas;
use crate::error::{Code, Error, Result};
use geo::BoundingRect;
use serde::Serialize;

/// Hits of each kind listed at most (the page shows eight).
pub const DEFAULT_LIMIT: usize = 8;
/// The most hits of each kind a search lists.
pub const MAX_LIMIT: usize = 50;
/// The shortest text searched, in characters: one letter matches almost everything.
pub const MIN_CHARS: usize = 2;
/// The longest text searched, in characters.
pub const MAX_CHARS: usize = 200;

/// What a search found: the first hits of each kind and how many there are in all.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchReport {
    /// The text searched (trimmed).
    pub query: String,
    /// The geography searched; null when every geography was.
    pub geography: Option<String>,
    /// Hits of each kind listed at most.
    pub limit: usize,
    /// The first areas whose GEOID or name holds the text.
    pub areas: Vec<AreaHit>,
    /// How many areas match in all (more than listed when the limit cut them).
    pub areas_found: usize,
    /// The first partners whose name holds the text.
    pub partners: Vec<PartnerHit>,
    /// How many partners match in all.
    pub partners_found: usize,
    /// The first sites whose name, or whose partner's name, holds the text.
    pub sites: Vec<SiteHit>,
    /// How many sites match in all.
    pub sites_found: usize,
}

/// An area found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AreaHit {
    /// Its geography.
    pub geography: String,
    /// Its GEOID.
    pub geoid: String,
    /// Its name (empty when the upload gave none).
    pub name: String,
    /// `[min_lon, min_lat, max_lon, max_lat]` of its polygon, to fly to it.
    pub bbox: Option<[f64; 4]>,
}

/// A partner found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartnerHit {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many sites it has.
    pub sites: usize,
}

/// A site found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteHit {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its partner's id.
    pub partner_id: String,
    /// Its partner's name (empty when the partner is not in the directory).
    pub partner: String,
    /// Where it is.
    pub lon: f64,
    pub lat: f64,
}

/// How well a text matches a field, best first (the derived order sorts by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Exact,
    Prefix,
    Inside,
}

/// A text folded for case-insensitive matching.
struct Needle {
    folded: String,
}

impl Needle {
    fn new(text: &str) -> Self {
        Self {
            folded: text.to_lowercase(),
        }
    }

    /// How `field` holds the text, if it does.
    fn fit(&self, field: &str) -> Option<Fit> {
        // Most names are ASCII: fold those byte by byte without allocating (a national
        // geography has a quarter of a million names to look through per search).
        if field.is_ascii() && self.folded.is_ascii() {
            return ascii_fit(field.as_bytes(), self.folded.as_bytes());
        }
        let folded = field.to_lowercase();
        let needle = self.folded.as_str();
        if folded == needle {
            Some(Fit::Exact)
        } else if folded.starts_with(needle) {
            Some(Fit::Prefix)
        } else if folded.contains(needle) {
            Some(Fit::Inside)
        } else {
            None
        }
    }

    /// The best fit of any of `fields`.
    fn best<'a>(&self, fields: impl IntoIterator<Item = &'a str>) -> Option<Fit> {
        fields.into_iter().filter_map(|f| self.fit(f)).min()
    }
}

fn ascii_fit(field: &[u8], needle: &[u8]) -> Option<Fit> {
    let at = |i: usize| {
        field[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    };
    if field.len() < needle.len() {
        return None;
    }
    if at(0) {
        return Some(if field.len() == needle.len() {
            Fit::Exact
        } else {
            Fit::Prefix
        });
    }
    (1..=field.len() - needle.len())
        .any(at)
        .then_some(Fit::Inside)
}

/// The first `limit` of `hits` (fit, position) by fit then position, and their number.
fn first<T>(
    mut hits: Vec<(Fit, usize)>,
    limit: usize,
    make: impl Fn(usize) -> T,
) -> (Vec<T>, usize) {
    let found = hits.len();
    hits.sort_unstable();
    let listed = hits.into_iter().take(limit).map(|(_, i)| make(i)).collect();
    (listed, found)
}

/// Searches the Atlas for `text` (see the module's documentation): the areas of
/// `geography` (every geography when `None`), the partners and the sites.
pub fn search(
    atlas: &Atlas,
    text: &str,
    geography: Option<&str>,
    limit: Option<usize>,
) -> Result<SearchReport> {
    let query = text.trim();
    let chars = query.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&chars) {
        return Err(Error::new(
            Code::InvalidParameter,
            format!(
                "q: give {MIN_CHARS} to {MAX_CHARS} characters to search for (a GEOID or part of a name); got {chars}"
            ),
        ));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::new(
            Code::InvalidParameter,
            format!("limit: give 1 to {MAX_LIMIT} hits of each kind; got {limit}"),
        ));
    }
    let geographies: Vec<(&String, &crate::atlas::GeographyData)> = match geography {
        Some(name) => {
            let (name, g) = atlas.geographies.get_key_value(name).ok_or_else(|| {
                Error::new(
                    Code::UnknownGeography,
                    format!("there is no geography '{name}'"),
                )
            })?;
            vec![(name, g)]
        }
        None => atlas.geographies.iter().collect(),
    };
    let needle = Needle::new(query);

    // Areas, numbered across the geographies searched so one sort orders them all.
    let offsets: Vec<usize> = geographies
        .iter()
        .scan(0, |next, (_, g)| {
            let at = *next;
            *next += g.geography.areas.len();
            Some(at)
        })
        .collect();
    let mut area_hits = Vec::new();
    for ((_, g), offset) in geographies.iter().zip(&offsets) {
        let fits = crate::parallel::map(g.geography.areas.len(), |i| {
            let a = &g.geography.areas[i];
            needle.best([a.geoid.as_str(), a.name.as_str()])
        });
        area_hits.extend(
            fits.into_iter()
                .enumerate()
                .filter_map(|(i, fit)| fit.map(|f| (f, offset + i))),
        );
    }
    let (areas, areas_found) = first(area_hits, limit, |n| {
        let g = offsets.partition_point(|&o| o <= n) - 1;
        let (name, data) = geographies[g];
        let area = &data.geography.areas[n - offsets[g]];
        AreaHit {
            geography: name.clone(),
            geoid: area.geoid.as_str().to_owned(),
            name: area.name.clone(),
            bbox: area
                .geometry
                .bounding_rect()
                .map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]),
        }
    });

    let partners: Vec<&crate::domain::Partner> = atlas.partners.values().collect();
    let partner_hits = partners
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let fit = if p.id == query {
                Some(Fit::Exact)
            } else {
                needle.fit(&p.name)
            };
            fit.map(|f| (f, i))
        })
        .collect();
    let (partner_list, partners_found) = first(partner_hits, limit, |i| {
        let p = partners[i];
        PartnerHit {
            id: p.id.clone(),
            name: p.name.clone(),
            sites: 0,
        }
    });
    let mut partner_list = partner_list;
    if !partner_list.is_empty() {
        for s in atlas.sites.iter() {
            if let Some(hit) = partner_list.iter_mut().find(|h| h.id == s.partner_id) {
                hit.sites += 1;
            }
        }
    }

    let partner_name = |id: &str| atlas.partners.get(id).map_or("", |p| p.name.as_str());
    let site_fits = crate::parallel::map(atlas.sites.len(), |i| {
        let s = &atlas.sites[i];
        if s.id == query {
            Some(Fit::Exact)
        } else {
            needle.best([s.name.as_str(), partner_name(&s.partner_id)])
        }
    });
    let site_hits = site_fits
        .into_iter()
        .enumerate()
        .filter_map(|(i, fit)| fit.map(|f| (f, i)))
        .collect();
    let (sites, sites_found) = first(site_hits, limit, |i| {
        let s = &atlas.sites[i];
        SiteHit {
            id: s.id.clone(),
            name: s.name.clone(),
            partner_id: s.partner_id.clone(),
            partner: partner_name(&s.partner_id).to_owned(),
            lon: s.location.lon(),
            lat: s.location.lat(),
        }
    });

    Ok(SearchReport {
        query: query.to_owned(),
        geography: geography.map(str::to_owned),
        limit,
        areas,
        areas_found,
        partners: partner_list,
        partners_found,
        sites,
        sites_found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_fold_case_and_rank_exact_prefix_inside() {
        let n = Needle::new("Park");
        assert_eq!(n.fit("park"), Some(Fit::Exact));
        assert_eq!(n.fit("Parkside"), Some(Fit::Prefix));
        assert_eq!(n.fit("Census Tract 101, Rogers PARK"), Some(Fit::Inside));
        assert_eq!(n.fit("Pa"), None);
        assert_eq!(n.fit("Rogers Prk"), None);
        // Beyond ASCII: folded as text, not bytes.
        let n = Needle::new("peña");
        assert_eq!(n.fit("PEÑALOSA"), Some(Fit::Prefix));
        assert_eq!(n.fit("Ciudad Peña"), Some(Fit::Inside));
        assert_eq!(Needle::new("é").fit("CAFÉ"), Some(Fit::Inside));
    }

    #[test]
    fn the_best_of_several_fields_counts() {
        let n = Needle::new("17031");
        assert_eq!(n.best(["17031010100", "Rogers Park"]), Some(Fit::Prefix));
        assert_eq!(n.best(["99", "Not here"]), None);
    }

    #[test]
    fn hits_come_best_fit_first_then_in_order() {
        let hits = vec![
            (Fit::Inside, 0),
            (Fit::Prefix, 3),
            (Fit::Exact, 5),
            (Fit::Inside, 1),
            (Fit::Prefix, 2),
        ];
        let (listed, found) = first(hits, 4, |i| i);
        assert_eq!(listed, vec![5, 2, 3, 0]);
        assert_eq!(found, 5);
    }
}
