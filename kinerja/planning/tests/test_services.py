from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kinerja.audit.models import AuditEvent
from kinerja.lib.errors import ConfirmationRequired
from kinerja.planning import services
from kinerja.planning.models import AgreementTarget, PerformanceAgreement, TargetRevision
from kinerja.planning.services import TargetInput
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, set_targets, sign

D = Decimal


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the language they are written in."""
    with translation.override("en"):
        yield


def test_only_the_planning_head_creates_a_plan(dishub, kabid, kadis, org_admin):
    for user in (kabid, kadis, org_admin):
        with pytest.raises(PermissionDenied):
            services.create_plan(agency=dishub, name="Renstra", start_year=2030, by=user)


def test_plans_of_an_agency_cannot_overlap(dishub, perencanaan):
    fresh_plan(dishub, perencanaan, start_year=2030)
    with pytest.raises(ValidationError) as exc:
        services.create_plan(agency=dishub, name="Lagi", start_year=2032, by=perencanaan)
    assert "start_year" in exc.value.error_dict


@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ({"scale": "count"}, TargetInput(value=D(-5)), "negative"),
        ({"scale": "percent", "unit_of_measure": "%", "aggregation": "last"}, TargetInput(value=D(-1)), "negative"),
        ({"polarity": "range", "aggregation": "last"}, TargetInput(value=D(80), upper=D(60)), "swapped"),
        ({"polarity": "range", "aggregation": "last"}, TargetInput(value=D(80)), "both a lower and an upper"),
        ({"polarity": "higher"}, TargetInput(value=D(8), upper=D(9)), "Only an indicator measured within a range"),
        ({"scale": "qualitative", "aggregation": "last"}, TargetInput(value=D(3)), "text target"),
    ],
)
def test_bad_targets_are_refused_with_a_clear_message(dishub, perencanaan, values, target, expected):
    plan = fresh_plan(dishub, perencanaan)
    ind = indicator(plan, perencanaan, "X.1", **values)
    agreement = head_agreement(plan, perencanaan, 2030)
    with pytest.raises(ValidationError) as exc:
        services.set_agreement_targets(agreement=agreement, targets={(ind.pk, 0): target}, by=perencanaan)
    assert expected in " ".join(exc.value.messages)
    assert not AgreementTarget.objects.filter(agreement=agreement).exists()


def test_a_negative_target_is_fine_for_an_index(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    ind = indicator(plan, perencanaan, "X.1", scale="index", aggregation="last")
    agreement = head_agreement(plan, perencanaan, 2030)
    services.set_agreement_targets(agreement=agreement, targets={(ind.pk, 0): TargetInput(value=D(-2))}, by=perencanaan)


def test_cumulative_over_a_percentage_needs_confirmation(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    objective = services.save_objective(
        goal=services.save_goal(plan=plan, code="T1", statement="Tujuan", by=perencanaan),
        code="S1", statement="Sasaran", by=perencanaan,
    )  # fmt: skip
    values = {
        "objective": objective, "code": "P.1", "name": "Persentase", "unit_of_measure": "%", "scale": "percent",
        "polarity": "higher", "aggregation": "cumulative",
    }  # fmt: skip
    with pytest.raises(ConfirmationRequired) as exc:
        services.save_indicator(plan=plan, values=values, by=perencanaan)
    assert "cumulative" in exc.value.warnings[0]
    assert not plan.indicators.exists()
    services.save_indicator(plan=plan, values=values, confirmed_warnings=True, by=perencanaan)
    assert plan.indicators.count() == 1


def test_duplicate_indicator_code_is_refused(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    indicator(plan, perencanaan, "X.1")
    with pytest.raises(ValidationError) as exc:
        indicator(plan, perencanaan, "X.1")
    assert "code" in exc.value.error_dict


def test_an_indicator_cannot_cascade_from_itself(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    a = indicator(plan, perencanaan, "A")
    b = indicator(plan, perencanaan, "B", parent=a)
    with pytest.raises(ValidationError) as exc:
        services.save_indicator(plan=plan, indicator=a, values={"parent": b}, by=perencanaan)
    assert "parent" in exc.value.error_dict


def test_signed_targets_change_only_by_revision_with_reason(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    ind = indicator(plan, perencanaan, "X.1")
    agreement = head_agreement(plan, perencanaan, 2030)
    set_targets(agreement, perencanaan, ind, "100", "25", "25", "25", "25")
    sign(agreement, perencanaan)
    change = {(ind.pk, 0): TargetInput(value=D(120))}
    with pytest.raises(ValidationError) as exc:
        services.set_agreement_targets(agreement=agreement, targets=change, by=perencanaan)
    assert "reason" in " ".join(exc.value.messages)
    services.set_agreement_targets(agreement=agreement, targets=change, reason="APBD Perubahan", by=perencanaan)
    revision = TargetRevision.objects.get(target__agreement=agreement)
    assert (revision.old_value, revision.new_value, revision.reason) == (D(100), D(120), "APBD Perubahan")
    assert AgreementTarget.objects.get(agreement=agreement, quarter=0).value == D(120)
    event = AuditEvent.objects.filter(action="planning.targets.revised").latest("seq")
    assert event.after["reason"] == "APBD Perubahan"


def test_an_indicator_is_in_one_agreement_per_year(dishub, perencanaan):
    from kinerja.org.models import Position

    plan = fresh_plan(dishub, perencanaan)
    ind = indicator(plan, perencanaan, "X.1")
    head_one = head_agreement(plan, perencanaan, 2030)
    set_targets(head_one, perencanaan, ind, "10")
    kabid = Position.objects.get(agency=dishub, title="Kepala Bidang Lalu Lintas")
    other = services.create_agreement(
        plan=plan, year=2030, level=PerformanceAgreement.Level.DIVISION, party_one=kabid,
        party_two=head_one.party_one, parent=head_one, by=perencanaan,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        set_targets(other, perencanaan, ind, "10")
    assert "already has targets" in " ".join(exc.value.messages)


def test_copy_from_last_year_takes_parties_indicators_and_renstra_targets(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    ind = indicator(plan, perencanaan, "X.1")
    services.set_plan_targets(indicator=ind, targets={2031: TargetInput(value=D(140))}, by=perencanaan)
    agreement = head_agreement(plan, perencanaan, 2030)
    set_targets(agreement, perencanaan, ind, "100", "25", "25", "25", "25")
    (copy,) = services.copy_agreements_from_year(plan=plan, year=2031, by=perencanaan)
    assert (copy.party_one_id, copy.party_two_title, copy.status) == (
        agreement.party_one_id,
        "Bupati Sukamaju",
        "draft",
    )
    assert [(t.quarter, t.value) for t in copy.targets.all()] == [(0, D(140))]
    assert services.copy_agreements_from_year(plan=plan, year=2031, by=perencanaan) == []


def test_copy_without_last_year_says_so(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    with pytest.raises(ValidationError) as exc:
        services.copy_agreements_from_year(plan=plan, year=2030, by=perencanaan)
    assert "2029" in exc.value.messages[0]


def test_budget_spent_above_ceiling_is_refused(dishub, perencanaan):
    values = {
        "kind": "program",
        "code": "9.99",
        "name": "Program uji",
        "ceiling": D(100),
        "spent_q1": D(60),
        "spent_q2": D(50),
    }
    with pytest.raises(ValidationError) as exc:
        services.save_budget_line(agency=dishub, year=2030, values=values, by=perencanaan)
    assert "spent_q4" in exc.value.error_dict
