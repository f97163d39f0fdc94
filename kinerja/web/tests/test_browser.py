"""The main flow in a real browser: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connection

from kinerja.measurement.demo import load_performance_demo
from kinerja.org.demo import DEMO_PASSWORD, demo_loaded, load_demo
from kinerja.org.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


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


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is installed by `make test`")
def test_admin_logs_in_switches_language_and_adds_a_unit(demo_for_browser: None, page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert "/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", name="Masuk ke Kinerja").is_visible()

    page.get_by_label("Nama pengguna").fill("admin")
    page.get_by_label("Sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")
    assert page.get_by_text("Pengelola Sistem Informasi").first.is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()

    page.get_by_role("link", name="Organisation").click()
    page.get_by_role("link", name="Add unit").click()
    page.get_by_label("Name").fill("Seksi Keselamatan Lalu Lintas")
    page.get_by_label("Kind").select_option("section")
    page.get_by_label("Parent unit").select_option(label="Bidang Lalu Lintas")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/org/units/*/")
    assert page.get_by_role("heading", name="Seksi Keselamatan Lalu Lintas").is_visible()
    unit = Unit.objects.get(name="Seksi Keselamatan Lalu Lintas")
    assert unit.parent.name == "Bidang Lalu Lintas"

    # Bad input: moving Bidang Lalu Lintas under its own new section is refused next to the field.
    page.goto(f"/org/units/{unit.parent_id}/edit/")
    page.get_by_label("Parent unit").select_option(label="— Seksi Keselamatan Lalu Lintas")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".field.has-error").get_by_text("cannot be placed under itself").is_visible()

    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/login/")
