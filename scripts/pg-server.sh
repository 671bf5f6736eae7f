#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for guardfeed's tests: one cluster listening on 127.0.0.1 only,
# its unix socket inside its own directory. The superuser role `guardfeed` logs in without a
# password (trust, loopback only: a test server, never a deployment); the role `gfpass` needs the
# password in DIR/password (scram-sha-256), for tests of password files. Root may not run
# PostgreSQL, so as root the server runs as `nobody` and DIR is handed to that user.
#
# TLS: the server runs with ssl=on and a certificate for `localhost` and IP 127.0.0.1 signed by a
# throw-away CA made at `start`; DIR/tls/ca.pem is the CA clients pass as sslrootcert (for
# sslmode=verify-full). TLS stays optional for every role but one (libpq's default
# sslmode=prefer uses it): the role `gftls`, with the same password as gfpass, may connect only
# over TLS (hostssl; plain TCP and the unix socket are rejected).
#
#   scripts/pg-server.sh start DIR PORT [--owner PID]
#       Creates the cluster under DIR (created; must be empty or a previous run's) and starts it
#       on 127.0.0.1:PORT. Prints the PIDs and writes them to DIR/pids. With --owner, a watcher
#       stops the server when process PID ends (a crashed test run leaves nothing behind).
#       Takes 1-3 s. Makes the CA and certificate in DIR/tls/ (ca.pem, server.crt, server.key).
#   scripts/pg-server.sh stop DIR                 Stops the server (immediately) and the watcher.
#   scripts/pg-server.sh stop-server DIR [--immediate]
#       Stops only the server (tests: a database outage); fast shutdown (clients disconnected,
#       clean checkpoint: seconds when the tests created many databases) or, with --immediate,
#       no checkpoint (a crash: recovery on the next start).
#   scripts/pg-server.sh start-server DIR         Starts it again on the same port and waits.
#   scripts/pg-server.sh status DIR               Exit 0 when the server accepts connections.
#
# Connect with: psql "postgresql://guardfeed@127.0.0.1:PORT/postgres".
# Needs the Debian packages postgresql (15) and openssl; GUARDFEED_PG_BIN overrides PostgreSQL's
# binary directory.
set -euo pipefail

readonly MARKER=".guardfeed-pg-server"
readonly PG_BIN=${GUARDFEED_PG_BIN:-/usr/lib/postgresql/15/bin}
STARTING_DIR=""  # the directory `start` cleans up if it fails half-way

die() { echo "pg-server: $*" >&2; exit 1; }

usage() {
  sed -n '14,27p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# A zombie (exited, not yet reaped by whoever inherited it) counts as gone.
pid_alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null &&
    [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

read_pid() {
  if [[ -s "$1" ]]; then head -n 1 "$1" | tr -dc '0-9'; fi
}

# Runs a command as the server's user: `nobody` when we are root, else ourselves. In DIR, so
# PostgreSQL does not complain about a working directory it cannot read.
as_server_user() {
  local dir=$1
  shift
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$dir" && setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@")
  else
    (cd "$dir" && "$@")
  fi
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
  rm -rf "${dir:?}/data" "$dir/run" "$dir/log" "$dir/tls" "$dir/pids" "$dir/password"
  mkdir -p "$dir/run" "$dir/log"
  touch "$dir/$MARKER"
  if [[ $(id -u) -eq 0 ]]; then
    chown nobody:nogroup "$dir" "$dir/run" "$dir/log"
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$dir" ||
      die "user nobody cannot reach $dir (a parent directory is not searchable); use one under /tmp"
  fi
}

write_config() {
  local dir=$1 port=$2
  cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/pg-server.sh: a test server
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
max_connections = 200
shared_buffers = 64MB
# A throw-away server on a shared disk: commits skip fsync (CREATE DATABASE per test and every
# commit wait on it otherwise). The server process may still be killed (stop-server
# --immediate): the page cache keeps everything; only an OS crash could lose data, and then the
# test is gone too.
fsync = off
synchronous_commit = on
full_page_writes = off
logging_collector = off
log_min_messages = warning
log_connections = off
ssl = on
ssl_cert_file = '$dir/tls/server.crt'
ssl_key_file = '$dir/tls/server.key'
EOF
  cat >"$dir/data/pg_hba.conf" <<'EOF'
# scripts/pg-server.sh: the superuser `guardfeed` without a password on loopback and the socket;
# `gftls` with a SCRAM password over TLS only; every other role (gfpass, roles tests create) with
# a SCRAM password, with or without TLS. The first matching line decides.
local     all guardfeed                trust
host      all guardfeed  127.0.0.1/32  trust
local     all gftls                    reject
hostnossl all gftls      127.0.0.1/32  reject
hostssl   all gftls      127.0.0.1/32  scram-sha-256
local     all all                      scram-sha-256
host      all all        127.0.0.1/32  scram-sha-256
EOF
}

# A throw-away CA and the server certificate it signs: CN `localhost`, subject alternative names
# DNS:localhost and IP:127.0.0.1 (verify-full accepts either host), valid 7 days. P-256 keys take
# milliseconds to make where RSA takes a noticeable part of a second. The CA's key is deleted once
# it has signed: nothing else is ever issued.
make_tls() {
  local dir=$1 tls=$1/tls log=$1/log/openssl.log
  mkdir -p "$tls"
  (
    umask 077
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 7 -subj "/CN=guardfeed test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
      openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=localhost" &&
      printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" >"$tls/server.ext" &&
      openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 7 \
        -extfile "$tls/server.ext" -out "$tls/server.crt"
  ) >"$log" 2>&1 || die "openssl could not make the test certificates (see $log)"
  rm -f "$tls/ca.key" "$tls/server.csr" "$tls/server.ext"
  chmod 0755 "$tls"
  chmod 0644 "$tls/ca.pem" "$tls/server.crt"
  # PostgreSQL refuses a key others may read, or one owned by neither the server's user nor root.
  chmod 0600 "$tls/server.key"
  if [[ $(id -u) -eq 0 ]]; then chown -R nobody:nogroup "$tls"; fi
}

init_cluster() {
  local dir=$1 port=$2
  # --no-sync: initdb's own fsync is seconds on a busy disk (the server runs with fsync = off).
  as_server_user "$dir" "$PG_BIN/initdb" -D "$dir/data" -U guardfeed --auth=trust \
    --encoding=UTF8 --locale=C --no-sync --no-instructions >"$dir/log/initdb.log" 2>&1 ||
    die "initdb failed (see $dir/log/initdb.log)"
  write_config "$dir" "$port"
  make_tls "$dir"
}

server_port() {
  sed -n 's/^port = \([0-9]*\)$/\1/p' "$1/data/postgresql.conf" | tail -n 1
}

start_server() {
  local dir=$1 port
  port=$(server_port "$dir")
  [[ -n "$port" ]] || die "$dir/data/postgresql.conf has no port"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "127.0.0.1:$port is in use"; fi
  # pg_ctl starts the postmaster in its own session and waits until it accepts connections.
  as_server_user "$dir" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log/postgres.log" -w -t 60 \
    -s start >>"$dir/log/pg_ctl.log" 2>&1 ||
    die "the server did not start on 127.0.0.1:$port (see $dir/log/postgres.log)"
}

create_password_role() {
  local dir=$1 port=$2 password
  password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  # No trailing newline: the file holds exactly the password.
  (umask 077 && printf '%s' "$password" >"$dir/password")
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U guardfeed -d postgres \
    -c "CREATE ROLE gfpass LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE ROLE gftls LOGIN CREATEDB PASSWORD '$password'" >/dev/null
}

record_pids() {
  local dir=$1
  {
    echo "postgres $(read_pid "$dir/data/postmaster.pid")"
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
  echo "pg-server: start failed (exit $rc); logs in $STARTING_DIR/log" >&2
  exit "$rc"
}

start() {
  [[ $# -ge 2 ]] || usage
  local dir port=$2 owner=""
  dir=$(readlink -f "$1")
  shift 2
  if [[ "${1:-}" == "--owner" ]]; then owner=${2:?--owner needs a PID}; fi
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
  for tool in initdb pg_ctl postgres psql; do
    [[ -x "$PG_BIN/$tool" ]] || die "$PG_BIN/$tool not found (apt-get install postgresql)"
  done
  command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
  # The socket path has to fit in sun_path (107 bytes).
  ((${#dir} + 20 <= 107)) || die "$dir is too long for a unix socket path; use a shorter one"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "127.0.0.1:$port is in use"; fi
  prepare_dir "$dir"
  # From here on, a failure (any exit before the end) must not leave a server behind.
  STARTING_DIR=$dir
  trap 'failed_start $?' EXIT
  init_cluster "$dir" "$port"
  start_server "$dir"
  create_password_role "$dir" "$port"
  trap - EXIT
  if [[ -n "$owner" ]]; then start_watcher "$dir" "$owner"; fi
  record_pids "$dir"
  echo "pg-server: postgresql://guardfeed@127.0.0.1:$port/postgres, pids:" \
    "$(awk '{print $2}' "$dir/pids" | tr '\n' ' ')"
}

# Sends signal $1 to each further PID, waits up to 15 s, then KILL.
kill_pids() {
  local signal=$1 alive
  shift
  local pids=("$@")
  [[ ${#pids[@]} -gt 0 ]] || return 0
  kill "-$signal" "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    alive=()
    for pid in "${pids[@]}"; do
      if pid_alive "$pid"; then alive+=("$pid"); fi
    done
    [[ ${#alive[@]} -eq 0 ]] && return 0
    sleep 0.25
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

# The running postmaster's PID, from postmaster.pid (current after a restart; left behind by a
# killed server, so the PID must still name a postgres process).
server_pid() {
  local dir=$1 pid
  pid=$(read_pid "$dir/data/postmaster.pid")
  if pid_alive "$pid" && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres ]]; then
    echo "$pid"
  fi
}

stop() {
  [[ $# -ge 1 ]] || usage
  local dir=$1 pid watcher stopped=()
  [[ -e "$dir/$MARKER" ]] || die "$dir was not created by this script"
  pid=$(server_pid "$dir")
  if [[ -n "$pid" ]]; then
    # Immediate shutdown: the server is thrown away, and the checkpoint of a fast shutdown syncs
    # every file of every database the tests created (half a minute after a few dozen).
    kill_pids QUIT "$pid"
    stopped+=("$pid")
  fi
  watcher=$(read_pid "$dir/run/watcher.pid")
  # The watcher runs "stop" itself: never kill the process calling us.
  if [[ "$watcher" != "$PPID" && "$watcher" != "$$" ]] && pid_alive "$watcher"; then
    kill_pids TERM "$watcher"
    stopped+=("$watcher")
  fi
  echo "pg-server: stopped ${stopped[*]:-nothing}"
}

stop_server() {
  local dir=$1 signal=INT pid
  if [[ "${2:-}" == "--immediate" ]]; then signal=QUIT; fi
  [[ -e "$dir/$MARKER" ]] || die "$dir was not created by this script"
  pid=$(server_pid "$dir")
  [[ -n "$pid" ]] || die "server not running"
  kill_pids "$signal" "$pid"
}

status() {
  local dir=$1 port
  [[ -n "$(server_pid "$dir")" ]] || return 1
  port=$(server_port "$dir")
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  stop-server) shift; [[ $# -ge 1 ]] || usage; stop_server "$(readlink -f "$1")" "${2:-}" ;;
  start-server)
    shift
    [[ $# -ge 1 ]] || usage
    dir=$(readlink -f "$1")
    [[ -e "$dir/$MARKER" ]] || die "$dir was not created by this script"
    if [[ -n "$(server_pid "$dir")" ]]; then die "the server is already running"; fi
    start_server "$dir"
    record_pids "$dir"
    ;;
  status) shift; [[ $# -ge 1 ]] || usage; status "$1" ;;
  *) usage ;;
esac
