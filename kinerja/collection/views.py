"""Pages of the quarterly collection. Each view parses its input, calls one service and renders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.accounts.models import User
from kinerja.collection import selectors, services
from kinerja.collection.excel import FormUpload, form_workbook, read_form
from kinerja.collection.models import CollectionSettings, DigestPreference, Notification, ReportingPeriod, Submission
from kinerja.collection.permissions import (
    get_evidence_for_user,
    get_line_for_user,
    get_period_for_user,
    get_submission_for_user,
    holds,
    preparer_assignment,
    require_board_reader,
)
from kinerja.lib.errors import ConfirmationRequired
from kinerja.lib.numbers import NumberFormatError, parse_decimal
from kinerja.lib.xlsx import XLSX
from kinerja.measurement import selectors as measurement
from kinerja.measurement.excel import pending
from kinerja.measurement.excel.forms import ConfirmForm, UploadForm
from kinerja.measurement.selectors import IndicatorFigures
from kinerja.org.models import Agency, Holiday, Role
from kinerja.org.permissions import current_assignments, get_agency_for_user, unit_scope
from kinerja.org.selectors import today
from kinerja.planning.models import Scale, StrategicPlan
from kinerja.planning.permissions import can_plan, reads_whole_agency
from kinerja.planning.selectors import default_period, plan_for

NOTE_FIELDS = ("factors_helped", "factors_hindered", "follow_up")
MAX_TEXT = 5000


# Inbox


# Whose inbox lists the indicators projected to miss the year: the agency's leaders see every one, the heads of
# divisions and sections those of their units.
RISK_WHOLE_ROLES = frozenset({Role.HEAD, Role.SECRETARY, Role.PLANNING_HEAD})
RISK_UNIT_ROLES = frozenset({Role.DIVISION_HEAD, Role.SECTION_HEAD})


@dataclass(frozen=True)
class AtRisk:
    """An agency's indicators at risk in the quarter the inbox watches."""

    agency: Agency
    year: int
    quarter: int
    rows: list[IndicatorFigures]

    @property
    def period_label(self) -> str:
        return f"{self.year} TW {('I', 'II', 'III', 'IV')[self.quarter - 1]}"


def _watched_quarter(agency: Agency) -> tuple[StrategicPlan, int, int] | None:
    """The plan, year and quarter the early warning watches: those of the agency's open reporting period (the
    latest one when several are open), else of its latest period, else the last quarter ended; None without a
    plan."""
    period = (
        ReportingPeriod.objects.filter(agency=agency)
        .order_by(
            Case(
                When(status=ReportingPeriod.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            "-year",
            "-quarter",
        )
        .only("year", "quarter")
        .first()
    )
    plan = plan_for(agency, period.year if period else None)
    if plan is None:
        return None
    if period is not None and plan.covers(period.year):
        return plan, period.year, period.quarter
    return plan, *default_period(plan)


def _at_risk(user: User) -> list[AtRisk]:
    """The indicators at risk that the user's positions answer for, per agency they lead or head units in."""
    roles: dict[int, set[str]] = {}
    agencies: dict[int, Agency] = {}
    for assignment in current_assignments(user):
        agencies[assignment.position.agency_id] = assignment.position.agency
        roles.setdefault(assignment.position.agency_id, set()).add(assignment.position.role)
    found = []
    for agency_id, held in roles.items():
        agency = agencies[agency_id]
        if held & RISK_WHOLE_ROLES:
            units = None
        elif held & RISK_UNIT_ROLES:
            units = unit_scope(user, agency)
        else:
            continue
        watched = _watched_quarter(agency)
        if watched is None:
            continue
        plan, year, quarter = watched
        rows = measurement.at_risk(agency, plan, year=year, upto=quarter, units=units)
        found.append(AtRisk(agency=agency, year=year, quarter=quarter, rows=rows))
    return found


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    waiting = selectors.waiting_for(request.user)
    notices = Notification.objects.filter(user=request.user)
    show = request.GET.get("show", "unread")
    if show == "unread":
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    pref = DigestPreference.objects.filter(user=request.user).first()
    context = {
        "waiting": waiting, "page": page, "show": show, "daily_digest": bool(pref and pref.daily_digest),
        "at_risk": _at_risk(request.user),
    }  # fmt: skip
    return render(request, "collection/inbox.html", context)


@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("id") if x.isdigit()]
    services.mark_read(user=request.user, ids=ids or None)
    return redirect("collection-inbox")


@require_POST
def email_preference(request: HttpRequest) -> HttpResponse:
    services.set_digest(user=request.user, daily=request.POST.get("daily_digest") == "on")
    messages.success(request, _("Your email preference was saved."))
    return redirect("collection-inbox")


# Periods


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError as exc:
        raise ValidationError({"due_on": _("Write the date as a date, e.g. 2026-10-12.")}) from exc


@require_http_methods(["GET", "POST"])
def period_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    if not reads_whole_agency(request.user, agency):
        raise PermissionDenied
    planner = can_plan(request.user, agency)
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not planner:
            raise PermissionDenied
        posted = {k: request.POST.get(k, "")[:20] for k in ("year", "quarter", "due_on")}
        try:
            year = int(posted["year"]) if posted["year"].isdigit() else None
            quarter = int(posted["quarter"]) if posted["quarter"].isdigit() else None
            if year is None:
                raise ValidationError({"year": _("Choose the year.")})
            if quarter is None:
                raise ValidationError({"quarter": _("Choose the quarter.")})
            opened = services.open_period(
                agency=agency, year=year, quarter=quarter, due_on=_parse_date(posted["due_on"]), by=request.user
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {
                "general": " ".join(exc.messages)}  # fmt: skip
        else:
            messages.success(
                request,
                _("The period is open: %(count)s data requests were sent.") % {"count": len(opened.requests)},
            )
            if opened.unassigned:
                messages.warning(
                    request,
                    _("Nobody was asked for %(codes)s: they have no responsible unit.")
                    % {"codes": ", ".join(i.code for i in opened.unassigned)},
                )
            return redirect("collection-period", pk=opened.period.pk)
    now = today()
    year, quarter = (now.year, (now.month - 1) // 3) if now.month > 3 else (now.year - 1, 4)
    context = {
        "agency": agency, "periods": ReportingPeriod.objects.filter(agency=agency), "can_open": planner,
        "errors": errors, "posted": posted, "suggested": {"year": year, "quarter": quarter},
        "quarters": [(1, "I"), (2, "II"), (3, "III"), (4, "IV")],
    }  # fmt: skip
    return render(request, "collection/periods.html", context)


@require_GET
def period_board(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request.user, pk)
    require_board_reader(request.user, period)
    holidays = services.holidays_of(period.agency, period.due_on, today())
    rows = selectors.board(period, holidays)
    context = {
        "period": period,
        "agency": period.agency,
        "rows": rows,
        "can_plan": can_plan(request.user, period.agency),
    }
    return render(request, "collection/board.html", context)


@require_POST
def period_due_date(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request.user, pk)
    version = request.POST.get("version", "")
    try:
        due_on = _parse_date(request.POST.get("due_on", "")[:20])
        if due_on is None:
            raise ValidationError({"due_on": _("Write the date as a date, e.g. 2026-10-12.")})
        if not version.isdigit():
            raise ValidationError(_("The form is incomplete; reload the page."))
        services.set_due_date(period=period, due_on=due_on, version=int(version), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The due date was changed."))
    return redirect("collection-period", pk=period.pk)


@require_POST
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request.user, pk)
    version = request.POST.get("version", "")
    try:
        if not version.isdigit():
            raise ValidationError(_("The form is incomplete; reload the page."))
        services.close_period(period=period, version=int(version), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The period is closed: no more reminders are sent."))
    return redirect("collection-period", pk=period.pk)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CollectionSettings
        fields = services.SETTINGS_FIELDS


@require_http_methods(["GET", "POST"])
def collection_settings(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    if not can_plan(request.user, agency):
        raise PermissionDenied
    current = CollectionSettings.objects.filter(agency=agency).first()
    form = SettingsForm(request.POST or None, instance=current or CollectionSettings(agency=agency))
    version = current.version if current else 0
    if request.method == "POST" and request.POST.get("form") == "holiday":
        try:
            day = _parse_date(request.POST.get("day", "")[:20])
            if day is None:
                raise ValidationError({"day": _("Write the date as a date, e.g. 2026-10-12.")})
            services.add_holiday(agency=agency, day=day, name=request.POST.get("name", "")[:200], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The holiday was added."))
        return redirect("collection-settings", agency_id=agency.pk)
    if request.method == "POST" and request.POST.get("form") == "remove-holiday":
        holiday = Holiday.objects.filter(
            pk=request.POST.get("holiday", "0") if request.POST.get("holiday", "").isdigit() else 0
        ).first()  # noqa: E501
        if holiday is None:
            raise Http404
        services.remove_holiday(agency=agency, holiday=holiday, by=request.user)
        messages.success(request, _("The holiday was removed."))
        return redirect("collection-settings", agency_id=agency.pk)
    if request.method == "POST" and form.is_valid():
        posted = request.POST.get("version", "")
        try:
            services.save_settings(
                agency=agency, values={name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS},
                version=int(posted) if posted.isdigit() else -1, by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The collection settings were saved."))
            return redirect("collection-settings", agency_id=agency.pk)
    start = today().replace(month=1, day=1)
    holidays = Holiday.objects.filter(
        Q(local_government__isnull=True) | Q(local_government_id=agency.local_government_id), day__gte=start
    )
    context = {"agency": agency, "form": form, "version": version, "holidays": holidays}
    return render(request, "collection/settings.html", context)


# The submission form


def _parse_lines(
    post: Any, rows: list[selectors.FormRow]
) -> tuple[list[services.LineInput], dict[int, dict[str, str]], dict[int, dict[str, str]]]:  # noqa: E501
    """The lines as typed, problems found while reading them, and the raw inputs to show again."""
    inputs, problems, raw = [], {}, {}
    for row in rows:
        pk = row.line.indicator_id
        prefix = f"l{pk}-"
        if prefix + "version" not in post:
            continue
        typed = {name: post.get(prefix + name, "")[:MAX_TEXT] for name in ("value", "no_data_reason", *NOTE_FIELDS)}
        no_data = post.get(prefix + "no_data") == "on"
        raw[pk] = {**typed, "no_data": no_data}
        version = post.get(prefix + "version", "")
        if not version.isdigit():
            problems[pk] = {"value": _("The form is incomplete; reload the page.")}
            continue
        value, text = None, ""
        typed_value = typed["value"].strip()
        if row.line.indicator.scale == Scale.QUALITATIVE:
            text = typed_value[:200]
        elif typed_value:
            try:
                value = parse_decimal(typed_value)
            except NumberFormatError as exc:
                problems[pk] = {"value": str(exc.message)}
                continue
        inputs.append(
            services.LineInput(
                indicator_id=pk, version=int(version), value=value, text=text, no_data=no_data,
                no_data_reason=typed["no_data_reason"], factors_helped=typed["factors_helped"],
                factors_hindered=typed["factors_hindered"], follow_up=typed["follow_up"],
            )
        )  # fmt: skip
    return inputs, problems, raw


@require_http_methods(["GET", "POST"])
def submission_form(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    rows = selectors.form_rows(submission)
    preparer = preparer_assignment(request.user, submission.request) is not None
    problems: dict[int, dict[str, str]] = {}
    raw: dict[int, dict[str, str]] = {}
    conflicts: dict[int, Any] = {}
    warnings: list[str] = []
    status = 200
    if request.method == "POST":
        if not preparer:
            raise PermissionDenied
        inputs, problems, raw = _parse_lines(request.POST, rows)
        if not problems:
            try:
                saved = services.save_lines(
                    submission=submission, lines=inputs, by=request.user,
                    confirmed_warnings=request.POST.get("confirm_warnings") == "on",
                )  # fmt: skip
            except services.LinesChanged as exc:
                conflicts = {line.indicator_id: line for line in exc.lines}
                status = 409
            except services.LineProblems as exc:
                problems = exc.by_line
            except ConfirmationRequired as exc:
                warnings = exc.warnings
            except services.TransitionRefused as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("collection-submission", pk=submission.pk)
            else:
                if saved:
                    messages.success(
                        request, _("The draft was saved (%(count)s indicators changed).") % {"count": len(saved)}
                    )
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("collection-submission", pk=submission.pk)
        if problems:
            messages.error(request, _("Nothing was saved: correct the indicators marked below."))
        if conflicts:
            messages.error(
                request,
                _("Nothing was saved: someone else saved the indicators marked below after you opened the form. "
                  "Their values are shown next to yours; check them and save again."),
            )  # fmt: skip
            rows = selectors.form_rows(submission)
    return render(
        request,
        "collection/submission.html",
        _form_context(request, submission, rows, problems=problems, raw=raw, conflicts=conflicts, warnings=warnings),
        status=status,
    )  # noqa: E501


def _form_context(
    request: HttpRequest, submission: Submission, rows: list[selectors.FormRow], **extra: Any
) -> dict[str, Any]:  # noqa: E501
    user = request.user
    agency = submission.request.period.agency
    status = submission.status
    preparer = preparer_assignment(user, submission.request) is not None
    reviewer = status == Submission.Status.SUBMITTED and holds(user, submission.awaiting_id) is not None
    planner = can_plan(user, agency)
    last = submission.reviews.order_by("-at", "-pk").first()
    return {
        "submission": submission, "request_": submission.request, "period": submission.request.period,
        "agency": agency, "rows": rows, "history": selectors.history(submission),
        "editable": preparer and submission.editable, "preparer": preparer,
        "can_submit": preparer and submission.editable,
        "can_withdraw": preparer and status == Submission.Status.SUBMITTED and last is not None
        and last.decision == "submitted",
        "can_review": reviewer, "can_verify": planner and status == Submission.Status.APPROVED,
        "can_reopen": planner and status == Submission.Status.VERIFIED,
        "can_board": reads_whole_agency(user, agency),
        "problems": extra.get("problems", {}), "raw": extra.get("raw", {}), "conflicts": extra.get("conflicts", {}),
        "warnings": extra.get("warnings", []), "note_fields": [
            ("factors_helped", _("Factors that helped")), ("factors_hindered", _("Factors that hindered")),
            ("follow_up", _("Follow-up")),
        ],
        "evidence_required": services.settings_of(agency).evidence_required,
    }  # fmt: skip


@require_GET
def line_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The achievement and predicate of one indicator as the user types (htmx)."""
    submission = get_submission_for_user(request.user, pk)
    indicator_id = request.GET.get("indicator", "")
    line = (
        submission.lines.select_related("indicator__plan")
        .filter(indicator_id=indicator_id if indicator_id.isdigit() else 0)
        .first()
    )  # noqa: E501
    if line is None:
        raise Http404
    typed = request.GET.get(f"l{line.indicator_id}-value", "").strip()
    problem = ""
    line.no_data = request.GET.get(f"l{line.indicator_id}-no_data") == "on"
    if line.indicator.scale == Scale.QUALITATIVE:
        line.value, line.text = None, typed
    else:
        try:
            line.value = parse_decimal(typed) if typed else None
        except NumberFormatError as exc:
            problem = str(exc.message)
            line.value = None
    period = submission.request.period
    bands = measurement.bands_of(period.agency)
    (figures,) = measurement.figures(
        period.agency, year=period.year, upto=period.quarter, indicators=[line.indicator], bands=bands
    )  # noqa: E501
    measure, band = selectors.live_measure(figures, line, bands)
    return render(
        request, "collection/_preview.html", {"measure": measure, "band": band, "problem": problem, "line": line}
    )  # noqa: E501


ACTIONS = {"submit", "withdraw", "approve", "return", "verify", "reopen"}


@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    submission = get_submission_for_user(request.user, pk)
    version_text = request.POST.get("version", "")
    if not version_text.isdigit():
        messages.error(request, _("The form is incomplete; reload the page."))
        return redirect("collection-submission", pk=submission.pk)
    version = int(version_text)
    note = request.POST.get("note", "")[:MAX_TEXT]
    by = request.user
    done = {
        "submit": _("The data was submitted for review."), "withdraw": _("The submission was withdrawn; it is a draft again."),
        "approve": _("Approved."), "return": _("Returned to the preparers with your note."),
        "verify": _("Verified: the data is locked and counts on the dashboards."),
        "reopen": _("Reopened for correction."),
    }  # fmt: skip
    try:
        if action == "submit":
            services.submit(submission=submission, version=version, by=by)
        elif action == "withdraw":
            services.withdraw(submission=submission, version=version, by=by)
        elif action == "approve":
            services.approve(submission=submission, version=version, by=by, note=note)
        elif action == "return":
            remarks = {
                int(key[7:]): value[:MAX_TEXT] for key, value in request.POST.items()
                if key.startswith("remark-") and key[7:].isdigit()
            }  # fmt: skip
            services.return_submission(submission=submission, version=version, by=by, note=note, remarks=remarks)
        elif action == "verify":
            services.verify(submission=submission, version=version, by=by)
        else:
            services.reopen(submission=submission, version=version, reason=note, by=by)
    except services.LineProblems as exc:
        rows = selectors.form_rows(submission)
        messages.error(request, str(exc.message))
        return render(
            request,
            "collection/submission.html",
            _form_context(request, submission, rows, problems=exc.by_line),
            status=400,
        )  # noqa: E501
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done[action])
    return redirect("collection-submission", pk=submission.pk)


# Evidence


@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect("collection-submission", pk=line.submission_id)
    limit = services.settings_of(line.submission.request.period.agency).evidence_max_mb * 1024 * 1024
    if upload.size > limit:
        messages.error(request, _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)})
        return redirect("collection-submission", pk=line.submission_id)
    try:
        services.add_evidence(line=line, data=upload.read(), name=upload.name or "", by=request.user)
    except ValidationError as exc:
        messages.error(request, f"{line.indicator.code}: " + " ".join(exc.messages))
    else:
        messages.success(request, _("The evidence of %(code)s was attached.") % {"code": line.indicator.code})
    return redirect(reverse("collection-submission", args=[line.submission_id]) + f"#line-{line.indicator_id}")


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.name, content_type=evidence.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request.user, pk)
    line = evidence.line
    try:
        services.remove_evidence(evidence=evidence, reason=request.POST.get("reason", "")[:MAX_TEXT], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(reverse("collection-submission", args=[line.submission_id]) + f"#line-{line.indicator_id}")


# The offline form (Excel)


def _excel_preview(
    request: HttpRequest, submission: Submission, upload: Any, form: Any = None, *, status: int = 200
) -> HttpResponse:
    context = {
        "submission": submission, "request_": submission.request, "period": submission.request.period,
        "agency": submission.request.period.agency, "upload": upload, "form": form,
    }  # fmt: skip
    return render(request, "collection/excel_preview.html", context, status=status)


def _excel_writer(request: HttpRequest, pk: int) -> Submission:
    """The submission, when the user prepares it (404 outside the agency, else 403)."""
    submission = get_submission_for_user(request.user, pk)
    services.require_preparer(request.user, submission)
    return submission


@require_GET
def excel_download(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    period = submission.request.period
    unit = submission.request.unit
    name = f"kinerja-{unit.code or unit.name}-{period.year}-TW{period.quarter}"
    response = HttpResponse(form_workbook(submission), content_type=XLSX)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "kinerja"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def excel_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Reads the filled workbook and shows what it would change, or every error in it. Saves nothing."""
    submission = _excel_writer(request, pk)
    if not submission.editable:
        messages.error(request, _("This submission cannot be changed now."))
        return redirect("collection-submission", pk=submission.pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():  # too large, not an .xlsx, or no file: refused before it is parsed
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
        return _excel_preview(request, submission, FormUpload(errors=errors), status=400)
    upload = read_form(submission, form.cleaned_data["file"])
    if upload.errors or not upload.changes:
        pending.discard(request)
        return _excel_preview(request, submission, upload)
    token = pending.keep(request, submission.request.period.agency, form.cleaned_data["file"], form.filename)
    return _excel_preview(request, submission, upload, ConfirmForm(initial={"token": token}))


@require_POST
def excel_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Applies the previewed workbook through save_lines: read again from the same bytes, all or nothing."""
    submission = _excel_writer(request, pk)
    agency = submission.request.period.agency
    form = ConfirmForm(request.POST)
    kept = pending.load(request, agency, form.cleaned_data["token"]) if form.is_valid() else None
    if kept is None:
        messages.error(request, _("The previewed file is no longer available. Upload it again."))
        return redirect("collection-submission", pk=submission.pk)
    if not submission.editable:
        pending.discard(request)
        messages.error(request, _("This submission cannot be changed now."))
        return redirect("collection-submission", pk=submission.pk)
    upload = read_form(submission, kept.data)  # the workbook names its submission: another one's is refused here
    if upload.errors:
        pending.discard(request)
        return _excel_preview(request, submission, upload, status=409)
    confirmed = form.cleaned_data["confirm_warnings"]
    try:
        saved = services.save_lines(
            submission=submission, lines=upload.inputs, by=request.user, confirmed_warnings=confirmed
        )
    except ConfirmationRequired as exc:
        upload.warnings = exc.warnings
        form.add_error("confirm_warnings", _("Tick this box to confirm the warnings, or correct the workbook."))
        return _excel_preview(request, submission, upload, form)
    except services.LinesChanged as exc:
        pending.discard(request)
        codes = ", ".join(line.indicator.code for line in exc.lines)
        return _excel_preview(
            request, submission, FormUpload(errors=[f"{' '.join(exc.messages)} ({codes})"]), status=409
        )
    except services.LineProblems as exc:
        pending.discard(request)
        codes = {line.indicator_id: line.indicator.code for line in submission.lines.select_related("indicator")}
        errors = [f"{codes.get(k, k)}: {m}" for k, fields in exc.by_line.items() for m in fields.values()]
        return _excel_preview(request, submission, FormUpload(errors=errors), status=400)
    except services.TransitionRefused as exc:
        pending.discard(request)
        messages.error(request, " ".join(exc.messages))
        return redirect("collection-submission", pk=submission.pk)
    pending.discard(request)
    messages.success(request, _("The draft was saved (%(count)s indicators changed).") % {"count": len(saved)})
    return redirect("collection-submission", pk=submission.pk)
