//! Where an analysis gets the gap reports it builds on.
//!
//! Outreach, compare, siting and the report all start from gap reports. Computed once
//! per data version and reused, they make those answers cheap; but the cache that keeps
//! them sits beside the Atlas, not in here. So every analysis takes a [`Source`]: the
//! Atlas itself (which computes afresh: what the unit tests use), or [`Cached`], the
//! Atlas with the cache beside it (what the API and the CLI use).

use super::gaps::{GapReport, compute_gaps};
use super::params::GapParams;
use crate::atlas::{Atlas, Cache, CacheKey};
use crate::error::Result;
use std::sync::Arc;

/// An Atlas that can also hand out gap reports.
pub trait Source: Sync {
    /// The Atlas the analysis runs on.
    fn atlas(&self) -> &Atlas;

    /// The gap report of `need` in `year` with `params`.
    fn gaps(&self, year: i32, need: &str, params: &GapParams) -> Result<Arc<GapReport>>;
}

impl Source for Atlas {
    fn atlas(&self) -> &Atlas {
        self
    }

    fn gaps(&self, year: i32, need: &str, params: &GapParams) -> Result<Arc<GapReport>> {
        compute_gaps(self, year, need, params).map(Arc::new)
    }
}

/// The Atlas with the cache beside it: a gap report asked for twice of one data version
/// is computed once.
#[derive(Clone, Copy, Debug)]
pub struct Cached<'a> {
    atlas: &'a Atlas,
    cache: &'a Cache,
}

impl<'a> Cached<'a> {
    /// The Atlas, keeping its gap reports in `cache`.
    pub fn new(atlas: &'a Atlas, cache: &'a Cache) -> Self {
        Self { atlas, cache }
    }
}

impl Source for Cached<'_> {
    fn atlas(&self) -> &Atlas {
        self.atlas
    }

    fn gaps(&self, year: i32, need: &str, params: &GapParams) -> Result<Arc<GapReport>> {
        let key = params.cache_key(
            CacheKey::new("gap_report", self.atlas.data_version)
                .with("year", year)
                .with("need", need),
        );
        self.cache
            .get_or_compute(key, GapReport::approximate_size, || {
                compute_gaps(self.atlas, year, need, params)
            })
    }
}
