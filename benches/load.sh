#!/usr/bin/env bash
# Load benchmark (issue 7): 16 concurrent clients against a release build serving the
# demo on an embedded SQLite store. Needs wrk (apt-get install -y wrk).
#   benches/load.sh [seconds per endpoint, default 15]
# Prints one JSON line per endpoint and fails when cached /gaps JSON misses the target:
# at least 2,000 requests/s, p99 at most 50 ms, no errors.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
cargo build --release --locked --quiet
dir=$(mktemp -d)
port=18080
GAPMAP_LOG=warn GAPMAP_ADMIN_TOKEN=bench-token-0123456789 \
  target/release/gapmap --db "$dir/bench.db" serve --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.5; done
status=0
for path in '/api/v1/gaps?year=2014&need=childcare' '/api/v1/sites?service=childcare' '/api/v1/sites'; do
  curl -sf -o /dev/null "$base$path"   # warm-up: the first request fills the caches
  line=$(wrk -t2 -c16 -d"${seconds}s" -s benches/load.lua "$base$path" | tail -n 1)
  echo "{\"endpoint\":\"$path\",${line#\{}"
  if [[ $path == /api/v1/gaps* ]]; then
    python3 - "$line" <<'PY' || status=1
import json, sys
r = json.loads(sys.argv[1])
ok = r["rps"] >= 2000 and r["p99_ms"] <= 50 and r["errors"] == 0
print("cached /gaps target (>= 2000 rps, p99 <= 50 ms, 0 errors):", "met" if ok else "MISSED", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
  fi
done
exit $status
