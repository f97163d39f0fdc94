"""The quarter's monev on the demo agency: proposal, plan, visit, findings, recommendations, follow-ups, chasing,
and who may do each."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.collection.models import Notification
from kinerja.collection.tests.helpers import pdf
from kinerja.measurement.models import EarlyWarningSetting
from kinerja.monev import services
from kinerja.monev.models import EvaluationPlan, Finding, FollowUp, Reason, Recommendation, Visit
from kinerja.org.models import Agency
from kinerja.org.tests.records import position, unit
from kinerja.planning.models import Indicator

pytestmark = pytest.mark.usefixtures("english")
YEAR, QUARTER = 2026, 3
LL = "Bidang Lalu Lintas"
ANG = "Bidang Angkutan"


def png() -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


@pytest.fixture
def login(login):  # type: ignore[no-untyped-def]
    """Clients that chose English, the language the messages are checked in."""

    def make(user):  # type: ignore[no-untyped-def]
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture(autouse=True)
def files(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def plan(dishub: Agency, perencanaan: User) -> EvaluationPlan:
    return services.create_plan(agency=dishub, year=YEAR, quarter=QUARTER, by=perencanaan)


@pytest.fixture
def visit(plan: EvaluationPlan, perencanaan: User, inspektorat: User) -> Visit:
    return services.schedule_visit(
        plan=plan, unit=unit(LL), scheduled_on=date(2026, 10, 20), evaluators=[perencanaan, inspektorat],
        by=perencanaan,
    )  # fmt: skip


def ll_indicator() -> Indicator:
    return (
        Indicator.objects.filter(agency__short_name="Dishub", responsible_unit__name__startswith="Seksi")
        .filter(responsible_unit__parent__name=LL)
        .order_by("code")
        .first()
        or Indicator.objects.filter(responsible_unit__name=LL).order_by("code").first()
    )


@pytest.fixture
def recommendation(visit: Visit, inspektorat: User) -> Recommendation:
    finding = services.record_finding(
        visit=visit, indicator=ll_indicator(), text="Data triwulan III terlambat dua minggu.",
        cause=Finding.Cause.DATA, cause_note="",
        recommendations=[services.RecommendationInput("Tetapkan petugas input data.", position(
            "Kepala Bidang Lalu Lintas"), date(2026, 11, 10))],
        by=inspektorat,
    )  # fmt: skip
    return finding.recommendations.get()


# The proposal


def test_the_q3_plan_proposes_the_indicators_at_risk(dishub: Agency) -> None:
    proposals = services.propose(dishub, year=YEAR, quarter=QUARTER, threshold=Decimal(90))
    assert proposals, "the demo has indicators behind in 2026"
    assert all(p.reasons for p in proposals)
    at_risk = [p for p in proposals if Reason.PROJECTED_AT_RISK in p.reasons]
    assert at_risk
    for proposal in at_risk:
        assert proposal.row.projection.percent < Decimal(90)
    below = [p for p in proposals if Reason.BELOW_THRESHOLD in p.reasons]
    assert all(p.row.percent < Decimal(90) for p in below)
    # An indicator on track, with nothing late, returned or missing, is not proposed.
    proposed = {p.indicator.pk for p in proposals}
    everything = set(Indicator.objects.filter(agency=dishub).values_list("pk", flat=True))
    assert proposed < everything


def test_a_lower_threshold_proposes_fewer_indicators(dishub: Agency) -> None:
    strict = services.propose(dishub, year=YEAR, quarter=QUARTER, threshold=Decimal(150))
    lenient = services.propose(dishub, year=YEAR, quarter=QUARTER, threshold=Decimal(10))
    risky = [p for p in lenient if Reason.PROJECTED_AT_RISK in p.reasons or Reason.BELOW_THRESHOLD in p.reasons]
    assert len(risky) < len([p for p in strict if Reason.PROJECTED_AT_RISK in p.reasons])


def test_the_plan_takes_the_agencys_threshold(dishub: Agency, perencanaan: User) -> None:
    EarlyWarningSetting.objects.update_or_create(
        agency=dishub, defaults={"threshold": Decimal(75), "updated_by": perencanaan}
    )
    plan = services.create_plan(agency=dishub, year=YEAR, quarter=QUARTER, by=perencanaan)
    assert plan.threshold == Decimal(75)
    assert plan.items.exists()
    event = AuditEvent.objects.get(action="monev.plan.created", object_id=str(plan.pk))
    assert event.after["threshold"] == "75.00"


def test_one_plan_per_quarter_and_only_the_planning_head(dishub: Agency, perencanaan: User, kabid: User) -> None:
    with pytest.raises(PermissionDenied):
        services.create_plan(agency=dishub, year=YEAR, quarter=QUARTER, by=kabid)
    services.create_plan(agency=dishub, year=YEAR, quarter=QUARTER, by=perencanaan)
    with pytest.raises(ValidationError):
        services.create_plan(agency=dishub, year=YEAR, quarter=QUARTER, by=perencanaan)


def test_the_planning_head_changes_the_scope(plan: EvaluationPlan, perencanaan: User) -> None:
    extra = Indicator.objects.filter(agency=plan.agency).exclude(pk__in=plan.items.values("indicator_id")).first()
    kept = plan.items.first()
    services.set_scope(
        plan=plan, indicator_ids=[kept.indicator_id, extra.pk], notes="Fokus TW III", version=plan.version,
        by=perencanaan,
    )  # fmt: skip
    items = {item.indicator_id: item for item in plan.items.all()}
    assert set(items) == {kept.indicator_id, extra.pk}
    assert items[extra.pk].reasons == [Reason.CHOSEN]
    assert items[kept.indicator_id].reasons == kept.reasons


# The pages and who reaches them


def test_the_monev_page_is_for_the_agencys_whole_readers(role_client, dishub: Agency, client) -> None:
    url = reverse("monev-agency", args=[dishub.pk])
    page = role_client("planning_head").get(url)
    assert page.status_code == 200 and b"Make the plan" in page.content
    head = role_client("head").get(url)
    assert head.status_code == 200 and b"Make the plan" not in head.content
    assert role_client("evaluator").get(url).status_code == 200
    assert role_client("division_head").get(url).status_code == 403
    assert role_client("staff").get(url).status_code == 403
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_another_agencys_people_do_not_see_the_monev(other_admin: User, login, dishub: Agency, plan) -> None:
    client = login(other_admin)
    assert client.get(reverse("monev-agency", args=[dishub.pk])).status_code == 404
    assert client.get(reverse("monev-plan", args=[plan.pk])).status_code == 404


def test_a_plan_is_made_from_the_page_and_a_reader_cannot_make_one(role_client, dishub: Agency) -> None:
    url = reverse("monev-agency", args=[dishub.pk])
    refused = role_client("head").post(url, {"year": YEAR, "quarter": QUARTER})
    assert refused.status_code == 403
    bad = role_client("planning_head").post(url, {"year": "abc", "quarter": 7, "threshold": "500"})
    assert bad.status_code == 200 and b"errorlist" in bad.content
    assert not EvaluationPlan.objects.exists()
    made = role_client("planning_head").post(url, {"year": YEAR, "quarter": QUARTER, "threshold": "90"})
    plan = EvaluationPlan.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("monev-plan", args=[plan.pk])
    again = role_client("planning_head").post(url, {"year": YEAR, "quarter": QUARTER, "threshold": "90"})
    assert again.status_code == 200 and b"already been planned" in again.content


def test_the_plan_page_shows_scope_and_schedules_visits(
    role_client, plan: EvaluationPlan, inspektorat: User, perencanaan: User
) -> None:
    url = reverse("monev-plan", args=[plan.pk])
    chosen = list(plan.items.values_list("indicator_id", flat=True))
    extra = Indicator.objects.filter(agency=plan.agency).exclude(pk__in=chosen).order_by("code").first()
    services.set_scope(plan=plan, indicator_ids=[*chosen, extra.pk], notes="", version=plan.version, by=perencanaan)
    page = role_client("planning_head").get(url)
    assert page.status_code == 200
    first = plan.items.select_related("indicator").first()
    assert first.indicator.code.encode() in page.content
    # The indicators behind their targets come first.
    behind = {Reason.BELOW_THRESHOLD, Reason.PROJECTED_AT_RISK}
    items = list(plan.items.select_related("indicator"))
    ahead = [i.indicator.code for i in items if set(i.reasons) & behind]
    rest = [i.indicator.code for i in items if not set(i.reasons) & behind]
    assert ahead and rest
    table = page.content.decode().split('id="scope"', 1)[1]
    assert max(table.index(f">{code}<") for code in ahead) < min(table.index(f">{code}<") for code in rest)
    assert role_client("evaluator").get(url).status_code == 200
    assert role_client("division_head").get(url).status_code == 403
    assert role_client("evaluator").post(url, {"schedule": "1"}).status_code == 403
    made = role_client("planning_head").post(
        url, {"schedule": "1", "unit": unit(LL).pk, "scheduled_on": "2026-10-20", "evaluators": [inspektorat.pk]}
    )
    assert made.status_code == 302
    visit = plan.visits.get()
    assert list(visit.evaluators.all()) == [inspektorat]
    assert Notification.objects.filter(user__username="kabid", key=f"monev-visit-{visit.pk}").exists()
    assert Notification.objects.filter(user=inspektorat, key=f"monev-visit-{visit.pk}").exists()
    missing = role_client("planning_head").post(url, {"schedule": "1", "unit": unit(ANG).pk, "scheduled_on": ""})
    assert missing.status_code == 200 and plan.visits.count() == 1


def test_the_monev_form_records_findings_for_its_team(role_client, login, visit: Visit, kabid: User) -> None:
    url = reverse("monev-visit", args=[visit.pk])
    indicator = ll_indicator()
    data = {
        "action": "finding", "indicator": indicator.pk, "finding": "Capaian di bawah target.", "cause": "activity",
        "cause_note": "", "recommendation": "Percepat kegiatan.", "due_on": "2026-11-30",
        "responsible": position("Kepala Bidang Lalu Lintas").pk,
    }  # fmt: skip
    assert role_client("division_head").get(url).status_code == 200  # the division reads its own form
    assert role_client("division_head").post(url, data).status_code == 403
    assert login("kabid.angkutan").get(url).status_code == 403  # another division
    assert role_client("evaluator").post(url, {**data, "cause": "other"}).status_code == 200  # no explanation
    assert not Finding.objects.exists()
    assert role_client("evaluator").post(url, data).status_code == 302
    finding = Finding.objects.get()
    assert finding.created_by.username == "inspektorat" and finding.indicator == indicator
    assert finding.recommendations.get().responsible.title == "Kepala Bidang Lalu Lintas"
    assert Notification.objects.filter(user=kabid, key__startswith="monev-rec-").exists()


def test_an_evaluator_off_the_team_only_reads(role_client, plan: EvaluationPlan, perencanaan: User) -> None:
    visit = services.schedule_visit(
        plan=plan, unit=unit(ANG), scheduled_on=date(2026, 10, 21), evaluators=[perencanaan], by=perencanaan
    )
    url = reverse("monev-visit", args=[visit.pk])
    assert role_client("evaluator").get(url).status_code == 200
    data = {"action": "finding", "finding": "x", "cause": "data", "recommendation": "y", "due_on": "2026-11-30",
            "responsible": position("Kepala Bidang Angkutan").pk}  # fmt: skip
    assert role_client("evaluator").post(url, data).status_code == 403


def test_minutes_and_photos_are_attached_and_read_by_the_division(role_client, login, visit: Visit) -> None:
    url = reverse("monev-visit", args=[visit.pk])
    client = role_client("planning_head")
    photo = SimpleUploadedFile("foto.png", png(), content_type="image/png")
    assert client.post(url, {"action": "attach", "kind": "photo", "file": photo}).status_code == 302
    wrong = SimpleUploadedFile("ba.pdf", pdf("berita acara"), content_type="application/pdf")
    refused = client.post(url, {"action": "attach", "kind": "photo", "file": wrong})
    assert refused.status_code == 200 and b"image" in refused.content
    minutes = SimpleUploadedFile("ba.pdf", pdf("berita acara"), content_type="application/pdf")
    assert client.post(url, {"action": "attach", "kind": "minutes", "file": minutes}).status_code == 302
    first = visit.attachments.order_by("pk").first()
    download = role_client("division_head").get(reverse("monev-attachment", args=[first.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == png()
    assert login("kabid.angkutan").get(reverse("monev-attachment", args=[first.pk])).status_code == 403


def test_the_visit_is_recorded_as_held(role_client, visit: Visit) -> None:
    url = reverse("monev-visit", args=[visit.pk])
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    bad = role_client("planning_head").post(url, {"action": "held", "held_on": future, "version": visit.version})
    assert bad.status_code == 200 and b"future" in bad.content
    done = role_client("planning_head").post(
        url, {"action": "held", "held_on": "2026-10-20", "summary": "Lancar.", "version": visit.version}
    )
    assert done.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.HELD and visit.held_on == date(2026, 10, 20)


# Follow-up


def test_the_division_answers_and_the_planning_head_closes(
    role_client, login, recommendation: Recommendation, perencanaan: User
) -> None:
    url = reverse("monev-recommendation", args=[recommendation.pk])
    assert login("kabid.angkutan").get(url).status_code == 403
    assert role_client("division_head").get(url).status_code == 200
    answer = {"action": "answer", "version": recommendation.version, "done": "SK petugas input data terbit."}
    assert role_client("planning_head").post(url, answer).status_code == 403
    assert role_client("evaluator").post(url, answer).status_code == 403
    empty = role_client("staff").post(url, {**answer, "done": " "})
    assert empty.status_code == 200 and b"errorlist" in empty.content
    evidence = SimpleUploadedFile("sk.pdf", pdf("sk petugas"), content_type="application/pdf")
    assert role_client("staff").post(url, {**answer, "file": evidence}).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ANSWERED
    follow_up = recommendation.follow_ups.get()
    assert follow_up.answered_by.username == "staf" and follow_up.file_name == "sk.pdf"
    assert Notification.objects.filter(user=perencanaan, key=f"monev-answer-{follow_up.pk}").exists()
    file = role_client("division_head").get(reverse("monev-follow-up-file", args=[follow_up.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content) == pdf("sk petugas")
    twice = role_client("staff").post(url, answer)  # waiting for review: no second answer
    assert twice.status_code == 200 and b"awaits review" in twice.content
    assert recommendation.follow_ups.count() == 1

    decide = {"action": "decide", "version": recommendation.version}
    assert role_client("division_head").post(url, {**decide, "decision": "close"}).status_code == 403
    no_reason = role_client("planning_head").post(url, {**decide, "decision": "reopen", "note": ""})
    assert no_reason.status_code == 200 and b"errorlist" in no_reason.content
    closed = role_client("planning_head").post(url, {**decide, "decision": "close", "note": "Cukup."})
    assert closed.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.CLOSED and recommendation.closed_by == perencanaan
    assert recommendation.follow_ups.get().decision == FollowUp.Decision.ACCEPTED
    actions = list(
        AuditEvent.objects.filter(object_id=str(recommendation.pk), action__startswith="monev.recommendation")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["monev.recommendation.answered", "monev.recommendation.closed"]


def test_a_reopened_recommendation_is_answered_again(
    recommendation: Recommendation, kabid: User, perencanaan: User
) -> None:
    services.answer(recommendation=recommendation, action="Sudah.", data=None, name="", version=1, by=kabid)
    recommendation.refresh_from_db()
    services.decide(recommendation=recommendation, accept=False, note="Lampirkan SK.", version=recommendation.version,
                    by=perencanaan)  # fmt: skip
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.OPEN and recommendation.reopened == 1
    assert recommendation.follow_ups.get().decision == FollowUp.Decision.REOPENED
    assert Notification.objects.filter(user=kabid, kind=Notification.Kind.RETURNED).exists()
    services.answer(recommendation=recommendation, action="SK terlampir.", data=pdf("sk"), name="sk.pdf",
                    version=recommendation.version, by=kabid)  # fmt: skip
    recommendation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.decide(recommendation=recommendation, accept=False, note=" ", version=recommendation.version,
                        by=perencanaan)  # fmt: skip
    services.decide(recommendation=recommendation, accept=True, note="", version=recommendation.version,
                    by=perencanaan)  # fmt: skip
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.CLOSED


def test_a_stale_form_does_not_overwrite(recommendation: Recommendation, kabid: User) -> None:
    with pytest.raises(ValidationError):
        services.answer(recommendation=recommendation, action="Sudah.", data=None, name="", version=99, by=kabid)
    assert not recommendation.follow_ups.exists()


def test_my_recommendations(role_client, login, recommendation: Recommendation) -> None:
    url = reverse("monev-mine")
    assert recommendation.text.encode() in role_client("division_head").get(url).content
    assert recommendation.text.encode() in role_client("staff").get(url).content
    assert recommendation.text.encode() not in login("kabid.angkutan").get(url).content


# Chasing


def test_tick_reminds_before_the_due_date_then_chases_once_a_week(
    recommendation: Recommendation, kabid: User, perencanaan: User
) -> None:
    due = recommendation.due_on
    chased = Notification.objects.filter(user=kabid, key__startswith="monev-")
    before = chased.count()  # the notice of the recommendation itself
    assert services.chase_recommendations(due - timedelta(days=4)) == 0  # before the reminder days (3)
    assert services.chase_recommendations(due - timedelta(days=3)) == 1
    assert services.chase_recommendations(due) == 0  # reminded once for this due date
    assert chased.filter(kind=Notification.Kind.REMINDER).count() == 1
    out = StringIO()
    call_command("tick", "--today", (due + timedelta(days=1)).isoformat(), stdout=out)
    assert "monev: 1 recommendation notice(s)" in out.getvalue()
    overdue = Notification.objects.filter(key__startswith=f"monev-overdue-{recommendation.pk}-")
    assert list(overdue.values_list("user__username", flat=True)) == ["kabid"]
    call_command("tick", "--today", (due + timedelta(days=2)).isoformat(), stdout=StringIO())
    assert overdue.count() == 1  # the same week: nothing new
    assert not Notification.objects.filter(key__startswith="monev-escalated-").exists()
    assert services.chase_recommendations(due + timedelta(days=8)) == 2  # a week on: again, and the planning head
    assert Notification.objects.filter(user=perencanaan, key__startswith="monev-escalated-").count() == 1
    services.answer(recommendation=recommendation, action="Sudah.", data=None, name="", version=1, by=kabid)
    assert services.chase_recommendations(due + timedelta(days=15)) == 0  # answered: no longer chased
    assert chased.count() == before + 3


# The evaluator's workspace


def test_the_evaluator_workspace(role_client, recommendation: Recommendation, dishub: Agency) -> None:
    page = role_client("evaluator").get(reverse("monev-evaluator"))
    assert page.status_code == 200
    assert dishub.name.encode() in page.content
    assert recommendation.finding.text[:40].encode() in page.content  # its own finding
    for role in ("head", "planning_head", "division_head", "regional"):
        assert role_client(role).get(reverse("monev-evaluator")).status_code == 403


def test_the_evaluator_reads_the_agencys_data_and_evidence_but_changes_none(
    role_client, dishub: Agency, visit: Visit, perencanaan: User
) -> None:
    attachment = services.add_attachment(visit=visit, kind="minutes", data=pdf("ba"), name="ba.pdf", by=perencanaan)
    client = role_client("evaluator")
    assert client.get(reverse("measurement-dashboard", args=[dishub.pk])).status_code == 200
    assert client.get(reverse("monev-attachment", args=[attachment.pk])).status_code == 200
    assert client.get(reverse("measurement-realizations", args=[dishub.pk])).status_code == 403
    assert client.post(reverse("measurement-realizations", args=[dishub.pk]), {}).status_code == 403
    assert client.post(reverse("monev-agency", args=[dishub.pk]), {"year": YEAR, "quarter": 4}).status_code == 403


# Seed 001 run as a case


def test_the_monev_sop_steps_are_completed_by_the_application(dishub: Agency, perencanaan: User, inspektorat) -> None:
    from kinerja.sop import engine
    from kinerja.sop.models import Action, Task
    from kinerja.sop.tests.test_engine import adopt_and_publish

    version = adopt_and_publish(
        "balangan-dishub-2023-monev-internal-capaian-kinerja", dishub, perencanaan,
        bind={4: Action.MONEV_PLAN, 5: Action.MONEV_VISIT},
    )  # fmt: skip
    case = engine.start_case(
        version=version, unit=None, subject_kind="collection.quarter", subject_id=YEAR * 10 + QUARTER,
        subject_label="Triwulan III 2026", year=YEAR, quarter=QUARTER, by=perencanaan,
    )  # fmt: skip
    plan = services.create_plan(agency=dishub, year=YEAR, quarter=QUARTER, by=perencanaan)
    step4 = Task.objects.get(case=case, step__number=4)
    assert step4.done_by_action == "monev.plan" and step4.done_by == perencanaan
    visit = services.schedule_visit(
        plan=plan, unit=unit(LL), scheduled_on=date(2026, 10, 20), evaluators=[inspektorat], by=perencanaan
    )
    services.record_visit(visit=visit, held_on=date(2026, 10, 20), summary="", version=visit.version, by=inspektorat)
    step5 = [t for t in Task.objects.filter(case=case) if t.step.number == 5]
    assert step5 and all(t.done_by_action == "monev.visit" and t.done_by == inspektorat for t in step5)


# The monev report


def test_the_monev_report_carries_the_visits_findings_and_follow_ups(
    dishub: Agency, recommendation: Recommendation, kabid: User, perencanaan: User
) -> None:
    from kinerja.documents.builders.monev import build
    from kinerja.documents.models import Kind
    from kinerja.documents.tests.test_builders import make, render_all

    later = services.create_plan(agency=dishub, year=YEAR, quarter=4, by=perencanaan)
    rendered = render_all(build(make(dishub, Kind.MONEV_REPORT, quarter=QUARTER)), dishub)
    _header, visits = rendered.sheet("Kunjungan Monev")
    assert [row[1] for row in visits] == [LL] and visits[0][4] == "Belum dilaksanakan"
    _header, rows = rendered.sheet("Temuan")
    assert len(rows) == 1
    assert rows[0][3] == recommendation.finding.text and rows[0][5] == recommendation.text
    assert rows[0][6] == "Kepala Bidang Lalu Lintas" and rows[0][8] == "Belum ditindaklanjuti"
    assert "Tabel 5. Temuan dan Rekomendasi" in rendered.pdf_text
    # The next quarter's report starts with the recommendation still open.
    services.answer(recommendation=recommendation, action="Sudah.", data=None, name="", version=1, by=kabid)
    assert later.pk
    rendered = render_all(build(make(dishub, Kind.MONEV_REPORT, quarter=4)), dishub, pdf=False)
    _header, carried = rendered.sheet("Tindak Lanjut")
    assert [(row[2], row[5]) for row in carried] == [(recommendation.text, "Ditindaklanjuti, menunggu reviu")]


# Every other page: one role that may, one that may not


def test_the_monev_menu_leads_each_role_to_its_page(role_client, dishub: Agency, client) -> None:
    url = reverse("monev-index")
    assert role_client("planning_head").get(url)["Location"] == reverse("monev-agency", args=[dishub.pk])
    assert role_client("evaluator").get(url)["Location"] == reverse("monev-evaluator")
    assert role_client("division_head").get(url)["Location"] == reverse("monev-mine")
    listing = role_client("regional").get(url)  # reads every agency of its local government
    assert listing.status_code == 200 and dishub.name.encode() in listing.content
    assert client.get(url).status_code == 302 and "/login/" in client.get(url)["Location"]


def test_a_recommendation_is_added_to_a_finding_by_its_author_only(
    role_client, login, recommendation: Recommendation, perencanaan: User
) -> None:
    finding = recommendation.finding
    url = reverse("monev-finding-recommend", args=[finding.pk])
    data = {"recommendation": "Laporkan progres mingguan.", "responsible": position("Kepala Bidang Lalu Lintas").pk,
            "due_on": "2026-12-15"}  # fmt: skip
    assert role_client("division_head").post(url, data).status_code == 403
    assert login(perencanaan).get(url).status_code == 405
    assert role_client("evaluator").post(url, {**data, "due_on": "2026-01-01"}).status_code == 302  # before the visit
    assert finding.recommendations.count() == 1
    assert role_client("evaluator").post(url, data).status_code == 302
    assert finding.recommendations.count() == 2
    assert role_client("planning_head").post(url, {**data, "recommendation": "Kedua."}).status_code == 302
    assert finding.recommendations.count() == 3


def test_follow_up_evidence_is_for_the_readers_of_the_division(
    role_client, login, recommendation: Recommendation, kabid: User, other_admin: User
) -> None:
    follow_up = services.answer(
        recommendation=recommendation, action="SK terbit.", data=pdf("sk"), name="sk.pdf", version=1, by=kabid
    )
    url = reverse("monev-follow-up-file", args=[follow_up.pk])
    assert role_client("evaluator").get(url).status_code == 200
    assert login("kabid.angkutan").get(url).status_code == 403
    assert login(other_admin).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="monev.file.downloaded", object_id=str(follow_up.pk)).exists()


def test_anonymous_users_are_sent_to_the_login(client, recommendation: Recommendation) -> None:
    visit = recommendation.finding.visit
    for url in (
        reverse("monev-mine"), reverse("monev-evaluator"), reverse("monev-plan", args=[visit.plan_id]),
        reverse("monev-visit", args=[visit.pk]), reverse("monev-recommendation", args=[recommendation.pk]),
    ):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_finding_is_corrected_by_its_author_or_the_planning_head(
    role_client, login, recommendation: Recommendation
) -> None:
    finding = recommendation.finding
    url = reverse("monev-finding-edit", args=[finding.pk])
    prefix = f"f{finding.pk}-"
    data = {prefix + "finding": "Data triwulan III terlambat tiga minggu.", prefix + "cause": "data",
            prefix + "cause_note": ""}  # fmt: skip
    assert role_client("division_head").post(url, data).status_code == 403
    assert login("kabid.angkutan").post(url, data).status_code == 403
    page = role_client("evaluator").get(reverse("monev-visit", args=[finding.visit_id]))
    assert f'name="{prefix}finding"'.encode() in page.content  # the author sees the correction form
    refused = role_client("evaluator").post(url, {**data, prefix + "cause": "other"}, follow=True)
    assert b"Explain the cause" in refused.content
    assert role_client("evaluator").post(url, data).status_code == 302
    finding.refresh_from_db()
    assert finding.text == "Data triwulan III terlambat tiga minggu."
    event = AuditEvent.objects.get(action="monev.finding.edited", object_id=str(finding.pk))
    assert event.before["text"] == "Data triwulan III terlambat dua minggu."
    assert role_client("planning_head").post(url, {**data, prefix + "finding": "Koreksi."}).status_code == 302
    finding.refresh_from_db()
    assert finding.text == "Koreksi."


def test_a_held_date_long_before_a_leap_day_visit_is_refused_not_a_crash(
    plan: EvaluationPlan, perencanaan: User
) -> None:
    visit = services.schedule_visit(
        plan=plan, unit=unit(ANG), scheduled_on=date(2028, 2, 29), evaluators=[perencanaan], by=perencanaan
    )
    with pytest.raises(ValidationError) as refused:
        services.record_visit(visit=visit, held_on=date(2026, 11, 20), summary="", version=visit.version,
                              by=perencanaan)  # fmt: skip
    assert "more than a year before" in str(refused.value)


def test_my_recommendations_cost_the_same_however_many_there_are(
    role_client, recommendation: Recommendation, inspektorat: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_client("staff")  # answers through the unit tree, not as the responsible position

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("monev-mine")).status_code == 200
        return len(captured)

    queries()  # the first request of a session writes its idle stamp
    one = queries()
    for n in range(5):
        services.add_recommendation(
            finding=recommendation.finding, by=inspektorat,
            item=services.RecommendationInput(f"Rekomendasi {n}", recommendation.responsible, date(2026, 12, 1)),
        )  # fmt: skip
    page = client.get(reverse("monev-mine"))
    assert page.content.count(b"Rekomendasi ") >= 5
    assert queries() == one


def test_the_proposal_reads_late_returned_and_unevidenced_data(dishub: Agency) -> None:
    from kinerja.collection.demo import load_collection_demo
    from kinerja.collection.models import DataRequest, Evidence, ReportingPeriod, Submission, SubmissionLine

    load_collection_demo()  # Q3 2026: Traffic still drafting, Facilities submitted, Transport approved, Secretariat
    period = ReportingPeriod.objects.get(agency=dishub, year=YEAR, quarter=QUARTER)
    requests = {
        r.unit.name: r for r in DataRequest.objects.filter(period=period, kind="division").select_related("unit")
    }
    Submission.objects.filter(request=requests[ANG]).update(returns=1)
    # The day before the due date: the division still drafting is not late yet; the others submitted after it.
    proposals = {
        p.indicator.pk: p.reasons
        for p in services.propose(
            dishub, year=YEAR, quarter=QUARTER, threshold=Decimal(0), on=period.due_on - timedelta(days=1)
        )
    }

    def of(name: str) -> set[int]:
        return set(requests[name].indicators.values_list("pk", flat=True))

    assert not any(Reason.LATE in proposals.get(pk, []) for pk in of(LL))
    assert all(Reason.LATE in proposals[pk] for pk in of("Bidang Sarana dan Prasarana"))
    assert all(Reason.RETURNED in proposals[pk] for pk in of(ANG))
    assert not any(Reason.RETURNED in proposals.get(pk, []) for pk in of(LL))
    reported = SubmissionLine.objects.filter(submission__request__period=period).exclude(value=None, text="")
    evidenced = set(Evidence.objects.filter(line__submission__request__period=period).values_list(
        "line__indicator_id", flat=True))  # fmt: skip
    expected = set(reported.values_list("indicator_id", flat=True)) - evidenced
    assert expected and {pk for pk, reasons in proposals.items() if Reason.NO_EVIDENCE in reasons} == expected
    assert not any(Reason.BELOW_THRESHOLD in r or Reason.PROJECTED_AT_RISK in r for r in proposals.values())
