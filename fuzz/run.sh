#!/usr/bin/env bash
# Runs one fuzz target for a while: fuzz/run.sh <csv|geojson|shapefile|hsds> [seconds]
# Needs cargo-fuzz (cargo install cargo-fuzz); RUSTC_BOOTSTRAP lets the stable toolchain
# build with the nightly-only flags libFuzzer's instrumentation uses.
set -euo pipefail
target=${1:?usage: fuzz/run.sh <csv|geojson|shapefile|hsds> [seconds]}
seconds=${2:-600}
cd "$(dirname "$0")"
mkdir -p "corpus/$target"
# -malloc_limit_mb: one allocation beyond 512 MiB from an input of at most 64 KiB is a
# bug (a size taken on trust from a header); -rss_limit_mb bounds the whole process;
# -timeout: one input taking 10 s is a hang.
RUSTC_BOOTSTRAP=1 exec cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
  -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=512 \
  -timeout=10 -print_final_stats=1
