//! A small parallel map over index ranges on scoped threads.
//!
//! Every item is computed on its own, so the numbers do not depend on how many threads
//! ran or which thread took which chunk: the same data gives the same bits on every
//! machine (DESIGN.md: analysis is deterministic).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Items per work unit: small enough to balance clustered data, large enough that the
/// atomic counter costs nothing.
const CHUNK: usize = 512;

/// The number of worker threads: the machine's parallelism, at most 8.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `(0..n).map(f).collect()`, computed on several threads.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = threads().min(n.div_ceil(CHUNK)).max(1);
    if workers == 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, Vec<T>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= n {
                            break done;
                        }
                        let range: Range<usize> = start..(start + CHUNK).min(n);
                        done.push((start, range.map(&f).collect::<Vec<T>>()));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(parts) => parts,
                // A panic in `f` is a bug; carry it to the caller as a panic would.
                Err(payload) => std::panic::resume_unwind(payload),
            })
            .collect()
    });
    parts.sort_unstable_by_key(|p| p.0);
    let mut out = Vec::with_capacity(n);
    for (_, part) in parts {
        out.extend(part);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_index_order() {
        let v = super::map(10_000, |i| i * 2);
        assert_eq!(v.len(), 10_000);
        assert!(v.iter().enumerate().all(|(i, x)| *x == i * 2));
        assert!(super::map(0, |i| i).is_empty());
    }
}
