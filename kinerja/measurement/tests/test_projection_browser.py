"""The indicator page's quarter chart in a real browser: the projected year-end is drawn at TW IV with its range."""

from __future__ import annotations

import pytest

from kinerja.accounts.models import User
from kinerja.org.demo import DEMO_PASSWORD
from kinerja.org.models import Agency
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, realize, set_targets
from kinerja.web.tests.browser import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@needs_chromium
def test_the_chart_draws_the_projected_year_end_and_its_range(demo_for_browser: None, page) -> None:  # type: ignore[no-untyped-def]
    planner = User.objects.get(username="perencanaan")
    plan = fresh_plan(Agency.objects.get(short_name="Dishub"), planner)
    behind = indicator(plan, planner, "K.1", name="Rambu dipasang")
    set_targets(head_agreement(plan, planner, 2030), planner, behind, "100", "25", "25", "25", "25")
    realize(behind, planner, 2030, 1, "10")
    realize(behind, planner, 2030, 2, "20")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/login/")
    page.get_by_label("Nama pengguna").fill("perencanaan")
    page.get_by_label("Sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")
    page.goto(f"/performance/indicator/{behind.pk}/?year=2030&quarter=2")
    assert page.locator("#projection .risk").is_visible()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart=quarters-projection]'))"
    )
    datasets = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-chart=quarters-projection]')).data.datasets"
        ".map(d => [d.type, d.data[3]])"
    )
    assert datasets == [["line", 100], ["line", None], ["line", 60], ["bar", [50, 70]]]
    assert errors == []
