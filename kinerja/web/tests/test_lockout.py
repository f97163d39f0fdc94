from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kinerja.audit.models import AuditEvent
from kinerja.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _fail(times: int, address: str, **headers: str) -> list[int]:
    return [
        Client()
        .post("/login/", {"username": "kadis", "password": f"wrong-{i}"}, REMOTE_ADDR=address, **headers)
        .status_code
        for i in range(times)
    ]


def _login(address: str, **headers: str) -> int:
    return (
        Client()
        .post("/login/", {"username": "kadis", "password": DEMO_PASSWORD}, REMOTE_ADDR=address, **headers)
        .status_code
    )


def test_fifth_failure_locks_the_username_from_that_address() -> None:
    assert _fail(5, "10.0.0.1") == [200, 200, 200, 200, 429]
    assert _login("10.0.0.1") == 429
    assert AuditEvent.objects.filter(action="auth.lockout", after__username="kadis").exists()


def test_lockout_does_not_block_the_same_user_from_another_address() -> None:
    _fail(5, "10.0.0.1")
    assert _login("10.0.0.2") == 302


def test_forged_forwarded_for_does_not_escape_the_lockout() -> None:
    codes = [
        Client()
        .post(
            "/login/",
            {"username": "kadis", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
        .status_code
        for i in range(5)
    ]
    assert codes[-1] == 429
    assert _login("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9") == 429


def test_behind_a_trusted_proxy_only_the_address_it_saw_counts(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges the left part of the header; our proxy appends the real address last.
    codes = [
        Client()
        .post(
            "/login/",
            {"username": "kadis", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7",
        )  # fmt: skip
        .status_code
        for i in range(5)
    ]
    assert codes[-1] == 429
    assert _login("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7") == 429
    assert _login("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8") == 302


def test_lockout_ends_after_the_cool_off() -> None:
    _fail(5, "10.0.0.1")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _login("10.0.0.1") == 302


def test_success_before_the_limit_resets_the_count() -> None:
    _fail(4, "10.0.0.1")
    assert _login("10.0.0.1") == 302
    assert _fail(4, "10.0.0.1") == [200, 200, 200, 200]
