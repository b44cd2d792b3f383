//! A small least-recently-used cache of gap reports.
//!
//! It lives on the Atlas, and each Atlas is one data version, so its key needs only the
//! year, the need and the parameters: a write builds a new Atlas with an empty cache and
//! stale reports go with the old one.

use super::gaps::GapReport;
use crate::error::Result;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Reports kept per Atlas. A national report is tens of MB; a handful of needs and
/// parameter sets per data version is what the map and the reports ask for.
const CAPACITY: usize = 16;

/// Gap reports by (year, need, parameters), most recently used first.
#[derive(Default)]
pub struct GapCache {
    entries: Mutex<VecDeque<(String, Arc<GapReport>)>>,
}

impl std::fmt::Debug for GapCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GapCache")
            .field("entries", &self.len())
            .finish()
    }
}

impl GapCache {
    /// The cached report for `key`, or `compute`'s, cached when it succeeds. Two callers
    /// asking at once may both compute; both get equal reports.
    pub fn get_or_compute(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<GapReport>,
    ) -> Result<Arc<GapReport>> {
        if let Some(hit) = self.get(&key) {
            return Ok(hit);
        }
        let report = Arc::new(compute()?);
        let mut entries = self.lock();
        entries.retain(|(k, _)| *k != key);
        entries.push_front((key, report.clone()));
        entries.truncate(CAPACITY);
        Ok(report)
    }

    fn get(&self, key: &str) -> Option<Arc<GapReport>> {
        let mut entries = self.lock();
        let at = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(at)?;
        let report = entry.1.clone();
        entries.push_front(entry);
        Some(report)
    }

    /// Number of cached reports.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(String, Arc<GapReport>)>> {
        // The lock guards no invariant a panic could break half way.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
