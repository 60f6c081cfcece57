#!/usr/bin/env bash
# Benchmarks (not tests), each as ratios measured side by side in one run:
#  - our Kafka binding vs librdkafka's rdkafka_performance (same librdkafka source, same local
#    broker): bench/REPORT.md;
#  - each projection's catch-up vs raw consume and raw SQLite, produce → commit latency at a
#    steady rate, and a full rebuild of a million events: bench/PROJECTIONS.md;
#  - order placed → accepted → delivered latency through the choreography: bench/CHOREOGRAPHY.md;
#  - POST /orders under a load generator (wrk): bench/ORDERS-LOAD.md.
# Arguments go to the binding benchmark (e.g. --rounds 5).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-bench

CACHE=${FOODDELIVERY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fooddelivery}
version=$(pkg-config --modversion rdkafka)
src="$CACHE/librdkafka-$version"
tool="$src/examples/rdkafka_performance"
if [ ! -x "$tool" ]; then
  if [ ! -d "$src" ]; then
    # The distribution's librdkafka (new enough, so setup.sh did not build one): fetch its source.
    echo "bench: fetching the source of the installed librdkafka $version"
    mkdir -p "$CACHE/src"
    (cd "$CACHE/src" && apt-get source --download-only "librdkafka=$(dpkg-query -W -f='${Version}' librdkafka-dev)" >/dev/null)
    mkdir -p "$src" && tar -xzf "$(ls "$CACHE"/src/librdkafka_"$version"*.orig.tar.gz | head -n1)" -C "$src" --strip-components=1
  fi
  echo "bench: building rdkafka_performance from $src"
  mkdir -p "$CACHE/logs"
  [ -f "$src/src/librdkafka.a" ] || (cd "$src" && ./configure --prefix="$CACHE/unused" >"$CACHE/logs/bench-configure.log" 2>&1 && make -j"$(nproc)" libs >"$CACHE/logs/bench-make.log" 2>&1)
  make -C "$src/examples" rdkafka_performance >"$CACHE/logs/bench-examples.log" 2>&1 || { echo "bench: building rdkafka_performance failed; see $CACHE/logs/bench-examples.log"; exit 1; }
fi

# Every executable, built as deploy/Dockerfile builds them (Swift's runtime linked in, one product
# per build): the memory benchmark runs the services as their own release processes. (Switching
# --static-swift-stdlib on or off makes SwiftPM rebuild the release configuration.)
mkdir -p "$CACHE/logs"
for product in fooddelivery fooddelivery-bench orders restaurants delivery support analytics; do
  echo "bench: swift build -c release --static-swift-stdlib --product $product"
  if ! swift build -c release --static-swift-stdlib --product "$product" >"$CACHE/logs/bench-build.log" 2>&1; then
    grep -E "error:" "$CACHE/logs/bench-build.log" | head -20
    echo "bench: the release build failed; see $CACHE/logs/bench-build.log"; exit 1
  fi
done
.build/release/fooddelivery-bench pipeline --rdkafka-performance "$tool" "$@"

# The Python peer of the projection benchmark: confluent-kafka from PyPI, in a venv of its own.
venv="$CACHE/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import confluent_kafka" 2>/dev/null; then
  echo "bench: installing confluent-kafka into $venv"
  python3 -m venv "$venv" || { echo "bench: python3 -m venv failed; install python3-venv"; exit 1; }
  "$venv/bin/pip" install -q "confluent-kafka==2.16.1" || { echo "bench: pip install confluent-kafka failed: check that PyPI is reachable"; exit 1; }
fi
# Latency through the choreography (orders → restaurants → delivery), at a steady rate.
.build/release/fooddelivery-bench choreography
# POST /orders under wrk: orders/s, latency, and every acknowledged order published exactly once.
.build/release/fooddelivery-bench orders-load
exec .build/release/fooddelivery-bench projections --python "$venv/bin/python"
