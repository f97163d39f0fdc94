"""The daily round of the collection (`manage.py tick`): reminders before the due date, overdue notices after
it, escalation to the reviewer and then to the planning head, and the emails of all of them.

Every notice has a key unique per user (see notify.post), and every email is claimed before it is sent, so
running the round twice, or on two machines at once, tells each person each thing once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.collection import notify, services
from kinerja.collection.models import Notification, ReportingPeriod, Submission
from kinerja.lib.workdays import working_days_between

K = Notification.Kind


@dataclass
class TickResult:
    today: date
    periods: int = 0
    submissions: int = 0  # editable submissions looked at
    notices: Counter[str] = field(default_factory=Counter)  # new notices by key prefix
    emails: int = 0
    digests: int = 0

    def summary(self) -> str:
        parts = ", ".join(f"{name} {count}" for name, count in sorted(self.notices.items())) or "none"
        return (
            f"tick {self.today.isoformat()}: {self.periods} open period(s), {self.submissions} submission(s) "
            f"not yet submitted; new notices: {parts}; {self.emails} email(s), {self.digests} digest(s) sent"
        )


def _due(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _post(result: TickResult, name: str, users, **values) -> None:  # type: ignore[no-untyped-def]
    created = notify.post(users, **values)
    if created:
        result.notices[name] += len(created)


def remind(submission: Submission, *, today: date, result: TickResult) -> None:
    """The notices one editable submission calls for today. Runs inside a transaction."""
    request = submission.request
    period = request.period
    due = period.due_on
    config = services.settings_of(period.agency)
    label = notify._label(submission)
    url = notify._submission_url(submission)
    common = {"submission": submission, "url": url}
    if due - timedelta(days=config.remind_days_before) <= today <= due:
        _post(
            result, "reminder", notify.preparers(request), kind=K.REMINDER, key=f"reminder:{submission.pk}:{due}",
            title=_("Due on %(due)s: %(what)s") % {"due": _due(due), "what": label},
            body=_("Enter the realisations and evidence and submit them by %(due)s.") % {"due": _due(due)}, **common,
        )  # fmt: skip
        return
    if today <= due:
        return
    _post(
        result, "overdue", notify.preparers(request), kind=K.OVERDUE, key=f"overdue:{submission.pk}:{due}",
        title=_("Overdue since %(due)s: %(what)s") % {"due": _due(due), "what": label},
        body=_("The data was due on %(due)s. Submit it as soon as you can.") % {"due": _due(due)}, **common,
    )  # fmt: skip
    if request.reviewer_id is not None:
        _post(
            result, "escalated-reviewer", notify.holders([request.reviewer]), kind=K.ESCALATED,
            key=f"escalated-reviewer:{submission.pk}:{due}",
            title=_("Not submitted yet, due on %(due)s: %(what)s") % {"due": _due(due), "what": label},
            body=_("The data you review was due on %(due)s and has not been submitted.") % {"due": _due(due)},
            **common,
        )  # fmt: skip
    holidays = services.holidays_of(period.agency, due, today)
    late = working_days_between(due, today, holidays)
    if late >= config.escalate_after_days:
        _post(
            result, "escalated-planning", notify.planners(period.agency_id), kind=K.ESCALATED,
            key=f"escalated-planning:{submission.pk}:{due}",
            title=_("%(days)s working days late: %(what)s") % {"days": late, "what": label},
            body=_("The data was due on %(due)s and has not been submitted.") % {"due": _due(due)}, **common,
        )  # fmt: skip


def run_tick(today: date) -> TickResult:
    """Writes the notices `today` calls for, then sends the emails not sent yet and the daily digests."""
    result = TickResult(today=today)
    for period in ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN).select_related("agency"):
        result.periods += 1
        submissions = Submission.objects.filter(request__period=period, status__in=Submission.EDITABLE).select_related(
            "request__period__agency", "request__unit", "request__position", "request__reviewer"
        )
        for submission in submissions:
            result.submissions += 1
            with transaction.atomic():
                remind(submission, today=today, result=result)
    result.emails = notify.send_pending()
    result.digests = notify.send_digests(on=today)
    return result
