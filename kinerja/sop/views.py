"""Pages of the SOP library and engine. Each view parses its input, calls one service and renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.collection.models import DataRequest, ReportingPeriod
from kinerja.lib.errors import error_messages
from kinerja.lib.versioning import posted_version
from kinerja.lib.xlsx import XLSX
from kinerja.org.models import Agency, Position, Role, Unit
from kinerja.org.permissions import readable_agencies, readable_agency_ids
from kinerja.sop import engine, selectors, services
from kinerja.sop.bpmn import export_bpmn
from kinerja.sop.models import Action, Case, Procedure, ProcedureVersion, Schedule, SopSettings, Step, Task
from kinerja.sop.permissions import (
    can_keep,
    get_case_for_user,
    get_procedure_for_user,
    get_task_for_user,
    get_version_for_user,
    keeper_agencies,
    require_runner,
    task_holder,
)
from kinerja.sop.render import document
from kinerja.sop.render.layout import LayoutOptions, layout
from kinerja.sop.render.svg import pages_svg
from kinerja.sop.sheets import export_workbook, import_workbook
from kinerja.sop.spec import (
    DurationError,
    Identity,
    Lane,
    ProcedureSpec,
    Symbol,
    durations_text,
    lint,
    parse_durations,
    problems,
)
from kinerja.sop.spec import Step as SpecStep

MAX_UPLOAD = 5 * 1024 * 1024
LIST_FIELDS = ("legal_basis", "qualifications", "related", "equipment", "warnings", "records")
IDENTITY_FIELDS = (
    "title", "government", "agency_name", "unit_name", "doc_number", "made_on", "effective_on",
    "approver_title", "approver_name", "approver_rank", "approver_nip", "trigger",
)  # fmt: skip


def _agency_from(request: HttpRequest, agencies: list[Agency]) -> Agency:
    wanted = request.GET.get("agency") or request.POST.get("agency") or ""
    if wanted.isdigit():
        found = next((a for a in agencies if a.pk == int(wanted)), None)
        if found is None:
            raise Http404
        return found
    if not agencies:
        raise Http404
    return agencies[0]


def _options(agency: Agency | None) -> LayoutOptions:
    size = selectors.settings_of(agency).page_size if agency is not None else "A4"
    return LayoutOptions(page_size=size)


# Library


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    agencies = readable_agencies(request.user)
    agency = _agency_from(request, agencies)
    keeper = can_keep(request.user, agency)
    procedures = list(selectors.library([agency.pk]).filter(agency=agency))
    rows = []
    for procedure in procedures:
        versions = list(procedure.versions.all())
        current = next((v for v in versions if v.status == ProcedureVersion.Status.PUBLISHED), None)
        draft = next((v for v in versions if v.status == ProcedureVersion.Status.DRAFT), None)
        if current is None and not keeper:
            continue
        rows.append({"procedure": procedure, "current": current, "draft": draft})
    templates = list(selectors.library([]).filter(agency__isnull=True)) if keeper else []
    context = {
        "agency": agency, "agencies": agencies, "rows": rows, "templates": templates, "keeper": keeper,
        "runner": keeper, "keeps": keeper_agencies(request.user),
    }  # fmt: skip
    return render(request, "sop/library.html", context)


@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_procedure_for_user(request.user, pk)
    if not template.is_template:
        raise Http404
    agency = _agency_from(request, keeper_agencies(request.user))
    try:
        procedure = services.adopt(template=template, agency=agency, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
        return redirect(f"{reverse('sop-library')}?agency={agency.pk}")
    messages.success(request, _("The template is now a draft SOP of your agency: check its performers and publish it."))
    return redirect("sop-edit", pk=procedure.versions.get().pk)


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    agency = _agency_from(request, keeper_agencies(request.user))
    current = selectors.settings_of(agency)
    errors: list[str] = []
    if request.method == "POST":
        per_day = request.POST.get("minutes_per_day", "")
        try:
            services.save_settings(
                agency=agency, by=request.user, expected=posted_version(request.POST),
                values={"time_zone": request.POST.get("time_zone"), "page_size": request.POST.get("page_size"),
                        "minutes_per_day": int(per_day) if per_day.isdigit() else None},
            )  # fmt: skip
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("The SOP settings were saved."))
            return redirect(f"{reverse('sop-settings')}?agency={agency.pk}")
    context = {"agency": agency, "current": current, "errors": errors, "zones": SopSettings.Zone.choices,
               "sizes": SopSettings.PageSize.choices}  # fmt: skip
    return render(request, "sop/settings.html", context)


@require_http_methods(["GET", "POST"])
def import_sheet(request: HttpRequest) -> HttpResponse:
    agency = _agency_from(request, keeper_agencies(request.user))
    errors: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("Choose the spreadsheet (.xlsx) to import.")]
        elif upload.size > MAX_UPLOAD:
            errors = [_("The file is larger than 5 MB.")]
        else:
            data = upload.read()
            known = {p.title: p.role for p in Position.objects.filter(agency=agency, is_active=True)}
            result = import_workbook(data, upload.name, known_performers=known)
            if result.errors or result.spec is None:
                errors = result.errors
            else:
                procedure = services.create_from_spec(
                    agency=agency, spec=result.spec, by=request.user, source=_("Imported from %(name)s.") % {
                        "name": upload.name[:100]},
                )  # fmt: skip
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, _("The SOP was imported as a draft. Check it and publish it."))
                return redirect("sop-edit", pk=procedure.versions.get().pk)
    return render(request, "sop/import.html", {"agency": agency, "errors": errors})


@require_GET
def book(request: HttpRequest) -> HttpResponse:
    agency = _agency_from(request, readable_agencies(request.user))
    versions = (
        ProcedureVersion.objects.filter(procedure__agency=agency, status=ProcedureVersion.Status.PUBLISHED)
        .select_related("procedure")
        .order_by("doc_number", "title")
    )
    entries = [(selectors.version_spec(v), f"v{v.number}", v.revised_on) for v in versions]
    if not entries:
        messages.info(request, _("The agency has no SOP in force yet."))
        return redirect(f"{reverse('sop-library')}?agency={agency.pk}")
    data = document.book_pdf(
        entries, title=_("Standard Operating Procedures"), agency_name=agency.name,
        year=timezone.localdate().year, options=_options(agency),
    )  # fmt: skip
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="buku-sop-{slugify(agency.short_name or agency.name)}.pdf"'
    return response


# One SOP


@require_GET
def procedure(request: HttpRequest, pk: int) -> HttpResponse:
    proc = get_procedure_for_user(request.user, pk)
    versions = list(proc.versions.order_by("-number"))
    current = next((v for v in versions if v.status == ProcedureVersion.Status.PUBLISHED), None)
    if proc.is_template:
        return redirect("sop-version", pk=current.pk) if current else redirect("sop-library")
    keeper = can_keep(request.user, proc.agency)
    if current is None and not keeper:
        raise Http404
    draft = next((v for v in versions if v.status == ProcedureVersion.Status.DRAFT), None)
    schedule = Schedule.objects.filter(procedure=proc).first()
    cases = Case.objects.filter(procedure_version__procedure=proc).select_related("procedure_version", "unit")[:20]
    context = {
        "procedure": proc, "versions": versions, "current": current, "draft": draft, "keeper": keeper,
        "schedule": schedule, "schedule_kinds": Schedule.Kind.choices, "cases": cases,
        "start": _start_context(proc.agency, current) if current and keeper else None,
    }  # fmt: skip
    return render(request, "sop/procedure.html", context)


def _start_context(agency: Agency, version: ProcedureVersion) -> dict[str, Any]:
    periods = list(ReportingPeriod.objects.filter(agency=agency).order_by("-year", "-quarter")[:8])
    requests = list(
        DataRequest.objects.filter(period__in=periods, kind=DataRequest.Kind.DIVISION).select_related("unit", "period")
    )
    return {
        "periods": periods, "requests": requests, "units": Unit.objects.filter(agency=agency),
        "variants": engine.variants_of(version),
    }  # fmt: skip


@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    proc = get_procedure_for_user(request.user, pk, write=True)
    try:
        version = services.start_revision(procedure=proc, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
        return redirect("sop-procedure", pk=proc.pk)
    messages.success(request, _("A revision was started as a new draft; the version in force stays until you publish."))
    return redirect("sop-edit", pk=version.pk)


@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    proc = get_procedure_for_user(request.user, pk, write=True)
    try:
        services.save_schedule(
            procedure=proc, by=request.user,
            values={"kind": request.POST.get("kind", ""), "day": request.POST.get("day", "10"),
                    "per_division": request.POST.get("per_division") == "on",
                    "variant": request.POST.get("variant", "")},
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, _("The schedule was saved."))
    return redirect("sop-procedure", pk=proc.pk)


@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    proc = get_procedure_for_user(request.user, pk)
    if proc.is_template:
        raise Http404
    require_runner(request.user, proc.agency)
    version = selectors.current_version(proc)
    if version is None:
        raise Http404
    subject = request.POST.get("subject", "")
    variant = request.POST.get("variant", "")
    values: dict[str, Any] = {"unit": None, "subject_kind": "", "subject_id": None}
    now = timezone.localdate()
    year, quarter = now.year, None
    try:
        if subject.startswith("request-") and subject[8:].isdigit():
            data_request = DataRequest.objects.select_related("period", "unit").filter(
                pk=int(subject[8:]), period__agency=proc.agency
            ).first()  # fmt: skip
            if data_request is None:
                raise ValidationError({"subject": _("Choose a data request of this agency.")})
            period = data_request.period
            values = {"unit": data_request.unit, "subject_kind": engine.SUBJECT_REQUEST, "subject_id": data_request.pk}
            label = engine.quarter_label(period.year, period.quarter)
            values["subject_label"] = f"{label} — {data_request.unit.name}"
            year, quarter = period.year, period.quarter
        elif subject.startswith("period-") and subject[7:].isdigit():
            period = ReportingPeriod.objects.filter(pk=int(subject[7:]), agency=proc.agency).first()
            if period is None:
                raise ValidationError({"subject": _("Choose a period of this agency.")})
            values = {
                "unit": None,
                "subject_kind": engine.SUBJECT_PERIOD,
                "subject_id": period.pk,
                "subject_label": engine.quarter_label(period.year, period.quarter),
            }
            year, quarter = period.year, period.quarter
        else:
            unit_id = request.POST.get("unit", "")
            unit = Unit.objects.filter(pk=int(unit_id), agency=proc.agency).first() if unit_id.isdigit() else None
            values = {"unit": unit, "subject_kind": "", "subject_id": None,
                      "subject_label": request.POST.get("label", "")[:300]}  # fmt: skip
        case = engine.start_case(
            version=version, by=request.user, year=year, quarter=quarter, variant=variant, **values
        )
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
        return redirect("sop-procedure", pk=proc.pk)
    messages.success(request, _("The case was started; its first step is in the performer's inbox."))
    return redirect("sop-case", pk=case.pk)


# Versions and documents


def _pages(spec: ProcedureSpec, agency: Agency | None) -> list[str]:
    """The flowchart pages as SVG, or none while a draft cannot be drawn (its checks say why)."""
    try:
        return pages_svg(layout(spec, _options(agency)))
    except (ValueError, KeyError):
        return []


@require_GET
def version(request: HttpRequest, pk: int) -> HttpResponse:
    ver = get_version_for_user(request.user, pk)
    spec = selectors.version_spec(ver)
    agency = ver.procedure.agency
    context = {
        "version": ver, "procedure": ver.procedure, "spec": spec,
        "pages": _pages(spec, agency),
        "lanes": list(ver.lanes.select_related("position")), "steps": list(ver.steps.prefetch_related("lanes")),
        "keeper": agency is not None and can_keep(request.user, agency),
        "adopt_agencies": keeper_agencies(request.user) if agency is None else [],
        "formats": [("pdf", "PDF"), ("docx", "Word (DOCX)"), ("xlsx", "Excel (XLSX)"), ("bpmn", "BPMN 2.0")],
        "lint": lint(spec), "problems": problems(spec),
    }  # fmt: skip
    return render(request, "sop/version.html", context)


@require_GET
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    ver = get_version_for_user(request.user, pk)
    spec = selectors.version_spec(ver)
    options = _options(ver.procedure.agency)
    name = f"sop-{slugify(ver.title)[:60]}-v{ver.number}"
    label = f"v{ver.number}"
    try:
        data, mime = _export(spec, ver, fmt, options, label)
    except ValueError as exc:  # a draft that cannot be drawn yet: say why instead of failing
        messages.error(request, _("This version cannot be exported yet: %(reason)s") % {"reason": exc})
        return redirect("sop-edit" if ver.is_draft else "sop-version", pk=ver.pk)
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _export(spec: ProcedureSpec, ver: ProcedureVersion, fmt: str, options: Any, label: str) -> tuple[bytes, str]:
    if fmt == "pdf":
        data, mime = document.document_pdf(spec, options=options, version_label=label, revised_on=ver.revised_on), \
            "application/pdf"  # fmt: skip
    elif fmt == "docx":
        data = document.document_docx(spec, options=options, version_label=label, revised_on=ver.revised_on)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "xlsx":
        data, mime = export_workbook(spec), XLSX
    elif fmt == "bpmn":
        data, mime = export_bpmn(spec, process_id=f"sop_{ver.procedure_id}_v{ver.number}"), "application/xml"
    else:
        raise Http404
    return data, mime


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    ver = get_version_for_user(request.user, pk, write=True)
    try:
        services.publish(
            version=ver, changelog=request.POST.get("changelog", "")[:5000], by=request.user,
            expected=posted_version(request.POST),
        )  # fmt: skip
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("sop-edit", pk=ver.pk)
    messages.success(request, _("The SOP is in force."))
    return redirect("sop-procedure", pk=ver.procedure_id)


@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    ver = get_version_for_user(request.user, pk, write=True)
    agency_id, procedure_id = ver.procedure.agency_id, ver.procedure_id
    try:
        services.discard_draft(version=ver, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
        return redirect("sop-version", pk=pk)
    messages.success(request, _("The draft was discarded."))
    if Procedure.objects.filter(pk=procedure_id).exists():
        return redirect("sop-procedure", pk=procedure_id)
    return redirect(f"{reverse('sop-library')}?agency={agency_id}")


# The table editor


@dataclass
class EditorRow:
    number: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _parse_editor(post: Any, version: ProcedureVersion) -> tuple[ProcedureSpec, dict[str, int | None], list[str]]:
    """The posted table as a spec, the lane → position mapping and the errors found in the cells."""
    errors: list[str] = []
    identity = Identity(
        title=post.get("title", "").strip(), government=post.get("government", "").strip(),
        agency=post.get("agency_name", "").strip(), unit=post.get("unit_name", "").strip(),
        number=post.get("doc_number", "").strip(), made_on=post.get("made_on", "").strip(),
        revised_on=version.revised_on, effective_on=post.get("effective_on", "").strip(),
        approver_title=post.get("approver_title", "").strip(), approver_name=post.get("approver_name", "").strip(),
        approver_rank=post.get("approver_rank", "").strip(), approver_nip=post.get("approver_nip", "").strip(),
        **{name: _lines(post.get(name, "")) for name in LIST_FIELDS},
    )  # fmt: skip
    lanes: list[Lane] = []
    positions: dict[str, int | None] = {}
    taken: set[str] = set()
    lane_count = _int_or_none(post.get("lane_count", "")) or 0
    for i in range(min(lane_count, 30)):
        label = post.get(f"lane-{i}-label", "").strip()
        if not label or post.get(f"lane-{i}-delete") == "on":
            continue
        key = post.get(f"lane-{i}-key", "").strip() or services.slug_for(label, taken)
        if key in taken:
            key = services.slug_for(label, taken)
        taken.add(key)
        role = post.get(f"lane-{i}-role", "")
        lanes.append(Lane(key=key, label=label[:200], role=role if role in Role.values else ""))
        positions[key] = _int_or_none(post.get(f"lane-{i}-position", ""))
    rows = []
    step_count = _int_or_none(post.get("step_count", "")) or 0
    for i in range(min(step_count, 300)):
        text = post.get(f"step-{i}-text", "").strip()
        if not text or post.get(f"step-{i}-delete") == "on":
            continue
        rows.append(i)
    renumber = {i + 1: n for n, i in enumerate(rows, start=1)}  # the number shown in the form → the new number

    def target(i: int, name: str) -> int | None:
        value = post.get(f"step-{i}-{name}", "").strip()
        if not value:
            return None
        if not value.isdigit() or int(value) not in renumber:
            errors.append(_("Step %(n)s: “%(value)s” is not a step of this SOP.") % {"n": i + 1, "value": value})
            return None
        return renumber[int(value)]

    steps: list[SpecStep] = []
    lane_keys = {lane.key for lane in lanes}
    for n, i in enumerate(rows, start=1):
        try:
            durations = parse_durations(post.get(f"step-{i}-time", ""))
        except DurationError as exc:
            errors.append(_("Step %(n)s: %(reason)s") % {"n": i + 1, "reason": exc})
            durations = ()
        symbol = post.get(f"step-{i}-symbol", "process")
        action = post.get(f"step-{i}-action", "")
        chosen = [key for key in post.getlist(f"step-{i}-lanes") if key in lane_keys]
        steps.append(
            SpecStep(
                number=n, text=post.get(f"step-{i}-text", "").strip(),
                symbol=Symbol(symbol) if symbol in Symbol.__members__.values() else Symbol.PROCESS,
                lanes=chosen, inputs=_lines(post.get(f"step-{i}-inputs", "")), durations=durations,
                outputs=_lines(post.get(f"step-{i}-outputs", "")), notes=post.get(f"step-{i}-notes", "").strip(),
                next=target(i, "next"), yes=target(i, "yes"), no=target(i, "no"),
                question=post.get(f"step-{i}-question", "").strip()[:300],
                action=action if action in Action.values else "",
                performer_inferred=post.get(f"step-{i}-inferred") == "on" and post.get(f"step-{i}-confirm") != "on",
                performer_confidence=post.get(f"step-{i}-confidence", "")[:10],
                performer_reason=post.get(f"step-{i}-reason", "")[:2000],
            )
        )  # fmt: skip
    spec = ProcedureSpec(identity=identity, lanes=lanes, steps=steps, trigger=post.get("trigger", "").strip())
    return spec, positions, errors


def _editor_context(version: ProcedureVersion, spec: ProcedureSpec, positions: dict[str, int | None]) -> dict:
    agency = version.procedure.agency
    lanes = [{"key": lane.key, "label": lane.label, "role": lane.role, "position": positions.get(lane.key)}
             for lane in spec.lanes]  # fmt: skip
    steps = [{"step": s, "time": durations_text(s.durations), "inputs": "\n".join(s.inputs),
              "outputs": "\n".join(s.outputs)} for s in spec.steps]  # fmt: skip
    return {
        "version": version, "procedure": version.procedure, "spec": spec, "lanes": lanes,
        "blank_lanes": range(len(lanes), len(lanes) + 2), "steps": steps,
        "blank_steps": range(len(steps), len(steps) + 3), "lane_count": len(lanes) + 2,
        "step_count": len(steps) + 3, "roles": Role.choices, "symbols": Step.Symbol.choices,
        "actions": Action.choices, "positions": Position.objects.filter(agency=agency, is_active=True),
        "lists": [(name, ProcedureVersion._meta.get_field(name).verbose_name, "\n".join(getattr(spec.identity, name)))
                  for name in LIST_FIELDS],
        "lint": lint(spec), "problems": problems(spec),
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    ver = get_version_for_user(request.user, pk, write=True)
    if ver.procedure.is_template:
        raise Http404
    if not ver.is_draft:
        messages.info(request, _("A published version never changes. Start a revision to change this SOP."))
        return redirect("sop-procedure", pk=ver.procedure_id)
    errors: list[str] = []
    if request.method == "POST":
        spec, positions, errors = _parse_editor(request.POST, ver)
        if not errors:
            try:
                services.save_draft(
                    version=ver, spec=spec, positions=positions, by=request.user,
                    expected=posted_version(request.POST),
                )  # fmt: skip
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("sop-edit", pk=ver.pk)
        context = _editor_context(ver, spec, positions)
        context["form_version"] = request.POST.get("version")
    else:
        spec = selectors.version_spec(ver)
        positions = {lane.key: lane.position_id for lane in ver.lanes.all()}
        context = _editor_context(ver, spec, positions)
        context["form_version"] = ver.version
    context["errors"] = errors
    return render(request, "sop/edit.html", context, status=400 if errors else 200)


# Cases and tasks


@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    agency = _agency_from(request, readable_agencies(request.user))
    status = request.GET.get("status", "running")
    rows = selectors.cases_of(agency)
    if status in Case.Status.values:
        rows = rows.filter(status=status)
    context = {"agency": agency, "cases": rows[:200], "status": status, "statuses": Case.Status.choices}
    return render(request, "sop/cases.html", context)


@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_user(request.user, pk)
    tasks = list(
        found.tasks.select_related("step", "lane", "position", "assignee", "done_by").order_by(
            "started_at", "step__number", "lane__order"
        )
    )
    context = {"case": found, "tasks": tasks, "runner": can_keep(request.user, found.agency)}
    return render(request, "sop/case.html", context)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_user(request.user, pk)
    try:
        engine.cancel_case(case=found, reason=request.POST.get("reason", "")[:2000], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(error_messages(exc)))
    else:
        messages.success(request, _("The case was cancelled."))
    return redirect("sop-case", pk=found.pk)


@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.task_inbox(request.user)[:200])
    return render(request, "sop/tasks.html", {"tasks": mine})


@require_http_methods(["GET", "POST"])
def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_task_for_user(request.user, pk)
    holder = task_holder(request.user, found)
    if request.method == "GET":
        engine.mark_opened(found, request.user)
    errors: list[str] = []
    if request.method == "POST":
        if holder is None:
            raise PermissionDenied
        what = request.POST.get("do", "")
        expected = posted_version(request.POST)
        try:
            if what == "output":
                upload = request.FILES.get("file")
                if upload is not None and upload.size > engine.OUTPUT_MAX_BYTES:
                    raise ValidationError({"file": _("The file is larger than 20 MB.")})
                engine.add_output(
                    task=found, name=request.POST.get("name", ""), reference=request.POST.get("reference", ""),
                    data=upload.read() if upload else None, filename=upload.name if upload else "", by=request.user,
                )  # fmt: skip
                messages.success(request, _("The output was attached."))
            elif what == "complete":
                engine.complete_task(
                    task=found, expected=expected, outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", "")[:5000], by=request.user,
                )  # fmt: skip
                messages.success(request, _("The step is done."))
            elif what == "pause":
                engine.pause_task(task=found, expected=expected, reason=request.POST.get("reason", "")[:2000],
                                  by=request.user)  # fmt: skip
                messages.success(request, _("The task is paused; its clock stopped."))
            elif what == "resume":
                engine.resume_task(task=found, expected=expected, by=request.user)
                messages.success(request, _("The task is running again."))
            else:
                raise ValidationError(_("Unknown request."))
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            return redirect("sop-task", pk=found.pk)
    found.refresh_from_db()
    outputs = list(found.outputs.all())
    attached = {o.name.casefold() for o in outputs}
    context = {
        "task": found, "case": found.case, "step": found.step, "holder": holder, "errors": errors,
        "outputs": outputs, "needed": [(name, name.casefold() in attached) for name in found.step.outputs],
        "pauses": list(found.pauses.all()), "history": found.case.tasks.filter(status=Task.Status.DONE)
        .select_related("step", "lane", "done_by").order_by("done_at")[:50],
        "bound": bool(found.step.action and found.case.subject_id is not None),
    }  # fmt: skip
    return render(request, "sop/task.html", context, status=400 if errors else 200)


@require_GET
def task_output(request: HttpRequest, pk: int, output: int) -> HttpResponse:
    found = get_task_for_user(request.user, pk)
    item = found.outputs.filter(pk=output).exclude(file="").first()
    if item is None or found.case.agency_id not in readable_agency_ids(request.user):
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file_name or "output",
                        content_type=item.mime or "application/octet-stream")  # fmt: skip
