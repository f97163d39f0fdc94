"""The quarter's monev in a real browser: the planning head plans it from the proposal and schedules a visit,
the Inspektorat evaluator records a finding with a recommendation, the division head answers it, and the
planning head closes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.web.tests.browser import log_in, log_out, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@needs_chromium
def test_from_plan_to_follow_up_closed(demo_for_browser: None, page, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kinerja.accounts.models import User
    from kinerja.monev.models import EvaluationPlan, Recommendation
    from kinerja.org.models import Position

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    inspektorat = User.objects.get(username="inspektorat")
    kabid_ll = Position.objects.get(title="Kepala Bidang Lalu Lintas")

    # The planning head plans the third quarter's monev: the proposal fills the scope.
    log_in(page, "perencanaan")
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Monev").click()
    page.locator("#id_year").fill("2026")
    page.locator("#id_quarter").select_option("3")
    page.locator("main form button.primary").click()
    page.wait_for_url("**/monev/plan/*/")
    plan = EvaluationPlan.objects.get()
    assert page.locator("#scope tbody tr").count() == plan.items.count() > 0

    # ... and schedules the visit to the Traffic division with the Inspektorat's evaluator.
    page.locator("#id_unit").select_option(label="Bidang Lalu Lintas")
    page.locator("#id_scheduled_on").fill("2026-10-20")
    page.locator("#id_evaluators").select_option(str(inspektorat.pk))
    page.locator("button[name=schedule]").click()
    page.wait_for_url(f"**/monev/plan/{plan.pk}/")
    page.locator("#visits").get_by_role("link", name="Bidang Lalu Lintas").click()
    page.wait_for_url("**/monev/visit/*/")
    visit_url = page.url
    log_out(page)

    # The evaluator fills the monev form on the visit.
    log_in(page, "inspektorat")
    page.goto(visit_url)
    form = page.locator("#record-finding form")
    form.locator("#id_indicator").select_option(index=1)
    form.locator("#id_finding").fill("Realisasi triwulan III jauh di bawah target triwulan.")
    form.locator("#id_cause").select_option("activity")
    form.locator("#id_recommendation").fill("Susun jadwal percepatan kegiatan sampai Desember.")
    form.locator("#id_responsible").select_option(str(kabid_ll.pk))
    form.locator("#id_due_on").fill("2026-11-30")
    form.locator("button.primary").click()
    page.wait_for_url(visit_url)
    assert "Susun jadwal percepatan kegiatan" in page.locator("#findings").inner_text()
    log_out(page)

    # The division head answers it from his list.
    log_in(page, "kabid")
    page.goto("/monev/mine/")
    page.get_by_role("link", name="Susun jadwal percepatan kegiatan sampai Desember.").click()
    page.wait_for_url("**/monev/recommendation/*/")
    page.locator("#id_done").fill("Jadwal percepatan ditetapkan dan dibagikan ke seksi.")
    page.locator("#answer button.primary").click()
    page.wait_for_url("**/monev/recommendation/*/")
    recommendation = Recommendation.objects.get()
    assert recommendation.status == Recommendation.Status.ANSWERED
    assert "Jadwal percepatan ditetapkan" in page.locator("#follow-ups").inner_text()
    log_out(page)

    # The planning head closes it.
    log_in(page, "perencanaan")
    page.goto(f"/monev/recommendation/{recommendation.pk}/")
    page.locator("#id_decision").select_option("close")
    page.locator("#decide button.primary").click()
    page.wait_for_url(f"**/monev/recommendation/{recommendation.pk}/")
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.CLOSED
    assert page.locator("#status").inner_text().strip() != ""
