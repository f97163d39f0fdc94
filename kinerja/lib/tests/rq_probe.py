"""A task that only counts its runs in Redis, for the test that runs the real `rqworker` command in a subprocess
(which cannot see the test database). Not a test module: pytest does not collect it."""

from __future__ import annotations

import redis
from django.conf import settings
from django_tasks import task


@task()
def count_run(key: str) -> int:
    """Adds one to `key` in the tasks' Redis database and returns the new count."""
    connection = redis.Redis.from_url(settings.RQ_QUEUES["default"]["URL"])
    try:
        return int(connection.incr(key))
    finally:
        connection.close()
