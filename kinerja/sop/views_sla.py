"""The SLA report of SOP cases: the page, its Excel export, and its printable PDF with the monitoring form.

Read by those who read the whole agency (head, secretary, planning head, evaluators): another member of
the agency gets 403; an agency the user cannot read at all is 404."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kinerja.lib.numbers import round_half_up
from kinerja.lib.xlsx import xlsx_response
from kinerja.org.models import Agency
from kinerja.org.permissions import get_agency_for_user, readable_agencies
from kinerja.sop import sla
from kinerja.sop.models import Case, Procedure
from kinerja.sop.permissions import can_read_sla

BOTTLENECKS_SHOWN = 10
ALL = "all"
SHEET_TITLES = {
    sla.Grouping.STEP: gettext_lazy("By step"),
    sla.Grouping.POSITION: gettext_lazy("By position"),
    sla.Grouping.PERSON: gettext_lazy("By person"),
    sla.Grouping.UNIT: gettext_lazy("By unit"),
    sla.Grouping.PERIOD: gettext_lazy("By period"),
    sla.Grouping.SOP: gettext_lazy("By SOP"),
}


@dataclass(frozen=True)
class Filters:
    agency: Agency
    year: int | None  # None: every year
    quarter: int | None  # None: the whole year
    procedure_id: int | None  # None: every SOP
    grouping: str

    def query(self, **changes: Any) -> str:
        values = {
            "agency": self.agency.pk, "year": self.year if self.year is not None else ALL,
            "quarter": self.quarter or "", "sop": self.procedure_id or "", "group": self.grouping,
        }  # fmt: skip
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    @property
    def period(self) -> str:
        if self.year is None:
            return _("All years")
        if self.quarter is None:
            return str(self.year)
        return sla.period_label(self.year, self.quarter)


def _agency(request: HttpRequest) -> Agency:
    wanted = request.GET.get("agency", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        agency = get_agency_for_user(request.user, int(wanted))  # 404 when the user cannot read it at all
        if not can_read_sla(request.user, agency):
            raise PermissionDenied
        return agency
    for agency in readable_agencies(request.user):
        if can_read_sla(request.user, agency):
            return agency
    raise PermissionDenied


def _int(text: str, low: int, high: int) -> int | None:
    text = (text or "").strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def _filters(request: HttpRequest) -> Filters:
    agency = _agency(request)
    raw_year = request.GET.get("year", "")
    year = None if raw_year == ALL else (_int(raw_year, 2000, 2100) or timezone.localdate().year)
    quarter = _int(request.GET.get("quarter", ""), 1, 4) if year is not None else None
    procedure_id = _int(request.GET.get("sop", ""), 1, 2**63 - 1)
    if procedure_id is not None and not Procedure.objects.filter(pk=procedure_id, agency=agency).exists():
        procedure_id = None
    grouping = request.GET.get("group", "")
    if grouping not in sla.Grouping.values:
        grouping = sla.Grouping.STEP.value
    return Filters(agency=agency, year=year, quarter=quarter, procedure_id=procedure_id, grouping=grouping)


def _report(filters: Filters) -> sla.Report:
    scope = {"year": filters.year, "quarter": filters.quarter, "procedure_id": filters.procedure_id}
    records = sla.records_for(filters.agency, **scope)
    cases = sla.cases_for(filters.agency, **scope)
    sops = sla.procedures_in_force(filters.agency, procedure_id=filters.procedure_id)
    return sla.summarise(records, cases, sops)


def _context(request: HttpRequest, filters: Filters, report: sla.Report) -> dict[str, Any]:
    agency = filters.agency
    years = set(Case.objects.filter(agency=agency).values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    if filters.year is not None:
        years.add(filters.year)
    tabs = [
        {"value": g.value, "label": g.label, "query": filters.query(group=g.value), "current": g.value == filters.grouping}
        for g in sla.Grouping
    ]  # fmt: skip
    return {
        "agency": agency, "filters": filters, "report": report,
        "agencies": [a for a in readable_agencies(request.user) if can_read_sla(request.user, a)],
        "years": sorted(years, reverse=True), "quarters": sorted(sla.QUARTER_NAMES.items()),
        "procedures": Procedure.objects.filter(agency=agency).order_by("title", "pk"),
        "tabs": tabs, "grouping_label": sla.Grouping(filters.grouping).label,
        "grouping_title": SHEET_TITLES[sla.Grouping(filters.grouping)],
        "groups": report.groups[filters.grouping], "step_groups": report.groups[sla.Grouping.STEP],
        "bottlenecks": report.bottlenecks[:BOTTLENECKS_SHOWN], "query": filters.query(),
        "good_compliance": sla.COMPLIANCE_GOOD,
        "generated_at": timezone.localtime(),
    }  # fmt: skip


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    return render(request, "sop/sla.html", _context(request, filters, _report(filters)))


# Excel


def _n(value: Decimal | int | None, places: int = 2) -> Decimal | int | None:
    if value is None or isinstance(value, int):
        return value
    return round_half_up(value, places)


def _group_header(grouping: str) -> list[str]:
    first = [str(sla.Grouping(grouping).label)]
    if grouping == sla.Grouping.STEP:
        first = [_("SOP"), _("Step")]
    return [
        *first, _("Tasks"), _("With a time standard"), _("On time"), _("Late"), _("Very late"), _("No time standard"),
        _("Compliance index (%)"), _("Standard, median (minutes)"), _("Actual, median (minutes)"),
        _("Actual, p90 (minutes)"), _("Actual / standard, median (%)"), _("Actual / standard, p90 (%)"),
        _("Minutes over the standard"), _("Rework (iteration > 1)"), _("Hand-over wait, mean (minutes)"),
        _("Standard looks unrealistic"),
    ]  # fmt: skip


def _group_row(grouping: str, g: sla.GroupStats) -> list[Any]:
    first: list[Any] = [g.label]
    if grouping == sla.Grouping.STEP:
        first = [g.detail, g.label]
    return [
        *first, g.count, g.measured, g.on_time, g.late, g.very_late, g.no_standard, _n(g.compliance),
        _n(g.median_standard), _n(g.median_actual), _n(g.p90_actual), _n(g.median_ratio_percent),
        _n(g.p90_ratio_percent), g.minutes_over, g.rework, _n(g.mean_waiting), str(g.standard_flag.label),
    ]  # fmt: skip


def _monitoring_header() -> list[str]:
    return [
        _("SOP"), _("SOP number"), _("Judgement"), _("Cases started"), _("Cases finished"), _("Cases running"),
        _("Cases running past due"), _("Cases cancelled"), _("Tasks done"), _("With a time standard"), _("On time"),
        _("Compliance index (%)"), _("Late tasks"), _("Very late tasks"), _("Rework (iteration > 1)"),
        _("Reasons"), _("Follow-up"),
    ]  # fmt: skip


def _monitoring_row(m: sla.Monitoring) -> list[Any]:
    return [
        m.title, m.doc_number, str(m.judgement.label), m.cases_started, m.cases_finished, m.cases_running,
        m.cases_overdue, m.cases_cancelled, m.tasks, m.measured, m.on_time, _n(m.compliance), m.late_tasks,
        m.very_late, m.rework, " ".join(m.reasons), " ".join(m.follow_up),
    ]  # fmt: skip


def _task_header() -> list[str]:
    return [
        _("SOP"), _("Case"), _("Period"), _("Step"), _("Activity"), _("Iteration"), _("Performer"), _("Position"),
        _("Person"), _("Unit"), _("Due"), _("Done"), _("Standard (minutes)"), _("Actual (minutes)"),
        _("Deviation (minutes)"), _("Actual / standard (%)"), _("Status"), _("Paused (minutes)"),
        _("Hand-over wait (minutes)"),
    ]  # fmt: skip


def _local(value: Any) -> Any:
    # Excel has no time zones: the agency's local time as text, which reads the same everywhere.
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M") if value is not None else None


def _task_row(r: sla.TaskRecord) -> list[Any]:
    return [
        r.sop_title, r.case_label, r.period_label, r.step_number, r.step_text, r.iteration, r.lane_label,
        r.position_title, r.person_name, r.unit_name, _local(r.due_at), _local(r.done_at), r.standard_minutes,
        r.actual_minutes, r.deviation, _n(r.ratio_percent), str(r.punctuality.label), r.paused_minutes,
        r.waiting_minutes,
    ]  # fmt: skip


def _file_name(filters: Filters, kind: str) -> str:
    agency = slugify(filters.agency.short_name or filters.agency.name) or str(filters.agency.pk)
    period = (
        "semua" if filters.year is None else f"{filters.year}" + (f"-tw{filters.quarter}" if filters.quarter else "")
    )
    return f"{kind}-{agency}-{period}"


@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    report = _report(filters)
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for grouping in sla.Grouping:
        title = str(SHEET_TITLES[grouping])
        rows = [_group_row(grouping.value, g) for g in report.groups[grouping.value]]
        sheets.append((title, _group_header(grouping.value), rows))
    step = sla.Grouping.STEP.value
    sheets.append((_("Bottlenecks"), _group_header(step), [_group_row(step, g) for g in report.bottlenecks]))
    sheets.append((_("Monitoring"), _monitoring_header(), [_monitoring_row(m) for m in report.monitoring]))
    sheets.append((_("Tasks"), _task_header(), [_task_row(r) for r in report.records]))
    return xlsx_response(_file_name(filters, "sla-sop"), sheets)


# PDF


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """The print template is self-contained: nothing is fetched while rendering it."""
    raise ValueError(f"not fetched: {url[:80]}")


@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    import weasyprint  # heavy: loaded only for the PDF

    filters = _filters(request)
    context = _context(request, filters, _report(filters))
    html = render_to_string("sop/sla_pdf.html", context, request=request)
    data = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_fetch).write_pdf()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(filters, "sla-sop")}.pdf"'
    return response
