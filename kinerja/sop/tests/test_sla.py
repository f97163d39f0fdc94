"""The SLA report: the statistics on hand-made lists, then the pages with cases written straight into the
database (no engine), read by the planning head, refused to staff and to another agency."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.lib.numbers import round_half_up
from kinerja.org.models import Employee, Position
from kinerja.sop import sla
from kinerja.sop.models import Case, Lane, Procedure, ProcedureVersion, Step, Task
from kinerja.sop.sla import CaseRecord, Grouping, Judgement, Punctuality, SopRef, StandardFlag, TaskRecord

D = Decimal
WITA = ZoneInfo("Asia/Makassar")


def rec(standard: int | None, actual: int, **extra) -> TaskRecord:
    values = {"sop_title": "SOP A", "procedure_id": 1, "step_number": 1, "step_text": "Langkah"}
    values.update(extra)
    return TaskRecord(standard_minutes=standard, actual_minutes=actual, **values)


# Per task


@pytest.mark.parametrize(
    ("standard", "actual", "expected"),
    [
        (60, 0, Punctuality.ON_TIME),
        (60, 59, Punctuality.ON_TIME),
        (60, 60, Punctuality.ON_TIME),  # exactly 100 %
        (60, 61, Punctuality.LATE),
        (60, 120, Punctuality.LATE),  # exactly 200 %
        (60, 121, Punctuality.VERY_LATE),
        (450, 451, Punctuality.LATE),
        (450, 900, Punctuality.LATE),
        (450, 901, Punctuality.VERY_LATE),
        (None, 500, Punctuality.NO_STANDARD),
        (0, 0, Punctuality.ON_TIME),  # a zero-minute hand-over done at once
        (0, 1, Punctuality.VERY_LATE),
    ],
)
def test_punctuality_boundaries(standard, actual, expected):
    assert rec(standard, actual).punctuality == expected


def test_ratio_and_deviation_are_exact():
    task = rec(60, 45)
    assert task.ratio == D("0.75") and task.ratio_percent == D(75)
    assert task.deviation == -15 and task.minutes_over == 0
    assert rec(60, 90).minutes_over == 30
    assert rec(None, 90).ratio is None and rec(None, 90).deviation is None
    assert rec(0, 5).ratio is None
    assert round_half_up(rec(3, 2).ratio_percent) == D("66.67")


# Median and p90


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([5], D(5)), ([3, 1, 2], D(2)), ([4, 1, 3, 2], D("2.5")), ([10, 10, 30, 50], D(20))],
)
def test_median(values, expected):
    assert sla.median(values) == expected


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 90, None),
        ([7], 90, D(7)),
        (list(range(1, 11)), 90, D(9)),  # rank ⌈0.9 × 10⌉ = 9
        (list(range(1, 12)), 90, D(10)),  # rank ⌈9.9⌉ = 10
        (list(range(1, 21)), 90, D(18)),
        ([15, 20, 35, 40, 50], 90, D(50)),  # rank ⌈4.5⌉ = 5
        ([15, 20, 35, 40, 50], 50, D(35)),  # rank ⌈2.5⌉ = 3
        ([50, 15, 40, 20, 35], 30, D(20)),  # unsorted input; rank ⌈1.5⌉ = 2
        ([1, 2], 100, D(2)),
        ([D("0.5"), D("2.5"), D("1.25")], 90, D("2.5")),
    ],
)
def test_nearest_rank_percentile(values, p, expected):
    assert sla.percentile(values, p) == expected


def test_percentile_refuses_p_out_of_range():
    with pytest.raises(ValueError):
        sla.percentile([1], 0)
    with pytest.raises(ValueError):
        sla.percentile([1], 101)


# Groups


def test_group_figures():
    records = [
        rec(60, 30, waiting_minutes=10),  # on time
        rec(60, 60, waiting_minutes=20, iteration=2),  # on time, rework
        rec(60, 90, iteration=3),  # late, rework
        rec(60, 200),  # very late (333 %)
        rec(None, 40, waiting_minutes=0),  # no standard
    ]
    g = sla.stats_of(records)
    assert (g.count, g.measured, g.on_time, g.late, g.very_late, g.no_standard) == (5, 4, 2, 1, 1, 1)
    assert g.compliance == D(50)
    assert g.rework == 2
    assert g.median_actual == D(60) and g.p90_actual == D(200)  # actuals 30 40 60 90 200
    assert g.median_ratio == D("1.25")  # ratios 0.5 1 1.5 3.333…: (1 + 1.5) / 2
    assert g.p90_ratio == D(200) / D(60)
    assert g.median_standard == D(60)
    assert g.mean_waiting == D(10)  # (10 + 20 + 0) / 3: the tasks never opened are left out
    assert g.minutes_over == 30 + 140
    assert g.total_actual == 420 and g.total_standard == 240
    assert g.late_total == 2


def test_compliance_index_counts_only_tasks_with_a_standard():
    records = [rec(60, 10), rec(60, 70), rec(60, 50), rec(None, 1000), rec(None, 5)]
    g = sla.stats_of(records)
    assert g.compliance == D(200) / D(3)
    assert round_half_up(g.compliance) == D("66.67")
    assert sla.stats_of([rec(None, 5)]).compliance is None
    assert sla.stats_of([]).compliance is None and sla.stats_of([]).median_actual is None


@pytest.mark.parametrize(
    ("ratios_of", "expected"),
    [
        ([100, 100, 100], StandardFlag.TOO_TIGHT),  # actual 100 against 60: 167 %
        ([90, 90, 90], StandardFlag.NONE),  # exactly 150 %: not above
        ([100, 100], StandardFlag.NONE),  # too few tasks to judge
        ([14, 14, 14], StandardFlag.TOO_LOOSE),  # 23 %
        ([15, 15, 15], StandardFlag.NONE),  # exactly 25 %: not below
        ([10, 10, 100, 100, 100], StandardFlag.TOO_TIGHT),  # the median decides
    ],
)
def test_unrealistic_standard_flag(ratios_of, expected):
    records = [rec(60, actual) for actual in ratios_of]
    assert sla.aggregate(records, Grouping.STEP)[0].standard_flag == expected


def test_tasks_without_a_standard_do_not_count_towards_the_flag():
    records = [rec(60, 100), rec(60, 100), rec(None, 100), rec(None, 100)]
    assert sla.aggregate(records, Grouping.STEP)[0].standard_flag == StandardFlag.NONE


def test_aggregate_by_every_grouping():
    done = datetime(2026, 7, 6, 9, 0, tzinfo=WITA)
    records = [
        rec(60, 30, procedure_id=2, sop_title="B", step_number=2, step_text="Old", done_at=done, person_name="Rudi",
            position_title="Analis", unit_name="Seksi", period_label="2026 TW III", year=2026, quarter=3),
        rec(60, 90, procedure_id=2, sop_title="B", step_number=2, step_text="New", done_at=done + timedelta(days=1),
            person_name="Ani", position_title="Analis", unit_name="Seksi", period_label="2026 TW I", year=2026,
            quarter=1),
        rec(60, 60, procedure_id=1, sop_title="a", step_number=5, person_name="", period_label="2025", year=2025),
        rec(60, 20, procedure_id=2, sop_title="B", step_number=1, person_name="Rudi", period_label="2026 TW III",
            year=2026, quarter=3),
    ]  # fmt: skip
    steps = sla.aggregate(records, Grouping.STEP)
    assert [g.key for g in steps] == [(1, 5), (2, 1), (2, 2)]
    assert steps[2].label == "2. New" and steps[2].detail == "B" and steps[2].count == 2  # the latest text
    assert [g.label for g in sla.aggregate(records, Grouping.PERSON)] == ["Ani", "Rudi", "—"]
    assert [(g.label, g.count) for g in sla.aggregate(records, Grouping.PERIOD)] == [
        ("2025", 1), ("2026 TW I", 1), ("2026 TW III", 2)]  # fmt: skip
    assert [(g.label, g.count) for g in sla.aggregate(records, Grouping.SOP)] == [("a", 1), ("B", 3)]
    assert [(g.label, g.count) for g in sla.aggregate(records, Grouping.POSITION)] == [("Analis", 2), ("—", 2)]
    assert [(g.label, g.count) for g in sla.aggregate(records, Grouping.UNIT)] == [("Seksi", 2), ("—", 2)]


def test_bottlenecks_rank_by_minutes_over_then_median_ratio():
    records = [
        rec(60, 160, step_number=1),  # 100 over, ratio 2.67
        rec(600, 700, step_number=2),  # 100 over, ratio 1.17
        rec(60, 90, step_number=3), rec(60, 90, step_number=3), rec(60, 90, step_number=3),  # 90 over
        rec(60, 300, step_number=4), rec(60, 10, step_number=4), rec(60, 10, step_number=4),  # 240 over
        rec(60, 60, step_number=5),  # on time: no bottleneck
        rec(None, 900, step_number=6),  # no standard: none either
    ]  # fmt: skip
    ranked = sla.bottlenecks(sla.aggregate(records, Grouping.STEP))
    assert [g.key[1] for g in ranked] == [4, 1, 2, 3]
    assert ranked[0].minutes_over == 240


# The monitoring form


SOP = SopRef(procedure_id=1, title="SOP A", doc_number="800/1")


def test_not_running_without_cases():
    line = sla.judge(SOP, [CaseRecord(procedure_id=2, status="finished")], [rec(60, 10, procedure_id=2)])
    assert line.judgement == Judgement.NOT_RUNNING
    assert (line.cases_started, line.tasks, line.compliance) == (0, 0, None)
    assert line.reasons and line.follow_up


def test_cancelled_cases_alone_are_not_running():
    line = sla.judge(SOP, [CaseRecord(procedure_id=1, status="cancelled")], [])
    assert line.judgement == Judgement.NOT_RUNNING and line.cases_cancelled == 1 and line.cases_started == 1


def test_running_well_with_a_finished_case_and_80_percent_on_time():
    cases = [CaseRecord(procedure_id=1, status="finished"), CaseRecord(procedure_id=1, status="running")]
    records = [rec(60, 60)] * 4 + [rec(60, 61, iteration=2)]  # 4 of 5 on time: exactly 80 %
    line = sla.judge(SOP, cases, records)
    assert line.judgement == Judgement.GOOD
    assert line.compliance == D(80)
    assert (line.cases_started, line.cases_finished, line.cases_running, line.tasks) == (2, 1, 1, 5)
    assert (line.on_time, line.late_tasks, line.rework) == (4, 1, 1)


def test_running_poorly_below_80_percent():
    cases = [CaseRecord(procedure_id=1, status="finished")]
    records = [rec(60, 60)] * 3 + [rec(60, 200)]  # 75 %
    line = sla.judge(SOP, cases, records)
    assert line.judgement == Judgement.POOR and line.compliance == D(75) and line.very_late == 1


def test_running_poorly_when_a_case_runs_past_its_due_time():
    cases = [CaseRecord(procedure_id=1, status="finished"), CaseRecord(procedure_id=1, status="running", overdue=True)]
    line = sla.judge(SOP, cases, [rec(60, 10)])
    assert line.judgement == Judgement.POOR and line.cases_overdue == 1


def test_running_poorly_when_no_case_finished_yet():
    line = sla.judge(SOP, [CaseRecord(procedure_id=1, status="running")], [rec(60, 10)])
    assert line.judgement == Judgement.POOR


def test_running_well_without_any_time_standard():
    line = sla.judge(SOP, [CaseRecord(procedure_id=1, status="finished")], [rec(None, 10)])
    assert line.judgement == Judgement.GOOD and line.compliance is None


def test_unrealistic_steps_are_named_in_the_follow_up(english):
    records = [rec(60, 200, step_number=3)] * 3
    line = sla.judge(SOP, [CaseRecord(procedure_id=1, status="finished")], records)
    assert line.unrealistic_steps == [3]
    assert any("step(s) 3" in text for text in line.follow_up)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(None, "—"), (0, "0 min"), (45, "45 min"), (D("44.5"), "45 min"), (60, "1 h"), (135, "2 h 15 min"),
     (6750, "112 h 30 min")],
)  # fmt: skip
def test_duration_text(english, minutes, text):
    assert sla.duration_text(minutes) == text


def test_period_label():
    assert sla.period_label(2026, 3) == "2026 TW III"
    assert sla.period_label(2026, None) == "2026"


# The pages


YEAR = 2026


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(YEAR, 7, day, hour, minute, tzinfo=WITA)  # July 2026: 6 = Monday


@pytest.fixture
def sop_data(dishub):
    """One SOP in force with one finished case of TW III: step 1 on time, step 2 very late, step 1 redone late.
    Another SOP in force without cases."""
    employee = Employee.objects.get(user__username="staf")
    position = Position.objects.get(agency=dishub, title="Analis Lalu Lintas")
    procedure = Procedure.objects.create(agency=dishub, title="Pengumpulan Data Uji")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.PUBLISHED,
        title="Pengumpulan Data Uji",
        doc_number="800/SLA/2026",
    )
    lane = Lane.objects.create(procedure_version=version, order=1, key="analis", label="Analis")
    one = Step.objects.create(procedure_version=version, number=1, text="Menyusun data capaian", time_text="1 jam")
    two = Step.objects.create(
        procedure_version=version, number=2, text="Memeriksa data", symbol=Step.Symbol.DECISION, time_text="1 jam"
    )
    for step in (one, two):
        step.lanes.add(lane)
    case = Case.objects.create(
        agency=dishub, procedure_version=version, subject_label="Triwulan III 2026", year=YEAR, quarter=3,
        started_at=_at(6, 8), status=Case.Status.FINISHED, finished_at=_at(6, 13, 30),
    )  # fmt: skip
    common = {"case": case, "lane": lane, "position": position, "assignee": employee, "status": Task.Status.DONE,
              "standard_minutes": 60}  # fmt: skip
    Task.objects.create(step=one, iteration=1, started_at=_at(6, 8), opened_at=_at(6, 8, 30), done_at=_at(6, 8, 45),
                        due_at=_at(6, 9), actual_minutes=45, outcome="done", **common)  # fmt: skip
    Task.objects.create(step=two, iteration=1, started_at=_at(6, 8, 45), opened_at=_at(6, 9, 15), outcome="no",
                        done_at=_at(6, 11, 15), due_at=_at(6, 9, 45), actual_minutes=150, **common)  # fmt: skip
    Task.objects.create(step=one, iteration=2, started_at=_at(6, 11, 15), done_at=_at(6, 13, 45), due_at=_at(6, 13),
                        actual_minutes=90, outcome="done", **common)  # fmt: skip
    idle = Procedure.objects.create(agency=dishub, title="SOP Tanpa Kasus")
    ProcedureVersion.objects.create(procedure=idle, number=1, status=ProcedureVersion.Status.PUBLISHED,
                                    title="SOP Tanpa Kasus")  # fmt: skip
    return procedure


def _url(name: str, agency, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"agency": agency.pk, "year": YEAR, **params}.items())
    return f"{reverse(name)}?{query}"


@pytest.mark.django_db
def test_records_for_reads_done_tasks_with_waiting(dishub, sop_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # the tasks, then the calendar of 2026 (settings, holidays, Ramadan)
        records = sla.records_for(dishub, year=YEAR, procedure_id=sop_data.pk)
    assert [(r.step_number, r.iteration, r.actual_minutes) for r in records] == [(1, 1, 45), (2, 1, 150), (1, 2, 90)]
    first = records[0]
    assert first.waiting_minutes == 30 and records[2].waiting_minutes is None  # never opened
    assert first.person_name == "Rudi Hartono, A.Md." and first.position_title == "Analis Lalu Lintas"
    assert first.unit_name == "Seksi Manajemen dan Rekayasa Lalu Lintas"
    assert first.period_label == "2026 TW III" and first.sop_title == "Pengumpulan Data Uji"
    assert sla.records_for(dishub, year=YEAR, quarter=2, procedure_id=sop_data.pk) == []


@pytest.mark.django_db
def test_planning_head_reads_the_report(login, dishub, sop_data):
    response = login("perencanaan").get(_url("sop-sla", dishub))
    assert response.status_code == 200
    report = response.context["report"]
    ours = [r for r in report.records if r.procedure_id == sop_data.pk]
    assert len(ours) == 3
    steps = {g.key: g for g in report.groups["step"] if g.key[0] == sop_data.pk}
    one, two = steps[(sop_data.pk, 1)], steps[(sop_data.pk, 2)]
    assert (one.count, one.on_time, one.late, one.rework) == (2, 1, 1, 1)
    assert (two.count, two.very_late, two.median_ratio) == (1, 1, D("2.5"))
    lines = {m.title: m for m in report.monitoring}
    line = lines["Pengumpulan Data Uji"]
    assert line.judgement == Judgement.POOR  # 1 of 3 on time
    assert (line.cases_started, line.cases_finished, line.tasks, line.late_tasks, line.rework) == (1, 1, 3, 2, 1)
    assert lines["SOP Tanpa Kasus"].judgement == Judgement.NOT_RUNNING
    ranked = [g.key for g in report.bottlenecks if g.key[0] == sop_data.pk]
    assert ranked == [(sop_data.pk, 2), (sop_data.pk, 1)]  # 90 minutes over, then 30
    page = response.content.decode()
    assert "Menyusun data capaian" in page and "800/SLA/2026" in page
    assert "33,33" in page  # the compliance of the SOP, with the Indonesian comma
    assert "250,00" in page  # step 2: 150 of 60 minutes


@pytest.mark.django_db
def test_report_in_english_and_grouped_by_person(login, dishub, sop_data):
    client = login("perencanaan")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(_url("sop-sla", dishub, group="person", sop=sop_data.pk, quarter=3))
    assert response.status_code == 200
    (group,) = response.context["groups"]
    assert group.label == "Rudi Hartono, A.Md." and group.count == 3
    page = response.content.decode()
    assert "33.33" in page and "1 h 30 min" in page and "2 h 30 min" in page  # median 90, p90 150 of 45 150 90
    assert "Running poorly" in page


@pytest.mark.django_db
def test_evaluator_reads_the_report(login, dishub, sop_data):
    assert login("inspektorat").get(_url("sop-sla", dishub)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["sop-sla", "sop-sla-xlsx", "sop-sla-pdf"])
def test_staff_is_refused(login, dishub, sop_data, name):
    client = login("staf")
    assert client.get(_url(name, dishub)).status_code == 403
    assert client.get(reverse(name)).status_code == 403  # no agency whose SLA they read


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin.kominfo", "kadis.kominfo"])
def test_another_agency_gets_404(login, dishub, sop_data, username):
    assert login(username).get(_url("sop-sla", dishub)).status_code == 404
    assert login(username).get(_url("sop-sla-xlsx", dishub)).status_code == 404


@pytest.mark.django_db
def test_a_malformed_agency_is_404(login):
    assert login("perencanaan").get(reverse("sop-sla") + "?agency=x").status_code == 404


@pytest.mark.django_db
def test_excel_export_has_every_grouping_and_the_tasks(login, dishub, sop_data):
    response = login("perencanaan").get(_url("sop-sla-xlsx", dishub, sop=sop_data.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content), read_only=True)
    assert len(book.sheetnames) == 9  # six groupings, bottlenecks, monitoring, tasks
    sheets = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames]
    by_step, tasks = sheets[0], sheets[-1]
    assert [row[:4] for row in by_step[1:]] == [
        ("Pengumpulan Data Uji", "1. Menyusun data capaian", 2, 2),
        ("Pengumpulan Data Uji", "2. Memeriksa data", 1, 1),
    ]
    assert len(tasks) == 4
    assert [row[3] for row in tasks[1:]] == [1, 2, 1]  # step numbers, in the order done
    assert [row[13] for row in tasks[1:]] == [45, 150, 90]  # actual minutes
    monitoring = sheets[-2]
    assert monitoring[1][0] == "Pengumpulan Data Uji" and monitoring[1][3] == 1  # cases started


@pytest.mark.django_db
def test_pdf_is_made(login, dishub, sop_data):
    response = login("perencanaan").get(_url("sop-sla-pdf", dishub))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
