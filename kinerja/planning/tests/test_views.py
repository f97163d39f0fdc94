from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kinerja.planning import services
from kinerja.planning.models import BudgetLine
from kinerja.planning.tests.records import fresh_plan, indicator


@pytest.mark.parametrize("version", ["abc", "", "99999999999999999999"])
def test_a_garbled_version_is_a_conflict_not_a_500(role_client, dishub, perencanaan, version):
    fresh_plan(dishub, perencanaan, start_year=2030)
    line = services.save_budget_line(
        agency=dishub, year=2030, values={"kind": "program", "code": "9.1", "name": "Program", "ceiling": Decimal(10)},
        by=perencanaan,
    )  # fmt: skip
    form = {"kind": "program", "code": "9.1", "name": "Program baru", "ceiling": "10", "version": version}
    response = role_client("planning_head").post(reverse("planning-budget-edit", args=[dishub.pk, line.pk]), form)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert BudgetLine.objects.get(pk=line.pk).name == "Program"


def test_editing_an_indicator_from_a_stale_form_is_refused(role_client, dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan, start_year=2030)
    ind = indicator(plan, perencanaan, "X.1")
    url = reverse("planning-indicator-edit", args=[ind.pk])
    client = role_client("planning_head")
    form = {
        "objective": ind.objective_id, "kind": "iku", "code": "X.1", "name": "Baru", "unit_of_measure": "unit",
        "scale": "count", "polarity": "higher", "aggregation": "cumulative", "sort_order": "0",
        "version": str(ind.version - 1 if ind.version > 1 else 0),
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    form["version"] = str(ind.version)
    assert client.post(url, form).status_code == 302


def test_budget_line_typed_the_indonesian_way_is_saved(role_client, dishub, perencanaan):
    fresh_plan(dishub, perencanaan, start_year=2030)
    form = {"kind": "program", "code": "9.2", "name": "Program", "ceiling": "1.500.000,50", "spent_q1": "250.000"}
    url = reverse("planning-budget-create", args=[dishub.pk]) + "?year=2030"
    response = role_client("planning_head").post(url, form)
    assert response.status_code == 200  # "250.000" is ambiguous: refused with a message, nothing saved
    assert response.context["form"].errors["spent_q1"]
    form["spent_q1"] = "250000"
    assert role_client("planning_head").post(url, form).status_code == 302
    line = BudgetLine.objects.get(agency=dishub, code="9.2")
    assert (line.year, line.ceiling, line.spent_q1) == (2030, Decimal("1500000.50"), Decimal(250000))
