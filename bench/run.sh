#!/usr/bin/env bash
# Gazette benchmark harness: Gazette vs nginx serving the same bytes, same load, one run.
#
#   bench/run.sh                      # 1 000 articles, 10 s per target, 64 connections
#   bench/run.sh --articles 1000000   # the million-article scale (seeding takes a few minutes once)
#   bench/run.sh --smoke              # 2 s per target, 8 connections: checks the harness works
#
# Builds release, seeds (or reuses) bench/data/gazette-N.db, starts Gazette with the shipped
# plugins, warms up, drives wrk at each target, then serves Gazette's own article HTML and
# Content API JSON from nginx with the same wrk settings, and writes bench/RESULTS.md.
# Only 127.0.0.1 is ever targeted; every load run stops by itself.
set -euo pipefail

ARTICLES=1000
DURATION=10
CONNECTIONS=64
THREADS=2
SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --articles) ARTICLES="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --smoke) SMOKE=1; DURATION=2; CONNECTIONS=8; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA="$ROOT/bench/data"
mkdir -p "$DATA"
GZ_PORT=18700
NGX_PORT=18701
BASE="http://127.0.0.1:$GZ_PORT"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need nginx; then
  echo "== installing wrk and nginx (Debian packages)"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null || apt-get install -y -qq wrk nginx >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk nginx-light >/dev/null; fi
fi

echo "== building release (Gazette and the shipped plugins)"
cargo build --release --workspace --quiet

DB="$DATA/gazette-$ARTICLES.db"
SEED_NOTE="reused $DB"
if [ ! -f "$DB" ]; then
  echo "== seeding $ARTICLES articles into $DB"
  start=$(date +%s.%N)
  ./target/release/gazette seed --articles "$ARTICLES" --database-url "$DB"
  end=$(date +%s.%N)
  SEED_NOTE="seeded in $(python3 -c "print(f\"{$end - $start:.1f}\")") s: target/release/gazette seed --articles $ARTICLES --database-url $DB"
fi

GZ_PID=""
NGX_DIR=""
cleanup() {
  [ -n "$GZ_PID" ] && kill "$GZ_PID" 2>/dev/null || true
  [ -n "$NGX_DIR" ] && [ -f "$NGX_DIR/nginx.pid" ] && kill "$(cat "$NGX_DIR/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

echo "== starting Gazette"
RUN_DIR=$(mktemp -d)
t0=$(date +%s%N)
GAZETTE_LOG=warn GAZETTE_SAMPLE_CONTENT=false GAZETTE_BIND="127.0.0.1:$GZ_PORT" \
  ./target/release/gazette serve --database-url "$DB" --data-dir "$RUN_DIR" >"$RUN_DIR/gazette.log" 2>&1 &
GZ_PID=$!
until curl -fs -o /dev/null "$BASE/"; do
  sleep 0.02
  kill -0 "$GZ_PID" 2>/dev/null || { cat "$RUN_DIR/gazette.log"; exit 1; }
done
t1=$(date +%s%N)
STARTUP_MS=$(( (t1 - t0) / 1000000 ))

# Targets, found through the Content API.
ART=$(curl -fs "$BASE/api/v1/articles?limit=1&fields=id,slug,category")
ART_ID=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
ART_SLUG=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
CAT_SLUG=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["category"]["slug"])')
CAT_PAGE=50
until curl -fs -o /dev/null "$BASE/category/$CAT_SLUG?page=$CAT_PAGE" || [ "$CAT_PAGE" -le 1 ]; do CAT_PAGE=$((CAT_PAGE - 1)); done

declare -a NAMES=("article page" "home page" "category page $CAT_PAGE" "Content API list" "Content API article")
declare -a PATHS=("/articles/$ART_SLUG" "/" "/category/$CAT_SLUG?page=$CAT_PAGE" "/api/v1/articles" "/api/v1/articles/$ART_ID")

WRK="wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency"
# wrk prints "Requests/sec: N" and a latency distribution; keep rps, p50, p99 (in ms).
measure() {
  local out rps p50 p99
  out=$($WRK "$1" 2>&1)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { python3 -c "import sys,re; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); n=float(m.group(1)); print(round(n/1000 if m.group(2)=='us' else n*1000 if m.group(2)=='s' else n, 3))" "$1"; }

echo "== warming up"
for p in "${PATHS[@]}"; do wrk -t1 -c4 -d1s "$BASE$p" >/dev/null 2>&1; done

declare -a RESULTS=()
for i in "${!PATHS[@]}"; do
  echo "== Gazette: ${NAMES[$i]} (${PATHS[$i]})"
  RESULTS[$i]=$(measure "$BASE${PATHS[$i]}")
  echo "   ${RESULTS[$i]}"
done
RSS_KB=$(ps -o rss= -p "$GZ_PID" | tr -d ' ')

# nginx serves Gazette's own bytes for the same article page and the API list.
NGX_DIR=$(mktemp -d)
mkdir -p "$NGX_DIR/www"
curl -fs "$BASE/articles/$ART_SLUG" -o "$NGX_DIR/www/article.html"
curl -fs "$BASE/api/v1/articles" -o "$NGX_DIR/www/list.json"
cat >"$NGX_DIR/nginx.conf" <<NGINX
worker_processes 2;
pid $NGX_DIR/nginx.pid;
error_log $NGX_DIR/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { text/html html; application/json json; }
  server {
    listen 127.0.0.1:$NGX_PORT;
    root $NGX_DIR/www;
    etag on;
  }
}
NGINX
nginx -c "$NGX_DIR/nginx.conf" -p "$NGX_DIR"
sleep 0.3
wrk -t1 -c4 -d1s "http://127.0.0.1:$NGX_PORT/article.html" >/dev/null 2>&1
echo "== nginx: article.html"
NGX_HTML=$(measure "http://127.0.0.1:$NGX_PORT/article.html")
echo "   $NGX_HTML"
echo "== nginx: list.json"
NGX_JSON=$(measure "http://127.0.0.1:$NGX_PORT/list.json")
echo "   $NGX_JSON"
kill "$(cat "$NGX_DIR/nginx.pid")"; NGX_DIR=""

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
MACHINE="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); load generator (wrk) on the same machine"
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ) — $ARTICLES articles$([ $SMOKE = 1 ] && echo ' (smoke run: not a measurement)')"
  echo
  echo "- Machine: $MACHINE"
  echo "- Command: \`bench/run.sh --articles $ARTICLES --duration $DURATION --connections $CONNECTIONS\`; load: \`$WRK URL\`"
  echo "- Database: $SEED_NOTE"
  echo "- Gazette: release build, SQLite, shipped plugins loaded; start-up to first response: ${STARTUP_MS} ms; RSS after the runs: $((RSS_KB / 1024)) MB"
  echo
  echo "| target | req/s | p50 ms | p99 ms | nginx req/s (same bytes) | Gazette / nginx |"
  echo "|---|---:|---:|---:|---:|---:|"
  for i in "${!PATHS[@]}"; do
    read -r rps p50 p99 <<<"${RESULTS[$i]}"
    case $i in
      0) read -r nrps _ _ <<<"$NGX_HTML"; echo "| ${NAMES[$i]} | $rps | $p50 | $p99 | $nrps (article.html) | $(ratio "$rps" "$nrps") |" ;;
      3) read -r nrps _ _ <<<"$NGX_JSON"; echo "| ${NAMES[$i]} | $rps | $p50 | $p99 | $nrps (list.json) | $(ratio "$rps" "$nrps") |" ;;
      *) echo "| ${NAMES[$i]} | $rps | $p50 | $p99 | | |" ;;
    esac
  done
  read -r nrps np50 np99 <<<"$NGX_HTML"; echo "| nginx article.html | $nrps | $np50 | $np99 | | |"
  read -r nrps np50 np99 <<<"$NGX_JSON"; echo "| nginx list.json | $nrps | $np50 | $np99 | | |"
  echo
} > "$DATA/latest.md"
cat "$DATA/latest.md"
if [ "$SMOKE" = 0 ]; then
  python3 - "$ROOT/bench/RESULTS.md" "$DATA/latest.md" <<'PY'
import sys
results, latest = sys.argv[1], open(sys.argv[2]).read()
try:
    text = open(results).read()
except FileNotFoundError:
    text = "# Benchmark results\n\nNewest first. Produced by `bench/run.sh`; see bench/README.md.\n\n"
marker = "<!-- runs -->\n"
if marker not in text:
    text += marker
head, tail = text.split(marker, 1)
open(results, "w").write(head + marker + latest + "\n" + tail)
PY
  echo "== appended to bench/RESULTS.md"
fi
