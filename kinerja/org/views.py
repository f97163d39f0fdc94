from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinerja.org import permissions, selectors, services
from kinerja.org.forms import AssignmentForm, EmployeeForm, EmployeeSearchForm, LoginCreateForm, PositionForm, UnitForm
from kinerja.org.models import Agency, Employee


def _context(request: HttpRequest, agency: Agency, **extra: Any) -> dict[str, Any]:
    return {"agency": agency, "can_manage": permissions.can_manage_org(request.user, agency), **extra}


def _saved(form: Any, call: Any) -> Any:
    """Runs a service call; its validation errors land next to the form's fields. None when refused."""
    try:
        return call()
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def index(request: HttpRequest) -> HttpResponse:
    agencies = permissions.readable_agencies(request.user)
    if len(agencies) == 1:
        return redirect("org-units", agency_id=agencies[0].pk)
    return render(request, "org/agency_list.html", {"agencies": agencies})


# Units


def unit_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id)
    rows = selectors.unit_tree(agency)
    counts: dict[int, int] = {}
    for position in selectors.positions_of_agency(agency):
        if position.unit_id:
            counts[position.unit_id] = counts.get(position.unit_id, 0) + 1
    return render(request, "org/unit_list.html", _context(request, agency, rows=rows, counts=counts))


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, pk)
    positions = list(unit.positions.select_related("superior").order_by("title"))
    holders = selectors.current_holders(positions)
    rows = [(p, holders[p.pk]) for p in positions]
    children = unit.children.order_by("sort_order", "name")
    return render(
        request, "org/unit_detail.html", _context(request, unit.agency, unit=unit, rows=rows, children=children)
    )


@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id, write=True)
    initial = {}
    if parent_id := request.GET.get("parent", "").strip():
        initial["parent"] = parent_id if parent_id.isdigit() else None
    form = UnitForm(request.POST or None, agency=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = _saved(
            form,
            lambda: services.create_unit(
                agency=agency, parent=data["parent"], name=data["name"], kind=data["kind"], code=data["code"],
                sort_order=data["sort_order"], by=request.user,
            ),
        )  # fmt: skip
        if unit is not None:
            messages.success(request, _("Unit %(name)s was added.") % {"name": unit.name})
            return redirect("org-unit-detail", pk=unit.pk)
    return render(request, "org/form.html", _context(request, agency, form=form, title=_("New unit")))


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, pk, write=True)
    initial = {
        "name": unit.name, "kind": unit.kind, "parent": unit.parent_id, "code": unit.code,
        "sort_order": unit.sort_order, "version": unit.version,
    }  # fmt: skip
    form = UnitForm(request.POST or None, agency=unit.agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _saved(
            form,
            lambda: services.update_unit(
                unit=unit, version=data["version"] or 0, parent=data["parent"], name=data["name"], kind=data["kind"],
                code=data["code"], sort_order=data["sort_order"], by=request.user,
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Unit %(name)s was saved.") % {"name": saved.name})
            return redirect("org-unit-detail", pk=saved.pk)
    title = _("Edit unit %(name)s") % {"name": unit.name}
    return render(request, "org/form.html", _context(request, unit.agency, form=form, title=title))


# Positions


def position_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id)
    positions = list(selectors.positions_of_agency(agency).prefetch_related("evaluated_agencies"))
    holders = selectors.current_holders(positions)
    rows = [(p, holders[p.pk]) for p in positions]
    return render(request, "org/position_list.html", _context(request, agency, rows=rows))


def _position_call(form: PositionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "unit": data["unit"], "title": data["title"], "role": data["role"], "superior": data["superior"],
        "evaluated_agencies": list(data["evaluated_agencies"]), "is_active": data["is_active"],
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id, write=True)
    form = PositionForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        position = _saved(
            form,
            lambda: services.create_position(agency=agency, by=request.user, **_position_call(form)),
        )
        if position is not None:
            messages.success(request, _("Position %(title)s was added.") % {"title": position.title})
            return redirect("org-positions", agency_id=agency.pk)
    return render(request, "org/form.html", _context(request, agency, form=form, title=_("New position")))


@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = permissions.get_position_for_user(request.user, pk, write=True)
    initial = {
        "title": position.title, "role": position.role, "unit": position.unit_id, "superior": position.superior_id,
        "evaluated_agencies": list(position.evaluated_agencies.all()), "is_active": position.is_active,
        "version": position.version,
    }  # fmt: skip
    form = PositionForm(request.POST or None, agency=position.agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            form,
            lambda: services.update_position(
                position=position, version=form.cleaned_data["version"] or 0, by=request.user,
                **_position_call(form),
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Position %(title)s was saved.") % {"title": saved.title})
            return redirect("org-positions", agency_id=saved.agency_id)
    title = _("Edit position %(title)s") % {"title": position.title}
    return render(request, "org/form.html", _context(request, position.agency, form=form, title=title))


# Employees


def employee_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id)
    search_form = EmployeeSearchForm(request.GET or None)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    page = Paginator(selectors.employees_of_agency(agency, search=search), 50).get_page(request.GET.get("page"))
    context = _context(request, agency, page=page, search=search, search_form=search_form)
    return render(request, "org/employee_list.html", context)


def _employee_page(request: HttpRequest, employee: Employee, **extra: Any) -> HttpResponse:
    assignments = employee.assignments.select_related("position__unit").order_by("-start_date")
    extra.setdefault("login_form", LoginCreateForm())
    context = _context(request, employee.agency, employee=employee, assignments=assignments, **extra)
    return render(request, "org/employee_detail.html", context)


def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _employee_page(request, permissions.get_employee_for_user(request.user, pk))


@require_http_methods(["GET", "POST"])
def employee_create(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id, write=True)
    form = EmployeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employee = _saved(
            form,
            lambda: services.create_employee(
                agency=agency, name=data["name"], nip=data["nip"], rank=data["rank"], by=request.user
            ),
        )
        if employee is not None:
            messages.success(request, _("Employee %(name)s was added.") % {"name": employee.name})
            return redirect("org-employee-detail", pk=employee.pk)
    return render(request, "org/form.html", _context(request, agency, form=form, title=_("New employee")))


@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = permissions.get_employee_for_user(request.user, pk, write=True)
    initial = {"name": employee.name, "nip": employee.nip_display, "rank": employee.rank, "version": employee.version}
    form = EmployeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _saved(
            form,
            lambda: services.update_employee(
                employee=employee, version=data["version"] or 0, name=data["name"], nip=data["nip"],
                rank=data["rank"], by=request.user,
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Employee %(name)s was saved.") % {"name": saved.name})
            return redirect("org-employee-detail", pk=saved.pk)
    title = _("Edit employee %(name)s") % {"name": employee.name}
    return render(request, "org/form.html", _context(request, employee.agency, form=form, title=title))


# Assignments


@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    employee = permissions.get_employee_for_user(request.user, pk, write=True)
    form = AssignmentForm(request.POST or None, agency=employee.agency, initial={"start_date": selectors.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, acting_title = form.service_kind()
        assignment = _saved(
            form,
            lambda: services.create_assignment(
                employee=employee, position=data["position"], kind=kind, acting_title=acting_title,
                start_date=data["start_date"], end_date=data["end_date"], decree=data["decree"], by=request.user,
            ),
        )  # fmt: skip
        if assignment is not None:
            messages.success(request, _("Assignment %(label)s was added.") % {"label": assignment.label})
            return redirect("org-employee-detail", pk=employee.pk)
    title = _("New assignment for %(name)s") % {"name": employee.name}
    return render(request, "org/form.html", _context(request, employee.agency, form=form, title=title))


@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = permissions.get_assignment_for_user(request.user, pk, write=True)
    employee = assignment.employee
    initial = {
        "position": assignment.position_id, "kind": AssignmentForm.initial_kind(assignment),
        "start_date": assignment.start_date, "end_date": assignment.end_date, "decree": assignment.decree,
        "version": assignment.version,
    }  # fmt: skip
    form = AssignmentForm(
        request.POST or None, agency=employee.agency, initial=initial, keep_position=assignment.position_id
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, acting_title = form.service_kind()
        saved = _saved(
            form,
            lambda: services.update_assignment(
                assignment=assignment, version=data["version"] or 0, position=data["position"], kind=kind,
                acting_title=acting_title, start_date=data["start_date"], end_date=data["end_date"],
                decree=data["decree"], by=request.user,
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Assignment %(label)s was saved.") % {"label": saved.label})
            return redirect("org-employee-detail", pk=employee.pk)
    title = _("Edit assignment of %(name)s") % {"name": employee.name}
    return render(request, "org/form.html", _context(request, employee.agency, form=form, title=title))


# Logins


@require_http_methods(["POST"])
def employee_login(request: HttpRequest, pk: int) -> HttpResponse:
    """Creates a login, resets its password, or blocks/reopens it; a new password is shown once."""
    employee = permissions.get_employee_for_user(request.user, pk, write=True)
    action = request.POST.get("action", "")
    if action == "create":
        form = LoginCreateForm(request.POST)
        password = ""
        if form.is_valid():
            result = _saved(
                form,
                lambda: services.create_login(
                    employee=employee, username=form.cleaned_data["username"], by=request.user
                ),
            )
            password = result[1] if result else ""
        employee.refresh_from_db()
        return _employee_page(request, employee, login_form=form, new_password=password)
    try:
        if action == "reset":
            password = services.reset_login_password(employee=employee, by=request.user)
            return _employee_page(request, employee, new_password=password)
        if action in {"block", "activate"}:
            services.set_login_active(employee=employee, active=action == "activate", by=request.user)
            messages.success(request, _("The login was updated."))
            return redirect("org-employee-detail", pk=employee.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("org-employee-detail", pk=employee.pk)
    return HttpResponseBadRequest(_("Unknown action."))
