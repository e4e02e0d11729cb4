#!/usr/bin/env bash
# The one test command: installs what the tests need beyond cargo, then runs the
# same gates as CI (format, lints, tests).
set -euo pipefail
cd "$(dirname "$0")/.."

# Python packages the tests use as independent peers: the Standard Webhooks reference
# verifier and a real SMTP server.
if ! python3 -c 'import standardwebhooks, aiosmtpd' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check \
    'standardwebhooks>=1.0' 'aiosmtpd>=1.4' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
      'standardwebhooks>=1.0' 'aiosmtpd>=1.4'
fi

cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked "$@"
