#!/usr/bin/env bash
# The smallest live demo (one producer, one consumer group of two): installs what is missing, builds, and runs it against a
# local broker it starts (or KAFKA_BOOTSTRAP_SERVERS / --brokers). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "build: swift build (the first build takes a few minutes)"
swift build --product fooddelivery 2>&1 | grep -E "error:|Build complete" || true
[ -x .build/debug/fooddelivery ] || { echo "demo: the build failed; run 'swift build' to see why"; exit 1; }
exec .build/debug/fooddelivery demo "$@"
