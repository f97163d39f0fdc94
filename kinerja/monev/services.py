"""Changes to the quarter's monev: plans, visits, findings, recommendations and follow-ups.

Every change checks who makes it, runs in one transaction with its audit event, and tells the people who
must act through the inbox (collection.notify), once per notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event
from kinerja.collection import notify
from kinerja.collection.models import DataRequest, Evidence, Notification, ReportingPeriod, Submission, SubmissionLine
from kinerja.collection.selectors import days_late_of
from kinerja.collection.services import holidays_of, settings_of
from kinerja.lib.actions import ActionDone, announce
from kinerja.lib.uploads import UploadRefused, check_upload
from kinerja.lib.versioning import save_if_unchanged
from kinerja.measurement.selectors import IndicatorFigures, bands_of, figures, indicators_of, threshold_of
from kinerja.monev.models import (
    Attachment,
    EvaluationPlan,
    Finding,
    FollowUp,
    PlanItem,
    Reason,
    Recommendation,
    Visit,
)
from kinerja.monev.permissions import answerer, finding_recorder, may_edit_finding, require_runner
from kinerja.org.models import Agency, Position, Role, Unit
from kinerja.org.selectors import descendant_ids
from kinerja.planning.models import Indicator
from kinerja.planning.selectors import plan_for


def _announce(name: str, plan: EvaluationPlan, *, by: User) -> None:
    """Tells the SOP engine (seed 001 run as a case) that a monev step was done for the plan's quarter."""
    announce(ActionDone(
        name=name, agency_id=plan.agency_id, by=by, at=timezone.now(),
        subjects=(("monev.plan", plan.pk), ("collection.quarter", plan.year * 10 + plan.quarter)),
    ))  # fmt: skip


# Reasons in the order the plan page lists them.
REASON_ORDER = [r.value for r in Reason]


@dataclass
class Proposal:
    """An indicator the system proposes for the quarter's monev, with its figures and why."""

    indicator: Indicator
    row: IndicatorFigures | None
    reasons: list[str] = field(default_factory=list)


def _division_submissions(agency: Agency, year: int, quarter: int) -> tuple[ReportingPeriod | None, list[Submission]]:
    period = ReportingPeriod.objects.filter(agency=agency, year=year, quarter=quarter).first()
    if period is None:
        return None, []
    return period, list(Submission.objects.filter(request__period=period).select_related("request"))


def propose(agency: Agency, *, year: int, quarter: int, threshold: Decimal, on: date | None = None) -> list[Proposal]:
    """The indicators that need attention in the monev of `quarter`: achievement so far or projected for the year
    below `threshold`, data late or returned, no evidence for a reported figure, or an open recommendation."""
    plan = plan_for(agency, year)
    if plan is None:
        return []
    indicators = list(indicators_of(agency, plan))
    rows = figures(agency, year=year, upto=quarter, indicators=indicators, bands=bands_of(agency), threshold=threshold)
    proposals = {row.indicator.pk: Proposal(indicator=row.indicator, row=row) for row in rows}
    for row in rows:
        reasons = proposals[row.indicator.pk].reasons
        if row.percent is not None and row.percent < threshold:
            reasons.append(Reason.BELOW_THRESHOLD)
        if row.projection is not None and row.projection.at_risk:
            reasons.append(Reason.PROJECTED_AT_RISK)
    period, submissions = _division_submissions(agency, year, quarter)
    if period is not None:
        on = on or timezone.localdate()
        holidays = holidays_of(agency, period.due_on, max(on, period.due_on))
        late_requests: set[int] = set()
        returned_requests: set[int] = set()
        for submission in submissions:
            if days_late_of(submission.status, submission.submitted_at, period.due_on, on, holidays) > 0:
                late_requests.add(submission.request_id)
            if submission.returns:
                returned_requests.add(submission.request_id)
        for request_id, indicator_id in DataRequest.indicators.through.objects.filter(
            datarequest__period=period
        ).values_list("datarequest_id", "indicator_id"):
            if indicator_id not in proposals:
                continue
            if request_id in late_requests:
                _add(proposals[indicator_id], Reason.LATE)
            if request_id in returned_requests:
                _add(proposals[indicator_id], Reason.RETURNED)
        reported = SubmissionLine.objects.filter(submission__request__period=period).filter(
            Q(value__isnull=False) | ~Q(text="")
        )
        with_evidence = set(
            Evidence.objects.filter(line__submission__request__period=period, removed_at__isnull=True).values_list(
                "line__indicator_id", flat=True
            )
        )
        for indicator_id in reported.values_list("indicator_id", flat=True):
            if indicator_id in proposals and indicator_id not in with_evidence:
                _add(proposals[indicator_id], Reason.NO_EVIDENCE)
    for indicator_id in (
        open_recommendations(agency).exclude(finding__indicator=None).values_list("finding__indicator_id", flat=True)
    ):
        if indicator_id in proposals:
            _add(proposals[indicator_id], Reason.OPEN_RECOMMENDATION)
    for proposal in proposals.values():
        proposal.reasons.sort(key=REASON_ORDER.index)
    return [p for p in proposals.values() if p.reasons]


def _add(proposal: Proposal, reason: str) -> None:
    if reason not in proposal.reasons:
        proposal.reasons.append(reason)


def open_recommendations(agency: Agency, *, before: EvaluationPlan | None = None):  # type: ignore[no-untyped-def]
    """The agency's recommendations not yet closed, oldest due first (of plans before `before`, if given)."""
    rows = Recommendation.objects.filter(finding__visit__plan__agency=agency).exclude(
        status=Recommendation.Status.CLOSED
    )
    if before is not None:
        rows = rows.filter(
            Q(finding__visit__plan__year__lt=before.year)
            | Q(finding__visit__plan__year=before.year, finding__visit__plan__quarter__lt=before.quarter)
        )
    return rows.select_related("finding__indicator", "finding__visit__unit", "responsible").order_by("due_on", "pk")


def create_plan(
    *, agency: Agency, year: int, quarter: int, threshold: Decimal | None = None, by: User
) -> EvaluationPlan:
    """The quarter's monev plan, its scope being what `propose` finds; the planning head may change it."""
    acting = require_runner(by, agency)
    threshold = threshold_of(agency) if threshold is None else threshold
    proposals = propose(agency, year=year, quarter=quarter, threshold=threshold)
    try:
        with transaction.atomic():
            plan = EvaluationPlan.objects.create(
                agency=agency, year=year, quarter=quarter, threshold=threshold, created_by=by
            )
            PlanItem.objects.bulk_create(
                [PlanItem(plan=plan, indicator=p.indicator, reasons=p.reasons) for p in proposals]
            )
            record_event(
                action="monev.plan.created", actor=by, acting_as=acting, agency=agency, target=plan,
                after={"year": year, "quarter": quarter, "threshold": str(threshold),
                       "indicators": [p.indicator.code for p in proposals]},
            )  # fmt: skip
            _announce("monev.plan", plan, by=by)
    except IntegrityError as exc:
        raise ValidationError(_("The monev of this quarter has already been planned.")) from exc
    return plan


def set_scope(*, plan: EvaluationPlan, indicator_ids: list[int], notes: str, version: int, by: User) -> None:
    """The indicators in the plan's scope: those proposed keep their reasons, others are the planning head's."""
    acting = require_runner(by, plan.agency)
    chosen = set(indicator_ids)
    known = set(Indicator.objects.filter(pk__in=chosen, agency=plan.agency).values_list("pk", flat=True))
    if known != chosen:
        raise ValidationError(_("Choose indicators of this agency only."))
    proposed = {
        p.indicator.pk: p.reasons
        for p in propose(plan.agency, year=plan.year, quarter=plan.quarter, threshold=plan.threshold)
    }
    with transaction.atomic():
        before = sorted(plan.items.values_list("indicator_id", flat=True))
        plan.notes = notes
        save_if_unchanged(plan, version=version, fields=["notes"])
        plan.items.exclude(indicator_id__in=chosen).delete()
        have = set(plan.items.values_list("indicator_id", flat=True))
        PlanItem.objects.bulk_create(
            [
                PlanItem(plan=plan, indicator_id=pk, reasons=proposed.get(pk) or [Reason.CHOSEN.value])
                for pk in sorted(chosen - have)
            ]
        )
        record_event(
            action="monev.plan.scoped", actor=by, acting_as=acting, agency=plan.agency, target=plan,
            before={"indicators": before}, after={"indicators": sorted(chosen), "notes": notes},
        )  # fmt: skip


def _division_ok(plan: EvaluationPlan, unit: Unit) -> None:
    if unit.agency_id != plan.agency_id:
        raise ValidationError({"unit": _("Choose a division of this agency.")})


def schedule_visit(*, plan: EvaluationPlan, unit: Unit, scheduled_on: date, evaluators: list[User], by: User) -> Visit:
    acting = require_runner(by, plan.agency)
    _division_ok(plan, unit)
    if not evaluators:
        raise ValidationError({"evaluators": _("Name at least one evaluator.")})
    try:
        with transaction.atomic():
            visit = Visit.objects.create(plan=plan, unit=unit, scheduled_on=scheduled_on, created_by=by)
            visit.evaluators.set(evaluators)
            record_event(
                action="monev.visit.scheduled", actor=by, acting_as=acting, agency=plan.agency, target=visit,
                after={"unit": unit.name, "scheduled_on": scheduled_on.isoformat(),
                       "evaluators": sorted(u.username for u in evaluators)},
            )  # fmt: skip
            _tell_division(visit, by=by)
            _announce("monev.schedule", plan, by=by)
    except IntegrityError as exc:
        raise ValidationError({"unit": _("This division already has a visit in this monev.")}) from exc
    return visit


def _unit_people(unit: Unit, roles: frozenset[str] | set[str]) -> list[User]:
    units = descendant_ids(unit)
    positions = list(Position.objects.filter(unit_id__in=units, role__in=roles, is_active=True))
    return notify.holders(positions)


def _tell_division(visit: Visit, *, by: User) -> None:
    """The division head, and the evaluators on the team, hear of the visit."""
    people = _unit_people(visit.unit, {Role.DIVISION_HEAD}) + list(visit.evaluators.all())
    url = reverse("monev-visit", args=[visit.pk])
    notify.post(
        people, kind=Notification.Kind.ASSIGNED, key=f"monev-visit-{visit.pk}",
        title=_("Monev visit on %(day)s") % {"day": visit.scheduled_on.strftime("%d-%m-%Y")},
        body=_("The monev of %(plan)s visits %(unit)s.") % {"plan": visit.plan, "unit": visit.unit.name},
        submission=None, url=url, exclude=by,
    )  # fmt: skip


def record_visit(*, visit: Visit, held_on: date, summary: str, version: int, by: User) -> Visit:
    acting = finding_recorder(by, visit)
    if acting is None:
        raise PermissionDenied
    if held_on < visit.scheduled_on - timedelta(days=366):
        raise ValidationError({"held_on": _("The date held is more than a year before the date planned.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A visit cannot be recorded as held in the future.")})
    with transaction.atomic():
        before = visit.status
        visit.status, visit.held_on, visit.summary = Visit.Status.HELD, held_on, summary
        save_if_unchanged(visit, version=version, fields=["status", "held_on", "summary"])
        record_event(
            action="monev.visit.held", actor=by, acting_as=acting, agency=visit.plan.agency, target=visit,
            before={"status": before}, after={"status": visit.status, "held_on": held_on.isoformat()},
        )  # fmt: skip
        _announce("monev.visit", visit.plan, by=by)
    return visit


def add_attachment(*, visit: Visit, kind: str, data: bytes, name: str, by: User) -> Attachment:
    acting = finding_recorder(by, visit)
    if acting is None:
        raise PermissionDenied
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    limit = settings_of(visit.plan.agency).evidence_max_mb * 1024 * 1024
    try:
        checked = check_upload(data, name, max_bytes=limit)
    except UploadRefused as exc:
        raise ValidationError({"file": exc.message}) from exc
    if kind == Attachment.Kind.PHOTO and not checked.kind.mime.startswith("image/"):
        raise ValidationError({"file": _("A photo must be an image file (JPEG or PNG).")})
    attachment = Attachment(
        visit=visit, kind=kind, name=checked.safe_name, mime=checked.kind.mime, size=checked.size,
        sha256=checked.sha256, uploaded_by=by,
    )  # fmt: skip
    attachment.file.save(checked.safe_name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            attachment.save()
            record_event(
                action="monev.attachment.added", actor=by, acting_as=acting, agency=visit.plan.agency,
                target=attachment, after={"kind": kind, "name": attachment.name, "sha256": attachment.sha256},
            )  # fmt: skip
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@dataclass
class RecommendationInput:
    text: str
    responsible: Position
    due_on: date


def _check_recommendation(visit: Visit, item: RecommendationInput) -> None:
    if item.responsible.agency_id != visit.plan.agency_id:
        raise ValidationError({"responsible": _("Choose a position of this agency.")})
    if item.due_on < (visit.held_on or visit.scheduled_on):
        raise ValidationError({"due_on": _("The due date cannot be before the visit.")})


def record_finding(
    *,
    visit: Visit,
    indicator: Indicator | None,
    text: str,
    cause: str,
    cause_note: str,
    recommendations: list[RecommendationInput],
    by: User,
) -> Finding:
    """A finding of the visit on one indicator (or the division as a whole) with its recommendations."""
    acting = finding_recorder(by, visit)
    if acting is None:
        raise PermissionDenied
    if indicator is not None and indicator.agency_id != visit.plan.agency_id:
        raise ValidationError({"indicator": _("Choose an indicator of this agency.")})
    if cause not in Finding.Cause.values:
        raise ValidationError({"cause": _("Choose a cause from the list.")})
    if cause == Finding.Cause.OTHER and not cause_note.strip():
        raise ValidationError({"cause_note": _("Explain the cause when it is not in the list.")})
    for item in recommendations:
        _check_recommendation(visit, item)
    with transaction.atomic():
        finding = Finding.objects.create(
            visit=visit, indicator=indicator, text=text, cause=cause, cause_note=cause_note, created_by=by
        )
        made = [_recommend(finding, item, by=by) for item in recommendations]
        record_event(
            action="monev.finding.recorded", actor=by, acting_as=acting, agency=visit.plan.agency, target=finding,
            after={"indicator": indicator.code if indicator else None, "cause": cause, "text": text,
                   "recommendations": [r.pk for r in made]},
        )  # fmt: skip
    return finding


def edit_finding(*, finding: Finding, text: str, cause: str, cause_note: str, by: User) -> Finding:
    """Corrects a finding's words or cause: its author (an evaluator on the team) or the planning head."""
    acting = may_edit_finding(by, finding)
    if acting is None:
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"finding": _("Write the finding.")})
    if cause not in Finding.Cause.values:
        raise ValidationError({"cause": _("Choose a cause from the list.")})
    if cause == Finding.Cause.OTHER and not cause_note.strip():
        raise ValidationError({"cause_note": _("Explain the cause when it is not in the list.")})
    before = {"text": finding.text, "cause": finding.cause, "cause_note": finding.cause_note}
    with transaction.atomic():
        finding.text, finding.cause, finding.cause_note = text, cause, cause_note
        finding.save(update_fields=["text", "cause", "cause_note"])
        record_event(
            action="monev.finding.edited", actor=by, acting_as=acting, agency=finding.visit.plan.agency,
            target=finding, before=before, after={"text": text, "cause": cause, "cause_note": cause_note},
        )  # fmt: skip
    return finding


def _recommend(finding: Finding, item: RecommendationInput, *, by: User) -> Recommendation:
    recommendation = Recommendation.objects.create(
        finding=finding, text=item.text, responsible=item.responsible, due_on=item.due_on, created_by=by
    )
    notify.post(
        notify.holders([item.responsible]), kind=Notification.Kind.ASSIGNED,
        key=f"monev-rec-{recommendation.pk}",
        title=_("Monev recommendation for you, due %(day)s") % {"day": item.due_on.strftime("%d-%m-%Y")},
        body=item.text, submission=None, url=reverse("monev-recommendation", args=[recommendation.pk]), exclude=by,
    )  # fmt: skip
    return recommendation


def add_recommendation(*, finding: Finding, item: RecommendationInput, by: User) -> Recommendation:
    acting = may_edit_finding(by, finding)
    if acting is None:
        raise PermissionDenied
    _check_recommendation(finding.visit, item)
    with transaction.atomic():
        recommendation = _recommend(finding, item, by=by)
        record_event(
            action="monev.recommendation.added", actor=by, acting_as=acting, agency=finding.visit.plan.agency,
            target=recommendation, after={"text": item.text, "responsible": item.responsible.title,
                                          "due_on": item.due_on.isoformat()},
        )  # fmt: skip
    return recommendation


def answer(
    *, recommendation: Recommendation, action: str, data: bytes | None, name: str, version: int, by: User
) -> FollowUp:
    """The division's follow-up: what was done, with evidence; the recommendation waits for the planning head."""
    acting = answerer(by, recommendation)
    if acting is None:
        raise PermissionDenied
    if recommendation.status == Recommendation.Status.CLOSED:
        raise ValidationError(_("This recommendation is closed."))
    if recommendation.status == Recommendation.Status.ANSWERED:
        raise ValidationError(_("This recommendation has been answered and awaits review."))
    if not action.strip():
        raise ValidationError({"done": _("Say what was done.")})
    agency = recommendation.finding.visit.plan.agency
    follow_up = FollowUp(recommendation=recommendation, action=action, answered_by=by)
    if data:
        try:
            checked = check_upload(data, name, max_bytes=settings_of(agency).evidence_max_mb * 1024 * 1024)
        except UploadRefused as exc:
            raise ValidationError({"file": exc.message}) from exc
        follow_up.file_name, follow_up.file_mime, follow_up.file_sha256 = (
            checked.safe_name, checked.kind.mime, checked.sha256,
        )  # fmt: skip
        follow_up.file.save(checked.safe_name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            recommendation.status = Recommendation.Status.ANSWERED
            save_if_unchanged(recommendation, version=version, fields=["status"])
            follow_up.save()
            record_event(
                action="monev.recommendation.answered", actor=by, acting_as=acting, agency=agency,
                target=recommendation, before={"status": Recommendation.Status.OPEN},
                after={"status": recommendation.status, "action": action, "file": follow_up.file_name,
                       "sha256": follow_up.file_sha256},
            )  # fmt: skip
            notify.post(
                notify.planners(agency.pk), kind=Notification.Kind.ASSIGNED,
                key=f"monev-answer-{follow_up.pk}", title=_("A monev recommendation was answered"),
                body=action, submission=None, url=reverse("monev-recommendation", args=[recommendation.pk]),
                exclude=by,
            )  # fmt: skip
    except BaseException:
        if follow_up.file:
            follow_up.file.delete(save=False)
        raise
    return follow_up


def decide(*, recommendation: Recommendation, accept: bool, note: str, version: int, by: User) -> Recommendation:
    """The planning head closes an answered recommendation, or reopens it with a note saying what is missing.
    A closed recommendation can be reopened too."""
    agency = recommendation.finding.visit.plan.agency
    acting = require_runner(by, agency)
    status = recommendation.status
    if accept and status != Recommendation.Status.ANSWERED:
        raise ValidationError(_("Only an answered recommendation can be closed."))
    if not accept and status == Recommendation.Status.OPEN:
        raise ValidationError(_("This recommendation is already open."))
    if not accept and not note.strip():
        raise ValidationError({"note": _("Say why the recommendation is reopened.")})
    now = timezone.now()
    with transaction.atomic():
        latest = recommendation.follow_ups.order_by("-pk").first()
        if accept:
            recommendation.status, recommendation.closed_at, recommendation.closed_by = (
                Recommendation.Status.CLOSED, now, by,
            )  # fmt: skip
        else:
            recommendation.status, recommendation.closed_at, recommendation.closed_by = (
                Recommendation.Status.OPEN, None, None,
            )  # fmt: skip
            recommendation.reopened += 1
        save_if_unchanged(recommendation, version=version, fields=["status", "closed_at", "closed_by", "reopened"])
        if latest is not None and latest.decision == FollowUp.Decision.PENDING:
            latest.decision = FollowUp.Decision.ACCEPTED if accept else FollowUp.Decision.REOPENED
            latest.decision_note, latest.decided_by, latest.decided_at = note, by, now
            latest.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
        record_event(
            action="monev.recommendation.closed" if accept else "monev.recommendation.reopened", actor=by,
            acting_as=acting, agency=agency, target=recommendation, before={"status": status},
            after={"status": recommendation.status, "note": note},
        )  # fmt: skip
        url = reverse("monev-recommendation", args=[recommendation.pk])
        notify.post(
            notify.holders([recommendation.responsible]),
            kind=Notification.Kind.DONE if accept else Notification.Kind.RETURNED,
            key=f"monev-decided-{recommendation.pk}-{recommendation.reopened}-{recommendation.status}",
            title=_("Monev recommendation closed") if accept else _("Monev recommendation reopened"),
            body=note or recommendation.text, submission=None, url=url, exclude=by,
        )  # fmt: skip
    return recommendation


def chase_recommendations(on: date) -> int:
    """Reminds the holders of the responsible position of an open recommendation in the days before its due date
    (the agency's reminder days of the collection), then tells them once a week while it stays overdue; the planning
    head hears of it after the first week. The notice keys make a second run on the same day, or in the same week,
    send nothing. Returns the notices written."""
    sent = 0
    soon = Recommendation.objects.filter(
        status=Recommendation.Status.OPEN, due_on__gte=on, due_on__lte=on + timedelta(days=30)
    ).select_related("responsible", "finding__visit__plan__agency")
    for recommendation in soon:
        if (recommendation.due_on - on).days > settings_of(recommendation.finding.visit.plan.agency).remind_days_before:
            continue
        with transaction.atomic():
            sent += len(
                notify.post(
                    notify.holders([recommendation.responsible]),
                    kind=Notification.Kind.REMINDER,
                    key=f"monev-due-{recommendation.pk}-{recommendation.due_on}",
                    title=_("Monev recommendation due on %(day)s")
                    % {"day": recommendation.due_on.strftime("%d-%m-%Y")},
                    body=recommendation.text,
                    submission=None,
                    url=reverse("monev-recommendation", args=[recommendation.pk]),
                )  # fmt: skip
            )
    overdue = Recommendation.objects.filter(status=Recommendation.Status.OPEN, due_on__lt=on).select_related(
        "responsible", "finding__visit__plan"
    )
    for recommendation in overdue:
        week = (on - recommendation.due_on).days // 7
        url = reverse("monev-recommendation", args=[recommendation.pk])
        days = (on - recommendation.due_on).days
        title = _("Monev recommendation overdue by %(days)s day(s)") % {"days": days}
        with transaction.atomic():
            sent += len(
                notify.post(
                    notify.holders([recommendation.responsible]),
                    kind=Notification.Kind.OVERDUE,
                    key=f"monev-overdue-{recommendation.pk}-{recommendation.due_on}-{week}",
                    title=title,
                    body=recommendation.text,
                    submission=None,
                    url=url,
                )  # fmt: skip
            )
            if week >= 1:
                sent += len(
                    notify.post(
                        notify.planners(recommendation.finding.visit.plan.agency_id),
                        kind=Notification.Kind.ESCALATED,
                        key=f"monev-escalated-{recommendation.pk}-{recommendation.due_on}-{week}",
                        title=title,
                        body=recommendation.text,
                        submission=None,
                        url=url,
                    )  # fmt: skip
                )
    return sent
