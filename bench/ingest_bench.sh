#!/usr/bin/env bash
# End-to-end ingest benchmark (DESIGN.md budget: >= 50,000 findings/s into SQLite with durable
# commits, batched, one core). Times the real CLI, `guardfeed ingest`, on a generated corpus:
#
#   fresh    into a new, empty SQLite store (every finding new)
#   reingest the same file again into a copy of the store the fresh run left (the idempotent path:
#            every sighting already there, nothing may change)
#
# Each case runs RUNS times under /usr/bin/time; the report gives best and median wall time,
# median CPU time (user+sys), and findings/s from each. The input stays in the page cache
# (generated just before), so the figures exclude reading the file from disk; store commits are
# durable (WAL, synchronous=FULL) on whatever disk WORK is on.
#
# Usage: bench/ingest_bench.sh            (from the repository root, after building)
#   BUILD=build-bench  COUNT=200000  RUNS=5  FORMATS="jsonl eventbridge gzip"
#   WORK=/tmp/guardfeed-bench/ingest  SEED=1
#   BATCH=N  sightings per transaction ([ingest] batch_size; default: guardfeed's own, 100000)
#   PG_URL=postgresql://USER@HOST:PORT/DB  the same into PostgreSQL instead of SQLite: `fresh`
#            drops the schema `guardfeed` first (psql), `reingest` runs on what `fresh` left;
#            start a server with scripts/pg-server.sh start DIR PORT
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build-bench}
COUNT=${COUNT:-200000}
RUNS=${RUNS:-5}
FORMATS=${FORMATS:-jsonl}
WORK=${WORK:-/tmp/guardfeed-bench/ingest}
SEED=${SEED:-1}
BATCH=${BATCH:-}
# Twelve hours after the corpus' newest first delivery (finding_corpus.h), so every run sees the
# same "now" and no re-delivery lies in its future.
NOW=1795348800

gen="$root/$BUILD/bench/gen_findings"
guardfeed="$root/$BUILD/src/cli/guardfeed"
for tool in "$gen" "$guardfeed" /usr/bin/time; do
  if [[ ! -x $tool ]]; then
    echo "ingest_bench: $tool missing; build first: ninja -C $BUILD gen_findings guardfeed" >&2
    exit 1
  fi
done
mkdir -p "$WORK"
store="$WORK/store.db"
config=()
if [[ -n $BATCH ]]; then
  printf '[ingest]\nbatch_size = %d\n\n[[feeds]]\nname = "fortigate_ip"\nkinds = ["ipv4", "ipv6"]\n' "$BATCH" >"$WORK/batch.toml"
  config=(--config "$WORK/batch.toml")
fi

PG_URL=${PG_URL:-}
store_url="sqlite://$store"
if [[ -n $PG_URL ]]; then store_url=$PG_URL; fi

remove_store() {
  if [[ -n $PG_URL ]]; then
    PGOPTIONS="-c client_min_messages=warning" psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS guardfeed CASCADE" >/dev/null
  else
    rm -f "$1" "$1-wal" "$1-shm"
  fi
}
# PostgreSQL: re-ingest needs no copy; the database keeps what the fresh run left.
keep_store() { :; }
copy_store() {  # copy_store FROM TO
  remove_store "$2"
  cp "$1" "$2"
  if [[ -e $1-wal ]]; then cp "$1-wal" "$2-wal"; fi
}

# corpus FORMAT -> path of a generated file, reused when COUNT and SEED match.
corpus() {
  local format=$1 ext
  case $format in
    jsonl) ext=jsonl ;;
    eventbridge) ext=eventbridge.jsonl ;;
    gzip) ext=jsonl.gz ;;
    *) echo "ingest_bench: unknown format $format" >&2; exit 1 ;;
  esac
  local file="$WORK/findings-$COUNT-$SEED.$ext"
  if [[ ! -s $file ]]; then
    "$gen" --count "$COUNT" --seed "$SEED" --format "$format" --out "$file.tmp" 2>/dev/null
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# measure LABEL FILE PREPARE...: runs PREPARE then the timed ingest, RUNS times.
measure() {
  local label=$1 file=$2
  shift 2
  local times="$WORK/times-$label.txt"
  : >"$times"
  for ((run = 1; run <= RUNS; run++)); do
    "$@"
    /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" \
      "$guardfeed" "${config[@]}" --log-level off --store "$store_url" --now "$NOW" \
      ingest --json "$file" \
      >"$WORK/summary-$label.json" || {
      echo "ingest_bench: guardfeed ingest failed (exit $?)" >&2
      exit 1
    }
    cat "$WORK/time.txt" >>"$times"
  done
  python3 - "$label" "$COUNT" "$file" "$times" "$WORK/summary-$label.json" <<'EOF'
import json, os, statistics, sys
label, count, path, times_path, summary_path = sys.argv[1:]
count = int(count)
runs = [tuple(map(float, line.split())) for line in open(times_path) if line.strip()]
wall = sorted(r[0] for r in runs)
cpu = sorted(r[1] + r[2] for r in runs)
s = json.load(open(summary_path))
mb = os.path.getsize(path) / 1e6
print(f"{label:<22} runs={len(runs)} file={mb:.0f} MB")
print(f"  wall  best {wall[0]:7.2f} s ({count / wall[0]:9.0f} findings/s)   "
      f"median {statistics.median(wall):7.2f} s ({count / statistics.median(wall):9.0f} findings/s)")
print(f"  cpu   best {cpu[0]:7.2f} s ({count / cpu[0]:9.0f} findings/s)   "
      f"median {statistics.median(cpu):7.2f} s ({count / statistics.median(cpu):9.0f} findings/s)")
print(f"  read {s['findings_read']} accepted {s['findings_accepted']} "
      f"sightings new/updated/unchanged {s['sightings_new']}/{s['sightings_updated']}/"
      f"{s['sightings_unchanged']} indicators new {s['indicators_new']} errors {s['error_count']}")
EOF
}

echo "guardfeed ingest benchmark: $COUNT findings, seed $SEED, $RUNS runs," \
  "batch ${BATCH:-default}, store ${PG_URL:+PostgreSQL }in ${PG_URL:-$WORK}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for format in $FORMATS; do
  file=$(corpus "$format")
  measure "fresh-$format" "$file" remove_store "$store"
  if [[ -n $PG_URL ]]; then
    measure "reingest-$format" "$file" keep_store
  else
    copy_store "$store" "$WORK/populated.db"
    measure "reingest-$format" "$file" copy_store "$WORK/populated.db" "$store"
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
