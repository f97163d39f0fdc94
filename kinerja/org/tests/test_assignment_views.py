from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kinerja.org import selectors
from kinerja.org.models import Assignment, Position
from kinerja.org.tests import pages, records

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _edit_form(assignment: Assignment, **changes: Any) -> dict[str, Any]:
    data = {
        "position": assignment.position_id,
        "kind": "definitive" if assignment.kind == Assignment.Kind.DEFINITIVE else assignment.acting_title,
        "start_date": assignment.start_date.isoformat(),
        "end_date": assignment.end_date.isoformat() if assignment.end_date else "",
        "decree": assignment.decree,
        "version": assignment.version,
    }
    data.update(changes)
    return data


def test_assignment_create_saves_a_plt_and_redirects_to_the_employee(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    client = login("admin")
    response = client.post(
        reverse("org-assignment-create", args=[lukman.pk]),
        {
            "position": records.position("Kepala Bidang Angkutan").pk,
            "kind": "Plt.",
            "start_date": "2026-10-01",
            "end_date": "",
            "decree": "800/PLT/12/2026",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("org-employee-detail", args=[lukman.pk])
    acting = lukman.assignments.get(kind=Assignment.Kind.ACTING)
    assert (acting.acting_title, acting.start_date, acting.end_date, acting.decree) == (
        "Plt.",
        date(2026, 10, 1),
        None,
        "800/PLT/12/2026",
    )
    assert "Plt. Kepala Bidang Angkutan" in client.get(response.url).content.decode()


def test_assignment_create_form_starts_today(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    form = login("admin").get(reverse("org-assignment-create", args=[lukman.pk])).context["form"]
    assert form["start_date"].value() == selectors.today()


def test_assignment_create_offers_only_active_positions_of_the_agency(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    form = login("admin").get(reverse("org-assignment-create", args=[lukman.pk])).context["form"]
    agencies = {position.agency.short_name for position in form.fields["position"].queryset}
    assert agencies == {"Dishub"}


def test_assignment_create_of_a_second_definitive_holder_is_refused(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-assignment-create", args=[lukman.pk]),
        {
            "position": records.position("Kepala Bidang Lalu Lintas").pk,
            "kind": "definitive",
            "start_date": "2026-12-01",
        },
    )
    pages.assert_error_shown(response, "start_date")
    assert records.org_tables() == before


def test_assignment_create_of_a_second_definitive_holder_names_the_holder_in_english(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    client = login("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("org-assignment-create", args=[lukman.pk]),
        {
            "position": records.position("Kepala Bidang Lalu Lintas").pk,
            "kind": "definitive",
            "start_date": "2026-12-01",
        },
    )
    assert (
        "Kepala Bidang Lalu Lintas already has a definitive holder, Agus Setiawan, S.T., M.T., "
        "from 2 January 2025 onwards."
    ) in response.content.decode()


def test_assignment_create_of_a_second_plt_is_refused(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-assignment-create", args=[lukman.pk]),
        {
            "position": records.position("Kepala Bidang Sarana dan Prasarana").pk,
            "kind": "Plh.",
            "start_date": "2026-12-01",
        },
    )
    pages.assert_error_shown(response, "start_date")
    assert records.org_tables() == before


def test_assignment_create_ending_before_it_starts_is_refused(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-assignment-create", args=[lukman.pk]),
        {
            "position": records.position("Kepala Bidang Angkutan").pk,
            "kind": "Plt.",
            "start_date": "2026-12-01",
            "end_date": "2026-11-30",
        },
    )
    pages.assert_error_shown(response, "end_date")
    assert records.org_tables() == before


def test_assignment_create_in_a_position_of_another_agency_is_refused(login: Login) -> None:
    lukman = records.employee("Lukman Hakim")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-assignment-create", args=[lukman.pk]),
        {
            "position": records.position("Kepala Bidang Aplikasi Informatika", "Diskominfo").pk,
            "kind": "Plt.",
            "start_date": "2026-12-01",
        },
    )
    pages.assert_error_shown(response, "position")
    assert records.org_tables() == before


def test_assignment_edit_ends_an_assignment_and_redirects(login: Login) -> None:
    rudi = records.employee("Rudi Hartono")
    assignment = rudi.assignments.get()
    response = login("admin").post(
        reverse("org-assignment-edit", args=[assignment.pk]), _edit_form(assignment, end_date="2025-12-31")
    )
    assert response.status_code == 302
    assert response.url == reverse("org-employee-detail", args=[rudi.pk])
    assignment.refresh_from_db()
    assert (assignment.end_date, assignment.version) == (date(2025, 12, 31), 2)


def test_assignment_edit_ends_the_assignment_of_a_deactivated_position(login: Login) -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    Position.objects.filter(pk=assignment.position_id).update(is_active=False)
    response = login("admin").post(
        reverse("org-assignment-edit", args=[assignment.pk]), _edit_form(assignment, end_date="2026-11-30")
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_date == date(2026, 11, 30)


def test_assignment_edit_form_opens_with_the_plt_choice(login: Login) -> None:
    plt = records.employee("Agus Setiawan").assignments.get(kind=Assignment.Kind.ACTING)
    form = login("admin").get(reverse("org-assignment-edit", args=[plt.pk])).context["form"]
    assert form["kind"].value() == "Plt."
    assert form["position"].value() == plt.position_id


def test_assignment_edit_turns_a_plt_into_a_plh(login: Login) -> None:
    plt = records.employee("Agus Setiawan").assignments.get(kind=Assignment.Kind.ACTING)
    login("admin").post(reverse("org-assignment-edit", args=[plt.pk]), _edit_form(plt, kind="Plh."))
    plt.refresh_from_db()
    assert (plt.kind, plt.acting_title) == (Assignment.Kind.ACTING, "Plh.")


def test_assignment_edit_into_an_occupied_position_is_refused(login: Login) -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-assignment-edit", args=[assignment.pk]),
        _edit_form(assignment, position=records.position("Kepala Bidang Lalu Lintas").pk),
    )
    pages.assert_error_shown(response, "start_date")
    assert records.org_tables() == before


def test_assignment_edit_ending_before_it_starts_is_refused(login: Login) -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-assignment-edit", args=[assignment.pk]), _edit_form(assignment, end_date="2024-12-31")
    )
    pages.assert_error_shown(response, "end_date")
    assert records.org_tables() == before


def test_assignment_edit_with_a_stale_version_is_refused(login: Login) -> None:
    assignment = records.employee("Rudi Hartono").assignments.get()
    client = login("admin")
    stale = _edit_form(assignment)
    client.post(reverse("org-assignment-edit", args=[assignment.pk]), _edit_form(assignment, end_date="2026-12-31"))
    response = client.post(reverse("org-assignment-edit", args=[assignment.pk]), {**stale, "end_date": "2027-06-30"})
    pages.assert_error_shown(response, None)
    assignment.refresh_from_db()
    assert assignment.end_date == date(2026, 12, 31)
