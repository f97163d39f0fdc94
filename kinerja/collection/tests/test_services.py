"""The quarterly collection as its users go through it: opening a period, entering figures and evidence,
submitting, reviewing, verifying and reopening."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection
from django.utils import translation

from kinerja.audit.models import AuditEvent
from kinerja.collection import services
from kinerja.collection.models import DataRequest, Evidence, Notification, Review, Submission, SubmissionLine
from kinerja.collection.permissions import holds
from kinerja.collection.services import LineInput, LineProblems, LinesChanged, TransitionRefused
from kinerja.collection.tests.helpers import (
    LL,
    attach_evidence,
    complete,
    division_submission,
    fill,
    fresh,
    individual_submission,
    open_period,
    patch_submission_url,
    pdf,
    submitted,
    use_tmp_evidence_storage,
)
from kinerja.lib.errors import ConfirmationRequired
from kinerja.measurement.models import Realization
from kinerja.org.demo import KABID_LL, KABID_SP, SEKRETARIS
from kinerja.org.models import Assignment, Employee, Holiday, Position, Unit
from kinerja.planning.models import Indicator

pytestmark = pytest.mark.django_db
D = Decimal
S = Submission.Status
ANALIS = "Analis Lalu Lintas"
KASIE_MRLL = "Kepala Seksi Manajemen dan Rekayasa Lalu Lintas"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, monkeypatch, tmp_path):
    patch_submission_url(monkeypatch)
    return use_tmp_evidence_storage(settings, monkeypatch, tmp_path)


@pytest.fixture
def opened(dishub, perencanaan):
    return open_period(dishub, perencanaan)


@pytest.fixture
def ll(opened):
    """The Bidang Lalu Lintas submission of 2026 TW IV: kasie and staf prepare it, kabid reviews it."""
    return division_submission(opened)


def who(user) -> str:
    return user.get_full_name() or user.get_username()


def line_of(submission: Submission, code: str) -> SubmissionLine:
    return submission.lines.select_related("indicator").get(indicator__code=code)


def approved(submission: Submission, preparer, reviewer) -> Submission:
    submission = submitted(submission, preparer)
    return services.approve(submission=submission, version=submission.version, by=reviewer)


# Opening a period


@pytest.mark.parametrize("username", ["kadis", "sekretaris", "kabid", "kasie", "staf", "inspektorat", "admin"])
def test_only_the_planning_head_opens_a_period(dishub, username, django_user_model):
    with pytest.raises(PermissionDenied):
        open_period(dishub, django_user_model.objects.get(username=username))
    assert not dishub.periods.exists()


def test_a_period_opens_once(dishub, perencanaan, opened):
    with pytest.raises(ValidationError) as exc:
        open_period(dishub, perencanaan)
    assert "already open" in str(exc.value.error_dict["quarter"])
    assert dishub.periods.count() == 1


def test_the_due_date_is_the_tenth_of_the_next_month_moved_to_a_working_day(dishub, perencanaan, opened):
    # 10 January 2027 is a Sunday: the data is due on Monday the 11th.
    assert opened.period.due_on == date(2027, 1, 11)
    assert services.default_due_date(dishub, 2026, 3) == date(2026, 10, 12)  # Saturday the 10th


def test_a_holiday_on_the_due_date_moves_it_further(dishub, perencanaan):
    Holiday.objects.create(day=date(2027, 1, 11), name="Cuti bersama")
    assert open_period(dishub, perencanaan).period.due_on == date(2027, 1, 12)


def test_a_local_holiday_of_another_government_does_not_count(dishub, perencanaan):
    from kinerja.org.models import LocalGovernment

    elsewhere = LocalGovernment.objects.create(name="Kota Lain", kind=LocalGovernment.Kind.CITY)
    Holiday.objects.create(day=date(2027, 1, 11), name="Hari jadi kota", local_government=elsewhere)
    assert open_period(dishub, perencanaan).period.due_on == date(2027, 1, 11)


def test_each_division_is_asked_for_its_indicators_and_reviewed_by_its_head(dishub, opened):
    units = {u.pk: u for u in Unit.objects.filter(agency=dishub)}
    plan = opened.period.requests.first().indicators.first().plan
    expected: dict[str, set[str]] = {}
    for indicator in Indicator.objects.filter(plan=plan).exclude(kind=Indicator.Kind.INDIVIDUAL):
        division = services.division_of(units[indicator.responsible_unit_id], units)
        expected.setdefault(division.name, set()).add(indicator.code)
    divisions = {r.unit.name: r for r in opened.requests if r.kind == DataRequest.Kind.DIVISION}
    assert {name: {i.code for i in r.indicators.all()} for name, r in divisions.items()} == expected
    assert {"IKU.1", "IKK.LL.1"} <= expected[LL]
    assert divisions[LL].reviewer.title == KABID_LL
    assert divisions["Bidang Sarana dan Prasarana"].reviewer.title == KABID_SP  # held by kabid as Plt.
    assert divisions["Sekretariat"].reviewer.title == SEKRETARIS
    for request in divisions.values():
        submission = request.submission
        assert submission.status == S.DRAFT and submission.awaiting is None
        assert {line.indicator.code for line in submission.lines.all()} == expected[request.unit.name]
    assert opened.unassigned == []


def test_individual_indicators_are_asked_of_the_responsible_position(opened):
    individuals = {r.position.title: r for r in opened.requests if r.kind == DataRequest.Kind.INDIVIDUAL}
    assert set(individuals) == set(
        Indicator.objects.filter(kind=Indicator.Kind.INDIVIDUAL).values_list("responsible_position__title", flat=True)
    )
    analis = individuals[ANALIS]
    assert [i.code for i in analis.indicators.all()] == ["IKI.1"]
    assert analis.reviewer.title == KASIE_MRLL
    assert analis.unit.name == "Seksi Manajemen dan Rekayasa Lalu Lintas"
    # No division request carries an individual indicator.
    for request in opened.requests:
        if request.kind == DataRequest.Kind.DIVISION:
            assert not request.indicators.filter(kind=Indicator.Kind.INDIVIDUAL).exists()


def test_lines_are_prefilled_from_the_realisations_already_recorded(dishub, perencanaan):
    opened = open_period(dishub, perencanaan, year=2026, quarter=3)
    submission = division_submission(opened)
    for line in submission.lines.select_related("indicator"):
        row = Realization.objects.get(indicator=line.indicator, year=2026, quarter=3)
        assert (line.value, line.text, line.factors_hindered) == (row.value, row.text, row.factors_hindered)
        assert line.value is not None
    # Not reported in the demo: stays blank. Reported as "no data": stays so, with its reason.
    sp = division_submission(opened, "Bidang Sarana dan Prasarana")
    blank = line_of(sp, "IKK.SP.1")
    assert blank.value is None and not blank.no_data and not blank.answered
    ang = division_submission(opened, "Bidang Angkutan")
    no_data = line_of(ang, "IKK.ANG.1")
    assert no_data.no_data and no_data.no_data_reason


def test_the_preparers_are_told_what_is_asked_of_them(opened, ll, staf, kasie, kabid, perencanaan):
    notices = Notification.objects.filter(submission=ll, kind=Notification.Kind.ASSIGNED)
    assert {n.user for n in notices} == {staf, kasie}
    assert all(n.key == f"assigned:{ll.pk}" and n.url for n in notices)
    individual = individual_submission(opened, ANALIS)
    assert list(Notification.objects.filter(submission=individual).values_list("user__username", flat=True)) == ["staf"]
    assert not Notification.objects.filter(user__in=[kabid, perencanaan]).exists()


def test_opening_is_audited(opened, perencanaan):
    event = AuditEvent.objects.filter(action="collection.period.opened").latest("seq")
    assert event.actor == perencanaan and event.after["requests"] == len(opened.requests)


# Entering figures


def test_the_divisions_staff_saves_figures(ll, staf, kasie):
    line = line_of(ll, "IKU.1")
    saved = services.save_lines(
        submission=ll, lines=[LineInput(line.indicator_id, line.version, value=D(300))], by=staf
    )
    assert [s.pk for s in saved] == [line.pk]
    line.refresh_from_db()
    assert line.value == D(300) and line.version == 2 and line.updated_by == staf
    assert AuditEvent.objects.filter(action="collection.lines.saved", actor=staf).exists()
    line = line_of(ll, "IKU.1")
    services.save_lines(submission=ll, lines=[LineInput(line.indicator_id, line.version, value=D(310))], by=kasie)
    assert line_of(ll, "IKU.1").value == D(310)


@pytest.mark.parametrize("username", ["kabid", "inspektorat", "perencanaan", "kadis"])
def test_the_division_head_and_outsiders_do_not_enter_figures(ll, username, django_user_model):
    line = line_of(ll, "IKU.1")
    with pytest.raises(PermissionDenied):
        services.save_lines(
            submission=ll, lines=[LineInput(line.indicator_id, line.version, value=D(300))],
            by=django_user_model.objects.get(username=username),
        )  # fmt: skip
    assert line_of(ll, "IKU.1").value is None


def test_staff_of_another_division_do_not_enter_its_figures(opened, staf):
    angkutan = division_submission(opened, "Bidang Angkutan")
    line = angkutan.lines.first()
    with pytest.raises(PermissionDenied):
        services.save_lines(
            submission=angkutan, lines=[LineInput(line.indicator_id, line.version, value=D(1))], by=staf
        )


def test_a_bad_figure_is_reported_on_its_indicator_and_nothing_is_saved(ll, staf):
    good, bad = line_of(ll, "IKU.1"), line_of(ll, "IKK.LL.1")
    with pytest.raises(LineProblems) as exc:
        services.save_lines(
            submission=ll, by=staf, lines=[
                LineInput(good.indicator_id, good.version, value=D(300)),
                LineInput(bad.indicator_id, bad.version, value=D(-5)),
            ],
        )  # fmt: skip
    assert set(exc.value.by_line) == {bad.indicator_id}
    assert "cannot be negative" in exc.value.by_line[bad.indicator_id]["value"]
    assert line_of(ll, "IKU.1").value is None and line_of(ll, "IKU.1").version == 1


def test_no_data_needs_a_reason(ll, staf):
    line = line_of(ll, "IKU.1")
    with pytest.raises(LineProblems) as exc:
        services.save_lines(submission=ll, by=staf, lines=[LineInput(line.indicator_id, line.version, no_data=True)])
    assert "no_data_reason" in exc.value.by_line[line.indicator_id]


def test_a_stale_line_saves_nothing_of_the_whole_form(ll, staf, kasie):
    first, second = line_of(ll, "IKU.1"), line_of(ll, "IKK.LL.1")
    # kasie saves the second line after staf opened the form.
    services.save_lines(submission=ll, by=kasie, lines=[LineInput(second.indicator_id, second.version, value=D(5000))])
    with pytest.raises(LinesChanged) as exc:
        services.save_lines(
            submission=ll, by=staf, lines=[
                LineInput(first.indicator_id, first.version, value=D(300)),
                LineInput(second.indicator_id, second.version, value=D(5100)),
            ],
        )  # fmt: skip
    assert [line.pk for line in exc.value.lines] == [second.pk]
    assert exc.value.lines[0].updated_by == kasie
    assert line_of(ll, "IKU.1").value is None and line_of(ll, "IKU.1").version == 1
    assert line_of(ll, "IKK.LL.1").value == D(5000)


def test_a_value_far_from_history_needs_confirmation(ll, staf):
    line = line_of(ll, "IKU.1")
    item = LineInput(line.indicator_id, line.version, value=D(30000))
    with pytest.raises(ConfirmationRequired) as exc:
        services.save_lines(submission=ll, lines=[item], by=staf)
    assert "IKU.1" in exc.value.warnings[0]
    assert line_of(ll, "IKU.1").value is None
    services.save_lines(submission=ll, lines=[item], by=staf, confirmed_warnings=True)
    assert line_of(ll, "IKU.1").value == D(30000)


# Submitting


def test_an_incomplete_submission_is_refused_with_what_is_missing(ll, staf):
    first, second = line_of(ll, "IKU.1"), line_of(ll, "IKK.LL.1")
    services.save_lines(submission=ll, by=staf, lines=[LineInput(first.indicator_id, first.version, value=D(300))])
    ll = fresh(ll)
    with pytest.raises(LineProblems) as exc:
        services.submit(submission=ll, version=ll.version, by=staf)
    assert "evidence" in exc.value.by_line[first.indicator_id]  # a value without its evidence
    assert "value" in exc.value.by_line[second.indicator_id]  # a blank without a no-data reason
    assert fresh(ll).status == S.DRAFT and not ll.reviews.exists()


def test_a_no_data_line_needs_no_evidence(ll, staf):
    fill(ll, staf)
    attach_evidence(ll, staf)
    line = line_of(ll, "IKU.1")
    services.save_lines(
        submission=ll, by=staf, lines=[LineInput(line.indicator_id, line.version, no_data=True, no_data_reason="x")]
    )
    Evidence.objects.filter(line=line).delete()
    ll = fresh(ll)
    assert services.submit(submission=ll, version=ll.version, by=staf).status == S.SUBMITTED


def test_a_complete_submission_waits_for_the_division_head(ll, staf, kabid):
    ll = complete(ll, staf)
    submission = services.submit(submission=ll, version=ll.version, by=staf)
    submission = fresh(submission)
    assert submission.status == S.SUBMITTED and submission.awaiting.title == KABID_LL
    assert submission.submitted_by == staf and submission.round == 1
    assert Notification.objects.filter(user=kabid, submission=submission, key__startswith="review:").count() == 1


def test_a_double_submit_is_one_submission(ll, staf):
    ll = complete(ll, staf)
    version = ll.version
    services.submit(submission=ll, version=version, by=staf)
    again = services.submit(submission=fresh(ll), version=version, by=staf)
    assert again.status == S.SUBMITTED
    assert ll.reviews.filter(decision=Review.Decision.SUBMITTED).count() == 1
    assert AuditEvent.objects.filter(action="collection.submission.submitted", object_id=str(ll.pk)).count() == 1


def test_withdraw_before_review_but_not_after_approval(ll, staf, kabid):
    submission = submitted(ll, staf)
    submission = services.withdraw(submission=submission, version=submission.version, by=staf)
    assert fresh(submission).status == S.DRAFT and fresh(submission).awaiting is None
    submission = services.submit(submission=fresh(submission), version=fresh(submission).version, by=staf)
    submission = services.approve(submission=fresh(submission), version=fresh(submission).version, by=kabid)
    with pytest.raises(TransitionRefused):
        services.withdraw(submission=fresh(submission), version=fresh(submission).version, by=staf)
    assert fresh(submission).status == S.APPROVED


# Reviewing


@pytest.mark.parametrize("username", ["staf", "kasie", "perencanaan", "inspektorat", "kadis", "sekretaris"])
def test_only_the_awaited_reviewer_approves(ll, staf, username, django_user_model):
    submission = submitted(ll, staf)
    with pytest.raises(PermissionDenied):
        services.approve(
            submission=fresh(submission),
            version=submission.version,
            by=django_user_model.objects.get(username=username),
        )
    assert fresh(submission).status == S.SUBMITTED


def test_the_division_head_approves_for_the_planning_head(ll, staf, kabid, perencanaan):
    submission = submitted(ll, staf)
    submission = services.approve(submission=fresh(submission), version=submission.version, by=kabid, note="Oke")
    assert fresh(submission).status == S.APPROVED and fresh(submission).awaiting is None
    review = submission.reviews.get(decision=Review.Decision.APPROVED)
    assert review.by == kabid and review.position.title == KABID_LL and review.note == "Oke"
    assert Notification.objects.filter(user=perencanaan, key__startswith="verify:").exists()


def test_the_acting_head_reviews_the_division_he_acts_for(opened, kabid):
    sp = division_submission(opened, "Bidang Sarana dan Prasarana")
    # Nobody with a login prepares for this division in the demo: the test gives kasie a seat there.
    seat = Position.objects.get(title="Kepala Seksi Sarana Perhubungan")
    preparer = Employee.objects.get(user__username="kasie")
    Assignment.objects.create(
        employee=preparer, position=seat, kind=Assignment.Kind.ACTING, acting_title="Plh.", start_date=date(2026, 1, 1)
    )
    from kinerja.accounts.models import User

    kasie = User.objects.get(username="kasie")
    submission = submitted(sp, kasie)
    assert fresh(submission).awaiting.title == KABID_SP
    submission = services.approve(submission=fresh(submission), version=fresh(submission).version, by=kabid)
    assert submission.reviews.get(decision=Review.Decision.APPROVED).position.title == KABID_SP


def test_return_needs_a_note_and_puts_remarks_on_the_lines(ll, staf, kabid):
    submission = submitted(ll, staf)
    line = line_of(ll, "IKU.1")
    with pytest.raises(ValidationError) as exc:
        services.return_submission(submission=fresh(submission), version=submission.version, by=kabid, note="  ")
    assert "note" in exc.value.error_dict
    assert fresh(submission).status == S.SUBMITTED
    services.return_submission(
        submission=fresh(submission), version=submission.version, by=kabid, note="Periksa lagi",
        remarks={line.indicator_id: "Angka tidak sesuai rekap Satlantas", 999999: "ignored"},
    )  # fmt: skip
    submission = fresh(submission)
    assert submission.status == S.RETURNED and submission.returns == 1 and submission.awaiting is None
    assert line_of(ll, "IKU.1").remark == "Angka tidak sesuai rekap Satlantas"
    assert line_of(ll, "IKK.LL.1").remark == ""
    review = submission.reviews.get(decision=Review.Decision.RETURNED)
    assert review.note == "Periksa lagi" and [r.remark for r in review.remarks.all()] == [
        "Angka tidak sesuai rekap Satlantas"
    ]
    assert Notification.objects.filter(user=staf, kind=Notification.Kind.RETURNED, body="Periksa lagi").exists()
    # Corrected and submitted again: the second round.
    line = line_of(ll, "IKU.1")
    services.save_lines(
        submission=submission, by=staf, lines=[LineInput(line.indicator_id, line.version, value=D(301))]
    )
    submission = services.submit(submission=fresh(submission), version=fresh(submission).version, by=staf)
    assert fresh(submission).round == 2 and fresh(submission).status == S.SUBMITTED


@pytest.mark.parametrize("username", ["staf", "perencanaan", "inspektorat"])
def test_only_the_awaited_reviewer_returns_a_submitted_one(ll, staf, username, django_user_model):
    submission = submitted(ll, staf)
    with pytest.raises(PermissionDenied):
        services.return_submission(
            submission=fresh(submission), version=submission.version, note="x",
            by=django_user_model.objects.get(username=username),
        )  # fmt: skip


def test_the_planning_head_returns_an_approved_one(ll, staf, kabid, perencanaan):
    submission = approved(ll, staf, kabid)
    with pytest.raises(PermissionDenied):
        services.return_submission(submission=fresh(submission), version=submission.version, by=kabid, note="x")
    services.return_submission(submission=fresh(submission), version=submission.version, by=perencanaan, note="Bukti")
    assert fresh(submission).status == S.RETURNED
    assert submission.reviews.get(decision=Review.Decision.RETURNED).by == perencanaan


def test_verify_writes_the_realisations_and_locks(ll, staf, kabid, perencanaan):
    submission = approved(ll, staf, kabid)
    line = line_of(ll, "IKU.1")
    for user in (kabid, staf):
        with pytest.raises(PermissionDenied):
            services.verify(submission=fresh(submission), version=submission.version, by=user)
    assert not Realization.objects.filter(indicator=line.indicator, year=2026, quarter=4).exists()
    submission = services.verify(submission=fresh(submission), version=submission.version, by=perencanaan)
    assert fresh(submission).status == S.VERIFIED
    row = Realization.objects.get(indicator=line.indicator, year=2026, quarter=4)
    assert row.value == line.value and row.value is not None
    assert Realization.objects.filter(indicator__in=ll.request.indicators.all(), year=2026, quarter=4).count() == (
        ll.lines.count()
    )
    with pytest.raises(TransitionRefused):
        services.save_lines(
            submission=fresh(submission), by=staf, confirmed_warnings=True,
            lines=[LineInput(line.indicator_id, line.version, value=line.value + 1)],
        )  # fmt: skip
    assert line_of(ll, "IKU.1").value == line.value
    assert Notification.objects.filter(user=staf, kind=Notification.Kind.DONE, submission=submission).exists()


def test_verify_overwrites_a_prefilled_realisation(dishub, perencanaan, staf, kabid):
    opened = open_period(dishub, perencanaan, year=2026, quarter=3)
    submission = division_submission(opened)
    line = line_of(submission, "IKU.1")
    services.save_lines(
        submission=submission, by=staf, confirmed_warnings=True,
        lines=[LineInput(line.indicator_id, line.version, value=line.value + 1)],
    )  # fmt: skip
    attach_evidence(submission, staf)
    submission = services.submit(submission=fresh(submission), version=fresh(submission).version, by=staf)
    submission = services.approve(submission=fresh(submission), version=submission.version, by=kabid)
    services.verify(submission=fresh(submission), version=submission.version, by=perencanaan)
    assert Realization.objects.get(indicator=line.indicator, year=2026, quarter=3).value == line.value + 1


def test_reopen_needs_the_planning_head_and_a_reason(ll, staf, kabid, perencanaan):
    submission = approved(ll, staf, kabid)
    submission = services.verify(submission=fresh(submission), version=submission.version, by=perencanaan)
    with pytest.raises(PermissionDenied):
        services.reopen(submission=fresh(submission), version=submission.version, reason="x", by=kabid)
    with pytest.raises(ValidationError) as exc:
        services.reopen(submission=fresh(submission), version=submission.version, reason=" ", by=perencanaan)
    assert "reason" in exc.value.error_dict
    services.reopen(submission=fresh(submission), version=submission.version, reason="Salah ketik", by=perencanaan)
    submission = fresh(submission)
    assert submission.status == S.RETURNED and submission.editable
    assert submission.reviews.get(decision=Review.Decision.REOPENED).note == "Salah ketik"
    # The verified figures stay until the correction is verified.
    line = line_of(ll, "IKU.1")
    assert Realization.objects.get(indicator=line.indicator, year=2026, quarter=4).value == line.value


def test_two_approvals_of_the_same_version_one_wins_and_the_other_is_told_who(ll, staf, kabid, sekretaris):
    # The secretary stands in for the division head (Plh.), so two people may approve.
    Assignment.objects.create(
        employee=Employee.objects.get(user=sekretaris), position=Position.objects.get(title=KABID_LL),
        kind=Assignment.Kind.ACTING, acting_title="Plh.", start_date=date(2026, 1, 1),
    )  # fmt: skip
    submission = submitted(ll, staf)
    first, second = fresh(submission), fresh(submission)
    services.approve(submission=first, version=first.version, by=kabid)
    with pytest.raises(TransitionRefused) as exc:
        services.approve(submission=second, version=second.version, by=sekretaris)
    assert who(kabid) in exc.value.messages[0]
    assert submission.reviews.filter(decision=Review.Decision.APPROVED).count() == 1


def test_an_approval_from_a_stale_form_is_refused(ll, staf, kabid):
    submission = submitted(ll, staf)
    stale_version = submission.version
    services.withdraw(submission=fresh(submission), version=submission.version, by=staf)
    services.submit(submission=fresh(submission), version=fresh(submission).version, by=staf)
    with pytest.raises(TransitionRefused) as exc:
        services.approve(submission=fresh(submission), version=stale_version, by=kabid)
    assert who(staf) in exc.value.messages[0]
    assert fresh(submission).status == S.SUBMITTED


# Individual requests


def test_an_individual_request_climbs_the_chain_of_superiors(opened, staf, kasie, kabid, perencanaan):
    submission = individual_submission(opened, ANALIS)
    with pytest.raises(PermissionDenied):  # the division's section head does not fill in an employee's IKI
        services.save_lines(
            submission=submission, by=kasie,
            lines=[LineInput(submission.lines.first().indicator_id, 1, value=D(20))],
        )  # fmt: skip
    submission = submitted(submission, staf)
    assert fresh(submission).status == S.SUBMITTED and fresh(submission).awaiting.title == KASIE_MRLL
    with pytest.raises(PermissionDenied):
        services.approve(submission=fresh(submission), version=fresh(submission).version, by=kabid)
    services.approve(submission=fresh(submission), version=fresh(submission).version, by=kasie)
    assert fresh(submission).status == S.SUBMITTED and fresh(submission).awaiting.title == KABID_LL
    assert Notification.objects.filter(user=kabid, submission=submission, key__startswith="review:").exists()
    with pytest.raises(PermissionDenied):
        services.approve(submission=fresh(submission), version=fresh(submission).version, by=kasie)
    services.approve(submission=fresh(submission), version=fresh(submission).version, by=kabid)
    assert fresh(submission).status == S.APPROVED and fresh(submission).awaiting is None
    assert [r.by for r in submission.reviews.filter(decision=Review.Decision.APPROVED)] == [kasie, kabid]
    services.verify(submission=fresh(submission), version=fresh(submission).version, by=perencanaan)
    assert fresh(submission).status == S.VERIFIED


def test_a_superior_returns_an_individual_submission_to_the_employee(opened, staf, kasie):
    submission = submitted(individual_submission(opened, ANALIS), staf)
    services.return_submission(submission=fresh(submission), version=submission.version, by=kasie, note="Lengkapi")
    assert fresh(submission).status == S.RETURNED
    assert Notification.objects.filter(user=staf, kind=Notification.Kind.RETURNED, submission=submission).exists()


# Evidence


def test_evidence_is_checked_hashed_and_stored_privately(ll, staf, evidence_in_tmp):
    line = line_of(ll, "IKU.1")
    evidence = services.add_evidence(line=line, data=pdf("a"), name="../../rekap laka.pdf", by=staf)
    assert evidence.kind == "pdf" and evidence.size == len(pdf("a")) and len(evidence.sha256) == 64
    assert "/" not in evidence.name and evidence.name.endswith(".pdf")
    assert evidence_in_tmp.exists(evidence.file.name)
    with evidence.file.open("rb") as handle:
        assert handle.read() == pdf("a")
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(line=line, data=pdf("a"), name="lagi.pdf", by=staf)
    assert "already attached" in str(exc.value.error_dict["file"])
    assert Evidence.objects.filter(line=line).count() == 1


def test_a_script_named_as_an_image_is_refused(ll, staf, evidence_in_tmp):
    line = line_of(ll, "IKU.1")
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(line=line, data=b"<?php system($_GET['c']); ?>", name="foto.png", by=staf)
    assert "file" in exc.value.error_dict
    assert not Evidence.objects.filter(line=line).exists()
    assert not any(p.is_file() for p in Path(evidence_in_tmp.location).rglob("*"))


@pytest.mark.parametrize("username", ["kabid", "inspektorat"])
def test_only_preparers_add_evidence(ll, username, django_user_model):
    with pytest.raises(PermissionDenied):
        services.add_evidence(
            line=line_of(ll, "IKU.1"), data=pdf("a"), name="a.pdf", by=django_user_model.objects.get(username=username)
        )


def test_removing_evidence_before_the_first_submission_deletes_it(
    ll, staf, evidence_in_tmp, django_capture_on_commit_callbacks
):
    evidence = services.add_evidence(line=line_of(ll, "IKU.1"), data=pdf("a"), name="a.pdf", by=staf)
    stored = evidence.file.name
    assert evidence_in_tmp.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(evidence=evidence, reason="", by=staf)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not evidence_in_tmp.exists(stored)
    assert AuditEvent.objects.filter(action="collection.evidence.removed", actor=staf).exists()


def test_removing_evidence_a_reviewer_saw_keeps_it_with_a_reason(ll, staf, kabid):
    submission = submitted(ll, staf)
    services.return_submission(submission=fresh(submission), version=submission.version, by=kabid, note="Bukti")
    evidence = Evidence.objects.get(line=line_of(ll, "IKU.1"))
    with pytest.raises(ValidationError) as exc:
        services.remove_evidence(evidence=evidence, reason=" ", by=staf)
    assert "reason" in exc.value.error_dict
    services.remove_evidence(evidence=evidence, reason="Salah berkas", by=staf)
    evidence.refresh_from_db()
    assert evidence.removed_at is not None and evidence.removed_by == staf and evidence.removal_reason == "Salah berkas"
    # The same file may be attached again once the old one is removed.
    again = services.add_evidence(line=line_of(ll, "IKU.1"), data=pdf(f"{evidence.line_id}"), name="a.pdf", by=staf)
    assert again.sha256 == evidence.sha256 and again.pk != evidence.pk
    # Without current evidence the line is incomplete again.
    services.remove_evidence(evidence=again, reason="Salah lagi", by=staf)
    with pytest.raises(LineProblems):
        services.submit(submission=fresh(submission), version=fresh(submission).version, by=staf)


def test_evidence_cannot_change_once_submitted(ll, staf):
    submission = submitted(ll, staf)
    evidence = Evidence.objects.filter(line__submission=submission).first()
    with pytest.raises(TransitionRefused):
        services.add_evidence(line=line_of(ll, "IKU.1"), data=pdf("new"), name="a.pdf", by=staf)
    with pytest.raises(TransitionRefused):
        services.remove_evidence(evidence=evidence, reason="x", by=staf)


# Two reviewers at the same moment, on real connections


def while_locked(call):  # type: ignore[no-untyped-def]
    """Runs `call` again while SQLite's in-memory test database is locked by the other thread. The shared-cache
    memory database fails at once where the file database of a real installation waits (its busy timeout);
    PostgreSQL waits by itself. A failed attempt was rolled back whole, so running it again is what waiting is."""
    for _attempt in range(500):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.01)
    return call()


@pytest.mark.django_db(transaction=True)
def test_two_threads_approving_at_once_one_wins(demo_for_browser):
    from kinerja.accounts.models import User
    from kinerja.org.models import Agency

    dishub = Agency.objects.get(short_name="Dishub")
    kabid, staf, sekretaris, perencanaan = (
        User.objects.get(username=u) for u in ("kabid", "staf", "sekretaris", "perencanaan")
    )
    Assignment.objects.create(
        employee=Employee.objects.get(user=sekretaris), position=Position.objects.get(title=KABID_LL),
        kind=Assignment.Kind.ACTING, acting_title="Plh.", start_date=date(2026, 1, 1),
    )  # fmt: skip
    submission = submitted(division_submission(open_period(dishub, perencanaan)), staf)
    version = submission.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def approve(username: str) -> None:
        try:
            user = while_locked(lambda: User.objects.get(username=username))
            mine = while_locked(lambda: fresh(submission))
            while_locked(lambda: holds(user, mine.awaiting_id))  # reads the assignments before the race
            barrier.wait(timeout=10)
            with translation.override("en"):
                while_locked(lambda: services.approve(submission=mine, version=version, by=user))
            outcomes[username] = "approved"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("kabid", "sekretaris")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if outcome == "approved"]
    assert len(winners) == 1, outcomes
    loser = next(outcome for outcome in outcomes.values() if outcome != "approved")
    assert isinstance(loser, TransitionRefused), loser
    winner = User.objects.get(username=winners[0])
    assert who(winner) in loser.messages[0]
    assert fresh(submission).status == S.APPROVED
    assert submission.reviews.filter(decision=Review.Decision.APPROVED).count() == 1
    assert AuditEvent.objects.filter(action="collection.submission.approved", object_id=str(submission.pk)).count() == 1


def test_an_individual_request_without_a_superior_below_the_head_goes_to_the_planning_head(opened, kasie, perencanaan):
    # The head of the UPT answers to the Kepala Dinas, who reviews nobody's IKI: nobody approves it in between.
    Assignment.objects.create(
        employee=Employee.objects.get(user=kasie), position=Position.objects.get(title="Kepala UPT Pengujian Kendaraan Bermotor"),
        kind=Assignment.Kind.ACTING, acting_title="Plh.", start_date=date(2026, 1, 1),
    )  # fmt: skip
    from kinerja.accounts.models import User

    kasie = User.objects.get(pk=kasie.pk)  # without the cached assignments
    submission = individual_submission(opened, "Kepala UPT Pengujian Kendaraan Bermotor")
    assert submission.request.reviewer is None
    submission = submitted(submission, kasie)
    assert fresh(submission).status == S.APPROVED and fresh(submission).awaiting is None
    assert Notification.objects.filter(user=perencanaan, submission=submission, key__startswith="verify:").exists()
