"""Evaluasi terhadap Hasil Renja Perangkat Daerah (Permendagri 86/2017) as an Excel workbook: the form's title,
its two-row header of 18 numbered columns (5 to 16 split into K and Rp), the rows of `renja_table`, the average
achievement and its predicate, the rows left for the evaluator, and the head of agency's signature, printable on
A4 landscape.

The sheet is the official Indonesian form, so its text is Indonesian whatever the reader's language. A column the
application keeps no data for is left empty and its header says what it holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.measurement.excel.renja_table import (
    LAST_COLUMN,
    PAIRED,
    ROMAN,
    RP,
    K,
    Row,
    Table,
    column,
    percent,
    table,
)
from kinerja.measurement.predicates import classify
from kinerja.org.models import Agency, Assignment, Position, Role
from kinerja.org.selectors import holder_of_position
from kinerja.planning.models import StrategicPlan
from kinerja.planning.selectors import plan_for

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")  # fmt: skip
SHEET_TITLE = "Evaluasi Renja"
NUMBER_FORMAT, FRACTION_FORMAT = "#,##0", "#,##0.00##"
MONEY_FORMAT, PERCENT_FORMAT = "#,##0", "0.00"
WIDTHS = {1: 5, 2: 26, 3: 22, 4: 36, 17: 20, 18: 34}
K_WIDTH, RP_WIDTH = 11, 15
# The form's own table starts below its title rows.
TITLE_ROW, HEADER_ROW = 1, 6
FIRST_DATA_ROW = HEADER_ROW + 3

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_SMALL = Font(italic=True, size=9)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TOP = Alignment(vertical="top", wrap_text=True)
_NUMBER = Alignment(horizontal="right", vertical="top")


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# Header text


def headers(plan: StrategicPlan | None, year: int, quarter: int) -> dict[int, str]:
    """The title of each form column, saying what the application fills it with."""
    end_year = plan.end_year if plan else year
    if plan is not None and plan.covers(year - 1):
        earlier = f"K: realisasi tahun {year - 1}; Rp: realisasi {plan.start_year}–{year - 1}"
    else:
        earlier = "kosong: tahun pertama Renstra"
    upto = ROMAN[quarter - 1]
    return {
        1: "No",
        2: "Sasaran",
        3: "Program/Kegiatan",
        4: "Indikator Kinerja Program (outcome)/Kegiatan (output)",
        5: "Data capaian pada awal tahun perencanaan (K: baseline Renstra; Rp: tidak tersedia)",
        6: f"Target kinerja dan anggaran Renstra Perangkat Daerah tahun ke-5 ({end_year}) (Rp: pagu indikatif "
        "Renstra tidak tersedia)",
        7: f"Realisasi target kinerja dan anggaran Renstra Perangkat Daerah s.d. tahun lalu ({earlier})",
        8: f"Target kinerja dan anggaran Renja Perangkat Daerah tahun berjalan ({year}) (K: target PK; Rp: pagu)",
        9: "Realisasi kinerja pada triwulan I",
        10: "Realisasi kinerja pada triwulan II",
        11: "Realisasi kinerja pada triwulan III",
        12: "Realisasi kinerja pada triwulan IV",
        13: f"Realisasi capaian kinerja dan anggaran Renja Perangkat Daerah yang dievaluasi (s.d. triwulan {upto})",
        14: "Tingkat capaian kinerja dan realisasi anggaran Renja Perangkat Daerah yang dievaluasi (%) (K: thd. "
        "target s.d. triwulan; Rp: 13/8)",
        15: f"Realisasi kinerja dan anggaran Renstra Perangkat Daerah s.d. tahun {year} (K: realisasi tahun "
        "berjalan; Rp: 7 + 13)",
        16: f"Tingkat capaian kinerja dan realisasi anggaran Renstra Perangkat Daerah s.d. tahun {year} (%) (K: 15 "
        "thd. 6; Rp: tidak tersedia)",
        17: "Unit Perangkat Daerah penanggung jawab",
        18: "Keterangan",
    }


def notes(quarter: int) -> list[str]:
    """How the application filled the form, printed under it."""
    upto = ROMAN[quarter - 1]
    return [
        "Catatan pengisian:",
        "K = kinerja (realisasi indikator dalam satuannya); Rp = anggaran (rupiah). Baris indikator memuat K, baris "
        "program/kegiatan memuat Rp; setiap program/kegiatan dicantumkan sekali, di bawah sasaran pertama dari "
        "indikator yang didukungnya.",
        f"Kolom 13 K: realisasi s.d. triwulan {upto} menurut cara agregasi indikator (jumlah, nilai terakhir atau "
        f"rata-rata triwulan); kolom 14 K: capaian terhadap target s.d. triwulan {upto} menurut polaritas "
        "indikator (makin rendah makin baik dihitung (2T − R)/T × 100).",
        "Target Renstra ditetapkan per tahun, sehingga realisasi kinerja tahun-tahun sebelumnya tidak dijumlahkan: "
        "kolom 15 K memuat realisasi tahun berjalan dan kolom 16 K membandingkannya dengan target akhir Renstra "
        "(kolom 6). Kolom 15 Rp = kolom 7 Rp + kolom 13 Rp.",
        "Pagu indikatif Renstra dan anggaran sebelum periode Renstra tidak tersimpan dalam aplikasi, sehingga kolom "
        "5 Rp, 6 Rp dan 16 Rp dibiarkan kosong.",
        "Jumlah dan rata-rata anggaran dihitung dari program/kegiatan tingkat teratas, tanpa menghitung kegiatan dua "
        "kali; rata-rata capaian kinerja dari indikator yang capaiannya dapat dihitung.",
    ]


# The signature


@dataclass(frozen=True)
class Signer:
    title: str
    name: str
    rank: str
    nip: str


def head_of(agency: Agency, on: date) -> Signer:
    """The head of the agency as the form is signed: the acting holder (Plt./Plh.) first."""
    position = Position.objects.filter(agency=agency, role=Role.HEAD, is_active=True).order_by("pk").first()
    if position is None:
        return Signer("KEPALA PERANGKAT DAERAH", "", "", "")
    holder = holder_of_position(position, on=on)
    employee = holder.employee if holder else None
    prefix = f"{holder.acting_title or 'Plt.'} " if holder and holder.kind == Assignment.Kind.ACTING else ""
    return Signer(
        title=f"{prefix}{position.title}".upper(), name=employee.name if employee else "",
        rank=employee.get_rank_display() if employee and employee.rank else "",
        nip=f"NIP. {employee.nip_display}" if employee else "",
    )  # fmt: skip


def place_of(agency: Agency) -> str:
    """The place the form is signed in: the local government's name without its kind ("Kabupaten", "Kota")."""
    government = agency.local_government.name if agency.local_government_id else ""
    for word in ("Kabupaten ", "Kota ", "Provinsi "):
        if government.startswith(word):
            return government[len(word) :]
    return government


# The sheet


class FormSheet:
    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet

    def put(self, row: int, col: int, value: Any, **style: Any) -> Any:
        cell = self.sheet.cell(row=row, column=col)
        if value is not None and value != "":
            cell.value = value
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def merge(self, row: int, col: int, last_row: int, last_col: int, value: Any, **style: Any) -> None:
        self.put(row, col, value, **style)
        if (row, col) != (last_row, last_col):
            self.sheet.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)

    def frame(self, first_row: int, last_row: int, first_col: int = 1, last_col: int = LAST_COLUMN) -> None:
        for row in self.sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
            for cell in row:
                cell.border = _BORDER


def _titles(form: FormSheet, agency: Agency, plan: StrategicPlan | None, year: int, quarter: int) -> None:
    lines = [
        (f"EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH {agency.name.upper()}", _TITLE),
        (f"PERIODE PELAKSANAAN: TAHUN {year}", _BOLD),
        (f"TRIWULAN {ROMAN[quarter - 1]}", _BOLD),
        (f"Renstra: {_plan_label(plan)}" if plan else "Renstra: belum ada", None),
    ]
    for offset, (text, font) in enumerate(lines):
        style: dict[str, Any] = {"alignment": Alignment(horizontal="center")}
        if font is not None:
            style["font"] = font
        form.merge(TITLE_ROW + offset, 1, TITLE_ROW + offset, LAST_COLUMN, text, **style)


def _plan_label(plan: StrategicPlan) -> str:
    years = f"{plan.start_year}–{plan.end_year}"
    return plan.name if str(plan.start_year) in plan.name else f"{plan.name} ({years})"


def _header(form: FormSheet, titles: dict[int, str]) -> None:
    top, sub, numbers = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2
    head = {"font": _BOLD, "alignment": _CENTER, "fill": _HEADER_FILL}
    for number, text in titles.items():
        if number in PAIRED:
            form.merge(top, column(number, K), top, column(number, RP), text, **head)
            form.put(sub, column(number, K), K, **head)
            form.put(sub, column(number, RP), RP, **head)
            form.merge(numbers, column(number, K), numbers, column(number, RP), number, **head)
        else:
            form.merge(top, column(number), sub, column(number), text, **head)
            form.put(numbers, column(number), number, **head)
    form.sheet.row_dimensions[top].height = 150
    form.frame(top, numbers)


def _format(cell: Any, col: int) -> None:
    if not isinstance(cell.value, int | float):
        cell.alignment = _TOP
        return
    cell.alignment = _NUMBER
    if col < column(5) or col > column(16, RP):
        return
    if col in (column(14), column(14, RP), column(16), column(16, RP)):
        cell.number_format = PERCENT_FORMAT
    elif (col - column(5)) % 2 == 1:  # an Rp column
        cell.number_format = MONEY_FORMAT
    else:
        cell.number_format = NUMBER_FORMAT if isinstance(cell.value, int) else FRACTION_FORMAT


def _height(cells: dict[int, Any]) -> float:
    """A row tall enough for its longest wrapped text: Excel does not grow a row for wrapped text by itself."""
    lines = 1
    for col, value in cells.items():
        if isinstance(value, str):
            width = WIDTHS.get(_form_number(col), K_WIDTH)
            lines = max(lines, sum(math.ceil(max(len(part), 1) / (width * 1.1)) for part in value.split("\n")))
    return 15.0 * lines


def _form_number(col: int) -> int:
    if col <= 4:
        return col
    if col <= column(16, RP):
        return 5 + (col - 5) // 2
    return 17 + (col - column(17))


def _body(form: FormSheet, data: Table) -> int:
    """The rows of every objective, the totals, the averages and the predicates; returns the next free row."""
    row_number = FIRST_DATA_ROW
    for index, block in enumerate(data.blocks, start=1):
        first = row_number
        rows = block.rows or [Row({}, "empty")]
        for row in rows:
            for col, value in row.cells.items():
                _format(form.put(row_number, col, value), col)
            form.sheet.row_dimensions[row_number].height = _height(row.cells)
            row_number += 1
        if block.objective is not None:
            label = f"{block.objective.code} {block.objective.statement}"
            number: Any = index
        else:
            label, number = "Program/kegiatan yang tidak terkait indikator rencana ini", None
        form.merge(first, 1, row_number - 1, 1, number, alignment=Alignment(horizontal="center", vertical="top"))
        form.merge(first, 2, row_number - 1, 2, label, alignment=_TOP)
    summary = data.summary
    label_style = {"font": _BOLD, "alignment": _TOP, "fill": _GROUP_FILL}
    form.merge(row_number, 1, row_number, 4, "Jumlah anggaran (program/kegiatan tingkat teratas)", **label_style)
    for col, value in data.totals.cells.items():
        _format(form.put(row_number, col, value, font=_BOLD), col)
    row_number += 1
    averages = {
        column(14): summary.average_k, column(14, RP): summary.average_rp, column(16): summary.average_renstra,
    }  # fmt: skip
    form.merge(row_number, 1, row_number, 4, "Rata-rata capaian kinerja dan realisasi anggaran (%)", **label_style)
    for col, value in averages.items():
        _format(form.put(row_number, col, percent(value), font=_BOLD), col)
    row_number += 1
    form.merge(row_number, 1, row_number, 4, "Predikat kinerja", **label_style)
    for col, value in averages.items():
        band = classify(value, summary.bands)
        form.put(row_number, col, band.label if band else None, font=_BOLD, alignment=_CENTER)
    form.frame(FIRST_DATA_ROW, row_number)
    return row_number + 2


FACTORS = (
    "Faktor pendorong keberhasilan pencapaian",
    "Faktor penghambat pencapaian kinerja",
    "Tindak lanjut yang diperlukan dalam triwulan berikutnya",
    "Tindak lanjut yang diperlukan dalam Renja Perangkat Daerah berikutnya",
)


def _factors(form: FormSheet, first: int) -> int:
    """Rows for the evaluator to write in: the label, and a wide empty cell."""
    for offset, label in enumerate(FACTORS):
        row = first + offset
        form.merge(row, 1, row, 4, label, font=_BOLD, alignment=_TOP)
        form.merge(row, 5, row, LAST_COLUMN, None, alignment=_TOP)
        form.sheet.row_dimensions[row].height = 45
    form.frame(first, first + len(FACTORS) - 1)
    return first + len(FACTORS) + 1


def _notes(form: FormSheet, first: int, lines: list[str]) -> int:
    for offset, text in enumerate(lines):
        form.merge(first + offset, 1, first + offset, LAST_COLUMN, text, font=_SMALL, alignment=_TOP)
        form.sheet.row_dimensions[first + offset].height = 15 if offset == 0 else 27
    return first + len(lines) + 1


def _signature(form: FormSheet, first: int, place: str, on: date, signer: Signer) -> int:
    start = column(15)
    lines: list[tuple[str, Font | None]] = [
        (f"{place}, {long_date(on)}" if place else long_date(on), None),
        (signer.title, _BOLD),
        ("", None),
        ("", None),
        ("", None),
        (signer.name, Font(bold=True, underline="single")),
        (signer.rank, None),
        (signer.nip, None),
    ]
    for offset, (text, font) in enumerate(lines):
        style: dict[str, Any] = {"alignment": Alignment(horizontal="center", wrap_text=True)}
        if font is not None:
            style["font"] = font
        form.merge(first + offset, start, first + offset, LAST_COLUMN, text, **style)
    form.sheet.row_dimensions[first + 1].height = 30
    return first + len(lines)


def _layout(sheet: Worksheet, last_row: int) -> None:
    for col in range(1, LAST_COLUMN + 1):
        number = _form_number(col)
        width = WIDTHS.get(number) or (RP_WIDTH if number in PAIRED and (col - column(5)) % 2 else K_WIDTH)
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=column(5)).coordinate
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 2}"
    sheet.print_area = f"A1:{get_column_letter(LAST_COLUMN)}{last_row}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5


def renja_workbook(agency: Agency, year: int, quarter: int, *, on: date | None = None) -> bytes:
    """The form for `agency`'s `year` up to `quarter` (1–4), as .xlsx bytes, signed on `on` (today by default)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1 to 4, not {quarter!r}")
    on = on or timezone.localdate()
    plan = plan_for(agency, year)
    if plan is not None and not plan.covers(year):
        plan = None
    with translation.override("id"):  # the reasons `measure` gives are gettext strings; the form is Indonesian
        data = table(agency, plan, year, quarter)
        book = Workbook()
        sheet = book.active
        sheet.title = SHEET_TITLE
        form = FormSheet(sheet)
        _titles(form, agency, plan, year, quarter)
        _header(form, headers(plan, year, quarter))
        row = _body(form, data)
        row = _factors(form, row)
        row = _notes(form, row, notes(quarter))
        last = _signature(form, row, place_of(agency), on, head_of(agency, on))
        _layout(sheet, last)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
