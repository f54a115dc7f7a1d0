#!/usr/bin/env bash
# Set up (once) and run every test: ./test.sh [pytest args]
# Needs ../shared (course data and photos) beside the clone, and Debian's chromium (browser tests),
# postgresql (the store's tests run on a real server too) and nginx (replicas behind a load balancer).
# `ruff check .` and `mypy` (settings in pyproject.toml) run before the tests; DNN_LINT=0 skips them.
set -euo pipefail
cd "$(dirname "$0")"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/nginx ] || need+=(nginx)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ -f package.json ] && ! command -v npm >/dev/null; then need+=(nodejs npm); fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt
# JavaScript the browser tests inject into pages (e.g. node_modules/axe-core/axe.min.js), pinned by the lock.
if [ -f package.json ]; then
  if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
fi
if [ "${DNN_LINT:-1}" = 1 ]; then
  lint=0
  .venv/bin/ruff check . || lint=1
  .venv/bin/mypy || lint=1
  [ "$lint" = 0 ] || { echo "ruff or mypy found problems (above)" >&2; exit 1; }
fi
# Two workers (pytest-xdist), a test file each at a time: the browser tests mostly wait on the app's ticks, so
# two at once nearly halve the run on a 2-core machine. DNN_TEST_WORKERS=0 runs everything in this process.
workers="${DNN_TEST_WORKERS:-2}"
if [ "$workers" = 0 ]; then exec .venv/bin/python -m pytest "$@"; fi
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
