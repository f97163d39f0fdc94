"""Letters: the data request letter to a division (seed 000 step 4, seed 003) and the free letter, such as the
covering letter that sends a signed report (seed 003 step 12). The wording is the agency's to edit."""

from __future__ import annotations

from typing import Any

from kinerja.collection.models import DataRequest
from kinerja.documents.builders.common import place_date, quarter_label, signer_position
from kinerja.documents.chains import party
from kinerja.documents.content import NUMBER, TEXT, Column, Content
from kinerja.documents.models import Document
from kinerja.documents.render import long_date
from kinerja.planning.models import AgreementTarget


def request_defaults(request: DataRequest) -> dict[str, str]:
    period = request.period
    label = quarter_label(period.quarter, period.year)
    return {
        "body": (
            f"Dalam rangka pengukuran dan pelaporan kinerja {label}, bersama ini kami minta Saudara menyampaikan "
            f"data capaian kinerja {request.unit.name} beserta bukti dukungnya melalui aplikasi Kinerja paling "
            f"lambat tanggal {long_date(period.due_on)}, untuk indikator sebagaimana tercantum dalam tabel berikut."
        ),
        "closing": "Demikian disampaikan, atas perhatian dan kerja sama Saudara diucapkan terima kasih.",
        "copies": "Sekretaris Dinas\nKepala Subbagian Perencanaan dan Program",
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def build_request(document: Document) -> Content:
    request = (
        DataRequest.objects.select_related("period", "unit", "position").prefetch_related("indicators")
        .get(pk=document.request_id)
    )  # fmt: skip
    period = request.period
    texts = {**request_defaults(request), **{k: v for k, v in (document.texts or {}).items() if v.strip()}}
    label = quarter_label(period.quarter, period.year)
    content = Content(kind=document.kind, title=f"Permintaan Data Capaian Kinerja {label}")
    to = request.position.title if request.position_id else f"Kepala {request.unit.name}"
    content.letter = {
        "place_date": place_date(document.agency), "nature": "Penting", "attachment": "1 (satu) berkas",
        "subject": f"Permintaan Data Capaian Kinerja {label}", "to": [to], "copies": _lines(texts["copies"]),
    }  # fmt: skip
    content.paragraph(texts["body"])
    targets = {
        t.indicator_id: t.value
        for t in AgreementTarget.objects.filter(
            indicator__in=request.indicators.all(), year=period.year, quarter=period.quarter
        )
    }
    indicators = sorted(request.indicators.all(), key=lambda i: (i.sort_order, i.code))
    content.table(
        title=f"Indikator yang diminta — {request.unit.name}", sheet="Indikator",
        columns=[Column("No", TEXT, 5), Column("Kode", TEXT, 12), Column("Indikator Kinerja", TEXT, 53),
                 Column("Satuan", TEXT, 12), Column(f"Target Triwulan {period.quarter}", NUMBER, 14)],
        rows=[[str(n), i.code, i.name, i.unit_of_measure, targets.get(i.pk)] for n, i in enumerate(indicators, 1)],
    )  # fmt: skip
    content.paragraph(texts["closing"])
    content.signatures = [party(signer_position(document), signs=True)]
    return content


def build_letter(document: Document) -> Content:
    texts: dict[str, Any] = document.texts or {}
    content = Content(kind=document.kind, title=document.title)
    content.letter = {
        "place_date": place_date(document.agency), "nature": texts.get("nature") or "Biasa",
        "attachment": texts.get("attachment") or "-", "subject": texts.get("subject") or document.title,
        "to": _lines(texts.get("to", "")), "copies": _lines(texts.get("copies", "")),
    }  # fmt: skip
    content.paragraph(texts.get("body", ""))
    content.signatures = [party(signer_position(document), signs=True)]
    return content
