"""The Redis backend of the tasks API (django_tasks_rq.RQBackend) against the real Redis on 127.0.0.1:6379.

The tests use Redis database 15 only, emptied before and after each test. The document generation runs in an RQ
worker inside the test process (SimpleWorker: no fork, so it sees the test's database transaction); the worker
command itself runs in a subprocess with a task that needs no database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import django_rq
import pytest
import redis
from django_tasks import default_task_backend
from django_tasks.base import TaskResultStatus
from django_tasks_rq import Job
from rq.worker import SimpleWorker

from kinerja.accounts.models import User
from kinerja.documents import services
from kinerja.documents.models import DocumentVersion, GenerationJob, Kind
from kinerja.documents.tasks import generate_document
from kinerja.lib.tests.rq_probe import count_run
from kinerja.org.models import Agency

ROOT = Path(__file__).resolve().parents[3]
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
RQ_BACKEND = "django_tasks_rq.RQBackend"


@pytest.fixture
def rq_redis(settings, tmp_path: Path) -> Iterator[redis.Redis]:
    """The tasks API on the RQ backend, its queue in Redis database 15 (emptied), documents in tmp_path."""
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL, "DEFAULT_TIMEOUT": 300}}
    settings.TASKS = {"default": {"BACKEND": RQ_BACKEND, "QUEUES": ["default"]}}
    settings.DOCUMENT_ROOT = tmp_path / "documents"
    yield connection
    connection.flushdb()
    connection.close()


def _work_burst() -> None:
    """One burst of an RQ worker in this process: every queued job, then it stops. RQ installs its own SIGINT and
    SIGTERM handlers; pytest's are put back afterwards."""
    queue = django_rq.get_queue("default", job_class=Job)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.django_db
def test_a_generation_delivered_twice_through_redis_runs_once(rq_redis, django_capture_on_commit_callbacks) -> None:
    agency = Agency.objects.get(short_name="Dishub")
    planner = User.objects.get(username="perencanaan")
    document = services.create_document(agency=agency, kind=Kind.MEASUREMENT, year=2026, quarter=2, by=planner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.request_generation(document=document, by=planner)
    assert len(callbacks) == 1
    assert rq_redis.llen("rq:queue:default") == 1  # queued in Redis, and nothing ran yet
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED

    # The same job delivered a second time (a retried enqueue, a second worker): one of the two does the work.
    again = generate_document.enqueue(job.pk)
    assert rq_redis.llen("rq:queue:default") == 2
    _work_burst()

    assert rq_redis.llen("rq:queue:default") == 0
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert DocumentVersion.objects.filter(document=document).count() == 1
    version = DocumentVersion.objects.get(document=document)
    assert job.result_id == version.pk and not job.reused
    with version.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # Both deliveries finished without error and answered with the same job.
    result = default_task_backend.get_result(again.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == job.pk


def test_the_rqworker_command_runs_a_queued_task_once(rq_redis, tmp_path: Path) -> None:
    key = f"kinerja-test:{uuid.uuid4().hex}"
    result = count_run.enqueue(key)
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.READY

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASKS_BACKEND", "REDIS_URL"}}
    env.update(TASKS_BACKEND=RQ_BACKEND, TASKS_REDIS_URL=REDIS_TEST_URL, KINERJA_VAR_DIR=str(tmp_path))
    worker = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr + worker.stdout

    assert rq_redis.get(key) == b"1"
    finished = default_task_backend.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == 1
