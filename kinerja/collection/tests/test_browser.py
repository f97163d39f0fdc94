"""The collection loop in a real browser: staff submit with evidence, the division head returns with a note,
staff correct and resubmit, the division head approves, the planning head verifies, and the dashboard
shows the locked value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kinerja.collection import services
from kinerja.collection.models import Submission
from kinerja.measurement.models import Realization
from kinerja.web.tests.browser import log_in, log_out, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def _open_from_inbox(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Kotak masuk").click()
    page.locator("table").get_by_role("link", name="Bidang Lalu Lintas").click()
    page.wait_for_url("**/collection/submission/*/")


def _to_date_text(indicator_id: int) -> str:
    """The realisation to date as the dashboard writes it, worked out from the stored quarters."""
    from django.utils import translation

    from kinerja.lib.numbers import format_number
    from kinerja.measurement.achievement import aggregate
    from kinerja.planning.models import Indicator

    indicator = Indicator.objects.get(pk=indicator_id)
    values = {r.quarter: r.value for r in Realization.objects.filter(indicator=indicator, year=2026)}
    with translation.override("id"):
        return format_number(aggregate(aggregation=indicator.aggregation, realizations=values, upto=3))


@needs_chromium
def test_the_quarter_goes_round_the_loop_and_reaches_the_dashboard(  # type: ignore[no-untyped-def]
    demo_for_browser: None, page, settings, tmp_path: Path
) -> None:
    from kinerja.accounts.models import User
    from kinerja.org.models import Agency

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    dishub = Agency.objects.get(short_name="Dishub")
    opened = services.open_period(agency=dishub, year=2026, quarter=3, by=User.objects.get(username="perencanaan"))
    submission = next(
        r.submission for r in opened.requests if r.kind == "division" and r.unit.name == "Bidang Lalu Lintas"
    )  # noqa: E501
    lines = list(submission.lines.select_related("indicator").order_by("pk"))
    target = next(line for line in lines if line.indicator.scale != "qualitative" and line.value is not None)
    code, pk = target.indicator.code, target.indicator_id
    evidence = tmp_path / "bukti.pdf"

    # Staff: evidence for every indicator, a corrected figure, then submit.
    log_in(page, "staf")
    _open_from_inbox(page)
    for index, line in enumerate(lines):
        evidence.write_bytes(PDF + f"% {index}\n".encode())
        page.locator(f"#file-{line.indicator_id}").set_input_files(evidence)
        page.locator(f"#line-{line.indicator_id}").get_by_role("button", name="Unggah").click()
        page.wait_for_load_state()
    page.get_by_label(f"Realisasi {code}", exact=True).fill("70,5")
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").first.is_visible()
    page.get_by_role("button", name="Ajukan untuk diperiksa").click()
    page.wait_for_load_state()
    assert page.locator("#submission-status").inner_text() == "Diajukan"
    log_out(page)

    # Division head: returns with a note and a remark on the indicator.
    log_in(page, "kabid")
    _open_from_inbox(page)
    page.locator(f"#remark-{pk}").fill("Angka tidak sama dengan laporan bulanan")
    page.locator("#review-note").fill("Periksa kembali realisasi triwulan III")
    page.get_by_role("button", name="Kembalikan untuk diperbaiki").click()
    page.wait_for_load_state()
    assert page.locator("#submission-status").inner_text() == "Dikembalikan"
    log_out(page)

    # Staff: sees the note on the exact indicator, corrects, resubmits.
    log_in(page, "staf")
    _open_from_inbox(page)
    assert "Periksa kembali realisasi triwulan III" in page.locator("#return-note").inner_text()
    assert "Angka tidak sama dengan laporan bulanan" in page.locator(f"#line-{pk}").inner_text()
    page.get_by_label(f"Realisasi {code}", exact=True).fill("71,25")
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Ajukan untuk diperiksa").click()
    page.wait_for_load_state()
    log_out(page)

    # Division head approves; the planning head verifies.
    log_in(page, "kabid")
    _open_from_inbox(page)
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_load_state()
    assert page.locator("#submission-status").inner_text() == "Disetujui"
    log_out(page)
    log_in(page, "perencanaan")
    _open_from_inbox(page)
    page.get_by_role("button", name="Verifikasi dan kunci").click()
    page.wait_for_load_state()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VERIFIED and submission.round == 2
    assert Realization.objects.get(indicator_id=pk, year=2026, quarter=3).value == Decimal("71.25")
    assert list(submission.reviews.values_list("decision", flat=True)) == [
        "submitted", "returned", "submitted", "approved", "verified",
    ]  # fmt: skip

    # The dashboard counts the locked value: the indicator's quarter III, and its figure to date.
    page.goto(f"/performance/agency/{dishub.pk}/?year=2026&quarter=3")
    row = page.locator("tr", has=page.get_by_role("link", name=code, exact=True))
    to_date = _to_date_text(pk)
    assert to_date in row.inner_text()
    row.get_by_role("link", name=code, exact=True).click()
    assert "71,25" in page.locator("tr", has=page.get_by_text("TW 3", exact=True)).inner_text()
