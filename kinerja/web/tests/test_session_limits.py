from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_session_ends_after_30_idle_minutes(login) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = login("staf")
        assert client.get("/").status_code == 200
        traveller.move_to(start + timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.move_to(start + timedelta(minutes=29 + 31))
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_active_session_ends_12_hours_after_login(login) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = login("staf")
        now = start
        while now + timedelta(minutes=25) < start + timedelta(hours=12):
            now += timedelta(minutes=25)
            traveller.move_to(now)
            assert client.get("/").status_code == 200, now - start
        traveller.move_to(start + timedelta(hours=12, minutes=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_reading_pages_writes_the_session_at_most_once_a_minute(login) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = login("staf")
        client.get("/")

        def session_writes() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/").status_code == 200
            return sum(1 for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT"))

        traveller.move_to(start + timedelta(seconds=30))
        assert session_writes() == 0
        traveller.move_to(start + timedelta(seconds=61))
        assert session_writes() == 1
        # The write moved the idle expiry: 29 minutes later the session still holds.
        traveller.move_to(start + timedelta(seconds=61, minutes=29))
        assert client.get("/").status_code == 200
