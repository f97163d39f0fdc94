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
