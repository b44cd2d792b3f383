#!/usr/bin/env bash
# Where an uncached national /gaps spends its time (issue 16, part 4). Release build.
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
uptime
GAPMAP_LOG=gapmap=debug GAPMAP_ADMIN_TOKEN=measure-token-0123456789 $B --db nat.db serve --no-demo --bind 127.0.0.1:8097 > serve.log 2>&1 &
PID=$!
trap 'kill $PID' EXIT
start=$(date +%s%N)
until curl -sf http://127.0.0.1:8097/readyz > /dev/null; do sleep 0.2; done
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"
q='year=2020&need=childcare&radius_km=15'
curl -s -o /dev/null -w "first /gaps json (no gzip): %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/api/v1/gaps?$q"
curl -s -o /dev/null -w "cached /gaps json (no gzip): %{time_total} s\n" "http://127.0.0.1:8097/api/v1/gaps?$q"
curl -s --compressed -o /dev/null -w "cached /gaps json (gzip): %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/api/v1/gaps?$q"
for t in 4/3/5 4/4/5 6/16/24 10/262/380; do
  curl -s -o /dev/null -w "tile $t: %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:8097/tiles/areas/$t.mvt?$q"
done
curl -s -o /dev/null -w "first /gaps csv: %{time_total} s\n" "http://127.0.0.1:8097/api/v1/gaps?$q&format=csv"
grep -E "ms|elapsed" serve.log | tail -20
ps -o rss= -p $PID | awk '{print "server RSS " $1/1024 " MB"}'
