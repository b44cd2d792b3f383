#!/usr/bin/env bash
# The national import and cold start (issue 16 item 3: an import of 250,000 sites into a
# store holding a national geography ≤ 10 s end to end; a cold start ≤ 5 s). Release
# build. Uses the files of docs/measure-national.sh in D (default /tmp/nat: areas.geojson,
# assessment.csv, sites.csv; sites-moved.csv is written here), makes base.db (the areas
# and the 2020 assessment) once, then per binary and run, on a copy of base.db:
#   1. gapmap import partners sites.csv           (250,000 new sites)
#   2. gapmap import partners sites-moved.csv     (every site moved: 250,000 changed)
#   3. gapmap serve until /readyz answers          (cold start of the national store)
#   4. POST /api/v1/partners of sites.csv to it    (250,000 changed sites through the
#                                                  API, answered after the Atlas update)
# B=binary (default target/release/gapmap); B0=another binary (say main's) run side by
# side in each run; RUNS (default 3). Prints each figure and `uptime`.
set -euo pipefail
B=$(realpath "${B:-target/release/gapmap}")
B0=${B0:+$(realpath "$B0")}
D=${D:-/tmp/nat}
RUNS=${RUNS:-3}
PORT=${PORT:-8098}
cd "$D"
[ -f areas.geojson ] || "$B" bench-data --out .
if [ ! -f sites-moved.csv ]; then
  python3 - <<'PY'
import csv
rows = list(csv.reader(open("sites.csv")))
head = rows[0]; lon = head.index("lon")
with open("sites-moved.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n"); w.writerow(head)
    for r in rows[1:]:
        r[lon] = repr(float(r[lon]) + 0.0001); w.writerow(r)
PY
fi
# Written by the older binary when there are two: the newer one upgrades a copy, while
# an older one refuses a store with migrations it does not know.
if [ ! -f base.db ]; then
  "${B0:-$B}" --db base.db import areas areas.geojson --geography bg > /dev/null
  "${B0:-$B}" --db base.db import indicators assessment.csv --year 2020 --geography bg > /dev/null
fi
log() { sed 's/\x1b\[[0-9;]*m//g' | grep -vE "slow statement" | sed -E 's/^[0-9TZ:.-]+ +//'; }
one() {
  local bin=$1 tag=$2
  rm -f "$tag".db "$tag".db-wal "$tag".db-shm
  cp base.db "$tag".db
  # Open it once: a binary with newer migrations upgrades the copy outside the timings.
  "$bin" --db "$tag".db token list > /dev/null 2>&1
  echo "== $tag ($bin) $(uptime)"
  GAPMAP_LOG=gapmap=debug /usr/bin/time -f "import partners, 250,000 new sites: %e s, %M KB" \
    "$bin" --db "$tag".db import partners sites.csv 2>&1 > /dev/null | log
  GAPMAP_LOG=gapmap=debug /usr/bin/time -f "import partners, 250,000 changed sites: %e s, %M KB" \
    "$bin" --db "$tag".db import partners sites-moved.csv 2>&1 > /dev/null | log
  echo "load before serve: $(uptime)"
  GAPMAP_LOG=gapmap=debug GAPMAP_ADMIN_TOKEN=measure-token-0123456789 \
    "$bin" --db "$tag".db serve --no-demo --bind 127.0.0.1:$PORT > serve-"$tag".log 2>&1 &
  local pid=$! start
  start=$(date +%s%N)
  until curl -sf http://127.0.0.1:$PORT/readyz > /dev/null; do sleep 0.05; done
  echo "cold serve until /readyz: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  curl -s -o /dev/null -w "API upload, 250,000 changed sites (merge): answered after %{time_total} s\n" \
    -H "Authorization: Bearer measure-token-0123456789" -H "Content-Type: text/csv" \
    --data-binary @sites.csv "http://127.0.0.1:$PORT/api/v1/partners?mode=merge&filename=sites.csv"
  ps -o rss= -p $pid | awk '{print "server RSS " int($1/1024) " MB"}'
  kill $pid; wait $pid 2> /dev/null || true
  log < serve-"$tag".log | grep -vE "GET /readyz" | tail -8
  echo "end: $(uptime)"
}
for run in $(seq 1 "$RUNS"); do
  [ -n "$B0" ] && one "$B0" "before-$run"
  one "$B" "after-$run"
done
