from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.org.models import Agency, Employee
from kinerja.org.tests import pages, records

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _edit_form(employee: Employee, **changes: Any) -> dict[str, Any]:
    data = {"name": employee.name, "nip": employee.nip_display, "rank": employee.rank, "version": employee.version}
    data.update(changes)
    return data


def test_employee_list_shows_the_agencys_employees_only(login: Login, dishub: Agency) -> None:
    response = login("staf").get(reverse("org-employees", args=[dishub.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rudi Hartono, A.Md." in page
    assert "19920305 201903 1 006" in page
    assert "Tika Anggraini" not in page
    assert len(response.context["page"].object_list) == 16


@pytest.mark.parametrize("search", ["hartono", "19920305 2019", "199203052019"])
def test_employee_list_finds_by_name_or_nip(login: Login, dishub: Agency, search: str) -> None:
    response = login("staf").get(reverse("org-employees", args=[dishub.pk]), {"q": search})
    assert [e.name for e in response.context["page"].object_list] == ["Rudi Hartono, A.Md."]


def test_employee_detail_shows_nip_and_every_assignment(login: Login) -> None:
    agus = records.employee("Agus Setiawan")
    response = login("staf").get(reverse("org-employee-detail", args=[agus.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "19750730 199903 1 002" in page
    assert "Plt. Kepala Bidang Sarana dan Prasarana" in page
    assert "Kepala Bidang Lalu Lintas" in page


def test_employee_create_saves_the_nip_as_18_digits_and_redirects(login: Login, dishub: Agency) -> None:
    response = login("admin").post(
        reverse("org-employee-create", args=[dishub.pk]),
        {"name": "Budi Santoso, S.T.", "nip": records.NEW_NIP_TYPED, "rank": "III/a"},
    )
    employee = Employee.objects.get(nip=records.NEW_NIP)
    assert response.status_code == 302
    assert response.url == reverse("org-employee-detail", args=[employee.pk])
    assert (employee.name, employee.rank, employee.agency) == ("Budi Santoso, S.T.", "III/a", dishub)


@pytest.mark.parametrize(
    "nip",
    [
        "1973061019940210",  # too short
        "197302301994021003",  # 30 February
        "197306101994131003",  # appointment month 13
        "197306101994023003",  # sex digit 3
        "197306101994021000",  # serial 000
        "19920305 201903 1 006",  # Rudi Hartono's
    ],
)
def test_employee_create_with_a_bad_nip_shows_the_error_and_saves_nothing(
    login: Login, dishub: Agency, nip: str
) -> None:
    client = login("admin")
    before = records.org_tables()
    response = client.post(reverse("org-employee-create", args=[dishub.pk]), {"name": "Budi Santoso", "nip": nip})
    pages.assert_error_shown(response, "nip")
    assert list(response.context["form"].errors) == ["nip"]
    assert records.org_tables() == before


def test_employee_edit_form_shows_the_nip_in_groups(login: Login) -> None:
    rudi = records.employee("Rudi Hartono")
    form = login("admin").get(reverse("org-employee-edit", args=[rudi.pk])).context["form"]
    assert form["nip"].value() == "19920305 201903 1 006"


def test_employee_edit_saves_and_redirects(login: Login) -> None:
    rudi = records.employee("Rudi Hartono")
    response = login("admin").post(
        reverse("org-employee-edit", args=[rudi.pk]), _edit_form(rudi, name="Rudi Hartono, S.T.", rank="III/a")
    )
    assert response.status_code == 302
    assert response.url == reverse("org-employee-detail", args=[rudi.pk])
    rudi.refresh_from_db()
    assert (rudi.name, rudi.rank, rudi.nip, rudi.version) == ("Rudi Hartono, S.T.", "III/a", "199203052019031006", 2)


def test_employee_edit_with_an_invalid_nip_saves_nothing(login: Login) -> None:
    rudi = records.employee("Rudi Hartono")
    client = login("admin")
    before = records.org_tables()
    response = client.post(reverse("org-employee-edit", args=[rudi.pk]), _edit_form(rudi, nip="199213052019031006"))
    pages.assert_error_shown(response, "nip")
    assert records.org_tables() == before


def test_employee_edit_with_a_stale_version_is_refused(login: Login) -> None:
    rudi = records.employee("Rudi Hartono")
    client = login("admin")
    stale = _edit_form(rudi)
    client.post(reverse("org-employee-edit", args=[rudi.pk]), _edit_form(rudi, rank="III/a"))
    response = client.post(reverse("org-employee-edit", args=[rudi.pk]), {**stale, "rank": "III/b"})
    pages.assert_error_shown(response, None)
    rudi.refresh_from_db()
    assert rudi.rank == "III/a"
