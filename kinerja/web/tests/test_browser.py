"""The main flow in a real browser: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import pytest

from kinerja.org.demo import DEMO_PASSWORD
from kinerja.org.models import Unit
from kinerja.web.tests.browser import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@needs_chromium
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
