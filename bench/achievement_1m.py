"""Achievement over 1,000,000 stored realisations, against a plain SQL aggregate over the same rows.

Builds a throwaway database (SQLite in a temporary folder, or with --database-url a fresh PostgreSQL
database, kinerja_bench_ach_<pid>, dropped at the end) holding 500 agencies × 100 indicators × 5 years ×
4 quarters = 1,000,000 realisations (12,500 indicators would make only 250,000: --agencies 125), with the
agreement targets (annual and quarterly) of every indicator-year and a mix of polarities, aggregations,
blank quarters, "no data" quarters, qualitative indicators and indicators without quarterly targets.
bulk_create only. Then times, as the median of --repeat runs after one warm-up, (a) and (b) taking turns:

(a) one plain SQL aggregate over the realisations,
    SELECT indicator_id, year, SUM(value), COUNT(*) FROM measurement_realization GROUP BY indicator_id, year,
    fetched completely;
(b) the achievement of every indicator in every year up to the fourth quarter, read from the database
    and computed by the pure functions of kinerja.measurement.achievement: by default through the bulk
    selector `selectors.achievements`, all indicators at once; with --path figures through the dashboard
    selector `selectors.figures`, one agency at a time, the last year with the others as history years.

It prints both times, the ratio (b)/(a), the queries of (b), the peak memory of (b), the rows, the machine
and its load, checks the bulk selector against figures() on a few agencies, and exits 0 whatever it
finds: it is a measurement, not a test.

Run: .venv/bin/python bench/achievement_1m.py
     .venv/bin/python bench/achievement_1m.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PLAIN_SQL = "SELECT indicator_id, year, SUM(value), COUNT(*) FROM measurement_realization GROUP BY indicator_id, year"
# Every polarity with every aggregation; the first five are those of bench/achievement.py and come twice as often.
SHAPES = [
    ("higher", "cumulative"), ("lower", "cumulative"), ("higher", "last"), ("lower", "average"), ("range", "last"),
] * 2 + [
    ("higher", "average"), ("lower", "last"), ("range", "cumulative"), ("range", "average"),
]  # fmt: skip
FIRST_YEAR = 2021


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--indicators", type=int, default=100, help="indicators per agency")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--path", choices=["bulk", "figures"], default="bulk", help="what (b) times")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of one run of (b) to FILE")
    parser.add_argument(
        "--verify", type=int, default=3, metavar="N", help="compare the bulk selector with figures() on N agencies"
    )
    return parser.parse_args()


def _create_postgres(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the server of `url`, and a function that drops it."""
    import psycopg

    parts = urlsplit(url)
    name = f"kinerja_bench_ach_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _timings(first: Callable[[], Any], second: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Times of `repeat` runs of each, after one warm-up run of each (caches, the database's pages in memory).

    The runs alternate, so that both see the same share of a machine that other processes may be using."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, kept in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            run()
            kept.append(time.perf_counter() - start)
    return times


def main() -> None:
    args = _arguments()
    tmp = tempfile.mkdtemp(prefix="kinerja-bench-1m-")
    os.environ["KINERJA_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    drop: Callable[[], None] | None = None
    if args.database_url:
        url, drop = _create_postgres(args.database_url)
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if drop is not None:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)


def build(args: argparse.Namespace) -> None:
    """The agencies, plans, indicators, targets and realisations, with bulk_create only."""
    from django.db import transaction

    from kinerja.accounts.models import User
    from kinerja.measurement.models import Realization
    from kinerja.org.models import Agency, LocalGovernment, Position
    from kinerja.planning.models import (
        AgreementTarget,
        Goal,
        Indicator,
        Objective,
        PerformanceAgreement,
        StrategicPlan,
    )

    rng = random.Random(20240601)
    years = list(range(FIRST_YEAR, FIRST_YEAR + args.years))
    with transaction.atomic():
        (user,) = User.objects.bulk_create([User(username="bench")])
        (government,) = LocalGovernment.objects.bulk_create([LocalGovernment(name="Kabupaten Bench", kind="regency")])
        agencies = Agency.objects.bulk_create(
            [Agency(local_government=government, name=f"Dinas {n:03d}") for n in range(args.agencies)]
        )
        heads = Position.objects.bulk_create([Position(agency=a, title="Kepala", role="head") for a in agencies])
        plans = StrategicPlan.objects.bulk_create(
            [StrategicPlan(agency=a, name="Renstra", start_year=years[0], end_year=years[-1]) for a in agencies]
        )
        goals = Goal.objects.bulk_create([Goal(plan=p, code="T1", statement="Tujuan") for p in plans])
        objectives = Objective.objects.bulk_create([Objective(goal=g, code="S1", statement="Sasaran") for g in goals])
        agreements = PerformanceAgreement.objects.bulk_create(
            [
                PerformanceAgreement(
                    agency=a, plan=p, year=y, level="agency", party_one=h, party_two_title="Bupati Bench"
                )
                for a, p, h in zip(agencies, plans, heads, strict=True)
                for y in years
            ]
        )
        agreement_of = {(a.plan_id, a.year): a for a in agreements}
        for n_agency, (agency, plan, objective) in enumerate(zip(agencies, plans, objectives, strict=True)):
            indicators = []
            for n in range(args.indicators):
                polarity, aggregation = SHAPES[(n_agency + n) % len(SHAPES)]
                scale = "qualitative" if n % 50 == 49 else "count"
                indicators.append(
                    Indicator(
                        agency=agency, plan=plan, objective=objective, code=f"IK{n:04d}", name=f"Indikator {n}",
                        unit_of_measure="unit", scale=scale, polarity=polarity, aggregation=aggregation,
                        sort_order=n,
                    )
                )  # fmt: skip
            Indicator.objects.bulk_create(indicators, batch_size=1000)
            targets, reals = [], []
            for indicator in indicators:
                qualitative = indicator.scale == "qualitative"
                annual_only = rng.random() < 0.1
                for year in years:
                    agreement = agreement_of[(plan.pk, year)]
                    annual = Decimal(rng.randrange(40, 400)) if rng.random() > 0.002 else Decimal(0)
                    for quarter in range(5):
                        if quarter and annual_only:
                            continue
                        if indicator.aggregation == "cumulative" and quarter:
                            value = annual / 4
                        else:
                            value = annual + Decimal(rng.randrange(-500, 500)) / 100 if quarter else annual
                        upper = value + Decimal(rng.randrange(5, 50)) if indicator.polarity == "range" else None
                        targets.append(
                            AgreementTarget(
                                agreement=agreement, indicator=indicator, year=year, quarter=quarter,
                                value=None if qualitative else value, upper=None if qualitative else upper,
                                text="Baik" if qualitative else "",
                            )
                        )  # fmt: skip
                    for quarter in range(1, 5):
                        draw = rng.random()
                        fields: dict[str, Any] = {}
                        if qualitative:
                            fields["text"] = "Tercapai"
                        elif draw < 0.02:
                            fields.update(no_data=True, no_data_reason="Data dari BPS belum terbit")
                        elif draw < 0.05:
                            pass  # a row with nothing in it: not reported yet
                        else:
                            base = annual / 4 if indicator.aggregation == "cumulative" else annual
                            fields["value"] = (base * Decimal(rng.randrange(50, 150)) / 100).quantize(Decimal("0.01"))
                        reals.append(
                            Realization(indicator=indicator, year=year, quarter=quarter, updated_by=user, **fields)
                        )
            AgreementTarget.objects.bulk_create(targets, batch_size=2000)
            Realization.objects.bulk_create(reals, batch_size=2000)


def _verify(indicators: list[Any], years: list[int], agencies: int) -> str:
    """Whether the bulk selector gives what figures() gives, on the indicators of the first `agencies`."""
    from kinerja.measurement import selectors
    from kinerja.measurement.predicates import DEFAULT_BANDS

    by_agency: dict[int, list[Any]] = {}
    for indicator in indicators:
        by_agency.setdefault(indicator.agency_id, []).append(indicator)
    checked = differ = 0
    for agency_id in sorted(by_agency)[:agencies]:
        own = by_agency[agency_id]
        bulk = selectors.achievements(own, years=years, upto=4)
        rows = selectors.figures(
            own[0].agency, year=years[-1], upto=4, indicators=own, history_years=years, bands=list(DEFAULT_BANDS)
        )
        for row in rows:
            for year in years:
                expected = row.measure if year == years[-1] else row.history[year]
                checked += 1
                differ += repr(bulk[(row.indicator.pk, year)]) != repr(expected)
    return f"{checked:,} indicator-years of {agencies} agencies compared with figures(), {differ} differ"


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kinerja.measurement import selectors
    from kinerja.measurement.models import Realization
    from kinerja.measurement.predicates import DEFAULT_BANDS
    from kinerja.planning.models import AgreementTarget, Indicator

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    build(args)
    built = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    realisations = Realization.objects.count()
    targets = AgreementTarget.objects.count()
    indicators = list(Indicator.objects.select_related("agency", "objective__goal", "responsible_unit").order_by("pk"))
    years = list(range(FIRST_YEAR, FIRST_YEAR + args.years))
    by_agency: dict[int, list[Any]] = {}
    for indicator in indicators:
        by_agency.setdefault(indicator.agency_id, []).append(indicator)
    bands = list(DEFAULT_BANDS)

    def plain() -> int:
        with connection.cursor() as cursor:
            cursor.execute(PLAIN_SQL)
            return len(cursor.fetchall())

    def bulk() -> int:
        return len(selectors.achievements(indicators, years=years, upto=4))

    def figures() -> int:
        # As the dashboards call it: one agency at a time, the last year with the others as history.
        measured = 0
        for own in by_agency.values():
            rows = selectors.figures(
                own[0].agency, year=years[-1], upto=4, indicators=own, history_years=years, bands=bands
            )
            measured += sum(1 + len(row.history) for row in rows)
        return measured

    application = bulk if args.path == "bulk" else figures
    load_before = os.getloadavg()
    sql_times, app_times = _timings(plain, application, args.repeat)
    sql_seconds, app_seconds = statistics.median(sql_times), statistics.median(app_times)
    groups, measured = plain(), application()
    load_after = os.getloadavg()

    with CaptureQueriesContext(connection) as queries:
        application()
    tracemalloc.start()
    application()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if args.profile:
        import cProfile

        cProfile.runctx("application()", globals(), {"application": application}, filename=args.profile)
    verified = _verify(indicators, years, args.verify) if args.verify and hasattr(selectors, "achievements") else ""

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
        database = f"PostgreSQL {version}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    what = (
        "selectors.achievements(all indicators, 5 years)"
        if args.path == "bulk"
        else f"selectors.figures per agency ({len(by_agency)} calls)"
    )
    print(
        f"machine: {platform.platform()}, {_cpu()} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()}, {database}"
    )
    print(
        f"load average (1 min) before/after the timings: {load_before[0]:.1f} / {load_after[0]:.1f} "
        "(other processes share the machine when it is above the core count)"
    )
    print(
        f"rows: {realisations:,} realisations and {targets:,} targets of {len(indicators):,} indicators "
        f"({args.agencies} agencies × {args.indicators}) × {len(years)} years; built in {built:.0f} s"
    )
    print(
        f"(a) plain SQL aggregate: {sql_seconds:.3f} s median of {args.repeat} "
        f"({', '.join(f'{t:.3f}' for t in sql_times)}), {groups:,} groups"
    )
    print(
        f"(b) {what}, upto=4: {app_seconds:.3f} s median of {args.repeat} "
        f"({', '.join(f'{t:.3f}' for t in app_times)}), {measured:,} indicator-years, "
        f"{len(queries)} SQL queries, peak {peak / 2**20:.0f} MiB traced by tracemalloc"
    )
    pairs = ", ".join(f"{b / a:.2f}" for a, b in zip(sql_times, app_times, strict=True))
    print(f"ratio (b)/(a): {app_seconds / sql_seconds:.2f} (run by run: {pairs})")
    if verified:
        print(f"check: {verified}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory (building included): {maxrss:.0f} MiB")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a measurement: report what went wrong, still exit 0
        import traceback

        traceback.print_exc()
        print(f"benchmark failed: {error}")
    sys.exit(0)
