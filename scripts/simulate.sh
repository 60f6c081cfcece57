#!/usr/bin/env bash
# The README's first command: installs what is missing, builds every executable, and runs the whole
# food-delivery simulation — a local broker (or KAFKA_BOOTSTRAP_SERVERS / --brokers), orders and the
# four consumer services as separate processes — with a live view. Ctrl-C stops everything.
# Arguments go to `fooddelivery up` (e.g. --speed 20, --base-port 9081, --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "build: swift build (the first build takes a few minutes)"
swift build 2>&1 | grep -E "error:|Build complete" || true
for executable in fooddelivery orders restaurants delivery support analytics; do
  [ -x ".build/debug/$executable" ] || { echo "simulate: the build failed ($executable is missing); run 'swift build' to see why"; exit 1; }
done
exec .build/debug/fooddelivery up "$@"
