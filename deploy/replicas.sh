#!/usr/bin/env bash
# Start N DNN Explorer replicas against one PostgreSQL store, optionally behind NGINX.
#
#   DATABASE_URL=postgresql://user:pass@host:5432/dnn deploy/replicas.sh 4 [--base-port 8501]
#       [--listen 127.0.0.1:8080] [--run-dir DIR] [--nginx]
#
# - migrates the store once (python -m store migrate), then starts replicas on 127.0.0.1:base..base+N-1,
#   all with the same cookie secret, one BLAS thread each (one replica per core is the sizing rule);
# - writes DIR/nginx.conf from deploy/nginx.conf.template and, with --nginx, runs NGINX with it;
# - writes DIR/replica-PORT.pid and DIR/replica-PORT.log per replica, DIR/nginx.pid;
# - stays in the foreground; Ctrl-C or SIGTERM stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

usage() { sed -n '2,12p' "$0"; exit 2; }
[ $# -ge 1 ] || usage
N="$1"; shift
[[ "$N" =~ ^[1-9][0-9]?$ ]] || { echo "N must be 1 to 99 replicas, got '$N'" >&2; exit 2; }
BASE_PORT=8501; LISTEN="127.0.0.1:8080"; RUN_DIR=""; WITH_NGINX=0
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --listen) LISTEN="$2"; shift 2 ;;
    --run-dir) RUN_DIR="$2"; shift 2 ;;
    --nginx) WITH_NGINX=1; shift ;;
    *) usage ;;
  esac
done
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*|postgresql+psycopg://*) ;;
  *) echo "Set DATABASE_URL to the shared PostgreSQL (postgresql://user:pass@host:port/db): replicas" \
          "cannot share a SQLite file." >&2; exit 2 ;;
esac
RUN_DIR="${RUN_DIR:-$ROOT/.dnn-explorer/replicas}"
mkdir -p "$RUN_DIR/tmp"
chmod 755 "$RUN_DIR" "$RUN_DIR/tmp"   # NGINX workers (not root) use the temp folders
export DNN_DATA_HOME="$RUN_DIR"       # nothing of the app is written anywhere else
COOKIE_SECRET="${DNN_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')}"

# Open files for the replicas and NGINX: soft limit up to the hard one, at most DNN_OPEN_FILES (see run.sh).
want="${DNN_OPEN_FILES:-65536}"
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want="$hard"; fi
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want" ]; then
  ulimit -Sn "$want" 2>/dev/null || echo "replicas.sh: cannot raise the open-files limit to $want" >&2
fi

cd "$ROOT"
"$PYTHON" -m store migrate

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'stop_all; exit 143' INT TERM

SERVERS=""
for ((i = 0; i < N; i++)); do
  port=$((BASE_PORT + i))
  STREAMLIT_SERVER_COOKIE_SECRET="$COOKIE_SECRET" OPENBLAS_NUM_THREADS=1 "$PYTHON" -m streamlit run app.py \
    --server.port "$port" --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false \
    --server.fileWatcherType none >"$RUN_DIR/replica-$port.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$RUN_DIR/replica-$port.pid"
  SERVERS+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
done

awk -v run_dir="$RUN_DIR" -v listen="$LISTEN" -v servers="${SERVERS%$'\n'}" '
  /^@SERVERS@$/ { print servers; next }
  { gsub(/@RUN_DIR@/, run_dir); gsub(/@LISTEN@/, listen); print }' \
  "$ROOT/deploy/nginx.conf.template" >"$RUN_DIR/nginx.conf"

ports=$(seq "$BASE_PORT" $((BASE_PORT + N - 1)))
"$PYTHON" - "$RUN_DIR" $ports <<'PY'
import sys, time, urllib.request
run_dir, ports = sys.argv[1], sys.argv[2:]
for port in ports:
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"replica on port {port} did not start (see {run_dir}/replica-{port}.log)")
        time.sleep(0.5)
PY
echo "$N replicas ready on 127.0.0.1:$BASE_PORT-$((BASE_PORT + N - 1)); NGINX config: $RUN_DIR/nginx.conf"

if [ "$WITH_NGINX" = 1 ]; then
  NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
  "$NGINX" -p "$RUN_DIR" -e "$RUN_DIR/error.log" -c "$RUN_DIR/nginx.conf" -g 'daemon off;' &
  PIDS+=($!)
  echo "NGINX on http://$LISTEN"
fi
wait -n || true   # the first child to exit (a crash or a kill) is reported; the rest keep serving
wait
