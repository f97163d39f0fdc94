"""The collection demo: Dinas Perhubungan's third quarter of 2026 collected through the workflow, with
each division at a different step, so every role finds something in its inbox.

- Bidang Lalu Lintas: a draft with evidence on some indicators (staf and kasie finish and submit it).
- Bidang Sarana dan Prasarana: submitted by kasie.sarpras, waiting for its acting head (kabid, Plt.).
- Bidang Angkutan: submitted by kasie.angkutan, approved by kabid.angkutan, waiting for the planning head.
- Sekretariat: submitted by keuangan, approved by sekretaris, verified by the planning head: locked.
- UPT Pengujian Kendaraan Bermotor: a draft (its head is its only seat).
"""

from __future__ import annotations

from django.db import transaction

from kinerja.accounts.models import User
from kinerja.collection import services
from kinerja.collection.models import DataRequest, ReportingPeriod, Submission
from kinerja.collection.permissions import preparer_assignment
from kinerja.org.models import Agency, Assignment
from kinerja.org.selectors import current_holders

YEAR, QUARTER = 2026, 3


def _pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
        b"endobj\n3 0 obj\n<< /Title ("
        + title.encode("ascii", "replace")
        + b") >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
        b"%%EOF\n"
    )


def _user_of(position_id: int | None) -> User | None:
    if position_id is None:
        return None
    from kinerja.org.models import Position

    position = Position.objects.get(pk=position_id)
    holders = current_holders([position])[position.pk]
    for assignment in sorted(holders, key=lambda a: a.kind != Assignment.Kind.ACTING):
        if assignment.employee.user_id:
            return assignment.employee.user
    return None


def _preparer(submission: Submission) -> User | None:
    for user in User.objects.filter(
        employee__assignments__position__agency=submission.request.period.agency
    ).distinct():
        if preparer_assignment(user, submission.request) is not None:
            return user
    return None


def _attach(submission: Submission, by: User, *, every: int = 1) -> None:
    for index, line in enumerate(submission.lines.select_related("indicator").order_by("pk")):
        if index % every == 0 and not line.evidence.exists() and not line.no_data:
            services.add_evidence(
                line=line, data=_pdf(f"Bukti {line.indicator.code} TW III 2026"),
                name=f"bukti-{line.indicator.code}-tw3-2026.pdf", by=by,
            )  # fmt: skip


def _complete(submission: Submission, by: User) -> Submission:
    """Fills blanks with "no data" and attaches evidence, then submits."""
    blanks = [
        services.LineInput(indicator_id=line.indicator_id, version=line.version, no_data=True,
                           no_data_reason="Data belum diterima dari instansi vertikal")
        for line in submission.lines.all() if not line.answered
    ]  # fmt: skip
    if blanks:
        services.save_lines(submission=submission, lines=blanks, by=by, confirmed_warnings=True)
    _attach(submission, by)
    submission.refresh_from_db()
    return services.submit(submission=submission, version=submission.version, by=by)


def collection_demo_loaded(agency: Agency) -> bool:
    return ReportingPeriod.objects.filter(agency=agency, year=YEAR, quarter=QUARTER).exists()


def load_collection_demo() -> bool:
    """Opens and advances the demo period once; False when it is there already."""
    from kinerja.measurement.demo import _dishub

    agency = _dishub()
    if collection_demo_loaded(agency):
        return False
    planner = User.objects.get(username="perencanaan")
    with transaction.atomic():
        opened = services.open_period(agency=agency, year=YEAR, quarter=QUARTER, by=planner)
        by_unit = {r.unit.name: r.submission for r in opened.requests if r.kind == DataRequest.Kind.DIVISION}
        staf = User.objects.get(username="staf")
        if (ll := by_unit.get("Bidang Lalu Lintas")) is not None:
            _attach(ll, staf, every=2)
        for name, step in (("Bidang Sarana dan Prasarana", "submitted"), ("Bidang Angkutan", "approved"),
                           ("Sekretariat", "verified")):  # fmt: skip
            submission = by_unit.get(name)
            preparer = _preparer(submission) if submission else None
            if submission is None or preparer is None:
                continue
            submission = _complete(submission, preparer)
            if step == "submitted":
                continue
            reviewer = _user_of(submission.awaiting_id)
            if reviewer is None:
                continue
            services.approve(submission=submission, version=submission.version, by=reviewer)
            if step == "verified":
                services.verify(submission=submission, version=submission.version, by=planner)
    return True
