"""One builder per kind of document: it reads the database and returns the document's Content.

`TEXTS[kind]` names the texts a user writes in the application before generating (foreword, analysis, the body
of a letter); they are kept on the document and put in its content by the builder. A content with a warning was
built from data that is not final: its version is marked draft and cannot be signed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from kinerja.documents.builders import agreement, letters, lkjip, measurement, monev, quarterly
from kinerja.documents.content import Content
from kinerja.documents.models import Document, Kind

BUILDERS: dict[str, Callable[[Document], Content]] = {
    Kind.REQUEST_LETTER: letters.build_request,
    Kind.LETTER: letters.build_letter,
    Kind.QUARTERLY_REPORT: quarterly.build,
    Kind.MEASUREMENT: measurement.build,
    Kind.MONEV_REPORT: monev.build,
    Kind.AGREEMENT: agreement.build,
    Kind.LKJIP: lkjip.build,
}

TEXTS = {
    Kind.REQUEST_LETTER: {"body": _("Body of the letter"), "closing": _("Closing sentence"),
                          "copies": _("Copies to (one per line)")},
    Kind.LETTER: {"to": _("To (one per line)"), "subject": _("Subject"), "nature": _("Nature (Biasa, Penting…)"),
                  "attachment": _("Attachment"), "body": _("Body of the letter"),
                  "copies": _("Copies to (one per line)")},
    Kind.QUARTERLY_REPORT: quarterly.TEXTS,
    Kind.MEASUREMENT: {"note": _("Note (optional)")},
    Kind.MONEV_REPORT: monev.TEXTS,
    Kind.AGREEMENT: agreement.TEXTS,
    Kind.LKJIP: lkjip.TEXTS,
}  # fmt: skip


def build(document: Document) -> Content:
    return BUILDERS[document.kind](document)
