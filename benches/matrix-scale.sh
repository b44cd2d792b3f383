#!/usr/bin/env bash
# Issue 15, item 5: a synthetic state's 50-million-pair drive matrix, imported and
# analysed by gapmap and by PySAL `access`, side by side in one run (BENCHMARKS.md,
# "Travel-time matrices at state scale").
#
#   cargo build --release --features bench
#   python3 -m venv /work/venv-bench && /work/venv-bench/bin/pip install access geopandas shapely scipy pandas pyarrow
#   benches/matrix-scale.sh            # RUNS=3 D=/tmp/state-matrix FRACTION=1.0 PAIRS=50000000
#
# Each run, in turn: `gapmap import travel-times` into a fresh copy of the store (areas,
# demand and sites already in it), a cold `gapmap gaps --mode drive --max-minutes 60`
# process, then the peer (benches/pysal/matrix_scale.py) on the same files. Wall time and
# peak RSS from /usr/bin/time -v; gapmap's phases from its debug log. The medians and the
# ratios are printed at the end and kept in $D/results.jsonl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
B=$(realpath "${B:-$here/../target/release/gapmap}")
PY=${PY:-/work/venv-bench/bin/python}
D=${D:-/tmp/state-matrix}
RUNS=${RUNS:-3}
PAIRS=${PAIRS:-50000000}
FRACTION=${FRACTION:-1.0}
M=60
SIGMA=30
mkdir -p "$D"
cd "$D"
uptime
if [ ! -f travel_times.csv ]; then
  /usr/bin/time -f "bench-matrix: %e s, %M KB" "$B" bench-matrix --out . --pairs "$PAIRS"
fi
ls -l travel_times.csv
if [ ! -f base.db ]; then
  "$B" --db base.db import areas areas.geojson --geography tracts > /dev/null
  "$B" --db base.db import indicators assessment.csv --year 2020 --geography tracts > /dev/null
  "$B" --db base.db import partners sites.csv > /dev/null
fi
: > results.jsonl
# Seconds and KB of a /usr/bin/time -v output.
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
field() { grep -o "\"$2\":\"\?[0-9.eE+-]*" "$1" | head -1 | sed 's/.*://; s/"//g'; }
for run in $(seq 1 "$RUNS"); do
  echo "== run $run, $(uptime)"
  rm -f m.db m.db-wal m.db-shm
  cp base.db m.db
  GAPMAP_LOG=gapmap=info GAPMAP_LOG_FORMAT=json /usr/bin/time -v -o import.time \
    "$B" --db m.db import travel-times travel_times.csv --mode drive --geography tracts > import.out 2> import.log
  GAPMAP_LOG=gapmap=debug GAPMAP_LOG_FORMAT=json /usr/bin/time -v -o gaps.time \
    "$B" --db m.db gaps --year 2020 --need childcare --mode drive --max-minutes $M \
    --decay gaussian --sigma-minutes $SIGMA --format csv --out gaps.csv 2> gaps.log
  /usr/bin/time -v -o peer.time "$PY" "$here/pysal/matrix_scale.py" . --max-minutes $M \
    --sigma-minutes $SIGMA --origins-fraction "$FRACTION" --out access.csv > peer.json
  printf '{"run":%s,"load":"%s","import_s":%s,"import_kb":%s,"parse_s":%s,"write_s":%s,"atlas_s":%s,"gaps_s":%s,"gaps_kb":%s,"load_ms":%s,"analysis_ms":%s,"sweep_ms":%s,"peer_wall_s":%s,"peer_kb":%s,"peer":%s}\n' \
    "$run" "$(cut -d" " -f1-3 /proc/loadavg)" \
    "$(wall import.time)" "$(rss import.time)" \
    "$(field import.log parse_s)" "$(field import.log write_s)" "$(field import.log atlas_s)" \
    "$(wall gaps.time)" "$(rss gaps.time)" \
    "$(field gaps.log load_ms)" "$(field gaps.log analysis_ms)" "$(field gaps.log sweep_ms)" \
    "$(wall peer.time)" "$(rss peer.time)" "$(cat peer.json)" | tee -a results.jsonl
done
uptime
"$PY" - results.jsonl gaps.csv access.csv "$FRACTION" <<'EOF'
import json, statistics as st, sys
import pandas as pd
rows = [json.loads(l) for l in open(sys.argv[1])]
med = lambda f: st.median(f(r) for r in rows)
g_import, g_gaps = med(lambda r: r["import_s"]), med(lambda r: r["gaps_s"])
g_an = med(lambda r: r["analysis_ms"] / 1000)
p_an = med(lambda r: r["peer"]["analysis_s"])
p_total = med(lambda r: r["peer"]["total_s"])
p_read = med(lambda r: r["peer"]["read_matrix_s"])
print(f"runs: {len(rows)}; pairs (peer): {rows[0]['peer']['pairs']:,}")
print(f"gapmap import travel-times: {g_import:.1f} s, peak {max(r['import_kb'] for r in rows)/1024:.0f} MB")
print(f"gapmap gaps (cold process):  {g_gaps:.1f} s, peak {max(r['gaps_kb'] for r in rows)/1024:.0f} MB; analysis {g_an:.2f} s")
print(f"peer read matrix {p_read:.1f} s; 2SFCA + E2SFCA {p_an:.1f} s; total {p_total:.1f} s; peak {max(r['peer_kb'] for r in rows)/1024:.0f} MB")
an = [r["peer"]["analysis_s"] / (r["analysis_ms"] / 1000) for r in rows]
e2e = [r["peer"]["total_s"] / (r["import_s"] + r["gaps_s"]) for r in rows]
print(f"ratio per run, analysis (access 2SFCA + E2SFCA / gapmap analysis_ms): {', '.join(f'{x:.1f}x' for x in an)}; median {st.median(an):.1f}x")
print(f"ratio per run, file to answer (peer total / gapmap import + gaps): {', '.join(f'{x:.1f}x' for x in e2e)}; median {st.median(e2e):.1f}x")
if float(sys.argv[4]) >= 1.0:
    g = pd.read_csv(sys.argv[2], dtype={"geoid": "int64"}).set_index("geoid")
    p = pd.read_csv(sys.argv[3], dtype={"GEOID": "int64"}).set_index("GEOID")
    j = g.merge(p, left_index=True, right_index=True, suffixes=("", "_peer"))
    for c in ["access_2sfca", "access_e2sfca"]:
        rel = ((j[c] - j[c + "_peer"]).abs() / j[c + "_peer"].abs().clip(lower=1e-12)).where(j[c + "_peer"] != 0, 0)
        print(f"{c}: {len(j):,} areas compared, max relative difference {rel.max():.2e}")
EOF
