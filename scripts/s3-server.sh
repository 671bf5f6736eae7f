#!/usr/bin/env bash
# A throw-away S3 server for guardfeed's tests: a single-node Ceph cluster (one monitor, one
# in-memory OSD) with the RADOS Gateway on 127.0.0.1. The gateway verifies SigV4 signatures, so
# the S3 publisher is tested against a real S3 implementation. Nothing listens beyond loopback;
# daemons talk to each other without cephx (a test cluster, never a deployment).
#
#   scripts/s3-server.sh start DIR PORT ACCESS_KEY SECRET_KEY [--owner PID]
#       Starts the cluster with its state under DIR (created; must be empty or a previous run's),
#       the gateway on 127.0.0.1:PORT and one S3 user with the given keys. Prints the PIDs and
#       writes them to DIR/pids. With --owner, a watcher stops everything when process PID ends
#       (a crashed test run leaves nothing behind). Takes about 10-20 s.
#   scripts/s3-server.sh stop DIR            Stops every daemon listed in DIR/pids, by PID.
#   scripts/s3-server.sh stop-gateway DIR    Stops only the gateway (tests: a server restart).
#   scripts/s3-server.sh start-gateway DIR   Starts the gateway again and waits for it.
#   scripts/s3-server.sh status DIR          Exit 0 when every daemon in DIR/pids is alive.
#
# Needs the Debian packages ceph-mon ceph-osd radosgw ceph-common uuid-runtime, and curl.
set -euo pipefail

readonly MARKER=".guardfeed-s3-server"
STARTING_DIR=""  # the directory `start` cleans up if it fails half-way

die() { echo "s3-server: $*" >&2; exit 1; }

usage() {
  sed -n '7,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# A TCP port on 127.0.0.1 nothing answers on, from $1 upwards.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

read_pid() {
  if [[ -s "$1" ]]; then tr -dc '0-9' <"$1"; fi
}

wait_for_http() {
  local port=$1 tries=$2
  for ((i = 0; i < tries * 4; i++)); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
    sleep 0.25
  done
  return 1
}

prepare_dir() {
  local dir=$1
  mkdir -p "$dir"
  if [[ -n "$(ls -A "$dir")" && ! -e "$dir/$MARKER" ]]; then
    die "$dir is not empty and was not created by this script; refusing to use it"
  fi
  if [[ -e "$dir/pids" ]] && status "$dir" 2>/dev/null; then
    die "a server is already running from $dir (stop it first)"
  fi
  rm -rf "${dir:?}/mon.a" "$dir/osd.0" "$dir/run" "$dir/log" "$dir/rgw" "$dir/pids"
  mkdir -p "$dir/mon.a" "$dir/osd.0" "$dir/run" "$dir/log" "$dir/rgw"
  touch "$dir/$MARKER"
}

write_config() {
  local dir=$1 port=$2 mon_port=$3 fsid=$4
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
mon allow pool size one = true
mon max pg per osd = 1000
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
mon data = $dir/\$name
osd data = $dir/\$name
keyring = $dir/keyring
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
EOF
}

start_mon() {
  local dir=$1 mon_port=$2 fsid=$3
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --addv a "v1:127.0.0.1:$mon_port" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon -c "$dir/ceph.conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
  ceph-mon -c "$dir/ceph.conf" -i a  # forks; PID in run/mon.a.pid
}

start_osd() {
  local dir=$1 uuid
  uuid=$(uuidgen)
  # Right after the monitor starts, the CLI's first command can go out before it has the
  # monitor map ("handle_command on fsid 0000...", EPERM); `osd new` of one uuid is idempotent.
  for attempt in 1 2 3 4 5; do
    if timeout 60 ceph -c "$dir/ceph.conf" osd new "$uuid" >/dev/null 2>>"$dir/log/osd-new.err"; then
      break
    fi
    [[ $attempt -lt 5 ]] || die "ceph osd new failed (see $dir/log/osd-new.err)"
    sleep 1
  done
  ceph-osd -c "$dir/ceph.conf" -i 0 --mkfs --osd-uuid "$uuid" >"$dir/log/osd-mkfs.out" 2>&1
  # The OSD forks once initialised. Its first command to the monitor sometimes goes out before
  # it has the monitor map ("wrong fsid") and it exits; a second start works.
  for attempt in 1 2 3 4 5; do
    if ceph-osd -c "$dir/ceph.conf" -i 0 >>"$dir/log/osd-start.out" 2>&1; then return 0; fi
    echo "s3-server: OSD start attempt $attempt failed, retrying" >&2
    sleep 1
  done
  die "the OSD did not start (see $dir/log/osd.0.log)"
}

start_gateway() {
  local dir=$1 port
  port=$(sed -n 's/^rgw frontends = beast endpoint=127.0.0.1:\([0-9]*\)$/\1/p' "$dir/ceph.conf")
  [[ -n "$port" ]] || die "$dir/ceph.conf has no gateway port"
  rm -f "$dir/run/client.rgw.pid"
  radosgw -c "$dir/ceph.conf" -n client.rgw >"$dir/log/rgw-start.out" 2>&1  # forks
  wait_for_http "$port" 60 || die "gateway did not answer on 127.0.0.1:$port (see $dir/log)"
}

record_pids() {
  local dir=$1
  {
    for name in mon.a osd.0 client.rgw; do
      echo "$name $(read_pid "$dir/run/$name.pid")"
    done
    if [[ -s "$dir/run/watcher.pid" ]]; then
      echo "watcher $(read_pid "$dir/run/watcher.pid")"
    fi
  } >"$dir/pids"
}

start_watcher() {
  local dir=$1 owner=$2 self
  self=$(readlink -f "$0")
  # Detached from the caller's terminal and process group so it outlives a killed test.
  setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" stop "$3"' \
    watcher "$owner" "$self" "$dir" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/run/watcher.pid"
}

# EXIT trap of `start`: stop whatever was started and say where the logs are.
failed_start() {
  local rc=$1
  record_pids "$STARTING_DIR"
  stop "$STARTING_DIR" >/dev/null 2>&1 || true
  echo "s3-server: start failed (exit $rc); logs in $STARTING_DIR/log" >&2
  exit "$rc"
}

start() {
  [[ $# -ge 4 ]] || usage
  local dir port=$2 ak=$3 sk=$4 owner="" fsid mon_port
  dir=$(readlink -f "$1")
  shift 4
  if [[ "${1:-}" == "--owner" ]]; then owner=${2:?--owner needs a PID}; fi
  for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen curl; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl)"
  done
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "127.0.0.1:$port is in use"; fi
  prepare_dir "$dir"
  fsid=$(uuidgen)
  # Below the kernel's ephemeral range (32768 and up): a port there can be the local end of some
  # other test's outgoing connection, which no listener check sees and which makes bind fail.
  mon_port=$(free_port $((20000 + port % 10000)))
  write_config "$dir" "$port" "$mon_port" "$fsid"
  # From here on, a failure (any exit before the end) must not leave daemons behind.
  STARTING_DIR=$dir
  trap 'failed_start $?' EXIT
  start_mon "$dir" "$mon_port" "$fsid"
  start_osd "$dir"
  start_gateway "$dir"
  timeout 60 radosgw-admin -c "$dir/ceph.conf" user create --uid=guardfeed-test \
    --display-name=guardfeed-test --access-key="$ak" --secret-key="$sk" >/dev/null
  trap - EXIT
  if [[ -n "$owner" ]]; then start_watcher "$dir" "$owner"; fi
  record_pids "$dir"
  echo "s3-server: gateway on http://127.0.0.1:$port (monitor on $mon_port), pids:" \
    "$(awk '{print $2}' "$dir/pids" | tr '\n' ' ')"
}

# Sends TERM to each PID, waits up to 10 s, then KILL.
kill_pids() {
  local pids=("$@") alive
  [[ ${#pids[@]} -gt 0 ]] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    alive=()
    for pid in "${pids[@]}"; do
      if pid_alive "$pid"; then alive+=("$pid"); fi
    done
    [[ ${#alive[@]} -eq 0 ]] && return 0
    sleep 0.25
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

stop() {
  [[ $# -ge 1 ]] || usage
  local dir=$1 pids=() name pid
  [[ -e "$dir/$MARKER" ]] || die "$dir was not created by this script"
  [[ -s "$dir/pids" ]] || record_pids "$dir"
  while read -r name pid; do
    # The watcher runs "stop" itself: never kill the process calling us.
    if [[ "$pid" != "$PPID" && "$pid" != "$$" ]] && pid_alive "$pid"; then pids+=("$pid"); fi
  done <"$dir/pids"
  # The gateway may have been restarted since the list was written.
  pid=$(read_pid "$dir/run/client.rgw.pid")
  if pid_alive "$pid" && [[ " ${pids[*]} " != *" $pid "* ]]; then pids+=("$pid"); fi
  kill_pids "${pids[@]}"
  echo "s3-server: stopped ${pids[*]:-nothing}"
}

stop_gateway() {
  local dir=$1 pid
  pid=$(read_pid "$dir/run/client.rgw.pid")
  pid_alive "$pid" || die "gateway not running"
  kill_pids "$pid"
}

status() {
  local dir=$1 name pid ok=0
  [[ -s "$dir/pids" ]] || return 1
  while read -r name pid; do
    if [[ "$name" == watcher ]]; then continue; fi
    if [[ "$name" == client.rgw ]]; then pid=$(read_pid "$dir/run/client.rgw.pid"); fi
    if ! pid_alive "$pid"; then ok=1; fi
  done <"$dir/pids"
  return $ok
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  stop-gateway) shift; [[ $# -ge 1 ]] || usage; stop_gateway "$1" ;;
  start-gateway) shift; [[ $# -ge 1 ]] || usage; start_gateway "$(readlink -f "$1")"; record_pids "$(readlink -f "$1")" ;;
  status) shift; [[ $# -ge 1 ]] || usage; status "$1" ;;
  *) usage ;;
esac
