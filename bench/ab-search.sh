#!/usr/bin/env bash
# A/B of search latency: two gazette binaries serve the same database side by
# side with the render cache off; for each search URL, alternately 11
# sequential requests to each, twice, and the median of the 10 after the first.
# Alternating per URL keeps drift on a shared machine out of the comparison.
#
#   bench/ab-search.sh OLD_BINARY NEW_BINARY DATABASE_URL
#
# Build the old binary from another checkout, e.g.
#   git worktree add /tmp/old <commit> && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/oldtarget cargo build --release -p cms-web --bin gazette)
# Servers bind to 127.0.0.1:18091 and :18092 and are stopped at the end.
set -euo pipefail
OLD=$1 NEW=$2 DB=$3
RUN=$(mktemp -d)
trap 'kill $P1 $P2 2>/dev/null || true; rm -rf "$RUN"' EXIT
start() {
  mkdir -p "$RUN/$2"
  GAZETTE_LOG=warn GAZETTE_SAMPLE_CONTENT=false GAZETTE_BIND="127.0.0.1:$2" GAZETTE_PAGE_CACHE_TTL_MS=0 \
    "$1" serve --database-url "$DB" --data-dir "$RUN/$2" >"$RUN/$2.log" 2>&1 &
}
start "$OLD" 18091; P1=$!
start "$NEW" 18092; P2=$!
for p in 18091 18092; do
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$p/api/v1/articles?limit=1" && break; sleep 0.2; done
done
CAT=$(curl -fs "http://127.0.0.1:18092/api/v1/articles?limit=1&fields=id,slug,category" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["category"]["slug"])')
med() {
  local ts=()
  for _ in $(seq 11); do ts+=("$(curl -s -o /dev/null -w '%{http_code}:%{time_total}' "$1")"); done
  python3 -c '
import sys
v = sys.argv[1:]
ok = {x.split(":")[0] for x in v} == {"200"}
t = sorted(float(x.split(":")[1]) * 1000 for x in v[1:])
print(("%.1f" if ok else "ERR %.1f") % t[len(t) // 2])' "${ts[@]}"
}
echo "| URL (category: $CAT) | old | new | old | new |"
echo "|---|---:|---:|---:|---:|"
for u in "/search?q=council" "/search?q=harbour" "/search?q=expands" "/search?q=walk" "/search?q=league" \
  "/search?q=airport" "/search?q=hospital" "/search?q=hospita" "/search?q=apprentice" "/search?q=harbour+backgrou" \
  "/search?q=gov" "/api/v1/articles?q=council&category=$CAT" "/api/v1/articles?q=airport&category=$CAT" \
  "/api/v1/articles?q=hospita&category=$CAT" "/api/v1/articles?q=league&category=$CAT" \
  "/api/v1/articles?q=council&published_before=2020-01-01T00:00:00Z" \
  "/api/v1/articles?q=airport&published_after=2020-01-01T00:00:00Z" "/api/v1/articles?q=airport&sort=published_at" \
  "/api/v1/articles?q=walk&category=$CAT&published_before=2020-06-01T00:00:00Z"; do
  a=$(med "http://127.0.0.1:18091$u"); b=$(med "http://127.0.0.1:18092$u")
  c=$(med "http://127.0.0.1:18091$u"); d=$(med "http://127.0.0.1:18092$u")
  echo "| \`$u\` | $a | $b | $c | $d |"
done
