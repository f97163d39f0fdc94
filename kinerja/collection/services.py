"""Every change in the quarterly collection: one function per transition, each one transaction with its
audit event. A transition is a conditional UPDATE on (status, version), so a stale form, a double click
and two reviewers acting at once all end the same way: exactly one change, and a clear message for the
others."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event, snapshot
from kinerja.collection import notify
from kinerja.collection.models import (
    CollectionSettings,
    DataRequest,
    DigestPreference,
    Evidence,
    Notification,
    ReportingPeriod,
    Review,
    ReviewRemark,
    Submission,
    SubmissionLine,
)
from kinerja.collection.permissions import PREPARER_ROLES, holds, preparer_assignment, review_chain
from kinerja.lib.actions import ActionDone, announce
from kinerja.lib.errors import ConfirmationRequired, ConflictError
from kinerja.lib.numbers import format_number
from kinerja.lib.uploads import UploadRefused, check_upload
from kinerja.lib.versioning import save_if_unchanged
from kinerja.lib.workdays import quarter_due_date
from kinerja.measurement.models import Realization
from kinerja.measurement.services import NEW, realization_errors, record_realization
from kinerja.org.models import Agency, Assignment, Holiday, Position, Role, Unit
from kinerja.planning.models import Indicator
from kinerja.planning.permissions import require_planner
from kinerja.planning.selectors import plan_for

S = Submission.Status
LINE_FIELDS = ["value", "text", "no_data", "no_data_reason", "factors_helped", "factors_hindered", "follow_up"]
TEXT_LIMIT = 5000


class TransitionRefused(ValidationError):
    """The submission is no longer where the form left it: someone acted first, or the step is not allowed."""


class LineProblems(ValidationError):
    """What is wrong with the lines of a submission, by indicator id, so each message lands on its field."""

    def __init__(self, by_line: dict[int, dict[str, str]], message: str) -> None:
        super().__init__(message)
        self.by_line = by_line


class LinesChanged(ConflictError):
    """Some lines were saved by someone else after the form was read. Nothing was saved."""

    def __init__(self, lines: list[SubmissionLine]) -> None:
        super().__init__()
        self.lines = lines


# Settings and calendar


def settings_of(agency: Agency) -> CollectionSettings:
    found = CollectionSettings.objects.filter(agency=agency).first()
    return found or CollectionSettings(agency=agency)


def holidays_of(agency: Agency, start: date, end: date) -> set[date]:
    rows = Holiday.objects.filter(
        Q(local_government__isnull=True) | Q(local_government_id=agency.local_government_id), day__gte=start,
        day__lte=end,
    ).values_list("day", flat=True)  # fmt: skip
    return set(rows)


def default_due_date(agency: Agency, year: int, quarter: int) -> date:
    """Day `due_day` of the month after the quarter, moved to the next working day."""
    first = date(year + 1, 1, 1) if quarter == 4 else date(year, quarter * 3 + 1, 1)
    holidays = holidays_of(agency, first, first + timedelta(days=60))
    return quarter_due_date(year, quarter, settings_of(agency).due_day, holidays)


# Opening a period


def division_of(unit: Unit, units: dict[int, Unit]) -> Unit:
    """The top-level unit (Sekretariat, Bidang, UPT) a unit belongs to."""
    seen: set[int] = set()
    while unit.parent_id is not None and unit.parent_id in units and unit.pk not in seen:
        seen.add(unit.pk)
        unit = units[unit.parent_id]
    return unit


def division_head(division: Unit, positions: list[Position]) -> Position | None:
    """The position that heads a division: its division head or secretary, else the most senior seat in it."""
    seated = [p for p in positions if p.unit_id == division.pk and p.is_active]
    for roles in ({Role.DIVISION_HEAD, Role.SECRETARY}, {Role.SECTION_HEAD}):
        heads = [p for p in seated if p.role in roles]
        if heads:
            return sorted(heads, key=lambda p: p.pk)[0]
    return None


@dataclass
class OpenedPeriod:
    period: ReportingPeriod
    requests: list[DataRequest]
    unassigned: list[Indicator]  # indicators with no responsible unit or position: nobody was asked


def open_period(*, agency: Agency, year: int, quarter: int, due_on: date | None = None, by: User) -> OpenedPeriod:
    """Opens a quarter's collection: one data request per division that has indicators and, where the agency
    measures individual performance, one per position with individual indicators (IKI)."""
    acting = require_planner(by, agency)
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("A quarter is between 1 and 4.")})
    plan = plan_for(agency, year)
    if plan is None or not plan.covers(year):
        raise ValidationError({"year": _("No strategic plan of this agency covers %(year)s.") % {"year": year}})
    due_on = due_on or default_due_date(agency, year, quarter)
    quarter_end = date(year, quarter * 3, 1)
    if due_on < quarter_end:
        raise ValidationError({"due_on": _("The due date cannot be before the quarter's last month.")})
    config = settings_of(agency)
    units = {u.pk: u for u in Unit.objects.filter(agency=agency)}
    positions = list(Position.objects.filter(agency=agency).select_related("superior"))
    by_position = {p.pk: p for p in positions}
    divisions: dict[int, list[Indicator]] = defaultdict(list)
    individuals: dict[int, list[Indicator]] = defaultdict(list)
    unassigned: list[Indicator] = []
    for indicator in Indicator.objects.filter(plan=plan).order_by("sort_order", "code"):
        if indicator.kind == Indicator.Kind.INDIVIDUAL and indicator.responsible_position_id:
            if config.individual_requests:
                individuals[indicator.responsible_position_id].append(indicator)
        elif indicator.responsible_unit_id in units:
            divisions[division_of(units[indicator.responsible_unit_id], units).pk].append(indicator)
        else:
            unassigned.append(indicator)
    existing = {r.indicator_id: r for r in Realization.objects.filter(indicator__plan=plan, year=year, quarter=quarter)}
    with transaction.atomic():
        try:
            with transaction.atomic():
                period = ReportingPeriod.objects.create(
                    agency=agency, year=year, quarter=quarter, due_on=due_on, opened_by=by
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"quarter": _("The collection of %(year)s quarter %(quarter)s is already open.") % {
                    "year": year, "quarter": quarter}}
            ) from exc  # fmt: skip
        requests: list[DataRequest] = []
        for division_id, indicators in divisions.items():
            division = units[division_id]
            head = division_head(division, positions)
            if head is not None and not _has_preparers(division, head, positions, units):
                head = None  # the head is the division's only seat: he prepares, the planning head verifies
            request = DataRequest.objects.create(
                period=period, kind=DataRequest.Kind.DIVISION, unit=division, reviewer=head
            )
            requests.append(_with_submission(request, indicators, existing, reviewer=head))
        for position_id, indicators in individuals.items():
            position = by_position[position_id]
            chain = review_chain(position)
            request = DataRequest.objects.create(
                period=period, kind=DataRequest.Kind.INDIVIDUAL, unit=position.unit or division_of_agency(units),
                position=position, reviewer=chain[0] if chain else None,
            )  # fmt: skip
            requests.append(_with_submission(request, indicators, existing, reviewer=chain[0] if chain else None))
        record_event(
            action="collection.period.opened", actor=by, acting_as=acting, agency=agency, target=period,
            after={"year": year, "quarter": quarter, "due_on": due_on, "requests": len(requests),
                   "unassigned": [i.code for i in unassigned]},
        )  # fmt: skip
        for request in requests:
            notify.assigned(request.submission, by=by)
        announce(
            ActionDone(
                name="collection.open_period", agency_id=agency.pk, by=by, at=timezone.now(),
                subjects=((QUARTER_SUBJECT, year * 10 + quarter), (PERIOD_SUBJECT, period.pk)),
            )
        )  # fmt: skip
    return OpenedPeriod(period=period, requests=requests, unassigned=unassigned)


def _has_preparers(division: Unit, head: Position, positions: list[Position], units: dict[int, Unit]) -> bool:
    inside = {u.pk for u in units.values() if division_of(u, units).pk == division.pk}
    return any(p.is_active and p.pk != head.pk and p.unit_id in inside and p.role in PREPARER_ROLES for p in positions)


def division_of_agency(units: dict[int, Unit]) -> Unit:
    return sorted(units.values(), key=lambda u: (u.parent_id is not None, u.sort_order, u.pk))[0]


def _with_submission(
    request: DataRequest, indicators: list[Indicator], existing: dict[int, Realization], *, reviewer: Position | None
) -> DataRequest:
    request.indicators.set(indicators)
    submission = Submission.objects.create(request=request, awaiting=None)
    SubmissionLine.objects.bulk_create([
        SubmissionLine(
            submission=submission, indicator=indicator,
            **({name: getattr(existing[indicator.pk], name) for name in LINE_FIELDS} if indicator.pk in existing else {}),
        )
        for indicator in indicators
    ])  # fmt: skip
    request.submission = submission
    return request


def set_due_date(*, period: ReportingPeriod, due_on: date, version: int, by: User) -> ReportingPeriod:
    acting = require_planner(by, period.agency)
    before = period.due_on
    with transaction.atomic():
        updated = ReportingPeriod.objects.filter(pk=period.pk, version=version).update(
            due_on=due_on, version=version + 1
        )
        if updated != 1:
            raise ConflictError()
        period.due_on, period.version = due_on, version + 1
        record_event(
            action="collection.period.due_date_changed", actor=by, acting_as=acting, agency=period.agency,
            target=period, before={"due_on": before}, after={"due_on": due_on},
        )  # fmt: skip
    return period


def close_period(*, period: ReportingPeriod, version: int, by: User) -> ReportingPeriod:
    """Ends a period's collection: no more reminders, and its requests leave the inboxes. Data already
    verified stays; what was not verified is left as it is, visible on the board."""
    acting = require_planner(by, period.agency)
    with transaction.atomic():
        updated = ReportingPeriod.objects.filter(
            pk=period.pk, version=version, status=ReportingPeriod.Status.OPEN
        ).update(status=ReportingPeriod.Status.CLOSED, version=version + 1)
        if updated != 1:
            raise ConflictError()
        period.status, period.version = ReportingPeriod.Status.CLOSED, version + 1
        unverified = Submission.objects.filter(request__period=period).exclude(status=S.VERIFIED).count()
        record_event(
            action="collection.period.closed", actor=by, acting_as=acting, agency=period.agency, target=period,
            before={"status": "open"}, after={"status": "closed", "unverified": unverified},
        )  # fmt: skip
    return period


# Entering data


@dataclass
class LineInput:
    """One indicator's figures as typed in the form, with the line version the form was read at."""

    indicator_id: int
    version: int
    value: Decimal | None = None
    text: str = ""
    no_data: bool = False
    no_data_reason: str = ""
    factors_helped: str = ""
    factors_hindered: str = ""
    follow_up: str = ""

    def values(self) -> dict[str, Any]:
        return {
            "value": None if self.no_data else self.value, "text": "" if self.no_data else self.text.strip(),
            "no_data": self.no_data, "no_data_reason": self.no_data_reason.strip() if self.no_data else "",
            "factors_helped": self.factors_helped.strip(), "factors_hindered": self.factors_hindered.strip(),
            "follow_up": self.follow_up.strip(),
        }  # fmt: skip


def require_preparer(user: User, submission: Submission) -> Assignment:
    assignment = preparer_assignment(user, submission.request)
    if assignment is None:
        raise PermissionDenied
    return assignment


def _refuse_unless_editable(submission: Submission) -> None:
    if submission.status not in Submission.EDITABLE:
        raise TransitionRefused(
            _("This submission is “%(status)s”: it cannot be changed now.")
            % {"status": submission.get_status_display()}
        )


def unusual_value(indicator: Indicator, value: Decimal, history: list[Decimal]) -> str | None:
    """A warning when a value is far outside what the indicator reported before (ten times the largest, or a
    tenth of the smallest positive one): usually a slip of the keyboard, so it is confirmed, not refused."""
    positive = [v for v in history if v > 0]
    if len(positive) < 2 or value <= 0:
        return None
    low, high = min(positive), max(positive)
    if value > high * 10 or value * 10 < low:
        return _("%(code)s: %(value)s is far from the values reported before (%(low)s to %(high)s). Is it right?") % {
            "code": indicator.code, "value": _plain(value), "low": _plain(low), "high": _plain(high)}  # fmt: skip
    return None


def _plain(value: Decimal) -> str:
    return format_number(value)


def save_lines(
    *, submission: Submission, lines: Iterable[LineInput], by: User, confirmed_warnings: bool = False
) -> list[SubmissionLine]:
    """Saves the draft's lines that changed. All or nothing: a bad value or a line someone else saved since
    the form was read leaves every line as it was."""
    acting = require_preparer(by, submission)
    stored = {line.indicator_id: line for line in submission.lines.select_related("indicator__plan")}
    inputs = [i for i in lines if i.indicator_id in stored]
    period = submission.request.period
    problems: dict[int, dict[str, str]] = {}
    warnings: list[str] = []
    changed: list[tuple[SubmissionLine, LineInput, dict[str, Any]]] = []
    history = value_history(submission, [i.indicator_id for i in inputs])
    for item in inputs:
        line = stored[item.indicator_id]
        values = item.values()
        errors = realization_errors(
            line.indicator, year=period.year, quarter=period.quarter, value=item.value, text=item.text,
            no_data=item.no_data, reason=item.no_data_reason,
        )  # fmt: skip
        for name in ("factors_helped", "factors_hindered", "follow_up", "no_data_reason"):
            if len(values[name]) > TEXT_LIMIT:
                errors[name] = _("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}
        if errors:
            problems[item.indicator_id] = errors
            continue
        if all(getattr(line, name) == values[name] for name in LINE_FIELDS):
            continue
        if values["value"] is not None and (
            warning := unusual_value(line.indicator, values["value"], history[line.indicator_id])
        ):
            warnings.append(warning)
        changed.append((line, item, values))
    if problems:
        raise LineProblems(problems, _("Some figures could not be saved; see the marked indicators."))
    if warnings and not confirmed_warnings:
        raise ConfirmationRequired(warnings)
    if not changed:
        return []
    with transaction.atomic():
        current = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).first()
        submission.status = current or submission.status
        _refuse_unless_editable(submission)
        stale: list[int] = []
        now = timezone.now()
        for line, item, values in changed:
            updated = SubmissionLine.objects.filter(pk=line.pk, version=item.version).update(
                **values, updated_by=by, updated_at=now, version=item.version + 1
            )
            if updated != 1:
                stale.append(line.pk)
        if stale:
            # Read the other saves first: after set_rollback the connection refuses every query. The exception
            # leaving the atomic block undoes the lines updated above.
            changed_by_others = list(
                SubmissionLine.objects.filter(pk__in=stale).select_related("indicator", "updated_by")
            )
            transaction.set_rollback(True)
            raise LinesChanged(changed_by_others)
        record_event(
            action="collection.lines.saved", actor=by, acting_as=acting, agency=period.agency, target=submission,
            before={line.indicator.code: snapshot(line, LINE_FIELDS) for line, _i, _v in changed},
            after={line.indicator.code: values for line, _i, values in changed},
        )  # fmt: skip
    result = []
    for line, item, values in changed:
        for name, value in values.items():
            setattr(line, name, value)
        line.version = item.version + 1
        result.append(line)
    return result


def value_history(submission: Submission, indicator_ids: list[int]) -> dict[int, list[Decimal]]:
    period = submission.request.period
    found: dict[int, list[Decimal]] = defaultdict(list)
    rows = Realization.objects.filter(indicator_id__in=indicator_ids, value__isnull=False).exclude(
        year=period.year, quarter=period.quarter
    )
    for row in rows.values_list("indicator_id", "value"):
        found[row[0]].append(row[1])
    return found


# Evidence


def add_evidence(*, line: SubmissionLine, data: bytes, name: str, by: User) -> Evidence:
    """Attaches a supporting document to a line, once its content is checked: kind by content, size, hash."""
    submission = line.submission
    acting = require_preparer(by, submission)
    _refuse_unless_editable(submission)
    agency = submission.request.period.agency
    config = settings_of(agency)
    try:
        checked = check_upload(data, name, max_bytes=config.evidence_max_mb * 1024 * 1024)
    except UploadRefused as exc:
        raise ValidationError({"file": exc.message}) from exc
    if Evidence.objects.filter(line=line, sha256=checked.sha256, removed_at__isnull=True).exists():
        raise ValidationError({"file": _("This file is already attached to this indicator.")})
    evidence = Evidence(
        line=line, name=checked.safe_name, kind=checked.kind.key, mime=checked.kind.mime, size=checked.size,
        sha256=checked.sha256, uploaded_by=by,
    )  # fmt: skip
    evidence.file.save(checked.safe_name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            current = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).first()
            if current not in Submission.EDITABLE:
                raise TransitionRefused(_("This submission cannot be changed now."))
            evidence.save()
            record_event(
                action="collection.evidence.added", actor=by, acting_as=acting, agency=agency, target=evidence,
                after={"indicator": line.indicator.code, "name": evidence.name, "sha256": evidence.sha256,
                       "size": evidence.size, "kind": evidence.kind},
            )  # fmt: skip
    except IntegrityError as exc:
        evidence.file.delete(save=False)
        raise ValidationError({"file": _("This file is already attached to this indicator.")}) from exc
    except BaseException:
        evidence.file.delete(save=False)
        raise
    return evidence


def ever_submitted(submission: Submission) -> bool:
    return submission.reviews.filter(decision=Review.Decision.SUBMITTED).exists()


def remove_evidence(*, evidence: Evidence, reason: str, by: User) -> None:
    """Takes a file off a line. Before the first submission it is deleted; after it, the file is kept,
    marked removed, with the reason, so the history still shows what reviewers saw."""
    line = evidence.line
    submission = line.submission
    acting = require_preparer(by, submission)
    _refuse_unless_editable(submission)
    reason = reason.strip()
    keep = ever_submitted(submission)
    if keep and not reason:
        raise ValidationError({"reason": _("Say why the file is removed: it was already seen by a reviewer.")})
    agency = submission.request.period.agency
    with transaction.atomic():
        if keep:
            updated = Evidence.objects.filter(pk=evidence.pk, removed_at__isnull=True).update(
                removed_at=timezone.now(), removed_by=by, removal_reason=reason
            )
            if updated != 1:
                raise ConflictError()
        record_event(
            action="collection.evidence.removed", actor=by, acting_as=acting, agency=agency, target=evidence,
            before={"indicator": line.indicator.code, "name": evidence.name, "sha256": evidence.sha256},
            after={"kept": keep, "reason": reason},
        )  # fmt: skip
        if not keep:
            evidence.delete()
            transaction.on_commit(lambda: evidence.file.delete(save=False))


# Transitions


def _move(submission: Submission, *, version: int, allowed: Iterable[str], to: str, **fields: Any) -> None:
    updated = Submission.objects.filter(pk=submission.pk, version=version, status__in=list(allowed)).update(
        status=to, version=version + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise _refusal(submission)
    submission.status, submission.version = to, version + 1
    for name, value in fields.items():
        setattr(submission, name, value)


def _refusal(submission: Submission) -> TransitionRefused:
    """Why a transition did not happen, in the words of what happened instead."""
    fresh = Submission.objects.filter(pk=submission.pk).first()
    last = fresh.reviews.select_related("by").order_by("-at", "-pk").first() if fresh else None
    if fresh is None:
        return TransitionRefused(_("This submission no longer exists."))
    if last is not None:
        return TransitionRefused(
            _("Nothing was done: the submission is now “%(status)s” after “%(decision)s” by %(who)s at %(when)s. "
              "Reload the page to see it.") % {
                "status": fresh.get_status_display(), "decision": last.get_decision_display(),
                "who": last.by.get_full_name() or last.by.get_username(),
                "when": date_format(timezone.localtime(last.at), "DATETIME_FORMAT"),
            }
        )  # fmt: skip
    return TransitionRefused(
        _("Nothing was done: the submission is now “%(status)s” and changed since you opened it. Reload the page.")
        % {"status": fresh.get_status_display()}
    )


def _review(submission: Submission, decision: str, *, by: User, acting: Assignment | None, note: str = "") -> Review:
    return Review.objects.create(
        submission=submission, round=submission.round, decision=decision, note=note, by=by,
        position=acting.position if acting else None, position_label=acting.label if acting else "",
    )  # fmt: skip


PERIOD_SUBJECT, REQUEST_SUBJECT, QUARTER_SUBJECT = "collection.period", "collection.request", "collection.quarter"


def _announce(submission: Submission, name: str, *, by: User, outcome: str = "", note: str = "") -> None:
    """Tells whoever tracks application actions (the SOP engine) that this step of the data was taken."""
    request = submission.request
    period = request.period
    announce(
        ActionDone(
            name=name, agency_id=period.agency_id, by=by, at=timezone.now(), outcome=outcome, note=note,
            subjects=((REQUEST_SUBJECT, request.pk), (PERIOD_SUBJECT, period.pk),
                      (QUARTER_SUBJECT, period.year * 10 + period.quarter)),
        )
    )  # fmt: skip


def _audit(
    submission: Submission, action: str, *, by: User, acting: Assignment | None, before: str, note: str = ""
) -> None:
    record_event(
        action=f"collection.submission.{action}", actor=by, acting_as=acting,
        agency=submission.request.period.agency, target=submission,
        before={"status": before}, after={"status": submission.status, "round": submission.round, "note": note},
    )  # fmt: skip


def completeness_problems(submission: Submission) -> dict[int, dict[str, str]]:
    """What keeps a submission from being submitted, per indicator: a blank without a "no data" reason, a
    reported value without the evidence the agency requires."""
    config = settings_of(submission.request.period.agency)
    lines = list(submission.lines.select_related("indicator"))
    with_evidence = set(
        Evidence.objects.filter(line__submission=submission, removed_at__isnull=True).values_list("line_id", flat=True)
    )
    problems: dict[int, dict[str, str]] = {}
    for line in lines:
        if not line.answered:
            problems[line.indicator_id] = {"value": _("Enter the realisation, or tick “no data” and say why.")}
        elif config.evidence_required and not line.no_data and line.pk not in with_evidence:
            problems[line.indicator_id] = {"evidence": _("Attach the evidence (bukti dukung) of this figure.")}
    return problems


def submit(*, submission: Submission, version: int, by: User) -> Submission:
    """Sends a complete draft to its reviewer. A repeated submit of the same form (double click, retry) is
    the same single transition."""
    acting = require_preparer(by, submission)
    if _repeated(submission, version, Review.Decision.SUBMITTED, by):
        return submission
    _refuse_unless_editable(submission)
    problems = completeness_problems(submission)
    if problems:
        raise LineProblems(problems, _("The submission is not complete; see the marked indicators."))
    request = submission.request
    awaiting = request.reviewer
    with transaction.atomic():
        before = submission.status
        round_ = submission.round + (1 if before == S.RETURNED else 0)
        target = S.SUBMITTED if awaiting is not None else S.APPROVED
        _move(
            submission, version=version, allowed=Submission.EDITABLE, to=target, awaiting=awaiting,
            submitted_by=by, submitted_at=timezone.now(), round=round_,
        )  # fmt: skip
        _review(submission, Review.Decision.SUBMITTED, by=by, acting=acting)
        _audit(submission, "submitted", by=by, acting=acting, before=before)
        notify.waiting_for_review(submission, by=by)
        _announce(submission, "collection.submit", by=by)
    return submission


def _repeated(submission: Submission, version: int, decision: str, by: User) -> bool:
    """Whether this exact step was just taken by the same user from the same form: a double click."""
    fresh = Submission.objects.filter(pk=submission.pk).values("version").first()
    if fresh is None or fresh["version"] != version + 1:
        return False
    last = submission.reviews.order_by("-at", "-pk").first()
    if last is not None and last.decision == decision and last.by_id == by.pk:
        submission.refresh_from_db()
        return True
    return False


def withdraw(*, submission: Submission, version: int, by: User) -> Submission:
    """Takes back a submission nobody has reviewed yet."""
    acting = require_preparer(by, submission)
    if _repeated(submission, version, Review.Decision.WITHDRAWN, by):
        return submission
    last = submission.reviews.order_by("-at", "-pk").first()
    if submission.status != S.SUBMITTED or last is None or last.decision != Review.Decision.SUBMITTED:
        raise TransitionRefused(_("Only a submission that nobody has reviewed yet can be withdrawn."))
    with transaction.atomic():
        _move(submission, version=version, allowed=[S.SUBMITTED], to=S.DRAFT, awaiting=None)
        # The review row is the guard: a reviewer who acted meanwhile changed the version as well.
        _review(submission, Review.Decision.WITHDRAWN, by=by, acting=acting)
        _audit(submission, "withdrawn", by=by, acting=acting, before=S.SUBMITTED)
    return submission


def approve(*, submission: Submission, version: int, by: User, note: str = "") -> Submission:
    """The reviewer the submission waits for approves it: it goes up to the next superior of an individual
    request, or to the planning head for verification."""
    acting = holds(by, submission.awaiting_id)
    if acting is None or submission.status != S.SUBMITTED:
        if _repeated(submission, version, Review.Decision.APPROVED, by):
            return submission
        if acting is None and submission.status == S.SUBMITTED:
            raise PermissionDenied
        raise _refusal(submission)
    request = submission.request
    following: Position | None = None
    if request.kind == DataRequest.Kind.INDIVIDUAL and request.position is not None:
        chain = review_chain(request.position)
        ids = [p.pk for p in chain]
        if submission.awaiting_id in ids and ids.index(submission.awaiting_id) + 1 < len(chain):
            following = chain[ids.index(submission.awaiting_id) + 1]
    with transaction.atomic():
        if following is not None:
            _move(submission, version=version, allowed=[S.SUBMITTED], to=S.SUBMITTED, awaiting=following)
        else:
            _move(submission, version=version, allowed=[S.SUBMITTED], to=S.APPROVED, awaiting=None)
        _review(submission, Review.Decision.APPROVED, by=by, acting=acting, note=note.strip())
        _audit(submission, "approved", by=by, acting=acting, before=S.SUBMITTED, note=note.strip())
        notify.waiting_for_review(submission, by=by)
        if following is None:
            _announce(submission, "collection.approve", by=by, outcome="yes", note=note.strip())
    return submission


def return_submission(
    *, submission: Submission, version: int, by: User, note: str, remarks: dict[int, str] | None = None
) -> Submission:
    """Sends a submission back to its preparers with a note (required) and remarks on the indicators it
    concerns. The reviewer it waits for returns a submitted one; the planning head an approved one."""
    note = note.strip()
    remarks = {k: v.strip() for k, v in (remarks or {}).items() if v and v.strip()}
    if submission.status == S.APPROVED:
        acting = require_planner(by, submission.request.period.agency)
        allowed = [S.APPROVED]
    else:
        acting = holds(by, submission.awaiting_id)
        if acting is None:
            if _repeated(submission, version, Review.Decision.RETURNED, by):
                return submission
            if submission.status == S.SUBMITTED:
                raise PermissionDenied
            raise _refusal(submission)
        allowed = [S.SUBMITTED]
    if not note:
        raise ValidationError({"note": _("Write a note: the preparers need to know what to correct.")})
    if _repeated(submission, version, Review.Decision.RETURNED, by):
        return submission
    lines = {line.indicator_id: line for line in submission.lines.all()}
    before = submission.status
    with transaction.atomic():
        _move(
            submission, version=version, allowed=allowed, to=S.RETURNED, awaiting=None,
            returns=submission.returns + 1,
        )  # fmt: skip
        review = _review(submission, Review.Decision.RETURNED, by=by, acting=acting, note=note)
        ReviewRemark.objects.bulk_create(
            [ReviewRemark(review=review, indicator_id=k, remark=v) for k, v in remarks.items() if k in lines]
        )
        SubmissionLine.objects.filter(submission=submission).update(remark="")
        for indicator_id, remark in remarks.items():
            if indicator_id in lines:
                SubmissionLine.objects.filter(pk=lines[indicator_id].pk).update(remark=remark)
        _audit(submission, "returned", by=by, acting=acting, before=before, note=note)
        notify.returned(submission, note=note, by=by)
        _announce(submission, "collection.return", by=by, outcome="no", note=note)
    return submission


def verify(*, submission: Submission, version: int, by: User) -> Submission:
    """The planning head verifies approved data: it is locked and written to the realisations that every
    dashboard reads."""
    agency = submission.request.period.agency
    acting = require_planner(by, agency)
    if _repeated(submission, version, Review.Decision.VERIFIED, by):
        return submission
    period = submission.request.period
    with transaction.atomic():
        _move(submission, version=version, allowed=[S.APPROVED], to=S.VERIFIED, awaiting=None)
        for line in submission.lines.select_related("indicator__plan", "indicator__agency"):
            current = Realization.objects.filter(
                indicator=line.indicator, year=period.year, quarter=period.quarter
            ).values_list("version", flat=True).first()  # fmt: skip
            record_realization(
                indicator=line.indicator, year=period.year, quarter=period.quarter,
                version=current if current is not None else NEW, by=by,
                **{name: getattr(line, name) for name in LINE_FIELDS},
            )  # fmt: skip
        _review(submission, Review.Decision.VERIFIED, by=by, acting=acting)
        _audit(submission, "verified", by=by, acting=acting, before=S.APPROVED)
        notify.verified(submission, by=by)
        _announce(submission, "collection.verify", by=by)
    return submission


def reopen(*, submission: Submission, version: int, reason: str, by: User) -> Submission:
    """Unlocks verified data for correction: the planning head only, with a reason. The verified figures stay
    on the dashboards until the corrected ones are verified."""
    acting = require_planner(by, submission.request.period.agency)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the verified data is reopened.")})
    if _repeated(submission, version, Review.Decision.REOPENED, by):
        return submission
    with transaction.atomic():
        _move(submission, version=version, allowed=[S.VERIFIED], to=S.RETURNED, awaiting=None)
        _review(submission, Review.Decision.REOPENED, by=by, acting=acting, note=reason)
        _audit(submission, "reopened", by=by, acting=acting, before=S.VERIFIED, note=reason)
        notify.returned(submission, note=reason, by=by)
    return submission


# Inbox


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Marks the user's notifications read (all of them when `ids` is None). Not audited: it changes nothing
    of the agency's data."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def set_digest(*, user: User, daily: bool) -> None:
    DigestPreference.objects.update_or_create(user=user, defaults={"daily_digest": daily})


# Settings and holidays

SETTINGS_FIELDS = [
    "due_day", "remind_days_before", "escalate_after_days", "evidence_required", "evidence_max_mb",
    "individual_requests",
]  # fmt: skip


def save_settings(*, agency: Agency, values: dict[str, Any], version: int, by: User) -> CollectionSettings:
    """Changes how the agency collects its data; `version` 0 when the agency still had the defaults."""
    acting = require_planner(by, agency)
    current = CollectionSettings.objects.filter(agency=agency).first()
    if (current.version if current else 0) != version:
        raise ConflictError()
    before = snapshot(current, SETTINGS_FIELDS) if current else None
    with transaction.atomic():
        if current is None:
            try:
                with transaction.atomic():
                    current = CollectionSettings.objects.create(agency=agency, **values)
            except IntegrityError as exc:
                raise ConflictError() from exc
        else:
            for name, value in values.items():
                setattr(current, name, value)
            save_if_unchanged(current, version=version, fields=list(values))
        record_event(
            action="collection.settings.saved", actor=by, acting_as=acting, agency=agency, target=current,
            before=before, after=snapshot(current, SETTINGS_FIELDS),
        )  # fmt: skip
    return current


def add_holiday(*, agency: Agency, day: date, name: str, by: User) -> Holiday:
    """A local day off (or cuti bersama) of the agency's local government, which moves its due dates."""
    acting = require_planner(by, agency)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the holiday.")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                holiday = Holiday.objects.create(day=day, name=name[:200], local_government=agency.local_government)
        except IntegrityError as exc:
            raise ValidationError({"day": _("That day is a holiday already.")}) from exc
        record_event(
            action="org.holiday.added", actor=by, acting_as=acting, agency=agency, target=holiday,
            after={"day": day, "name": holiday.name},
        )  # fmt: skip
    return holiday


def remove_holiday(*, agency: Agency, holiday: Holiday, by: User) -> None:
    acting = require_planner(by, agency)
    if holiday.local_government_id != agency.local_government_id:
        raise PermissionDenied  # national holidays, and another government's, are not the agency's to remove
    with transaction.atomic():
        record_event(
            action="org.holiday.removed", actor=by, acting_as=acting, agency=agency, target=holiday,
            before={"day": holiday.day, "name": holiday.name},
        )  # fmt: skip
        holiday.delete()
