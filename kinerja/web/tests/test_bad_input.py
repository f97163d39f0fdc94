"""Hostile or malformed input gets a clear answer, never a server error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    "url",
    [
        f"/org/{HUGE}/units/",
        f"/org/units/{HUGE}/",
        f"/org/units/{HUGE}/edit/",
        f"/org/employees/{HUGE}/",
        f"/org/assignments/{HUGE}/edit/",
        f"/org/positions/{HUGE}/edit/",
        f"/audit/{HUGE}/",
    ],
)
def test_out_of_range_ids_are_not_found(login, url: str) -> None:
    assert login("admin").get(url).status_code == 404


def test_junk_query_parameters_are_harmless(login, dishub) -> None:
    client = login("admin")
    response = client.get(f"/org/{dishub.pk}/employees/?page=abc&q=%00%27--")
    assert response.status_code == 200
    assert "q" in response.context["search_form"].errors
    assert client.get(f"/org/{dishub.pk}/employees/?q=%27%3B--").status_code == 200
    assert client.get(f"/audit/{dishub.pk}/?date_from=2026-13-45&page=-1").status_code == 200
    assert client.get(f"/audit/{dishub.pk}/?actor=%00&object=%00x&action=%00").status_code == 200
    assert client.get(f"/org/{dishub.pk}/units/new/?parent={HUGE}").status_code == 200


def test_form_with_out_of_range_choice_is_an_error_not_a_crash(login, dishub) -> None:
    response = login("admin").post(
        f"/org/{dishub.pk}/units/new/", {"name": "Seksi Baru", "kind": "section", "parent": HUGE, "sort_order": "1"}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
