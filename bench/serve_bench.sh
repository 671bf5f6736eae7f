#!/usr/bin/env bash
# serve_bench.sh: guardfeed serve against nginx, side by side in one run, with wrk on loopback.
#
#   1. Feed serving: a 100,000-entry plain feed, 200 and 304, identity and gzip. nginx serves the
#      identical bytes as a static file (sendfile, gzip_static with the same .gz, ETag on), with
#      the same number of workers as guardfeed has I/O threads.
#   2. Ingest: POST /v1/findings requests/s with single findings and with 1,000-finding batches
#      (JSON Lines), durable SQLite commits.
#   3. Memory: RSS of a freshly started daemon serving 1,000,000 active indicators.
#
# Usage: bench/serve_bench.sh [BUILD_DIR]   (env: DURATION=10s CONNECTIONS=32 THREADS=2
#        WRK_THREADS=2 REPEAT=3 SKIP_RSS=1 to skip the 1M step)
# Prints a Markdown summary at the end (for docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${1:-build}
GUARDFEED=$PWD/$BUILD/src/cli/guardfeed
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WRK_THREADS=${WRK_THREADS:-2}
ENTRIES=${ENTRIES:-100000}
RSS_ENTRIES=${RSS_ENTRIES:-1000000}
REPEAT=${REPEAT:-3}
TOKEN=bench-token-0123456789

for tool in wrk nginx python3 curl gzip; do
  command -v "$tool" >/dev/null || { echo "serve_bench: $tool not found (scripts/deps.sh)"; exit 2; }
done
[ -x "$GUARDFEED" ] || { echo "serve_bench: build $GUARDFEED first"; exit 2; }

WORK=$(mktemp -d /tmp/guardfeed-serve-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Raw GuardDuty findings (JSON Lines, gzip) with distinct public attacker IPs 45.a.b.c.
make_findings() {  # COUNT OFFSET FILE
  python3 - "$1" "$2" "$3" <<'PY'
import gzip, sys
count, offset, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
t = "2026-11-22T12:00:00.000Z"
with gzip.open(path, "wt", compresslevel=1) as out:
    for k in range(count):
        i = k + offset
        ip = "45.%d.%d.%d" % (1 + (i // 62500) % 250, 1 + (i // 250) % 250, 1 + i % 250)
        out.write('{"schemaVersion":"2.0","accountId":"444455556666","region":"us-east-2",'
                  '"id":"bench-%d","type":"UnauthorizedAccess:EC2/SSHBruteForce","severity":%d,'
                  '"service":{"action":{"actionType":"NETWORK_CONNECTION",'
                  '"networkConnectionAction":{"connectionDirection":"INBOUND",'
                  '"remoteIpDetails":{"ipAddressV4":"%s"}}},"eventFirstSeen":"%s",'
                  '"eventLastSeen":"%s","archived":false,"count":1},'
                  '"createdAt":"%s","updatedAt":"%s"}\n' % (i, 5 + i % 5, ip, t, t, t, t))
PY
}

write_config() {  # DIR PORT
  cat > "$1/guardfeed.toml" <<TOML
[store]
url = "sqlite://$1/guardfeed.db"
[ingest]
seen_at = "receipt"
[server]
listen = "127.0.0.1:$2"
ingest_token = "$TOKEN"
threads = $THREADS
store_threads = 2
[[feeds]]
name = "bench_ip"
format = "plain"
kinds = ["ipv4"]
[[feeds]]
name = "bench_srx"
format = "secintel"
kinds = ["ipv4"]
TOML
}

start_daemon() {  # DIR -> sets DAEMON_PID, DAEMON_URL
  rm -f "$1/ready"
  "$GUARDFEED" -c "$1/guardfeed.toml" --log-level warn serve --ready-file "$1/ready" \
    >"$1/stdout.log" 2>"$1/stderr.log" &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  for _ in $(seq 1 600); do
    [ -s "$1/ready" ] && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$1/stderr.log"; exit 1; }
    sleep 0.1
  done
  DAEMON_URL=$(cat "$1/ready")
}

# wrk summary: "requests/s p99"
run_wrk() {  # URL [wrk args...]
  local url=$1; shift
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  echo "${rps:-0} ${p99:--} ${errors:-}"
}

echo "== machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo),"\
     "$(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "== generating $ENTRIES findings"
FEED_DIR=$WORK/feed
mkdir -p "$FEED_DIR"
make_findings "$ENTRIES" 0 "$FEED_DIR/findings.jsonl.gz"
PORT=$(free_port)
write_config "$FEED_DIR" "$PORT"
"$GUARDFEED" -c "$FEED_DIR/guardfeed.toml" --log-level warn ingest "$FEED_DIR/findings.jsonl.gz" \
  >/dev/null
start_daemon "$FEED_DIR"
FEED_URL="$DAEMON_URL/feeds/bench_ip"

echo "== nginx serving the same bytes"
NGINX=$WORK/nginx
mkdir -p "$NGINX/root" "$NGINX/tmp"
curl -sf "$FEED_URL" -o "$NGINX/root/bench_ip.txt"
gzip -6 -k -n "$NGINX/root/bench_ip.txt"
ENTRIES_SERVED=$(wc -l <"$NGINX/root/bench_ip.txt")
NGINX_PORT=$(free_port)
cat > "$NGINX/nginx.conf" <<NGX
worker_processes $THREADS;
pid $NGINX/nginx.pid;
error_log $NGINX/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $NGINX/tmp; proxy_temp_path $NGINX/tmp; fastcgi_temp_path $NGINX/tmp;
  uwsgi_temp_path $NGINX/tmp; scgi_temp_path $NGINX/tmp;
  types { text/plain txt; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $NGINX/root;
    gzip_static on;
    etag on;
  }
}
NGX
nginx -c "$NGINX/nginx.conf" -p "$NGINX"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/bench_ip.txt"
sleep 0.5

etag_of() { curl -sfI "$@" | awk 'tolower($1) == "etag:" {sub(/\r$/, "", $2); print $2}'; }
GF_ETAG=$(etag_of "$FEED_URL")
GF_GZ_ETAG=$(etag_of -H "Accept-Encoding: gzip" "$FEED_URL")
NG_ETAG=$(etag_of "$NGINX_URL")
NG_GZ_ETAG=$(etag_of -H "Accept-Encoding: gzip" "$NGINX_URL")
BYTES=$(stat -c %s "$NGINX/root/bench_ip.txt")
GZ_BYTES=$(stat -c %s "$NGINX/root/bench_ip.txt.gz")
echo "   feed: $ENTRIES_SERVED entries, $BYTES bytes, gzip $GZ_BYTES bytes"

# Each scenario runs REPEAT times alternating guardfeed and nginx; the best run of each counts
# (fmt-style "best of N": the least disturbed by other load on the machine).
declare -A RESULT
faster() {
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"
}
scenario() {  # NAME, with GF_ARGS / NG_ARGS set
  local name=$1 gf_best="0 -" ng_best="0 -" line
  for _ in $(seq 1 "$REPEAT"); do
    line=$(run_wrk "$FEED_URL" "${GF_ARGS[@]}")
    if faster "${line%% *}" "${gf_best%% *}"; then gf_best=$line; fi
    line=$(run_wrk "$NGINX_URL" "${NG_ARGS[@]}")
    if faster "${line%% *}" "${ng_best%% *}"; then ng_best=$line; fi
  done
  RESULT[gf_$name]=$gf_best
  RESULT[ng_$name]=$ng_best
  echo "   $name: guardfeed $gf_best | nginx $ng_best"
}
echo "== serving (wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, best of $REPEAT)"
GF_ARGS=(); NG_ARGS=(); scenario 200
GF_ARGS=(-H "If-None-Match: $GF_ETAG"); NG_ARGS=(-H "If-None-Match: $NG_ETAG"); scenario 304
GF_ARGS=(-H "Accept-Encoding: gzip"); NG_ARGS=(-H "Accept-Encoding: gzip"); scenario 200_gzip
GF_ARGS=(-H "Accept-Encoding: gzip" -H "If-None-Match: $GF_GZ_ETAG")
NG_ARGS=(-H "Accept-Encoding: gzip" -H "If-None-Match: $NG_GZ_ETAG"); scenario 304_gzip

kill -0 "$DAEMON_PID" 2>/dev/null || { echo "serve_bench: guardfeed exited"; cat "$FEED_DIR/stderr.log"; exit 1; }

echo "== ingest"
cat > "$WORK/single.lua" <<'LUA'
local counter, id = 0, 0
function setup(thread) id = id + 1; thread:set("tid", id) end
function init(args) tid = tid or 0 end
local head = '{"version":"0","id":"ev","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"schemaVersion":"2.0","accountId":"444455556666","region":"us-east-2","id":"'
function request()
  counter = counter + 1
  local i = tid * 10000000 + counter
  local ip = string.format("46.%d.%d.%d", 1 + math.floor(i / 62500) % 250, 1 + math.floor(i / 250) % 250, 1 + i % 250)
  local body = head .. "single-" .. i .. '","type":"Recon:EC2/PortProbeUnprotectedPort","severity":5,"service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV4":"' .. ip .. '"}}},"eventLastSeen":"2026-11-22T12:00:00Z","count":1},"updatedAt":"2026-11-22T12:00:00Z"}}'
  return wrk.format("POST", "/v1/findings", {["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json"}, body)
end
LUA
cat > "$WORK/batch.lua" <<'LUA'
local counter, id = 0, 0
function setup(thread) id = id + 1; thread:set("tid", id) end
function init(args) tid = tid or 0 end
function request()
  local lines = {}
  for k = 1, 1000 do
    counter = counter + 1
    local i = tid * 10000000 + counter
    local ip = string.format("47.%d.%d.%d", 1 + math.floor(i / 62500) % 250, 1 + math.floor(i / 250) % 250, 1 + i % 250)
    lines[k] = '{"schemaVersion":"2.0","accountId":"444455556666","region":"us-east-2","id":"batch-' .. i .. '","type":"Recon:EC2/PortProbeUnprotectedPort","severity":5,"service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV4":"' .. ip .. '"}}},"eventLastSeen":"2026-11-22T12:00:00Z","count":1},"updatedAt":"2026-11-22T12:00:00Z"}'
  end
  return wrk.format("POST", "/v1/findings", {["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/x-ndjson"}, table.concat(lines, "\n"))
end
LUA
export TOKEN
INGEST_SINGLE=$(WRK_THREADS=2 CONNECTIONS=8 run_wrk "$DAEMON_URL" -s "$WORK/single.lua")
INGEST_BATCH=$(WRK_THREADS=2 CONNECTIONS=4 run_wrk "$DAEMON_URL" -s "$WORK/batch.lua")
echo "   single findings: $INGEST_SINGLE"
echo "   1,000-finding batches: $INGEST_BATCH"
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true

RSS_LINE="(skipped)"
if [ -z "${SKIP_RSS:-}" ]; then
  echo "== RSS with $RSS_ENTRIES active indicators"
  RSS_DIR=$WORK/rss
  mkdir -p "$RSS_DIR"
  make_findings "$RSS_ENTRIES" 0 "$RSS_DIR/findings.jsonl.gz"
  write_config "$RSS_DIR" "$(free_port)"
  "$GUARDFEED" -c "$RSS_DIR/guardfeed.toml" --log-level warn ingest "$RSS_DIR/findings.jsonl.gz" \
    >/dev/null
  start_daemon "$RSS_DIR"
  for _ in 1 2 3; do curl -sf -o /dev/null "$DAEMON_URL/feeds/bench_ip"; done
  curl -sf -o /dev/null -H "Accept-Encoding: gzip" "$DAEMON_URL/feeds/bench_ip"
  RSS_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
  HWM_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$DAEMON_PID/status")
  # Large served files live in memfds (sent with sendfile, not mapped into RSS): count them too.
  MEMFD_BYTES=$(for fd in /proc/"$DAEMON_PID"/fd/*; do
      case "$(readlink "$fd")" in /memfd:guardfeed-served*) stat -L -c %s "$fd" ;; esac
    done | awk '{s += $1} END {print s + 0}')
  TOTAL=$((RSS_KB * 1024 + MEMFD_BYTES))
  RSS_LINE="RSS $((RSS_KB / 1024)) MiB + served files in memfd $((MEMFD_BYTES / 1024 / 1024)) MiB = $((TOTAL / RSS_ENTRIES)) bytes/indicator (peak RSS $((HWM_KB / 1024)) MiB, during the first render)"
  echo "   $RSS_LINE"
fi

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else 0))" "$1" "$2"; }
echo
echo "| scenario | guardfeed req/s | p99 | nginx req/s | p99 | ratio |"
echo "|---|---|---|---|---|---|"
for name in 200 304 200_gzip 304_gzip; do
  read -r gr gp _ <<<"${RESULT[gf_$name]}"
  read -r nr np _ <<<"${RESULT[ng_$name]}"
  echo "| $name | $gr | $gp | $nr | $np | $(ratio "$gr" "$nr") |"
done
read -r sr sp _ <<<"$INGEST_SINGLE"
read -r br bp _ <<<"$INGEST_BATCH"
echo
echo "| ingest | requests/s | findings/s | p99 |"
echo "|---|---|---|---|"
echo "| single finding (EventBridge event) | $sr | $sr | $sp |"
echo "| 1,000-finding JSON Lines batch | $br | $(python3 -c "print('%.0f' % (float('$br') * 1000))") | $bp |"
echo
echo "Memory, $RSS_ENTRIES active indicators: $RSS_LINE"
echo "Feed: $ENTRIES_SERVED entries, $BYTES bytes ($GZ_BYTES gzip)."
