"""Notices of the collection: a row in the inbox of each person concerned, and an email for it.

A notice is written in the transaction of the change it tells of, with a key unique per user, so the
same notice never exists twice. Emails go out after the commit, each one claimed by a conditional
UPDATE first, so two processes (the request and `manage.py tick`, or two machines) never send the same
one twice. Users who asked for a daily digest get their notices in one email a day instead."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.collection.models import DataRequest, DigestPreference, Notification, Submission
from kinerja.collection.permissions import preparer_roles
from kinerja.org.models import Assignment, Position, Role
from kinerja.org.selectors import current_holders, descendant_ids

logger = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this was left by a process that died


def _users(assignments: Iterable[Assignment]) -> list[User]:
    users: dict[int, User] = {}
    for assignment in assignments:
        user = assignment.employee.user
        if user is not None and user.is_active:
            users[user.pk] = user
    return list(users.values())


def holders(positions: list[Position]) -> list[User]:
    found = current_holders(positions)
    return _users(a for rows in found.values() for a in rows)


def preparers(request: DataRequest) -> list[User]:
    if request.kind == DataRequest.Kind.INDIVIDUAL and request.position is not None:
        return holders([request.position])
    units = descendant_ids(request.unit)
    positions = list(
        Position.objects.filter(
            agency_id=request.period.agency_id, unit_id__in=units, role__in=list(preparer_roles(request)),
            is_active=True,
        ).exclude(pk=request.reviewer_id)
    )  # fmt: skip
    return holders(positions)


def planners(agency_id: int) -> list[User]:
    return holders(list(Position.objects.filter(agency_id=agency_id, role=Role.PLANNING_HEAD, is_active=True)))


def post(
    users: Iterable[User],
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
    submission: Submission | None,
    url: str,
    exclude: User | None = None,
) -> list[Notification]:
    """Writes a notice for each user who does not have it yet. Must run inside the change's transaction."""
    created: list[Notification] = []
    for user in users:
        if exclude is not None and user.pk == exclude.pk:
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user,
                        kind=kind,
                        key=key[:120],
                        title=title[:250],
                        body=body,
                        url=url,
                        submission=submission,
                    )  # fmt: skip
                )
        except IntegrityError:
            continue  # this notice exists already: never twice
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: send_pending(ids=ids))
    return created


def _submission_url(submission: Submission) -> str:
    return reverse("collection-submission", args=[submission.pk])


def _label(submission: Submission) -> str:
    request = submission.request
    who = request.position.title if request.position_id and request.position else request.unit.name
    return f"{who}, {request.period}"


def assigned(submission: Submission, *, by: User) -> None:
    request = submission.request
    due = request.period.due_on
    post(
        preparers(request), kind=Notification.Kind.ASSIGNED, key=f"assigned:{submission.pk}",
        title=_("Data requested: %(what)s") % {"what": _label(submission)},
        body=_("Enter the realisations and evidence by %(due)s.") % {"due": due.strftime("%d-%m-%Y")},
        submission=submission, url=_submission_url(submission), exclude=by,
    )  # fmt: skip


def waiting_for_review(submission: Submission, *, by: User) -> None:
    if submission.status == Submission.Status.APPROVED:
        users, key = planners(submission.request.period.agency_id), f"verify:{submission.pk}:{submission.version}"
        title = _("To verify: %(what)s") % {"what": _label(submission)}
    elif submission.awaiting_id is not None:
        users = holders([submission.awaiting])
        key = f"review:{submission.pk}:{submission.version}"
        title = _("To review: %(what)s") % {"what": _label(submission)}
    else:
        return
    post(
        users, kind=Notification.Kind.ASSIGNED, key=key, title=title, body="", submission=submission,
        url=_submission_url(submission), exclude=by,
    )  # fmt: skip


def returned(submission: Submission, *, note: str, by: User) -> None:
    post(
        preparers(submission.request), kind=Notification.Kind.RETURNED,
        key=f"returned:{submission.pk}:{submission.version}",
        title=_("Returned for correction: %(what)s") % {"what": _label(submission)}, body=note,
        submission=submission, url=_submission_url(submission), exclude=by,
    )  # fmt: skip


def verified(submission: Submission, *, by: User) -> None:
    post(
        preparers(submission.request), kind=Notification.Kind.DONE, key=f"verified:{submission.pk}:{submission.version}",
        title=_("Verified: %(what)s") % {"what": _label(submission)}, body="", submission=submission,
        url=_submission_url(submission), exclude=by,
    )  # fmt: skip


# Email


def _digest_user_ids(user_ids: set[int]) -> set[int]:
    return set(
        DigestPreference.objects.filter(user_id__in=user_ids, daily_digest=True).values_list("user_id", flat=True)
    )


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    return (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(email_claimed_at=now)
        == 1
    )


def send_pending(*, ids: Iterable[int] | None = None) -> int:
    """Emails the notices not emailed yet (those given, or all), except to users who take a daily digest.
    Returns the number of emails sent."""
    rows = Notification.objects.filter(emailed_at__isnull=True).select_related("user")
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    rows = list(rows)
    digest = _digest_user_ids({n.user_id for n in rows})
    sent = 0
    for notification in rows:
        if notification.user_id in digest or not _claim(notification.pk):
            continue
        if notification.user.email:
            try:
                with translation.override(settings.LANGUAGE_CODE):
                    send_mail(
                        subject=f"[Kinerja] {notification.title}",
                        message=f"{notification.body}\n\n{_site()}{notification.url}".strip(),
                        from_email=None, recipient_list=[notification.user.email],
                    )  # fmt: skip
            except Exception:  # a mail server that fails leaves the claim to expire, so tick tries again
                logger.warning("notice %s could not be emailed", notification.pk, exc_info=True)
                continue
            sent += 1
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


def send_digests(*, on: object) -> int:
    """One email a day to each digest user with the notices not emailed yet."""
    sent = 0
    prefs = DigestPreference.objects.filter(daily_digest=True).exclude(last_digest_on=on).select_related("user")
    for pref in prefs:
        claimed = (
            DigestPreference.objects.filter(pk=pref.pk, version=pref.version)
            .exclude(last_digest_on=on)
            .update(last_digest_on=on, version=pref.version + 1)
        )
        if claimed != 1:
            continue
        notices = list(Notification.objects.filter(user=pref.user, emailed_at__isnull=True).order_by("created_at"))
        if not notices:
            continue
        if pref.user.email:
            lines = [f"- {n.title}\n  {_site()}{n.url}" for n in notices]
            with translation.override(settings.LANGUAGE_CODE):
                send_mail(
                    subject=_("[Kinerja] %(count)s notices of the day") % {"count": len(notices)},
                    message="\n".join(lines), from_email=None, recipient_list=[pref.user.email],
                )  # fmt: skip
            sent += 1
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=timezone.now())
    return sent


def _site() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")
