"""Small plans built through the services, for tests that need figures they can predict."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kinerja.accounts.models import User
from kinerja.measurement.services import NEW, record_realization
from kinerja.org.models import Agency, Position, Role, Unit
from kinerja.planning import services
from kinerja.planning.models import Indicator, PerformanceAgreement, StrategicPlan
from kinerja.planning.services import TargetInput

D = Decimal


def fresh_plan(agency: Agency, by: User, *, start_year: int = 2030) -> StrategicPlan:
    """A plan in years the demo does not use, so it never clashes with the demo's own."""
    return services.create_plan(agency=agency, name=f"Renstra uji {start_year}", start_year=start_year, by=by)


def indicator(plan: StrategicPlan, by: User, code: str, **values: object) -> Indicator:
    goal = plan.goals.first() or services.save_goal(plan=plan, code="T1", statement="Tujuan uji", by=by)
    objective = goal.objectives.first() or services.save_objective(goal=goal, code="S1", statement="Sasaran uji", by=by)
    defaults: dict[str, object] = {
        "objective": objective, "kind": Indicator.Kind.IKU, "code": code, "name": f"Indikator {code}",
        "unit_of_measure": "unit", "scale": "count", "polarity": "higher", "aggregation": "cumulative",
    }  # fmt: skip
    defaults.update(values)
    return services.save_indicator(plan=plan, values=defaults, confirmed_warnings=True, by=by)


def head_agreement(plan: StrategicPlan, by: User, year: int) -> PerformanceAgreement:
    head = Position.objects.get(agency=plan.agency, role=Role.HEAD)
    return services.create_agreement(
        plan=plan, year=year, level=PerformanceAgreement.Level.AGENCY, party_one=head, party_two=None,
        party_two_title="Bupati Sukamaju", by=by,
    )  # fmt: skip


def set_targets(agreement: PerformanceAgreement, by: User, ind: Indicator, annual: str, *quarters: str) -> None:
    values = [annual, *quarters]
    targets = {(ind.pk, q): TargetInput(value=D(v)) for q, v in enumerate(values) if v != ""}
    services.set_agreement_targets(agreement=agreement, targets=targets, by=by)


def realize(ind: Indicator, by: User, year: int, quarter: int, value: str | None, **extra: object) -> None:
    record_realization(
        indicator=ind, year=year, quarter=quarter, version=NEW, value=D(value) if value is not None else None,
        by=by, **extra,
    )  # fmt: skip


def sign(agreement: PerformanceAgreement, by: User) -> None:
    agreement.refresh_from_db()
    services.sign_agreement(agreement=agreement, version=agreement.version, signed_on=date(2030, 1, 31), by=by)


def division(agency: Agency, name: str) -> Unit:
    return Unit.objects.get(agency=agency, name=name)
