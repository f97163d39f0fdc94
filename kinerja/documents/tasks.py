"""Background work of the documents app, through the Django tasks API (database backend by default)."""

from __future__ import annotations

from django_tasks import task

from kinerja.documents import services


@task()
def generate_document(job_id: int) -> int:
    """Generates the document of a GenerationJob; returns the job's id. Safe to receive twice."""
    return services.run_generation(job_id).pk
