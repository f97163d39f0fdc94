"""The SOP loop in a real browser: the planning head adopts a template, edits a step's time in the table
editor, publishes, starts a case; the Kepala Bidang attaches the step's output and completes it from his
task list; the SLA report shows the step with its standard."""

from __future__ import annotations

import re

import pytest

from kinerja.web.tests.browser import log_in, log_out, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@needs_chromium
def test_edit_publish_run_and_measure_an_sop(demo_for_browser: None, page) -> None:  # type: ignore[no-untyped-def]
    from kinerja.org.models import Agency, Unit
    from kinerja.sop.models import Case, ProcedureVersion, Task
    from kinerja.sop.services import load_library

    load_library()
    dishub = Agency.objects.get(short_name="Dishub")
    log_in(page, "perencanaan")
    page.goto(f"/sop/?agency={dishub.pk}")
    page.locator("#templates tr", has_text="Jeneponto").get_by_role("button").click()
    page.wait_for_url("**/sop/version/*/edit/")

    page.locator("textarea[name=step-0-text]").wait_for()
    page.fill("input[name=step-2-time]", "2 hari")
    page.fill("input[name=doc_number]", "050/021/SOP/Dishub/2026")
    page.click("#save-draft")
    page.wait_for_url("**/sop/version/*/edit/")
    assert page.input_value("input[name=step-2-time]") == "2 Hari"
    assert page.input_value("input[name=doc_number]") == "050/021/SOP/Dishub/2026"
    page.locator("#publish button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/sop/\d+/$"))
    version = ProcedureVersion.objects.get(procedure__agency=dishub, status=ProcedureVersion.Status.PUBLISHED)
    assert version.steps.get(number=3).time_text == "2 Hari"

    unit = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    page.fill("#start-case input[name=label]", "Uji Triwulan IV 2026")
    page.select_option("#start-case select[name=unit]", str(unit.pk))
    page.locator("#start-case button[type=submit]").click()
    page.wait_for_url("**/sop/cases/*/")
    assert "Uji Triwulan IV 2026" in page.locator("h1").inner_text()
    case = Case.objects.get(procedure_version=version)
    log_out(page)

    log_in(page, "kabid")
    page.goto("/sop/tasks/")
    page.locator("#my-tasks a").first.click()
    page.wait_for_url("**/sop/tasks/*/")
    page.select_option("#add-output select[name=name]", "Disposisi")
    page.fill("#add-output input[name=reference]", "Disposisi 7/XI/2026")
    page.locator("#add-output button[type=submit]").click()
    page.wait_for_url("**/sop/tasks/*/")
    page.locator("#complete button[type=submit]").click()
    page.wait_for_url("**/sop/tasks/*/")
    first = Task.objects.get(case=case, step__number=1)
    assert first.status == Task.Status.DONE and first.done_by.username == "kabid"
    assert Task.objects.get(case=case, step__number=2).status == Task.Status.OPEN
    log_out(page)

    log_in(page, "perencanaan")
    page.goto(f"/sop/sla/?agency={dishub.pk}&year={case.year}")
    body = page.locator("main").inner_text()
    assert "Menugaskan Kasubag/Kasubid" in body
    assert "Pengumpulan Data Kinerja" in body
