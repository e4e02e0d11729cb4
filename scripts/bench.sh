#!/usr/bin/env bash
# Build the release binary and measure it (start-up, one send, 20-endpoint fan-out,
# peak memory, size, and curl as the floor). Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
# Longer property runs: no secret survives the redactor, the parsers never panic.
PROPTEST_CASES="${PROPTEST_CASES:-5000}" cargo test --locked --lib props::
exec python3 scripts/bench.py target/release/bnotify
