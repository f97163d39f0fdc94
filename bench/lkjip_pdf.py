"""Prints the time to generate the LKjIP (content, PDF, DOCX, XLSX) for the demo agency and for an agency with
100 indicators, and the SQL queries the content took.

The demo is loaded into a throwaway SQLite database; the 100-indicator agency is made beside it: 10 objectives of
10 indicators, five years of agreed targets and quarterly realisations with the divisions' analysis, 20 budget lines.
Each figure is the median of three runs.

Run: .venv/bin/python bench/lkjip_pdf.py
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from io import BytesIO
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
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402 - installed with the test dependencies

from kinerja.accounts.models import User  # noqa: E402
from kinerja.documents import builders, render  # noqa: E402
from kinerja.documents.models import Document, Kind  # noqa: E402
from kinerja.documents.services import frame_for  # noqa: E402
from kinerja.measurement.models import Realization  # noqa: E402
from kinerja.org.models import Agency, Assignment, Employee, LocalGovernment, Position, Unit  # noqa: E402
from kinerja.planning.models import (  # noqa: E402
    AgreementTarget,
    BudgetLine,
    Goal,
    Indicator,
    Objective,
    PerformanceAgreement,
    PlanTarget,
    StrategicPlan,
)

YEAR = 2025
RUNS = 3


def big_agency(user: User) -> Agency:
    agency = Agency.objects.create(
        local_government=LocalGovernment.objects.create(name="Kabupaten Bench", kind="regency"),
        name="Dinas Bench", short_name="Bench",
    )  # fmt: skip
    units = [Unit.objects.create(agency=agency, name="Sekretariat Bench", kind="secretariat")]
    units += [Unit.objects.create(agency=agency, name=f"Bidang {n}", kind="division", parent=None) for n in range(1, 6)]
    head = Position.objects.create(agency=agency, title="Kepala Dinas Bench", role="head")
    secretary = Position.objects.create(agency=agency, title="Sekretaris Bench", role="secretary", superior=head,
                                        unit=units[0])  # fmt: skip
    for position, nip in ((head, "197001011995031001"), (secretary, "197202021996032002")):
        employee = Employee.objects.create(agency=agency, name=f"Pejabat {position.title}", nip=nip, rank="IV/b")
        Assignment.objects.create(employee=employee, position=position, start_date=timezone.localdate().replace(
            year=2020))  # fmt: skip
    plan = StrategicPlan.objects.create(agency=agency, name="Renstra Bench", start_year=2021, end_year=2026)
    goal = Goal.objects.create(plan=plan, code="T1", statement="Meningkatnya kinerja pelayanan")
    indicators = []
    for o in range(10):
        objective = Objective.objects.create(goal=goal, code=f"S{o + 1}", statement=f"Sasaran strategis nomor {o + 1}",
                                             sort_order=o)  # fmt: skip
        for i in range(10):
            indicators.append(Indicator(
                agency=agency, plan=plan, objective=objective, code=f"IK.{o + 1}.{i + 1}",
                name=f"Persentase capaian layanan {o + 1}.{i + 1} yang memenuhi standar", unit_of_measure="%",
                scale="percent" if i % 2 else "count", polarity="lower" if i % 5 == 4 else "higher",
                aggregation="last" if i % 2 else "cumulative", baseline=Decimal(50), baseline_year=2020,
                end_target=Decimal(90), responsible_unit=units[1 + i % 5], sort_order=i,
            ))  # fmt: skip
    Indicator.objects.bulk_create(indicators)
    indicators = list(Indicator.objects.filter(plan=plan))
    agreement_targets, realisations, plan_targets = [], [], []
    for year in range(2021, 2027):
        agreement = PerformanceAgreement.objects.create(agency=agency, plan=plan, year=year, level="agency",
                                                        party_one=head, party_two_title="Bupati Bench")  # fmt: skip
        for n, indicator in enumerate(indicators):
            plan_targets.append(PlanTarget(indicator=indicator, year=year, value=Decimal(60 + year - 2021)))
            annual = Decimal(100 + n)
            agreement_targets.append(AgreementTarget(agreement=agreement, indicator=indicator, year=year, quarter=0,
                                                     value=annual))  # fmt: skip
            for quarter in range(1, 5):
                agreement_targets.append(AgreementTarget(agreement=agreement, indicator=indicator, year=year,
                                                         quarter=quarter, value=annual * quarter / 4))  # fmt: skip
                if year <= YEAR:
                    realisations.append(Realization(
                        indicator=indicator, year=year, quarter=quarter, value=annual / 4 - n % 7,
                        factors_helped="Dukungan anggaran dan koordinasi lintas bidang berjalan baik.",
                        factors_hindered="Keterbatasan personel lapangan pada triwulan ini.",
                        follow_up="Menambah jadwal pengawasan dan memperkuat koordinasi.", updated_by=user,
                    ))  # fmt: skip
    PlanTarget.objects.bulk_create(plan_targets)
    AgreementTarget.objects.bulk_create(agreement_targets, batch_size=5000)
    Realization.objects.bulk_create(realisations, batch_size=5000)
    for n in range(20):
        line = BudgetLine.objects.create(
            agency=agency, year=YEAR, code=f"2.15.{n + 1:02}", name=f"Program pelayanan nomor {n + 1}",
            ceiling=Decimal(1_000_000_000 + n * 10_000_000), spent_q1=Decimal(200_000_000),
            spent_q2=Decimal(250_000_000), spent_q3=Decimal(250_000_000), spent_q4=Decimal(200_000_000),
        )  # fmt: skip
        line.indicators.set(indicators[n * 5 : n * 5 + 5])
    return agency


def measure(agency: Agency, user: User) -> dict[str, float]:
    document = Document.objects.create(agency=agency, kind=Kind.LKJIP, title="LKjIP", year=YEAR, created_by=user)
    times: dict[str, list[float]] = {"content": [], "pdf": [], "docx": [], "xlsx": []}
    queries, pages = 0, 0
    for _run in range(RUNS):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            content = builders.build(document).as_dict()
        times["content"].append(time.perf_counter() - start)
        queries = len(captured)
        frame = frame_for(document, draft=True)
        start = time.perf_counter()
        pdf = render.render_pdf(content, frame)
        times["pdf"].append(time.perf_counter() - start)
        start = time.perf_counter()
        render.render_docx(content, frame)
        times["docx"].append(time.perf_counter() - start)
        start = time.perf_counter()
        render.render_xlsx(content, frame, generated_at=timezone.localtime())
        times["xlsx"].append(time.perf_counter() - start)
        pages = len(PdfReader(BytesIO(pdf)).pages)
    rows = sum(len(b["rows"]) for b in content["blocks"] if b["type"] == "table")
    indicators = Indicator.objects.filter(agency=agency).count()
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"  {agency.name}: {indicators} indicators, {rows} table rows, {len(pdf) / 1024:.0f} KiB PDF, "
          f"{pages} pages, {queries} queries for the content")  # fmt: skip
    print("    median of {runs}: content {content:.2f} s, PDF {pdf:.2f} s, DOCX {docx:.2f} s, XLSX {xlsx:.2f} s; "
          "all four {total:.2f} s".format(runs=RUNS, total=sum(medians.values()), **medians))  # fmt: skip
    return medians


def main() -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")  # fmt: skip
    call_command("migrate", verbosity=0)
    from kinerja.measurement.demo import load_performance_demo
    from kinerja.org.demo import load_demo

    load_demo()
    load_performance_demo()
    user = User.objects.get(username="perencanaan")
    print(f"LKjIP {YEAR} (SQLite):")
    measure(Agency.objects.get(short_name="Dishub"), user)
    measure(big_agency(user), user)


if __name__ == "__main__":
    main()
