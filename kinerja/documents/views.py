"""Pages of the documents app. Each view parses its input, calls one service and renders."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.documents import builders, services
from kinerja.documents.builders.common import settings_of
from kinerja.documents.chains import DEFAULT_CHAINS, REVIEW_ROLES, SIGNER_ROLES, chain_setting
from kinerja.documents.models import (
    Disposition,
    Document,
    DocumentVersion,
    DownloadLog,
    GenerationJob,
    Kind,
    NumberingSeries,
    PageSize,
    Signature,
)
from kinerja.documents.numbering import PLACEHOLDERS
from kinerja.documents.permissions import (
    LEADER_ROLES,
    can_compose,
    composer_agencies,
    get_disposition_for_user,
    get_document_for_user,
    get_version_for_user,
    waits_for,
)
from kinerja.documents.render import DOCX_MIME, PDF_MIME, XLSX_MIME
from kinerja.documents.selectors import approvals_waiting
from kinerja.documents.signing import signer
from kinerja.lib.errors import ConflictError, error_messages
from kinerja.lib.net import client_address
from kinerja.lib.versioning import posted_version
from kinerja.org.models import Agency, Position, Role, Unit
from kinerja.org.permissions import current_assignments, readable_agencies, unit_scope
from kinerja.planning.models import PerformanceAgreement
from kinerja.sop.permissions import get_task_for_user

MAX_VERIFY_UPLOAD = 30 * 1024 * 1024
FORMATS = {"pdf": ("pdf", PDF_MIME), "docx": ("docx", DOCX_MIME), "xlsx": ("xlsx", XLSX_MIME)}


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _agency_from(request: HttpRequest, agencies: list[Agency]) -> Agency:
    wanted = _int(request.GET.get("agency") or request.POST.get("agency"))
    if wanted is not None:
        found = next((a for a in agencies if a.pk == wanted), None)
        if found is None:
            raise Http404
        return found
    if not agencies:
        raise Http404
    return agencies[0]


# Archive


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    agencies = readable_agencies(request.user)
    agency = _agency_from(request, agencies)
    composer = can_compose(request.user, agency)
    documents = Document.objects.filter(agency=agency).select_related("unit", "signature")
    scope = unit_scope(request.user, agency)
    if scope is not None:
        signed = [Document.Status.SIGNED, Document.Status.SUPERSEDED]
        documents = documents.filter(Q(unit_id__in=scope) | Q(unit__isnull=True, status__in=signed))
    status = request.GET.get("status", "signed" if not composer else "")
    if status == "signed":
        documents = documents.filter(status__in=[Document.Status.SIGNED, Document.Status.SUPERSEDED])
    elif status in Document.Status.values:
        documents = documents.filter(status=status)
    errors = []
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        documents = documents.filter(kind=kind)
    year = _int(request.GET.get("year"))
    if year:
        documents = documents.filter(year=year)
    quarter = _int(request.GET.get("quarter"))
    if quarter in (1, 2, 3, 4):
        documents = documents.filter(quarter=quarter)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        documents = documents.filter(Q(number__icontains=text) | Q(title__icontains=text))
    dates = {}
    for name in ("signed_from", "signed_to"):
        raw = request.GET.get(name, "").strip()
        if raw:
            parsed = parse_date(raw) if len(raw) == 10 else None
            if parsed is None:
                errors.append(_("Write dates as YYYY-MM-DD."))
            else:
                dates[name] = parsed
    if "signed_from" in dates:
        documents = documents.filter(signed_at__date__gte=dates["signed_from"])
    if "signed_to" in dates:
        documents = documents.filter(signed_at__date__lte=dates["signed_to"])
    page = Paginator(documents.order_by("-year", "-signed_at", "-created_at"), 50).get_page(request.GET.get("page"))
    years = sorted(set(Document.objects.filter(agency=agency).values_list("year", flat=True)), reverse=True)
    query = request.GET.copy()
    query.pop("page", None)
    waiting = [a for a in approvals_waiting(request.user) if a.document.agency_id == agency.pk]
    return render(request, "documents/archive.html", {
        "query": query.urlencode(), "waiting": waiting,
        "agency": agency, "agencies": agencies, "page": page, "composer": composer, "kinds": Kind.choices,
        "statuses": Document.Status.choices, "years": years, "errors": errors,
        "f": {"kind": kind, "year": year, "quarter": quarter, "q": text, "status": status,
              "signed_from": request.GET.get("signed_from", ""), "signed_to": request.GET.get("signed_to", "")},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    agencies = composer_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    agency = _agency_from(request, agencies)
    errors: list[str] = []
    values = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        unit = Unit.objects.filter(agency=agency, pk=_int(values.get("unit"))).first() if values.get("unit") else None
        agreement = (
            PerformanceAgreement.objects.filter(agency=agency, pk=_int(values.get("agreement"))).first()
            if values.get("agreement") else None
        )  # fmt: skip
        try:
            document = services.create_document(
                agency=agency, kind=values.get("kind", ""), year=_int(values.get("year")) or 0,
                quarter=_int(values.get("quarter")), unit=unit, agreement=agreement,
                title=values.get("title", "")[:300], by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            return redirect("documents-detail", document.pk)
    return render(request, "documents/new.html", {
        "agency": agency, "agencies": agencies, "errors": errors, "values": values,
        "kinds": [(k, label) for k, label in Kind.choices if k != Kind.REQUEST_LETTER],
        "units": Unit.objects.filter(agency=agency, parent__isnull=False, parent__parent__isnull=True).order_by(
            "sort_order", "name"),
        "agreements": PerformanceAgreement.objects.filter(agency=agency).select_related("party_one").order_by(
            "-year", "level", "party_one__title"),
    }, status=400 if errors else 200)  # fmt: skip


# One document


def _detail_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    user = request.user
    composer = can_compose(user, document.agency)
    versions = list(document.versions.order_by("-number"))
    pending = services.pending_approval(document)
    holds_pending = pending is not None and waits_for(user, document)
    roots = list(document.dispositions.filter(parent__isnull=True).select_related("to_position", "from_position"))
    chains = [row for root in roots for row in services.disposition_chain(root)]
    leader = any(a.position.agency_id == document.agency_id and a.position.role in LEADER_ROLES
                 for a in current_assignments(user))  # fmt: skip
    texts = builders.TEXTS[document.kind]
    return {
        "document": document, "composer": composer, "versions": versions, "latest": versions[0] if versions else None,
        "job": document.jobs.first(), "pending": pending, "holds_pending": holds_pending,
        "approvals": document.approvals.select_related("position", "decided_by").order_by("round", "order"),
        "signature": getattr(document, "signature", None) if document.is_signed else None,
        "texts": [(key, label, (document.texts or {}).get(key, "")) for key, label in texts.items()],
        "dispositions": chains, "can_dispose": leader,
        "dispose_targets": _dispose_targets(user, document.agency) if leader else [],
        "instructions": Disposition.Instruction.choices,
        "downloads": DownloadLog.objects.filter(document=document).select_related("user", "version")[:50]
        if composer else [],
        "corrections": document.corrections.all(), "needs_passphrase": signer().needs_passphrase,
    }  # fmt: skip


def _dispose_targets(user: Any, agency: Agency) -> list[Position]:
    below: set[int] = set()
    for assignment in current_assignments(user):
        if assignment.position.agency_id == agency.pk and assignment.position.role in LEADER_ROLES:
            below |= services.subordinate_ids(assignment.position)
    return list(Position.objects.filter(pk__in=below).order_by("unit__sort_order", "title"))


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    return render(request, "documents/detail.html", _detail_context(request, document))


def _back(document: Document, anchor: str = "") -> HttpResponse:
    return redirect(reverse("documents-detail", args=[document.pk]) + (f"#{anchor}" if anchor else ""))


def _fail(request: HttpRequest, document: Document, exc: ValidationError) -> HttpResponse:
    """The page again with the reason; 409 when someone else changed the document meanwhile."""
    document.refresh_from_db()
    context = _detail_context(request, document)
    context["errors"] = error_messages(exc)
    return render(request, "documents/detail.html", context, status=409 if isinstance(exc, ConflictError) else 400)


@require_POST
def save_texts(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    allowed = builders.TEXTS[document.kind]
    texts = {key: request.POST.get(f"text_{key}", "") for key in allowed}
    try:
        services.save_texts(document=document, texts=texts, version=posted_version(request.POST), by=request.user)
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("The texts were saved."))
    return _back(document, "texts")


@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    try:
        services.request_generation(document=document, by=request.user)
    except ValidationError as exc:
        return _fail(request, document, exc)
    return _back(document, "generation")


@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    job = GenerationJob.objects.select_related("document", "result").filter(pk=pk).first()
    if job is None:
        raise Http404
    get_document_for_user(request.user, job.document_id)
    return render(request, "documents/_job.html", {"job": job, "document": job.document})


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    try:
        services.submit_for_approval(document=document, version=posted_version(request.POST), by=request.user)
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("The document was sent for approval."))
    return _back(document)


@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    try:
        services.withdraw(document=document, version=posted_version(request.POST), by=request.user)
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("The document is a draft again."))
    return _back(document)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide(document=document, version=posted_version(request.POST), approve=approve,
                        note=request.POST.get("note", "")[:2000], by=request.user)  # fmt: skip
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("Approved.") if approve else _("Returned with your note."))
    return _back(document)


def _base_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    given = services.SignInput(
        password=request.POST.get("password", "")[:200], nik=request.POST.get("nik", "").strip()[:20],
        passphrase=request.POST.get("passphrase", "")[:200],
    )  # fmt: skip
    try:
        services.sign(document=document, version=posted_version(request.POST), given=given, by=request.user,
                      base_url=_base_url(request))  # fmt: skip
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("Signed. The signed PDF and its verification code are kept in the archive."))
    return _back(document)


@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    try:
        new_document = services.correct(document=document, reason=request.POST.get("reason", "")[:2000],
                                        by=request.user)  # fmt: skip
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("A correction was started. It cites the signed document it replaces."))
    return redirect("documents-detail", new_document.pk)


def _file_response(version: DocumentVersion, file_format: str) -> FileResponse:
    extension, mime = FORMATS[file_format]
    field = getattr(version, file_format)
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    document = version.document
    stem = (document.number or document.title).replace("/", "-")[:80]
    name = f"{stem} v{version.number}{'' if version.signed else ' (draf)'}.{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def download(request: HttpRequest, pk: int, file_format: str) -> FileResponse:
    if file_format not in FORMATS:
        raise Http404
    version = get_version_for_user(request.user, pk)
    response = _file_response(version, file_format)
    services.log_download(version=version, file_format=file_format, user=request.user,
                          client=client_address(request))  # fmt: skip
    return response


# Dispositions


@require_POST
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    try:
        services.dispose(agency=document.agency, document=document, by=request.user, **_disposition_input(request,
                                                                                                         document.agency))  # fmt: skip
    except ValidationError as exc:
        return _fail(request, document, exc)
    messages.success(request, _("The disposition was sent."))
    return _back(document, "dispositions")


def _disposition_input(request: HttpRequest, agency: Agency) -> dict[str, Any]:
    to = Position.objects.filter(agency=agency, pk=_int(request.POST.get("to_position"))).first()
    if to is None:
        raise ValidationError({"to_position": _("Choose whom the disposition is for.")})
    raw = request.POST.get("due_on", "").strip()
    due = parse_date(raw) if raw and len(raw) == 10 else None
    if raw and due is None:
        raise ValidationError({"due_on": _("Write dates as YYYY-MM-DD.")})
    return {"to_position": to, "instruction": request.POST.get("instruction", ""),
            "text": request.POST.get("text", "")[:4000], "due_on": due}  # fmt: skip


@require_http_methods(["GET", "POST"])
def task_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    agency = task.case.agency
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.dispose(agency=agency, task=task, by=request.user, **_disposition_input(request, agency))
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("The disposition was sent."))
            return redirect("documents-dispositions")
    return render(request, "documents/task_disposition.html", {
        "task": task, "errors": errors, "instructions": Disposition.Instruction.choices,
        "targets": _dispose_targets(request.user, agency),
    }, status=400 if errors else 200)  # fmt: skip


@require_GET
def dispositions(request: HttpRequest) -> HttpResponse:
    mine = [a.position_id for a in current_assignments(request.user)]
    base = Disposition.objects.select_related("document", "task__step", "to_position", "from_position", "parent")
    return render(request, "documents/dispositions.html", {
        "received": base.filter(to_position__in=mine).order_by("done_at", "-created_at")[:200],
        "sent": base.filter(from_user=request.user).order_by("-created_at")[:100],
        "instructions": Disposition.Instruction.choices,
        "targets": {a.position_id: list(Position.objects.filter(pk__in=services.subordinate_ids(a.position)))
                    for a in current_assignments(request.user)},
    })  # fmt: skip


@require_POST
def disposition_action(request: HttpRequest, pk: int) -> HttpResponse:
    disposition = get_disposition_for_user(request.user, pk)
    try:
        if request.POST.get("do") == "done":
            services.complete_disposition(disposition=disposition, note=request.POST.get("note", ""), by=request.user)
            messages.success(request, _("Reported done."))
        else:
            services.dispose(agency=disposition.agency, parent=disposition, by=request.user,
                             **_disposition_input(request, disposition.agency))  # fmt: skip
            messages.success(request, _("The disposition was forwarded."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    return redirect("documents-dispositions")


# Settings


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    agencies = composer_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    agency = _agency_from(request, agencies)
    current = settings_of(agency)
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("do") == "series":
        try:
            services.save_series(agency=agency, kind=request.POST.get("kind", ""), fmt=request.POST.get("format", ""),
                                 unit_code=request.POST.get("unit_code", ""), by=request.user)  # fmt: skip
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, _("The numbering series was saved."))
            return redirect(reverse("documents-settings") + f"?agency={agency.pk}")
    elif request.method == "POST":
        chains = {}
        for kind in DEFAULT_CHAINS:
            signer_role = request.POST.get(f"signer_{kind}", "")
            chains[kind] = {"signer": signer_role, "review": [r for r in REVIEW_ROLES
                                                              if request.POST.get(f"review_{kind}_{r}")]}  # fmt: skip
        values = {k: request.POST.get(k, "") for k in ("government", "agency_name", "address", "contact", "city",
                                                       "page_size")}  # fmt: skip
        try:
            services.save_settings(agency=agency, values={**values, "chains": chains},
                                   version=posted_version(request.POST), by=request.user)  # fmt: skip
        except ValidationError as exc:
            errors = error_messages(exc)
            current.__dict__.update({k: v[:300] for k, v in values.items()})  # show what was typed
        else:
            messages.success(request, _("The document settings were saved."))
            return redirect(reverse("documents-settings") + f"?agency={agency.pk}")
    role_labels = dict(Role.choices)
    return render(request, "documents/settings.html", {
        "agency": agency, "agencies": agencies, "s": current, "errors": errors, "page_sizes": PageSize.choices,
        "chains": [(kind, label, chain_setting(current, kind)) for kind, label in Kind.choices],
        "signer_roles": [(r, role_labels[r]) for r in SIGNER_ROLES],
        "review_roles": [(r, role_labels[r]) for r in REVIEW_ROLES],
        "series": NumberingSeries.objects.filter(agency=agency).order_by("kind"), "kinds": Kind.choices,
        "placeholders": PLACEHOLDERS, "post": request.POST if errors else {},
    }, status=400 if errors else 200)  # fmt: skip


# Public verification


def _verify_context(signature: Any, checked: bool | None, uploaded_hash: str = "") -> dict[str, Any]:
    return {"signature": signature, "checked": checked, "uploaded_hash": uploaded_hash}


def _uploaded(request: HttpRequest) -> bytes | None:
    upload = request.FILES.get("file")
    if upload is None:
        return None
    if upload.size > MAX_VERIFY_UPLOAD:
        raise ValidationError(_("The file is larger than 30 MB: it cannot be a document signed here."))
    return upload.read()


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone may upload a PDF and learn whether it is a document signed in Kinerja, by whom and when."""
    context: dict[str, Any] = {"signature": None, "checked": None, "errors": []}
    if request.method == "POST":
        try:
            data = _uploaded(request)
        except ValidationError as exc:
            context["errors"] = error_messages(exc)
            return render(request, "documents/verify.html", context, status=400)
        if data is None:
            context["errors"] = [_("Choose the PDF file to check.")]
            return render(request, "documents/verify.html", context, status=400)
        found = services.find_signature(data)
        context.update(signature=found, checked=found is not None, uploaded_hash=hashlib.sha256(data).hexdigest())
    return render(request, "documents/verify.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page the QR code opens: the signature of one document, and a check of a file against it."""
    signature = Signature.objects.select_related("document__agency", "version").filter(token=token[:64]).first()
    if signature is None:
        raise Http404
    context: dict[str, Any] = {"signature": signature, "checked": None, "errors": [], "by_token": True}
    if request.method == "POST":
        try:
            data = _uploaded(request)
        except ValidationError as exc:
            context["errors"] = error_messages(exc)
            return render(request, "documents/verify.html", context, status=400)
        if data is None:
            context["errors"] = [_("Choose the PDF file to check.")]
            return render(request, "documents/verify.html", context, status=400)
        digest = hashlib.sha256(data).hexdigest()
        context.update(checked=digest == signature.sha256, uploaded_hash=digest)
    return render(request, "documents/verify.html", context)


@login_not_required
@require_GET
def verify_download(request: HttpRequest, token: str) -> FileResponse:
    """The signed PDF itself, for whoever holds the QR link (the link is the secret, as on paper)."""
    signature = Signature.objects.select_related("version__document").filter(token=token[:64]).first()
    if signature is None:
        raise Http404
    response = _file_response(signature.version, "pdf")
    user = request.user if request.user.is_authenticated else None
    services.log_download(version=signature.version, file_format="pdf", user=user, client=client_address(request))
    return response
