#!/usr/bin/env bash
# The API against its own contract: schemathesis (PyPI, pinned) generates requests from
# GET /api/openapi.json and sends them to a live gapmap serving the bundled demo on a
# fresh SQLite file. It must report 0 failures: no 5xx, no status the document does not
# list, no answer whose content type or body disagrees with its schema. Bounded by
# --max-time; run from the repository root:
#
#   .ci/schemathesis.sh [path/to/gapmap]      (default: $CARGO_TARGET_DIR/debug/gapmap)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/gapmap}
venv=${SCHEMATHESIS_VENV:-${TMPDIR:-/tmp}/gapmap-schemathesis-venv}
max_time=${SCHEMATHESIS_MAX_TIME:-240}
token=schemathesis-admin-token-0123456789

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r .ci/schemathesis-requirements.txt
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GAPMAP_ADMIN_TOKEN=$token NO_COLOR=1 "$bin" serve --db "$work/gapmap.db" --bind "127.0.0.1:$port" \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/readyz', timeout=5)" 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 1
done

# With an admin token, writes are exercised too (their bodies are refused, or stored
# whole); the demo data may change, which is fine for a throwaway store.
# From the scratch folder, so that schemathesis's cache (.schemathesis/) stays out of the
# repository.
status=0
(cd "$work" && "$venv/bin/schemathesis" --no-color run "http://127.0.0.1:$port/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --header "Authorization: Bearer $token" \
  --max-time "$max_time" --workers 1 --request-timeout 60 --seed 1) || status=$?
echo "--- answers by route and status (from the server log)"
grep -oE '(GET|PUT|POST|PATCH|DELETE) [^ ?]+[^ ]* HTTP/1.1 [0-9]{3}' "$work/server.log" \
  | sed -E 's/\?[^ ]*//; s#/(geographies|assessments|partners)/[^/ ]+#/\1/{id}#' \
  | awk '{ print $1, $2, $4 }' | sort | uniq -c | sort -k2,3 || true
if [ $status -ne 0 ]; then
  echo "--- server log (last 80 lines)"
  tail -n 80 "$work/server.log"
fi
exit $status
