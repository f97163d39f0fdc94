"""bench/generate.py: the `agency` size written into the test database, read back through the application."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kinerja.accounts.models import User
from kinerja.collection.models import ReportingPeriod, Submission
from kinerja.measurement.models import Realization
from kinerja.org.models import Agency, LocalGovernment
from kinerja.org.permissions import readable_agency_ids
from kinerja.planning.models import Indicator
from kinerja.sop.sla import records_for, stats_of

pytestmark = pytest.mark.django_db

GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "generate.py"
# 15 indicators × 19 quarters (2022 Q1 – 2026 Q3), less the one line agency 1 has left blank: its Sekretariat's
# 2026 Q3 submission is the draft (the states rotate from unit 0 for agency 1), the Sekretariat answers for
# indicators 0, 5 and 10 (IKU.1, IKK.01, IKK.06), and a draft leaves every other line blank: IKK.01.
REALISATIONS = 15 * 19 - 1


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _bench_agencies() -> list[Agency]:
    return list(Agency.objects.filter(local_government__name="Kabupaten Bench 01"))


def _checksum() -> str:
    rows = (
        Realization.objects.filter(indicator__agency__local_government__name__startswith="Kabupaten Bench ")
        .order_by("indicator__agency__short_name", "indicator__code", "year", "quarter")
        .values_list("indicator__agency__short_name", "indicator__code", "year", "quarter", "value", "text", "no_data")
    )
    return hashlib.sha256(repr([(*row[:4], str(row[4]), *row[5:]) for row in rows]).encode()).hexdigest()


def test_agency_size_writes_the_expected_rows_and_refuses_a_second_run(bench: ModuleType) -> None:
    written = bench.generate("agency")

    [agency] = _bench_agencies()
    assert Indicator.objects.filter(agency=agency).count() == 15
    assert Realization.objects.filter(indicator__agency=agency).count() == REALISATIONS
    assert written["measurement_realization"] == REALISATIONS
    assert not Realization.objects.filter(indicator__agency=agency, indicator__code="IKK.01", year=2026, quarter=3)
    assert ReportingPeriod.objects.filter(agency=agency).count() == 19
    open_period = ReportingPeriod.objects.get(agency=agency, status=ReportingPeriod.Status.OPEN)
    assert (open_period.year, open_period.quarter) == (2026, 3)
    states = set(Submission.objects.filter(request__period=open_period).values_list("status", flat=True))
    assert states == set(Submission.Status.values)
    assert not Submission.objects.filter(
        request__period__agency=agency, request__period__status=ReportingPeriod.Status.CLOSED
    ).exclude(status=Submission.Status.VERIFIED)
    with pytest.raises(bench.BenchDataExists):
        bench.generate("agency")


def test_regional_login_reads_every_agency_of_its_local_government(bench: ModuleType) -> None:
    bench.generate("agency")

    regional = User.objects.get(username="lg1.regional")
    government = LocalGovernment.objects.get(name="Kabupaten Bench 01")
    assert readable_agency_ids(regional) == set(government.agencies.values_list("pk", flat=True))


def test_head_login_opens_the_agency_dashboard_and_the_sla_computes(bench: ModuleType) -> None:
    bench.generate("agency")
    [agency] = _bench_agencies()

    client = Client()
    client.force_login(User.objects.get(username="a1.kadis"))
    response = client.get(reverse("measurement-dashboard", args=[agency.pk]))
    assert response.status_code == 200

    records = records_for(agency, year=2026)
    assert len(records) == 2 * 5 * 3  # quarters 1 and 2, five data requests, three steps
    assert stats_of(records).compliance is not None


def test_same_seed_gives_the_same_realisations(bench: ModuleType) -> None:
    checksums = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            bench.generate("agency", seed=seed)
            checksums.append(_checksum())
            transaction.set_rollback(True)
    assert checksums[0] == checksums[1]
    assert checksums[0] != checksums[2]
