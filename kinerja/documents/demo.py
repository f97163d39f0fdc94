"""The documents of the demo: Dinas Perhubungan's letterhead and numbering series, the third quarter's request
letters signed by the head, the second quarter's quarterly report and Dokumen Pengukuran Kinerja, the 2026
Perjanjian Kinerja and the 2025 LKjIP, each generated, approved and signed; an LKjIP 2026 draft built from data
not yet verified; and a disposition on the measurement document."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from kinerja.accounts.models import User
from kinerja.documents import services
from kinerja.documents.models import Disposition, Document, DocumentSettings, GenerationJob, Kind
from kinerja.org.demo import DEMO_PASSWORD
from kinerja.org.models import Agency, Position
from kinerja.org.selectors import holder_of_position
from kinerja.planning.models import PerformanceAgreement

SERIES = {
    Kind.REQUEST_LETTER: "050/{seq:03}/{unit}/{month:roman}/{year}",
    Kind.LETTER: "005/{seq:03}/{unit}/{month:roman}/{year}",
    Kind.QUARTERLY_REPORT: "050/{seq:03}/LKT/{unit}/{year}",
    Kind.MEASUREMENT: "{seq:03}/DPK/{unit}/{year}",
    Kind.MONEV_REPORT: "050/{seq:03}/MONEV/{unit}/{year}",
    Kind.AGREEMENT: "800/{seq:03}/PK/{unit}/{year}",
    Kind.LKJIP: "050/{seq:03}/LKjIP/{unit}/{year}",
}


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _base_url() -> str:
    return settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"


def _generate(document: Document, by: User) -> Document:
    job = GenerationJob.objects.filter(document=document, status__in=GenerationJob.ACTIVE).first()
    job = job or services.request_generation(document=document, by=by)
    services.run_generation(job.pk)
    document.refresh_from_db()
    return document


def _sign_through(document: Document) -> Document:
    """Sends the document along its chain: the secretary reviews, the head signs."""
    if document.status == Document.Status.DRAFT:
        services.submit_for_approval(document=document, version=document.version, by=_user("perencanaan"))
        document.refresh_from_db()
    if document.status == Document.Status.IN_REVIEW:
        services.decide(document=document, version=document.version, approve=True, note="", by=_user("sekretaris"))
        document.refresh_from_db()
    step = services.pending_approval(document)
    signer = holder_of_position(step.position).employee.user
    services.sign(document=document, version=document.version, given=services.SignInput(password=DEMO_PASSWORD),
                  by=signer, base_url=_base_url())  # fmt: skip
    document.refresh_from_db()
    return document


def load_documents_demo() -> bool:
    """Loads the demo documents once; False when they are there already or the agency is missing."""
    agency = Agency.objects.filter(short_name="Dishub").first()
    if agency is None or DocumentSettings.objects.filter(agency=agency).exists():
        return False
    planner = _user("perencanaan")
    with transaction.atomic():
        DocumentSettings.objects.create(
            agency=agency, government="Pemerintah Kabupaten Sukamaju", agency_name="Dinas Perhubungan",
            address="Jalan Poros Sukamaju Nomor 12, Sukamaju 92311",
            contact="Telepon (0411) 555 0123 · dishub@sukamaju.go.id · dishub.sukamaju.go.id", city="Sukamaju",
        )  # fmt: skip
        for kind, fmt in SERIES.items():
            services.save_series(agency=agency, kind=kind, fmt=fmt, unit_code="Dishub", by=planner)
    # The third quarter's request letters were drafted when the collection demo opened the period.
    for letter in Document.objects.filter(agency=agency, kind=Kind.REQUEST_LETTER).order_by("pk"):
        _generate(letter, planner)
        letter.refresh_from_db()
        if letter.status == Document.Status.READY:
            _sign_through(letter)
    made = []
    for kind, year, quarter in (
        (Kind.QUARTERLY_REPORT, 2026, 2),
        (Kind.MEASUREMENT, 2026, 2),
        (Kind.LKJIP, 2025, None),
    ):
        document = services.create_document(agency=agency, kind=kind, year=year, quarter=quarter, by=planner)
        made.append(_sign_through(_generate(document, planner)))
    agreement = PerformanceAgreement.objects.filter(agency=agency, year=2026, level="agency").first()
    if agreement is not None:
        document = services.create_document(agency=agency, kind=Kind.AGREEMENT, year=2026, agreement=agreement,
                                            by=planner)  # fmt: skip
        _sign_through(_generate(document, planner))
    _generate(services.create_document(agency=agency, kind=Kind.LKJIP, year=2026, by=planner), planner)
    measurement = next(d for d in made if d.kind == Kind.MEASUREMENT)
    services.dispose(
        agency=agency, document=measurement, to_position=Position.objects.get(agency=agency, title="Sekretaris Dinas"),
        instruction=Disposition.Instruction.FOLLOW_UP, text="Paparkan capaian triwulan II pada rapat pimpinan.",
        due_on=None, by=_user("kadis"),
    )  # fmt: skip
    return True
