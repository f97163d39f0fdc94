"""Prints the time to compute achievement for 100,000 realisations, and the dashboard's queries.

Part 1 runs the pure functions: 25,000 indicators × 4 quarters (100,000 realisations), each
measured up to quarter 4 with its polarity and aggregation.
Part 2 loads the same shape from a throwaway SQLite database through the dashboard selector
(`selectors.figures`): 2,500 indicators × 10 years × 4 quarters = 100,000 realisations, and
counts the SQL queries it used.

Run: .venv/bin/python bench/achievement.py
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
_tmp = tempfile.mkdtemp(prefix="kinerja-bench-")
os.environ["KINERJA_VAR_DIR"] = _tmp
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from kinerja.accounts.models import User  # noqa: E402
from kinerja.measurement import selectors  # noqa: E402
from kinerja.measurement.achievement import TargetValue, measure  # noqa: E402
from kinerja.measurement.models import Realization  # noqa: E402
from kinerja.org.models import Agency, LocalGovernment  # noqa: E402
from kinerja.planning.models import AgreementTarget, Goal, Indicator, Objective, PerformanceAgreement, StrategicPlan  # noqa: E402

SHAPES = [
    ("higher", "cumulative"),
    ("lower", "cumulative"),
    ("higher", "last"),
    ("lower", "average"),
    ("range", "last"),
]


def _target(polarity: str, value: int) -> TargetValue:
    return TargetValue(Decimal(value), Decimal(value + 20)) if polarity == "range" else TargetValue(Decimal(value))


def pure(indicators: int = 25_000) -> float:
    start = time.perf_counter()
    for n in range(indicators):
        polarity, aggregation = SHAPES[n % len(SHAPES)]
        quarterly = {q: _target(polarity, 25 + n % 7) for q in (1, 2, 3, 4)}
        values = {q: Decimal(20 + (n * q) % 13) / Decimal(2) for q in (1, 2, 3, 4)}
        measure(
            polarity=polarity, aggregation=aggregation, annual=_target(polarity, 100), quarterly=quarterly,
            realizations=values, upto=4,
        )  # fmt: skip
    return time.perf_counter() - start


def through_database(indicators: int = 2_500, years: int = 10) -> tuple[float, int]:
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(username="bench")
    agency = Agency.objects.create(
        local_government=LocalGovernment.objects.create(name="Bench", kind="regency"), name="Dinas Bench"
    )
    from kinerja.org.models import Position

    head = Position.objects.create(agency=agency, title="Kepala", role="head")
    plan = StrategicPlan.objects.create(agency=agency, name="Bench", start_year=2020, end_year=2020 + years - 1)
    objective = Objective.objects.create(
        goal=Goal.objects.create(plan=plan, code="T", statement="T"), code="S", statement="S"
    )
    rows = []
    for n in range(indicators):
        polarity, aggregation = SHAPES[n % len(SHAPES)]
        rows.append(Indicator(agency=agency, plan=plan, objective=objective, code=f"I{n}", name=f"I{n}",
                              unit_of_measure="unit", polarity=polarity, aggregation=aggregation))  # fmt: skip
    Indicator.objects.bulk_create(rows, batch_size=2000)
    ids = list(Indicator.objects.filter(plan=plan).values_list("pk", "polarity"))
    targets, reals = [], []
    for year in plan.years:
        agreement = PerformanceAgreement.objects.create(
            agency=agency, plan=plan, year=year, level="agency", party_one=head, party_two_title="Bupati"
        ) if year == plan.start_year else None  # fmt: skip
        head_agreement = agreement or PerformanceAgreement.objects.filter(plan=plan).first()
        for pk, polarity in ids:
            for quarter in range(5):
                upper = Decimal(120) if polarity == "range" else None
                targets.append(AgreementTarget(agreement=head_agreement, indicator_id=pk, year=year, quarter=quarter,
                                               value=Decimal(100 if quarter == 0 else 25), upper=upper))  # fmt: skip
                if quarter:
                    reals.append(Realization(indicator_id=pk, year=year, quarter=quarter, value=Decimal(20 + pk % 9), updated_by=user))  # fmt: skip
    AgreementTarget.objects.bulk_create(targets, batch_size=5000)
    Realization.objects.bulk_create(reals, batch_size=5000)
    assert Realization.objects.count() == indicators * years * 4
    everything = list(Indicator.objects.filter(plan=plan).select_related("objective__goal", "responsible_unit"))
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        figures = selectors.figures(agency, year=plan.end_year, upto=4, indicators=everything, history_years=plan.years)
    elapsed = time.perf_counter() - start
    assert len(figures) == indicators
    return elapsed, len(queries)


def main() -> None:
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor}"
    )
    seconds = pure()
    print(f"pure functions: 100,000 realisations (25,000 indicators × 4 quarters) in {seconds:.2f} s "
          f"({seconds / 25_000 * 1e6:.0f} µs per indicator)")  # fmt: skip
    seconds, queries = through_database()
    print(f"dashboard selector: 100,000 stored realisations (2,500 indicators × 10 years × 4 quarters) "
          f"loaded and computed in {seconds:.2f} s with {queries} SQL queries")  # fmt: skip


if __name__ == "__main__":
    main()
