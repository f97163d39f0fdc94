from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinerja.lib.errors import ConfirmationRequired
from kinerja.lib.numbers import NumberFormatError
from kinerja.org.permissions import get_agency_for_user
from kinerja.planning import permissions, services
from kinerja.planning.forms import (
    AgreementForm,
    BudgetLineForm,
    GoalForm,
    IndicatorForm,
    ObjectiveForm,
    PlanForm,
    SignForm,
    parse_target,
    target_text,
)
from kinerja.planning.models import (
    AgreementTarget,
    BudgetLine,
    Goal,
    Indicator,
    Objective,
    PerformanceAgreement,
    PlanTarget,
    Scale,
    StrategicPlan,
    TargetRevision,
)  # fmt: skip
from kinerja.planning.selectors import default_period, plan_for, plan_years, requested_year
from kinerja.planning.services import TargetInput

QUARTERS = (0, 1, 2, 3, 4)


def _add_errors(form: Any, exc: ValidationError) -> None:
    """A service's refusal shown on the form: field errors by their field, the rest at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _saved(form: Any, call: Any) -> Any:
    """Runs a service call; its validation errors land on the form. None when refused."""
    try:
        return call()
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


def _posted_version(request: HttpRequest) -> int:
    """The version an edit form was read at; 0 (never stored) when missing or garbled, so the save
    is refused as a conflict instead of overwriting blindly."""
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _form_page(request: HttpRequest, form: Any, *, agency: Any, title: str, back: str) -> HttpResponse:
    return render(request, "planning/form.html", {"form": form, "agency": agency, "title": title, "back": back})


def _plan_url(plan: StrategicPlan) -> str:
    return reverse("planning-plan", args=[plan.agency_id]) + f"?plan={plan.pk}"


def _plan_of(agency: Any, year: str | None = None) -> StrategicPlan | None:
    """The plan covering the year asked for, else the one in force today (see `plan_for`)."""
    return plan_for(agency, requested_year(year))


# The plan


def plan_overview(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    if not permissions.reads_whole_agency(request.user, agency):
        raise PermissionDenied
    plans = list(agency.plans.order_by("-start_year"))
    chosen = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == chosen), None) or _plan_of(agency)
    goals = []
    if plan is not None:
        indicators: dict[int, list[Indicator]] = defaultdict(list)
        targets: dict[int, dict[int, Any]] = defaultdict(dict)
        for indicator in plan.indicators.select_related("responsible_unit", "parent").order_by("sort_order", "code"):
            indicators[indicator.objective_id].append(indicator)
        for target in PlanTarget.objects.filter(indicator__plan=plan):
            targets[target.indicator_id][target.year] = target
        for goal in plan.goals.prefetch_related("objectives"):
            goals.append((goal, [
                (objective, [(i, [targets[i.pk].get(y) for y in plan.years]) for i in indicators[objective.pk]])
                for objective in goal.objectives.all()
            ]))  # fmt: skip
    context = {
        "agency": agency, "plans": plans, "plan": plan, "goals": goals,
        "can_plan": permissions.can_plan(request.user, agency),
    }  # fmt: skip
    return render(request, "planning/plan.html", context)


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    permissions.require_planner(request.user, agency)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = _saved(form, lambda: services.create_plan(
            agency=agency, name=data["name"], start_year=data["start_year"], end_year=data["end_year"], by=request.user
        ))  # fmt: skip
        if plan is not None:
            messages.success(request, _("The strategic plan was created."))
            return redirect(_plan_url(plan))
    return _form_page(
        request, form, agency=agency, title=_("New strategic plan"), back=reverse("planning-plan", args=[agency.pk])
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, plan_id: int, pk: int | None = None) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, plan_id, write=True)
    goal = Goal.objects.filter(plan=plan, pk=pk).first() if pk else None
    if pk and goal is None:
        raise Http404
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _saved(form, lambda: services.save_goal(
            plan=plan, goal=goal, code=data["code"], statement=data["statement"], sort_order=data["sort_order"],
            by=request.user,
        ))  # fmt: skip
        if saved is not None:
            messages.success(request, _("The goal was saved."))
            return redirect(_plan_url(plan))
    title = _("Edit goal") if goal else _("New goal")
    return _form_page(request, form, agency=plan.agency, title=title, back=_plan_url(plan))


@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, plan_id: int, pk: int | None = None) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, plan_id, write=True)
    objective = Objective.objects.filter(goal__plan=plan, pk=pk).first() if pk else None
    if pk and objective is None:
        raise Http404
    form = ObjectiveForm(request.POST or None, instance=objective, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _saved(form, lambda: services.save_objective(
            goal=data["goal"], objective=objective, code=data["code"], statement=data["statement"],
            sort_order=data["sort_order"], by=request.user,
        ))  # fmt: skip
        if saved is not None:
            messages.success(request, _("The objective was saved."))
            return redirect(_plan_url(plan))
    title = _("Edit objective") if objective else _("New objective")
    return _form_page(request, form, agency=plan.agency, title=title, back=_plan_url(plan))


def _save_indicator(
    request: HttpRequest, form: IndicatorForm, plan: StrategicPlan, indicator: Indicator | None
) -> Indicator | None:
    try:
        with transaction.atomic():
            saved = services.save_indicator(
                plan=plan, indicator=indicator, version=_posted_version(request) if indicator else None,
                values=form.values(), confirmed_warnings=form.cleaned_data["confirm_warnings"], by=request.user,
            )  # fmt: skip
            services.set_plan_targets(indicator=saved, targets=form.plan_targets(), by=request.user)
            return saved
    except ConfirmationRequired as exc:
        form.warnings = exc.warnings
    except ValidationError as exc:
        _add_errors(form, exc)
    return None


@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, plan_id, write=True)
    form = IndicatorForm(request.POST or None, plan=plan, initial={"objective": request.GET.get("objective")})
    if request.method == "POST" and form.is_valid():
        indicator = _save_indicator(request, form, plan, None)
        if indicator is not None:
            messages.success(request, _("Indicator %(code)s was added.") % {"code": indicator.code})
            return redirect("measurement-indicator", pk=indicator.pk)
    return _form_page(request, form, agency=plan.agency, title=_("New indicator"), back=_plan_url(plan))


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = permissions.get_indicator_for_user(request.user, pk, write=True)
    form = IndicatorForm(request.POST or None, instance=indicator, plan=indicator.plan)
    form.version = indicator.version
    if request.method == "POST" and form.is_valid():
        saved = _save_indicator(request, form, indicator.plan, indicator)
        if saved is not None:
            messages.success(request, _("Indicator %(code)s was saved.") % {"code": saved.code})
            return redirect("measurement-indicator", pk=saved.pk)
    return _form_page(request, form, agency=indicator.agency, title=_("Edit indicator %(code)s") % {"code": indicator.code}, back=reverse("measurement-indicator", args=[indicator.pk]))  # fmt: skip


# Performance agreements


def _year(request: HttpRequest, plan: StrategicPlan) -> int:
    text = request.GET.get("year", "")
    if text.isdigit() and plan.covers(int(text)):
        return int(text)
    return default_period(plan)[0]


def _year(request: HttpRequest, plan: StrategicPlan) -> int:
    text = request.GET.get("year", "")
    if text.isdigit() and plan.covers(int(text)):
        return int(text)
    return default_period(plan)[0]


def agreement_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    plan = _plan_of(agency, request.GET.get("year"))
    if plan is None:
        raise Http404
    year = _year(request, plan)
    agreements = PerformanceAgreement.objects.filter(agency=agency, year=year).select_related(
        "party_one__unit", "party_two", "parent__party_one"
    )
    agreements = [a for a in agreements if permissions.can_read_unit(request.user, agency, a.party_one.unit_id)]
    can_plan = permissions.can_plan(request.user, agency)
    context = {
        "agency": agency, "plan": plan, "year": year, "agreements": agreements, "can_plan": can_plan,
        "form": AgreementForm(plan=plan, initial={"year": year}) if can_plan else None,
        "has_previous": PerformanceAgreement.objects.filter(agency=agency, year=year - 1).exists(),
        "years": plan_years(agency),
    }  # fmt: skip
    return render(request, "planning/agreement_list.html", context)


@require_POST
def agreement_create(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    permissions.require_planner(request.user, agency)
    plan = _plan_of(agency, request.POST.get("year"))
    if plan is None:
        raise Http404
    form = AgreementForm(request.POST, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        agreement = _saved(form, lambda: services.create_agreement(
            plan=plan, year=data["year"], level=data["level"], party_one=data["party_one"], party_two=data["party_two"],
            party_two_title=data["party_two_title"], parent=data["parent"], by=request.user,
        ))  # fmt: skip
        if agreement is not None:
            messages.success(request, _("The agreement was created; add its indicators and targets."))
            return redirect("planning-agreement", pk=agreement.pk)
    return _form_page(
        request,
        form,
        agency=agency,
        title=_("New performance agreement"),
        back=reverse("planning-agreements", args=[agency.pk]),
    )


@require_POST
def agreement_copy(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    permissions.require_planner(request.user, agency)
    year = request.POST.get("year", "")
    plan = _plan_of(agency, year)
    if plan is None or not year.isdigit():
        raise Http404
    try:
        created = services.copy_agreements_from_year(plan=plan, year=int(year), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(count)s agreements were drafted from last year's.") % {"count": len(created)})
    return redirect(reverse("planning-agreements", args=[agency.pk]) + f"?year={year}")


def _target_rows(agreement: PerformanceAgreement) -> list[tuple[Indicator, list[AgreementTarget | None]]]:
    by_indicator: dict[int, dict[int, AgreementTarget]] = defaultdict(dict)
    indicators: dict[int, Indicator] = {}
    for target in agreement.targets.select_related("indicator"):
        by_indicator[target.indicator_id][target.quarter] = target
        indicators[target.indicator_id] = target.indicator
    ordered = sorted(indicators.values(), key=lambda i: (i.sort_order, i.code))
    return [(i, [by_indicator[i.pk].get(q) for q in QUARTERS]) for i in ordered]


@require_http_methods(["GET", "POST"])
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement_for_user(request.user, pk)
    can_plan = permissions.can_plan(request.user, agreement.agency)
    errors: list[str] = []
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        indicators = {i.pk: i for i in Indicator.objects.filter(plan=agreement.plan)}
        wanted = [int(v) for v in request.POST.getlist("indicator") if v.isdigit() and int(v) in indicators]
        if add := request.POST.get("add", ""):
            if add.isdigit() and int(add) in indicators:
                wanted.append(int(add))
        targets: dict[tuple[int, int], TargetInput] = {}
        for indicator_id in dict.fromkeys(wanted):
            indicator = indicators[indicator_id]
            for quarter in QUARTERS:
                name = f"t{indicator_id}-{quarter}"
                typed[name] = request.POST.get(name, "")[:200]
                try:
                    targets[(indicator_id, quarter)] = parse_target(
                        typed[name], qualitative=indicator.scale == Scale.QUALITATIVE
                    )
                except NumberFormatError as exc:
                    errors.append(f"{indicator.code} {_('annual') if quarter == 0 else f'TW {quarter}'}: {exc.message}")
        if not errors:
            try:
                changed = services.set_agreement_targets(
                    agreement=agreement, targets=targets, reason=request.POST.get("reason", ""), by=request.user
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("%(count)s targets were changed.") % {"count": changed})
                return redirect("planning-agreement", pk=agreement.pk)
    rows = []
    for indicator, targets_row in _target_rows(agreement):
        cells = []
        for quarter, target in zip(QUARTERS, targets_row, strict=True):
            name = f"t{indicator.pk}-{quarter}"
            cells.append(
                (name, typed.get(name, target_text(target.value, target.upper, target.text) if target else ""))
            )
        rows.append((indicator, cells))
    in_use = {i.pk for i, _cells in rows}
    taken = set(AgreementTarget.objects.filter(year=agreement.year, indicator__plan=agreement.plan).exclude(agreement=agreement).values_list("indicator_id", flat=True))  # fmt: skip
    addable = [i for i in Indicator.objects.filter(plan=agreement.plan).order_by("sort_order", "code") if i.pk not in in_use and i.pk not in taken]  # fmt: skip
    context = {
        "agreement": agreement, "agency": agreement.agency, "rows": rows, "errors": errors, "can_plan": can_plan,
        "addable": addable, "revisions": _revisions(agreement),
        "sign_form": SignForm(initial={"version": agreement.version}) if can_plan and not agreement.is_signed else None,
        "children": agreement.children.select_related("party_one"), "reason": request.POST.get("reason", ""),
    }  # fmt: skip
    return render(request, "planning/agreement.html", context)


def _revisions(agreement: PerformanceAgreement) -> list[TargetRevision]:
    return list(
        TargetRevision.objects.filter(target__agreement=agreement).select_related("target__indicator", "revised_by")
    )


@require_POST
def agreement_remove_indicator(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    agreement = permissions.get_agreement_for_user(request.user, pk, write=True)
    indicator = Indicator.objects.filter(pk=indicator_id, plan=agreement.plan).first()
    if indicator is None:
        raise Http404
    try:
        services.remove_agreement_indicator(agreement=agreement, indicator=indicator, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(code)s was taken out of the agreement.") % {"code": indicator.code})
    return redirect("planning-agreement", pk=agreement.pk)


@require_POST
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement_for_user(request.user, pk, write=True)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the agreement was signed."))
        return redirect("planning-agreement", pk=agreement.pk)
    try:
        services.sign_agreement(
            agreement=agreement, version=form.cleaned_data["version"], signed_on=form.cleaned_data["signed_on"],
            by=request.user,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The agreement is recorded as signed; its targets now change only by revision."))
    return redirect("planning-agreement", pk=agreement.pk)


# Budget


def budget_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    if not permissions.reads_whole_agency(request.user, agency):
        raise PermissionDenied
    plan = _plan_of(agency, request.GET.get("year"))
    if plan is None:
        raise Http404
    year = _year(request, plan)
    lines = BudgetLine.objects.filter(agency=agency, year=year).select_related("unit").prefetch_related("indicators")
    context = {
        "agency": agency, "plan": plan, "year": year, "years": plan_years(agency), "lines": lines,
        "can_plan": permissions.can_plan(request.user, agency),
    }  # fmt: skip
    return render(request, "planning/budget_list.html", context)


@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, agency_id: int, pk: int | None = None) -> HttpResponse:
    agency = get_agency_for_user(request.user, agency_id)
    permissions.require_planner(request.user, agency)
    line = permissions.get_budget_line_for_user(request.user, pk, write=True) if pk else None
    if line is not None and line.agency_id != agency.pk:
        raise Http404
    plan = _plan_of(agency, str(line.year) if line else request.GET.get("year"))
    if plan is None:
        raise Http404
    year = line.year if line else _year(request, plan)
    form = BudgetLineForm(request.POST or None, instance=line, plan=plan)
    form.version = line.version if line else None
    if request.method == "POST" and form.is_valid():
        saved = _saved(form, lambda: services.save_budget_line(
            agency=agency, year=year, line=line, version=_posted_version(request) if line else None,
            values=form.values(), indicators=list(form.cleaned_data["indicators"]), by=request.user,
        ))  # fmt: skip
        if saved is not None:
            messages.success(request, _("The budget line was saved."))
            return redirect(reverse("planning-budget", args=[agency.pk]) + f"?year={year}")
    title = _("Budget line %(year)s") % {"year": year}
    return _form_page(
        request, form, agency=agency, title=title, back=reverse("planning-budget", args=[agency.pk]) + f"?year={year}"
    )
