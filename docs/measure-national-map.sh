#!/usr/bin/env bash
# The map at national scale in a browser (issue 16, part 1): makes the synthetic national
# store (as docs/measure-national.sh does), serves it from a release build and runs
# web/test/national.test.js against it, which prints how long each view takes to draw.
#
#   cargo build --release --features bench
#   B=target/release/gapmap docs/measure-national-map.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
B=$(realpath "${B:-target/release/gapmap}")
D=${D:-/tmp/nat}
mkdir -p "$D"
[ -f "$D/areas.geojson" ] || "$B" bench-data --out "$D"
if [ ! -f "$D/nat.db" ]; then
  (cd "$D" && "$B" --db nat.db import areas areas.geojson --geography bg > /dev/null \
    && "$B" --db nat.db import indicators assessment.csv --year 2020 --geography bg > /dev/null \
    && "$B" --db nat.db import partners sites.csv > /dev/null)
fi
uptime
port=${PORT:-8098}
GAPMAP_WEB_DIR="$root/web" GAPMAP_ADMIN_TOKEN=measure-token-0123456789 NO_COLOR=1 \
  "$B" --db "$D/nat.db" serve --no-demo --bind "127.0.0.1:$port" > "$D/serve-map.log" 2>&1 &
pid=$!
trap 'kill $pid' EXIT
until curl -sf "http://127.0.0.1:$port/readyz" > /dev/null; do sleep 0.2; done
status=0
GAPMAP_NATIONAL_URL="http://127.0.0.1:$port" node --test web/test/national.test.js || status=$?
ps -o rss= -p $pid | awk '{print "server RSS " $1/1024 " MB"}'
exit $status
