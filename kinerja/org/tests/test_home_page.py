"""The home page tells each demo login where they work and which positions they hold today."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DISHUB = "Dinas Perhubungan Kabupaten Sukamaju"
KOMINFO = "Dinas Komunikasi dan Informatika Kabupaten Sukamaju"
INSPEKTORAT = "Inspektorat Kabupaten Sukamaju"

EXPECTED = {
    "kadis": (DISHUB, ["Kepala Dinas Perhubungan"]),
    "sekretaris": (DISHUB, ["Sekretaris Dinas"]),
    "kabid": (DISHUB, ["Kepala Bidang Lalu Lintas", "Plt. Kepala Bidang Sarana dan Prasarana"]),
    "perencanaan": (DISHUB, ["Kepala Subbagian Perencanaan dan Program"]),
    "kasie": (DISHUB, ["Kepala Seksi Manajemen dan Rekayasa Lalu Lintas"]),
    "staf": (DISHUB, ["Analis Lalu Lintas"]),
    "admin": (DISHUB, ["Pengelola Sistem Informasi"]),
    "inspektorat": (INSPEKTORAT, ["Auditor Ahli Madya"]),
    "admin.kominfo": (KOMINFO, ["Pengelola Sistem Informasi"]),
    "kadis.kominfo": (KOMINFO, ["Kepala Dinas Komunikasi dan Informatika"]),
}


@pytest.mark.parametrize("username", EXPECTED)
def test_home_shows_agency_and_positions_of_each_demo_login(login: Callable[[str], Client], username: str) -> None:
    agency, labels = EXPECTED[username]
    response = login(username).get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert agency in page
    assert [a.label for a in response.context["assignments"]] == labels
    for label in labels:
        assert f"<strong>{label}</strong>" in page


def test_home_of_the_evaluator_lists_the_agency_it_evaluates(login: Callable[[str], Client]) -> None:
    response = login("inspektorat").get("/")
    assert [a.short_name for a in response.context["evaluated_agencies"]] == ["Dishub"]
    assert DISHUB in response.content.decode()


def test_home_of_a_member_lists_no_evaluated_agency(login: Callable[[str], Client]) -> None:
    assert login("kadis").get("/").context["evaluated_agencies"] == []


def test_home_sends_anonymous_visitors_to_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
