#!/usr/bin/env bash
# Set up (once) and run DNN Explorer: ./run.sh [extra streamlit args]
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt
# One BLAS thread: sessions and the browser share the cores (ui/blas.py also sets it on the loaded library).
export OPENBLAS_NUM_THREADS=1
# Open files: every tab holds a WebSocket; with the usual limit of 1,024, 1,050 idle connections made the
# server stop answering (and log the accept error at 2 MB/s). Raise the soft limit up to the hard one,
# at most DNN_OPEN_FILES (default 65536).
want="${DNN_OPEN_FILES:-65536}"
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want="$hard"; fi
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want" ]; then
  ulimit -Sn "$want" 2>/dev/null || echo "run.sh: cannot raise the open-files limit to $want (it is $(ulimit -Sn))" >&2
fi
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
