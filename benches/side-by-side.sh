#!/usr/bin/env bash
# Issue 16, item 5: gapmap beside the Python peer pipeline (PySAL `access` + scipy +
# shapely + geopandas, benches/pysal/pipeline.py) on the same synthetic files, in one run
# (BENCHMARKS.md, "Side by side with the Python pipeline").
#
#   cargo build --release --features bench
#   python3 -m venv /work/venv-bench && /work/venv-bench/bin/pip install access geopandas shapely scipy pandas pyarrow
#   benches/side-by-side.sh state        # 24,275 areas x 25,000 sites, RUNS=3
#   benches/side-by-side.sh national     # 242,747 x 250,000 (the peer only with PEER=1: ~17 GB)
#
# Per run: the three imports into a fresh SQLite store, a cold `gapmap gaps --radius-km 15`
# process writing CSV, a cold `gapmap serve` (until /readyz) and its first uncached
# /api/v1/gaps CSV, then the peer on the same files. Wall times and peak RSS from
# /usr/bin/time -v; medians and ratios at the end, rows kept in $D/results.jsonl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
B=$(realpath "${B:-$here/../target/release/gapmap}")
PY=${PY:-/work/venv-bench/bin/python}
SCALE=${1:-state}
R=15
case "$SCALE" in
  state) D=${D:-/tmp/sbs-state}; GEN=(--areas 24275 --sites 25000); RUNS=${RUNS:-3}; PEER=${PEER:-1} ;;
  national) D=${D:-/tmp/sbs-national}; GEN=(); RUNS=${RUNS:-1}; PEER=${PEER:-0} ;;
  *) echo "usage: $0 state|national" >&2; exit 2 ;;
esac
mkdir -p "$D"
cd "$D"
uptime
[ -f sites.csv ] || "$B" bench-data --out . "${GEN[@]}"
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
field() { grep -o "\"$2\":\"\?[0-9.]*" "$1" | head -1 | sed 's/.*://; s/"//g'; }
t() { # name, command...: runs it under /usr/bin/time -v, logs as JSON
  local name=$1; shift
  GAPMAP_LOG=gapmap=debug GAPMAP_LOG_FORMAT=json /usr/bin/time -v -o "$name.time" "$@" > "$name.out" 2> "$name.log"
}
: > results.jsonl
PORT=8131
for run in $(seq 1 "$RUNS"); do
  echo "== $SCALE run $run, $(uptime)"
  rm -f s.db s.db-wal s.db-shm
  t areas "$B" --db s.db import areas areas.geojson --geography bg
  t indicators "$B" --db s.db import indicators assessment.csv --year 2020 --geography bg
  t partners "$B" --db s.db import partners sites.csv
  t gaps "$B" --db s.db gaps --year 2020 --need childcare --radius-km $R --format csv --out gaps.csv
  GAPMAP_LOG=gapmap=debug GAPMAP_LOG_FORMAT=json GAPMAP_ADMIN_TOKEN=bench-token-0123456789 \
    "$B" --db s.db serve --no-demo --bind 127.0.0.1:$PORT > serve.log 2>&1 &
  pid=$!
  start=$(date +%s%N)
  until curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null; do sleep 0.1; done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  first=$(curl -s -o /dev/null -w "%{time_total}" "http://127.0.0.1:$PORT/api/v1/gaps?year=2020&need=childcare&radius_km=$R&format=csv")
  served_kb=$(ps -o rss= -p $pid | tr -d ' ')
  kill $pid; wait $pid 2> /dev/null || true
  sweep=$(grep '"gap analysis phases"' serve.log | grep -o "\"sweep_ms\":\"\?[0-9]*" | head -1 | sed "s/.*://; s/\"//g")
  if [ "$PEER" = 1 ]; then
    /usr/bin/time -v -o peer.time "$PY" "$here/pysal/pipeline.py" . --radius-km $R --out peer.csv > peer.json
    peer="$(cat peer.json)"; peer_wall=$(wall peer.time); peer_kb=$(rss peer.time)
  else
    peer=null; peer_wall=null; peer_kb=null
  fi
  printf '{"scale":"%s","run":%s,"load":"%s","areas_s":%s,"areas_kb":%s,"indicators_s":%s,"indicators_kb":%s,"partners_s":%s,"partners_kb":%s,"gaps_s":%s,"gaps_kb":%s,"load_ms":%s,"analysis_ms":%s,"ready_ms":%s,"first_gaps_csv_s":%s,"served_kb":%s,"served_sweep_ms":%s,"peer_wall_s":%s,"peer_kb":%s,"peer":%s}\n' \
    "$SCALE" "$run" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "$(wall areas.time)" "$(rss areas.time)" "$(wall indicators.time)" "$(rss indicators.time)" \
    "$(wall partners.time)" "$(rss partners.time)" "$(wall gaps.time)" "$(rss gaps.time)" \
    "$(field gaps.log load_ms)" "$(field gaps.log analysis_ms)" "$ready" "$first" "$served_kb" "${sweep:-null}" \
    "$peer_wall" "$peer_kb" "$peer" | tee -a results.jsonl
done
uptime
"$PY" - results.jsonl gaps.csv peer.csv <<'EOF'
import json, os, statistics as st, sys
import pandas as pd
rows = [json.loads(l) for l in open(sys.argv[1])]
med = lambda k: st.median(r[k] for r in rows)
mb = lambda k: max(r[k] for r in rows) / 1024
imports = med("areas_s") + med("indicators_s") + med("partners_s")
print(f"{rows[0]['scale']}: {len(rows)} run(s)")
print(f"gapmap imports: areas {med('areas_s'):.1f} s ({mb('areas_kb'):.0f} MB), indicators {med('indicators_s'):.1f} s ({mb('indicators_kb'):.0f} MB), partners {med('partners_s'):.1f} s ({mb('partners_kb'):.0f} MB)")
print(f"gapmap gaps, cold process: {med('gaps_s'):.2f} s ({mb('gaps_kb'):.0f} MB); store read + Atlas {med('load_ms')/1000:.2f} s, analysis + CSV {med('analysis_ms')/1000:.2f} s")
print(f"gapmap serve: ready {med('ready_ms')/1000:.2f} s, first /gaps CSV {med('first_gaps_csv_s'):.2f} s, RSS {mb('served_kb'):.0f} MB")
g_total = imports + med("gaps_s")
print(f"gapmap files to answer (3 imports + cold gaps): {g_total:.1f} s")
if rows[0]["peer"]:
    p = lambda k: st.median(r["peer"][k] for r in rows)
    p_total = p("total_s")
    p_an = p("pairs_s") + p("two_stage_fca_s") + p("enhanced_two_stage_fca_s") + p("rows_s")
    print(f"peer: {rows[0]['peer']['pairs']:,} pairs; read areas {p('read_areas_s'):.1f} s, sites {p('read_and_locate_sites_s'):.1f} s, pairs {p('pairs_s'):.1f} s, 2SFCA {p('two_stage_fca_s'):.1f} s, E2SFCA {p('enhanced_two_stage_fca_s'):.1f} s, rows {p('rows_s'):.1f} s, CSV {p('write_csv_s'):.1f} s; total {p_total:.1f} s, peak {mb('peer_kb'):.0f} MB")
    def per_run(name, f):
        xs = [f(r) for r in rows]
        print(f"ratio per run, {name}: {', '.join(f'{x:.1f}x' for x in xs)}; median {st.median(xs):.1f}x")
    pa = lambda r: sum(r["peer"][k] for k in ["pairs_s", "two_stage_fca_s", "enhanced_two_stage_fca_s", "rows_s"])
    per_run("analysis, peer (pairs + 2SFCA + E2SFCA + rows) / gapmap analysis_ms", lambda r: pa(r) / (r["analysis_ms"] / 1000))
    per_run("peer analysis / served first /gaps CSV", lambda r: pa(r) / r["first_gaps_csv_s"])
    per_run("files to answer, peer total / cold gapmap gaps", lambda r: r["peer"]["total_s"] / r["gaps_s"])
    per_run("peer total / (3 imports + cold gaps)", lambda r: r["peer"]["total_s"] / (r["areas_s"] + r["indicators_s"] + r["partners_s"] + r["gaps_s"]))
    g = pd.read_csv(sys.argv[2], dtype={"geoid": str}).set_index("geoid")
    q = pd.read_csv(sys.argv[3], dtype={"GEOID": str}).set_index("GEOID")
    j = g.merge(q, left_index=True, right_index=True, suffixes=("", "_peer"))
    for c in ["access_2sfca", "access_e2sfca", "sites_within", "sites_in_area"]:
        rel = ((j[c] - j[c + "_peer"]).abs() / j[c + "_peer"].abs().clip(lower=1e-12)).where(j[c + "_peer"] != 0, (j[c]).abs())
        print(f"{c}: {len(j):,} areas compared, max relative difference {rel.max():.2e}")
else:
    print(f"peer: recorded 273 s / 17 GB; ratio 273 s / cold `gapmap gaps` = {273 / med('gaps_s'):.0f}x, / (3 imports + gaps) = {273 / g_total:.1f}x; memory 17 GB / {mb('gaps_kb')/1024:.2f} GB")
EOF
