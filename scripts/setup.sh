#!/usr/bin/env bash
# Prepares a fresh Debian machine for the station's tests and demo: the system tools the tests
# use (socat for pty pairs, openssl to check what the station issues, a Mosquitto broker and its
# clients to prove that issued certificates authenticate over TLS, Debian's Chromium for the
# browser tests of the operator screens), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

needed=()
command -v socat >/dev/null 2>&1 || needed+=(socat)
command -v openssl >/dev/null 2>&1 || needed+=(openssl)
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || needed+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || needed+=(mosquitto-clients)
[ -x /usr/bin/chromium ] || needed+=(chromium)
if [ "${#needed[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${needed[@]}"
fi

npm ci --no-audit --no-fund
