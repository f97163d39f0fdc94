from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from kinerja.audit.models import AuditEvent
from kinerja.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_indonesian_by_default() -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"
    assert b'lang="id"' in response.content


def test_anonymous_home_redirects_to_login() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.parametrize(
    "username", ["kadis", "sekretaris", "kabid", "perencanaan", "kasie", "staf", "inspektorat", "admin"]
)
def test_every_demo_login_reaches_home(username: str) -> None:
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_error_next_to_form_and_records_failure() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = AuditEvent.objects.filter(action="auth.login_failed").count()
    response = client.post("/login/", {"username": "kadis", "password": "wrong-password"})
    assert response.status_code == 200
    assert b"The username or password is wrong" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == before + 1
    event = AuditEvent.objects.filter(action="auth.login_failed").first()
    assert event.after == {"username": "kadis"}
    assert "wrong-password" not in str(event.after)


def test_successful_login_is_audited_with_position_and_agency(dishub) -> None:
    Client().post("/login/", {"username": "kabid", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="auth.login").first()
    assert event.actor_label == "kabid"
    assert event.agency_id == dishub.pk
    assert event.position_label == "Kepala Bidang Lalu Lintas"
    assert event.client_address == "10.1.2.3"


def test_login_ignores_next_pointing_elsewhere() -> None:
    response = Client().post(
        "/login/?next=https://evil.example/",
        {"username": "staf", "password": DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_login_rotates_session_key() -> None:
    client = Client()
    client.get("/login/")
    client.cookies["sessionid"] = "fixated-session-key-0123456789abcdef"
    client.post("/login/", {"username": "staf", "password": DEMO_PASSWORD})
    assert client.cookies["sessionid"].value != "fixated-session-key-0123456789abcdef"


def test_inactive_user_cannot_log_in(staf) -> None:
    staf.is_active = False
    staf.save()
    response = Client().post("/login/", {"username": "staf", "password": DEMO_PASSWORD})
    assert response.status_code == 200


def test_passwords_are_hashed_with_tuned_argon2(staf) -> None:
    assert staf.password.startswith("argon2$argon2id$v=19$m=65536,t=3,p=2$")
