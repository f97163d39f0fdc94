"""Prints how long the Excel import takes to validate and to apply a large workbook, and its peak memory.

It runs against a throwaway SQLite database in a temporary folder: the demo organisation, a plan of
250 indicators imported from a Renstra sheet, then 5,000 realisations (250 indicators × 5 years ×
4 quarters) from a Realisasi sheet, first as the preview (validated, rolled back), then for real.

Run: .venv/bin/python bench/excel_import.py
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

WORKDIR = tempfile.TemporaryDirectory(prefix="kinerja-bench-")
settings.DATABASES["default"] = {
    **settings.DATABASES["default"],
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": str(Path(WORKDIR.name) / "bench.sqlite3"),
}
# The demo's logins are not what is measured; a fast hasher keeps the setup short.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from kinerja.accounts.models import User  # noqa: E402
from kinerja.measurement.excel.importer import ImportResult, run_import  # noqa: E402
from kinerja.org.demo import load_demo  # noqa: E402
from kinerja.org.models import Agency  # noqa: E402

GOALS, OBJECTIVES_PER_GOAL, INDICATORS_PER_OBJECTIVE = 5, 5, 10  # 250 indicators
YEARS = list(range(2025, 2030))
RENSTRA = ["Kode Tujuan", "Tujuan", "Kode Sasaran", "Sasaran", "Kode Indikator", "Indikator", "Satuan", "Skala",
           "Polaritas", "Agregasi", *[f"Target {year}" for year in YEARS]]  # fmt: skip
REALISASI = ["Tahun", "Triwulan", "Kode Indikator", "Realisasi", "Faktor Pendukung"]


def _xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _codes() -> list[tuple[str, str, str]]:
    return [
        (f"T{g}", f"S{g}.{o}", f"IK.{g}.{o}.{i}")
        for g in range(1, GOALS + 1)
        for o in range(1, OBJECTIVES_PER_GOAL + 1)
        for i in range(1, INDICATORS_PER_OBJECTIVE + 1)
    ]


def plan_workbook() -> bytes:
    rows: list[list[Any]] = [RENSTRA]
    for goal, objective, code in _codes():
        rows.append([goal, f"Tujuan {goal}", objective, f"Sasaran {objective}", code, f"Indikator {code}", "dokumen",
                     "count", "higher", "cumulative", *[10 + n for n in range(len(YEARS))]])  # fmt: skip
    plan = [["Nama", "Tahun Awal", "Tahun Akhir"], ["Renstra Bench 2025–2029", YEARS[0], YEARS[-1]]]
    return _xlsx({"Rencana Strategis": plan, "Renstra": rows})


def realization_workbook() -> bytes:
    rows: list[list[Any]] = [REALISASI]
    for _goal, _objective, code in _codes():
        for year in YEARS:
            for quarter in range(1, 5):
                rows.append([year, quarter, code, f"{quarter * 2},5", "Anggaran tersedia tepat waktu"])
    return _xlsx({"Realisasi": rows})


def timed(label: str, call: Callable[[], ImportResult]) -> ImportResult:
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s, {result.changes} records, {len(result.errors)} errors, applied={result.applied}")
    for issue in result.errors[:5]:
        print("   ", issue)
    return result


def peak_memory(label: str, call: Callable[[], ImportResult]) -> None:
    # A run of its own: tracemalloc slows Python down about twofold, so it would spoil the times.
    tracemalloc.start()
    call()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: peak Python memory {peak / 2**20:.1f} MiB (tracemalloc)")


def main() -> None:
    call_command("migrate", verbosity=0)
    load_demo()
    agency = Agency.objects.get(short_name="Dishub")
    planner = User.objects.get(username="perencanaan")
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, SQLite")

    plan = plan_workbook()
    print(f"plan workbook: {len(_codes())} indicators, {len(plan) / 1024:.0f} KiB")
    timed("plan: apply", lambda: run_import(data=plan, agency=agency, by=planner, commit=True))

    data = realization_workbook()
    print(f"realisation workbook: {len(_codes()) * len(YEARS) * 4} rows, {len(data) / 1024:.0f} KiB")
    preview = lambda: run_import(data=data, agency=agency, by=planner, commit=False)  # noqa: E731
    timed("realisations: validate (the preview, rolled back)", preview)
    peak_memory("realisations: validate", preview)
    timed("realisations: apply", lambda: run_import(data=data, agency=agency, by=planner, commit=True))
    timed(
        "realisations: re-import, nothing changed",
        lambda: run_import(data=data, agency=agency, by=planner, commit=True),
    )  # noqa: E501
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    WORKDIR.cleanup()


if __name__ == "__main__":
    main()
