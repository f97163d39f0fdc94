"""The Excel round trip: export, templates, and the import with its preview and confirmation."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.measurement.excel import pending
from kinerja.measurement.excel.forms import ConfirmForm, UploadForm
from kinerja.measurement.excel.importer import ImportResult, run_import
from kinerja.measurement.excel.reader import Issue
from kinerja.measurement.excel.writer import TEMPLATE_KINDS, export_workbook, template_workbook
from kinerja.org.models import Agency
from kinerja.org.permissions import get_agency_for_user
from kinerja.planning.permissions import reads_whole_agency, require_planner

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 500  # a workbook with thousands of errors is one mistake repeated; the first ones say which


def _agency(request: HttpRequest, agency_id: int, *, write: bool) -> Agency:
    """The agency, if the user may export it (write=False) or import into it: 404 for another agency, else 403."""
    agency = get_agency_for_user(request.user, agency_id)
    if write:
        require_planner(request.user, agency)
    elif not reads_whole_agency(request.user, agency):
        raise PermissionDenied
    return agency


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{4}", raw):
        raise BadRequest(_("The year must be written with four digits."))
    return int(raw)


def _download(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "kinerja"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response


def _short(agency: Agency) -> str:
    return agency.short_name or str(agency.pk)


@require_GET
def export(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency(request, agency_id, write=False)
    year = _year(request)
    return _download(export_workbook(agency, year), f"kinerja-{_short(agency)}-{year or 'lengkap'}")


@require_GET
def template(request: HttpRequest, agency_id: int, kind: str) -> HttpResponse:
    agency = _agency(request, agency_id, write=True)
    if kind not in TEMPLATE_KINDS:
        raise Http404
    year = _year(request) or timezone.localdate().year
    return _download(template_workbook(agency, kind, year), f"templat-{kind}-{_short(agency)}-{year}")


def _run(request: HttpRequest, agency: Agency, data: bytes, *, commit: bool, confirmed: bool = False) -> ImportResult:
    try:
        return run_import(data=data, agency=agency, by=request.user, commit=commit, warnings_confirmed=confirmed)
    except Exception:  # a file that reaches an unforeseen corner must still end in a page, and nothing saved
        logger.exception("Excel import failed for agency %s", agency.pk)
        message = _("The import stopped on an unexpected problem and saved nothing. Check the file and try again.")
        return ImportResult(errors=[Issue(message)], warnings=[], summaries=[])


def _preview(request: HttpRequest, agency: Agency, result: ImportResult, form: ConfirmForm | None) -> HttpResponse:
    context: dict[str, Any] = {
        "agency": agency, "result": result, "errors": result.errors[:SHOWN_ERRORS],
        "hidden_errors": max(0, len(result.errors) - SHOWN_ERRORS), "form": form,
    }  # fmt: skip
    return render(request, "measurement/excel_preview.html", context)


def _import_page(request: HttpRequest, agency: Agency, form: UploadForm) -> HttpResponse:
    year = timezone.localdate().year
    context = {"agency": agency, "form": form, "year": year, "kinds": TEMPLATE_KINDS}
    return render(request, "measurement/excel_import.html", context)


@require_http_methods(["GET", "POST"])
def import_workbook(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The upload, then the preview of what the workbook would create and change, or of its errors."""
    agency = _agency(request, agency_id, write=True)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _import_page(request, agency, form)
    data = form.cleaned_data["file"]
    token = pending.keep(request, agency, data, form.filename)
    result = _run(request, agency, data, commit=False)
    if result.errors or not result.changes:
        pending.discard(request)  # nothing to confirm
        return _preview(request, agency, result, None)
    return _preview(request, agency, result, ConfirmForm(initial={"token": token}))


@require_POST
def import_confirm(request: HttpRequest, agency_id: int) -> HttpResponse:
    """Applies the previewed workbook: validated again from the same bytes, all or nothing."""
    agency = _agency(request, agency_id, write=True)
    form = ConfirmForm(request.POST)
    kept = pending.load(request, agency, form.cleaned_data["token"]) if form.is_valid() else None
    if kept is None:
        messages.error(request, _("The previewed file is no longer available. Upload it again."))
        return redirect("measurement-excel-import", agency_id=agency.pk)
    confirmed = form.cleaned_data["confirm_warnings"]
    result = _run(request, agency, kept.data, commit=True, confirmed=confirmed)
    if result.applied:
        pending.discard(request)
        messages.success(
            request,
            _("The workbook was imported: %(count)s records created, changed or cleared.") % {"count": result.changes},
        )
        return redirect("measurement-excel-import", agency_id=agency.pk)
    if result.warnings and not result.errors and not confirmed:
        form.add_error("confirm_warnings", _("Tick this box to confirm the warnings, or correct the workbook."))
        return _preview(request, agency, result, form)
    pending.discard(request)
    return _preview(request, agency, result, None)
