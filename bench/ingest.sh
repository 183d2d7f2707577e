#!/usr/bin/env bash
# Durable-ingest benchmark of Rapport against its peers, in ONE run on this machine:
#   (a) Rapport (the built binary, fresh data dir): POST /v1/batch of 100 × ~1 KB events, and
#       POST /v1/track of one ~1 KB event, keep-alive, by bench/loadgen;
#   (b) nginx answering the same 1 KB POSTs with 200 (the ceiling for an HTTP server), with
#       1 worker process and with `auto`;
#   (c) PostgreSQL (throwaway cluster, synchronous_commit=on) taking the same events as INSERTs of
#       100 jsonb rows from several concurrent clients, by bench/pgload.
# Prints a table with events/s and the ratios against the targets of DESIGN.md. Benchmarks are
# not tests: this never fails on a figure, only when something could not run.
#
# usage: bench/ingest.sh [--smoke]           (--smoke: 2 s per run, 1 round: proves it runs)
# env:   BENCH_SECONDS (10)  BENCH_CONNECTIONS (64)  LOADGEN_THREADS (1)  PG_CLIENTS (8)
#        BENCH_ROUNDS (3; --smoke: 1): rounds of rapport track and nginx 1 worker, alternated
#        RAPPORT_BIN (build/src/cli/rapport)  BENCH_BUILD_DIR (build-bench)  BENCH_JSON_OUT (file)
# Traffic: 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECS="${BENCH_SECONDS:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
if [ "${1:-}" = "--smoke" ]; then SECS=2; ROUNDS=1; fi
CONNS="${BENCH_CONNECTIONS:-64}"
LG_THREADS="${LOADGEN_THREADS:-1}"
PG_CLIENTS="${PG_CLIENTS:-8}"
RAPPORT_BIN="${RAPPORT_BIN:-$ROOT/build/src/cli/rapport}"
BUILD_DIR="${BENCH_BUILD_DIR:-$ROOT/build-bench}"

log() { printf '[ingest.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a whole number >= 1, not '$ROUNDS'"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# ---- peers and tools -------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v pgrep >/dev/null 2>&1 || missing+=(procps)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' own services (nginx on :80, a postgres "main" cluster) from starting:
  # this script runs its own throwaway instances. policy-rc.d exit 101 = "action forbidden".
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $SUDO apt-get update -qq || true
  install_rc=0
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || install_rc=$?
  if [ -n "$policy_added" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  [ "$install_rc" -eq 0 ] || die "apt-get install ${missing[*]} failed"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
PGBIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
[ -x "$RAPPORT_BIN" ] || die "rapport binary not found at $RAPPORT_BIN (build it, or set RAPPORT_BIN)"

# ---- work dir and cleanup --------------------------------------------------------------------
WORK="$(mktemp -d /tmp/rapport-bench.XXXXXX)"
chmod 755 "$WORK"
RAPPORT_PID=""
NGINX_PID=""
PG_DATA=""
cleanup() {
  set +e
  if [ -n "$RAPPORT_PID" ] && kill -0 "$RAPPORT_PID" 2>/dev/null; then
    kill -TERM "$RAPPORT_PID"; wait "$RAPPORT_PID" 2>/dev/null
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null
  fi
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port"
}

wait_http() { # URL, seconds
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# ---- build loadgen and pgload (a bench-only CMake project, so unrelated targets never block) ---
build_tools() {
  local src="$WORK/cmake-src"
  mkdir -p "$src" "$BUILD_DIR"
  cat >"$src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(rapport_bench LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()
add_compile_options(-Wall -Wextra -Wno-unused-parameter)
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(fmt REQUIRED)
add_subdirectory("$ROOT/bench" bench)
EOF
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  if [ -f "$BUILD_DIR/CMakeCache.txt" ] && ! grep -q "rapport_bench_SOURCE_DIR:STATIC=$src\$" "$BUILD_DIR/CMakeCache.txt"; then
    rm -rf "$BUILD_DIR"; mkdir -p "$BUILD_DIR"
  fi
  cmake -S "$src" -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >"$WORK/cmake.log" 2>&1 \
    || { cat "$WORK/cmake.log" >&2; die "cmake failed"; }
  cmake --build "$BUILD_DIR" -j 2 --target loadgen pgload >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; die "building loadgen/pgload failed"; }
}
# The project's own build (make build) has them already when libpq was found; else build here.
MAIN_BENCH="$ROOT/build/bench"
if [ -x "$MAIN_BENCH/loadgen" ] && [ -x "$MAIN_BENCH/pgload" ] &&
   [ "$MAIN_BENCH/loadgen" -nt "$ROOT/bench/loadgen.cc" ] && [ "$MAIN_BENCH/pgload" -nt "$ROOT/bench/pgload.cc" ]; then
  LOADGEN="$MAIN_BENCH/loadgen"
  PGLOAD="$MAIN_BENCH/pgload"
else
  log "building loadgen and pgload in $BUILD_DIR"
  build_tools
  LOADGEN="$BUILD_DIR/bench/loadgen"
  PGLOAD="$BUILD_DIR/bench/pgload"
fi

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
# cpu_ticks PID: user + system clock ticks of the process PID (all its threads) and of its
# children (nginx's workers); 0 when it is gone.
CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() {
  local total=0 p t
  for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
    t="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null)" || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
# run_loadgen NAME URL MODE [extra args]: appends {"name":..., "round":..., ...loadgen json...}
# to RESULTS (ROUND: the current round of the track/nginx comparison, 0 outside it). With
# SERVER_PID set, also the server's CPU (its threads and child processes) per request, in µs:
# the rate moves with the VM's speed from minute to minute, the work a request costs less so.
ROUND=0
SERVER_PID=""
run_loadgen() {
  local name="$1" url="$2" mode="$3"; shift 3
  log "$name: loadgen --mode $mode --duration $SECS --connections $CONNS --threads $LG_THREADS $*"
  local out ticks0=0 ticks=0
  [ -n "$SERVER_PID" ] && ticks0="$(cpu_ticks "$SERVER_PID")"
  out="$("$LOADGEN" --url "$url" --mode "$mode" --duration "$SECS" --connections "$CONNS" \
           --threads "$LG_THREADS" --batch-size 100 --event-bytes 1024 --json "$@" 2>"$WORK/loadgen.err")" || true
  [ -n "$SERVER_PID" ] && ticks=$(($(cpu_ticks "$SERVER_PID") - ticks0))
  [ "$ticks" -ge 0 ] || ticks=0  # the server died during the run
  [ -s "$WORK/loadgen.err" ] && sed 's/^/    /' "$WORK/loadgen.err" >&2
  [ -n "$out" ] || die "$name: loadgen printed nothing"
  jq -c --arg name "$name" --argjson round "$ROUND" --argjson ticks "$ticks" --argjson hz "$CLK_TCK" \
     --arg pid "$SERVER_PID" '{name: $name, round: $round} + . +
       (if $pid != "" and .requests > 0 and $ticks > 0 then {server_cpu_us_per_request: ($ticks * 1e6 / $hz / .requests)} else {} end)' \
     <<<"$out" >>"$RESULTS"
  jq -r '"    \(.events_per_s|floor) events/s, \(.requests_per_s|floor) req/s, p99 \(.p99_ms) ms, non-2xx \(.non_2xx), errors \(.errors)"' <<<"$out" >&2
}

# ---- (a) Rapport -----------------------------------------------------------------------------
# Each mode on a fresh server and data dir: the track run must not share the cores with the
# profile pipeline still working through the batch run's backlog.
run_rapport() { # MODE NAME
  local mode="$1" name="$2" rdata="$WORK/rapport-data-$1" key rport rc=0
  mkdir -p "$rdata"
  key="$("$RAPPORT_BIN" admin source create bench --data "$rdata")" || die "rapport admin source create failed"
  rport="$(free_port)"
  "$RAPPORT_BIN" serve --data "$rdata" --http "127.0.0.1:$rport" >"$WORK/rapport-$mode.log" 2>&1 &
  RAPPORT_PID=$!
  wait_http "http://127.0.0.1:$rport/readyz" 30 || { tail -50 "$WORK/rapport-$mode.log" >&2; die "rapport not ready"; }
  SERVER_PID="$RAPPORT_PID" run_loadgen "$name" "http://127.0.0.1:$rport" "$mode" --write-key "$key"
  if [ "$mode" = batch ]; then
    RAPPORT_LOG_BYTES="$(curl -fsS "http://127.0.0.1:$rport/metrics" | awk '/^rapport_log_bytes[ {]/ {s+=$NF} END {printf "%.0f", s}')" || true
    wait_caught_up "http://127.0.0.1:$rport/metrics"
  fi
  kill -TERM "$RAPPORT_PID"
  wait "$RAPPORT_PID" || rc=$?
  RAPPORT_PID=""
  [ "$rc" -eq 0 ] || log "warning: rapport exited $rc after SIGTERM (expected 0)"
  [ "$mode" = batch ] && RAPPORT_DISK="$(du -sb "$rdata" | cut -f1)"
  rm -rf "$rdata"
}
# wait_caught_up METRICS_URL: how long after the run the derived state (profiles, warehouse) held
# every accepted event. While ingest saturates the cores it pauses (common/pacing.h): the
# durable rate above is ingest's; this is the rest of the bill. Sets CATCHUP_S and PAUSED_MS.
wait_caught_up() {
  local t0=$SECONDS m accepted profiles rows
  PAUSED_MS="$(curl -fsS "$1" | awk '/^rapport_background_paused_milliseconds / {print $NF}')" || true
  while [ $((SECONDS - t0)) -lt 600 ]; do
    m="$(curl -fsS "$1")" || break
    accepted="$(awk '/^rapport_events_accepted_total / {print $NF}' <<<"$m")"
    profiles="$(awk '/^rapport_profile_events_total / {print $NF}' <<<"$m")"
    rows="$(awk '/^rapport_warehouse_(rows|buffered_rows) / {s+=$NF} END {printf "%.0f", s}' <<<"$m")"
    if [ -n "$accepted" ] && awk -v a="$accepted" -v p="${profiles:-0}" -v r="${rows:-0}" \
         'BEGIN { exit !(p >= a && r >= a) }'; then
      CATCHUP_S=$((SECONDS - t0))
      log "rapport batch: derived state caught up ${CATCHUP_S} s after the run ($accepted events)"
      return
    fi
    sleep 0.5
  done
  CATCHUP_S="> 600"
}
RAPPORT_LOG_BYTES=""
RAPPORT_DISK=""
CATCHUP_S=""
PAUSED_MS=""
run_rapport batch "rapport batch"

# ---- (b) nginx -------------------------------------------------------------------------------
run_nginx() { # WORKERS NAME
  local workers="$1" name="$2" prefix="$WORK/nginx-$1" port
  port="$(free_port)"
  mkdir -p "$prefix"
  sed -e "s/@WORKERS@/$workers/; s/@PORT@/$port/; s|@PREFIX@|$prefix|g" "$ROOT/bench/nginx.conf" >"$prefix/nginx.conf"
  "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" >"$prefix/stdout.log" 2>&1 &
  NGINX_PID=$!
  wait_http "http://127.0.0.1:$port/" 10 || { cat "$prefix/error.log" >&2; die "nginx did not start"; }
  # nginx really takes a POST body: a 1 KB body on a keep-alive connection, twice
  head -c 1024 /dev/zero | tr '\0' 'x' >"$prefix/body"
  local codes
  codes="$(curl -sS -o /dev/null -w '%{http_code} ' --data-binary @"$prefix/body" "http://127.0.0.1:$port/v1/track" \
           -o /dev/null --data-binary @"$prefix/body" "http://127.0.0.1:$port/v1/track")"
  [ "$codes" = "200 200 " ] || die "nginx did not answer POST with 200: $codes"
  SERVER_PID="$NGINX_PID" run_loadgen "$name" "http://127.0.0.1:$port" track --write-key bench
  if [ "$workers" = 1 ] && [ "$ROUND" -le 1 ] && command -v wrk >/dev/null; then
    # Cross-check of the load generator itself: wrk against the same nginx, same body size.
    printf 'wrk.method = "POST"\nwrk.body = string.rep("x", 1024)\nwrk.headers["Content-Type"] = "application/json"\n' >"$prefix/post.lua"
    local w
    w="$(wrk -t "$LG_THREADS" -c "$CONNS" -d "${SECS}s" -s "$prefix/post.lua" "http://127.0.0.1:$port/v1/track" 2>&1 || true)"
    WRK_RPS="$(awk '/^Requests\/sec:/ {print $2}' <<<"$w")"
    log "    wrk cross-check: ${WRK_RPS:-?} req/s"
  fi
  kill -TERM "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}
WRK_RPS=""
# The track target is a ratio to nginx, and on a shared VM either figure can move twofold from
# one minute to the next: rounds alternate a fresh Rapport and nginx, and the verdict takes the
# median of the rounds' ratios.
for ROUND in $(seq 1 "$ROUNDS"); do
  run_rapport track "rapport track"
  run_nginx 1 "nginx 1 worker"
done
ROUND=0
run_nginx auto "nginx auto workers"

# ---- (c) PostgreSQL --------------------------------------------------------------------------
PG_DIR="$WORK/pg"
mkdir -p "$PG_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
as_postgres "$PGBIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
PG_DATA="$PG_DIR/data"
PGPORT="$(free_port)"
as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-p $PGPORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c shared_buffers=256MB -c max_wal_size=4GB" \
  start >/dev/null || { cat "$PG_DIR/server.log" >&2; die "postgres did not start"; }
log "postgres: pgload --clients $PG_CLIENTS --batch-size 100 --event-bytes 1024 --duration $SECS"
pgout="$("$PGLOAD" --conninfo "host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres" --clients "$PG_CLIENTS" \
           --batch-size 100 --event-bytes 1024 --duration "$SECS" --json 2>"$WORK/pgload.err")" || true
[ -s "$WORK/pgload.err" ] && grep -v 'already exists' "$WORK/pgload.err" | sed 's/^/    /' >&2
[ -n "$pgout" ] || die "pgload printed nothing"
jq -c '{name: "postgres INSERT"} + .' <<<"$pgout" >>"$RESULTS"
PG_DISK="$(du -sb "$PG_DATA" | cut -f1)"
as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
PG_DATA=""

# ---- report ----------------------------------------------------------------------------------
get() { jq -r --arg n "$1" "select(.name == \$n) | .$2" "$RESULTS"; }
# median NAME FIELD: the median over the rounds
# (of an even count, the mean of the two middle values)
MEDIAN='sort | if length == 0 then null elif length % 2 == 0 then (.[length / 2 - 1] + .[length / 2]) / 2 else .[length / 2 | floor] end'
median() { jq -s --arg n "$1" "[.[] | select(.name == \$n) | .$2 | select(. != null)] | $MEDIAN" "$RESULTS"; }
rb="$(get 'rapport batch' events_per_s)"; rt="$(median 'rapport track' requests_per_s)"
n1="$(median 'nginx 1 worker' requests_per_s)"; na="$(get 'nginx auto workers' requests_per_s)"
# The rounds' ratios, track / nginx 1 worker, and their median
ratios="$(jq -cs '[.[] | select(.name == "rapport track")] as $t | [.[] | select(.name == "nginx 1 worker")] as $n
  | [range(0; [$t, $n] | map(length) | min) | $t[.].requests_per_s / $n[.].requests_per_s]' "$RESULTS")"
round_pcts="$(jq -r 'map(100 * . | round | tostring + " %") | join(", ")' <<<"$ratios")"
tr_ratio="$(jq -r "$MEDIAN // 0" <<<"$ratios")"
pg="$(get 'postgres INSERT' events_per_s)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "n/a" }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "NOT met") }'; }

echo
echo "Durable ingest, $(nproc) cores, ${SECS} s per run, ${CONNS} keep-alive connections, loadgen threads ${LG_THREADS}, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
printf '%-34s %14s %12s %9s %9s %9s %8s %12s\n' "run" "events/s" "requests/s" "MB/s" "p50 ms" "p99 ms" "non-2xx" "CPU us/req"
printf '%-34s %14s %12s %9s %9s %9s %8s %12s\n' "---" "--------" "----------" "----" "------" "------" "-------" "----------"
jq -r '[(if .round > 0 then "\(.name) #\(.round)" else .name end), (.events_per_s|floor), ((.requests_per_s // .statements_per_s)|floor), .mb_per_s, .p50_ms, .p99_ms,
        (.non_2xx // .errors), (if .server_cpu_us_per_request then (.server_cpu_us_per_request * 10 | round / 10) else "" end)] | @tsv' "$RESULTS" |
  while IFS=$'\t' read -r name eps rps mbps p50 p99 bad cpu; do
    case "$name" in
      "rapport batch") label="rapport  /v1/batch 100 x 1 KB" ;;
      "rapport track"*) label="rapport  /v1/track 1 KB${name#rapport track}" ;;
      "nginx 1 worker"*) label="nginx    POST 1 KB, 1 worker${name#nginx 1 worker}" ;;
      "nginx auto workers") label="nginx    POST 1 KB, auto workers" ;;
      "postgres INSERT") label="postgres INSERT 100 jsonb rows x$PG_CLIENTS" ;;
      *) label="$name" ;;
    esac
    printf '%-34s %14s %12s %9s %9s %9s %8s %12s\n' "$label" "$eps" "$rps" "$mbps" "$p50" "$p99" "$bad" "$cpu"
  done
[ -n "$WRK_RPS" ] && printf '%-34s %14s %12s\n' "nginx    1 worker, wrk client" "" "${WRK_RPS%.*}"
echo
echo "rapport batch vs postgres:         $(ratio "$rb" "$pg") x    (rapport batch $(printf '%.0f' "$rb") events/s; target >= 250,000: $(verdict "$(awk -v a="$rb" 'BEGIN{print (a >= 250000)}')"))"
echo "rapport track vs nginx 1 worker:   $(pct "$tr_ratio" 1)    (the median of the rounds' $round_pcts; target >= 60 %: $(verdict "$(awk -v r="$tr_ratio" 'BEGIN{print (r >= 0.6)}')"))"
tc="$(median 'rapport track' server_cpu_us_per_request)"; nc="$(median 'nginx 1 worker' server_cpu_us_per_request)"
[ "$tc" != null ] && [ "$nc" != null ] &&
  echo "server CPU a request (medians):    rapport track $(printf '%.1f' "$tc") us, nginx 1 worker $(printf '%.1f' "$nc") us (user + system time of the server's threads and processes)"
echo "rapport track vs nginx auto:       $(pct "$rt" "$na")    (the rounds' median track rate, $(printf '%.0f' "$rt") req/s; nginx 1 worker's median $(printf '%.0f' "$n1"))"
if [ -n "$CATCHUP_S" ]; then
  echo "rapport batch: derived state (profiles, warehouse) paused ${PAUSED_MS:-?} ms for ingest during the run and caught up ${CATCHUP_S} s after it"
fi
if [ -n "${RAPPORT_LOG_BYTES:-}" ]; then
  echo "rapport log bytes after the batch run: $RAPPORT_LOG_BYTES (data dir $RAPPORT_DISK bytes); postgres data dir $PG_DISK bytes"
fi
if [ -n "${BENCH_JSON_OUT:-}" ]; then cp "$RESULTS" "$BENCH_JSON_OUT"; fi
