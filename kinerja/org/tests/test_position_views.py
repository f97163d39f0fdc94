from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.org.models import Agency, Position
from kinerja.org.tests import pages, records

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _edit_form(position: Position, **changes: Any) -> dict[str, Any]:
    data = {
        "title": position.title,
        "role": position.role,
        "unit": position.unit_id or "",
        "superior": position.superior_id or "",
        "is_active": "on" if position.is_active else "",
        "version": position.version,
    }
    data.update(changes)
    return data


def test_position_list_shows_holders_and_vacancies(login: Login, dishub: Agency) -> None:
    response = login("kabid").get(reverse("org-positions", args=[dishub.pk]))
    assert response.status_code == 200
    holders = {position.title: [a.label for a in assigned] for position, assigned in response.context["rows"]}
    assert holders["Kepala Bidang Sarana dan Prasarana"] == ["Plt. Kepala Bidang Sarana dan Prasarana"]
    assert holders["Kepala Dinas Perhubungan"] == ["Kepala Dinas Perhubungan"]
    assert "Agus Setiawan, S.T., M.T.</a> (Plt.)" in response.content.decode()


def test_position_create_saves_and_redirects_to_the_list(login: Login, dishub: Agency) -> None:
    seksi = records.unit("Seksi Angkutan Orang")
    head = records.position("Kepala Seksi Angkutan Orang")
    response = login("admin").post(
        reverse("org-position-create", args=[dishub.pk]),
        {"title": "Analis Angkutan", "role": "staff", "unit": seksi.pk, "superior": head.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert response.url == reverse("org-positions", args=[dishub.pk])
    position = records.position("Analis Angkutan")
    assert (position.role, position.unit, position.superior) == ("staff", seksi, head)


def test_position_create_with_active_unticked_saves_an_inactive_position(login: Login, dishub: Agency) -> None:
    seksi = records.unit("Seksi Angkutan Orang")
    response = login("admin").post(
        reverse("org-position-create", args=[dishub.pk]),
        {"title": "Analis Angkutan", "role": "staff", "unit": seksi.pk},
    )
    assert response.status_code == 302
    assert records.position("Analis Angkutan").is_active is False


def test_position_create_in_a_unit_of_another_agency_is_refused(login: Login, dishub: Agency) -> None:
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-position-create", args=[dishub.pk]),
        {"title": "Analis", "role": "staff", "unit": records.unit("Sekretariat", "Diskominfo").pk, "is_active": "on"},
    )
    pages.assert_error_shown(response, "unit")
    assert records.org_tables() == before


def test_position_create_of_staff_without_a_unit_is_refused(login: Login, dishub: Agency) -> None:
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-position-create", args=[dishub.pk]), {"title": "Analis", "role": "staff", "is_active": "on"}
    )
    pages.assert_error_shown(response, "unit")
    assert records.org_tables() == before


def test_position_create_offers_only_other_agencies_of_the_same_government_to_evaluate(
    login: Login, dishub: Agency
) -> None:
    form = login("admin").get(reverse("org-position-create", args=[dishub.pk])).context["form"]
    offered = {agency.short_name for agency in form.fields["evaluated_agencies"].queryset}
    assert offered == {"Bappeda", "Diskominfo", "Inspektorat"}


def test_position_edit_saves_and_redirects_to_the_list(login: Login, dishub: Agency) -> None:
    position = records.position("Analis Lalu Lintas")
    response = login("admin").post(
        reverse("org-position-edit", args=[position.pk]), _edit_form(position, title="Analis Lalu Lintas Ahli")
    )
    assert response.status_code == 302
    assert response.url == reverse("org-positions", args=[dishub.pk])
    position.refresh_from_db()
    assert (position.title, position.version) == ("Analis Lalu Lintas Ahli", 2)


def test_position_edit_deactivates_when_the_box_is_unticked(login: Login) -> None:
    position = records.position("Analis Lalu Lintas")
    login("admin").post(reverse("org-position-edit", args=[position.pk]), _edit_form(position, is_active=""))
    position.refresh_from_db()
    assert position.is_active is False


def test_position_edit_reporting_to_its_own_subordinate_is_refused(login: Login) -> None:
    kadis = records.position("Kepala Dinas Perhubungan")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-position-edit", args=[kadis.pk]),
        _edit_form(kadis, superior=records.position("Analis Lalu Lintas").pk),
    )
    pages.assert_error_shown(response, "superior")
    assert records.org_tables() == before


def test_position_edit_with_a_stale_version_is_refused(login: Login) -> None:
    position = records.position("Analis Lalu Lintas")
    client = login("admin")
    stale = _edit_form(position)
    client.post(reverse("org-position-edit", args=[position.pk]), _edit_form(position, title="Analis Ahli"))
    response = client.post(reverse("org-position-edit", args=[position.pk]), {**stale, "title": "Analis Terampil"})
    pages.assert_error_shown(response, None)
    position.refresh_from_db()
    assert position.title == "Analis Ahli"
