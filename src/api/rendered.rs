//! A small cache of rendered response bodies.

/// Rendered answers by data version and query: a repeated `/gaps`, `/sites` or
/// `/areas` is served without re-serialising hundreds of kilobytes of JSON per request. Entries of older data
/// versions are never asked for again and fall out as new ones arrive.
#[derive(Default)]
pub struct RenderCache {
    entries: std::sync::Mutex<std::collections::VecDeque<(String, actix_web::web::Bytes)>>,
}

/// How many rendered answers are kept.
const RENDERED: usize = 32;

impl RenderCache {
    /// The cached body for a key.
    pub fn get(&self, key: &str) -> Option<actix_web::web::Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, b)| b.clone())
    }

    /// Keeps a body under a key (the oldest entry goes when full).
    pub fn put(&self, key: String, bytes: actix_web::web::Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.iter().any(|(k, _)| *k == key) {
            return;
        }
        if entries.len() == RENDERED {
            entries.pop_front();
        }
        entries.push_back((key, bytes));
    }
}
