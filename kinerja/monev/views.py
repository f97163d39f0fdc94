"""The monev pages: the agency's monev plans, a plan with its scope and visits, the monev form of a visit,
recommendations with their follow-ups, the recommendations a user must answer, and the evaluator's workspace."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.audit.services import record_event
from kinerja.measurement.selectors import bands_of, figures, indicators_of, threshold_of
from kinerja.monev import services
from kinerja.monev.forms import (
    AnswerForm,
    AttachmentForm,
    DecisionForm,
    FindingEditForm,
    FindingForm,
    HeldForm,
    PlanForm,
    RecommendationForm,
    ScopeForm,
    VisitForm,
)
from kinerja.monev.models import Attachment, EvaluationPlan, Finding, FollowUp, Reason, Recommendation, Visit
from kinerja.monev.permissions import (
    answerer,
    answering_reach,
    answers,
    evaluator_assignment,
    finding_recorder,
    get_agency_for_monev,
    get_plan_for_user,
    get_recommendation_for_user,
    get_visit_for_user,
    may_edit_finding,
    monev_runner,
)
from kinerja.org.models import Agency, Role
from kinerja.org.permissions import current_assignments, readable_agencies, unit_scope
from kinerja.org.selectors import descendant_ids, today
from kinerja.planning.models import Indicator
from kinerja.planning.selectors import last_closed_quarter, plan_for

MAX_UPLOAD = 50 * 1024 * 1024
ACHIEVEMENT_REASONS = {Reason.BELOW_THRESHOLD.value, Reason.PROJECTED_AT_RISK.value}


def _error(form: Any, exc: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has one, else above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


_REFUSED = object()


def _apply(request: HttpRequest, form: Any, change: Callable[[dict[str, Any]], Any], done: str) -> Any:
    """Runs `change` with the valid form's data and says `done`; what it returns, or _REFUSED when the form is
    invalid or the service refuses (its message then stands on the form)."""
    if not form.is_valid():
        return _REFUSED
    try:
        result = change(form.cleaned_data)
    except ValidationError as exc:
        _error(form, exc)
        return _REFUSED
    messages.success(request, done)
    return result


def _read_upload(upload: Any) -> bytes:
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"file": _("The file is larger than 50 MB.")})
    return upload.read()


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The evaluator to its workspace; someone who reads one agency whole to its monev; someone who reads several
    (a regional reader) to a list of them; everyone else to the recommendations they answer."""
    if _evaluates(request):
        return redirect("monev-evaluator")
    agencies = [a for a in readable_agencies(request.user) if unit_scope(request.user, a) is None]
    if len(agencies) == 1:
        return redirect("monev-agency", agencies[0].pk)
    if agencies:
        return render(request, "monev/index.html", {"agencies": agencies})
    return redirect("monev-mine")


def _evaluates(request: HttpRequest) -> bool:
    return any(a.position.role == Role.EVALUATOR for a in current_assignments(request.user))


@require_http_methods(["GET", "POST"])
def agency_monev(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_agency_for_monev(request.user, agency_id)
    if unit_scope(request.user, agency) is not None:
        raise PermissionDenied
    runs = monev_runner(request.user, agency) is not None
    year, quarter = last_closed_quarter(today())
    form = PlanForm(initial={"year": year, "quarter": quarter, "threshold": threshold_of(agency)})
    if request.method == "POST":
        if not runs:
            raise PermissionDenied
        form = PlanForm(request.POST)
        plan = _apply(
            request, form,
            lambda data: services.create_plan(agency=agency, year=data["year"], quarter=data["quarter"],
                                              threshold=data["threshold"], by=request.user),
            _("The monev plan was made with the indicators that need attention."),
        )  # fmt: skip
        if plan is not _REFUSED:
            return redirect("monev-plan", plan.pk)
    plans = EvaluationPlan.objects.filter(agency=agency).annotate(
        indicator_count=Count("items", distinct=True), visit_count=Count("visits", distinct=True)
    )
    context = {
        "agency": agency, "plans": plans, "form": form if runs else None,
        "open": services.open_recommendations(agency), "on": today(),
    }  # fmt: skip
    return render(request, "monev/agency.html", context)


def _scope_indicators(plan: EvaluationPlan):  # type: ignore[no-untyped-def]
    strategic = plan_for(plan.agency, plan.year)
    if strategic is None:
        return Indicator.objects.none()
    return indicators_of(plan.agency, strategic).order_by("code")


@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    agency = plan.agency
    runs = monev_runner(request.user, agency) is not None
    indicators = _scope_indicators(plan)
    items = {item.indicator_id: item for item in plan.items.all()}
    scope_form = ScopeForm(
        indicators=indicators, initial={"indicators": list(items), "notes": plan.notes, "version": plan.version}
    )
    visit_form = VisitForm(agency=agency)
    if request.method == "POST":
        if not runs:
            raise PermissionDenied
        if "schedule" in request.POST:
            visit_form = VisitForm(request.POST, agency=agency)
            if _apply(
                request, visit_form,
                lambda data: services.schedule_visit(plan=plan, unit=data["unit"], scheduled_on=data["scheduled_on"],
                                                     evaluators=list(data["evaluators"]), by=request.user),
                _("The visit was scheduled and the division head told."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-plan", plan.pk)
        else:
            scope_form = ScopeForm(request.POST, indicators=indicators)
            if _apply(
                request, scope_form,
                lambda data: services.set_scope(plan=plan, indicator_ids=[i.pk for i in data["indicators"]],
                                                notes=data["notes"], version=data["version"], by=request.user),
                _("The indicators in scope were saved."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-plan", plan.pk)
    in_scope = [i for i in indicators if i.pk in items]
    rows = figures(
        agency, year=plan.year, upto=plan.quarter, indicators=in_scope, bands=bands_of(agency),
        threshold=plan.threshold,
    )  # fmt: skip
    context = {
        "plan": plan, "agency": agency, "runs": runs, "scope_form": scope_form, "visit_form": visit_form,
        # The indicators behind their targets first, then those proposed for their data, in code order.
        "rows": sorted(
            ((row, items[row.indicator.pk]) for row in rows),
            key=lambda pair: (not set(pair[1].reasons) & ACHIEVEMENT_REASONS, pair[0].indicator.code),
        ),
        "visits": plan.visits.select_related("unit").prefetch_related("evaluators__employee").annotate(
            finding_count=Count("findings")
        ),
        "carried": services.open_recommendations(agency, before=plan), "on": today(),
    }  # fmt: skip
    return render(request, "monev/plan.html", context)


def _visit_indicators(visit: Visit):  # type: ignore[no-untyped-def]
    units = descendant_ids(visit.unit)
    return _scope_indicators(visit.plan).filter(responsible_unit_id__in=units)


@require_http_methods(["GET", "POST"])
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    plan, agency = visit.plan, visit.plan.agency
    records = finding_recorder(request.user, visit) is not None
    indicators = _visit_indicators(visit)
    in_scope = set(plan.items.values_list("indicator_id", flat=True))
    finding_form = FindingForm(agency=agency, indicators=indicators)
    held_form = HeldForm(initial={"held_on": visit.held_on or today(), "summary": visit.summary,
                                  "version": visit.version})  # fmt: skip
    attachment_form = AttachmentForm()
    if request.method == "POST":
        if not records:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "finding":
            finding_form = FindingForm(request.POST, agency=agency, indicators=indicators)
            if _apply(
                request, finding_form,
                lambda data: services.record_finding(
                    visit=visit, indicator=data["indicator"], text=data["finding"], cause=data["cause"],
                    cause_note=data["cause_note"],
                    recommendations=[services.RecommendationInput(
                        text=data["recommendation"], responsible=data["responsible"], due_on=data["due_on"])],
                    by=request.user,
                ),
                _("The finding and its recommendation were recorded."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-visit", visit.pk)
        elif action == "held":
            held_form = HeldForm(request.POST)
            if _apply(
                request, held_form,
                lambda data: services.record_visit(visit=visit, held_on=data["held_on"], summary=data["summary"],
                                                   version=data["version"], by=request.user),
                _("The visit was recorded as held."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-visit", visit.pk)
        elif action == "attach":
            attachment_form = AttachmentForm(request.POST, request.FILES)
            if _apply(
                request, attachment_form,
                lambda data: services.add_attachment(visit=visit, kind=data["kind"], data=_read_upload(data["file"]),
                                                     name=data["file"].name, by=request.user),
                _("The file was attached."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-visit", visit.pk)
        else:
            raise Http404
    rows = figures(
        agency, year=plan.year, upto=plan.quarter, indicators=list(indicators), bands=bands_of(agency),
        threshold=plan.threshold,
    )  # fmt: skip
    findings = list(
        visit.findings.select_related("indicator", "created_by").prefetch_related("recommendations__responsible")
    )
    context = {
        "visit": visit, "plan": plan, "agency": agency, "records": records, "finding_form": finding_form,
        "held_form": held_form, "attachment_form": attachment_form, "in_scope": in_scope,
        "rows": [row for row in rows if row.indicator.pk in in_scope], "findings": findings,
        "attachments": visit.attachments.all(), "on": today(),
        "editable": {
            f.pk: FindingEditForm(initial={"finding": f.text, "cause": f.cause, "cause_note": f.cause_note},
                                  prefix=f"f{f.pk}")
            for f in findings if may_edit_finding(request.user, f) is not None
        },
        "recommendation_form": RecommendationForm(agency=agency),
    }  # fmt: skip
    return render(request, "monev/visit.html", context)


@require_POST
def finding_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    finding = Finding.objects.select_related("visit").filter(pk=pk).first()
    if finding is None:
        raise Http404
    visit = get_visit_for_user(request.user, finding.visit_id)
    if may_edit_finding(request.user, finding) is None:
        raise PermissionDenied
    form = RecommendationForm(request.POST, agency=visit.plan.agency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_recommendation(
                finding=finding, by=request.user,
                item=services.RecommendationInput(data["recommendation"], data["responsible"], data["due_on"]),
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The recommendation was added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("monev-visit", visit.pk)


@require_POST
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = Finding.objects.select_related("visit").filter(pk=pk).first()
    if finding is None:
        raise Http404
    visit = get_visit_for_user(request.user, finding.visit_id)
    if may_edit_finding(request.user, finding) is None:
        raise PermissionDenied
    form = FindingEditForm(request.POST, prefix=f"f{finding.pk}")  # the prefix the visit page gives each form
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_finding(
                finding=finding, text=data["finding"], cause=data["cause"], cause_note=data["cause_note"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The finding was corrected."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("monev-visit", visit.pk)


def _download(request: HttpRequest, file: Any, name: str, mime: str, *, agency: Agency, target: Any) -> HttpResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    with transaction.atomic():
        record_event(
            action="monev.file.downloaded", actor=request.user, agency=agency, target=target,
            after={"name": name, "address": request.META.get("REMOTE_ADDR", "")},
        )  # fmt: skip
    return FileResponse(handle, as_attachment=True, filename=name, content_type=mime)


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    visit = get_visit_for_user(request.user, attachment.visit_id)
    return _download(
        request, attachment.file, attachment.name, attachment.mime, agency=visit.plan.agency, target=attachment
    )


@require_GET
def follow_up_download(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = FollowUp.objects.filter(pk=pk).exclude(file="").first()
    if follow_up is None:
        raise Http404
    recommendation = get_recommendation_for_user(request.user, follow_up.recommendation_id)
    return _download(
        request, follow_up.file, follow_up.file_name, follow_up.file_mime,
        agency=recommendation.finding.visit.plan.agency, target=follow_up,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for_user(request.user, pk)
    agency = recommendation.finding.visit.plan.agency
    answers = answerer(request.user, recommendation) is not None
    decides = monev_runner(request.user, agency) is not None
    answer_form = AnswerForm(initial={"version": recommendation.version})
    decision_form = DecisionForm(initial={"version": recommendation.version})
    if request.method == "POST":
        if request.POST.get("action") == "answer":
            if not answers:
                raise PermissionDenied
            answer_form = AnswerForm(request.POST, request.FILES)
            if _apply(
                request, answer_form,
                lambda data: services.answer(
                    recommendation=recommendation, action=data["done"],
                    data=_read_upload(data["file"]) if data.get("file") else None,
                    name=data["file"].name if data.get("file") else "", version=data["version"], by=request.user,
                ),
                _("Your follow-up was sent to the planning head."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-recommendation", recommendation.pk)
        elif request.POST.get("action") == "decide":
            if not decides:
                raise PermissionDenied
            decision_form = DecisionForm(request.POST)
            closing = request.POST.get("decision") == "close"
            if _apply(
                request, decision_form,
                lambda data: services.decide(recommendation=recommendation, accept=data["decision"] == "close",
                                             note=data["note"], version=data["version"], by=request.user),
                _("The recommendation was closed.") if closing else _("The recommendation was reopened."),
            ) is not _REFUSED:  # fmt: skip
                return redirect("monev-recommendation", recommendation.pk)
        else:
            raise Http404
    context = {
        "recommendation": recommendation, "finding": recommendation.finding, "visit": recommendation.finding.visit,
        "agency": agency, "follow_ups": recommendation.follow_ups.select_related("answered_by", "decided_by"),
        "answer_form": answer_form
        if answers and (recommendation.status == Recommendation.Status.OPEN or answer_form.errors) else None,
        "decision_form": decision_form
        if decides and (recommendation.status != Recommendation.Status.OPEN or decision_form.errors) else None,
        "on": today(),
    }  # fmt: skip
    return render(request, "monev/recommendation.html", context)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The recommendations the user answers (their positions, their units) and, for a planning head, those
    waiting for a decision."""
    assignments = current_assignments(request.user)
    agencies = {a.position.agency_id for a in assignments}
    planned = {a.position.agency_id for a in assignments if a.position.role == Role.PLANNING_HEAD}
    candidates = (
        Recommendation.objects.filter(finding__visit__plan__agency_id__in=agencies)
        .exclude(status=Recommendation.Status.CLOSED)
        .select_related("finding__indicator", "finding__visit__unit", "finding__visit__plan", "responsible__unit")
        .order_by("due_on", "pk")
    )
    # The same rule as answering: the open ones are few, so each is checked by `answerer` itself.
    reach = answering_reach(request.user)
    rows = [
        r for r in candidates
        if answers(reach, r) is not None
        or (r.status == Recommendation.Status.ANSWERED and r.finding.visit.plan.agency_id in planned)
    ]  # fmt: skip
    return render(request, "monev/mine.html", {"rows": rows, "on": today()})


@require_GET
def evaluator_workspace(request: HttpRequest) -> HttpResponse:
    """The Inspektorat's desk: the agencies it evaluates, how they are doing, their open recommendations and the
    findings it recorded itself."""
    agencies = [a for a in readable_agencies(request.user) if evaluator_assignment(request.user, a) is not None]
    if not agencies:
        raise PermissionDenied
    year, quarter = last_closed_quarter(today())
    cards = []
    for agency in agencies:
        strategic = plan_for(agency, year)
        average: Decimal | None = None
        at_risk = 0
        if strategic is not None:
            rows = figures(
                agency, year=year, upto=quarter, indicators=list(indicators_of(agency, strategic)),
                bands=bands_of(agency), threshold=threshold_of(agency),
            )  # fmt: skip
            percents = [row.percent for row in rows if row.percent is not None]
            average = sum(percents, Decimal(0)) / len(percents) if percents else None
            at_risk = sum(1 for row in rows if row.projection is not None and row.projection.at_risk)
        cards.append(
            {
                "agency": agency, "average": average, "at_risk": at_risk,
                "open": services.open_recommendations(agency).count(),
                "overdue": services.open_recommendations(agency).filter(due_on__lt=today()).count(),
                "plans": EvaluationPlan.objects.filter(agency=agency)[:4],
            }
        )  # fmt: skip
    own = (
        Finding.objects.filter(created_by=request.user)
        .select_related("visit__plan__agency", "visit__unit", "indicator")
        .prefetch_related("recommendations")
        .order_by("-pk")[:100]
    )
    context = {"cards": cards, "year": year, "quarter": quarter, "own": own, "on": today()}
    return render(request, "monev/evaluator.html", context)
