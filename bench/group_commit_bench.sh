#!/usr/bin/env bash
# group_commit_bench.sh: the HTTP ingest budget of DESIGN.md (32 concurrent single-finding
# clients, >= 5,000 requests/s, p99 < 20 ms, durable commits) against a running daemon.
#
# wrk keeps CONNECTIONS keep-alive connections each posting one EventBridge event after another
# (bench/group_commit_bench.lua: every request a new finding with a new attacker address), so
# exactly CONNECTIONS requests are in flight at any time. Each configuration in WINDOWS runs on a
# fresh daemon and a fresh SQLite store (WAL, synchronous=FULL: every 2xx is on disk) REPEAT
# times; the report gives every run and the best: requests/s, p50, p99, non-2xx, and the load
# average. After each run the feed is rendered from the store to check that it holds at least
# every acknowledged finding (requests still in flight when wrk stops may be committed too).
#
# "off" in WINDOWS runs with group_commit_max_sightings = 1: every request commits on its own,
# the figure group commit is measured against.
#
# Usage: bench/group_commit_bench.sh [BUILD_DIR]     (default build-bench; a Release build)
#   env: DURATION=10s CONNECTIONS=32 WRK_THREADS=2 REPEAT=3 WINDOWS="1ms 0ms 2ms off"
#        STORE_THREADS=  (server.store_threads; default: guardfeed's own)  WORK=/tmp/...
#        SERVER_TOML='render_debounce = "10s"'  (more [server] keys, for what-ifs)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${1:-build-bench}
GUARDFEED=$PWD/$BUILD/src/cli/guardfeed
LUA=$PWD/bench/group_commit_bench.lua
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
REPEAT=${REPEAT:-3}
WINDOWS=${WINDOWS:-1ms 0ms 2ms off}
STORE_THREADS=${STORE_THREADS:-}
SERVER_TOML=${SERVER_TOML:-}
TOKEN=bench-token-0123456789

for tool in wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "group_commit_bench: $tool not found"; exit 2; }
done
[ -x "$GUARDFEED" ] || { echo "group_commit_bench: build $GUARDFEED first"; exit 2; }

WORK=${WORK:-$(mktemp -d /tmp/guardfeed-group-commit-bench.XXXXXX)}
mkdir -p "$WORK"
DAEMON_PID=
cleanup() {
  if [ -n "$DAEMON_PID" ]; then kill "$DAEMON_PID" 2>/dev/null || true; wait 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

write_config() {  # DIR PORT WINDOW
  local group="group_commit_window = \"$3\""
  if [ "$3" = off ]; then group="group_commit_max_sightings = 1"; fi
  cat > "$1/guardfeed.toml" <<TOML
[store]
url = "sqlite://$1/guardfeed.db"
[ingest]
seen_at = "receipt"
[server]
listen = "127.0.0.1:$2"
ingest_token = "$TOKEN"
$group
${STORE_THREADS:+store_threads = $STORE_THREADS}
${SERVER_TOML:-}
[[feeds]]
name = "bench_ip"
format = "plain"
kinds = ["ipv4"]
TOML
}

start_daemon() {  # DIR -> DAEMON_PID, DAEMON_URL
  rm -f "$1/ready"
  "$GUARDFEED" -c "$1/guardfeed.toml" --log-level warn serve --ready-file "$1/ready" \
    >"$1/stdout.log" 2>"$1/stderr.log" &
  DAEMON_PID=$!
  for _ in $(seq 1 600); do
    [ -s "$1/ready" ] && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$1/stderr.log"; exit 1; }
    sleep 0.1
  done
  DAEMON_URL=$(cat "$1/ready")
}

stop_daemon() {
  kill "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
}

# Entries of the feed as the stopped daemon's store holds them (`guardfeed feeds render`).
stored_entries() {  # DIR
  "$GUARDFEED" -c "$1/guardfeed.toml" --log-level warn feeds render -o "$1/out" bench_ip >/dev/null
  cat "$1"/out/bench_ip* | grep -c . || true
}

# One run: "requests/s p50 p99 2xx non2xx stored load1"
run_once() {  # WINDOW
  local dir=$WORK/run port out
  rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port)
  write_config "$dir" "$port" "$1"
  start_daemon "$dir"
  out=$(TOKEN=$TOKEN wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" \
    "$DAEMON_URL")
  local load1 rps p50 p99 total non2xx stored
  load1=$(cut -d' ' -f1 /proc/loadavg)
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  non2xx=${non2xx:-0}
  stop_daemon
  stored=$(stored_entries "$dir")
  if [ "$stored" -lt $((total - non2xx)) ]; then
    echo "group_commit_bench: only $stored stored of $((total - non2xx)) acknowledged" >&2
    exit 1
  fi
  echo "$rps $p50 $p99 $((total - non2xx)) $non2xx $stored $load1"
}

echo "== machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo)," \
  "$(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, single EventBridge findings, $REPEAT runs" \
  "per window, store in $WORK"
declare -A BEST
for window in $WINDOWS; do
  best="0"
  for run in $(seq 1 "$REPEAT"); do
    line=$(run_once "$window")
    echo "   window $window run $run: req/s p50 p99 2xx non-2xx stored load1 = $line"
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" \
      "${line%% *}" "${best%% *}"; then best=$line; fi
  done
  BEST[$window]=$best
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| group_commit_window | requests/s (best of $REPEAT) | p50 | p99 | non-2xx | load1 |"
echo "|---|---|---|---|---|---|"
for window in $WINDOWS; do
  read -r rps p50 p99 _ non2xx _ load1 <<<"${BEST[$window]}"
  label=$window
  [ "$window" = off ] && label="off (max_sightings = 1)"
  echo "| $label | $rps | $p50 | $p99 | $non2xx | $load1 |"
done
