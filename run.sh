#!/usr/bin/env bash
# Set up (once) and run DNN Explorer: ./run.sh [extra streamlit args]
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
