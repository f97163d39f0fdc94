from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.accounts.models import User
from kinerja.documents import services
from kinerja.documents.models import Document, GenerationJob, Kind
from kinerja.org.models import Agency


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOCUMENT_ROOT = tmp_path / "documents"
    return settings.DOCUMENT_ROOT


def generated(document: Document, by: User) -> Document:
    """Runs the generation the way a task worker does, and returns the document fresh."""
    job = services.request_generation(document=document, by=by)
    services.run_generation(job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    document.refresh_from_db()
    return document


@pytest.fixture
def measurement_doc(dishub: Agency, perencanaan: User) -> Document:
    """The Dokumen Pengukuran Kinerja of Q2 2026, whose data is final in the demo, generated once."""
    document = services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=2, by=perencanaan)
    return generated(document, perencanaan)


@pytest.fixture
def ready_doc(measurement_doc: Document, perencanaan: User, sekretaris: User) -> Document:
    """The same document reviewed by the secretary: it waits for the head's signature."""
    services.submit_for_approval(document=measurement_doc, version=measurement_doc.version, by=perencanaan)
    measurement_doc.refresh_from_db()
    services.decide(document=measurement_doc, version=measurement_doc.version, approve=True, note="", by=sekretaris)
    measurement_doc.refresh_from_db()
    return measurement_doc


def signed(document: Document, by: User) -> Document:
    services.sign(document=document, version=document.version, given=services.SignInput(password="kinerja-demo"),
                  by=by, base_url="http://testserver")  # fmt: skip
    document.refresh_from_db()
    return document
