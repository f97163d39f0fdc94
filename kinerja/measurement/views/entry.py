"""Direct entry by the planning head: a quarter's realisations for every indicator, the predicate scale and the
early-warning threshold.

The collection workflow (data requests, review, locking) replaces direct entry for the divisions;
the planning head keeps this page to enter and correct values, each change audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinerja.lib.errors import ConflictError
from kinerja.lib.numbers import NumberFormatError, parse_decimal
from kinerja.measurement import selectors, services
from kinerja.measurement.forms import ThresholdForm, period_from_request
from kinerja.measurement.models import PredicateBand
from kinerja.measurement.predicates import COLOURS, Band
from kinerja.org.permissions import get_agency_for_user
from kinerja.planning.permissions import require_planner
from kinerja.planning.selectors import plan_for, requested_year

TEXT_FIELDS = ("text", "no_data_reason", "factors_helped", "factors_hindered", "follow_up")


class _RowError(Exception):
    pass


def _parse_row(post: Any, pk: int, row: selectors.IndicatorFigures) -> dict[str, Any]:
    prefix = f"r{pk}-"
    raw = post.get(prefix + "value", "").strip()
    values: dict[str, Any] = {name: post.get(prefix + name, "")[:2000] for name in TEXT_FIELDS}
    values["no_data"] = post.get(prefix + "no_data") == "on"
    values["raw"] = raw
    if row.is_qualitative:
        values["text"], values["value"] = raw, None
    else:
        try:
            values["value"] = parse_decimal(raw) if raw else None
        except NumberFormatError as exc:
            raise _RowError(str(exc.message)) from exc
        values["text"] = ""
    version = post.get(prefix + "version", "")
    if not version.isdigit():
        raise _RowError(_("The form is incomplete; reload the page."))
    values["version"] = int(version)
    return values


def _changed(values: dict[str, Any], row: selectors.IndicatorFigures) -> bool:
    current = row.current
    if current is None:
        return bool(values["raw"] or values["no_data"] or any(values[n].strip() for n in TEXT_FIELDS[1:]))
    old_value: Decimal | None = current.value
    return (
        values["value"] != old_value
        or values["text"].strip() != current.text
        or values["no_data"] != current.no_data
        or any(values[n].strip() != getattr(current, n) for n in TEXT_FIELDS[1:])
    )


@require_http_methods(["GET", "POST"])
def realizations(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    require_planner(request.user, agency)
    plan = plan_for(agency, requested_year(request.GET.get("year")))
    if plan is None:
        messages.error(request, _("Enter the strategic plan before its realisations."))
        return redirect("planning-plan", agency_id=agency.pk)
    year, quarter, form = period_from_request(request, plan)
    indicators = selectors.indicators_of(agency, plan)
    rows = selectors.figures(agency, year=year, upto=quarter, indicators=indicators)
    errors: dict[int, str] = {}
    posted: dict[int, dict[str, Any]] = {}
    if request.method == "POST":
        changes = []
        for row in rows:
            pk = row.indicator.pk
            try:
                values = _parse_row(request.POST, pk, row)
            except _RowError as exc:
                errors[pk] = str(exc)
                continue
            posted[pk] = values
            if _changed(values, row):
                changes.append((row, values))
        saved = 0
        if not errors:
            try:
                with transaction.atomic():
                    for row, values in changes:
                        try:
                            services.record_realization(
                                indicator=row.indicator, year=year, quarter=quarter, version=values["version"],
                                value=values["value"], text=values["text"], no_data=values["no_data"],
                                no_data_reason=values["no_data_reason"], factors_helped=values["factors_helped"],
                                factors_hindered=values["factors_hindered"], follow_up=values["follow_up"],
                                by=request.user,
                            )  # fmt: skip
                            saved += 1
                        except ConflictError as exc:
                            errors[row.indicator.pk] = " ".join(exc.messages)
                        except ValidationError as exc:
                            errors[row.indicator.pk] = " ".join(exc.messages)
                    if errors:
                        raise _RowError
            except _RowError:
                saved = 0
        if not errors:
            if saved:
                messages.success(request, _("%(count)s realisations were saved.") % {"count": saved})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(f"{request.path}?year={year}&quarter={quarter}")
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
    context = {
        "agency": agency, "plan": plan, "form": form, "year": year, "upto": quarter, "rows": rows,
        "errors": errors, "posted": posted,
        "note_fields": [
            ("factors_helped", _("Factors that helped")), ("factors_hindered", _("Factors that hindered")),
            ("follow_up", _("Follow-up")),
        ],
    }  # fmt: skip
    return render(request, "measurement/realizations.html", context)


@require_http_methods(["GET", "POST"])
def predicate_scale(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    require_planner(request.user, agency)
    current = selectors.bands_of(agency)
    errors: list[str] = []
    rows = [{"minimum": "" if b.minimum is None else str(b.minimum).replace(".", ","), "label": b.label, "colour": b.colour} for b in current]  # fmt: skip
    threshold_form = ThresholdForm(initial={"threshold": selectors.threshold_of(agency)})
    if request.method == "POST" and request.POST.get("form") == "threshold":
        threshold_form = ThresholdForm(request.POST)
        if threshold_form.is_valid():
            try:
                services.set_warning_threshold(
                    agency=agency, threshold=threshold_form.cleaned_data["threshold"], by=request.user
                )
            except ValidationError as exc:
                for message in exc.messages:
                    threshold_form.add_error("threshold", message)
            else:
                messages.success(request, _("The at-risk threshold was saved."))
                return redirect("measurement-predicates", agency_id=agency.pk)
    elif request.method == "POST":
        rows, bands = [], []
        for index in range(10):
            label = request.POST.get(f"label-{index}", "").strip()[:50]
            minimum = request.POST.get(f"minimum-{index}", "").strip()
            colour = request.POST.get(f"colour-{index}", "")
            if not label and not minimum:
                continue
            rows.append({"minimum": minimum, "label": label, "colour": colour})
            try:
                bands.append(Band(minimum=parse_decimal(minimum) if minimum else None, label=label, colour=colour))
            except NumberFormatError as exc:
                errors.append(f"{label or index + 1}: {exc.message}")
        if not errors:
            try:
                services.save_predicate_bands(agency=agency, bands=bands, by=request.user)
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, _("The predicate scale was saved."))
                return redirect("measurement-predicates", agency_id=agency.pk)
    rows += [{"minimum": "", "label": "", "colour": ""}] * (10 - len(rows))
    context = {
        "agency": agency, "rows": rows, "errors": errors, "colours": PredicateBand.Colour.choices,
        "is_default": not agency.predicate_bands.exists(), "known_colours": COLOURS,
        "threshold_form": threshold_form,
    }  # fmt: skip
    return render(request, "measurement/predicates.html", context)
