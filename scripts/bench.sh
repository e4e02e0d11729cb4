#!/usr/bin/env bash
# Build the release binary and measure it (start-up, one send, 20-endpoint fan-out,
# peak memory, size, and curl as the floor). Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
exec python3 scripts/bench.py target/release/bnotify
