from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kinerja.org import permissions


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are here, in which positions, and what waits for you."""
    user = request.user
    assignments = permissions.current_assignments(user)
    employee = getattr(user, "employee", None)
    evaluated = [a for a in permissions.readable_agencies(user) if a.pk in permissions.evaluated_agency_ids(user)]
    context = {
        "employee": employee,
        "assignments": assignments,
        "evaluated_agencies": evaluated,
        # Pending work is filled by the data-collection and SOP features; until then it is empty.
        "pending": [],
    }
    return render(request, "web/home.html", context)
