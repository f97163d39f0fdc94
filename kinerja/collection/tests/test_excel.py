"""The offline form: the draft downloaded as a workbook, filled in, uploaded back, previewed and merged."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.collection import services
from kinerja.collection.excel import read_form
from kinerja.collection.models import Submission, SubmissionLine
from kinerja.collection.tests.test_views import _client
from kinerja.lib.xlsx import XLSX

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_root(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def opened(dishub, perencanaan) -> services.OpenedPeriod:  # type: ignore[no-untyped-def]
    return services.open_period(agency=dishub, year=2026, quarter=3, by=perencanaan)


def _division(opened: services.OpenedPeriod, name: str) -> Submission:
    return next(r.submission for r in opened.requests if r.kind == "division" and r.unit.name == name)


@pytest.fixture
def lalu_lintas(opened: services.OpenedPeriod) -> Submission:
    return _division(opened, "Bidang Lalu Lintas")


@pytest.fixture
def angkutan(opened: services.OpenedPeriod) -> Submission:
    return _division(opened, "Bidang Angkutan")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads waiting for their confirmation are kept in the default storage: a temporary folder here."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _download(client: Client, submission: Submission) -> bytes:
    response = client.get(reverse("collection-excel", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return response.content


def _filled(data: bytes, cells: dict[tuple[str, str], Any], sheet: str = "Realisasi") -> bytes:
    """The workbook with cells (indicator code, column header) → value set on the Realisasi sheet."""
    book = load_workbook(BytesIO(data))
    worksheet = book[sheet]
    header = [cell.value for cell in worksheet[1]]
    for row in worksheet.iter_rows(min_row=2):
        code = row[0].value
        for (wanted, column), value in cells.items():
            if wanted == code:
                row[header.index(column)].value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Client, submission: Submission, data: bytes, name: str = "formulir.xlsx") -> Any:
    return client.post(
        reverse("collection-excel-upload", args=[submission.pk]), {"file": SimpleUploadedFile(name, data, XLSX)}
    )


def _confirm(client: Client, submission: Submission, response: Any, **extra: str) -> Any:
    token = response.context["form"]["token"].value()
    return client.post(reverse("collection-excel-confirm", args=[submission.pk]), {"token": token, **extra})


def _lines(submission: Submission) -> dict[str, SubmissionLine]:
    return {line.indicator.code: line for line in submission.lines.select_related("indicator")}


def _errors(response: Any) -> list[str]:
    return response.context["upload"].errors


# The round trip


def test_the_form_is_downloaded_filled_uploaded_previewed_and_saved(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    response = staff.get(reverse("collection-excel", args=[lalu_lintas.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="kinerja-LL-2026-TW3.xlsx"'
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Petunjuk", "Realisasi", "Identitas"]
    sheet = book["Realisasi"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == [
        "Kode Indikator", "Indikator", "Satuan", "Target Triwulan", "Target Tahunan", "Realisasi Triwulan Lalu"
    ]  # fmt: skip
    assert header[6:] == [
        "Realisasi", "Tidak Ada Data (alasan)", "Faktor Pendukung", "Faktor Penghambat", "Tindak Lanjut", "Versi"
    ]  # fmt: skip
    assert sheet.column_dimensions["L"].hidden
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(_lines(lalu_lintas))
    assert rows["IKK.LL.2"]["Realisasi"] == pytest.approx(69.58) and rows["IKK.LL.2"]["Versi"] == 1  # numbers
    help_text = " ".join(str(c) for row in book["Petunjuk"].iter_rows(values_only=True) for c in row if c)
    assert "Realisasi Triwulan Lalu" in help_text and "Shown for reading only" in help_text

    before = _lines(lalu_lintas)
    filled = _filled(
        response.content,
        {("IKU.1", "Realisasi"): 82, ("IKK.LL.2", "Realisasi"): "70,5",
         ("IKS.LL.1", "Faktor Pendukung"): "Dukungan kepolisian"},
    )  # fmt: skip
    preview = _upload(staff, lalu_lintas, filled)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "70.5" in page and "Dukungan kepolisian" in page and "IKU.1" in page
    changes = {(c.indicator.code, c.field, c.old, c.new) for c in preview.context["upload"].changes}
    assert ("IKU.1", "Realisasi", "81", "82") in changes
    assert ("IKS.LL.1", "Faktor Pendukung", before["IKS.LL.1"].factors_helped, "Dukungan kepolisian") in changes
    assert not any(code == "IKK.LL.1" for code, *_rest in changes)  # unchanged rows are not listed
    assert _lines(lalu_lintas)["IKU.1"].value == before["IKU.1"].value  # the preview saves nothing

    done = _confirm(staff, lalu_lintas, preview)
    assert done.status_code == 302 and done["Location"] == reverse("collection-submission", args=[lalu_lintas.pk])
    after = _lines(lalu_lintas)
    assert after["IKU.1"].value == Decimal(82) and after["IKK.LL.2"].value == Decimal("70.5")
    assert after["IKS.LL.1"].factors_helped == "Dukungan kepolisian"
    assert [after[c].version for c in ("IKU.1", "IKK.LL.2", "IKS.LL.1", "IKK.LL.1")] == [2, 2, 2, 1]
    assert after["IKU.1"].updated_by.username == "staf"
    # The same token cannot be applied twice.
    again = _confirm(staff, lalu_lintas, preview)
    assert again.status_code == 302 and _lines(lalu_lintas)["IKU.1"].version == 2


def test_the_submission_page_offers_the_offline_form(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    url = reverse("collection-submission", args=[lalu_lintas.pk])
    staff_page = _client(login, "staf").get(url).content.decode()
    assert reverse("collection-excel", args=[lalu_lintas.pk]) in staff_page
    assert reverse("collection-excel-upload", args=[lalu_lintas.pk]) in staff_page
    reader_page = _client(login, "kabid").get(url).content.decode()
    assert reverse("collection-excel", args=[lalu_lintas.pk]) in reader_page
    assert reverse("collection-excel-upload", args=[lalu_lintas.pk]) not in reader_page


def test_a_decimal_comma_is_read_exactly_and_a_blank_is_not_zero(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    data = _download(_client(login, "staf"), lalu_lintas)
    upload = read_form(lalu_lintas, _filled(data, {("IKK.LL.2", "Realisasi"): "12,5", ("IKS.LL.1", "Realisasi"): None}))
    assert upload.errors == []
    by_id = {item.indicator_id: item for item in upload.inputs}
    lines = _lines(lalu_lintas)
    assert by_id[lines["IKK.LL.2"].indicator_id].value == Decimal("12.5")
    assert by_id[lines["IKS.LL.1"].indicator_id].value is None  # cleared: not reported, not 0
    assert len(upload.inputs) == 2


def test_a_row_left_out_keeps_its_line(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(BytesIO(_download(_client(login, "staf"), lalu_lintas)))
    book["Realisasi"].delete_rows(2, 4)
    out = BytesIO()
    book.save(out)
    upload = read_form(lalu_lintas, out.getvalue())
    assert upload.errors == [] and upload.changes == [] and upload.inputs == []


# What is refused


def test_an_ambiguous_number_is_refused_with_its_row_and_column(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    data = _filled(_download(staff, lalu_lintas), {("IKK.LL.1", "Realisasi"): "1.234"})
    response = _upload(staff, lalu_lintas, data)
    (error,) = _errors(response)
    assert error.startswith("Sheet Realisasi, row 3, column Realisasi:") and "ambiguous" in error
    assert response.context["form"] is None
    assert _lines(lalu_lintas)["IKK.LL.1"].version == 1


def test_a_formula_is_refused(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    data = _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): "=80+2"})
    (error,) = _errors(_upload(staff, lalu_lintas, data))
    assert error.startswith("Sheet Realisasi, row 2, column Realisasi:") and "formulas are not accepted" in error


def test_an_unknown_code_a_duplicate_and_a_changed_version_are_named(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(BytesIO(_download(_client(login, "staf"), lalu_lintas)))
    sheet = book["Realisasi"]
    sheet["A2"] = "IKU.99"
    sheet["A3"] = "IKK.LL.2"
    sheet["L5"] = "dua"
    out = BytesIO()
    book.save(out)
    errors = read_form(lalu_lintas, out.getvalue()).errors
    assert any(e.startswith("Sheet Realisasi, row 2, column Kode Indikator:") and "IKU.99" in e for e in errors)
    assert any(e.startswith("Sheet Realisasi, row 4, column Kode Indikator:") and "twice" in e for e in errors)
    assert any(e.startswith("Sheet Realisasi, row 5, column Versi:") for e in errors)


def test_a_missing_column_is_named(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(BytesIO(_download(_client(login, "staf"), lalu_lintas)))
    book["Realisasi"]["L1"] = "Catatan"
    out = BytesIO()
    book.save(out)
    (error,) = read_form(lalu_lintas, out.getvalue()).errors
    assert error.startswith("Sheet Realisasi: the column “Versi” is missing")
    del book["Identitas"]
    out = BytesIO()
    book.save(out)
    assert read_form(lalu_lintas, out.getvalue()).errors == [
        "Sheet Identitas: this sheet is missing from the workbook."
    ]


def test_the_workbook_of_another_submission_or_period_is_refused(login, lalu_lintas, angkutan) -> None:  # type: ignore[no-untyped-def]
    other = _download(_client(login, "kadis"), angkutan)
    staff = _client(login, "staf")
    response = _upload(staff, lalu_lintas, _filled(other, {("IKU.1", "Realisasi"): 82}))
    (error,) = _errors(response)
    assert "another submission" in error and response.context["form"] is None
    book = load_workbook(BytesIO(_download(staff, lalu_lintas)))
    book["Identitas"]["B7"] = 2  # Triwulan
    out = BytesIO()
    book.save(out)
    assert "another submission" in read_form(lalu_lintas, out.getvalue()).errors[0]


def test_a_file_that_is_no_workbook_is_refused_before_it_is_parsed(login, lalu_lintas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kinerja.collection.views.read_form", lambda *a: pytest.fail("parsed"))  # type: ignore[misc]
    response = _upload(_client(login, "staf"), lalu_lintas, b"Kode;Realisasi\nIKU.1;80\n", name="formulir.xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_a_line_saved_by_someone_else_after_the_download_is_never_overwritten(login, lalu_lintas, kasie) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    data = _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): 82, ("IKS.LL.1", "Realisasi"): 4})
    line = _lines(lalu_lintas)["IKU.1"]
    services.save_lines(submission=lalu_lintas, lines=[services.LineInput(line.indicator_id, 1, value=Decimal(85))],
                        by=kasie)  # fmt: skip
    (error,) = _errors(_upload(staff, lalu_lintas, data))
    assert "IKU.1 was saved by kasie after this workbook was downloaded" in error
    assert _lines(lalu_lintas)["IKS.LL.1"].value == Decimal(3)


def test_a_line_saved_between_the_preview_and_the_confirmation_saves_nothing(login, lalu_lintas, kasie) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    data = _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): 82, ("IKS.LL.1", "Realisasi"): 4})
    preview = _upload(staff, lalu_lintas, data)
    assert preview.context["form"] is not None
    line = _lines(lalu_lintas)["IKU.1"]
    services.save_lines(submission=lalu_lintas, lines=[services.LineInput(line.indicator_id, 1, value=Decimal(85))],
                        by=kasie)  # fmt: skip
    response = _confirm(staff, lalu_lintas, preview)
    assert response.status_code == 409
    assert "IKU.1 was saved by kasie" in response.content.decode()
    lines = _lines(lalu_lintas)
    assert lines["IKU.1"].value == Decimal(85) and lines["IKS.LL.1"].value == Decimal(3)
    assert lines["IKS.LL.1"].version == 1


def test_a_race_inside_save_lines_shows_the_conflict_and_saves_nothing(login, lalu_lintas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    preview = _upload(staff, lalu_lintas, _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): 82}))
    stale = list(lalu_lintas.lines.select_related("indicator").filter(indicator__code="IKU.1"))

    def changed(**kwargs: Any) -> None:
        raise services.LinesChanged(stale)

    monkeypatch.setattr("kinerja.collection.services.save_lines", changed)
    response = _confirm(staff, lalu_lintas, preview)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record" in page and "IKU.1" in page


def test_an_unusual_value_needs_the_warnings_confirmed(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    preview = _upload(staff, lalu_lintas, _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): 81000}))
    assert preview.context["upload"].warnings and preview.context["form"] is not None
    refused = _confirm(staff, lalu_lintas, preview)
    assert refused.status_code == 200 and "Tick this box" in refused.content.decode()
    assert _lines(lalu_lintas)["IKU.1"].value == Decimal(81)
    assert _confirm(staff, lalu_lintas, preview, confirm_warnings="on").status_code == 302
    assert _lines(lalu_lintas)["IKU.1"].value == Decimal(81000)


def test_a_submitted_draft_takes_no_upload(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    data = _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): 82})
    Submission.objects.filter(pk=lalu_lintas.pk).update(status=Submission.Status.SUBMITTED)
    response = _upload(staff, lalu_lintas, data)
    assert response.status_code == 302
    assert _lines(lalu_lintas)["IKU.1"].value == Decimal(81)


# Who may do what


@pytest.mark.parametrize(("username", "status"), [("kabid", 403), ("inspektorat", 403), ("admin.kominfo", 404)])
def test_only_the_preparers_upload(login, lalu_lintas, username: str, status: int) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    data = _filled(_download(staff, lalu_lintas), {("IKU.1", "Realisasi"): 82})
    token = _upload(staff, lalu_lintas, data).context["form"]["token"].value()
    other = _client(login, username)
    assert _upload(other, lalu_lintas, data).status_code == status
    confirm = other.post(reverse("collection-excel-confirm", args=[lalu_lintas.pk]), {"token": token})
    assert confirm.status_code == status
    assert _lines(lalu_lintas)["IKU.1"].value == Decimal(81)


@pytest.mark.parametrize(("username", "status"), [("kabid", 200), ("inspektorat", 200), ("admin.kominfo", 404)])
def test_whoever_reads_the_submission_downloads_the_form(login, lalu_lintas, username: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert _client(login, username).get(reverse("collection-excel", args=[lalu_lintas.pk])).status_code == status
