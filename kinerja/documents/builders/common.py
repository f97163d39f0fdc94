"""What every builder needs: the agency's settings, dates and quarters the Indonesian way, the figures of a year,
and whether the data a report is built from is verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kinerja.collection.models import ReportingPeriod, Submission
from kinerja.documents.chains import chain_of
from kinerja.documents.models import Document, DocumentSettings
from kinerja.documents.render import long_date
from kinerja.measurement.models import Realization
from kinerja.measurement.selectors import IndicatorFigures, bands_of, figures, indicators_of
from kinerja.org.models import Agency, Position, Unit
from kinerja.planning.models import StrategicPlan
from kinerja.planning.selectors import plan_for

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}
UNVERIFIED_WARNING = (
    "DRAF: sebagian data periode ini belum diverifikasi ({pending} dari {total} permintaan data). Angka dalam "
    "dokumen ini belum final dan dokumen ini tidak dapat ditandatangani sebelum semua data diverifikasi."
)
NO_DATA_WARNING = (
    "DRAF: belum ada data capaian {label} yang dilaporkan dan diverifikasi. Dokumen ini tidak dapat "
    "ditandatangani sebelum datanya diverifikasi."
)


def settings_of(agency: Agency) -> DocumentSettings:
    found = DocumentSettings.objects.filter(agency=agency).first()
    return found or DocumentSettings(agency=agency)


def letterhead(agency: Agency) -> dict[str, str]:
    settings = settings_of(agency)
    government = settings.government or (agency.local_government.name if agency.local_government_id else "")
    if government and not government.upper().startswith("PEMERINTAH"):
        government = f"Pemerintah {government}"
    return {
        "government": government, "agency_name": settings.agency_name or agency.name,
        "address": settings.address, "contact": settings.contact,
    }  # fmt: skip


def place_date(agency: Agency, on: date | None = None) -> str:
    settings = settings_of(agency)
    city = settings.city or (agency.local_government.name.split()[-1] if agency.local_government_id else "")
    return f"{city}, {long_date(on or timezone.localdate())}".strip(", ")


def quarter_label(quarter: int | None, year: int) -> str:
    return f"Triwulan {ROMAN_QUARTERS[quarter]} Tahun {year}" if quarter else f"Tahun {year}"


@dataclass(frozen=True)
class DataState:
    """Whether the figures of a quarter are final: every data request of its period verified."""

    verified: bool
    warning: str


def data_state(agency: Agency, year: int, quarter: int) -> DataState:
    """Final when every data request of the quarter's period is verified. Without a period, the figures were
    entered or imported by the planning unit itself and are final as soon as there are any."""
    period = ReportingPeriod.objects.filter(agency=agency, year=year, quarter=quarter).first()
    if period is None:
        if Realization.objects.filter(indicator__agency=agency, year=year, quarter=quarter).exists():
            return DataState(True, "")
        return DataState(False, NO_DATA_WARNING.format(label=quarter_label(quarter, year)))
    statuses = list(Submission.objects.filter(request__period=period).values_list("status", flat=True))
    pending = sum(1 for s in statuses if s != Submission.Status.VERIFIED)
    if not statuses or pending:
        return DataState(False, UNVERIFIED_WARNING.format(pending=pending, total=len(statuses)))
    return DataState(True, "")


def year_state(agency: Agency, year: int, upto: int = 4) -> DataState:
    """The data of a whole year (LKjIP, PK evaluation): final when every quarter up to `upto` is."""
    for quarter in range(1, upto + 1):
        state = data_state(agency, year, quarter)
        if not state.verified:
            return state
    return DataState(True, "")


def plan_figures(
    agency: Agency, year: int, upto: int, *, unit: Unit | None = None, history_years: tuple[int, ...] = ()
) -> tuple[StrategicPlan | None, list[IndicatorFigures]]:
    plan = plan_for(agency, year)
    if plan is None:
        return None, []
    rows = figures(
        agency, year=year, upto=upto, indicators=indicators_of(agency, plan, unit=unit),
        history_years=history_years, bands=bands_of(agency),
    )  # fmt: skip
    return plan, rows


def target_of(row: IndicatorFigures, quarter: int | None) -> Decimal | None:
    """The agreed target of the quarter (or the annual one with quarter None)."""
    target = row.annual if quarter is None else row.targets.get(quarter)
    return target.value if target is not None else None


def realized(row: IndicatorFigures) -> Decimal | None:
    """The realisation to date, aggregated as the indicator says (None when nothing was reported)."""
    return row.measure.to_date.realized if row.measure else None


def document_year_quarter(document: Document) -> tuple[int, int]:
    return document.year, document.quarter or 4


def signer_position(document: Document) -> Position | None:
    """The position that signs this document at the end of its chain."""
    steps = chain_of(document, settings_of(document.agency))
    return steps[-1].position if steps and steps[-1].signs else None
