from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from kinerja.audit.models import AuditEvent
from kinerja.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
NEW = "jalan-raya-sukamaju-77"


def test_password_change_page_for_every_logged_in_user(role_client) -> None:
    for role in ["head", "staff", "evaluator", "admin"]:
        assert role_client(role).get("/password/").status_code == 200


def test_password_change_requires_login() -> None:
    response = Client().get("/password/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_password_change_needs_the_current_password(login, staf) -> None:
    client = login(staf)
    response = client.post("/password/", {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    staf.refresh_from_db()
    assert staf.check_password(DEMO_PASSWORD)


def test_password_change_rejects_a_weak_password_in_english(login, staf) -> None:
    client = login(staf)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/password/", {"old_password": DEMO_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert b"This password is too short" in response.content


def test_password_change_keeps_this_session_and_ends_the_others(login, staf) -> None:
    mine, other = login(staf), login(staf)
    response = mine.post("/password/", {"old_password": DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302
    staf.refresh_from_db()
    assert staf.check_password(NEW)
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=staf).count() == 1
