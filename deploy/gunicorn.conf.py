"""gunicorn settings for one Kinerja app server: `.venv/bin/gunicorn -c deploy/gunicorn.conf.py kinerja.wsgi`.

Everything comes from the environment, so one file serves every machine and every systemd instance:

- GUNICORN_BIND: the address to listen on, e.g. 10.0.0.11:8101; without it GUNICORN_HOST (default 127.0.0.1)
  and PORT (default 8000).
- WEB_WORKERS: worker processes (default 2 × cores + 1). Each is a plain synchronous worker: a request that
  renders a PDF holds its worker for a second or two, so count on that when sizing.
- GUNICORN_TIMEOUT: seconds a request may take before its worker is killed and restarted (default 60).
- GUNICORN_GRACEFUL_TIMEOUT: seconds the workers get to finish the requests under way on a stop or reload
  (SIGTERM, SIGHUP) before they are killed (default 30).
- GUNICORN_ACCESS_LOG, GUNICORN_ERROR_LOG: files, or "-" (the default) for standard output and error.
- GUNICORN_CONTROL_SOCKET: a path for gunicorn's control socket (gunicornc); without it there is none, since
  every instance on a machine would otherwise claim the same default path in the user's home.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


bind = [os.environ.get("GUNICORN_BIND") or f"{os.environ.get('GUNICORN_HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]
workers = _int("WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the app servers open (keepalive in the upstream): hold them a little longer than it
# does, so that nginx never sends on a connection gunicorn has just closed.
keepalive = 75
# A worker is replaced after this many requests (spread out so that they are not all replaced at once), which
# returns to the system the memory PDF rendering leaves behind.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max(1, max_requests // 10)
# The worker heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# Client address as nginx saw it, the request, status, size, time taken in milliseconds, and the browser.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
# The process name shows which instance this is in ps and top.
proc_name = f"kinerja-web-{bind[0]}"
