from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.org.models import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["kadis", "kabid", "staf", "admin"])
def test_org_index_takes_a_member_to_their_agency(
    login: Callable[[str], Client], dishub: Agency, username: str
) -> None:
    response = login(username).get(reverse("org-index"))
    assert response.status_code == 302
    assert response.url == reverse("org-units", args=[dishub.pk])


def test_org_index_takes_the_other_agency_to_its_own(login: Callable[[str], Client], kominfo: Agency) -> None:
    response = login("admin.kominfo").get(reverse("org-index"))
    assert response.url == reverse("org-units", args=[kominfo.pk])


def test_org_index_lists_both_agencies_of_the_evaluator(login: Callable[[str], Client], dishub: Agency) -> None:
    response = login("inspektorat").get(reverse("org-index"))
    assert response.status_code == 200
    assert [a.short_name for a in response.context["agencies"]] == ["Dishub", "Inspektorat"]
    assert reverse("org-units", args=[dishub.pk]) in response.content.decode()


def test_org_index_of_a_user_without_position_says_so(login: Callable[[str], Client], staf) -> None:  # type: ignore[no-untyped-def]
    staf.employee.assignments.update(end_date="2025-12-31")
    response = login("staf").get(reverse("org-index"))
    assert response.status_code == 200
    assert response.context["agencies"] == []
