#!/usr/bin/env bash
# The ctest fixture `postgres` (tests/CMakeLists.txt): one throw-away PostgreSQL (scripts/pg-server.sh)
# shared by every test process that needs one, instead of a server per process.
#   pg-fixture.sh start DIR   stops and removes a server a killed run left in DIR, starts a new one
#                             on a free loopback port (without PostgreSQL: nothing; tests skip)
#   pg-fixture.sh stop DIR    stops it by PID and removes DIR
set -euo pipefail
script="$(cd "$(dirname "$0")/../.." && pwd)/scripts/pg-server.sh"
dir=${2:?usage: pg-fixture.sh start|stop DIR}
case ${1:-} in
  start)
    if [[ -d $dir ]]; then
      "$script" stop "$dir" >/dev/null 2>&1 || true
      rm -rf "$dir"
    fi
    if [[ ! -x ${GUARDFEED_PG_BIN:-/usr/lib/postgresql/15/bin}/initdb ]]; then
      echo "pg-fixture: PostgreSQL 15 is not installed; the PostgreSQL tests will say so"
      exit 0
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    exec "$script" start "$dir" "$port"
    ;;
  stop)
    if [[ -d $dir ]]; then
      "$script" stop "$dir"
      rm -rf "$dir"
    fi
    ;;
  *)
    echo "usage: pg-fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
