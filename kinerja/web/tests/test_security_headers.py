from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_carry_the_content_security_policy_and_framing_rules(login) -> None:
    response = login("staf").get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_logged_in_pages_are_not_cached(login) -> None:
    assert "no-store" in login("staf").get("/").headers["Cache-Control"]


def test_post_without_csrf_token_is_refused(staf) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staf, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/logout/").status_code == 403


def test_unknown_address_is_a_404_page_not_an_error(login) -> None:
    assert login("staf").get("/no/such/page/").status_code == 404


def test_django_admin_is_closed_to_agency_users(login) -> None:
    response = login("admin").get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response.url
