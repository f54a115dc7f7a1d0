#!/usr/bin/env bash
# Set up (once) and run every test: ./test.sh [pytest args]
# Needs ../shared (course data and photos) beside the clone, and Debian's chromium (browser tests),
# postgresql (the store's tests run on a real server too) and nginx (replicas behind a load balancer).
set -euo pipefail
cd "$(dirname "$0")"
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/sbin/nginx ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql nginx >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
