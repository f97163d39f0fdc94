"""Official documents produced from the data Kinerja holds: letters and dispositions, quarterly reports, the
Dokumen Pengukuran Kinerja, the monev report, the Perjanjian Kinerja and the LKjIP.

A Document is drafted, generated in the background into versions (PDF, DOCX and XLSX made from one stored
content), approved along its chain, then signed: the signed version's PDF bytes are hashed (SHA-256) and never
change. A correction is a new Document that cites the one it replaces.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.lib.storage import SettingFolderStorage
from kinerja.org.models import Agency, Position, Role, Unit


class DocumentStorage(SettingFolderStorage):
    """The private folder of generated and signed documents (settings.DOCUMENT_ROOT)."""

    setting_name = "DOCUMENT_ROOT"


def document_storage() -> DocumentStorage:
    return DocumentStorage()


def document_path(instance: object, filename: str) -> str:
    """A server-made path: documents/<year>/<uuid4>.<extension of the format>."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"documents/{timezone.localdate().year}/{uuid.uuid4().hex}.{extension}"


class Kind(models.TextChoices):
    REQUEST_LETTER = "request_letter", _("Data request letter")
    LETTER = "letter", _("Letter")
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly performance report")
    MEASUREMENT = "measurement", _("Performance measurement document")
    MONEV_REPORT = "monev_report", _("Monitoring and evaluation report")
    AGREEMENT = "agreement", _("Performance agreement")
    LKJIP = "lkjip", _("LKjIP")


class PageSize(models.TextChoices):
    A4 = "A4", "A4 (210 × 297 mm)"
    F4 = "F4", "F4 (215 × 330 mm)"


class DocumentSettings(models.Model):
    """An agency's letterhead, page setup and signing chains."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="document_settings"
    )
    government = models.CharField(_("government (first letterhead line)"), max_length=200, blank=True)
    agency_name = models.CharField(_("agency name on the letterhead"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact = models.CharField(_("telephone, e-mail, website"), max_length=300, blank=True)
    city = models.CharField(_("place of signing"), max_length=100, blank=True)
    page_size = models.CharField(_("page size"), max_length=2, choices=PageSize.choices, default=PageSize.A4)
    # kind -> {"signer": role, "review": [roles]}; what is missing falls back to the defaults of `chains.py`
    chains = models.JSONField(_("approval chains"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("document settings")
        verbose_name_plural = _("document settings")

    def __str__(self) -> str:
        return str(self.agency)


class NumberingSeries(models.Model):
    """The numbers of one kind of document of an agency, gap-free and reset every year."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("number format"), max_length=120)
    unit_code = models.CharField(_("unit code"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("numbering series")
        verbose_name_plural = _("numbering series")
        constraints = [models.UniqueConstraint(fields=["agency", "kind"], name="documents_series_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.format}"


class NumberCounter(models.Model):
    """The last number issued in a series in a year; a new year starts again at 1."""

    series = models.ForeignKey(NumberingSeries, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="documents_counter_one_per_year")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


class IssuedNumber(models.Model):
    """Every number issued, in the transaction that needed it: a rolled-back signing leaves no gap."""

    series = models.ForeignKey(NumberingSeries, on_delete=models.PROTECT, related_name="issued")
    year = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(max_length=150)
    issued_on = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "seq"], name="documents_number_unique_seq"),
        ]

    def __str__(self) -> str:
        return self.number


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        READY = "ready", _("Awaiting signature")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Replaced by a correction")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The division a report is about, or the division a letter is addressed to."),
    )  # fmt: skip
    period = models.ForeignKey(
        "collection.ReportingPeriod", verbose_name=_("reporting period"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    request = models.ForeignKey(
        "collection.DataRequest", verbose_name=_("data request"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    agreement = models.ForeignKey(
        "planning.PerformanceAgreement", verbose_name=_("performance agreement"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    number = models.CharField(_("number"), max_length=150, blank=True)
    issued_number = models.OneToOneField(
        IssuedNumber, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    supersedes = models.ForeignKey(
        "self", verbose_name=_("corrects"), on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-year", "-created_at"]
        indexes = [models.Index(fields=["agency", "year", "kind"], name="documents_archive_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def is_signed(self) -> bool:
        return self.status in (self.Status.SIGNED, self.Status.SUPERSEDED)


class DocumentVersion(models.Model):
    """One generation of a document: its content (the figures and texts as they were) and its three files."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField()
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the content: the same content, the same version"
    )
    draft_data = models.BooleanField(_("built from unverified data"), default=False)
    pdf = models.FileField(storage=document_storage, upload_to=document_path, max_length=200)
    docx = models.FileField(storage=document_storage, upload_to=document_path, max_length=200, blank=True)
    xlsx = models.FileField(storage=document_storage, upload_to=document_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64)
    signed = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique_number"),
            models.UniqueConstraint(
                fields=["document", "fingerprint"], condition=Q(signed=False), name="documents_version_one_per_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class GenerationJob(models.Model):
    """A request to generate a document in the background, with its progress and, on failure, its reason."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    result = models.ForeignKey(DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reused = models.BooleanField(default=False, help_text="The content had not changed: the last version stands.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Last handed to the task queue; a job lost by its queue is handed again."
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker started it.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=Q(status__in=["queued", "running"]), name="documents_one_active_job"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.get_status_display()}"


class Approval(models.Model):
    """One step of a document's chain: a review (paraf) by a position, or the signature at the end."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices)
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    signs = models.BooleanField(default=False)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position_label = models.CharField(max_length=220, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["document", "round", "order"], name="documents_approval_unique_step"),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.position} · {self.get_decision_display()}"


class Signature(models.Model):
    """Who signed which exact bytes, and when. The token is what the QR code on the document points at."""

    class Method(models.TextChoices):
        INTERNAL = "internal", _("Kinerja (password and SHA-256)")
        BSRE = "bsre", _("BSrE electronic certificate")

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="signature")
    version = models.OneToOneField(DocumentVersion, on_delete=models.PROTECT, related_name="signature")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=200)
    position_label = models.CharField(max_length=220)
    rank = models.CharField(max_length=60, blank=True)
    nip = models.CharField(max_length=18, blank=True)
    signed_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64, db_index=True)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.INTERNAL)
    reference = models.CharField(max_length=200, blank=True, help_text="The signing service's own reference.")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)

    def __str__(self) -> str:
        return f"{self.document} · {self.signer_name}"


class Disposition(models.Model):
    """Lembar disposisi: a leader's instruction on a letter or a task to a subordinate, forwarded down."""

    class Instruction(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow up")
        PROCESS = "process", _("Process according to the rules")
        STUDY = "study", _("Study and report")
        COORDINATE = "coordinate", _("Coordinate")
        PREPARE = "prepare", _("Prepare a draft reply")
        ATTEND = "attend", _("Attend / represent")
        FILE = "file", _("For your information and filing")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="dispositions")
    task = models.ForeignKey("sop.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="forwards")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    from_label = models.CharField(max_length=220)
    to_position = models.ForeignKey(Position, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    instruction = models.CharField(_("instruction"), max_length=12, choices=Instruction.choices)
    text = models.TextField(_("note"), blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(document__isnull=False) | Q(task__isnull=False), name="documents_disposition_has_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_label} → {self.to_position}: {self.get_instruction_display()}"


class DownloadLog(models.Model):
    """Every download of a document file, by a user or through the public verification page."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="downloads")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    file_format = models.CharField(max_length=4)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.document} {self.file_format} {self.at:%Y-%m-%d %H:%M}"
