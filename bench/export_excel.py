"""Prints the time and peak memory of an Excel export of 100,000 rows, and the same for 10,000 rows to show that
memory does not grow with the rows.

The export is the application's own path for large tables (`kinerja.lib.xlsx.xlsx_stream`, used by the regional
dashboard): rows read from the database with a server-side iterator, written by openpyxl's write-only mode into
a temporary file, and streamed to the client in chunks, which this script reads and discards as a browser would
save them. The rows are realisations (agency, indicator, year, quarter, value, …) of a throwaway SQLite database
filled with bulk inserts before the clock starts.

Peak memory is the process's resident set size (ru_maxrss) measured in a fresh child process per run, so one run
cannot inherit the other's peak, and Python's own allocation peak (tracemalloc) beside it.

Run: .venv/bin/python bench/export_excel.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(path: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()


def fill(path: Path, rows: int) -> None:
    """A plan of rows/20 indicators with 5 years × 4 quarters of realisations each."""
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from kinerja.accounts.models import User
    from kinerja.measurement.models import Realization
    from kinerja.org.models import Agency, LocalGovernment
    from kinerja.planning.models import Goal, Indicator, Objective, StrategicPlan

    indicators = rows // 20
    with transaction.atomic():
        user = User.objects.create(username="bench")
        government = LocalGovernment.objects.create(name="Kabupaten Bench", kind="regency")
        agency = Agency.objects.create(local_government=government, name="Dinas Bench", short_name="DB")
        plan = StrategicPlan.objects.create(agency=agency, name="Renstra", start_year=2022, end_year=2026)
        goal = Goal.objects.create(plan=plan, code="T.1", statement="Tujuan")
        objective = Objective.objects.create(goal=goal, code="S.1", statement="Sasaran")
        made = Indicator.objects.bulk_create(
            Indicator(agency=agency, plan=plan, objective=objective, code=f"IKU.{i + 1}", name=f"Indikator {i + 1}",
                      unit_of_measure="dokumen", sort_order=i)
            for i in range(indicators)
        )  # fmt: skip
        Realization.objects.bulk_create(
            (
                Realization(indicator=ind, year=year, quarter=q, value=Decimal(i % 97) + Decimal(q) / 4,
                            factors_helped="Dukungan anggaran" if q == 2 else "", updated_by=user)
                for i, ind in enumerate(made) for year in range(2022, 2027) for q in (1, 2, 3, 4)
            ),
            batch_size=2000,
        )  # fmt: skip
    _ = date


def export(rows: int) -> None:
    import tracemalloc

    from kinerja.lib.xlsx import xlsx_stream
    from kinerja.measurement.models import Realization

    header = ["Perangkat Daerah", "Kode", "Indikator", "Tahun", "Triwulan", "Realisasi", "Faktor pendukung"]

    def body():  # type: ignore[no-untyped-def]
        query = Realization.objects.order_by("indicator_id", "year", "quarter").values_list(
            "indicator__agency__name", "indicator__code", "indicator__name", "year", "quarter", "value",
            "factors_helped",
        )[:rows]  # fmt: skip
        yield from query.iterator(chunk_size=2000)

    tracemalloc.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = xlsx_stream("bench", [("Realisasi", header, body())])
    written = 0
    for chunk in response.streaming_content:
        written += len(chunk)
    response.close()
    elapsed = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{rows:>8,} rows: {elapsed:6.2f} s, {written / 1e6:5.1f} MB of xlsx, peak RSS {peak / 1024:6.1f} MB "
        f"(before the export {before / 1024:.1f} MB), Python allocations peak {traced_peak / 1e6:5.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", type=int, default=0)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    if args.child:
        setup_django(Path(args.db))
        export(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="kinerja-bench-export-") as folder:
        db = Path(folder) / "bench.sqlite3"
        print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import sys; sys.argv=['x']; sys.path.insert(0, {str(ROOT)!r}); "
                        f"import bench.export_excel as b; b.setup_django(__import__('pathlib').Path({str(db)!r})); "
                        f"b.fill(__import__('pathlib').Path({str(db)!r}), {args.rows})"], check=True, cwd=ROOT)  # fmt: skip
        print(f"Filled {args.rows:,} realisations in {time.perf_counter() - start:.1f} s")
        for rows in (args.rows // 10, args.rows):
            subprocess.run([sys.executable, __file__, "--child", str(rows), "--db", str(db)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
