"""The workbook format: its sheets and columns, and the words its enum cells accept.

Sheet names and column headers are the users' own Indonesian terms and are never translated;
the explanations on the Petunjuk sheet are, like every other message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kinerja.planning.models import Aggregation, BudgetLine, Indicator, PerformanceAgreement, Polarity, Scale

MAX_ROWS = 20_000  # data rows per sheet
MAX_COLUMNS = 60  # columns read per row: the widest sheet (Renstra of a six-year plan) has 27

SHEET_HELP = "Petunjuk"
SHEET_PLAN = "Rencana Strategis"
SHEET_RENSTRA = "Renstra"
SHEET_AGREEMENTS = "Perjanjian Kinerja"
SHEET_TARGETS = "Target"
SHEET_REALIZATIONS = "Realisasi"
SHEET_BUDGET = "Anggaran"

# Column headers that the importer reads by name.
YEAR = "Tahun"
GOAL_CODE, GOAL = "Kode Tujuan", "Tujuan"
OBJECTIVE_CODE, OBJECTIVE = "Kode Sasaran", "Sasaran"
INDICATOR_CODE, INDICATOR = "Kode Indikator", "Indikator"
KIND, PARENT = "Jenis", "Induk"
UNIT_OF_MEASURE, SCALE, POLARITY, AGGREGATION = "Satuan", "Skala", "Polaritas", "Agregasi"
DEFINITION, FORMULA, DATA_SOURCE = "Definisi", "Formula", "Sumber Data"
BASELINE, BASELINE_YEAR, END_TARGET = "Baseline", "Tahun Baseline", "Target Akhir"
RESPONSIBLE_UNIT, RESPONSIBLE_POSITION = "Unit Penanggung Jawab", "Jabatan Penanggung Jawab"
PLAN_NAME, START_YEAR, END_YEAR = "Nama", "Tahun Awal", "Tahun Akhir"
LEVEL, PARTY_ONE, PARTY_TWO, PARTY_TWO_OUTSIDE = "Tingkat", "Pihak Pertama", "Pihak Kedua", "Pihak Kedua Luar"
STATUS, SIGNED_ON = "Status", "Tanggal Tanda Tangan"
ANNUAL_TARGET, REVISION_REASON = "Target Tahunan", "Alasan Revisi"
QUARTER_TARGETS = ("TW I", "TW II", "TW III", "TW IV")
QUARTER = "Triwulan"
REALIZATION, NO_DATA = "Realisasi", "Tidak Ada Data (alasan)"
FACTORS_HELPED, FACTORS_HINDERED, FOLLOW_UP = "Faktor Pendukung", "Faktor Penghambat", "Tindak Lanjut"
BUDGET_CODE, BUDGET_NAME, CEILING = "Kode", "Nama", "Pagu"
SPENT = ("Realisasi TW I", "Realisasi TW II", "Realisasi TW III", "Realisasi TW IV")

ROMAN = ("I", "II", "III", "IV")
STATUS_WORDS = {PerformanceAgreement.Status.DRAFT: "draft", PerformanceAgreement.Status.SIGNED: "ditandatangani"}
_TARGET_YEAR = re.compile(r"target\s+(\d{4})", re.IGNORECASE)


class Kind(StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    YEAR = "year"
    DECIMAL = "decimal"  # an indicator figure: up to 4 decimals
    MONEY = "money"  # rupiah: up to 2 decimals
    TARGET = "target"  # a number, a range ("60 s.d. 80") or a text, read once the indicator is known
    ENUM = "enum"
    DATE = "date"
    QUARTER = "quarter"
    CODES = "codes"  # a comma-separated list of indicator codes
    IGNORED = "ignored"  # shown to the reader, never read back


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    help: str | Promise
    required: bool = False  # the column must be in the sheet
    allow_blank: bool = True  # a cell of a filled row may be empty
    max_length: int | None = None
    choices: type[TextChoices] | None = None
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    name: str
    help: str | Promise
    columns: tuple[Column, ...]

    def column(self, header: str) -> Column | None:
        """The column with this header; on the Renstra sheet also any "Target <year>"."""
        key = normalize(header)
        for column in self.columns:
            if normalize(column.header) == key:
                return column
        if self.name == SHEET_RENSTRA and (year := target_year(header)) is not None:
            return target_year_column(year)
        return None


def normalize(text: str) -> str:
    """A header or an enum word as compared: case and runs of spaces do not matter."""
    return " ".join(str(text).split()).casefold()


def target_year(header: str) -> int | None:
    match = _TARGET_YEAR.fullmatch(" ".join(str(header).split()))
    return int(match.group(1)) if match else None


def target_year_column(year: int) -> Column:
    return Column(f"Target {year}", Kind.TARGET, _("The Renstra's target for that year."), width=14)


def _col(header: str, kind: Kind, help: str | Promise, **options: object) -> Column:
    return Column(header, kind, help, **options)  # type: ignore[arg-type]


_TARGET_HELP = _(
    "A number; a range as “60 s.d. 80” (or “60 – 80”) for an indicator measured within a range; "
    "a text for a qualitative indicator. Decimals with a comma, no thousands separators."
)
_UNIT_HELP = _("The code of the unit (or its name when it has no code), as in the organisation pages.")
_POSITION_HELP = _("The title of the position (jabatan), exactly as in the organisation pages.")
_IGNORED_HELP = _("Shown for reading only; the import ignores it.")

PLAN = Sheet(SHEET_PLAN, _("The strategic plan (Renstra) itself: one row."), (
    _col(PLAN_NAME, Kind.TEXT, _("The name of the plan."), required=True, allow_blank=False, max_length=200, width=50),
    _col(START_YEAR, Kind.YEAR, _("Its first year."), required=True, allow_blank=False, width=12),
    _col(END_YEAR, Kind.YEAR, _("Its last year; empty means five years from the first."), width=12),
))  # fmt: skip

RENSTRA = Sheet(SHEET_RENSTRA, _(
    "One row per indicator with its goal (tujuan) and objective (sasaran). Rows of the same goal or objective repeat "
    "its code and statement. A row without an indicator code adds only the goal or objective."
), (
    _col(GOAL_CODE, Kind.TEXT, _("The goal's code, e.g. T1."), required=True, allow_blank=False, max_length=30,
         width=12),
    _col(GOAL, Kind.TEXT, _("The goal's statement."), required=True, allow_blank=False, width=40),
    _col(OBJECTIVE_CODE, Kind.TEXT, _("The objective's code, e.g. S1.1."), required=True, max_length=30, width=12),
    _col(OBJECTIVE, Kind.TEXT, _("The objective's statement."), required=True, width=40),
    _col(INDICATOR_CODE, Kind.TEXT, _("The indicator's code, unique in the plan."), required=True, max_length=30,
         width=14),
    _col(INDICATOR, Kind.TEXT, _("The indicator's name."), required=True, width=45),
    _col(KIND, Kind.ENUM, _("What the indicator measures; empty means a key indicator (IKU)."),
         choices=Indicator.Kind, width=18),
    _col(PARENT, Kind.TEXT, _("The code of the indicator it cascades from; empty for none."), max_length=30,
         width=12),
    _col(UNIT_OF_MEASURE, Kind.TEXT, _("The unit of measure, e.g. % or dokumen."), max_length=50, width=12),
    _col(SCALE, Kind.ENUM, _("What kind of number it is; empty means a count."), choices=Scale, width=16),
    _col(POLARITY, Kind.ENUM, _("Which direction is good; empty means higher is better."), choices=Polarity,
         width=16),
    _col(AGGREGATION, Kind.ENUM, _("How the quarters add up to the year; empty means the last value."),
         choices=Aggregation, width=18),
    _col(DEFINITION, Kind.TEXT, _("What the indicator means."), width=30),
    _col(FORMULA, Kind.TEXT, _("How it is computed, as text (not a spreadsheet formula)."), width=30),
    _col(DATA_SOURCE, Kind.TEXT, _("Where the figures come from."), max_length=300, width=24),
    _col(BASELINE, Kind.DECIMAL, _("The value before the plan started."), width=12),
    _col(BASELINE_YEAR, Kind.YEAR, _("The year of the baseline."), width=12),
    _col(END_TARGET, Kind.TARGET, _TARGET_HELP, width=14),
    _col(RESPONSIBLE_UNIT, Kind.TEXT, _UNIT_HELP, max_length=200, width=20),
    _col(RESPONSIBLE_POSITION, Kind.TEXT, _("For an individual indicator: the title of the position it measures."),
         max_length=200, width=30),
))  # fmt: skip
# The Renstra sheet also has one "Target <year>" column per year of the plan, after "Target Akhir".
RENSTRA_TARGETS_AFTER = END_TARGET

AGREEMENTS = Sheet(SHEET_AGREEMENTS, _("One row per performance agreement (PK): a party one and a year."), (
    _col(YEAR, Kind.YEAR, _("The year of the agreement."), required=True, allow_blank=False, width=8),
    _col(LEVEL, Kind.ENUM, _("Who makes the agreement with whom."), required=True, allow_blank=False,
         choices=PerformanceAgreement.Level, width=30),
    _col(PARTY_ONE, Kind.TEXT, _POSITION_HELP, required=True, allow_blank=False, max_length=200, width=40),
    _col(PARTY_TWO, Kind.TEXT, _("The title of the superior position that is party two."), max_length=200, width=40),
    _col(PARTY_TWO_OUTSIDE, Kind.TEXT, _("For the head's agreement: the regional head, e.g. Bupati Sukamaju."),
         max_length=200, width=24),
    _col(PARENT, Kind.TEXT, _("Party one of the agreement it cascades from, in the same year; empty for none."),
         max_length=200, width=40),
    _col(STATUS, Kind.ENUM, _("draft, or ditandatangani once signed on paper; empty leaves it as it is (a new "
                              "agreement is a draft)."),
         choices=PerformanceAgreement.Status, width=16),
    _col(SIGNED_ON, Kind.DATE, _("The day it was signed, as a date."), width=16),
))  # fmt: skip

TARGETS = Sheet(SHEET_TARGETS, _("One row per indicator of an agreement, with its annual and quarterly targets."), (
    _col(YEAR, Kind.YEAR, _("The year of the agreement."), required=True, allow_blank=False, width=8),
    _col(PARTY_ONE, Kind.TEXT, _("Party one of the agreement, as on the Perjanjian Kinerja sheet."), required=True,
         max_length=200, width=40),
    _col(INDICATOR_CODE, Kind.TEXT, _("The indicator's code."), required=True, allow_blank=False, max_length=30,
         width=14),
    _col(INDICATOR, Kind.IGNORED, _IGNORED_HELP, width=45),
    _col(ANNUAL_TARGET, Kind.TARGET, _TARGET_HELP, required=True, width=14),
    *(_col(header, Kind.TARGET, _("The quarter's target: for a cumulative indicator what the quarter adds, otherwise "
                                  "the level at the quarter's end."), width=10) for header in QUARTER_TARGETS),
    _col(REVISION_REASON, Kind.TEXT, _("Required to change the targets of a signed agreement: why they change."),
         width=30),
))  # fmt: skip

REALIZATIONS = Sheet(SHEET_REALIZATIONS, _("One row per indicator and quarter. An empty row clears the quarter."), (
    _col(YEAR, Kind.YEAR, _("The year."), required=True, allow_blank=False, width=8),
    _col(QUARTER, Kind.QUARTER, _("1 to 4, or I to IV."), required=True, allow_blank=False, width=10),
    _col(INDICATOR_CODE, Kind.TEXT, _("The indicator's code."), required=True, allow_blank=False, max_length=30,
         width=14),
    _col(INDICATOR, Kind.IGNORED, _IGNORED_HELP, width=45),
    _col(REALIZATION, Kind.TARGET, _("The figure of that quarter alone; a text for a qualitative indicator. Empty "
                                     "means not reported yet: it is not zero."), required=True, width=14),
    _col(NO_DATA, Kind.TEXT, _("When the figure cannot be obtained: why. Leave the realisation empty then."),
         width=30),
    _col(FACTORS_HELPED, Kind.TEXT, _("What helped."), width=30),
    _col(FACTORS_HINDERED, Kind.TEXT, _("What stood in the way."), width=30),
    _col(FOLLOW_UP, Kind.TEXT, _("What will be done about it."), width=30),
))  # fmt: skip

BUDGET = Sheet(SHEET_BUDGET, _("One row per programme, activity or sub-activity of a year's budget (DPA)."), (
    _col(YEAR, Kind.YEAR, _("The year of the budget."), required=True, allow_blank=False, width=8),
    _col(BUDGET_CODE, Kind.TEXT, _("The code in the budget, unique in the year."), required=True, allow_blank=False,
         max_length=50, width=18),
    _col(BUDGET_NAME, Kind.TEXT, _("The name of the programme or activity."), required=True, allow_blank=False,
         max_length=300, width=40),
    _col(KIND, Kind.ENUM, _("Empty means a programme."), choices=BudgetLine.Kind, width=14),
    _col(RESPONSIBLE_UNIT, Kind.TEXT, _UNIT_HELP, max_length=200, width=20),
    _col(CEILING, Kind.MONEY, _("The budget ceiling in rupiah."), required=True, allow_blank=False, width=18),
    *(_col(header, Kind.MONEY, _("What was spent in that quarter alone, in rupiah; empty if not reported."),
           width=16) for header in SPENT),
    _col(INDICATOR_CODE, Kind.CODES, _("The codes of the indicators it supports, separated by commas."), width=20),
))  # fmt: skip

SHEETS: tuple[Sheet, ...] = (PLAN, RENSTRA, AGREEMENTS, TARGETS, REALIZATIONS, BUDGET)
SHEETS_BY_NAME = {normalize(sheet.name): sheet for sheet in SHEETS}


def renstra_columns(years: list[int]) -> list[Column]:
    """The Renstra sheet's columns with one "Target <year>" column per year, after "Target Akhir"."""
    columns: list[Column] = []
    for column in RENSTRA.columns:
        columns.append(column)
        if column.header == RENSTRA_TARGETS_AFTER:
            columns += [target_year_column(year) for year in years]
    return columns


# Enum cells


def label_of(choices: type[TextChoices], code: str) -> str:
    """The Indonesian label written into an enum cell."""
    if choices is PerformanceAgreement.Status:
        return STATUS_WORDS[PerformanceAgreement.Status(code)]
    with translation.override("id"):
        return str(choices(code).label)


def accepted_words(choices: type[TextChoices]) -> dict[str, str]:
    """Every word an enum cell accepts, normalized, with the code it stands for: the stored code and
    the Indonesian and English labels (a file made before a translation changed still imports)."""
    words: dict[str, str] = {}
    for code, label in choices.choices:
        for language in ("en", "id"):
            with translation.override(language):
                words[normalize(str(label))] = code
        words[normalize(code)] = code
    if choices is PerformanceAgreement.Status:
        words.update({normalize(word): code for code, word in STATUS_WORDS.items()})
        words[normalize("draf")] = PerformanceAgreement.Status.DRAFT
    return words


def listed_labels(choices: type[TextChoices]) -> str:
    """The accepted labels as the error message and the Petunjuk sheet list them."""
    if choices is PerformanceAgreement.Status:
        return ", ".join(STATUS_WORDS.values())
    with translation.override("id"):
        return ", ".join(f"{label} ({code})" for code, label in choices.choices)
