"""Fixtures for tests that drive Debian's Chromium through Playwright against a live server.

The root conftest loads this module as a plugin, so every test module can ask for `demo_for_browser` and
`page`; mark such a test with `needs_chromium`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connection

from kinerja.measurement.demo import load_performance_demo
from kinerja.org.demo import DEMO_PASSWORD, demo_loaded, load_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian's chromium is installed by `make test`"
)


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Logs `username` in with the demo password through the Indonesian login form."""
    page.goto("/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/login/")


@pytest.fixture
def demo_for_browser(transactional_db: None) -> Iterator[None]:
    if not demo_loaded():
        load_demo()
    load_performance_demo()
    yield
    # The test database is emptied after a live-server test, but audit events refuse DELETE on
    # SQLite. Lift the rule for the cleanup only, as an operator with database access would.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute(
                "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


@pytest.fixture
def page(live_server, monkeypatch) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still plain sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        if os.environ.get("KINERJA_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["KINERJA_SCREENSHOTS"], "last.png"), full_page=True)
        browser.close()
