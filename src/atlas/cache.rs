//! The one cache of computed answers: gap reports that later analyses build on, and
//! rendered response bodies, side by side under one kind of key.
//!
//! Every key carries the data version of the Atlas the value was computed from, so a write
//! can never be answered with stale numbers: a new Atlas asks with a new version and never
//! meets the old entries, which are dropped as soon as a newer version is stored.
//!
//! The cache knows nothing of what it holds (values are `Any`), so it sits beside the
//! Atlas without depending on the analyses or formats above it.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Entries kept at most.
const MAX_ENTRIES: usize = 64;
/// Approximate bytes kept at most: a national gap report is tens of MB, so this holds a
/// handful of them beside the map's many small answers.
const MAX_BYTES: usize = 768 * 1024 * 1024;

/// What a cached value answers: its kind (`gap_report`, `gaps`, `report` …), the data
/// version it was computed from and its canonical parameters.
///
/// Parameters are kept as `(name, canonical text)` pairs sorted by name, so the order in
/// which code adds them does not matter, and numbers are written in one exact form (the
/// shortest text that reads back to the same `f64`, with −0 written as 0), so two requests
/// for the same question always meet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey {
    kind: &'static str,
    data_version: i64,
    params: Vec<(&'static str, String)>,
}

impl CacheKey {
    /// A key of `kind` for data computed from `data_version`.
    pub fn new(kind: &'static str, data_version: i64) -> Self {
        Self {
            kind,
            data_version,
            params: Vec::new(),
        }
    }

    /// The key with one more parameter.
    ///
    /// ```
    /// use gapmap::atlas::CacheKey;
    /// let a = CacheKey::new("gaps", 7).with("radius_km", 3.0).with("need", "childcare");
    /// let b = CacheKey::new("gaps", 7).with("need", "childcare").with("radius_km", 3.0);
    /// assert_eq!(a, b);
    /// assert_ne!(a, CacheKey::new("gaps", 8).with("need", "childcare").with("radius_km", 3.0));
    /// assert_eq!(CacheKey::new("x", 1).with("r", -0.0), CacheKey::new("x", 1).with("r", 0.0));
    /// assert_ne!(CacheKey::new("x", 1).with("r", None::<f64>), CacheKey::new("x", 1).with("r", Some(0.0)));
    /// ```
    pub fn with(mut self, name: &'static str, value: impl KeyValue) -> Self {
        let text = value.canonical();
        let at = self.params.partition_point(|(n, _)| *n < name);
        if self.params.get(at).is_some_and(|(n, _)| *n == name) {
            self.params[at].1 = text;
        } else {
            self.params.insert(at, (name, text));
        }
        self
    }

    /// The data version the key belongs to.
    pub fn data_version(&self) -> i64 {
        self.data_version
    }
}

/// A parameter value with one canonical text form.
pub trait KeyValue {
    /// The canonical text.
    fn canonical(&self) -> String;
}

impl KeyValue for f64 {
    fn canonical(&self) -> String {
        // `{:?}` is the shortest text that reads back to the same bits.
        if *self == 0.0 {
            "0".into()
        } else {
            format!("{self:?}")
        }
    }
}

macro_rules! display_key_value {
    ($($t:ty),*) => {$(
        impl KeyValue for $t {
            fn canonical(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_key_value!(i32, i64, u32, u64, usize, bool, str, String);

impl<T: KeyValue + ?Sized> KeyValue for &T {
    fn canonical(&self) -> String {
        (**self).canonical()
    }
}

impl<T: KeyValue> KeyValue for Option<T> {
    fn canonical(&self) -> String {
        // Some("") and None must differ: a leading mark tells them apart.
        self.as_ref()
            .map_or_else(|| "\u{2205}".into(), |v| format!("={}", v.canonical()))
    }
}

impl<T: KeyValue> KeyValue for [T] {
    fn canonical(&self) -> String {
        let parts: Vec<String> = self.iter().map(KeyValue::canonical).collect();
        format!("[{}]", parts.join("\u{1f}"))
    }
}

type Value = Arc<dyn Any + Send + Sync>;

struct Entry {
    key: CacheKey,
    value: Value,
    bytes: usize,
}

/// A least-recently-used cache of values of any type, keyed by [`CacheKey`].
#[derive(Default)]
pub struct Cache {
    entries: Mutex<VecDeque<Entry>>,
    /// One gate per key being computed: a second caller waits for the first instead of
    /// computing the same answer again (a map asks for a dozen tiles at once, each of
    /// which needs the same gap report).
    computing: Mutex<HashMap<CacheKey, Arc<Mutex<()>>>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("entries", &self.len())
            .finish()
    }
}

impl Cache {
    /// The value cached under `key`, or `compute`'s, kept when it succeeds. `bytes`
    /// estimates the value's size. Callers asking for one key at once compute it once: the
    /// others wait (blocking their thread: call off the async workers) and then read it.
    pub fn get_or_compute<T, E>(
        &self,
        key: CacheKey,
        bytes: impl FnOnce(&T) -> usize,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
    {
        if let Some(hit) = self.get::<T>(&key) {
            return Ok(hit);
        }
        let gate = self
            .gates()
            .entry(key.clone())
            .or_insert_with(|| Arc::new(Mutex::new(())))
            .clone();
        let turn = gate.lock().unwrap_or_else(|e| e.into_inner());
        // Whoever held the gate before may have stored it.
        if let Some(hit) = self.get::<T>(&key) {
            return Ok(hit);
        }
        let value = match compute() {
            Ok(v) => Arc::new(v),
            Err(e) => {
                drop(turn);
                self.ungate(&key, &gate);
                return Err(e);
            }
        };
        let size = bytes(&value);
        self.put(key.clone(), value.clone(), size);
        drop(turn);
        self.ungate(&key, &gate);
        Ok(value)
    }

    fn gates(&self) -> MutexGuard<'_, HashMap<CacheKey, Arc<Mutex<()>>>> {
        self.computing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the gate of `key` once its computation is over (a waiter still holds its
    /// own handle and finds the value stored, or computes it in turn after a failure).
    fn ungate(&self, key: &CacheKey, gate: &Arc<Mutex<()>>) {
        let mut gates = self.gates();
        if gates.get(key).is_some_and(|g| Arc::ptr_eq(g, gate)) {
            gates.remove(key);
        }
    }

    /// The value under `key`, when there is one of type `T`.
    pub fn get<T: Send + Sync + 'static>(&self, key: &CacheKey) -> Option<Arc<T>> {
        let mut entries = self.lock();
        let at = entries.iter().position(|e| e.key == *key)?;
        let entry = entries.remove(at)?;
        let value = entry.value.clone();
        entries.push_front(entry);
        value.downcast::<T>().ok()
    }

    /// Keeps `value` under `key` (`bytes`: its estimated size), replacing what was there.
    pub fn insert<T: Send + Sync + 'static>(&self, key: CacheKey, value: Arc<T>, bytes: usize) {
        self.put(key, value, bytes);
    }

    fn put(&self, key: CacheKey, value: Value, bytes: usize) {
        let mut entries = self.lock();
        let version = key.data_version;
        // Older data versions are never asked for again.
        entries.retain(|e| e.key != key && e.key.data_version >= version);
        if bytes > MAX_BYTES {
            return;
        }
        entries.push_front(Entry { key, value, bytes });
        let mut total: usize = entries.iter().map(|e| e.bytes).sum();
        while entries.len() > MAX_ENTRIES || total > MAX_BYTES {
            match entries.pop_back() {
                Some(e) => total -= e.bytes,
                None => break,
            }
        }
    }

    /// Number of cached values.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        // The lock guards no invariant a panic could break half way.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: u32) -> Result<u32, ()> {
        Ok(v)
    }

    #[test]
    fn a_second_ask_is_answered_from_the_cache() {
        let cache = Cache::default();
        let key = CacheKey::new("k", 1).with("a", 1);
        assert_eq!(
            *cache.get_or_compute(key.clone(), |_| 4, || ok(7)).unwrap(),
            7
        );
        let again =
            cache.get_or_compute(key, |_| 4, || -> Result<u32, ()> { panic!("recomputed") });
        assert_eq!(*again.unwrap(), 7);
    }

    #[test]
    fn callers_asking_at_once_compute_once() {
        let cache = Arc::new(Cache::default());
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (cache, runs) = (cache.clone(), runs.clone());
                std::thread::spawn(move || {
                    let key = CacheKey::new("slow", 1).with("need", "childcare");
                    *cache
                        .get_or_compute(
                            key,
                            |_| 4,
                            || {
                                runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                std::thread::sleep(std::time::Duration::from_millis(50));
                                ok(7)
                            },
                        )
                        .unwrap()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 7);
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(cache.gates().is_empty(), "no gate is left behind");
    }

    #[test]
    fn a_newer_data_version_drops_the_older_entries() {
        let cache = Cache::default();
        cache
            .get_or_compute(CacheKey::new("k", 1), |_| 4, || ok(1))
            .unwrap();
        cache
            .get_or_compute(CacheKey::new("j", 1), |_| 4, || ok(2))
            .unwrap();
        cache
            .get_or_compute(CacheKey::new("k", 2), |_| 4, || ok(3))
            .unwrap();
        assert_eq!(cache.len(), 1);
        assert!(cache.get::<u32>(&CacheKey::new("k", 1)).is_none());
    }

    #[test]
    fn failures_are_not_kept_and_types_do_not_mix() {
        let cache = Cache::default();
        let key = CacheKey::new("k", 1);
        assert!(
            cache
                .get_or_compute(key.clone(), |_: &u32| 4, || Err::<u32, _>("no"))
                .is_err()
        );
        assert!(cache.is_empty());
        cache.get_or_compute(key.clone(), |_| 4, || ok(5)).unwrap();
        assert!(cache.get::<String>(&key).is_none());
    }

    #[test]
    fn the_least_recently_used_entry_goes_first_when_full() {
        let cache = Cache::default();
        for i in 0..MAX_ENTRIES {
            cache
                .get_or_compute(CacheKey::new("k", 1).with("i", i), |_| 1, || ok(0))
                .unwrap();
        }
        // Touch the oldest, then add one more: the second oldest goes.
        assert!(
            cache
                .get::<u32>(&CacheKey::new("k", 1).with("i", 0usize))
                .is_some()
        );
        cache
            .get_or_compute(
                CacheKey::new("k", 1).with("i", MAX_ENTRIES),
                |_| 1,
                || ok(0),
            )
            .unwrap();
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(
            cache
                .get::<u32>(&CacheKey::new("k", 1).with("i", 0usize))
                .is_some()
        );
        assert!(
            cache
                .get::<u32>(&CacheKey::new("k", 1).with("i", 1usize))
                .is_none()
        );
    }
}
