#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with zero warnings in our code, and
# runs every test (unit, and conformance against a local broker the tests start themselves).
# Set KAFKA_BOOTSTRAP_SERVERS to run the conformance suite against a real Kafka instead.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --for-tests

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "build: swift build --build-tests"
if ! swift build --build-tests 2>&1 | tee "$log" | grep -E "error:|warning:|Compiling|Build complete" | grep -vE "^\[[0-9]+/[0-9]+\] Compiling" ; then :; fi
if grep -q "error:" "$log"; then echo "test: the build failed (see above)"; exit 1; fi
# Zero warnings in our own code (dependencies' warnings are theirs).
if grep -E "^$(pwd)/(Shared|Services|Tests)/.*warning:" "$log"; then
  echo "test: the build has warnings in our code (listed above); fix them"; exit 1
fi

# The tree stays formatted (.swift-format): `swift format -i -r Shared Services Tests Package.swift` fixes it.
echo "lint: swift format lint --strict"
if ! swift format lint --strict -r Shared Services Tests Package.swift; then
  echo "test: swift format found the lines above; run: swift format -i -r Shared Services Tests Package.swift"; exit 1
fi

echo "test: swift test (the conformance suite starts a local Tansu broker unless KAFKA_BOOTSTRAP_SERVERS is set)"
swift test --skip-build "$@"
