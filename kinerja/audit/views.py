from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kinerja.audit.forms import AuditFilterForm
from kinerja.audit.selectors import events_of_agency
from kinerja.org import permissions


def index(request: HttpRequest) -> HttpResponse:
    agencies = [a for a in permissions.readable_agencies(request.user) if permissions.can_read_audit(request.user, a)]
    if not agencies:
        raise Http404
    if len(agencies) == 1:
        return redirect("audit-events", agency_id=agencies[0].pk)
    return render(request, "audit/agency_list.html", {"agencies": agencies})


def event_list(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = permissions.get_agency_for_user(request.user, agency_id)
    if not permissions.can_read_audit(request.user, agency):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = events_of_agency(
        agency.pk,
        action=filters.get("action") or "",
        actor=filters.get("actor") or "",
        obj=filters.get("object") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"agency": agency, "form": form, "page": page, "query": query.urlencode()}
    template = "audit/_event_rows.html" if request.headers.get("HX-Request") else "audit/event_list.html"
    return render(request, template, context)
