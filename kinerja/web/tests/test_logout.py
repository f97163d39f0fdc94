from __future__ import annotations

import pytest

from kinerja.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_logout_by_get_is_refused(login) -> None:
    client = login("staf")
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_logout_ends_the_session_on_the_server(login) -> None:
    client = login("staf")
    old_key = client.session.session_key
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response.url == "/login/"
    replay = login("staf")
    replay.cookies["sessionid"] = old_key
    assert replay.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor_label="staf").exists()
