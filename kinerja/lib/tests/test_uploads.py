from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import Workbook

from kinerja.lib.uploads import (
    ALLOWED_KINDS,
    MAX_NAME_LENGTH,
    MB,
    CheckedFile,
    UploadRefused,
    check_upload,
    safe_filename,
)

LIMIT = 5 * MB
ACCEPTED = "PDF, JPEG, PNG, XLSX or DOCX"


def _pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n" + body + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png(*, text: bytes = b"") -> bytes:
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    comment = _png_chunk(b"tEXt", b"Comment\x00" + text) if text else b""
    pixels = _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + comment + pixels + _png_chunk(b"IEND", b"")


def _jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["Indikator", "Target"])
    book.active.append(["Persentase layanan", 95])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _docx(document: bytes = b"<w:document/>") -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": document,
        }
    )


def _refusal(data: bytes, name: str, *, max_bytes: int = LIMIT) -> UploadRefused:
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_upload(data, name, max_bytes=max_bytes)
    return refused.value


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (_pdf(), "laporan.pdf", "pdf"),
        (_png(), "grafik.png", "png"),
        (_jpeg(), "foto kegiatan.jpeg", "jpeg"),
        (_xlsx(), "capaian.xlsx", "xlsx"),
        (_docx(), "notulen.docx", "docx"),
    ],
)
def test_every_accepted_kind_is_accepted(data: bytes, name: str, key: str) -> None:
    checked = check_upload(data, name, max_bytes=LIMIT)
    assert isinstance(checked, CheckedFile)
    assert checked.kind is ALLOWED_KINDS[key]
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.safe_name.endswith(ALLOWED_KINDS[key].extension)


def test_jpeg_input_spellings_get_one_extension() -> None:
    assert check_upload(_jpeg(), "foto.JPEG", max_bytes=LIMIT).safe_name == "foto.jpg"
    assert check_upload(_jpeg(), "foto.jpg", max_bytes=LIMIT).safe_name == "foto.jpg"


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    data = _pdf()
    assert check_upload(data, "a.pdf", max_bytes=len(data)).size == len(data)


def test_the_name_never_decides_the_kind() -> None:
    checked = check_upload(_pdf(), "foto.png", max_bytes=LIMIT)
    assert checked.kind.key == "pdf"
    assert checked.safe_name == "foto.pdf"
    assert check_upload(_png(), "scan.pdf", max_bytes=LIMIT).safe_name == "scan.png"
    assert check_upload(_xlsx(), "tanpa nama", max_bytes=LIMIT).safe_name == "tanpa nama.xlsx"
    assert check_upload(_docx(), "notulen.xlsx", max_bytes=LIMIT).kind.key == "docx"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<?php system($_GET['c']); ?>", "foto.png"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "laporan.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "grafik.png"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "grafik.svg"),
        (b"Capaian kinerja triwulan I: 95%", "catatan.txt"),
        (_zip({"laporan.pdf": _pdf(), "foto.png": _png()}), "bukti.zip"),
        (_zip({"laporan.pdf": _pdf()}), "bukti.docx"),
        (_zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}), "paparan.docx"),
        (b"PK\x03\x04 this is not really a zip", "rusak.xlsx"),
        (b"\x00" * 16, "kosong.pdf"),
    ],
)
def test_other_content_is_refused_naming_the_accepted_kinds(data: bytes, name: str) -> None:
    refused = _refusal(data, name)
    assert refused.code == "unsupported"
    assert ACCEPTED in refused.message


def test_an_empty_file_is_refused() -> None:
    refused = _refusal(b"", "laporan.pdf")
    assert (refused.code, refused.message) == ("empty", "The file is empty.")
    assert str(refused) == "The file is empty."


def test_a_file_one_byte_over_the_limit_is_refused_giving_the_limit_in_mb() -> None:
    data = _pdf().ljust(2 * MB + 1, b" ")
    refused = _refusal(data, "laporan.pdf", max_bytes=2 * MB)
    assert refused.code == "too_large"
    assert "2 MB" in refused.message


def test_an_old_or_password_protected_office_file_is_refused() -> None:
    refused = _refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "anggaran.xlsx")
    assert refused.code == "legacy_office"
    assert ".xls" in refused.message
    assert ".doc" in refused.message
    assert "password" in refused.message


def test_a_zip_bomb_named_docx_is_refused_before_unpacking() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            zeros = bytes(MB)
            for _ in range(200):
                entry.write(zeros)
    data = buffer.getvalue()
    assert len(data) < LIMIT
    refused = _refusal(data, "notulen.docx")
    assert refused.code == "unpacks_too_large"


def test_a_large_entry_packed_beyond_the_ratio_is_refused() -> None:
    data = _docx(b"<w:document/>" + b" " * (2 * MB))
    assert _refusal(data, "notulen.docx").code == "unpacks_too_large"


def test_a_small_entry_may_pack_tightly() -> None:
    data = _docx(b"<w:document/>" + b" " * (MB // 2))
    assert check_upload(data, "notulen.docx", max_bytes=LIMIT).kind.key == "docx"


def test_too_many_entries_are_refused() -> None:
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    entries.update({f"word/media/{number}.xml": b"" for number in range(1_000)})
    assert _refusal(_zip(entries), "notulen.docx").code == "unpacks_too_large"


@pytest.mark.parametrize("marker", [b"<script>", b"<SCRIPT>", b"<html>", b"<?php", b"<svg "])
def test_a_png_carrying_markup_in_its_first_kilobyte_is_refused(marker: bytes) -> None:
    refused = _refusal(_png(text=marker + b"alert(1)"), "grafik.png")
    assert refused.code == "markup"
    assert "script" in refused.message


def test_a_pdf_carrying_markup_in_its_first_kilobyte_is_refused() -> None:
    assert _refusal(_pdf(b"% <html><script>alert(1)</script>\n"), "laporan.pdf").code == "markup"


def test_markup_after_the_first_kilobyte_is_not_looked_for() -> None:
    data = _png(text=b"x" * 2048 + b"<script>")
    assert check_upload(data, "grafik.png", max_bytes=LIMIT).kind.key == "png"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", "PDF"),
        (_pdf().replace(b"%%EOF", b"") + b"x" * 4096, "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIDAT" + b"\x00" * 64, "PNG"),
        (_jpeg()[:-2] + b"\x00" * 64, "JPEG"),
    ],
)
def test_a_damaged_file_is_refused_naming_its_kind(data: bytes, label: str) -> None:
    refused = _refusal(data, "bukti")
    assert refused.code == "damaged"
    assert label in refused.message


def test_a_pdf_must_start_with_its_signature() -> None:
    assert _refusal(b"\n" + _pdf(), "laporan.pdf").code == "unsupported"


PDF = ALLOWED_KINDS["pdf"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../settings.py", "settings.py.pdf"),
        ("..\\..\\win.ini", "win.ini.pdf"),
        ("\x00evil.pdf", "evil.pdf"),
        ("evil.pdf\x00.php", "evil.pdf.php.pdf"),
        ("....", "bukti.pdf"),
        ("..", "bukti.pdf"),
        ("", "bukti.pdf"),
        (".pdf", "bukti.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("C:\\Users\\budi\\Laporan Q1.PDF", "Laporan Q1.pdf"),
        ("laporan\uff0f..\uff0fpasswd", "passwd.pdf"),  # fullwidth solidus, NFKC-normalised to "/"
        ("Laporan  Akhir (revisi)!!.pdf", "Laporan Akhir (revisi).pdf"),
        ("Rapat ***** 1.pdf", "Rapat _ 1.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "img src_x onerror_alert(1).pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" is a separator: only "script>" is the base name,
        ("\u202egnp.exe", "gnp.exe.pdf"),  # a right-to-left override that would show the name backwards
        ("Bukti \u2460.pdf", "Bukti 1.pdf"),
        ("Capaian Kinerja Dinas Pendidikan.pdf", "Capaian Kinerja Dinas Pendidikan.pdf"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name, kind=PDF) == expected


@pytest.mark.parametrize(
    "name", ["../../settings.py", "..\\..\\win.ini", "\x00evil.pdf", "a" * 300, "." * 50, "/etc/passwd", "~/.ssh/id"]
)
def test_a_safe_name_has_no_path_and_no_leading_dot(name: str) -> None:
    safe = safe_filename(name, kind=PDF)
    assert "/" not in safe
    assert "\\" not in safe
    assert "\x00" not in safe
    assert ".." not in safe
    assert not safe.startswith((".", " "))
    assert safe.endswith(".pdf")
    assert 0 < len(safe) <= MAX_NAME_LENGTH


def test_a_long_name_is_capped_keeping_the_extension() -> None:
    safe = safe_filename("a" * 300 + ".docx", kind=ALLOWED_KINDS["docx"])
    assert safe == "a" * (MAX_NAME_LENGTH - len(".docx")) + ".docx"
    assert check_upload(_pdf(), "b" * 300 + ".pdf", max_bytes=LIMIT).safe_name == "b" * 96 + ".pdf"
