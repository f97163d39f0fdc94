from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.org.models import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["admin", "inspektorat"])
def test_audit_index_redirects_to_the_single_readable_agency(
    login: Callable[[str], Client], dishub: Agency, username: str
) -> None:
    response = login(username).get(reverse("audit-index"))
    assert response.status_code == 302
    assert response.url == reverse("audit-events", args=[dishub.pk])


def test_audit_index_takes_the_other_admin_to_its_own_agency(login: Callable[[str], Client], kominfo: Agency) -> None:
    response = login("admin.kominfo").get(reverse("audit-index"))
    assert response.url == reverse("audit-events", args=[kominfo.pk])


@pytest.mark.parametrize("username", ["kadis", "sekretaris", "kabid", "perencanaan", "kasie", "staf", "kadis.kominfo"])
def test_audit_index_is_not_found_without_a_readable_agency(login: Callable[[str], Client], username: str) -> None:
    assert login(username).get(reverse("audit-index")).status_code == 404


def test_audit_index_sends_anonymous_visitors_to_login(db: None) -> None:
    response = Client().get(reverse("audit-index"))
    assert response.status_code == 302
    assert response.url.startswith("/login/")
