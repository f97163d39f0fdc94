#!/usr/bin/env bash
# Kinerja as several machines would run it, all on 127.0.0.1 of this one, for load and failure tests:
#
#   nginx :8100 (deploy/nginx/kinerja.conf) -> gunicorn :8101 and :8102 (deploy/gunicorn.conf.py)
#   two task workers (manage.py rqworker, the Redis backend of the tasks API)
#   PostgreSQL database kinerja_multi (made afresh), Redis databases 12 (cache) and 13 (task queue),
#   an S3 server (moto_server :9000, bucket kinerja-multi) holding the evidence and the documents.
#
#   scripts/multiserver.sh start            starts what is not running; from nothing it also recreates the
#                                           database, loads the demo, empties the two Redis databases and the bucket
#   scripts/multiserver.sh status           each process, and whether /login/ answers 200 through nginx
#   scripts/multiserver.sh stop             stops every process this script started, and nothing else
#   scripts/multiserver.sh kill_one_app     SIGKILL to the app server on 8102 and its workers (a crash)
#   scripts/multiserver.sh kill_one_worker  SIGKILL to one task worker and the job it runs (a crash)
#   scripts/multiserver.sh loadtest [USERS] [SECONDS]
#                                           the load test through nginx on a fresh rig (bench/load.py prepare, run,
#                                           verify); halfway it kills one app server and one task worker, then runs
#                                           tick so that the job the killed worker held is queued again, and checks
#                                           that no acknowledged write was lost and every generation job ran once
#   scripts/multiserver.sh manage ARGS...   manage.py ARGS with the same environment as the servers
#   scripts/multiserver.sh env              prints that environment (for `set -a; . <(scripts/multiserver.sh env)`)
#
# The functions can also be used from another bash script: `source scripts/multiserver.sh; kill_one_app`.
# Pid files and logs are under var/multiserver/ (pids/, logs/). Redis and PostgreSQL must already be running on
# 127.0.0.1 (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres, may create databases).
# What is missing is installed: the pinned Python packages (make install-dev), and Debian's nginx-light.
#
# The servers run with PRODUCTION=true, but on plain http: SECURE_SSL_REDIRECT=false, SECURE_HSTS_SECONDS=0 and
# SECURE_COOKIES=false (cookies without Secure and __Host-, which no client keeps over http). The demo is loaded
# with PRODUCTION=false, since production refuses it. Demo logins: see README (password kinerja-demo).
set -euo pipefail
umask 022

MS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MS_DIR=$MS_ROOT/var/multiserver
MS_PIDS=$MS_DIR/pids
MS_LOGS=$MS_DIR/logs
MS_PY=$MS_ROOT/.venv/bin/python
MS_NGINX_PORT=8100
MS_APP_PORTS=(8101 8102)
MS_WORKERS=(1 2)
MS_S3_PORT=9000
MS_BUCKET=kinerja-multi
MS_DB=kinerja_multi
MS_CACHE_REDIS=redis://127.0.0.1:6379/12
MS_TASKS_REDIS=redis://127.0.0.1:6379/13
MS_PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

ms_say() { printf '%s\n' "multiserver: $*"; }
ms_die() { printf '%s\n' "multiserver: $*" >&2; exit 1; }

# The environment every server, worker and manage.py command of the rig runs with.
ms_env() {
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$MS_DB"
  export REDIS_URL=$MS_CACHE_REDIS
  export TASKS_BACKEND=django_tasks_rq.RQBackend
  export TASKS_REDIS_URL=$MS_TASKS_REDIS
  export FILE_STORAGE=s3
  export S3_BUCKET=$MS_BUCKET
  export S3_ENDPOINT_URL="http://127.0.0.1:$MS_S3_PORT"
  export S3_ACCESS_KEY_ID=multiserver
  export S3_SECRET_ACCESS_KEY=multiserver
  export S3_REGION=us-east-1
  export S3_ADDRESSING_STYLE=path
  export KINERJA_VAR_DIR=$MS_DIR/var
  export PRODUCTION=true
  export SECRET_KEY_FILE=$MS_DIR/secret_key
  export ALLOWED_HOSTS=127.0.0.1,localhost
  export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$MS_NGINX_PORT,http://localhost:$MS_NGINX_PORT"
  export TRUSTED_PROXY_COUNT=1
  export SECURE_SSL_REDIRECT=false
  export SECURE_HSTS_SECONDS=0
  export SECURE_COOKIES=false
  export WEB_WORKERS=${MULTI_WEB_WORKERS:-2}
  export LOG_LEVEL=${LOG_LEVEL:-INFO}
  # A generation job whose worker was killed is queued again by the next tick after this many minutes (15 in a
  # real deployment; generation takes seconds here).
  export DOCUMENT_JOB_STALE_MINUTES=${DOCUMENT_JOB_STALE_MINUTES:-1}
  unset DEBUG SECRET_KEY EVIDENCE_ROOT DOCUMENT_ROOT MEDIA_ROOT
}
MS_ENV_NAMES="DATABASE_URL REDIS_URL TASKS_BACKEND TASKS_REDIS_URL FILE_STORAGE S3_BUCKET S3_ENDPOINT_URL S3_ACCESS_KEY_ID
  S3_SECRET_ACCESS_KEY S3_REGION S3_ADDRESSING_STYLE KINERJA_VAR_DIR PRODUCTION SECRET_KEY_FILE ALLOWED_HOSTS
  CSRF_TRUSTED_ORIGINS TRUSTED_PROXY_COUNT SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS SECURE_COOKIES WEB_WORKERS LOG_LEVEL DOCUMENT_JOB_STALE_MINUTES"

ms_names() {
  local port n
  echo s3
  for port in "${MS_APP_PORTS[@]}"; do echo "web-$port"; done
  for n in "${MS_WORKERS[@]}"; do echo "worker-$n"; done
  echo nginx
}

# What the command line of each process holds, so that a pid reused by another program is never signalled.
ms_marker() {
  case $1 in
    s3) echo moto_server ;;
    web-*) echo gunicorn ;;
    worker-*) echo rqworker ;;
    nginx) echo nginx ;;
  esac
}

ms_pid() { [[ -s $MS_PIDS/$1.pid ]] && cat "$MS_PIDS/$1.pid" || true; }

# Whether a pid runs (a zombie left by a killed process whose parent never reaps it does not).
ms_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ -n $stat && ${stat%% *} != Z ]]
}

ms_alive() {
  local pid command
  pid=$(ms_pid "$1")
  [[ -n $pid ]] && ms_running "$pid" || return 1
  command=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $command == *"$(ms_marker "$1")"* ]]
}

ms_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ms_wait_port() {
  local name=$1 port=$2 _
  for _ in $(seq 1 120); do
    ms_port_open "$port" && return 0
    ms_alive "$name" || ms_die "$name stopped while starting; see $MS_LOGS/$name.log"
    sleep 0.5
  done
  ms_die "$name does not answer on port $port after 60 s; see $MS_LOGS/$name.log"
}

# Runs a command in a session of its own (so that a crash or a stop reaches its children too), output appended to
# logs/NAME.log; pids/NAME.pid holds its pid, which is also its process group.
ms_start_bg() {
  local name=$1 _
  shift
  rm -f "$MS_PIDS/$name.pid"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$MS_PIDS/$name.pid" "$@" >>"$MS_LOGS/$name.log" 2>&1 </dev/null &
  for _ in $(seq 1 50); do
    [[ -s $MS_PIDS/$name.pid ]] && return 0
    sleep 0.1
  done
  ms_die "$name did not start; see $MS_LOGS/$name.log"
}

# TERM to the process itself (gunicorn and RQ then finish what is under way), KILL to its group after the wait.
ms_stop_one() {
  local name=$1 wait=${2:-10} pid _
  pid=$(ms_pid "$name")
  if ms_alive "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((wait * 10))); do
      ms_running "$pid" || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    ms_say "stopped $name (pid $pid)"
  fi
  rm -f "$MS_PIDS/$name.pid"
}

# These return 1 rather than exit, for a script that sources this file.
ms_kill_group() {
  local name=$1 pid
  if ! ms_alive "$name"; then
    echo "multiserver: $name is not running" >&2
    return 1
  fi
  pid=$(ms_pid "$name")
  kill -KILL -- "-$pid"
  ms_say "killed $name (pid $pid) and its children with SIGKILL"
}

# A crash of the app server on the last port (8102): its master and workers die at once; nginx passes the
# idempotent requests that fail on it to the other server.
kill_one_app() { ms_kill_group "web-${MS_APP_PORTS[-1]}"; }

# A crash of the last running task worker, with the job it runs (RQ runs each job in a child process).
kill_one_worker() {
  local i
  for ((i = ${#MS_WORKERS[@]} - 1; i >= 0; i--)); do
    if ms_alive "worker-${MS_WORKERS[i]}"; then
      ms_kill_group "worker-${MS_WORKERS[i]}"
      return 0
    fi
  done
  echo "multiserver: no task worker is running" >&2
  return 1
}

ms_python_ready() {
  [[ -x $MS_PY && -x $MS_ROOT/.venv/bin/gunicorn && -x $MS_ROOT/.venv/bin/moto_server ]] &&
    "$MS_PY" -c 'import importlib.util as u, sys; sys.exit(not all(map(u.find_spec, sys.argv[1:])))' \
      django_tasks_rq django_rq storages boto3 moto &&
    [[ -f $MS_ROOT/static/vendor/htmx.min.js && -f $MS_ROOT/locale/id/LC_MESSAGES/django.mo ]]
}

ms_ensure_installed() {
  if ! ms_python_ready; then
    ms_say "installing the pinned packages (make install-dev)"
    make -C "$MS_ROOT" -s install-dev
  fi
  if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    ms_say "installing Debian's nginx-light"
    apt-get update -qq
    # RUNLEVEL=1 keeps the package from starting the system's own nginx on port 80.
    RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null ||
      RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  fi
}

ms_nginx() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

ms_check_services() {
  "$MS_PY" - "$MS_CACHE_REDIS" <<'PYEOF' || ms_die "Redis does not answer on 127.0.0.1:6379"
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PYEOF
  PG_ADMIN_URL=$MS_PG_ADMIN_URL "$MS_PY" - <<'PYEOF' || ms_die "PostgreSQL does not answer at $MS_PG_ADMIN_URL"
import os, psycopg
psycopg.connect(os.environ["PG_ADMIN_URL"], connect_timeout=3).close()
PYEOF
}

# A port held by something this script did not start stops everything before it begins.
ms_claim_port() {
  local name=$1 port=$2
  if ! ms_alive "$name" && ms_port_open "$port"; then
    ms_die "port $port ($name) is in use by another program; stop it first"
  fi
}

ms_secret_key() {
  [[ -s $MS_DIR/secret_key ]] && return 0
  "$MS_PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$MS_DIR/secret_key"
  chmod 600 "$MS_DIR/secret_key"
}

ms_bucket() {
  local empty=$1
  "$MS_PY" - "$empty" <<'PYEOF'
import os, sys
import boto3
s3 = boto3.client(
    "s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name=os.environ["S3_REGION"],
    aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"], aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
)
bucket = os.environ["S3_BUCKET"]
if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=bucket)
elif sys.argv[1] == "empty":
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
PYEOF
}

# From nothing: a new database with the demo, empty Redis databases, the static files.
ms_prepare() {
  ms_say "recreating database $MS_DB, emptying Redis databases 12 and 13 and the bucket"
  PG_ADMIN_URL=$MS_PG_ADMIN_URL "$MS_PY" - "$MS_DB" <<'PYEOF'
import os, sys
import psycopg
with psycopg.connect(os.environ["PG_ADMIN_URL"], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{sys.argv[1]}"')
PYEOF
  "$MS_PY" - "$MS_CACHE_REDIS" "$MS_TASKS_REDIS" <<'PYEOF'
import sys, redis
for url in sys.argv[1:]:
    redis.Redis.from_url(url).flushdb()
PYEOF
  ms_bucket empty
  if [[ -n ${MS_LOAD_USERS:-} ]]; then
    ms_say "preparing the load test: demo and $MS_LOAD_USERS staff seats (bench/load.py prepare)"
    (cd "$MS_ROOT" && PRODUCTION=false "$MS_PY" bench/load.py prepare --database-url "$DATABASE_URL" \
      --users "$MS_LOAD_USERS" --seats "$MS_DIR/seats.json" >>"$MS_LOGS/prepare.log")
  else
    (cd "$MS_ROOT" && "$MS_PY" manage.py migrate --no-input -v0)
    ms_say "loading the demo (PRODUCTION=false for this command only)"
    (cd "$MS_ROOT" && PRODUCTION=false "$MS_PY" manage.py load_demo >>"$MS_LOGS/prepare.log")
  fi
  (cd "$MS_ROOT" && "$MS_PY" manage.py collectstatic --no-input -v0)
}

# deploy/nginx/kinerja.conf with the rig's app servers, a plain http listener on 127.0.0.1 and the rig's paths, inside
# a main configuration of its own.
ms_render_nginx() {
  local conf=$MS_DIR/nginx/conf servers="" port mime_dir
  mkdir -p "$conf" "$MS_DIR/nginx/logs" "$MS_DIR/nginx/temp"
  for port in "${MS_APP_PORTS[@]}"; do
    servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=10s;\n"
  done
  awk -v servers="$servers" -v listen="    listen 127.0.0.1:$MS_NGINX_PORT;" '
    /# BEGIN app servers/ { printf "%s", servers; skip = 1; next }
    /# BEGIN tls/ { print listen; skip = 1; next }
    /# BEGIN http redirect/ { skip = 1; next }
    /# END / { skip = 0; next }
    !skip { print }
  ' "$MS_ROOT/deploy/nginx/kinerja.conf" |
    sed -e "s#/srv/kinerja/var/static/#$MS_DIR/var/static/#" \
      -e "s#/var/log/nginx/kinerja\.#$MS_LOGS/nginx-#" \
      -e "s#server_name kinerja.example.go.id;#server_name 127.0.0.1 localhost;#" >"$conf/kinerja.conf"
  mime_dir=$("$(ms_nginx)" -V 2>&1 | grep -o -- '--conf-path=[^ ]*' | cut -d= -f2 | xargs -r dirname)
  [[ -f ${mime_dir:-/etc/nginx}/mime.types ]] || mime_dir=/etc/nginx
  cat >"$conf/nginx.conf" <<EOF
# Rendered by scripts/multiserver.sh; changes are lost at the next start.
worker_processes 1;
pid $MS_DIR/nginx/nginx.pid;
error_log $MS_LOGS/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include ${mime_dir:-/etc/nginx}/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $MS_DIR/nginx/temp/client;
    proxy_temp_path $MS_DIR/nginx/temp/proxy;
    fastcgi_temp_path $MS_DIR/nginx/temp/fastcgi;
    uwsgi_temp_path $MS_DIR/nginx/temp/uwsgi;
    scgi_temp_path $MS_DIR/nginx/temp/scgi;
    include $conf/kinerja.conf;
}
EOF
  "$(ms_nginx)" -t -q -p "$MS_DIR/nginx/" -c "$conf/nginx.conf" -e "$MS_LOGS/nginx-error.log" ||
    ms_die "the rendered nginx configuration is not valid: $conf/nginx.conf"
}

cmd_start() {
  local fresh=true name port n
  mkdir -p "$MS_PIDS" "$MS_LOGS" "$MS_DIR/var"
  ms_ensure_installed
  ms_env
  ms_check_services
  ms_secret_key
  for name in $(ms_names | grep -E '^(web|worker)-'); do
    if ms_alive "$name"; then fresh=false; fi
  done
  ms_claim_port s3 "$MS_S3_PORT"
  for port in "${MS_APP_PORTS[@]}"; do ms_claim_port "web-$port" "$port"; done
  ms_claim_port nginx "$MS_NGINX_PORT"

  if ! ms_alive s3; then
    $fresh || ms_say "warning: the S3 server was down; files stored before are gone"
    ms_start_bg s3 "$MS_ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$MS_S3_PORT"
  fi
  ms_wait_port s3 "$MS_S3_PORT"
  ms_bucket keep
  if $fresh; then ms_prepare; fi

  cd "$MS_ROOT"
  for port in "${MS_APP_PORTS[@]}"; do
    ms_alive "web-$port" ||
      PORT=$port ms_start_bg "web-$port" "$MS_ROOT/.venv/bin/gunicorn" -c deploy/gunicorn.conf.py kinerja.wsgi
  done
  for n in "${MS_WORKERS[@]}"; do
    ms_alive "worker-$n" ||
      ms_start_bg "worker-$n" "$MS_PY" manage.py rqworker --job-class django_tasks_rq.Job default
  done
  for port in "${MS_APP_PORTS[@]}"; do ms_wait_port "web-$port" "$port"; done
  if ! ms_alive nginx; then
    ms_render_nginx
    ms_start_bg nginx "$(ms_nginx)" -p "$MS_DIR/nginx/" -c "$MS_DIR/nginx/conf/nginx.conf" \
      -e "$MS_LOGS/nginx-error.log" -g "daemon off;"
  fi
  ms_wait_port nginx "$MS_NGINX_PORT"
  cmd_status
}

cmd_stop() {
  local name
  [[ -d $MS_PIDS ]] || { ms_say "nothing to stop"; return 0; }
  ms_stop_one nginx 10
  for name in $(ms_names | grep '^web-'); do ms_stop_one "$name" 35; done
  for name in $(ms_names | grep '^worker-'); do ms_stop_one "$name" 30; done
  ms_stop_one s3 10
  ms_say "stopped (database $MS_DB and the logs are kept)"
}

cmd_status() {
  local name pid state code healthy=true
  for name in $(ms_names); do
    pid=$(ms_pid "$name")
    if ms_alive "$name"; then state=running; else state=stopped; healthy=false; fi
    printf '%-10s %-8s pid %s\n' "$name" "$state" "${pid:--}"
  done
  code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' "http://127.0.0.1:$MS_NGINX_PORT/login/" || true)
  printf 'http://127.0.0.1:%s/login/ through nginx: %s\n' "$MS_NGINX_PORT" "${code:-000}"
  [[ $code == 200 ]] && $healthy
}

# The load test through nginx with an app server and a task worker killed halfway.
cmd_loadtest() {
  local users=${1:-50} seconds=${2:-120} ledger run_pid run_status=0 verify_status=0 killed_at waited
  cmd_stop >/dev/null
  rm -f "$MS_PIDS"/*.pid
  MS_LOAD_USERS=$users cmd_start
  ledger=$MS_DIR/ledger-$users.json
  rm -f "$ledger"
  ms_say "load: $users users for ${seconds}s through http://127.0.0.1:$MS_NGINX_PORT"
  (cd "$MS_ROOT" && "$MS_PY" bench/load.py run --host "http://127.0.0.1:$MS_NGINX_PORT" --users "$users" \
    --seconds "$seconds" --seats "$MS_DIR/seats.json" --ledger "$ledger") &
  run_pid=$!
  sleep "$(((${seconds%.*} + 10) / 2))"
  ms_say "halfway: killing the app server on ${MS_APP_PORTS[-1]} and one task worker"
  kill_one_app
  kill_one_worker
  killed_at=$(date +%s)
  wait "$run_pid" || run_status=$?
  ms_say "the app servers and workers left:"
  cmd_status || true
  # The job the killed worker held stays 'running' until tick finds it older than DOCUMENT_JOB_STALE_MINUTES.
  waited=$((killed_at + DOCUMENT_JOB_STALE_MINUTES * 60 + 5 - $(date +%s)))
  if ((waited > 0)); then
    ms_say "waiting ${waited}s, then tick queues again what the killed worker held"
    sleep "$waited"
  fi
  (cd "$MS_ROOT" && "$MS_PY" manage.py tick | tail -1)
  (cd "$MS_ROOT" && "$MS_PY" bench/load.py verify --database-url "$DATABASE_URL" --seats "$MS_DIR/seats.json" \
    --ledger "$ledger") || verify_status=$?
  ms_say "run exit $run_status, verify exit $verify_status"
  cmd_stop >/dev/null
  return $((run_status || verify_status))
}

ms_main() {
  case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    kill_one_app) kill_one_app ;;
    kill_one_worker) kill_one_worker ;;
    loadtest)
      shift
      cmd_loadtest "$@"
      ;;
    manage)
      shift
      ms_env
      cd "$MS_ROOT"
      exec "$MS_PY" manage.py "$@"
      ;;
    env)
      ms_env
      for name in $MS_ENV_NAMES; do printf '%s=%q\n' "$name" "${!name}"; done
      ;;
    *)
      echo "usage: $0 start|stop|status|kill_one_app|kill_one_worker|loadtest [USERS] [SECONDS]|manage ARGS...|env" >&2
      exit 2
      ;;
  esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  ms_main "$@"
fi
