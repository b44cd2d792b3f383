#!/usr/bin/env bash
# Where an uncached national /gaps spends its time (issue 16, parts 3 and 4). Release build.
# B=path/to/gapmap overrides the binary; with REIMPORT=1 the partners are imported once
# more into the national store (the ≤ 10 s target: the process's cold start, the parse,
# the write and the Atlas updated from the directory alone).
set -euo pipefail
B=${B:-target/release/gapmap}
D=/tmp/nat
mkdir -p $D
[ -f $D/areas.geojson ] || $B bench-data --out $D
B=$(realpath "$B"); cd $D
if [ ! -f nat.db ]; then
  /usr/bin/time -f "import areas %e s %M KB" $B --db nat.db import areas areas.geojson --geography bg > /dev/null
  /usr/bin/time -f "import indicators %e s %M KB" $B --db nat.db import indicators assessment.csv --year 2020 --geography bg > /dev/null
  /usr/bin/time -f "import partners %e s %M KB" $B --db nat.db import partners sites.csv > /dev/null
fi
if [ "${REIMPORT:-}" = 1 ]; then
  # Every site moved a little: 250,000 changed sites into a store with the geography.
  python3 - <<'PY'
import csv
rows = list(csv.reader(open("sites.csv")))
head = rows[0]; lon = head.index("lon")
with open("sites-moved.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n"); w.writerow(head)
    for r in rows[1:]:
        r[lon] = repr(float(r[lon]) + 0.0001); w.writerow(r)
PY
  GAPMAP_LOG=gapmap=info /usr/bin/time -f "re-import partners (250,000 changed sites) %e s %M KB" $B --db nat.db import partners sites-moved.csv 2>&1 > /dev/null | grep -E "Atlas updated|import partners|KB" || true
fi
uptime
GAPMAP_LOG=gapmap=debug GAPMAP_ADMIN_TOKEN=measure-token-0123456789 $B --db nat.db serve --no-demo --bind 127.0.0.1:8097 > serve.log 2>&1 &
PID=$!
trap 'kill $PID' EXIT
start=$(date +%s%N)
until curl -sf http://127.0.0.1:8097/readyz > /dev/null; do sleep 0.2; done
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"
q='year=2020&need=childcare&radius_km=15'
curl -s -o /dev/null -w "first /gaps json (no gzip): first byte %{time_starttransfer} s, all %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/api/v1/gaps?$q"
# The report is cached now: these measure the rendering and the streaming alone.
curl -s -o /dev/null -w "first /gaps csv (streamed): first byte %{time_starttransfer} s, all %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/api/v1/gaps?$q&format=csv"
curl -s -o /dev/null -w "first /gaps geojson (streamed): first byte %{time_starttransfer} s, all %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/api/v1/gaps?$q&format=geojson"
# An uncached analysis streamed as CSV: another radius, so nothing is cached.
curl -s -o /dev/null -w "uncached /gaps csv radius 14 (streamed): first byte %{time_starttransfer} s, all %{time_total} s\n" "http://127.0.0.1:8097/api/v1/gaps?year=2020&need=childcare&radius_km=14&format=csv"
curl -s -o /dev/null -w "cached /gaps json (no gzip): %{time_total} s\n" "http://127.0.0.1:8097/api/v1/gaps?$q"
curl -s --compressed -o /dev/null -w "cached /gaps json (gzip): %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/api/v1/gaps?$q"
for t in 4/3/5 4/4/5 6/16/24 10/262/380; do
  curl -s -o /dev/null -w "tile $t: %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/tiles/areas/$t.mvt?$q"
done
curl -s -o /dev/null -w "cached /gaps csv: %{time_total} s\n" "http://127.0.0.1:8097/api/v1/gaps?$q&format=csv"
grep -E "ms|elapsed" serve.log | tail -20
ps -o rss= -p $PID | awk '{print "server RSS " $1/1024 " MB"}'
