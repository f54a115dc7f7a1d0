#!/usr/bin/env bash
# Set up (once) and run every test: ./test.sh [pytest args]
# Needs ../shared (course data and photos) beside the clone, and Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
if ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
