#!/usr/bin/env bash
# Set up (once) and run DNN Explorer: ./run.sh [extra streamlit args]
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt
# One BLAS thread: sessions and the browser share the cores (ui/blas.py also sets it on the loaded library).
export OPENBLAS_NUM_THREADS=1
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
