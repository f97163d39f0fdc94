"""Generates deterministic benchmark data: local governments full of agencies with five years of performance data.

Sizes (`--size`):

- ``agency``: 1 local government, 1 agency, 15 indicators.
- ``region``: 1 regency (Kabupaten) with 40 agencies of 25 indicators each.
- ``nation``: 2,500 agencies of 25 indicators, in local governments of 40 agencies (63; the last one smaller).

Every agency has the same shape: a Sekretariat and four divisions (Bidang) of two sections (Seksi) each; 20
positions (head, secretary, planning head, admin, 4 division heads, 8 section heads, 4 staff), each held
definitively since 3 January 2022 by an employee with a valid NIP; a 2022–2026 Renstra with 2 goals, 5
objectives and its indicators (IKU.1–IKU.5, then IKK.01…), Renstra targets, one signed agency-level
Perjanjian Kinerja per year with annual and quarterly targets, and realisations for every quarter from 2022 Q1
to 2026 Q3. The Sekretariat answers for a fifth of the indicators like each division: in the collection it is a
top-level unit like the Bidang, so every agency has five data requests per quarter.

The collection has a reporting period per quarter, due on the 10th of the month after the quarter moved to the
next working day (no holiday rows are generated, so only weekends move it: 2026 Q3 is due on Monday 12 October
2026). Every period before 2026 Q3 is closed and its submissions are verified (some were sent late, some were
returned once before). 2026 Q3 is open, its five submissions in five states (draft, submitted, returned,
approved, verified), rotated from agency to agency; a draft has every other line still blank, and those
indicators have no realisation: they are the only missing realisations. About half of the reported lines of
2026 Q3 have evidence (metadata only: no file is written). The agency's realisations are what its submissions
hold, entered by the planning head like the real demo does. Evidence is not required by the agencies'
collection settings, so the verified past periods without evidence are consistent.

SOP compliance: each agency has one SOP in force (Pengumpulan Data Kinerja Triwulanan: preparer, division
head, planning head), and for the closed quarters of 2026 (Q1 and Q2) one finished case per data request whose
done tasks carry their time standard and actual working minutes, so the SLA report (kinerja.sop.sla) computes
a compliance index from them.

Logins (password ``kinerja-bench`` for all), for agency number n, counted from 1 across the whole run:

- ``a{n}.kadis`` head, ``a{n}.sekretaris`` secretary, ``a{n}.perencanaan`` planning head, ``a{n}.admin`` admin;
- ``a{n}.kabid1`` … ``a{n}.kabid4`` division heads; ``a{n}.staf1`` … ``a{n}.staf4`` staff, one in the first
  section of each division (section heads are employees without a login);
- ``lg{g}.regional`` for local government g: a regional reader (Role.REGIONAL) placed at agency level in the
  first agency of its local government, who reads every agency of it.

How it is written: bulk inserts in one transaction, through the models but never through the services, so no
audit event, notification or review history is written, and the password is hashed once. The same seed gives
the same data. The current time is used only where a model forces it: ``auto_now``/``auto_now_add`` fields
(Realization.updated_at, ReportingPeriod.opened_at, Submission(Line).updated_at, Evidence.uploaded_at,
Procedure(Version).created_at); every other date and time is fixed or drawn from the seeded generator.

Library: ``generate(size, seed=7, stdout=None)`` on the configured default database (migrated, without bench
data). Command line (migrates first, then generates; prints the counts, the time and the machine)::

    .venv/bin/python bench/generate.py --size region [--seed 7] [--sqlite var/bench-region.sqlite3]
    .venv/bin/python bench/generate.py --size nation --database-url postgres://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("agency", "region", "nation")


def _bootstrap(argv: Sequence[str]) -> argparse.Namespace:
    """Reads the command line and sets Django up on the database it names (a fresh SQLite file by default)."""
    parser = argparse.ArgumentParser(description="Generates deterministic benchmark data.")
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="an existing database, e.g. postgres://postgres@127.0.0.1:5432/x")
    parser.add_argument("--sqlite", help="the SQLite file to create (default var/bench-<size>.sqlite3)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        path = Path(args.sqlite or ROOT / "var" / f"bench-{args.size}.sqlite3").resolve()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    return args


if __name__ == "__main__":
    ARGS = _bootstrap(sys.argv[1:])

from django.apps import apps  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from kinerja.accounts.models import User  # noqa: E402
from kinerja.collection.models import (  # noqa: E402
    CollectionSettings,
    DataRequest,
    Evidence,
    ReportingPeriod,
    Submission,
    SubmissionLine,
)
from kinerja.lib.workdays import quarter_due_date  # noqa: E402
from kinerja.measurement.models import Realization  # noqa: E402
from kinerja.org.models import Agency, Assignment, Employee, LocalGovernment, Position, Role, Unit  # noqa: E402
from kinerja.planning.models import (  # noqa: E402
    Aggregation,
    AgreementTarget,
    Goal,
    Indicator,
    Objective,
    PerformanceAgreement,
    PlanTarget,
    Polarity,
    Scale,
    StrategicPlan,
)
from kinerja.sop.engine import quarter_label  # noqa: E402
from kinerja.sop.models import Action, Case, Lane, Procedure, ProcedureVersion, Step, Task  # noqa: E402

PASSWORD = "kinerja-bench"
GOVERNMENT_PREFIX = "Kabupaten Bench "
AGENCIES_PER_GOVERNMENT = 40
FIRST_YEAR, LAST_YEAR = 2022, 2026
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
CURRENT = (2026, 3)  # the open period; 2026 Q4 has not ended
PERIODS = [(year, quarter) for year in YEARS for quarter in (1, 2, 3, 4) if (year, quarter) <= CURRENT]
START = date(2022, 1, 3)  # every assignment's start
BATCH = 2000
# Cumulative targets build up slowly in the first quarter, as in the demo: the budget is released in February.
CUMULATIVE_SHARES = (Decimal("0.24"), Decimal("0.49"), Decimal("0.745"), Decimal(1))
GRADES = ("C", "CC", "B", "BB", "A", "AA")
STATES = (
    Submission.Status.DRAFT,
    Submission.Status.SUBMITTED,
    Submission.Status.RETURNED,
    Submission.Status.APPROVED,
    Submission.Status.VERIFIED,
)
NO_DATA_REASON = "Data belum diterima dari instansi vertikal"
MINUTES_PER_DAY = 450


@dataclass(frozen=True)
class Size:
    agencies: int
    indicators: int

    def governments(self) -> Iterator[range]:
        """The agency numbers (1-based) of each local government, in order."""
        for first in range(1, self.agencies + 1, AGENCIES_PER_GOVERNMENT):
            yield range(first, min(first + AGENCIES_PER_GOVERNMENT, self.agencies + 1))


SHAPES = {"agency": Size(1, 15), "region": Size(40, 25), "nation": Size(2500, 25)}

# (name, short name): the Perangkat Daerah of a regency. Agency n of a local government takes entry (n-1) % 40.
AGENCY_NAMES = [
    ("Dinas Pendidikan", "Disdik"), ("Dinas Kesehatan", "Dinkes"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "DPUPR"), ("Dinas Perumahan dan Kawasan Permukiman", "Disperkim"),
    ("Satuan Polisi Pamong Praja", "Satpol PP"), ("Dinas Sosial", "Dinsos"), ("Dinas Tenaga Kerja", "Disnaker"),
    ("Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A"), ("Dinas Ketahanan Pangan", "DKP"),
    ("Dinas Lingkungan Hidup", "DLH"), ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("Dinas Pemberdayaan Masyarakat dan Desa", "DPMD"),
    ("Dinas Pengendalian Penduduk dan Keluarga Berencana", "DPPKB"), ("Dinas Perhubungan", "Dishub"),
    ("Dinas Komunikasi dan Informatika", "Diskominfo"), ("Dinas Koperasi dan Usaha Mikro", "Diskopum"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
    ("Dinas Kepemudaan dan Olahraga", "Dispora"), ("Dinas Kebudayaan", "Disbud"),
    ("Dinas Perpustakaan dan Kearsipan", "Dispusip"), ("Dinas Perikanan", "Diskan"), ("Dinas Pariwisata", "Dispar"),
    ("Dinas Pertanian", "Distan"), ("Dinas Perdagangan", "Disdag"), ("Dinas Perindustrian", "Disperin"),
    ("Dinas Pemadam Kebakaran dan Penyelamatan", "Damkar"),
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda"), ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Badan Pendapatan Daerah", "Bapenda"),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM"),
    ("Badan Penanggulangan Bencana Daerah", "BPBD"), ("Badan Kesatuan Bangsa dan Politik", "Kesbangpol"),
    ("Inspektorat Daerah", "Inspektorat"), ("Sekretariat Dewan Perwakilan Rakyat Daerah", "Setwan"),
    ("Dinas Peternakan dan Kesehatan Hewan", "Disnakkeswan"), ("Dinas Tanaman Pangan dan Hortikultura", "DTPH"),
    ("Dinas Sumber Daya Air", "DSDA"), ("Dinas Pertanahan", "Distanah"), ("Dinas Bina Marga", "DBM"),
    ("Badan Riset dan Inovasi Daerah", "Brida"),
]  # fmt: skip
DIVISIONS = ["Pelayanan", "Pembinaan", "Pengembangan", "Pengawasan dan Pengendalian"]
SECTIONS = ["Perencanaan", "Pelaksanaan"]

FIRST_NAMES = [
    "Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hendra", "Indah", "Joko", "Kartika", "Lukman",
    "Maya", "Nur", "Oki", "Putri", "Rahmat", "Sri", "Taufik", "Umi", "Wahyu", "Yanti", "Zainal", "Ratna",
]  # fmt: skip
LAST_NAMES = [
    "Pratama", "Saputra", "Wibowo", "Hidayat", "Lestari", "Kurniawan", "Setiawan", "Rahmawati", "Nugroho",
    "Susanti", "Hakim", "Permana", "Maulana", "Anggraini", "Gunawan", "Wulandari", "Siregar", "Harahap",
    "Simanjuntak", "Nasution", "Sitompul", "Tanjung", "Manurung", "Lubis",
]  # fmt: skip
DEGREES = ["S.E.", "S.T.", "S.Sos.", "S.H.", "S.Kom.", "S.Si.", "M.Si.", "M.M.", "S.Pd.", "A.Md."]


@dataclass(frozen=True)
class Spec:
    """One indicator of the bench shape: how it is measured and its 2022 target with the yearly step."""

    name: str
    unit_of_measure: str
    scale: str
    polarity: str
    aggregation: str
    first: str  # the 2022 target (lower bound of a range)
    step: str = "0"  # added each year
    upper: str = ""  # a range's upper bound
    grades: tuple[str, ...] = ()  # a qualitative indicator's targets, one per year


HIGHER, LOWER, RANGE = Polarity.HIGHER, Polarity.LOWER, Polarity.RANGE
CUMULATIVE, LAST, AVERAGE = Aggregation.CUMULATIVE, Aggregation.LAST, Aggregation.AVERAGE
COUNT, PERCENT, INDEX, QUALITATIVE = Scale.COUNT, Scale.PERCENT, Scale.INDEX, Scale.QUALITATIVE

# The first five are the agency's IKU, one per objective; the others cascade from IKU (index % 5). The `agency`
# size takes the first 15.
SPECS = [
    Spec("Indeks kepuasan masyarakat terhadap layanan", "indeks", INDEX, HIGHER, LAST, "76.50", "1.50"),
    Spec("Persentase capaian standar pelayanan minimal", "%", PERCENT, HIGHER, LAST, "72", "4"),
    Spec("Jumlah pengaduan masyarakat yang belum ditindaklanjuti", "pengaduan", COUNT, LOWER, CUMULATIVE, "120", "-10"),
    Spec("Nilai rata-rata kinerja program", "nilai", INDEX, HIGHER, AVERAGE, "70", "2.50"),
    Spec("Predikat SAKIP", "predikat", QUALITATIVE, HIGHER, LAST, "", grades=("B", "B", "BB", "BB", "A")),
    Spec("Jumlah layanan yang diselesaikan tepat waktu", "layanan", COUNT, HIGHER, CUMULATIVE, "1200", "100"),
    Spec("Persentase dokumen perencanaan yang tepat waktu", "%", PERCENT, HIGHER, LAST, "80", "4"),
    Spec("Rata-rata waktu penyelesaian layanan", "hari", INDEX, LOWER, AVERAGE, "7", "-0.50"),
    Spec("Jumlah kegiatan pembinaan yang dilaksanakan", "kegiatan", COUNT, HIGHER, CUMULATIVE, "48", "4"),
    Spec("Rasio keterisian sarana pelayanan", "%", PERCENT, RANGE, LAST, "60", upper="80"),
    Spec("Persentase temuan audit yang ditindaklanjuti", "%", PERCENT, HIGHER, LAST, "70", "5"),
    Spec("Jumlah keluhan layanan", "keluhan", COUNT, LOWER, CUMULATIVE, "300", "-20"),
    Spec("Indeks kualitas data sektoral", "indeks", INDEX, HIGHER, AVERAGE, "2.80", "0.20"),
    Spec("Jumlah peserta pelatihan", "orang", COUNT, HIGHER, CUMULATIVE, "400", "40"),
    Spec("Persentase realisasi anggaran", "%", PERCENT, HIGHER, LAST, "85", "2"),
    Spec("Jumlah inovasi pelayanan", "inovasi", COUNT, HIGHER, CUMULATIVE, "4", "1"),
    Spec("Rata-rata waktu tanggap pengaduan", "jam", INDEX, LOWER, AVERAGE, "48", "-4"),
    Spec("Jumlah sarana dan prasarana yang dipelihara", "unit", COUNT, HIGHER, CUMULATIVE, "150", "10"),
    Spec("Persentase pegawai yang mengikuti pengembangan kompetensi", "%", PERCENT, HIGHER, LAST, "40", "8"),
    Spec("Jumlah kasus pelanggaran yang ditemukan", "kasus", COUNT, LOWER, CUMULATIVE, "80", "-6"),
    Spec("Indeks profesionalitas ASN", "indeks", INDEX, HIGHER, LAST, "65", "3"),
    Spec("Jumlah laporan yang disampaikan tepat waktu", "laporan", COUNT, HIGHER, CUMULATIVE, "24"),
    Spec("Persentase desa dan kelurahan yang terlayani", "%", PERCENT, HIGHER, LAST, "55", "6"),
    Spec("Rata-rata biaya per layanan", "ribu rupiah", INDEX, LOWER, AVERAGE, "85", "-3"),
    Spec("Jumlah kerja sama yang terjalin", "dokumen", COUNT, HIGHER, CUMULATIVE, "6", "1"),
]  # fmt: skip
GOALS = [
    ("T.1", "Meningkatnya kualitas pelayanan publik", ["S.1", "S.2"]),
    ("T.2", "Meningkatnya akuntabilitas kinerja perangkat daerah", ["S.3", "S.4", "S.5"]),
]
OBJECTIVES = {
    "S.1": "Meningkatnya kepuasan masyarakat terhadap layanan",
    "S.2": "Meningkatnya pemenuhan standar pelayanan minimal",
    "S.3": "Meningkatnya tindak lanjut pengaduan dan temuan",
    "S.4": "Meningkatnya kinerja program dan kegiatan",
    "S.5": "Meningkatnya kualitas tata kelola kinerja",
}
# The data-collection SOP: (text, symbol, lane, time text, standard minutes, action, announced action, outcome).
SOP_TITLE = "Pengumpulan Data Kinerja Triwulanan"
SOP_STEPS = [
    ("Mengisi realisasi dan bukti dukung, lalu mengirimkan data", Step.Symbol.PROCESS, 0, "2 hari", 900,
     Action.SUBMIT, "collection.submit", Task.Outcome.DONE),
    ("Memeriksa data yang dikirim", Step.Symbol.DECISION, 1, "1 hari", 450, Action.REVIEW, "collection.approve",
     Task.Outcome.YES),
    ("Memverifikasi dan mengunci data", Step.Symbol.PROCESS, 2, "4 jam", 240, Action.VERIFY, "collection.verify",
     Task.Outcome.DONE),
]  # fmt: skip
SOP_LANES = [
    ("pelaksana", "Pelaksana (Staf/Kepala Seksi)", Role.STAFF),
    ("kepala-bidang", "Kepala Bidang/Sekretaris", Role.DIVISION_HEAD),
    ("perencanaan", "Kepala Subbagian Perencanaan dan Program", Role.PLANNING_HEAD),
]
LINE_FIELDS = ("value", "text", "no_data", "no_data_reason", "factors_helped", "factors_hindered", "follow_up")
FACTORS = (
    "Koordinasi lintas bidang berjalan baik dan data tersedia tepat waktu.",
    "Sebagian data dari kecamatan terlambat diterima.",
    "Rapat evaluasi kinerja bulanan dengan setiap bidang.",
)


class BenchDataExists(Exception):
    """The database already holds bench data: generate into an empty (migrated) database."""


# Values


def _round(value: Decimal, scale: str) -> Decimal:
    return value.quantize(Decimal(1) if scale == COUNT else Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Target:
    value: Decimal | None = None
    upper: Decimal | None = None
    text: str = ""


def annual_target(spec: Spec, year: int) -> Target:
    if spec.scale == QUALITATIVE:
        return Target(text=spec.grades[year - FIRST_YEAR])
    value = _round(Decimal(spec.first) + Decimal(spec.step) * (year - FIRST_YEAR), spec.scale)
    return Target(value=value, upper=Decimal(spec.upper) if spec.upper else None)


def baseline(spec: Spec) -> Decimal | None:
    """The 2021 figure the Renstra starts from: one step behind the 2022 target."""
    if spec.scale == QUALITATIVE:
        return None
    return _round(Decimal(spec.first) - Decimal(spec.step) - (5 if spec.polarity == RANGE else 0), spec.scale)


def quarterly_targets(spec: Spec, year: int) -> dict[int, Target]:
    """The four quarters' targets, consistent with the indicator's aggregation: what each quarter adds for a
    cumulative one (the running total grows to the annual target), the level to reach for a last-value one
    (climbing from last year's target), the annual target for an average, a range or a text."""
    annual = annual_target(spec, year)
    if spec.scale == QUALITATIVE or spec.polarity == RANGE or spec.aggregation == AVERAGE:
        return dict.fromkeys((1, 2, 3, 4), annual)
    assert annual.value is not None
    if spec.aggregation == CUMULATIVE:
        totals = [Decimal(0)] + [_round(annual.value * share, spec.scale) for share in CUMULATIVE_SHARES]
        return {q: Target(value=totals[q] - totals[q - 1]) for q in (1, 2, 3, 4)}
    start = annual_target(spec, year - 1).value if year > FIRST_YEAR else baseline(spec)
    assert start is not None
    return {q: Target(value=_round(start + (annual.value - start) * q / 4, spec.scale)) for q in (1, 2, 3, 4)}


@dataclass
class Figure:
    """A quarter's realisation as the division reported it."""

    value: Decimal | None = None
    text: str = ""
    no_data: bool = False
    no_data_reason: str = ""
    factors_helped: str = ""
    factors_hindered: str = ""
    follow_up: str = ""

    @property
    def blank(self) -> bool:
        return self.value is None and not self.text and not self.no_data


def realised(spec: Spec, target: Target, pace: Decimal, rng: random.Random) -> Figure:
    """A realisation around the target: `pace` is how far the indicator runs ahead (above 1) or behind."""
    if spec.scale == QUALITATIVE:
        grade = GRADES.index(target.text)
        return Figure(text=GRADES[grade - 1] if rng.random() < 0.2 else target.text)
    if rng.random() < 0.015:
        return Figure(no_data=True, no_data_reason=NO_DATA_REASON)
    if spec.polarity == RANGE:
        assert target.value is not None and target.upper is not None
        value = target.value + (target.upper - target.value) * Decimal(rng.randint(-30, 130)) / 100
    else:
        assert target.value is not None
        quarter_pace = pace + Decimal(rng.randint(-30, 30)) / 1000
        # Lower is better: running ahead means staying below the target, as (2T − R) / T reads it.
        value = target.value * (2 - quarter_pace) if spec.polarity == LOWER else target.value * quarter_pace
    if spec.scale == PERCENT:
        value = min(value, Decimal(100))
    return Figure(value=_round(max(value, Decimal(0)), spec.scale))


def nip(index: int) -> str:
    """A valid, unique 18-digit NIP for employee `index` (0-based across the run): birth date, appointment month,
    sex, serial. Each birth date carries 999 serials; birth dates are 53 days apart from 1 January 1975."""
    born = date(1975, 1, 1) + timedelta(days=53 * (index // 999))
    appointed = (born.year + 23 + index % 5, 1 + (index * 5) % 12)
    return f"{born:%Y%m%d}{appointed[0]:04d}{appointed[1]:02d}{1 + index % 2}{index % 999 + 1:03d}"


def person_name(index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES) + index) % len(LAST_NAMES)]
    return f"{first} {last}, {DEGREES[index % len(DEGREES)]}"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())


# Loading


@dataclass
class AgencyRows:
    """What has been written for one agency, kept while its local government is loaded."""

    number: int
    agency: Agency
    units: list[Unit] = field(default_factory=list)  # the reporting units: Sekretariat, Bidang 1–4
    sections: dict[tuple[int, int], Unit] = field(default_factory=dict)  # (division 1–4, section 1–2)
    positions: dict[str, Position] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by position key
    employees: dict[str, Employee] = field(default_factory=dict)  # by position key
    plan: StrategicPlan | None = None
    objectives: list[Objective] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    figures: dict[tuple[int, int, int], Figure] = field(default_factory=dict)  # (indicator index, year, quarter)
    requests: dict[tuple[int, int, int], DataRequest] = field(default_factory=dict)  # (year, quarter, unit)

    def place(self, seat: Seat) -> Unit | None:
        if seat.place == "sekretariat":
            return self.units[0]
        if seat.place == "division":
            return self.units[seat.division]
        if seat.place == "section":
            return self.sections[(seat.division, seat.section)]
        return None

    def reviewer_key(self, unit: int) -> str:
        return "secretary" if unit == 0 else f"kabid{unit}"

    def preparer_key(self, unit: int) -> str:
        """The Sekretariat's figures are prepared by the planning head, a division's by its staff."""
        return "planning" if unit == 0 else f"staf{unit}"


@dataclass(frozen=True)
class Seat:
    """A position every agency has: where it sits (the Sekretariat, division `division`, or section `section`
    of it; nowhere for the head), whom it reports to, and the login suffix of its holder (none: no login)."""

    key: str
    title: str
    role: str
    place: str | None  # "sekretariat", "division", "section" or None (agency level)
    superior: str | None
    login: str
    rank: str
    division: int = 0
    section: int = 0


SEATS = [
    Seat("head", "Kepala", Role.HEAD, None, None, "kadis", "IV/c"),
    Seat("secretary", "Sekretaris", Role.SECRETARY, "sekretariat", "head", "sekretaris", "IV/b"),
    Seat("planning", "Kepala Subbagian Perencanaan dan Program", Role.PLANNING_HEAD, "sekretariat", "secretary",
         "perencanaan", "III/d"),
    Seat("admin", "Pengelola Sistem Informasi", Role.ADMIN, "sekretariat", "secretary", "admin", "III/b"),
    *(Seat(f"kabid{d}", f"Kepala Bidang {topic}", Role.DIVISION_HEAD, "division", "head", f"kabid{d}", "IV/a", d)
      for d, topic in enumerate(DIVISIONS, 1)),
    *(Seat(f"kasie{d}.{s}", f"Kepala Seksi {section} {topic}", Role.SECTION_HEAD, "section", f"kabid{d}", "",
           "III/c", d, s)
      for d, topic in enumerate(DIVISIONS, 1) for s, section in enumerate(SECTIONS, 1)),
    *(Seat(f"staf{d}", f"Analis {topic}", Role.STAFF, "section", f"kasie{d}.1", f"staf{d}", "III/a", d, 1)
      for d, topic in enumerate(DIVISIONS, 1)),
]  # fmt: skip
# Positions are written level by level, so that each one's superior already has its id.
LEVELS = [
    ["head"],
    ["secretary", *(f"kabid{d}" for d in range(1, 5))],
    ["planning", "admin", *(f"kasie{d}.{s}" for d in range(1, 5) for s in range(1, 3))],
    [f"staf{d}" for d in range(1, 5)],
]
REGIONAL = "regional"


class Loader:
    """Writes the bench data, one local government at a time, so the memory used stays that of 40 agencies."""

    def __init__(self, size: Size, *, seed: int, stdout: IO[str] | None) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.seed = seed
        self.stdout = stdout
        self.counts: Counter[str] = Counter()
        self.password = make_password(PASSWORD)
        self.employee_index = 0
        self.specs = SPECS[: size.indicators]
        # The targets are the same in every agency: worked out once, by (indicator index, year), quarter 0 the year's.
        self.targets = {
            (i, year): {AgreementTarget.ANNUAL: annual_target(spec, year), **quarterly_targets(spec, year)}
            for i, spec in enumerate(self.specs)
            for year in YEARS
        }

    def insert(self, objects: list[Any]) -> list[Any]:
        if objects:
            model = type(objects[0])
            model.objects.bulk_create(objects, batch_size=BATCH)
            self.counts[model._meta.db_table] += len(objects)
        return objects

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")
            self.stdout.flush()

    def run(self) -> dict[str, int]:
        started = time.perf_counter()
        for g, numbers in enumerate(self.size.governments(), 1):
            self.government(g, numbers)
            if g % 10 == 0 or numbers[-1] == self.size.agencies:
                self.say(f"  {numbers[-1]:>5} agencies  {time.perf_counter() - started:7.1f} s")
        return dict(sorted(self.counts.items()))

    def government(self, g: int, numbers: range) -> None:
        government = self.insert([LocalGovernment(name=f"{GOVERNMENT_PREFIX}{g:02d}", kind="regency")])[0]
        rows = [
            AgencyRows(
                number=n,
                agency=Agency(
                    local_government=government,
                    name=f"{AGENCY_NAMES[i][0]} {government.name}",
                    short_name=AGENCY_NAMES[i][1],
                ),
            )
            for i, n in enumerate(numbers)
        ]
        self.insert([r.agency for r in rows])
        self.organisation(g, rows)
        self.plans(government, rows)
        self.realisations(rows)
        self.collection(rows)
        self.procedures(government, rows)

    # Organisation

    def organisation(self, g: int, rows: list[AgencyRows]) -> None:
        for r in rows:
            r.units = [Unit(agency=r.agency, name="Sekretariat", kind=Unit.Kind.SECRETARIAT, code="SEK", sort_order=1)]
            r.units += [
                Unit(agency=r.agency, name=f"Bidang {topic}", kind=Unit.Kind.DIVISION, code=f"B{d}", sort_order=d + 1)
                for d, topic in enumerate(DIVISIONS, 1)
            ]
        self.insert([u for r in rows for u in r.units])
        for r in rows:
            for d, topic in enumerate(DIVISIONS, 1):
                for s, section in enumerate(SECTIONS, 1):
                    r.sections[(d, s)] = Unit(
                        agency=r.agency, parent=r.units[d], name=f"Seksi {section} {topic}", kind=Unit.Kind.SECTION,
                        code=f"B{d}.{s}", sort_order=10 * d + s,
                    )  # fmt: skip
        self.insert([u for r in rows for u in r.sections.values()])

        seats = {seat.key: seat for seat in SEATS}
        for level in LEVELS:
            created = []
            for r in rows:
                for key in level:
                    seat = seats[key]
                    title = seat.title
                    if key == "head":
                        title = f"Kepala {r.agency.name.removesuffix(' ' + r.agency.local_government.name)}"
                    r.positions[key] = Position(
                        agency=r.agency, unit=r.place(seat), title=title, role=seat.role,
                        superior=r.positions[seat.superior] if seat.superior else None,
                    )  # fmt: skip
                    created.append(r.positions[key])
            if level == ["head"]:
                # The regional reader sits at agency level in the first agency of its local government.
                rows[0].positions[REGIONAL] = Position(
                    agency=rows[0].agency, title="Analis Kinerja Pemerintah Daerah", role=Role.REGIONAL
                )
                created.append(rows[0].positions[REGIONAL])
            self.insert(created)

        names: dict[tuple[int, str], int] = {}  # (agency number, position key): employee index
        for r in rows:
            for key in r.positions:
                names[(r.number, key)] = self.employee_index
                self.employee_index += 1
        joined = _at(START, 8)
        logins = [(r, seat.key, f"a{r.number}.{seat.login}") for r in rows for seat in SEATS if seat.login]
        logins.append((rows[0], REGIONAL, f"lg{g}.regional"))
        for r, key, username in logins:
            first, last = person_name(names[(r.number, key)]).split(",")[0].split(" ", 1)
            r.users[key] = User(
                username=username, password=self.password, first_name=first, last_name=last, date_joined=joined
            )
        self.insert([r.users[key] for r, key, _username in logins])
        for r in rows:
            for key in r.positions:
                index = names[(r.number, key)]
                r.employees[key] = Employee(
                    agency=r.agency, user=r.users.get(key), name=person_name(index), nip=nip(index),
                    rank=seats[key].rank if key in seats else "III/d",
                )  # fmt: skip
        self.insert([e for r in rows for e in r.employees.values()])
        self.insert(
            [
                Assignment(
                    employee=r.employees[key],
                    position=position,
                    kind=Assignment.Kind.DEFINITIVE,
                    start_date=START,
                    decree=f"821.2/{r.number:04d}.{i + 1:02d}/BKPSDM/{START.year}",
                )
                for r in rows
                for i, (key, position) in enumerate(r.positions.items())
            ]
        )

    # Plans, agreements, targets

    def plans(self, government: LocalGovernment, rows: list[AgencyRows]) -> None:
        for r in rows:
            r.plan = StrategicPlan(
                agency=r.agency, name=f"Renstra {r.agency.name} {FIRST_YEAR}–{LAST_YEAR}", start_year=FIRST_YEAR,
                end_year=LAST_YEAR,
            )  # fmt: skip
        self.insert([r.plan for r in rows])
        goals: dict[tuple[int, str], Goal] = {}
        for r in rows:
            for order, (code, statement, _objectives) in enumerate(GOALS, 1):
                goals[(r.number, code)] = Goal(plan=r.plan, code=code, statement=statement, sort_order=order)
        self.insert(list(goals.values()))
        for r in rows:
            for code, _statement, objectives in GOALS:
                r.objectives += [
                    Objective(goal=goals[(r.number, code)], code=o, statement=OBJECTIVES[o], sort_order=int(o[2:]))
                    for o in objectives
                ]
        self.insert([o for r in rows for o in r.objectives])

        # The IKU first (one per objective), then the indicators that cascade from them.
        for first, last in ((0, 5), (5, len(self.specs))):
            created = []
            for r in rows:
                for i in range(first, last):
                    created.append(self.indicator(r, i))
                    r.indicators.append(created[-1])
            self.insert(created)

        # The large tables get foreign keys as ids: cheaper to build and to insert than with the related objects.
        self.insert(
            [
                PlanTarget(indicator_id=indicator.pk, year=year, value=t.value, upper=t.upper, text=t.text)
                for r in rows
                for i, indicator in enumerate(r.indicators)
                for year in YEARS
                for t in [self.targets[(i, year)][AgreementTarget.ANNUAL]]
            ]
        )
        agreements = {
            (r.number, year): PerformanceAgreement(
                agency=r.agency,
                plan=r.plan,
                year=year,
                level=PerformanceAgreement.Level.AGENCY,
                party_one=r.positions["head"],
                party_two_title=f"Bupati {government.name.removeprefix('Kabupaten ')}",
                status=PerformanceAgreement.Status.SIGNED,
                signed_on=date(year, 1, 31),
            )
            for r in rows
            for year in YEARS
        }
        self.insert(list(agreements.values()))
        self.insert(
            [
                AgreementTarget(
                    agreement_id=agreements[(r.number, year)].pk, indicator_id=indicator.pk, year=year, quarter=q,
                    value=t.value, upper=t.upper, text=t.text,
                )
                for r in rows
                for i, indicator in enumerate(r.indicators)
                for year in YEARS
                for q, t in self.targets[(i, year)].items()
            ]
        )  # fmt: skip

    def indicator(self, r: AgencyRows, i: int) -> Indicator:
        spec = self.specs[i]
        unit = i % 5  # Sekretariat, then Bidang 1–4, evenly
        iku = i < 5
        end = self.targets[(i, LAST_YEAR)][AgreementTarget.ANNUAL]
        assert r.plan is not None
        return Indicator(
            agency=r.agency, plan=r.plan, objective=r.objectives[i % 5], parent=None if iku else r.indicators[i % 5],
            kind=Indicator.Kind.IKU if iku else Indicator.Kind.DIVISION, code=f"IKU.{i + 1}" if iku else f"IKK.{i - 4:02d}",
            name=spec.name, unit_of_measure=spec.unit_of_measure, scale=spec.scale, polarity=spec.polarity,
            aggregation=spec.aggregation, definition=f"{spec.name} pada {r.agency.name}.",
            data_source=f"Laporan {r.units[unit].name}", baseline=baseline(spec),
            baseline_year=FIRST_YEAR - 1 if spec.scale != QUALITATIVE else None, end_target=end.value,
            end_target_upper=end.upper, end_target_text=end.text, responsible_unit=r.units[unit],
            responsible_position=r.positions[r.reviewer_key(unit)], sort_order=10 * (i + 1),
        )  # fmt: skip

    # Realisations

    def realisations(self, rows: list[AgencyRows]) -> None:
        created = []
        for r in rows:
            planner_id = r.users["planning"].pk
            draft_unit = next(unit for unit in range(5) if self.state(r, unit) == Submission.Status.DRAFT)
            unfilled = [i for i in range(len(self.specs)) if i % 5 == draft_unit][1::2]  # every other line of the draft
            for i, (spec, indicator) in enumerate(zip(self.specs, r.indicators, strict=True)):
                pace = self.pace()
                for year, quarter in PERIODS:
                    figure = realised(spec, self.targets[(i, year)][quarter], pace, self.rng)
                    if (year, quarter) == CURRENT:
                        if i in unfilled:
                            figure = Figure()
                        elif not figure.no_data:
                            figure.factors_helped, figure.factors_hindered, figure.follow_up = FACTORS
                    r.figures[(i, year, quarter)] = figure
                    if not figure.blank:
                        created.append(
                            Realization(
                                indicator_id=indicator.pk, year=year, quarter=quarter, updated_by_id=planner_id,
                                **{name: getattr(figure, name) for name in LINE_FIELDS},
                            )
                        )  # fmt: skip
        self.insert(created)

    def pace(self) -> Decimal:
        """How an indicator runs all along: most close to their targets, a few far behind, some well ahead."""
        draw = self.rng.random()
        low, high = (550, 850) if draw < 0.1 else (900, 1080) if draw < 0.85 else (1080, 1250)
        return Decimal(self.rng.randint(low, high)) / 1000

    # Collection

    def state(self, r: AgencyRows, unit: int) -> str:
        """The 2026 Q3 state of a unit's submission: the five states rotate from one agency to the next."""
        return STATES[(r.number - 1 + unit) % 5]

    def collection(self, rows: list[AgencyRows]) -> None:
        rng = self.rng
        self.insert(
            [CollectionSettings(agency=r.agency, evidence_required=False, individual_requests=False) for r in rows]
        )
        periods = {
            (r.number, year, quarter): ReportingPeriod(
                agency=r.agency,
                year=year,
                quarter=quarter,
                due_on=quarter_due_date(year, quarter, 10, ()),
                status=ReportingPeriod.Status.OPEN if (year, quarter) == CURRENT else ReportingPeriod.Status.CLOSED,
                opened_by=r.users["planning"],
            )
            for r in rows
            for year, quarter in PERIODS
        }
        self.insert(list(periods.values()))
        for r in rows:
            for year, quarter in PERIODS:
                for unit in range(5):
                    r.requests[(year, quarter, unit)] = DataRequest(
                        period_id=periods[(r.number, year, quarter)].pk, kind=DataRequest.Kind.DIVISION,
                        unit_id=r.units[unit].pk, reviewer_id=r.positions[r.reviewer_key(unit)].pk,
                    )  # fmt: skip
        self.insert([q for r in rows for q in r.requests.values()])
        through = DataRequest.indicators.through
        self.insert(
            [
                through(datarequest_id=request.pk, indicator_id=indicator.pk)
                for r in rows
                for (_y, _q, unit), request in r.requests.items()
                for i, indicator in enumerate(r.indicators)
                if i % 5 == unit
            ]
        )

        submissions: dict[tuple[int, int, int, int], Submission] = {}
        for r in rows:
            for (year, quarter, unit), request in r.requests.items():
                state = self.state(r, unit) if (year, quarter) == CURRENT else Submission.Status.VERIFIED
                submission = Submission(request_id=request.pk, status=state)
                if state != Submission.Status.DRAFT:
                    due = periods[(r.number, year, quarter)].due_on
                    late = rng.random() < 0.12
                    day = due + timedelta(days=rng.randint(1, 6) if late else -rng.randint(0, 8))
                    submission.submitted_at = _at(day, rng.randint(8, 15), rng.randint(0, 59))
                    submission.submitted_by_id = r.users[r.preparer_key(unit)].pk
                if state == Submission.Status.SUBMITTED:
                    submission.awaiting_id = request.reviewer_id
                elif state == Submission.Status.RETURNED:
                    submission.returns = 1
                elif state == Submission.Status.VERIFIED and rng.random() < 0.1:
                    submission.returns, submission.round = 1, 2  # returned once, corrected and sent again
                submissions[(r.number, year, quarter, unit)] = submission
        self.insert(list(submissions.values()))

        lines = []
        current: list[tuple[AgencyRows, int, SubmissionLine, str]] = []  # 2026 Q3: agency, unit, line, code
        for r in rows:
            for year, quarter, unit in r.requests:
                submission = submissions[(r.number, year, quarter, unit)]
                preparer_id = r.users[r.preparer_key(unit)].pk
                for i in range(unit, len(r.indicators), 5):
                    figure = r.figures[(i, year, quarter)]
                    line = SubmissionLine(
                        submission_id=submission.pk, indicator_id=r.indicators[i].pk,
                        updated_by_id=None if figure.blank else preparer_id,
                        **{name: getattr(figure, name) for name in LINE_FIELDS},
                    )  # fmt: skip
                    if i == unit and submission.status == Submission.Status.RETURNED:
                        line.remark = "Mohon periksa kembali angka ini dan lengkapi bukti dukungnya."
                    lines.append(line)
                    if (year, quarter) == CURRENT:
                        current.append((r, unit, line, r.indicators[i].code))
        self.insert(lines)

        evidence = []
        reported = [row for row in current if row[2].value is not None or row[2].text]
        for r, unit, line, code in reported[::2]:
            digest = hashlib.sha256(f"{self.seed}:{r.number}:{code}:2026-3".encode()).hexdigest()
            evidence.append(
                Evidence(
                    line=line, file=f"evidence/2026/{digest[:32]}", name=f"bukti-{code}-tw3-2026.pdf", kind="pdf",
                    mime="application/pdf", size=rng.randint(40_000, 2_000_000), sha256=digest,
                    uploaded_by=r.users[r.preparer_key(unit)],
                )
            )  # fmt: skip
        self.insert(evidence)

    # SOP compliance

    def procedures(self, government: LocalGovernment, rows: list[AgencyRows]) -> None:
        rng = self.rng
        procedures = {
            r.number: Procedure(agency=r.agency, title=SOP_TITLE, slug="pengumpulan-data-kinerja") for r in rows
        }
        self.insert(list(procedures.values()))
        published = _at(START, 9)
        versions = {
            r.number: ProcedureVersion(
                procedure=procedures[r.number],
                number=1,
                status=ProcedureVersion.Status.PUBLISHED,
                title=SOP_TITLE,
                government=government.name,
                agency_name=r.agency.name,
                unit_name="Sekretariat",
                doc_number=f"800/{r.number:04d}/SOP/{START.year}",
                made_on="3 Januari 2022",
                effective_on="3 Januari 2022",
                approver_title=r.positions["head"].title,
                approver_name=r.employees["head"].name,
                approver_rank=r.employees["head"].rank,
                approver_nip=r.employees["head"].nip,
                trigger="Periode pengumpulan data triwulanan dibuka",
                created_by=r.users["planning"],
                published_by=r.users["head"],
                published_at=published,
            )
            for r in rows
        }
        self.insert(list(versions.values()))
        lanes = {
            (r.number, order): Lane(
                procedure_version=versions[r.number],
                order=order + 1,
                key=key,
                label=label,
                role=role,
                position=r.positions["planning"] if role == Role.PLANNING_HEAD else None,
            )
            for r in rows
            for order, (key, label, role) in enumerate(SOP_LANES)
        }
        self.insert(list(lanes.values()))
        steps = {}
        for r in rows:
            for number, (text, symbol, _lane, time_text, _minutes, action, _done, _outcome) in enumerate(SOP_STEPS, 1):
                decision = symbol == Step.Symbol.DECISION
                steps[(r.number, number)] = Step(
                    procedure_version=versions[r.number], number=number, text=text, symbol=symbol,
                    time_text=time_text, action=action, next_number=None if decision or number == 3 else number + 1,
                    yes_number=number + 1 if decision else None, no_number=1 if decision else None,
                    question="Data lengkap dan benar?" if decision else "",
                )  # fmt: skip
        self.insert(list(steps.values()))
        through = Step.lanes.through
        self.insert(
            [
                through(step_id=steps[(r.number, number)].pk, lane_id=lanes[(r.number, spec[2])].pk)
                for r in rows
                for number, spec in enumerate(SOP_STEPS, 1)
            ]
        )

        cases: list[Case] = []
        plans: list[tuple[AgencyRows, int, Case, date]] = []
        for r in rows:
            for quarter in (q for y, q in PERIODS if y == CURRENT[0] and (y, q) < CURRENT):
                for unit in range(5):
                    request = r.requests[(CURRENT[0], quarter, unit)]
                    opened = date(CURRENT[0], quarter * 3 + 1, 1)
                    case = Case(
                        agency=r.agency, procedure_version=versions[r.number], unit=r.units[unit],
                        subject_kind="collection.request", subject_id=request.pk,
                        subject_label=f"{r.units[unit].name} · {quarter_label(CURRENT[0], quarter)}",
                        year=CURRENT[0], quarter=quarter, status=Case.Status.FINISHED,
                        started_at=_at(opened, 8), started_by=r.users["planning"],
                    )  # fmt: skip
                    cases.append(case)
                    plans.append((r, unit, case, opened))
        tasks = []
        for r, unit, case, _opened in plans:
            at = case.started_at
            performers = [r.preparer_key(unit), r.reviewer_key(unit), "planning"]
            for number, (_t, _s, lane, _time, standard, _a, done_action, outcome) in enumerate(SOP_STEPS, 1):
                draw = rng.random()
                factor = rng.uniform(0.3, 1.0) if draw < 0.78 else rng.uniform(1.0, 2.0) if draw < 0.96 else 2.5
                actual = max(1, round(standard * factor))
                key = performers[number - 1]
                opened_at = at + timedelta(minutes=rng.randint(5, 120))
                done_at = opened_at + timedelta(days=actual // MINUTES_PER_DAY, minutes=actual % MINUTES_PER_DAY)
                tasks.append(
                    Task(
                        case=case,
                        step=steps[(r.number, number)],
                        lane=lanes[(r.number, lane)],
                        position=r.positions[key],
                        assignee=r.employees[key],
                        assignee_user=r.users[key],
                        status=Task.Status.DONE,
                        outcome=outcome,
                        started_at=at,
                        opened_at=opened_at,
                        due_at=at + timedelta(days=standard // MINUTES_PER_DAY, minutes=standard % MINUTES_PER_DAY),
                        standard_minutes=standard,
                        done_at=done_at,
                        done_by=r.users[key],
                        done_by_action=done_action,
                        actual_minutes=actual,
                    )
                )
                at = done_at
            case.finished_at = at
        self.insert(cases)
        self.insert(tasks)


def generate(size: str, *, seed: int = 7, stdout: IO[str] | None = None) -> dict[str, int]:
    """Writes the bench data of `size` ("agency", "region" or "nation") into the default database, in one
    transaction, and returns the number of rows written per table. Refuses a database that holds bench data."""
    if size not in SHAPES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    if LocalGovernment.objects.filter(name__startswith=GOVERNMENT_PREFIX).exists():
        raise BenchDataExists(
            f"The database already has a local government named '{GOVERNMENT_PREFIX}…': generate into an empty one."
        )
    loader = Loader(SHAPES[size], seed=seed, stdout=stdout)
    with transaction.atomic():
        return loader.run()


# Command line


def table_counts() -> dict[str, int]:
    """The rows of every table of the project's models (and their many-to-many tables)."""
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if not model.__module__.startswith("kinerja.") and model._meta.app_label != "accounts":
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a table name from the models
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SELECT version()")
        return str(cursor.fetchone()[0])


def main(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    out = sys.stdout
    out.write(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    out.write(f"database: {connection.vendor} {database_version()} ({connection.settings_dict['NAME']})\n")
    if connection.vendor == "sqlite":
        # A throwaway file: nothing to protect from a crash, so no waiting for the disk.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=MEMORY")
            cursor.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    out.write(f"migrate: {migrated - started:.1f} s\n")
    out.write(f"generate --size {args.size} --seed {args.seed}:\n")
    written = generate(args.size, seed=args.seed, stdout=out)
    done = time.perf_counter()
    out.write(f"generate: {done - migrated:.1f} s, {sum(written.values()):,} rows written\n")
    if connection.vendor == "postgresql":
        # A bulk load leaves PostgreSQL's statistics empty until autovacuum gets to it, and the planner then picks
        # parallel scans of whole tables (a period board at nation size: 145 ms per query instead of 10).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        out.write(f"analyze: {time.perf_counter() - done:.1f} s\n")
    out.write("rows per table:\n")
    for table, count in table_counts().items():
        out.write(f"  {table:<40} {count:>10,}\n")
    out.write(f"total (migrate + generate): {done - started:.1f} s\n")


if __name__ == "__main__":
    main(ARGS)
