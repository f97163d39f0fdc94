from __future__ import annotations

import pytest

from kinerja.collection.demo import load_collection_demo
from kinerja.collection.models import DataRequest, Evidence, Submission
from kinerja.measurement.models import Realization

pytestmark = pytest.mark.django_db


def test_the_demo_period_has_each_division_at_a_different_step(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path
    assert load_collection_demo() is True
    divisions = {
        s.request.unit.name: s
        for s in Submission.objects.filter(request__kind=DataRequest.Kind.DIVISION).select_related(
            "request__unit", "awaiting"
        )  # noqa: E501
    }
    assert divisions["Bidang Lalu Lintas"].status == Submission.Status.DRAFT
    assert divisions["Bidang Sarana dan Prasarana"].status == Submission.Status.SUBMITTED
    assert divisions["Bidang Sarana dan Prasarana"].awaiting.title == "Kepala Bidang Sarana dan Prasarana"
    assert divisions["Bidang Angkutan"].status == Submission.Status.APPROVED
    assert divisions["Sekretariat"].status == Submission.Status.VERIFIED
    # Evidence is real, checked files; the verified division's figures are the dashboard's.
    assert Evidence.objects.filter(line__submission=divisions["Sekretariat"]).count() > 0
    assert all((tmp_path / e.file.name).exists() for e in Evidence.objects.all())
    line = divisions["Sekretariat"].lines.exclude(value=None).first()
    assert Realization.objects.get(indicator=line.indicator, year=2026, quarter=3).value == line.value
    assert load_collection_demo() is False
