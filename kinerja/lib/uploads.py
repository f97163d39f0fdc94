"""Checking an uploaded evidence file (bukti dukung) before it is accepted.

The file is untrusted, and so is its name. Its kind is read from its content, never from its name: a
script named foto.png is still a script. Only PDF, JPEG, PNG, XLSX and DOCX are accepted, each with
the structure its format requires; an Office file is measured from its zip directory alone, so a zip
bomb is refused before a single byte of it is unpacked. Nothing here opens, renders or unpacks the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _

from kinerja.lib.numbers import format_number

MB = 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_UNPACKED_BYTES = 100 * MB
# Text compresses well, so a small entry may pack tightly; only a large one packed beyond this is a bomb.
MAX_COMPRESSION_RATIO = 200
COMPRESSION_CHECK_ABOVE = 1 * MB
MAX_NAME_LENGTH = 100
FALLBACK_NAME = "bukti"

_PDF_MAGIC = b"%PDF-"
_PDF_END = b"%%EOF"
_PDF_END_WINDOW = 2048
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_IHDR = b"\x00\x00\x00\x0dIHDR"  # the first chunk: its length (13) and its type
_JPEG_MAGIC = b"\xff\xd8\xff"
_JPEG_END = b"\xff\xd9"
_JPEG_END_WINDOW = 32
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls/.doc, and the wrapper Office puts around a password-protected file
_CONTENT_TYPES = "[Content_Types].xml"
# A browser that sniffs content could render a file carrying these as a web page, running what it holds.
_MARKUP = re.compile(rb"<html|<script|<\?php|<svg", re.IGNORECASE)
_MARKUP_WINDOW = 1024

_SEPARATORS = re.compile(r"[/\\]")
_UNSAFE_CHARACTER = re.compile(r"[^\w \-.()]")  # \w: letters and digits of any script, and "_"
_REPEATS = re.compile(r"([ _.\-])\1+")
_EDGE = " .-_"
# Extensions a user gives an evidence file; one of these at the end of the name is replaced, anything else kept.
_KNOWN_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".jpe", ".png", ".xlsx", ".docx", ".xls", ".doc"}


@dataclass(frozen=True)
class FileKind:
    """An accepted kind of file: `label` is shown to the user, `extension` is what a safe name ends with."""

    key: str
    label: str
    mime: str
    extension: str


ALLOWED_KINDS: dict[str, FileKind] = {
    kind.key: kind
    for kind in (
        FileKind("pdf", "PDF", "application/pdf", ".pdf"),
        FileKind("jpeg", "JPEG", "image/jpeg", ".jpg"),
        FileKind("png", "PNG", "image/png", ".png"),
        FileKind("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        FileKind("docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    )
}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: its kind as read from its content, and a name safe to store or send."""

    kind: FileKind
    size: int
    sha256: str
    safe_name: str


class UploadRefused(ValueError):
    """An upload that is not accepted; `message` is translated and fit to show to the user."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def _unsupported() -> UploadRefused:
    return UploadRefused(
        _("This kind of file is not accepted. Upload a PDF, JPEG, PNG, XLSX or DOCX file."), code="unsupported"
    )


def _damaged(kind: FileKind) -> UploadRefused:
    return UploadRefused(
        _("This %(kind)s file is incomplete or damaged. Save or export it again, then upload it.")
        % {"kind": kind.label},
        code="damaged",
    )


def _check_markup(data: bytes) -> None:
    """Refuse an image or PDF built to be read as a web page or a script as well."""
    if _MARKUP.search(data[:_MARKUP_WINDOW]):
        raise UploadRefused(
            _("This file contains web page or script code. Export it again as a plain PDF or image, then upload it."),
            code="markup",
        )


def _check_office(data: bytes) -> FileKind:
    """XLSX or DOCX, judged from the zip directory alone: nothing is unpacked."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _unsupported() from None
    # zipfile stops reading an entry at the size its directory gives, so these sizes bound what unpacking yields.
    too_packed = any(
        entry.file_size > COMPRESSION_CHECK_ABOVE and entry.file_size > MAX_COMPRESSION_RATIO * entry.compress_size
        for entry in entries
    )
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES or too_packed:
        raise UploadRefused(
            _(
                "This file unpacks to far more data than a document needs, so it is not accepted. Save it again "
                "from Word or Excel, then upload it."
            ),
            code="unpacks_too_large",
        )
    names = {entry.filename for entry in entries}
    if _CONTENT_TYPES not in names:
        raise _unsupported()
    if "xl/workbook.xml" in names:
        return ALLOWED_KINDS["xlsx"]
    if "word/document.xml" in names:
        return ALLOWED_KINDS["docx"]
    raise _unsupported()


def _detect(data: bytes) -> FileKind:
    """The kind of `data`, read from its content, once it has the structure that kind requires."""
    if data.startswith(_OLE2_MAGIC):
        raise UploadRefused(
            _(
                "Old Word or Excel files (.doc, .xls) and password-protected files are not accepted. Remove the "
                "password, or save the file as .docx or .xlsx, then upload it."
            ),
            code="legacy_office",
        )
    if data.startswith(_ZIP_MAGIC):
        return _check_office(data)
    if data.startswith(_PDF_MAGIC):
        kind, complete = ALLOWED_KINDS["pdf"], _PDF_END in data[-_PDF_END_WINDOW:]
    elif data.startswith(_PNG_MAGIC):
        kind, complete = ALLOWED_KINDS["png"], data[8:16] == _PNG_IHDR and len(data) >= 33
    elif data.startswith(_JPEG_MAGIC):
        kind, complete = ALLOWED_KINDS["jpeg"], _JPEG_END in data[-_JPEG_END_WINDOW:]
    else:
        raise _unsupported()
    _check_markup(data)
    if not complete:
        raise _damaged(kind)
    return kind


def check_upload(data: bytes, original_name: str, *, max_bytes: int) -> CheckedFile:
    """`data` as an accepted evidence file, or UploadRefused saying why it is not and what to do."""
    size = len(data)
    if size == 0:
        raise UploadRefused(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise UploadRefused(
            _("The file is larger than %(limit)s MB. Make it smaller, or split it into several files.")
            % {"limit": format_number(Decimal(max_bytes) / MB)},
            code="too_large",
        )
    kind = _detect(data)
    return CheckedFile(
        kind=kind,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
        safe_name=safe_filename(original_name, kind=kind),
    )


def safe_filename(name: str, *, kind: FileKind) -> str:
    """`name` reduced to a plain base name that is safe to store, show and send back, ending in `kind`'s extension.

    No directory part, only letters, digits, space and -_.(), no run of the same separator, none of " .-_"
    at either end, at most MAX_NAME_LENGTH characters; FALLBACK_NAME when nothing is left. A known extension
    at the end is replaced, so a PDF uploaded as foto.png is named foto.pdf; any other is kept in front of
    the new one.
    """
    # Normalised before splitting: NFKC turns a fullwidth solidus into "/" and a two-dot leader into "..".
    text = unicodedata.normalize("NFKC", name.replace("\x00", ""))
    base = _SEPARATORS.split(text)[-1].rstrip(" .")
    stem, dot, extension = base.rpartition(".")
    if dot and f".{extension.lower()}" in _KNOWN_EXTENSIONS:
        base = stem
    base = _REPEATS.sub(r"\1", _UNSAFE_CHARACTER.sub("_", base)).lstrip(_EDGE)
    base = base[: MAX_NAME_LENGTH - len(kind.extension)].rstrip(_EDGE)
    if not base:
        base = FALLBACK_NAME
    return f"{base}{kind.extension}"
