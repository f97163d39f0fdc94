"""The SOP spreadsheet: the six seeds survive export and import unchanged, the layouts found in practice are
read, and every broken sheet is refused at its row and column with its reason."""

from __future__ import annotations

import copy
import zipfile
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kinerja.org.models import Role
from kinerja.sop.seedfiles import seed_sops
from kinerja.sop.sheets import (
    MAX_STEPS,
    ROLES,
    ImportResult,
    SheetError,
    builtin_role,
    export_workbook,
    import_workbook,
    read_remarks,
)
from kinerja.sop.spec import (
    DurationError,
    Identity,
    Lane,
    ProcedureSpec,
    Step,
    Symbol,
    TimeUnit,
    flow_targets,
    parse_durations,
    problems,
)

SEEDS = seed_sops()


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are compared as written (English msgids); the project's default language is Indonesian."""
    with translation.override("en"):
        yield


TIMES = (
    "15 Menit", "2 Jam", "1 Hari", "1 Minggu", "3 Hari Kalender", "1 – 3 Hari Kerja",
    "1 Hari untuk laporan triwulan dan 15 Hari untuk laporan tahunan", "1,5 Hari", "", "90 Menit",
)  # fmt: skip


def long_spec(count: int) -> ProcedureSpec:
    """An SOP of `count` steps with everything the table can say: joint steps (lead first, not in column
    order), decisions that loop back, a jump over a step, and every kind of time standard."""
    lanes = [
        Lane("kadis", "Kepala Dinas", "head"), Lane("sekretaris", "Sekretaris", "secretary"),
        Lane("kabid", "Kepala Bidang", "division_head"), Lane("perencanaan", "Kasubbag Perencanaan", "planning_head"),
        Lane("staf", "Staf", "staff"),
    ]  # fmt: skip
    steps = []
    for n in range(1, count + 1):
        step = Step(
            number=n,
            text=f"Mengerjakan tahap {n}",
            lanes=[lanes[n % len(lanes)].key],
            inputs=[f"Dokumen {n - 1}"] if n > 1 else [],
            durations=parse_durations(TIMES[n % len(TIMES)]),
            outputs=[f"Dokumen {n}", "Catatan"] if n % 3 == 0 else [f"Dokumen {n}"],
            notes=f"Catatan langkah {n}\nbaris kedua" if n % 4 == 0 else "",
            next=n + 1 if n < count else None,
        )
        if n in (1, count):
            step.symbol = Symbol.TERMINATOR
        elif n % 10 == 0:
            step.symbol, step.next, step.yes, step.no = Symbol.DECISION, None, n + 1, n - 4
            step.question = f"Tahap {n} disetujui?"
        elif n % 7 == 0:
            step.lanes = ["kabid", "sekretaris", "staf"]
        if n == 15:
            step.next = 17  # step 16 is reached from the decision at step 20
        steps.append(step)
    spec = ProcedureSpec(Identity(title=f"SOP {count} langkah", number="001/SOP/2025"), lanes, steps, "setiap bulan")
    assert problems(spec) == []
    return spec


def comparable(spec: ProcedureSpec) -> dict[str, Any]:
    """What must survive the sheet: lanes by label and role, steps by everything the table shows."""
    labels = {lane.key: lane.label for lane in spec.lanes}
    return {
        "identity": spec.identity,
        "trigger": spec.trigger,
        "lanes": [(lane.label, lane.role) for lane in spec.lanes],
        "steps": [
            (
                s.number, s.text, s.symbol, [labels[k] for k in s.lanes], s.inputs, s.outputs, s.durations, s.notes,
                s.exits(), flow_targets(spec, s), s.question, s.yes_label, s.no_label,
            )
            for s in spec.steps
        ],
    }  # fmt: skip


def book(rows: list[list[Any]], *, title: str = "SOP") -> bytes:
    """A workbook with one sheet holding `rows` from A1; a string starting with "=" becomes a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# A single-header table: A No, B Uraian, C Kepala Dinas, D Sekretaris, E Staf, F Kelengkapan, G Waktu, H Output,
# I Keterangan; identity on row 1, the header on row 3, step n on row 3 + n.
HEADER = ["No", "Uraian Kegiatan", "Kepala Dinas", "Sekretaris", "Staf", "Kelengkapan", "Waktu", "Output", "Keterangan"]


def step_row(number: Any, text: str, lanes: str, *, time: str = "15 menit", notes: str = "") -> list[Any]:
    """`lanes` marks the performers: K Kepala Dinas, S Sekretaris, T Staf."""
    marks = ["X" if letter in lanes else None for letter in "KST"]
    return [number, text, *marks, "Dokumen", time, "Dokumen", notes or None]


def table(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    return book([["Nama SOP", None, "Uji"], [], header, *rows])


def simple(*rows: list[Any], header: list[str] = HEADER, **kwargs: Any) -> ImportResult:
    return import_workbook(table(*rows, header=header), "uji.xlsx", **kwargs)


def located(result: ImportResult) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


THREE = [step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", "T"), step_row(3, "Menyampaikan", "S")]


# Round trip


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: seed.slug)
def test_every_seed_survives_export_and_import(seed: Any) -> None:
    result = import_workbook(export_workbook(seed.spec), f"{seed.slug}.xlsx")

    assert result.errors == [] and result.warnings == []
    assert comparable(result.spec) == comparable(seed.spec)


def test_a_long_sop_with_loops_joint_steps_and_every_kind_of_time_survives() -> None:
    spec = long_spec(40)

    result = import_workbook(export_workbook(spec), "panjang.xlsx")

    assert result.errors == []
    assert comparable(result.spec) == comparable(spec)


def test_explicit_flow_and_an_early_end_survive_as_lanjut_lines() -> None:
    spec = ProcedureSpec(
        identity=Identity(title="Alur bercabang"),
        lanes=[Lane("kabid", "Kepala Bidang", "division_head"), Lane("staf", "Staf", "staff")],
        steps=[
            Step(1, "Menugaskan", Symbol.TERMINATOR, ["kabid"], next=2),
            Step(2, "Memeriksa", Symbol.DECISION, ["kabid"], yes=3, no=4, question="Lengkap?"),
            Step(3, "Meneruskan", Symbol.PROCESS, ["staf"], next=5),
            Step(4, "Mengembalikan berkas", Symbol.TERMINATOR, ["staf"]),
            Step(5, "Mengarsipkan", Symbol.TERMINATOR, ["staf"]),
        ],
    )
    data = export_workbook(spec)
    sheet = load_workbook(BytesIO(data))["SOP"]
    notes = {row[0]: row[-1] for row in sheet.iter_rows(min_row=24, values_only=True)}

    result = import_workbook(data, "alur.xlsx")

    assert notes == {1: None, 2: "Lengkap? Ya → 3 / Tidak → 4", 3: "Lanjut → 5", 4: "Lanjut → Selesai", 5: None}
    assert result.errors == []
    assert comparable(result.spec) == comparable(spec)


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    spec = copy.deepcopy(SEEDS[0].spec)
    spec.steps[1].text = "=SUM(A1:A3) dihitung ulang"
    spec.steps[1].notes = "-5 dari target"

    result = import_workbook(export_workbook(spec), "rumus.xlsx")

    assert result.errors == []
    assert result.spec.steps[1].text == "=SUM(A1:A3) dihitung ulang"
    assert result.spec.steps[1].notes == "-5 dari target"


def test_the_export_has_the_usual_layout() -> None:
    spec = copy.deepcopy(SEEDS[3].spec)  # Jeneponto: 4 performers, a decision at step 5
    spec.steps[4].notes = "Diperiksa bersama indikator"
    workbook = load_workbook(BytesIO(export_workbook(spec)))
    sheet = workbook["SOP"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "No")

    assert workbook.sheetnames == ["SOP", "Petunjuk"]
    assert rows[0][:3] == ("Pemerintah", None, "Pemerintah Kabupaten Jeneponto")
    assert rows[header - 1] == (None,) * len(rows[header])
    assert rows[header] == (
        "No",
        "Uraian Kegiatan",
        "Pelaksana",
        None,
        None,
        None,
        "Mutu Baku",
        None,
        None,
        "Keterangan",
    )
    assert rows[header + 1][2:9] == (
        "Kepala Bidang", "Kasubid/Kasubag (bidang/sekretariat pemilik data)", "Analis Data", "Kasubag Perencanaan",
        "Kelengkapan", "Waktu", "Output",
    )  # fmt: skip
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {f"C{header + 1}:F{header + 1}", f"G{header + 1}:I{header + 1}", f"A{header + 1}:A{header + 2}"} <= merged
    decision = rows[header + 6]
    assert decision[:6] == (5, "Memeriksa laporan kinerja", "X", None, None, None)
    assert decision[6:] == (
        "Laporan kinerja",
        "1 Jam",
        "Laporan (disetujui/dikoreksi)\nDisposisi",
        "Diperiksa bersama indikator\nLaporan kinerja disetujui? Ya → 6 / Tidak → 4",
    )
    assert "Petunjuk" in workbook["Petunjuk"]["A1"].value


# The layouts found in practice


def test_a_single_header_sheet_with_the_usual_variants_is_read() -> None:
    data = book(
        [
            ["NAMA SOP", ":", "Penyusunan LKjIP"],
            ["Dasar Hukum", ":", "1. Perpres 29/2014\n2. PermenPAN-RB 53/2014"],
            [None, None, "3. PermenPAN-RB 88/2021"],
            [],
            [
                "NO",
                "URAIAN",
                "Kadis",
                "Sekretaris",
                "Kasubag Perencanaan",
                "Staf",
                "Persyaratan/Kelengkapan",
                "WAKTU",
                "OUTPUT",
                "Ket.",
            ],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)"],
            [1, "Mendisposisikan penyusunan LKjIP", "Mulai", None, None, None, "Surat", "15 menit", "Disposisi", None],
            [2, "Meneruskan disposisi", None, "√", None, None, "Disposisi", "1 jam", "Disposisi", None],
            [3, "Menyusun draf LKjIP", None, None, None, "x", "Data kinerja\nRenstra", "3 hari kerja", "Draf", None],
            [
                4,
                "Memeriksa draf",
                None,
                None,
                "v",
                None,
                "Draf",
                "2 Jam",
                "Draf diperiksa",
                "Pakai format 2024\nDraf lengkap? Ya: 5, Tidak: 3",
            ],
            [5, "Menandatangani LKjIP", 1, 1, None, None, "Draf", "1 – 2 Hari", "LKjIP", None],
            [
                6.0,
                "Mengunggah LKjIP ke aplikasi",
                None,
                None,
                None,
                "•",
                "LKjIP",
                "1 hari kalender",
                "Bukti unggah",
                None,
            ],
        ],  # fmt: skip
        title="Sheet1",
    )

    result = import_workbook(data, "lkjip.xlsx")

    assert result.errors == [], [str(e) for e in result.errors]
    spec = result.spec
    assert spec.identity.title == "Penyusunan LKjIP"
    assert spec.identity.legal_basis == ["Perpres 29/2014", "PermenPAN-RB 53/2014", "PermenPAN-RB 88/2021"]
    assert [(lane.key, lane.label, lane.role) for lane in spec.lanes] == [
        ("kadis", "Kadis", "head"),
        ("sekretaris", "Sekretaris", "secretary"),
        ("kasubag_perencanaan", "Kasubag Perencanaan", "planning_head"),
        ("staf", "Staf", "staff"),
    ]
    assert [s.symbol for s in spec.steps] == [
        Symbol.TERMINATOR, Symbol.PROCESS, Symbol.PROCESS, Symbol.DECISION, Symbol.PROCESS, Symbol.TERMINATOR,
    ]  # fmt: skip
    assert [s.lanes for s in spec.steps] == [
        ["kadis"], ["sekretaris"], ["staf"], ["kasubag_perencanaan"], ["kadis", "sekretaris"], ["staf"],
    ]  # fmt: skip
    decision = spec.steps[3]
    assert (decision.yes, decision.no, decision.question, decision.notes) == (
        5,
        3,
        "Draf lengkap?",
        "Pakai format 2024",
    )
    assert [s.next for s in spec.steps] == [2, 3, 4, None, 6, None]
    assert spec.steps[2].inputs == ["Data kinerja", "Renstra"]
    assert spec.steps[4].durations[0].minimum == Decimal(1) and spec.steps[4].durations[0].amount == Decimal(2)
    assert spec.steps[5].durations[0].calendar
    assert spec.steps[1].durations[0].unit == TimeUnit.HOUR
    assert result.warnings == []


def test_a_two_row_header_with_a_keputusan_column_is_read() -> None:
    data = book(
        [
            ["Judul SOP", "Verifikasi Data"],
            ["Pelaksana", None, None],
            ["No.", "Kegiatan", "Pelaksana", None, "Mutu Baku", None, None, "Keputusan", "Keterangan"],
            [None, None, "Kepala Seksi", "Operator", "Kelengkapan", "Waktu", "Output", None, None],
            [1, "Menerima data", None, "X", None, "5 menit", "Data", None, None],
            [
                2,
                "Memverifikasi data",
                "X",
                None,
                "Data",
                "1 jam",
                "Data terverifikasi",
                "Valid? Ya → 3 / Tidak → 1",
                "Cek NIK",
            ],
            [3, "Menyimpan data", None, "X", None, "5 menit", None, None, None],
        ]  # fmt: skip
    )

    result = import_workbook(data, "verifikasi.xlsx")

    assert result.errors == []
    spec = result.spec
    assert spec.identity.title == "Verifikasi Data"
    assert [(lane.label, lane.role) for lane in spec.lanes] == [("Kepala Seksi", "section_head"), ("Operator", "staff")]
    assert (spec.steps[1].symbol, spec.steps[1].yes, spec.steps[1].no) == (Symbol.DECISION, 3, 1)
    assert (spec.steps[1].question, spec.steps[1].notes) == ("Valid?", "Cek NIK")
    assert [str(w) for w in result.warnings] == [
        "Row 2, column A: “Pelaksana” is not an identity field and is ignored."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ya → 6 / Tidak → 4",
        "Ya -> 6; Tidak -> 4",
        "Ya: 6, Tidak: 4",
        "YA → 6 / TIDAK → 4",
        "ya ke 6 / tidak ke 4",
        "Tidak → 4 / Ya → 6",
        "Ya → langkah 6 / Tdk → langkah 4.",
    ],
)
def test_decision_rules_are_read_in_the_usual_ways(text: str) -> None:
    remarks = read_remarks(f"Catatan pertama\n{text}")

    assert (remarks.rule.yes, remarks.rule.no, remarks.notes, remarks.problems) == (6, 4, "Catatan pertama", [])


def test_a_decision_rule_keeps_its_question_and_its_own_labels() -> None:
    remarks = read_remarks("Berkas lengkap? Ya (Lengkap) → 6 / Tidak (Belum lengkap) → 4")

    assert (remarks.rule.question, remarks.rule.yes_label, remarks.rule.no_label) == (
        "Berkas lengkap?", "Lengkap", "Belum lengkap",
    )  # fmt: skip


@pytest.mark.parametrize("text, target", [("→ 7", 7), ("Lanjut ke 7", 7), ("lanjut -> langkah 7", 7),
                                          ("Kembali ke 2", 2), ("Lanjut → Selesai", "Selesai")])  # fmt: skip
def test_flow_lines_are_read(text: str, target: int | str) -> None:
    remarks = read_remarks(f"Tidak: 3 hari untuk revisi\n{text}")

    assert (remarks.next, remarks.notes, remarks.rule) == (target, "Tidak: 3 hari untuk revisi", None)


@pytest.mark.parametrize(
    "label, role",
    [
        ("Kepala Dinas", "head"), ("KADIS", "head"), ("Kepala SKPD (Kepala Dinas)", "head"), ("Kepala Badan", "head"),
        ("Sekretaris", "secretary"), ("Sekertaris", "secretary"), ("Kepala Bidang", "division_head"),
        ("Kabid", "division_head"), ("Kasubbag Program", "planning_head"), ("KASUBAG P&P", "planning_head"),
        ("Kasubbag PEK&K", "planning_head"), ("Kepala Sub Bagian (Program/Perencanaan)", "planning_head"),
        ("Perencanaan", "planning_head"), ("Kasubag Umum", "section_head"), ("Kasie", "section_head"),
        ("Kepala Seksi", "section_head"), ("Kasubid/Kasubag (bidang)", "section_head"), ("Staf", "staff"),
        ("Analis Data", "staff"), ("Pegawai Fungsional", "staff"), ("Tim SAKIP", "staff"), ("Bendahara", "staff"),
        ("Penyusun Program Anggaran dan Pelaporan", "staff"), ("Operator", "staff"), ("Pengelola Data", ""),
    ],
)  # fmt: skip
def test_performer_titles_map_to_roles(label: str, role: str) -> None:
    assert builtin_role(label) == role


def test_the_roles_are_those_of_the_organisation() -> None:
    assert set(ROLES) == set(Role.values)


# Performers


def test_known_performers_name_columns_the_titles_do_not() -> None:
    header = [*HEADER[:4], "Pengelola Data", *HEADER[5:]]

    result = simple(*THREE, header=header, known_performers={"pengelola  DATA": "staff", "Sekretaris": "head"})

    assert result.errors == []
    assert [(lane.label, lane.role) for lane in result.spec.lanes] == [
        ("Kepala Dinas", "head"), ("Sekretaris", "head"), ("Pengelola Data", "staff"),
    ]  # fmt: skip


def test_the_sheet_may_give_roles_itself() -> None:
    data = book(
        [["Nama SOP", None, "Uji"], ["Peran Pelaksana", None, "Pengelola Data = staff\nKepala Dinas = head"], [],
         [*HEADER[:4], "Pengelola Data", *HEADER[5:]], *THREE]
    )  # fmt: skip

    result = import_workbook(data, "uji.xlsx")

    assert result.errors == []
    assert result.spec.lanes[2].role == "staff"


def test_a_role_that_does_not_exist_is_refused() -> None:
    data = book([["Nama SOP", None, "Uji"], ["Peran Pelaksana", None, "Staf = boss"], [], HEADER, *THREE])

    result = import_workbook(data, "uji.xlsx")

    assert result.spec is None
    assert located(result) == [(2, "")]
    assert "“boss” is not a role" in result.errors[0].message


# Refusals, each at its row and column


def test_an_unknown_performer_is_refused_naming_its_column_and_header() -> None:
    result = simple(*THREE, header=[*HEADER[:4], "Pengelola Data", *HEADER[5:]])

    assert result.spec is None
    assert located(result) == [(3, "E")]
    assert "“Pengelola Data”" in result.errors[0].message and "column E" in result.errors[0].message
    assert str(result.errors[0]).startswith("Row 3, column E: The performer “Pengelola Data” in column E is not known")


def test_a_decision_to_a_missing_step_is_refused() -> None:
    result = simple(
        step_row(1, "Memerintahkan", "K"), step_row(2, "Memeriksa", "S", notes="Ya → 9 / Tidak → 1"),
        step_row(3, "Menyampaikan", "T"),
    )  # fmt: skip

    assert result.errors == [SheetError(5, "I", "It points to step 9, which does not exist.")]


def test_a_time_that_is_not_a_time_standard_is_refused_with_the_reason() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", "T", time="sebentar"),
                    step_row(3, "Menyampaikan", "S"))  # fmt: skip

    with pytest.raises(DurationError) as reason:
        parse_durations("sebentar")
    assert result.errors == [SheetError(5, "G", str(reason.value))]


def test_a_cycle_with_no_exit_and_an_unreachable_step_are_refused_at_their_rows() -> None:
    result = simple(
        step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", "T"),
        step_row(3, "Memeriksa", "S", notes="Lanjut → 2"), step_row(4, "Menyampaikan", "S"),
    )  # fmt: skip

    assert result.spec is None
    by_row = {(e.row, e.message) for e in result.errors}
    cycle = "The flow from this step goes round in a cycle with no exit."
    assert by_row == {(4, cycle), (5, cycle), (6, cycle), (7, "No path from step 1 reaches this step.")}


def test_a_flow_with_no_end_at_all_is_refused() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", "T"),
                    step_row(3, "Memeriksa", "S", notes="Lanjut → 2"))  # fmt: skip

    assert [(e.row, e.message) for e in result.errors] == [
        (0, "The flow has no end: every step leads to another, so a case could never finish.")
    ]


def test_a_decision_with_both_exits_to_one_step_is_refused() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Memeriksa", "S", notes="Ya → 1 / Tidak → 1"),
                    step_row(3, "Menyampaikan", "T"))  # fmt: skip

    assert result.errors == [SheetError(5, "I", "The Ya and Tidak exits go to the same step.")]


@pytest.mark.parametrize(
    "notes, message",
    [
        ("Ya → 3", "A decision needs both a Ya and a Tidak exit."),
        ("Ya → 3 / Ya → 1", "A decision rule needs one Ya and one Tidak exit, e.g. “Ya → 6 / Tidak → 4”."),
        ("Ya → 3 / Tidak → 1\nLanjut → 3", "A decision goes on by its Ya and Tidak exits; remove “Lanjut → 3”."),
        ("Lanjut → 2", "The step points to itself."),
    ],
)
def test_a_broken_flow_line_is_refused(notes: str, message: str) -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Memeriksa", "S", notes=notes),
                    step_row(3, "Menyampaikan", "T"))  # fmt: skip

    assert result.errors == [SheetError(5, "I", message)]


def test_a_step_without_a_performer_mark_is_refused() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", ""), step_row(3, "Menyampaikan", "S"))

    assert located(result) == [(5, "C")]
    assert "no performer" in result.errors[0].message


def test_a_step_out_of_order_is_refused() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", "T"), step_row(4, "Menyampaikan", "S"))

    assert result.errors == [
        SheetError(6, "A", "The step is numbered 4, but 3 comes next: number the steps 1, 2, 3 … in order.")
    ]


def test_a_number_that_is_not_a_number_and_text_without_a_number_are_refused() -> None:
    result = simple(
        step_row(1, "Memerintahkan", "K"), step_row("dua", "Menyusun", "T"), step_row(None, "Lanjutan", "T")
    )

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (5, "A", "“dua” is not a step number."),
        (6, "A", "The row has an activity but no step number."),
    ]


def test_a_formula_is_refused_where_it_is() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Menyusun", "T", time="=B4&\" menit\""),
                    step_row(3, "Menyampaikan", "S"))  # fmt: skip

    assert located(result) == [(5, "G")]
    assert "formulas are not accepted" in result.errors[0].message


def test_more_than_the_limit_of_steps_is_refused() -> None:
    rows = [step_row(n, f"Langkah {n}", "T") for n in range(1, MAX_STEPS + 2)]

    result = simple(*rows)

    assert result.errors == [
        SheetError(3 + MAX_STEPS + 1, "", f"The SOP has more than {MAX_STEPS} steps; split it into several SOPs.")
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7\n1 0 obj\n%%EOF", "This file is not an Excel workbook (.xlsx)"),
        (b"No;Uraian;Staf\n1;Menyusun;X\n", "This kind of file is not accepted"),
        (b"", "The file is empty."),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(data: bytes, message: str) -> None:
    result = import_workbook(data, "sop.xlsx")

    assert result.spec is None
    assert [(e.row, e.column) for e in result.errors] == [(0, "")]
    assert result.errors[0].message.startswith(message)


def test_a_damaged_workbook_is_refused() -> None:
    good = table(*THREE)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(good)) as source, zipfile.ZipFile(out, "w") as damaged:
        for entry in source.infolist():
            content = source.read(entry)
            damaged.writestr(entry, content[: len(content) // 2] if entry.filename.endswith("sheet1.xml") else content)

    result = import_workbook(out.getvalue(), "sop.xlsx")

    assert [e.message for e in result.errors] == [
        "The workbook could not be read; it may be damaged. Save it again as .xlsx."
    ]


def test_a_sheet_without_a_table_header_is_refused() -> None:
    result = import_workbook(book([["Nama SOP", "Uji"], ["Langkah", "Uraian"]]), "sop.xlsx")

    assert [(e.row, e.column) for e in result.errors] == [(0, "")]
    assert result.errors[0].message.startswith("No table header was found")


def test_the_title_comes_from_the_sheet_name_only_when_that_names_something() -> None:
    rows = [HEADER, *THREE]

    named = import_workbook(book(rows, title="Pengukuran Kinerja"), "sop.xlsx")
    unnamed = import_workbook(book(rows, title="Sheet1"), "sop.xlsx")

    assert named.spec.identity.title == "Pengukuran Kinerja"
    assert unnamed.spec is None
    assert unnamed.errors == [
        SheetError(0, "", "The SOP has no title: add a row “Nama SOP” with its title above the table.")
    ]


def test_a_signature_block_below_the_table_is_ignored_with_a_warning() -> None:
    data = book(
        [["Nama SOP : Pengumpulan Data"], [], HEADER, *THREE, [], [None, "Mengetahui,"], [None, "Kepala Dinas"]]
    )

    result = import_workbook(data, "uji.xlsx")

    assert result.errors == []
    assert result.spec.identity.title == "Pengumpulan Data"
    assert [(w.row, w.message) for w in result.warnings] == [
        (8, "The row is below the table and is ignored."),
        (9, "The row is below the table and is ignored."),
    ]


def test_a_decision_cannot_also_end_the_flow_by_a_lanjut_line() -> None:
    result = simple(step_row(1, "Memerintahkan", "K"), step_row(2, "Memeriksa", "S", notes="Ya → 3 / Tidak → 1\n→ Selesai"),
                    step_row(3, "Menyampaikan", "T"))  # fmt: skip

    assert result.errors == [
        SheetError(5, "I", "A decision goes on by its Ya and Tidak exits; remove “Lanjut → Selesai”.")
    ]


def test_time_cases_on_separate_lines_are_read_as_cases() -> None:
    result = simple(
        step_row(1, "Memerintahkan", "K"),
        step_row(2, "Menyusun", "T", time="1 Hari untuk laporan triwulan\n15 Hari untuk laporan tahunan"),
        step_row(3, "Menyampaikan", "S"),
    )

    assert [(d.amount, d.condition) for d in result.spec.steps[1].durations] == [
        (Decimal(1), "laporan triwulan"),
        (Decimal(15), "laporan tahunan"),
    ]


def test_problems_stop_at_a_missing_step_in_any_language() -> None:
    from django.utils import translation

    from kinerja.sop.seedfiles import seed_sops
    from kinerja.sop.spec import problems

    spec = copy.deepcopy(seed_sops()[3].spec)
    spec.steps[4].no = 9
    with translation.override("id"):
        found = problems(spec)
    assert [p.step for p in found] == [5]
