//! Replays every input the fuzzers found worth keeping (fuzz/regressions/<target>/) and
//! the seeds they start from (fuzz/seeds/<target>/) through the same harness the fuzz
//! targets use. A panic here is an importer bug; see fuzz/README.md.

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
        .into_iter()
        .filter(|p| p.is_file() && !p.ends_with("README.md"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs every kept input; each must come back (accepted or refused) without a panic.
fn replay(target: &str, run: fn(&[u8]) -> usize) {
    for (path, bytes) in inputs("regressions", target) {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}

/// The seeds are real, valid files: each must be accepted by at least one reader, or the
/// fuzzer would start from inputs the importers refuse at the first byte.
fn seeds_are_accepted(target: &str, run: fn(&[u8]) -> usize) {
    let seeds = inputs("seeds", target);
    assert!(!seeds.is_empty(), "no seeds for {target}");
    for (path, bytes) in seeds {
        assert!(
            run(&bytes) > 0,
            "{} is refused by every reader",
            path.display()
        );
    }
}

#[test]
fn csv_regressions_and_seeds() {
    replay("csv", harness::csv);
    seeds_are_accepted("csv", harness::csv);
}

#[test]
fn geojson_regressions_and_seeds() {
    replay("geojson", harness::geojson);
    seeds_are_accepted("geojson", harness::geojson);
}

#[test]
fn shapefile_regressions_and_seeds() {
    replay("shapefile", harness::shapefile);
    seeds_are_accepted("shapefile", harness::shapefile);
}

#[test]
fn hsds_regressions_and_seeds() {
    replay("hsds", harness::hsds);
    seeds_are_accepted("hsds", harness::hsds);
}

#[test]
fn structured_inputs_split_into_their_parts() {
    let parts = harness::split(b"a\n#--8<--#\nb\n#--8<--#\n");
    assert_eq!(parts, vec![&b"a"[..], &b"b"[..], &b""[..]]);
}
