//! Gap analysis at national scale: 242,747 areas, 250,000 child-care sites clustered in
//! towns (gapmap::synthetic, fixed seed), one need with three bands out to 15 km.
//!
//!     CARGO_TARGET_DIR=/work/main/target cargo bench --bench gaps
//!
//! Results and the machine they were measured on: BENCHMARKS.md, "Gap analysis".

use criterion::{Criterion, criterion_group, criterion_main};
use gapmap::analysis::{GapParams, compute_gaps, e2sfca, prepare, two_sfca};
use gapmap::atlas::Atlas;
use gapmap::domain::Catalog;
use gapmap::spatial::SiteIndex;
use gapmap::synthetic::National;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// The bundled services with one need: child care within 15 km in three bands.
fn catalog() -> Arc<Catalog> {
    let services = gapmap::domain::BUNDLED_NEEDS_TOML
        .split("# --- Needs")
        .next()
        .expect("the bundled file has a services part");
    let need = r#"
[[needs]]
code = "childcare"
label = "Child care within 15 km"
demand_indicator = "children_under_5"
services = ["childcare"]
supply = "capacity"
default_capacity = 0.0
radius_km = 15.0
bands = [[5.0, 1.0], [10.0, 0.68], [15.0, 0.22]]
target = 0.3333333333333333
desert_rule = { kind = "cap_childcare", min_demand = 50.0, max_ratio = 3.0 }
"#;
    Arc::new(Catalog::from_toml(&format!("{services}{need}")).expect("the bench catalog is valid"))
}

fn national(c: &mut Criterion) {
    let national = National::national();
    let catalog = catalog();
    let atlas = Atlas::build(national.snapshot(), catalog.clone());
    let geo = atlas.geographies.values().next().expect("one geography");
    let params = GapParams::default();
    let prepared = prepare(&atlas, 2020, "childcare", &params).expect("the problem builds");
    let problem = &prepared.problem;
    let tree = atlas
        .site_index
        .service("childcare")
        .expect("child-care sites");

    let mut g = c.benchmark_group("national");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("index_build_250k_sites", |b| {
        b.iter(|| SiteIndex::build(black_box(&atlas.sites)))
    });
    g.bench_function("atlas_build_all_indexes", |b| {
        b.iter_batched(
            || national.snapshot(),
            |snapshot| Atlas::build(snapshot, catalog.clone()),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("nearest_242k_areas", |b| {
        b.iter(|| {
            geo.geography
                .areas
                .iter()
                .filter_map(|a| tree.nearest(a.demand_point, |_| true))
                .map(|(_, km)| km)
                .sum::<f64>()
        })
    });
    g.bench_function("within_15km_242k_areas", |b| {
        b.iter(|| {
            let mut n = 0u64;
            for a in &geo.geography.areas {
                tree.within(a.demand_point, 15.0, |_, _| n += 1);
            }
            n
        })
    });
    g.bench_function("in_area_250k_sites", |b| {
        b.iter(|| {
            atlas
                .sites
                .iter()
                .filter(|s| {
                    geo.area_index
                        .locate(&geo.geography.areas, s.location)
                        .is_some()
                })
                .count()
        })
    });
    g.bench_function("2sfca", |b| b.iter(|| two_sfca(black_box(problem))));
    g.bench_function("e2sfca", |b| b.iter(|| e2sfca(black_box(problem))));
    g.bench_function("full_gaps", |b| {
        b.iter(|| compute_gaps(&atlas, 2020, "childcare", &params).expect("gaps"))
    });
    g.finish();
}

/// The state scale of issue 16 (a tenth of the national problem: 24,275 areas, 25,000
/// sites, 3.8 M pairs within 15 km), where fixed costs of the sweep weigh more per pair.
fn state(c: &mut Criterion) {
    let state = National::generate(24_275, 25_000, 2020);
    let atlas = Atlas::build(state.snapshot(), catalog());
    let params = GapParams::default();
    let mut g = c.benchmark_group("state");
    g.sample_size(30).measurement_time(Duration::from_secs(10));
    g.bench_function("full_gaps", |b| {
        b.iter(|| compute_gaps(&atlas, 2020, "childcare", &params).expect("gaps"))
    });
    g.finish();
}

criterion_group!(benches, national, state);
criterion_main!(benches);
