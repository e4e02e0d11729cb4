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

# The engines fleets run, started by the tests as real servers on loopback ports:
# Alertmanager, mosquitto (with mosquitto_sub and mosquitto_passwd), Pushgateway.
missing=()
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v prometheus-pushgateway >/dev/null || missing+=(prometheus-pushgateway)
command -v mosquitto >/dev/null || missing+=(mosquitto)
command -v mosquitto_sub >/dev/null || missing+=(mosquitto-clients)
[ -x /usr/bin/time ] || missing+=(time)   # GNU time: the memory tests read peaks with it
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# ... and the Python peers that talk to them: an MQTT subscriber and the Prometheus
# text-format parser.
if ! python3 -c 'import paho.mqtt, prometheus_client' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'paho-mqtt>=2.0' 'prometheus_client>=0.17' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
      'paho-mqtt>=2.0' 'prometheus_client>=0.17'
fi

cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked "$@"
