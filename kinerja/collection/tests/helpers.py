"""Small helpers for the collection tests: opening a period, filling and completing a submission."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.storage import FileSystemStorage
from django.urls import NoReverseMatch, reverse

from kinerja.accounts.models import User
from kinerja.collection import services
from kinerja.collection.models import DataRequest, Evidence, Submission
from kinerja.measurement.models import Realization
from kinerja.org.models import Agency
from kinerja.planning.models import Scale

D = Decimal
LL = "Bidang Lalu Lintas"


def pdf(marker: str) -> bytes:
    """A small, real PDF whose content (and so its hash) depends on `marker`."""
    return b"%PDF-1.4\n1 0 obj\n<< /Title (" + marker.encode() + b") >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def use_tmp_evidence_storage(settings, monkeypatch, tmp_path) -> FileSystemStorage:  # type: ignore[no-untyped-def]
    """Evidence files in tmp_path: the evidence storage reads settings.EVIDENCE_ROOT at each use."""
    location = tmp_path / "evidence"
    settings.EVIDENCE_ROOT = location
    return FileSystemStorage(location=location)


def patch_submission_url(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """notify reverses the submission page; until the views exist, a plain path stands in for it."""
    try:
        reverse("collection-submission", args=[1])
    except (NoReverseMatch, ImportError, AttributeError):
        monkeypatch.setattr(
            "kinerja.collection.notify._submission_url", lambda submission: f"/collection/submission/{submission.pk}/"
        )


def open_period(agency: Agency, by: User, year: int = 2026, quarter: int = 4, **extra: object) -> services.OpenedPeriod:
    return services.open_period(agency=agency, year=year, quarter=quarter, by=by, **extra)  # type: ignore[arg-type]


def division_submission(opened: services.OpenedPeriod, unit_name: str = LL) -> Submission:
    request = next(r for r in opened.requests if r.kind == DataRequest.Kind.DIVISION and r.unit.name == unit_name)
    return Submission.objects.get(request=request)


def individual_submission(opened: services.OpenedPeriod, position_title: str) -> Submission:
    request = next(
        r for r in opened.requests if r.kind == DataRequest.Kind.INDIVIDUAL and r.position.title == position_title
    )
    return Submission.objects.get(request=request)


def fresh(submission: Submission) -> Submission:
    return Submission.objects.select_related("request__period__agency", "awaiting").get(pk=submission.pk)


def usual_inputs(submission: Submission) -> list[services.LineInput]:
    """Figures for every line that look like what the indicator reported before: last year's same quarter."""
    period = submission.request.period
    inputs = []
    for line in submission.lines.select_related("indicator"):
        before = (
            Realization.objects.filter(indicator=line.indicator, quarter=period.quarter, year__lt=period.year)
            .exclude(value__isnull=True, text="")
            .order_by("-year")
            .first()
        )
        if line.indicator.scale == Scale.QUALITATIVE:
            item = services.LineInput(line.indicator_id, line.version, text=before.text if before else "B")
        elif before is not None:
            item = services.LineInput(line.indicator_id, line.version, value=before.value)
        else:
            item = services.LineInput(line.indicator_id, line.version, no_data=True, no_data_reason="Belum ada data")
        inputs.append(item)
    return inputs


def fill(submission: Submission, by: User) -> None:
    services.save_lines(submission=submission, lines=usual_inputs(submission), by=by, confirmed_warnings=True)


def attach_evidence(submission: Submission, by: User) -> list[Evidence]:
    added = []
    for line in submission.lines.select_related("indicator", "submission__request__period__agency"):
        if not line.no_data and not line.evidence.filter(removed_at__isnull=True).exists():
            added.append(services.add_evidence(line=line, data=pdf(f"{line.pk}"), name="bukti.pdf", by=by))
    return added


def complete(submission: Submission, by: User) -> Submission:
    """Fills every line and attaches the evidence, so the submission can be submitted."""
    fill(submission, by)
    attach_evidence(submission, by)
    return fresh(submission)


def submitted(submission: Submission, by: User) -> Submission:
    submission = complete(submission, by)
    return services.submit(submission=submission, version=submission.version, by=by)
