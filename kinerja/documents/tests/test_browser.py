"""A Dokumen Pengukuran Kinerja in a real browser: the planning head creates and generates it and sends it for
approval, the secretary approves, the head signs with his password, and anyone checks the signed PDF on the public
verification page, where one changed byte shows as not valid."""

from __future__ import annotations

import re

import pytest

from kinerja.org.demo import DEMO_PASSWORD
from kinerja.web.tests.browser import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/")


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_url("**/login/")


@needs_chromium
def test_generate_sign_and_verify_a_measurement_document(demo_for_browser, page, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kinerja.documents.models import Document
    from kinerja.org.models import Agency

    settings.DOCUMENT_ROOT = tmp_path / "documents"
    dishub = Agency.objects.get(short_name="Dishub")
    _log_in(page, "perencanaan")
    page.goto(f"/documents/new/?agency={dishub.pk}")
    page.select_option("#id_kind", "measurement")
    page.fill("#id_year", "2026")
    page.select_option("#id_quarter", "2")
    page.locator("#new-document button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    document = Document.objects.get(agency=dishub, kind="measurement", year=2026, quarter=2)
    page.locator("#generate button").click()
    page.locator("#job-done").wait_for()
    assert document.versions.count() == 1
    page.locator("#submit button").click()
    page.wait_for_url(f"**/documents/{document.pk}/")
    _log_out(page)

    _log_in(page, "sekretaris")
    page.goto(f"/documents/{document.pk}/")
    page.locator("#decide button[value=approve]").click()
    page.wait_for_url(f"**/documents/{document.pk}/")
    _log_out(page)

    _log_in(page, "kadis")
    page.goto(f"/documents/{document.pk}/")
    page.fill("#id_password", "not my password")
    page.locator("#sign button[type=submit]").click()
    assert page.locator(".error").count() >= 1
    document.refresh_from_db()
    assert document.status == "ready"
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("#sign button[type=submit]").click()
    page.locator("#signed-hash").wait_for()
    document.refresh_from_db()
    assert document.status == "signed"
    signed_pdf = document.signature.version.pdf.open("rb").read()
    verify_url = page.locator("#verify-link").get_attribute("href")
    _log_out(page)

    # anyone holding the file: the QR page, then the upload check
    page.goto(verify_url)
    assert "Ir. Bambang Sutrisno, M.T." in page.locator("#signature-facts").inner_text()
    page.set_input_files("#id_file", files=[{"name": "dpk.pdf", "mimeType": "application/pdf", "buffer": signed_pdf}])
    page.locator("#verify-form button[type=submit]").click()
    page.locator("#verdict-valid").wait_for()
    changed = signed_pdf[:-10] + bytes([signed_pdf[-10] ^ 0x20]) + signed_pdf[-9:]
    page.goto("/v/")
    page.set_input_files("#id_file", files=[{"name": "dpk.pdf", "mimeType": "application/pdf", "buffer": changed}])
    page.locator("#verify-form button[type=submit]").click()
    page.locator("#verdict-invalid").wait_for()
