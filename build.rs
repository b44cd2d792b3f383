//! Tells the test code whether a PostgreSQL server was given for the store tests.
//!
//! With `GAPMAP_TEST_POSTGRES_URL` set (and not empty) when the tests are built, the
//! `postgres_tests` cfg is on and every `on_postgres` test runs; without it they are
//! compiled as ignored, so `cargo test` counts them as skipped rather than as passed.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=GAPMAP_TEST_POSTGRES_URL");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    let given = std::env::var_os("GAPMAP_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty());
    if given {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
