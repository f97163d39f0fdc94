#!/usr/bin/env bash
# One machine, everything Kinerja runs: the web server, one task worker (document generation) and the periodic
# command every five minutes. Ctrl-C (or SIGTERM) stops all three.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
WEB_WORKERS=${WEB_WORKERS:-2}
TICK_SECONDS=${TICK_SECONDS:-300}

children=()
stop() { kill "${children[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

"$PY" manage.py db_worker --no-startup-delay &
children+=($!)
( while true; do "$PY" manage.py tick || true; sleep "$TICK_SECONDS"; done ) &
children+=($!)
.venv/bin/gunicorn kinerja.wsgi --bind "127.0.0.1:$PORT" --workers "$WEB_WORKERS" --access-logfile - &
children+=($!)
wait -n
