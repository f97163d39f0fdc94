"""Every change to documents: drafting, texts, background generation, approval, signing, correction, numbering,
dispositions and settings. Each is one transaction with its audit event."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinerja.accounts.models import User
from kinerja.audit.services import record_event
from kinerja.collection import notify
from kinerja.collection.models import DataRequest, Notification, ReportingPeriod
from kinerja.collection.permissions import holds
from kinerja.documents import builders, render
from kinerja.documents.builders.common import letterhead, quarter_label, settings_of
from kinerja.documents.chains import DEFAULT_CHAINS, REVIEW_ROLES, SIGNER_ROLES, chain_of, position_label
from kinerja.documents.content import fingerprint
from kinerja.documents.models import (
    Approval,
    Disposition,
    Document,
    DocumentSettings,
    DocumentVersion,
    DownloadLog,
    GenerationJob,
    IssuedNumber,
    Kind,
    NumberCounter,
    NumberingSeries,
    PageSize,
    Signature,
)
from kinerja.documents.numbering import FormatRefused, NumberParts, check_format, render_number
from kinerja.documents.permissions import LEADER_ROLES, require_composer
from kinerja.documents.signing import SigningRefused, SignRequest, signer
from kinerja.lib.actions import ActionDone, announce
from kinerja.lib.errors import ConflictError
from kinerja.org.models import Agency, Assignment, Position, Unit
from kinerja.org.permissions import current_assignments
from kinerja.planning.models import PerformanceAgreement

log = logging.getLogger(__name__)

MAX_TEXT = 20_000
# Wrong passwords at signing before the signer must wait, as at login.
SIGN_ATTEMPTS = 5
SIGN_LOCK_SECONDS = 15 * 60
PERIOD_KINDS = (Kind.QUARTERLY_REPORT, Kind.MEASUREMENT, Kind.MONEV_REPORT)
KIND_TITLES = {
    Kind.QUARTERLY_REPORT: "Laporan Kinerja {label}",
    Kind.MEASUREMENT: "Dokumen Pengukuran Kinerja {label}",
    Kind.MONEV_REPORT: "Laporan Monitoring dan Evaluasi Capaian Kinerja {label}",
    Kind.LKJIP: "Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {year}",
    Kind.AGREEMENT: "Perjanjian Kinerja Tahun {year}",
}


def _expect(document: Document, version: int) -> None:
    if document.version != version:
        raise ConflictError()


def _bump(document: Document, expected: int, **fields: Any) -> None:
    """A conditional UPDATE on the document's version: two clicks, one change."""
    updated = Document.objects.filter(pk=document.pk, version=expected).update(version=expected + 1, **fields)
    if updated != 1:
        raise ConflictError()
    for name, value in fields.items():
        setattr(document, name, value)
    document.version = expected + 1


# Drafting


def create_document(
    *,
    agency: Agency,
    kind: str,
    year: int,
    by: User,
    quarter: int | None = None,
    unit: Unit | None = None,
    agreement: PerformanceAgreement | None = None,
    title: str = "",
) -> Document:
    acting = require_composer(by, agency)
    errors: dict[str, str] = {}
    if kind not in Kind.values or kind == Kind.REQUEST_LETTER:
        errors["kind"] = _("Choose the kind of document.")
    if not 2000 <= year <= 2100:
        errors["year"] = _("Give a year between 2000 and 2100.")
    if kind in PERIOD_KINDS and quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("Choose the quarter this document reports on.")
    if kind not in PERIOD_KINDS:
        quarter = None
    if unit is not None and (unit.agency_id != agency.pk or kind != Kind.QUARTERLY_REPORT):
        errors["unit"] = _("Only a quarterly report can be made for one division of this agency.")
    if kind == Kind.AGREEMENT:
        if agreement is None or agreement.agency_id != agency.pk:
            errors["agreement"] = _("Choose the performance agreement of this agency.")
        elif agreement.year != year:
            errors["agreement"] = _("The performance agreement is of %(year)s.") % {"year": agreement.year}
    else:
        agreement = None
    if kind == Kind.LETTER and not title.strip():
        errors["title"] = _("Give the letter a subject.")
    if errors:
        raise ValidationError(errors)
    if not title.strip():
        title = KIND_TITLES[kind].format(label=quarter_label(quarter, year), year=year)
        if unit is not None:
            title += f" — {unit.name}"
        if agreement is not None:
            title += f" — {agreement.party_one.title}"
    period = ReportingPeriod.objects.filter(agency=agency, year=year, quarter=quarter).first() if quarter else None
    with transaction.atomic():
        document = Document.objects.create(
            agency=agency, kind=kind, title=title.strip()[:300], year=year, quarter=quarter, unit=unit,
            period=period, agreement=agreement, created_by=by,
            texts={"subject": title.strip()} if kind == Kind.LETTER else {},
        )  # fmt: skip
        record_event(action="documents.document.created", actor=by, acting_as=acting, agency=agency, target=document,
                     after={"kind": kind, "title": document.title, "year": year, "quarter": quarter})  # fmt: skip
    return document


def save_texts(*, document: Document, texts: dict[str, str], version: int, by: User) -> Document:
    acting = require_composer(by, document.agency)
    _expect(document, version)
    if document.status != Document.Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed. Ask for a correction of a signed document."))
    allowed = builders.TEXTS[document.kind]
    unknown = set(texts) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown text: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    too_long = [str(allowed[k]) for k, v in texts.items() if len(v) > MAX_TEXT]
    if too_long:
        raise ValidationError(
            _("%(names)s: at most %(count)s characters.") % {"names": ", ".join(too_long), "count": MAX_TEXT}
        )
    cleaned = {**(document.texts or {}), **{k: v.replace("\r\n", "\n").strip() for k, v in texts.items()}}
    with transaction.atomic():
        before = dict(document.texts or {})
        _bump(document, version, texts=cleaned)
        record_event(action="documents.texts.saved", actor=by, acting_as=acting, agency=document.agency,
                     target=document, before=before, after=cleaned)  # fmt: skip
    return document


# Generation in the background


def request_generation(*, document: Document, by: User, automatic: bool = False) -> GenerationJob:
    """Queues the generation of the document; a second request while one is waiting or running is the same job."""
    acting = None if automatic else require_composer(by, document.agency)
    if document.status != Document.Status.DRAFT:
        raise ValidationError(_("Only a draft is generated again. A document in review or signed stays as it is."))
    with transaction.atomic():
        active = GenerationJob.objects.filter(document=document, status__in=GenerationJob.ACTIVE).first()
        if active is not None:
            return active
        try:
            with transaction.atomic():
                job = GenerationJob.objects.create(document=document, requested_by=by)
        except IntegrityError:  # the other click won the race: its job is this one
            return GenerationJob.objects.get(document=document, status__in=GenerationJob.ACTIVE)
        record_event(action="documents.generation.requested", actor=by, acting_as=acting, agency=document.agency,
                     target=document, after={"job": job.pk})  # fmt: skip
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from kinerja.documents.tasks import generate_document  # noqa: PLC0415 - the task module imports this one

    GenerationJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    generate_document.enqueue(job_id)


# A job started this many times by workers that stopped before finishing it is failed, not handed out again.
MAX_ATTEMPTS = 3


def recover_stalled_jobs(*, now: datetime | None = None) -> int:
    """Hands again to the queue the generation jobs a worker or the queue lost, and returns how many.

    A job still running DOCUMENT_JOB_STALE_MINUTES after it started belongs to a worker that stopped (killed, or
    its machine gone; a live worker's task times out before that): it goes back to the queue, or fails with its
    reason after MAX_ATTEMPTS starts. A job queued that long without a worker taking it was lost by the queue (a
    flushed Redis, say) and is enqueued again. Each change is a conditional update, so two `tick`s at once recover
    a job once, and a job delivered twice still runs once (run_generation's queued→running update)."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=django_settings.DOCUMENT_JOB_STALE_MINUTES)
    stalled = GenerationJob.objects.filter(
        Q(status=GenerationJob.Status.RUNNING, started_at__lt=cutoff)
        | Q(status=GenerationJob.Status.QUEUED, enqueued_at__lt=cutoff)
    ).select_related("document__agency")
    recovered = 0
    for job in stalled:
        with transaction.atomic():
            same = GenerationJob.objects.filter(pk=job.pk, status=job.status, started_at=job.started_at,
                                                enqueued_at=job.enqueued_at)  # fmt: skip
            if job.status == GenerationJob.Status.RUNNING and job.attempts >= MAX_ATTEMPTS:
                reason = f"The worker stopped {job.attempts} times while generating this document."
                if same.update(status=GenerationJob.Status.FAILED, finished_at=now, error=reason):
                    record_event(action="documents.generation.failed", actor=None, agency=job.document.agency,
                                 target=job.document, after={"job": job.pk, "error": reason})  # fmt: skip
                continue
            if not same.update(status=GenerationJob.Status.QUEUED, started_at=None, progress=0, step="",
                               enqueued_at=now):  # fmt: skip
                continue
            record_event(action="documents.generation.requeued", actor=None, agency=job.document.agency,
                         target=job.document, before={"status": job.status, "attempts": job.attempts},
                         after={"job": job.pk})  # fmt: skip
            transaction.on_commit(lambda pk=job.pk: _enqueue(pk))
            recovered += 1
    return recovered


def _progress(job: GenerationJob, progress: int, step: str) -> None:
    """`step` is kept in English and translated when shown."""
    GenerationJob.objects.filter(pk=job.pk).update(progress=progress, step=step)


def frame_for(document: Document, *, draft: bool, stamp: render.Stamp | None = None, number: str = "") -> render.Frame:
    settings = settings_of(document.agency)
    supersedes = ""
    if document.supersedes_id:
        old = document.supersedes
        signed_on = render.long_date(timezone.localtime(old.signed_at)) if old.signed_at else ""
        supersedes = f"{old.title} nomor {old.number or '-'}" + (f" tanggal {signed_on}" if signed_on else "")
    return render.Frame(
        letterhead=letterhead(document.agency), page_size=settings.page_size or PageSize.A4,
        number=number or document.number, draft=draft, stamp=stamp, supersedes=supersedes,
    )  # fmt: skip


def run_generation(job_id: int) -> GenerationJob:
    """Builds the content, and when it differs from the last version's, writes PDF, DOCX and XLSX as a new
    version. Runs in a task worker; a job runs once even if the worker receives it twice."""
    started = GenerationJob.objects.filter(pk=job_id, status=GenerationJob.Status.QUEUED).update(
        status=GenerationJob.Status.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        progress=5,
        step=gettext_noop("Reading the data"),
    )
    job = GenerationJob.objects.select_related("document__agency", "requested_by").get(pk=job_id)
    if started != 1:
        return job
    document = job.document
    try:
        _progress(job, 15, gettext_noop("Building the content"))
        content = builders.build(document).as_dict()
        print_ = fingerprint(content)
        existing = DocumentVersion.objects.filter(document=document, fingerprint=print_, signed=False).first()
        if existing is not None:
            _finish(job, existing, reused=True)
            job.refresh_from_db()
            return job
        frame = frame_for(document, draft=True)
        _progress(job, 35, gettext_noop("Writing the PDF"))
        pdf = render.render_pdf(content, frame)
        _progress(job, 70, gettext_noop("Writing the DOCX"))
        docx = render.render_docx(content, frame)
        _progress(job, 85, gettext_noop("Writing the XLSX"))
        xlsx = render.render_xlsx(content, frame, generated_at=timezone.localtime())
        with transaction.atomic():
            version = _save_version(document, content, print_, pdf, docx, xlsx, by=job.requested_by, signed=False)
            record_event(action="documents.version.generated", actor=job.requested_by, agency=document.agency,
                         target=document, after={"version": version.number, "sha256": version.pdf_sha256,
                                                 "draft_data": version.draft_data})  # fmt: skip
            _finish(job, version, reused=False)
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the job with its reason and can be retried
        log.exception("generating document %s failed", document.pk)
        GenerationJob.objects.filter(pk=job.pk).update(
            status=GenerationJob.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    job.refresh_from_db()
    if job.status == GenerationJob.Status.DONE and document.kind == Kind.REQUEST_LETTER and not job.reused:
        _send_request_letter_for_signature(document, job.requested_by)
    return job


def _save_version(
    document: Document, content: dict, print_: str, pdf: bytes, docx: bytes, xlsx: bytes, *, by: User, signed: bool
) -> DocumentVersion:
    number = (DocumentVersion.objects.filter(document=document).aggregate(n=Max("number"))["n"] or 0) + 1
    stem = f"{document.kind}-{document.pk}-v{number}"
    version = DocumentVersion(
        document=document, number=number, content=content, fingerprint=print_, draft_data=bool(content.get("warning")),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(), signed=signed, created_by=by,
    )  # fmt: skip
    version.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    version.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    version.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    version.save()
    return version


def _finish(job: GenerationJob, version: DocumentVersion, *, reused: bool) -> None:
    GenerationJob.objects.filter(pk=job.pk).update(
        status=GenerationJob.Status.DONE, progress=100, step=gettext_noop("Done"), result=version, reused=reused,
        finished_at=timezone.now(),
    )  # fmt: skip
    url = reverse("documents-detail", args=[job.document_id])
    notify.post(
        [job.requested_by], kind=Notification.Kind.DONE, key=f"documents.job.{job.pk}",
        title=_("Document ready: %(title)s") % {"title": job.document.title},
        body=_("Version %(number)s can be downloaded.") % {"number": version.number}, submission=None, url=url,
    )  # fmt: skip


def latest_version(document: Document) -> DocumentVersion | None:
    return DocumentVersion.objects.filter(document=document).order_by("-number").first()


# Approval


def submit_for_approval(*, document: Document, version: int, by: User) -> Document:
    acting = require_composer(by, document.agency)
    with transaction.atomic():
        return _start_chain(document, version, by, acting)


def _start_chain(document: Document, version: int, by: User, acting: Assignment | None) -> Document:
    _expect(document, version)
    if document.status != Document.Status.DRAFT:
        raise ValidationError(_("This document is already in review or signed."))
    if GenerationJob.objects.filter(document=document, status__in=GenerationJob.ACTIVE).exists():
        raise ValidationError(_("Wait until the document has been generated."))
    latest = latest_version(document)
    if latest is None:
        raise ValidationError(_("Generate the document first."))
    if latest.draft_data:
        raise ValidationError(
            _("This version was built from data that is not verified yet: it stays a draft and cannot be sent for "
              "signature. Generate it again once every data request of the period is verified.")
        )  # fmt: skip
    steps = chain_of(document, settings_of(document.agency))
    if not steps or not steps[-1].signs:
        raise ValidationError(_("Nobody holds the position that signs this kind of document in this agency."))
    round_ = (document.approvals.aggregate(r=Max("round"))["r"] or 0) + 1
    Approval.objects.bulk_create([
        Approval(document=document, round=round_, order=i, role=s.role, position=s.position, signs=s.signs,
                 version=latest)
        for i, s in enumerate(steps, start=1)
    ])  # fmt: skip
    status = Document.Status.READY if steps[0].signs else Document.Status.IN_REVIEW
    _bump(document, version, status=status)
    record_event(action="documents.review.started", actor=by, acting_as=acting, agency=document.agency,
                 target=document, after={"round": round_, "version": latest.number,
                                         "chain": [s.position.title for s in steps]})  # fmt: skip
    _tell_next(document)
    return document


def pending_approval(document: Document) -> Approval | None:
    return (
        document.approvals.filter(decision=Approval.Decision.PENDING).select_related("position")
        .order_by("-round", "order").first()
    )  # fmt: skip


def _tell_next(document: Document) -> None:
    step = pending_approval(document)
    if step is None:
        return
    what = _("Sign: %(title)s") if step.signs else _("Review: %(title)s")
    notify.post(
        notify.holders([step.position]), kind=Notification.Kind.ASSIGNED,
        key=f"documents.approval.{step.pk}", title=what % {"title": document.title},
        body=_("The document waits for you in Kinerja."), submission=None,
        url=reverse("documents-detail", args=[document.pk]),
    )  # fmt: skip


def _acting_for(step: Approval, by: User) -> Assignment:
    assignment = holds(by, step.position_id)
    if assignment is None:
        raise PermissionDenied(
            _("Only the holder of the position %(position)s may do this step.") % {"position": step.position.title}
        )
    return assignment


def decide(*, document: Document, version: int, approve: bool, note: str, by: User) -> Document:
    """A reviewer approves (paraf) or returns the document; a return needs a note and goes back to draft."""
    note = note.strip()
    with transaction.atomic():
        _expect(document, version)
        step = pending_approval(document)
        if step is None or document.status != Document.Status.IN_REVIEW or step.signs:
            raise ValidationError(_("Nothing of this document waits for a review."))
        acting = _acting_for(step, by)
        if not approve and not note:
            raise ValidationError({"note": _("Say what must be changed when you return a document.")})
        decided = Approval.objects.filter(pk=step.pk, decision=Approval.Decision.PENDING).update(
            decision=Approval.Decision.APPROVED if approve else Approval.Decision.RETURNED, decided_by=by,
            decided_at=timezone.now(), note=note, position_label=position_label(step.position, acting),
        )  # fmt: skip
        if decided != 1:
            raise ConflictError()
        if approve:
            following = pending_approval(document)
            status = Document.Status.READY if following is not None and following.signs else Document.Status.IN_REVIEW
        else:
            document.approvals.filter(round=step.round, decision=Approval.Decision.PENDING).delete()
            status = Document.Status.DRAFT
        _bump(document, version, status=status)
        record_event(action="documents.review.approved" if approve else "documents.review.returned", actor=by,
                     acting_as=acting, agency=document.agency, target=document, after={"note": note})  # fmt: skip
        if approve:
            _tell_next(document)
        else:
            notify.post(
                [document.created_by], kind=Notification.Kind.RETURNED, key=f"documents.returned.{step.pk}",
                title=_("Returned: %(title)s") % {"title": document.title}, body=note, submission=None,
                url=reverse("documents-detail", args=[document.pk]),
            )  # fmt: skip
    return document


def withdraw(*, document: Document, version: int, by: User) -> Document:
    """The composer takes a document back to draft while nobody has signed it."""
    acting = require_composer(by, document.agency)
    with transaction.atomic():
        _expect(document, version)
        if document.status not in (Document.Status.IN_REVIEW, Document.Status.READY):
            raise ValidationError(_("Only a document in review can be taken back."))
        document.approvals.filter(decision=Approval.Decision.PENDING).delete()
        _bump(document, version, status=Document.Status.DRAFT)
        record_event(action="documents.review.withdrawn", actor=by, acting_as=acting, agency=document.agency,
                     target=document)  # fmt: skip
    return document


# Numbering


def issue_number(*, series: NumberingSeries, on: date, unit_code: str = "") -> IssuedNumber:
    """The next number of the series in the year of `on`: gap-free (the number belongs to the caller's transaction
    and is released if it rolls back) and unique when many are issued at once."""
    with transaction.atomic():
        counter = NumberCounter.objects.select_for_update().filter(series=series, year=on.year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = NumberCounter.objects.create(series=series, year=on.year, last=0)
            except IntegrityError:  # another transaction opened the year first: take its counter
                counter = NumberCounter.objects.select_for_update().get(series=series, year=on.year)
        NumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
        agency = series.agency
        number = render_number(
            series.format,
            NumberParts(seq=counter.last, on=on, unit=unit_code or series.unit_code, agency=agency.short_name or ""),
        )
        return IssuedNumber.objects.create(series=series, year=on.year, seq=counter.last, number=number, issued_on=on)


def save_series(*, agency: Agency, kind: str, fmt: str, unit_code: str, by: User) -> NumberingSeries:
    acting = require_composer(by, agency)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    try:
        check_format(fmt.strip())
    except FormatRefused as exc:
        raise ValidationError({"format": str(exc.message)}) from None
    with transaction.atomic():
        series, created = NumberingSeries.objects.get_or_create(
            agency=agency, kind=kind, defaults={"format": fmt.strip(), "unit_code": unit_code.strip()[:30]}
        )
        before = {"format": series.format, "unit_code": series.unit_code}
        if not created:
            NumberingSeries.objects.filter(pk=series.pk).update(
                format=fmt.strip(), unit_code=unit_code.strip()[:30], version=F("version") + 1
            )
            series.refresh_from_db()
        record_event(action="documents.series.saved", actor=by, acting_as=acting, agency=agency, target=series,
                     before=None if created else before, after={"kind": kind, "format": series.format,
                                                                "unit_code": series.unit_code})  # fmt: skip
    return series


def save_settings(*, agency: Agency, values: dict[str, Any], version: int, by: User) -> DocumentSettings:
    acting = require_composer(by, agency)
    settings, _created = DocumentSettings.objects.get_or_create(agency=agency)
    if settings.version != version:
        raise ConflictError()
    errors = {}
    if values.get("page_size") not in PageSize.values:
        errors["page_size"] = _("Choose A4 or F4.")
    chains = values.get("chains") or {}
    for kind, chain in chains.items():
        if (
            kind not in DEFAULT_CHAINS
            or chain.get("signer") not in SIGNER_ROLES
            or any(r not in REVIEW_ROLES for r in chain.get("review", []))
        ):
            errors["chains"] = _("A signing chain names a role that cannot sign or review.")
    if errors:
        raise ValidationError(errors)
    fields = {k: str(values.get(k, "")).strip()[:300] for k in ("government", "agency_name", "address", "contact",
                                                                 "city")}  # fmt: skip
    with transaction.atomic():
        updated = DocumentSettings.objects.filter(pk=settings.pk, version=version).update(
            **fields, page_size=values["page_size"], chains=chains, version=version + 1
        )
        if updated != 1:
            raise ConflictError()
        record_event(action="documents.settings.saved", actor=by, acting_as=acting, agency=agency, target=settings,
                     after={**fields, "page_size": values["page_size"], "chains": chains})  # fmt: skip
    settings.refresh_from_db()
    return settings


# Signing


@dataclass(frozen=True)
class SignInput:
    password: str
    nik: str = ""
    passphrase: str = ""


def sign(*, document: Document, version: int, given: SignInput, by: User, base_url: str) -> Signature:
    """The holder of the signing position signs: password re-entered, the number issued, the PDF stamped with the
    verification footer and QR code, its exact bytes hashed and kept. Nothing is kept if any of it fails."""
    step = pending_approval(document)
    if step is None or document.status != Document.Status.READY or not step.signs:
        raise ValidationError(_("This document is not waiting for a signature."))
    acting = _acting_for(step, by)
    attempts_key = f"documents.sign.failed.{by.pk}"
    if cache.get(attempts_key, 0) >= SIGN_ATTEMPTS:
        raise ValidationError(
            {"password": _("Too many wrong passwords. Try again in %(minutes)s minutes.") % {"minutes": 15}}
        )
    if not given.password or not check_password(given.password, by.password):
        cache.set(attempts_key, cache.get(attempts_key, 0) + 1, timeout=SIGN_LOCK_SECONDS)
        raise ValidationError({"password": _("The password is not correct.")})
    cache.delete(attempts_key)
    approved = step.version
    if approved is None or approved.draft_data:
        raise ValidationError(_("This version was built from unverified data and cannot be signed."))
    implementation = signer()
    employee = acting.employee
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        _expect(locked, version)
        now = timezone.now()
        number = locked.number
        issued = None
        series = NumberingSeries.objects.filter(agency=document.agency, kind=document.kind).first()
        if series is not None and not number:
            # {unit} is the issuing unit: the series' own code, or the division that reports on itself
            own = document.kind == Kind.QUARTERLY_REPORT and document.unit_id and document.unit.code
            unit_code = document.unit.code if own else ""
            issued = issue_number(series=series, on=timezone.localdate(), unit_code=unit_code)
            number = issued.number
        signature = Signature(document=document, signer=by, position=step.position, signer_name=employee.name,
                              position_label=position_label(step.position, acting),
                              rank=employee.get_rank_display() if employee.rank else "", nip=employee.nip,
                              signed_at=now, method=implementation.method)  # fmt: skip
        verify_url = f"{base_url.rstrip('/')}{reverse('documents-verify-token', args=[signature.token])}"
        stamp = render.Stamp(
            signer_name=signature.signer_name, position_label=signature.position_label, rank=signature.rank,
            nip=signature.nip, signed_at=timezone.localtime(now), verify_url=verify_url,
        )  # fmt: skip
        frame = frame_for(document, draft=False, stamp=stamp, number=number)
        content = approved.content
        pdf = render.render_pdf(content, frame)
        try:
            signed = implementation.sign(SignRequest(
                pdf=pdf, signer_name=signature.signer_name, nip=signature.nip, nik=given.nik,
                passphrase=given.passphrase, reason=document.title, location=letterhead(document.agency)["agency_name"],
            ))  # fmt: skip
        except SigningRefused as exc:
            raise ValidationError(str(exc.message)) from None
        docx = render.render_docx(content, frame)
        xlsx = render.render_xlsx(content, frame, generated_at=timezone.localtime(now))
        kept = _save_version(document, content, approved.fingerprint, signed.pdf, docx, xlsx, by=by, signed=True)
        signature.version = kept
        signature.sha256 = kept.pdf_sha256
        signature.reference = signed.reference
        signature.save()
        Approval.objects.filter(pk=step.pk).update(
            decision=Approval.Decision.APPROVED, decided_by=by, decided_at=now,
            position_label=signature.position_label, version=kept,
        )  # fmt: skip
        _bump(locked, version, status=Document.Status.SIGNED, number=number, issued_number=issued, signed_at=now)
        document.refresh_from_db()
        if document.supersedes_id:
            Document.objects.filter(pk=document.supersedes_id).update(
                status=Document.Status.SUPERSEDED, version=F("version") + 1
            )
        record_event(action="documents.document.signed", actor=by, acting_as=acting, agency=document.agency,
                     target=document, after={"number": number, "version": kept.number, "sha256": kept.pdf_sha256,
                                             "method": signature.method})  # fmt: skip
        subjects: list[tuple[str, int]] = [("documents.document", document.pk)]
        if document.period_id:
            subjects.append(("collection.period", document.period_id))
        if document.request_id:
            subjects.append(("collection.request", document.request_id))
        if document.quarter:
            subjects.append(("collection.quarter", document.year * 10 + document.quarter))
        announce(ActionDone(name="documents.sign", agency_id=document.agency_id, by=by, at=now,
                            subjects=tuple(subjects)))  # fmt: skip
        _send_signed(document)
    return signature


def _send_signed(document: Document) -> None:
    """A signed letter reaches those it is addressed to: a request letter the division's data preparers and head."""
    url = reverse("documents-detail", args=[document.pk])
    users: list[User] = []
    if document.kind == Kind.REQUEST_LETTER and document.request_id:
        request = DataRequest.objects.select_related("period", "unit").get(pk=document.request_id)
        users = notify.preparers(request)
        heads = list(Position.objects.filter(agency=document.agency, unit=request.unit, is_active=True,
                                             role__in=["division_head", "secretary"]))  # fmt: skip
        users += notify.holders(heads)
    elif document.unit_id:
        users = notify.holders(list(Position.objects.filter(agency=document.agency, unit=document.unit,
                                                            is_active=True)))  # fmt: skip
    users += [document.created_by]
    notify.post(
        users, kind=Notification.Kind.ASSIGNED if document.kind == Kind.REQUEST_LETTER else Notification.Kind.DONE,
        key=f"documents.signed.{document.pk}", title=_("Signed: %(title)s") % {"title": document.title},
        body=_("Number %(number)s.") % {"number": document.number or "-"}, submission=None, url=url,
    )  # fmt: skip


def correct(*, document: Document, reason: str, by: User) -> Document:
    """A signed document never changes: its correction is a new draft that cites it."""
    acting = require_composer(by, document.agency)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the correction is for.")})
    if document.status != Document.Status.SIGNED:
        raise ValidationError(_("Only a signed document in force can be corrected."))
    if Document.objects.filter(supersedes=document).exclude(status=Document.Status.SUPERSEDED).exists():
        raise ValidationError(_("A correction of this document is already being made."))
    with transaction.atomic():
        new = Document.objects.create(
            agency=document.agency, kind=document.kind, title=document.title, year=document.year,
            quarter=document.quarter, unit=document.unit, period=document.period, request=document.request,
            agreement=document.agreement, texts=document.texts, supersedes=document, created_by=by,
        )  # fmt: skip
        record_event(action="documents.correction.started", actor=by, acting_as=acting, agency=document.agency,
                     target=new, after={"corrects": document.pk, "reason": reason})  # fmt: skip
    return new


# Request letters when a period opens


def on_action(event: ActionDone) -> None:
    """When a reporting period opens, one request letter per division's data request is drafted and generated;
    it goes to the signer as soon as it is ready (seed 000 steps 3-4). Runs in the opening's transaction."""
    if event.name != "collection.open_period":
        return
    period_ids = [pk for kind, pk in event.subjects if kind == "collection.period"]
    for period in ReportingPeriod.objects.filter(pk__in=period_ids).select_related("agency"):
        requests = DataRequest.objects.filter(period=period, kind=DataRequest.Kind.DIVISION).select_related("unit")
        for request in requests.order_by("unit__sort_order", "pk"):
            if Document.objects.filter(request=request, kind=Kind.REQUEST_LETTER).exists():
                continue
            document = Document.objects.create(
                agency=period.agency, kind=Kind.REQUEST_LETTER, year=period.year, quarter=period.quarter,
                unit=request.unit, period=period, request=request, created_by=event.by,
                title=f"Permintaan Data Capaian Kinerja {quarter_label(period.quarter, period.year)} — "
                      f"{request.unit.name}",
            )  # fmt: skip
            record_event(action="documents.document.created", actor=event.by, agency=period.agency, target=document,
                         after={"kind": document.kind, "request": request.pk})  # fmt: skip
            request_generation(document=document, by=event.by, automatic=True)


def _send_request_letter_for_signature(document: Document, by: User) -> None:
    document.refresh_from_db()
    if document.status != Document.Status.DRAFT or document.approvals.exists():
        return
    try:
        with transaction.atomic():
            _start_chain(document, document.version, by, None)
    except (ValidationError, ConflictError) as exc:
        log.warning("request letter %s not sent for signature: %s", document.pk, exc)


# Downloads and verification


def log_download(*, version: DocumentVersion, file_format: str, user: User | None, client: str) -> None:
    DownloadLog.objects.create(document_id=version.document_id, version=version, file_format=file_format,
                               user=user if user and user.is_authenticated else None, client=client[:64])  # fmt: skip


def find_signature(data: bytes) -> Signature | None:
    digest = hashlib.sha256(data).hexdigest()
    return Signature.objects.select_related("document__agency", "version").filter(sha256=digest).first()


# Dispositions


def _leader_positions(by: User, agency: Agency) -> list[Assignment]:
    return [a for a in current_assignments(by) if a.position.agency_id == agency.pk and a.position.role in LEADER_ROLES]


def subordinate_ids(position: Position) -> set[int]:
    """Every position below `position` in the superior chain."""
    below: dict[int | None, list[int]] = {}
    for pk, superior in Position.objects.filter(agency_id=position.agency_id, is_active=True).values_list(
        "pk", "superior_id"
    ):
        below.setdefault(superior, []).append(pk)
    found, todo = set(), [position.pk]
    while todo:
        for child in below.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def dispose(
    *,
    agency: Agency,
    to_position: Position,
    instruction: str,
    text: str,
    due_on: date | None,
    by: User,
    document: Document | None = None,
    task: Any = None,
    parent: Disposition | None = None,
) -> Disposition:
    """A disposition from one of the user's positions to a position below it; forwarding one received."""
    if parent is not None:
        if parent.done_at is not None:
            raise ValidationError(_("This disposition was already reported done."))
        acting = holds(by, parent.to_position_id)
        if acting is None:
            raise PermissionDenied(_("Only the recipient of a disposition may forward it."))
        document, task, agency = parent.document, parent.task, parent.agency
    else:
        leaders = _leader_positions(by, agency)
        acting = next((a for a in leaders if to_position.pk in subordinate_ids(a.position)), None)
        if acting is None and leaders:
            acting = leaders[0]
        if acting is None:
            raise PermissionDenied(_("Only a leader may write a disposition."))
    errors: dict[str, str] = {}
    if to_position.agency_id != agency.pk or to_position.pk not in subordinate_ids(acting.position):
        errors["to_position"] = _("A disposition goes to a position below yours.")
    if instruction not in Disposition.Instruction.values:
        errors["instruction"] = _("Choose an instruction.")
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = _("The due date has passed.")
    if len(text) > 2000:
        errors["text"] = _("At most 2000 characters.")
    if document is None and task is None:
        errors["to_position"] = _("A disposition is written on a letter or a task.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        disposition = Disposition.objects.create(
            agency=agency, document=document, task=task, parent=parent, from_user=by, from_position=acting.position,
            from_label=position_label(acting.position, acting), to_position=to_position, instruction=instruction,
            text=text.strip(), due_on=due_on,
        )  # fmt: skip
        record_event(action="documents.disposition.written", actor=by, acting_as=acting, agency=agency,
                     target=disposition, after={"to": to_position.title, "instruction": instruction,
                                                "due_on": due_on.isoformat() if due_on else None})  # fmt: skip
        subject = document.title if document is not None else str(task)
        notify.post(
            notify.holders([to_position]), kind=Notification.Kind.ASSIGNED, key=f"documents.disposition.{disposition.pk}",
            title=_("Disposition: %(subject)s") % {"subject": subject},
            body=f"{disposition.get_instruction_display()}. {disposition.text}".strip(), submission=None,
            url=reverse("documents-dispositions"),
        )  # fmt: skip
    return disposition


def complete_disposition(*, disposition: Disposition, note: str, by: User) -> Disposition:
    acting = holds(by, disposition.to_position_id)
    if acting is None:
        raise PermissionDenied(_("Only the recipient of a disposition may report it done."))
    with transaction.atomic():
        done = Disposition.objects.filter(pk=disposition.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_note=note.strip()[:2000]
        )
        if done != 1:
            raise ValidationError(_("This disposition was already reported done."))
        record_event(action="documents.disposition.done", actor=by, acting_as=acting, agency=disposition.agency,
                     target=disposition, after={"note": note.strip()[:2000]})  # fmt: skip
        notify.post(
            [disposition.from_user], kind=Notification.Kind.DONE, key=f"documents.disposition.done.{disposition.pk}",
            title=_("Disposition done: %(instruction)s") % {"instruction": disposition.get_instruction_display()},
            body=note.strip(), submission=None, url=reverse("documents-dispositions"),
        )  # fmt: skip
    disposition.refresh_from_db()
    return disposition


def disposition_chain(root: Disposition) -> list[tuple[int, Disposition]]:
    """The disposition and every forward below it, with their depth, in the order written."""
    rows: list[tuple[int, Disposition]] = []

    def walk(node: Disposition, depth: int) -> None:
        rows.append((depth, node))
        for child in node.forwards.all().order_by("created_at", "pk"):
            walk(child, depth + 1)

    walk(root, 0)
    return rows
