"""Generation jobs that a stopped worker or a lost queue left behind go back to the queue, and still run once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.documents import services
from kinerja.documents.models import Document, DocumentVersion, GenerationJob, Kind
from kinerja.org.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(dishub: Agency, perencanaan: User) -> Document:
    return services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=2, by=perencanaan)


def _job(document: Document, by: User, **fields) -> GenerationJob:  # type: ignore[no-untyped-def]
    return GenerationJob.objects.create(document=document, requested_by=by, **fields)


def test_a_job_whose_worker_stopped_is_queued_again_and_finishes_once(
    draft: Document, perencanaan: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    long_ago = timezone.now() - timedelta(minutes=30)
    job = _job(draft, perencanaan, status=GenerationJob.Status.RUNNING, started_at=long_ago, attempts=1,
               progress=35, step="Writing the PDF", enqueued_at=long_ago)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_stalled_jobs() == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE and job.attempts == 2
    assert DocumentVersion.objects.filter(document=draft).count() == 1
    assert AuditEvent.objects.filter(action="documents.generation.requeued").count() == 1
    # Nothing left to recover: a second round changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_stalled_jobs() == 0
    assert DocumentVersion.objects.filter(document=draft).count() == 1


def test_a_job_lost_by_the_queue_is_handed_again(
    draft: Document, perencanaan: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    job = _job(draft, perencanaan, enqueued_at=timezone.now() - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_stalled_jobs() == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE and job.attempts == 1


def test_a_job_running_or_queued_recently_is_left_alone(draft: Document, perencanaan: User, kominfo: Agency) -> None:
    recent = timezone.now() - timedelta(minutes=5)
    _job(draft, perencanaan, status=GenerationJob.Status.RUNNING, started_at=recent, attempts=1, enqueued_at=recent)
    assert services.recover_stalled_jobs() == 0
    assert GenerationJob.objects.get(document=draft).status == GenerationJob.Status.RUNNING


def test_a_job_whose_workers_kept_stopping_fails_with_its_reason(draft: Document, perencanaan: User) -> None:
    long_ago = timezone.now() - timedelta(hours=1)
    job = _job(draft, perencanaan, status=GenerationJob.Status.RUNNING, started_at=long_ago,
               attempts=services.MAX_ATTEMPTS, enqueued_at=long_ago)  # fmt: skip
    assert services.recover_stalled_jobs() == 0
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert "stopped 3 times" in job.error
    # A failed job no longer blocks the document: the next request is a new job.
    assert services.request_generation(document=draft, by=perencanaan).pk != job.pk


def test_tick_recovers_lost_jobs(draft: Document, perencanaan: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOCUMENT_JOB_STALE_MINUTES = 1
    _job(draft, perencanaan, enqueued_at=timezone.now() - timedelta(minutes=2))
    out = StringIO()
    call_command("tick", stdout=out)
    assert "documents: 1 lost generation job(s) queued again" in out.getvalue()
