from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kinerja.org.models import Agency, Unit
from kinerja.org.tests import pages, records

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _edit_form(unit: Unit, **changes: Any) -> dict[str, Any]:
    data = {
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "code": unit.code,
        "sort_order": unit.sort_order,
        "version": unit.version,
    }
    data.update(changes)
    return data


def test_unit_list_shows_the_tree_with_parents_before_children(login: Login, dishub: Agency) -> None:
    response = login("staf").get(reverse("org-units", args=[dishub.pk]))
    assert response.status_code == 200
    names = [(row.unit.name, row.depth) for row in response.context["rows"]]
    assert names[:4] == [
        ("Sekretariat", 0),
        ("Subbagian Perencanaan dan Program", 1),
        ("Subbagian Umum dan Kepegawaian", 1),
        ("Subbagian Keuangan", 1),
    ]
    assert len(names) == 14
    assert "Bidang Aplikasi Informatika" not in response.content.decode()


def test_unit_detail_shows_sub_units_positions_and_the_acting_holder(login: Login) -> None:
    unit = records.unit("Bidang Sarana dan Prasarana")
    response = login("kasie").get(reverse("org-unit-detail", args=[unit.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Seksi Sarana Perhubungan" in page
    assert "Kepala Bidang Sarana dan Prasarana" in page
    assert "Agus Setiawan, S.T., M.T.</a> (Plt.)" in page


def test_unit_create_saves_and_redirects_to_the_new_unit(login: Login, dishub: Agency) -> None:
    client = login("admin")
    parent = records.unit("Bidang Angkutan")
    response = client.post(
        reverse("org-unit-create", args=[dishub.pk]),
        {"name": "Seksi Angkutan Sungai", "kind": "section", "parent": parent.pk, "code": "ANG.3", "sort_order": 11},
    )
    unit = Unit.objects.get(agency=dishub, name="Seksi Angkutan Sungai")
    assert response.status_code == 302
    assert response.url == reverse("org-unit-detail", args=[unit.pk])
    assert (unit.parent, unit.kind, unit.code, unit.sort_order) == (parent, "section", "ANG.3", 11)
    assert "Seksi Angkutan Sungai" in client.get(response.url).content.decode()


def test_unit_create_prefills_the_parent_from_the_link(login: Login, dishub: Agency) -> None:
    parent = records.unit("Bidang Angkutan")
    response = login("admin").get(reverse("org-unit-create", args=[dishub.pk]) + f"?parent={parent.pk}")
    assert response.context["form"]["parent"].value() == str(parent.pk)


def test_unit_create_under_a_unit_of_another_agency_is_refused(login: Login, dishub: Agency) -> None:
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-unit-create", args=[dishub.pk]),
        {
            "name": "Seksi Baru",
            "kind": "section",
            "parent": records.unit("Sekretariat", "Diskominfo").pk,
            "sort_order": 0,
        },
    )
    pages.assert_error_shown(response, "parent")
    assert records.org_tables() == before


def test_unit_create_with_a_sibling_name_shows_the_error(login: Login, dishub: Agency) -> None:
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-unit-create", args=[dishub.pk]),
        {"name": "Bidang Angkutan", "kind": "division", "parent": "", "sort_order": 0},
    )
    pages.assert_error_shown(response, "name")
    assert records.org_tables() == before


def test_unit_create_without_a_name_shows_the_error(login: Login, dishub: Agency) -> None:
    client = login("admin")
    before = records.org_tables()
    response = client.post(reverse("org-unit-create", args=[dishub.pk]), {"kind": "division", "sort_order": 0})
    pages.assert_error_shown(response, "name")
    assert records.org_tables() == before


def test_unit_edit_saves_and_redirects(login: Login) -> None:
    unit = records.unit("UPT Pengujian Kendaraan Bermotor")
    angkutan = records.unit("Bidang Angkutan")
    response = login("admin").post(
        reverse("org-unit-edit", args=[unit.pk]), _edit_form(unit, parent=angkutan.pk, code="ANG.UPT")
    )
    assert response.status_code == 302
    assert response.url == reverse("org-unit-detail", args=[unit.pk])
    unit.refresh_from_db()
    assert (unit.parent, unit.code, unit.version) == (angkutan, "ANG.UPT", 2)


def test_unit_edit_form_opens_with_the_current_values(login: Login) -> None:
    unit = records.unit("Seksi Angkutan Orang")
    form = login("admin").get(reverse("org-unit-edit", args=[unit.pk])).context["form"]
    assert form["name"].value() == "Seksi Angkutan Orang"
    assert form["parent"].value() == unit.parent_id
    assert form["version"].value() == 1


@pytest.mark.parametrize("new_parent", ["Bidang Lalu Lintas", "Seksi Manajemen dan Rekayasa Lalu Lintas"])
def test_unit_edit_under_itself_or_its_own_child_is_refused(login: Login, new_parent: str) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-unit-edit", args=[unit.pk]), _edit_form(unit, parent=records.unit(new_parent).pk)
    )
    pages.assert_error_shown(response, "parent")
    assert records.org_tables() == before


def test_unit_edit_under_a_unit_of_another_agency_is_refused(login: Login) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    client = login("admin")
    before = records.org_tables()
    response = client.post(
        reverse("org-unit-edit", args=[unit.pk]), _edit_form(unit, parent=records.unit("Sekretariat", "Diskominfo").pk)
    )
    pages.assert_error_shown(response, "parent")
    assert records.org_tables() == before


def test_unit_edit_under_its_own_child_explains_why_in_english(login: Login) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    client = login("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("org-unit-edit", args=[unit.pk]),
        _edit_form(unit, parent=records.unit("Seksi Manajemen dan Rekayasa Lalu Lintas").pk),
    )
    assert "A unit cannot be placed under itself or under one of its own units." in response.content.decode()


def test_unit_edit_with_a_stale_version_is_refused_and_keeps_the_first_change(login: Login) -> None:
    unit = records.unit("Bidang Lalu Lintas")
    client = login("admin")
    stale = _edit_form(unit)
    assert client.post(reverse("org-unit-edit", args=[unit.pk]), _edit_form(unit, code="LL-1")).status_code == 302
    response = client.post(reverse("org-unit-edit", args=[unit.pk]), {**stale, "code": "LL-2"})
    pages.assert_error_shown(response, None)
    unit.refresh_from_db()
    assert (unit.code, unit.version) == ("LL-1", 2)
