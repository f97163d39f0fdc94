from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.accounts.models import User
from kinerja.collection import selectors as collection
from kinerja.collection.demo import load_collection_demo
from kinerja.collection.models import ReportingPeriod
from kinerja.collection.services import holidays_of
from kinerja.measurement.models import Realization
from kinerja.org.models import Agency, LocalGovernment, Position, Role, Unit
from kinerja.org.permissions import readable_agency_ids, unit_scope
from kinerja.org.selectors import today
from kinerja.planning.models import AgreementTarget, Goal, Indicator, Objective, PerformanceAgreement, StrategicPlan
from kinerja.regional import selectors
from kinerja.sop import sla
from kinerja.sop.demo import load_sop_demo

pytestmark = pytest.mark.django_db


def _bappeda() -> User:
    return User.objects.get(username="bappeda")


def _government() -> LocalGovernment:
    return Agency.objects.get(short_name="Dishub").local_government


@pytest.fixture
def quarter_data(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path
    load_sop_demo()
    load_collection_demo()


def test_the_regional_reader_reads_every_agency_of_its_government_and_only_those(dishub: Agency) -> None:
    user = _bappeda()
    government = _government()
    assert readable_agency_ids(user) == set(government.agencies.values_list("pk", flat=True))
    assert unit_scope(user, dishub) is None
    elsewhere = LocalGovernment.objects.create(name="Kota Lain", kind=LocalGovernment.Kind.CITY)
    other = Agency.objects.create(local_government=elsewhere, name="Dinas Perhubungan Kota Lain")
    assert other.pk not in readable_agency_ids(_bappeda())


def test_the_regional_reader_drills_down_but_changes_nothing(login, dishub: Agency) -> None:  # type: ignore[no-untyped-def]
    client = login("bappeda")
    assert client.get(reverse("measurement-dashboard", args=[dishub.pk])).status_code == 200
    assert client.get(reverse("org-unit-create", args=[dishub.pk])).status_code == 403
    assert client.post(reverse("measurement-predicates", args=[dishub.pk]), {}).status_code in (403, 404)


def test_the_regional_figures_equal_the_agencies_own(login, quarter_data, dishub: Agency) -> None:  # type: ignore[no-untyped-def]
    overview = selectors.overview(_government(), year=2026, quarter=3)
    row = next(r for r in overview.agencies if r.agency == dishub)

    page = login("perencanaan").get(reverse("measurement-dashboard", args=[dishub.pk]), {"year": 2026, "quarter": 3})
    assert row.indicators == page.context["total"] > 0
    assert row.filled == page.context["filled"]
    assert row.average == page.context["average"] is not None
    for objective in row.objectives:
        own = [r.percent for r in page.context["rows"] if r.indicator.objective_id == objective.objective.pk]
        computed = [p for p in own if p is not None]
        assert objective.indicators == len(own)
        assert objective.average == sum(computed, Decimal(0)) / len(computed)

    period = ReportingPeriod.objects.get(agency=dishub, year=2026, quarter=3)
    board = collection.board(period, holidays_of(dishub, period.due_on, today()))
    assert row.submissions == len(board) > 0
    assert row.days_late == sum(b.days_late for b in board)
    assert row.late == sum(1 for b in board if b.days_late > 0)

    stats = sla.stats_of(sla.records_for(dishub, year=2026, quarter=3))
    assert row.tasks_measured == stats.measured
    assert row.compliance == stats.compliance

    # The regional totals are the sums of the agencies' own.
    assert overview.filled == sum(r.filled for r in overview.agencies)
    assert overview.average == row.average  # the only agency with a plan covering 2026
    assert row.rank == 1
    assert [r.rank for r in overview.agencies if r.agency != dishub] == [None, None, None]


def test_an_agency_uses_its_own_predicate_scale(dishub: Agency, perencanaan: User) -> None:
    from kinerja.measurement.models import PredicateBand

    PredicateBand.objects.create(agency=dishub, minimum=None, label="Kurang", colour="red")
    PredicateBand.objects.create(agency=dishub, minimum=Decimal(50), label="Baik", colour="green")
    row = next(r for r in selectors.overview(_government(), year=2026, quarter=3).agencies if r.agency == dishub)
    assert row.band is not None and row.band.label == "Baik"


def _agency_with_plan(government: LocalGovernment, n: int, indicators: int, user: User) -> Agency:
    agency = Agency.objects.create(local_government=government, name=f"Dinas Contoh {n}", short_name=f"D{n}")
    unit = Unit.objects.create(agency=agency, name="Bidang Satu", kind=Unit.Kind.DIVISION)
    head = Position.objects.create(agency=agency, title=f"Kepala Dinas Contoh {n}", role=Role.HEAD)
    plan = StrategicPlan.objects.create(agency=agency, name="Renstra 2025–2029", start_year=2025, end_year=2029)
    goal = Goal.objects.create(plan=plan, code="T.1", statement="Tujuan")
    objective = Objective.objects.create(goal=goal, code="S.1", statement="Sasaran")
    agreement = PerformanceAgreement.objects.create(
        agency=agency, plan=plan, year=2026, level=PerformanceAgreement.Level.AGENCY, party_one=head,
        party_two_title="Bupati", status=PerformanceAgreement.Status.SIGNED, signed_on=date(2026, 1, 5),
    )  # fmt: skip
    for i in range(indicators):
        indicator = Indicator.objects.create(
            agency=agency, plan=plan, objective=objective, code=f"IKU.{i + 1}", name=f"Indikator {i + 1}",
            unit_of_measure="dokumen", responsible_unit=unit,
        )  # fmt: skip
        AgreementTarget.objects.create(agreement=agreement, indicator=indicator, year=2026, quarter=0, value=100)
        for quarter in (1, 2, 3, 4):
            AgreementTarget.objects.create(
                agreement=agreement, indicator=indicator, year=2026, quarter=quarter, value=25
            )
        for quarter in (1, 2):
            Realization.objects.create(indicator=indicator, year=2026, quarter=quarter, value=20 + i, updated_by=user)
    return agency


def _queries(client, government: LocalGovernment) -> int:  # type: ignore[no-untyped-def]
    url = reverse("regional-dashboard", args=[government.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"year": 2026, "quarter": 2}).status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_for_more_agencies_and_indicators(login, perencanaan: User) -> None:  # type: ignore[no-untyped-def]
    government = _government()
    client = login("bappeda")
    _agency_with_plan(government, 1, 2, perencanaan)
    _queries(client, government)  # the first request also stamps the session
    before = _queries(client, government)
    for n in range(2, 6):
        _agency_with_plan(government, n, 6, perencanaan)
    assert _queries(client, government) == before
    # The extra agencies are ranked by their own average: 20+i over 50 to date.
    overview = selectors.overview(government, year=2026, quarter=2)
    d2 = next(r for r in overview.agencies if r.agency.short_name == "D2")
    assert d2.average == sum((Decimal(2 * (20 + i)) * 100 / 50 for i in range(6)), Decimal(0)) / 6
    assert d2.filled == 6 and d2.indicators == 6


def test_the_dashboard_is_only_for_regional_readers(login, role_client) -> None:  # type: ignore[no-untyped-def]
    government = _government()
    url = reverse("regional-dashboard", args=[government.pk])
    assert login("bappeda").get(reverse("regional-index")).url == url
    assert login("bappeda").get(url).status_code == 200
    for role in ("head", "secretary", "planning_head", "division_head", "staff", "evaluator", "admin"):
        client = role_client(role)
        assert client.get(reverse("regional-index")).status_code == 404, role
        assert client.get(url).status_code == 404, role
    elsewhere = LocalGovernment.objects.create(name="Kota Lain", kind=LocalGovernment.Kind.CITY)
    assert login("bappeda").get(reverse("regional-dashboard", args=[elsewhere.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("regional-dashboard", args=[_government().pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_the_nav_offers_the_regional_dashboard_to_regional_readers_only(login) -> None:  # type: ignore[no-untyped-def]
    url = reverse("regional-index")
    assert url in login("bappeda").get(reverse("web-home")).content.decode()
    assert url not in login("kadis").get(reverse("web-home")).content.decode()


def test_the_page_shows_the_ranking_and_drills_down(login, quarter_data, dishub: Agency) -> None:  # type: ignore[no-untyped-def]
    government = _government()
    response = login("bappeda").get(reverse("regional-dashboard", args=[government.pk]), {"year": 2026, "quarter": 3})
    body = response.content.decode()
    assert reverse("measurement-dashboard", args=[dishub.pk]) + "?year=2026&amp;quarter=3" in body
    assert "Dinas Komunikasi dan Informatika Kabupaten Sukamaju" in body
    names = [r.agency.name for r in response.context["rows"]]
    assert names[0] == dishub.name  # ranked first: the only one with an achievement


def test_a_bad_period_or_order_is_refused_with_a_message_not_an_error(login) -> None:  # type: ignore[no-untyped-def]
    url = reverse("regional-dashboard", args=[_government().pk])
    response = login("bappeda").get(url, {"year": "1999", "quarter": "9", "sort": "bogus"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"year", "quarter", "sort"}
    assert "bukan salah satu dari pilihan yang tersedia" in response.content.decode()


@pytest.mark.parametrize("sort", ["rank", "name", "filled", "late", "compliance"])
def test_every_order_is_offered(login, quarter_data, sort: str) -> None:  # type: ignore[no-untyped-def]
    url = reverse("regional-dashboard", args=[_government().pk])
    response = login("bappeda").get(url, {"year": 2026, "quarter": 3, "sort": sort})
    assert response.status_code == 200
    assert len(response.context["rows"]) == Agency.objects.filter(local_government=_government()).count()


def test_the_export_holds_every_agency_and_objective(login, quarter_data, dishub: Agency) -> None:  # type: ignore[no-untyped-def]
    government = _government()
    url = reverse("regional-dashboard", args=[government.pk])
    response = login("bappeda").get(url, {"year": 2026, "quarter": 3, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    agencies, objectives = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert len(agencies) - 1 == Agency.objects.filter(local_government=government).count()
    overview = selectors.overview(government, year=2026, quarter=3)
    row = next(r for r in overview.agencies if r.agency == dishub)
    first = agencies[1]
    assert first[0] == 1 and first[1] == dishub.name
    assert Decimal(str(first[4])) == round(row.average, 2)
    assert first[6] == row.filled and first[12] == row.days_late
    assert len(objectives) - 1 == len(row.objectives)
    assert {o[1] for o in objectives[1:]} == {o.objective.code for o in row.objectives}
