#!/usr/bin/env bash
# Gazette benchmark harness: Gazette vs nginx serving the same bytes, same load, one run.
#
#   bench/run.sh                      # 1 000 articles, 10 s per target, 64 connections
#   bench/run.sh --articles 1000000   # the million-article scale (seeding takes a few minutes once)
#   bench/run.sh --smoke              # 2 s per target, 8 connections: checks the harness works
#   bench/run.sh --articles 1000000 --postgres postgres://postgres@127.0.0.1:5432/gazette_bench
#                                     # the same on PostgreSQL (that database is seeded when empty)
#
# Builds release, seeds (or reuses) bench/data/gazette-N.db, starts Gazette with the shipped
# plugins, warms up, drives wrk at each target, then serves Gazette's own article HTML and
# Content API JSON from nginx with the same wrk settings. Then two more phases: the article
# page without the view-counter plugin (what counting views costs), and Gazette with its
# render cache off (every request renders: pages and API lists at many pages and filters).
# Writes bench/RESULTS.md. Only 127.0.0.1 is ever targeted; every load run stops by itself.
set -euo pipefail

ARTICLES=1000
DURATION=10
CONNECTIONS=64
THREADS=2
SMOKE=0
PG_URL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --articles) ARTICLES="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --smoke) SMOKE=1; DURATION=2; CONNECTIONS=8; shift ;;
    --postgres) PG_URL="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
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
BACKEND=SQLite
have_db() { [ -f "$DB" ]; }
if [ -n "$PG_URL" ]; then
  DB="$PG_URL"
  BACKEND=PostgreSQL
  # Seeded once: an empty (or unmigrated) database is seeded, anything else reused.
  have_db() { [ "$(psql "$DB" -qAtc 'SELECT count(*) FROM articles' 2>/dev/null || echo 0)" != 0 ]; }
fi
SEED_NOTE="reused $DB"
if ! have_db; then
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

RUN_DIR=$(mktemp -d)
# start_gazette PLUGINS_DIR CACHE_TTL_MS: starts Gazette and waits for its first response.
start_gazette() {
  local t0 t1
  t0=$(date +%s%N)
  # trust_proxy_headers: bench/visitors.lua gives each request its own client address.
  GAZETTE_LOG=warn GAZETTE_SAMPLE_CONTENT=false GAZETTE_BIND="127.0.0.1:$GZ_PORT" GAZETTE_TRUST_PROXY_HEADERS=true \
    GAZETTE_PLUGINS_DIR="$1" GAZETTE_PAGE_CACHE_TTL_MS="$2" \
    ./target/release/gazette serve --database-url "$DB" --data-dir "$RUN_DIR" >>"$RUN_DIR/gazette.log" 2>&1 &
  GZ_PID=$!
  until curl -fs -o /dev/null "$BASE/"; do
    sleep 0.02
    kill -0 "$GZ_PID" 2>/dev/null || { cat "$RUN_DIR/gazette.log"; exit 1; }
  done
  t1=$(date +%s%N)
  STARTUP_MS=$(( (t1 - t0) / 1000000 ))
}
stop_gazette() { kill "$GZ_PID"; wait "$GZ_PID" 2>/dev/null || true; GZ_PID=""; }

# Migrations (new indexes on a big database) run once, untimed; then the timed start.
echo "== migrating"
./target/release/gazette migrate --database-url "$DB" >/dev/null
echo "== starting Gazette"
PLUGINS="$ROOT/target/release/plugins"
start_gazette "$PLUGINS" 1000
FIRST_STARTUP_MS=$STARTUP_MS

# Targets, found through the Content API.
ART=$(curl -fs "$BASE/api/v1/articles?limit=1&fields=id,slug,category")
ART_ID=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
ART_SLUG=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
CAT_SLUG=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["category"]["slug"])')
CAT_PAGE=50
until curl -fs -o /dev/null "$BASE/category/$CAT_SLUG?page=$CAT_PAGE" || [ "$CAT_PAGE" -le 1 ]; do CAT_PAGE=$((CAT_PAGE - 1)); done

declare -a NAMES=("article page" "home page" "category page $CAT_PAGE" "Content API list" "Content API article")
declare -a PATHS=("/articles/$ART_SLUG" "/" "/category/$CAT_SLUG?page=$CAT_PAGE" "/api/v1/articles" "/api/v1/articles/$ART_ID")

WRK_DEFAULT="wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency"
WRK="$WRK_DEFAULT"
# wrk prints "Requests/sec: N" and a latency distribution; keep rps, p50, p99 (in ms).
# Prints "req/s p50 p99 cpu", cpu being the CPU time (user + system, all threads) the
# server ($GZ_PID, when running) spent per request, in microseconds: unlike req/s, it
# does not depend on how much of the 2 cores wrk happened to take.
measure() {
  local out rps p50 p99 reqs c0 c1 cpu="-"
  c0=$(cpu_ticks)
  out=$($WRK "$@" 2>&1)
  c1=$(cpu_ticks)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  if [ -n "$c0" ] && [ -n "$c1" ] && [ "${reqs:-0}" -gt 0 ]; then
    cpu=$(python3 -c "import sys; print(round((int(sys.argv[2]) - int(sys.argv[1])) * 1e6 / $(getconf CLK_TCK) / int(sys.argv[3]), 1))" "$c0" "$c1" "$reqs")
  fi
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $cpu"
}
# utime + stime of the server process, in clock ticks (empty without a server).
cpu_ticks() { [ -n "${GZ_PID:-}" ] && [ -r "/proc/$GZ_PID/stat" ] && awk '{print $14 + $15}' "/proc/$GZ_PID/stat"; }
to_ms() { python3 -c "import sys,re; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); n=float(m.group(1)); print(round(n/1000 if m.group(2)=='us' else n*1000 if m.group(2)=='s' else n, 3))" "$1"; }

echo "== warming up"
for p in "${PATHS[@]}"; do wrk -t1 -c4 -d1s "$BASE$p" >/dev/null 2>&1; done

# The first run at full load after start-up measured up to a third more CPU per
# request than the same run moments later: warm up at full load first.
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$BASE${PATHS[0]}" >/dev/null 2>&1

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

# What counting views costs: the article page with and without the view-counter
# plugin, alternating VC_ROUNDS times (the server restarted each time, warmed at
# full load first), once with one visitor and once with every request a different
# visitor (bench/visitors.lua); medians are reported. One run of each moved by
# ±15 % here, more than the cost being measured.
stop_gazette
NO_VC=$(mktemp -d)
for lib in "$PLUGINS"/*; do case "$(basename "$lib")" in *view_counter*) ;; *) cp "$lib" "$NO_VC/" ;; esac; done
VC_ROUNDS=$([ "$SMOKE" = 1 ] && echo 1 || echo 3)
declare -a VC_ONE=() VC_MANY=() NO_ONE=() NO_MANY=()
for round in $(seq "$VC_ROUNDS"); do
  for plugins in "$PLUGINS" "$NO_VC"; do
    start_gazette "$plugins" 1000
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$BASE/articles/$ART_SLUG" >/dev/null 2>&1
    one=$(measure "$BASE/articles/$ART_SLUG")
    many=$(measure "$BASE/articles/$ART_SLUG" -s "$ROOT/bench/visitors.lua")
    stop_gazette
    if [ "$plugins" = "$PLUGINS" ]; then VC_ONE+=("$one"); VC_MANY+=("$many"); who="with"; else NO_ONE+=("$one"); NO_MANY+=("$many"); who="without"; fi
    echo "== view counting, round $round, $who the view counter: one visitor $one; every request a different visitor $many"
  done
done
# median FIELD RESULT...: the median of field FIELD (1 = req/s, 4 = CPU µs/req).
median() { local f=$1; shift; printf '%s\n' "$@" | awk -v f="$f" '{print $f}' | python3 -c 'import sys,statistics; print(round(statistics.median(float(x) for x in sys.stdin.read().split()), 1))'; }

# Cold: the render cache off, so every request renders from the database. Each target
# cycles through many different URLs (articles, pages deep into listings, API filters).
start_gazette "$PLUGINS" 0
COLD_DIR=$(mktemp -d)
curl -fs "$BASE/api/v1/articles?limit=100&fields=slug" | python3 -c 'import json,sys; [print("/articles/"+a["slug"]) for a in json.load(sys.stdin)["data"]]' >"$COLD_DIR/articles"
AUTHOR_SLUG=$(curl -fs "$BASE/api/v1/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["author"]["slug"])')
CAT_ID=$(echo "$ART" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["category"]["id"])')
deepest() { # deepest existing page of $1 (a listing path), halving from $2
  local n=$2
  until curl -fs -o /dev/null "$BASE$1?page=$n" || [ "$n" -le 1 ]; do n=$((n / 2)); done
  echo "$n"
}
CAT_DEEP=$(deepest "/category/$CAT_SLUG" 2000)
AUTHOR_DEEP=$(deepest "/author/$AUTHOR_SLUG" 1000)
CAT_FIRST=$(deepest "/category/$CAT_SLUG" 50)
HOME_FIRST=$(deepest "/" 50)
seq 1 "$CAT_FIRST" | sed "s|^|/category/$CAT_SLUG?page=|" >"$COLD_DIR/category"
seq 1 $((CAT_DEEP / 50 + 1)) $CAT_DEEP | sed "s|^|/category/$CAT_SLUG?page=|" >"$COLD_DIR/category-deep"
seq 1 $((AUTHOR_DEEP / 50 + 1)) $AUTHOR_DEEP | sed "s|^|/author/$AUTHOR_SLUG?page=|" >"$COLD_DIR/author-deep"
seq 1 "$HOME_FIRST" | sed "s|^|/?page=|" >"$COLD_DIR/home"
# API: filters, order, and pages half way down the whole list (a date filter and the
# cursor of its next page), found from the oldest and newest publication times.
MID=$(python3 - "$BASE" <<'MIDPY'
import json, sys, urllib.request
from datetime import datetime
def first(q):
    with urllib.request.urlopen(sys.argv[1] + "/api/v1/articles?limit=1&fields=published_at" + q) as r:
        return datetime.fromisoformat(json.load(r)["data"][0]["published_at"].replace("Z", "+00:00"))
old, new = first("&sort=published_at"), first("")
print((old + (new - old) / 2).strftime("%Y-%m-%dT%H:%M:%SZ"))
MIDPY
)
# A month after the oldest article, and the day before MID (searches narrowed by date).
read -r EARLY DAY_START <<<"$(python3 - "$BASE" "$MID" <<'DATEPY'
import json, sys, urllib.request
from datetime import datetime, timedelta
with urllib.request.urlopen(sys.argv[1] + "/api/v1/articles?limit=1&fields=published_at&sort=published_at") as r:
    old = datetime.fromisoformat(json.load(r)["data"][0]["published_at"].replace("Z", "+00:00"))
mid = datetime.fromisoformat(sys.argv[2].replace("Z", "+00:00"))
f = "%Y-%m-%dT%H:%M:%SZ"
print((old + timedelta(days=30)).strftime(f), (mid - timedelta(days=1)).strftime(f))
DATEPY
)"
DEEP_NEXT=$(curl -fs "$BASE/api/v1/articles?published_before=$MID" | python3 -c 'import json,sys,urllib.parse; n=json.load(sys.stdin)["meta"].get("next"); u=urllib.parse.urlsplit(n) if n else None; print(u.path+"?"+u.query if u else "")')
{
  echo "/api/v1/articles"
  echo "/api/v1/articles?category=$CAT_SLUG"
  echo "/api/v1/articles?author=$AUTHOR_SLUG"
  echo "/api/v1/articles?sort=published_at"
  echo "/api/v1/articles?limit=100&include=sections"
  echo "/api/v1/articles?published_before=$MID"
  [ -n "$DEEP_NEXT" ] && echo "$DEEP_NEXT"
  echo "/api/v1/articles?category=$CAT_SLUG&published_before=$MID"
} >"$COLD_DIR/api"
{
  echo "/api/v1/articles?total=true"
  echo "/api/v1/articles?category=$CAT_SLUG&total=true"
  echo "/api/v1/articles?author=$AUTHOR_SLUG&total=true"
  echo "/api/v1/articles?published_before=$MID&total=true"
} >"$COLD_DIR/api-total"
# Common words, two words, a later page, short common prefixes (the last word also
# matches as a prefix), prefixes longer than the FTS5 prefix indexes, a rare word;
# the Content API's q with a total, with a category, and narrowed by dates (the
# oldest month, half the archive, one day, one day of one category).
printf '%s\n' "/search?q=council" "/search?q=harbour+bridge" "/search?q=council&page=3" \
  "/search?q=counc" "/search?q=gov" "/search?q=ele" "/search?q=bridge+counc" "/search?q=zzyzx" \
  "/search?q=hospita" "/search?q=harbour+backgrou" "/search?q=apprentice" \
  "/search?q=airport" "/search?q=league" "/api/v1/articles?q=league&category=$CAT_SLUG" \
  "/api/v1/articles?q=walk&category=$CAT_SLUG&published_before=$MID" \
  "/api/v1/articles?q=council&category=$CAT_SLUG" "/api/v1/articles?q=counc&total=true" \
  "/api/v1/articles?q=hospita&category=$CAT_SLUG" "/api/v1/articles?q=airport&category=$CAT_SLUG" \
  "/api/v1/articles?q=council&published_before=$EARLY" "/api/v1/articles?q=council&published_before=$MID" \
  "/api/v1/articles?q=council&published_after=$DAY_START&published_before=$MID" \
  "/api/v1/articles?q=harbour&category=$CAT_SLUG&published_after=$DAY_START&published_before=$MID" >"$COLD_DIR/search"
# The sitemap index, article sitemap pages across the id range, the news sitemap, feeds.
{
  echo "/sitemap.xml"
  echo "/sitemaps/pages.xml"
  echo "/sitemaps/news.xml"
  python3 -c "import sys; n=max(1, $ARTICLES // 2000); [print(f'/sitemaps/articles-{p}.xml') for p in sorted({1, (n + 1) // 2, n})]"
  echo "/feed.xml"
  echo "/category/$CAT_SLUG/atom.xml"
  echo "/author/$AUTHOR_SLUG/feed.xml"
} >"$COLD_DIR/feeds"
declare -a COLD_NAMES=("article pages (100 different)" "home pages 1-$HOME_FIRST" "category pages 1-$CAT_FIRST" "category pages to $CAT_DEEP" "author pages to $AUTHOR_DEEP" "Content API lists (filters, cursor, sort)" "Content API lists with total=true" "search (pages and the API's q)" "sitemaps and feeds")
declare -a COLD_FILES=(articles home category category-deep author-deep api api-total search feeds)
# Every path must answer 200: an error page is fast and would flatter the figures.
for f in "${COLD_FILES[@]}"; do
  while read -r path; do
    [ -z "$path" ] && continue
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
    if [ "$code" != 200 ]; then echo "cold target $path answered $code, not 200" >&2; exit 1; fi
  done <"$COLD_DIR/$f"
done
declare -a COLD=()
declare -a COLD2=()
for i in "${!COLD_FILES[@]}"; do
  echo "== cold: ${COLD_NAMES[$i]}"
  COLD[$i]=$(BENCH_PATHS="$COLD_DIR/${COLD_FILES[$i]}" measure "$BASE" -s "$ROOT/bench/paths.lua")
  echo "   ${COLD[$i]}"
  # Latency of one render, not queueing behind 64 others: one connection per core.
  COLD2[$i]=$(BENCH_PATHS="$COLD_DIR/${COLD_FILES[$i]}" WRK="wrk -t2 -c2 -d${DURATION}s --latency" measure "$BASE" -s "$ROOT/bench/paths.lua")
  echo "   2 connections: ${COLD2[$i]}"
done
COLD_RSS_KB=$(ps -o rss= -p "$GZ_PID" | tr -d ' ')

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
MACHINE="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); load generator (wrk) on the same machine"
{
  echo "## $(date -u +%Y-%m-%dT%H:%MZ) — $ARTICLES articles, $BACKEND$([ $SMOKE = 1 ] && echo ' (smoke run: not a measurement)')"
  echo
  echo "- Machine: $MACHINE"
  echo "- Command: \`bench/run.sh --articles $ARTICLES --duration $DURATION --connections $CONNECTIONS$([ -n "$PG_URL" ] && echo " --postgres $PG_URL")\`; load: \`$WRK URL\`"
  echo "- Database: $SEED_NOTE"
  echo "- Gazette: release build, $BACKEND, shipped plugins loaded, render cache TTL 1 s; start-up to first response: ${FIRST_STARTUP_MS} ms; RSS after the runs: $((RSS_KB / 1024)) MB"
  echo
  echo "| target | req/s | p50 ms | p99 ms | server CPU µs/req | nginx req/s (same bytes) | Gazette / nginx |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for i in "${!PATHS[@]}"; do
    read -r rps p50 p99 cpu <<<"${RESULTS[$i]}"
    case $i in
      0) read -r nrps _ _ <<<"$NGX_HTML"; echo "| ${NAMES[$i]} | $rps | $p50 | $p99 | $cpu | $nrps (article.html) | $(ratio "$rps" "$nrps") |" ;;
      3) read -r nrps _ _ <<<"$NGX_JSON"; echo "| ${NAMES[$i]} | $rps | $p50 | $p99 | $cpu | $nrps (list.json) | $(ratio "$rps" "$nrps") |" ;;
      *) echo "| ${NAMES[$i]} | $rps | $p50 | $p99 | $cpu | | |" ;;
    esac
  done
  read -r nrps np50 np99 _ <<<"$NGX_HTML"; echo "| nginx article.html | $nrps | $np50 | $np99 | | | |"
  read -r nrps np50 np99 _ <<<"$NGX_JSON"; echo "| nginx list.json | $nrps | $np50 | $np99 | | | |"
  echo
  cost() { python3 -c "import sys; print(f'{(1 - float(sys.argv[1]) / float(sys.argv[2])) * 100:.1f}')" "$1" "$2"; }
  cpucost() { python3 -c "import sys; print(f'{(float(sys.argv[1]) / float(sys.argv[2]) - 1) * 100:.1f}')" "$1" "$2"; }
  all() { local f=$1; shift; printf '%s\n' "$@" | awk -v f="$f" '{print $f}' | paste -sd' ' | sed 's/ /, /g'; }
  echo "View counting: the article page with and without the view-counter plugin, $VC_ROUNDS rounds alternating (server restarted and warmed at full load each time), medians; each round's CPU µs/req in brackets. Server CPU per request is the steadier measure: req/s also moves with how much CPU wrk takes on the same 2 cores."
  echo
  echo "| load | with: req/s | with: CPU µs/req | without: req/s | without: CPU µs/req | cost (CPU) | cost (req/s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for load in one many; do
    if [ $load = one ]; then w=("${VC_ONE[@]}"); n=("${NO_ONE[@]}"); label="one visitor (plain wrk)"; else w=("${VC_MANY[@]}"); n=("${NO_MANY[@]}"); label="every request a different visitor (bench/visitors.lua)"; fi
    wr=$(median 1 "${w[@]}"); wc=$(median 4 "${w[@]}"); nr=$(median 1 "${n[@]}"); nc=$(median 4 "${n[@]}")
    echo "| $label | $wr | $wc ($(all 4 "${w[@]}")) | $nr | $nc ($(all 4 "${n[@]}")) | $(cpucost "$wc" "$nc") % | $(cost "$wr" "$nr") % |"
  done
  echo
  echo "Cold (render cache off, every request renders; each target cycles through the URLs listed; same wrk settings; RSS afterwards $((COLD_RSS_KB / 1024)) MB):"
  echo
  echo "| target | req/s (64 conn.) | p50 ms | p99 ms | req/s (2 conn.) | p50 ms | p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for i in "${!COLD_FILES[@]}"; do
    read -r rps p50 p99 _ <<<"${COLD[$i]}"
    read -r rps2 p502 p992 _ <<<"${COLD2[$i]}"
    echo "| ${COLD_NAMES[$i]} | $rps | $p50 | $p99 | $rps2 | $p502 | $p992 |"
  done
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
