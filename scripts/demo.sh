#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the live demo against a
# local broker it starts (or KAFKA_BOOTSTRAP_SERVERS / --brokers). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "build: swift build (the first build takes a few minutes)"
swift build --product fooddelivery 2>&1 | grep -E "error:|Build complete" || true
[ -x .build/debug/fooddelivery ] || { echo "demo: the build failed; run 'swift build' to see why"; exit 1; }
exec .build/debug/fooddelivery demo "$@"
