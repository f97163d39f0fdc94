"""The daily round (`manage.py tick`): the right notice on the right day, each once, and the emails once."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from kinerja.collection import notify, services
from kinerja.collection.models import CollectionSettings, Notification
from kinerja.collection.reminders import run_tick
from kinerja.collection.tests.helpers import (
    division_submission,
    individual_submission,
    open_period,
    patch_submission_url,
    submitted,
    use_tmp_evidence_storage,
)
from kinerja.org.models import Holiday

pytestmark = pytest.mark.django_db
K = Notification.Kind
DUE = date(2027, 1, 11)  # 2026 TW IV: the 10th is a Sunday
ANALIS = "Analis Lalu Lintas"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def setup(settings, monkeypatch, tmp_path):
    patch_submission_url(monkeypatch)
    use_tmp_evidence_storage(settings, monkeypatch, tmp_path)


@pytest.fixture
def people(staf, kasie, kabid, perencanaan):
    for user in (staf, kasie, kabid, perencanaan):
        user.email = f"{user.username}@dishub.example.go.id"
        user.save(update_fields=["email"])
    return {"staf": staf, "kasie": kasie, "kabid": kabid, "perencanaan": perencanaan}


@pytest.fixture
def opened(dishub, perencanaan, people, mailoutbox):
    opened = open_period(dishub, perencanaan)
    assert opened.period.due_on == DUE
    notify.send_pending()  # the "assigned" notices of the opening, emailed on its commit in real use
    mailoutbox.clear()
    return opened


@pytest.fixture
def ll(opened):
    return division_submission(opened)


def keys(user, kind: str | None = None) -> set[str]:
    rows = Notification.objects.filter(user=user).exclude(kind=K.ASSIGNED)
    if kind:
        rows = rows.filter(kind=kind)
    return set(rows.values_list("key", flat=True))


def new_notices() -> int:
    return Notification.objects.exclude(kind=K.ASSIGNED).count()


def test_nothing_before_the_reminder_days(opened, mailoutbox):
    result = run_tick(date(2027, 1, 7))
    assert new_notices() == 0 and mailoutbox == []
    assert result.periods == 1 and result.submissions == len(opened.requests) and not result.notices


def test_a_reminder_from_three_days_before_up_to_the_due_date_once(
    opened, ll, staf, kasie, kabid, perencanaan, mailoutbox
):
    individual = individual_submission(opened, ANALIS)
    run_tick(date(2027, 1, 8))
    assert keys(staf) == {f"reminder:{ll.pk}:{DUE}", f"reminder:{individual.pk}:{DUE}"}
    assert keys(kasie) == {f"reminder:{ll.pk}:{DUE}"}
    assert keys(kabid) == set()  # the reviewer is not a preparer
    sekretariat = division_submission(opened, "Sekretariat")
    assert keys(perencanaan) == {f"reminder:{sekretariat.pk}:{DUE}"}  # he prepares his subdivision's figures
    assert {m.to[0] for m in mailoutbox} == {staf.email, kasie.email, perencanaan.email}
    assert len(mailoutbox) == 4
    notice = Notification.objects.get(user=staf, submission=ll, kind=K.REMINDER)
    assert "11-01-2027" in notice.title and notice.url
    for day in (9, 10, 11):
        run_tick(date(2027, 1, day))
    assert len(mailoutbox) == 4 and keys(staf, K.OVERDUE) == set()


def test_after_the_due_date_overdue_to_the_preparers_and_escalated_to_the_reviewer(
    opened, ll, staf, kasie, kabid, perencanaan
):
    individual = individual_submission(opened, ANALIS)
    result = run_tick(date(2027, 1, 12))
    assert keys(staf, K.OVERDUE) == {f"overdue:{ll.pk}:{DUE}", f"overdue:{individual.pk}:{DUE}"}
    assert keys(kasie, K.OVERDUE) == {f"overdue:{ll.pk}:{DUE}"}
    assert f"escalated-reviewer:{ll.pk}:{DUE}" in keys(kabid, K.ESCALATED)
    assert f"escalated-reviewer:{individual.pk}:{DUE}" in keys(kasie, K.ESCALATED)  # the employee's superior
    assert keys(perencanaan, K.ESCALATED) == set()  # one working day late only
    assert result.notices["overdue"] > 0 and result.notices["escalated-reviewer"] > 0
    assert "escalated-planning" not in result.notices


def test_the_planning_head_hears_after_three_working_days_late(opened, ll, perencanaan):
    run_tick(date(2027, 1, 13))  # Wednesday: two working days late
    assert keys(perencanaan, K.ESCALATED) == set()
    result = run_tick(date(2027, 1, 14))  # Thursday: three
    assert f"escalated-planning:{ll.pk}:{DUE}" in keys(perencanaan, K.ESCALATED)
    assert result.notices["escalated-planning"] == len(opened.requests)
    assert "overdue" not in result.notices  # told already


def test_holidays_and_weekends_do_not_count_as_days_late(opened, ll, perencanaan):
    Holiday.objects.create(day=date(2027, 1, 13), name="Cuti bersama")
    run_tick(date(2027, 1, 14))
    assert keys(perencanaan, K.ESCALATED) == set()
    run_tick(date(2027, 1, 15))
    assert f"escalated-planning:{ll.pk}:{DUE}" in keys(perencanaan)


def test_the_agencys_settings_set_the_days(dishub, opened, ll, staf, perencanaan):
    CollectionSettings.objects.create(agency=dishub, remind_days_before=5, escalate_after_days=1)
    run_tick(date(2027, 1, 6))
    assert keys(staf, K.REMINDER)
    run_tick(date(2027, 1, 12))
    assert f"escalated-planning:{ll.pk}:{DUE}" in keys(perencanaan)


def test_a_submitted_one_is_not_reminded(opened, ll, staf, kasie, kabid):
    submitted(ll, staf)
    run_tick(date(2027, 1, 12))
    assert not Notification.objects.filter(submission=ll).exclude(kind=K.ASSIGNED).exists()
    # A returned one is editable again: it is late and its preparers hear so.
    ll.refresh_from_db()
    services.return_submission(submission=ll, version=ll.version, by=kabid, note="Perbaiki")
    run_tick(date(2027, 1, 13))
    assert f"overdue:{ll.pk}:{DUE}" in keys(kasie)


def test_a_new_due_date_reminds_again(opened, ll, staf, perencanaan):
    run_tick(date(2027, 1, 8))
    period = opened.period
    period.refresh_from_db()
    services.set_due_date(period=period, due_on=date(2027, 1, 20), version=period.version, by=perencanaan)
    run_tick(date(2027, 1, 12))
    assert keys(staf, K.OVERDUE) == set()
    run_tick(date(2027, 1, 18))
    assert f"reminder:{ll.pk}:2027-01-20" in keys(staf)


def test_a_closed_period_is_left_alone(opened):
    opened.period.status = opened.period.Status.CLOSED
    opened.period.save(update_fields=["status"])
    result = run_tick(date(2027, 1, 20))
    assert result.periods == 0 and new_notices() == 0


def test_running_twice_sends_nothing_the_second_time(opened, mailoutbox):
    first = run_tick(date(2027, 1, 14))
    count, sent = new_notices(), len(mailoutbox)
    assert sent == first.emails > 0
    second = run_tick(date(2027, 1, 14))
    assert new_notices() == count and len(mailoutbox) == sent
    assert not second.notices and second.emails == 0 and second.digests == 0


def test_the_command_prints_what_it_did_and_is_idempotent(opened, mailoutbox):
    out = StringIO()
    call_command("tick", "--today", "2027-01-12", stdout=out)
    line = out.getvalue().strip()
    assert line.startswith("tick 2027-01-12:") and "overdue" in line and "\n" not in line
    sent = len(mailoutbox)
    assert sent > 0
    out = StringIO()
    call_command("tick", "--today", "2027-01-12", stdout=out)
    assert "new notices: none" in out.getvalue() and len(mailoutbox) == sent


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("tick", "--today", "12-01-2027", stdout=StringIO())


def test_a_digest_user_gets_one_email_with_all_notices(opened, ll, staf, mailoutbox):
    services.set_digest(user=staf, daily=True)
    run_tick(date(2027, 1, 14))
    to_staf = [m for m in mailoutbox if staf.email in m.to]
    assert len(to_staf) == 1
    pending = Notification.objects.filter(user=staf, emailed_at__isnull=False).exclude(kind=K.ASSIGNED)
    assert pending.count() == 2  # overdue: the division's and the individual request
    for notice in pending:
        assert notice.title in to_staf[0].body
    assert "2" in to_staf[0].subject
    assert not Notification.objects.filter(user=staf, emailed_at__isnull=True).exists()
    run_tick(date(2027, 1, 14))
    assert len([m for m in mailoutbox if staf.email in m.to]) == 1


def test_a_digest_comes_once_a_day_and_holds_what_came_since(opened, ll, staf, mailoutbox):
    services.set_digest(user=staf, daily=True)
    run_tick(date(2027, 1, 8))
    run_tick(date(2027, 1, 9))
    assert len([m for m in mailoutbox if staf.email in m.to]) == 1
    run_tick(date(2027, 1, 12))
    to_staf = [m for m in mailoutbox if staf.email in m.to]
    assert len(to_staf) == 2 and "Overdue" in to_staf[1].body and "Due on" not in to_staf[1].body


def test_no_email_without_an_address_but_the_notice_is_done(opened, ll, kabid, mailoutbox):
    kabid.email = ""
    kabid.save(update_fields=["email"])
    run_tick(date(2027, 1, 12))
    notices = Notification.objects.filter(user=kabid, kind=K.ESCALATED)
    assert notices.exists()
    assert all(n.emailed_at is not None for n in notices)
    assert not [m for m in mailoutbox if not m.to or m.to == [""]]
    assert mailoutbox  # the others were emailed


def test_a_digest_user_without_an_address_is_marked_done(opened, ll, kasie, mailoutbox):
    kasie.email = ""
    kasie.save(update_fields=["email"])
    services.set_digest(user=kasie, daily=True)
    run_tick(date(2027, 1, 12))
    assert not Notification.objects.filter(user=kasie, emailed_at__isnull=True).exists()
    assert all("" not in m.to for m in mailoutbox)
