"""The generation through the real database backend of the tasks API and its worker command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kinerja.accounts.models import User
from kinerja.documents import services
from kinerja.documents.models import GenerationJob, Kind
from kinerja.org.models import Agency

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_queued_generation_is_run_once_by_the_database_worker(demo_for_browser, settings):
    settings.TASKS = DATABASE_BACKEND
    agency = Agency.objects.get(short_name="Dishub")
    planner = User.objects.get(username="perencanaan")
    document = services.create_document(agency=agency, kind=Kind.MEASUREMENT, year=2026, quarter=1, by=planner)
    job = services.request_generation(document=document, by=planner)
    again = services.request_generation(document=document, by=planner)  # a double click
    assert again.pk == job.pk
    assert DBTaskResult.objects.count() == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED  # nothing runs before a worker takes it
    # the same job delivered twice to the worker still makes one version
    DBTaskResult.objects.create(
        task_path=DBTaskResult.objects.get().task_path, args_kwargs=DBTaskResult.objects.get().args_kwargs,
        queue_name="default", backend_name="default", priority=0,
    )  # fmt: skip
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert document.versions.count() == 1
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
