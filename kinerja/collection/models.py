"""Quarterly data collection (seeds 000 and 002, Pengumpulan Data Kinerja): the planning unit opens a
reporting period, each division (and, where individual performance is measured, each employee) answers
a data request with realisations and evidence, reviewers approve or return it, and the planning unit
verifies it. Verified data is written to measurement.Realization and counts on the dashboards."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.lib.storage import SettingFolderStorage
from kinerja.org.models import Agency, Position, Unit
from kinerja.planning.models import DECIMAL, Indicator


class EvidenceStorage(SettingFolderStorage):
    """The private folder of evidence files (settings.EVIDENCE_ROOT), served only by a view that checks access."""

    setting_name = "EVIDENCE_ROOT"


def evidence_storage() -> EvidenceStorage:
    return EvidenceStorage()


def evidence_path(instance: Evidence, filename: str) -> str:
    """A path made by the server, never from the user's file name: evidence/<year>/<uuid4>."""
    return f"evidence/{timezone.localdate().year}/{uuid.uuid4().hex}"


class CollectionSettings(models.Model):
    """How an agency runs its quarterly collection."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="collection_settings"
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"), default=10, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month after the quarter on which the data is due (1 to 28)."),
    )  # fmt: skip
    remind_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before the due date"), default=3, validators=[MaxValueValidator(30)]
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("tell the planning head after this many days late"), default=3, validators=[MaxValueValidator(30)]
    )
    evidence_required = models.BooleanField(_("evidence required for every reported value"), default=True)
    evidence_max_mb = models.PositiveSmallIntegerField(
        _("largest evidence file (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    individual_requests = models.BooleanField(
        _("ask each employee with individual indicators (IKI) for their data"), default=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("collection settings")
        verbose_name_plural = _("collection settings")
        constraints = [
            models.CheckConstraint(condition=Q(due_day__gte=1, due_day__lte=28), name="collection_settings_due_day"),
            models.CheckConstraint(
                condition=Q(evidence_max_mb__gte=1, evidence_max_mb__lte=50), name="collection_settings_max_mb"
            ),
        ]

    def __str__(self) -> str:
        return str(self.agency)


class ReportingPeriod(models.Model):
    """One quarter of one year in which an agency collects its performance data."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "quarter"], name="collection_period_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="collection_period_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.year} TW {('I', 'II', 'III', 'IV')[self.quarter - 1]}"


class DataRequest(models.Model):
    """What the planning unit asks one division, or one employee, to report for a period."""

    class Kind(models.TextChoices):
        DIVISION = "division", _("Division")
        INDIVIDUAL = "individual", _("Individual (IKI)")

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        Position, verbose_name=_("position that answers"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("For an individual request: the employee's position."),
    )  # fmt: skip
    reviewer = models.ForeignKey(
        Position, verbose_name=_("first reviewer"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    indicators = models.ManyToManyField(Indicator, verbose_name=_("indicators"), related_name="+")

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["period", "kind", "unit__sort_order", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"], condition=Q(kind="division"), name="collection_request_division_unique"
            ),
            models.UniqueConstraint(
                fields=["period", "position"],
                condition=Q(kind="individual"),
                name="collection_request_individual_unique",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(kind="division", position__isnull=True) | Q(kind="individual", position__isnull=False),
                name="collection_request_kind_position",
            ),
        ]

    def __str__(self) -> str:
        who = self.position.title if self.position_id and self.position else self.unit.name
        return f"{who} · {self.period}"


class Submission(models.Model):
    """The answer to a data request and where it stands in its review.

    draft → submitted → approved (division head, or the last superior) → verified (planning head: locked,
    counts on the dashboards); returned with a note from any review step; reopened with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        VERIFIED = "verified", _("Verified and locked")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    request = models.OneToOneField(
        DataRequest, verbose_name=_("data request"), on_delete=models.PROTECT, related_name="submission"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    awaiting = models.ForeignKey(
        Position, verbose_name=_("waiting for"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The position whose review the submission waits for."),
    )  # fmt: skip
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returns = models.PositiveSmallIntegerField(_("times returned"), default=0)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["status"], name="collection_submission_status")]

    def __str__(self) -> str:
        return str(self.request)

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE


class SubmissionLine(models.Model):
    """One indicator of a submission: the quarter's figure as the division enters it."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="lines"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("realisation"), **DECIMAL, null=True, blank=True)
    text = models.CharField(_("realisation (text)"), max_length=200, blank=True)
    no_data = models.BooleanField(_("no data"), default=False)
    no_data_reason = models.TextField(_("why there is no data"), blank=True)
    factors_helped = models.TextField(_("factors that helped"), blank=True)
    factors_hindered = models.TextField(_("factors that hindered"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    remark = models.TextField(_("reviewer's remark"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("submission line")
        verbose_name_plural = _("submission lines")
        ordering = ["indicator__sort_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator"], name="collection_line_unique"),
            models.CheckConstraint(
                condition=Q(no_data=False) | Q(value__isnull=True, text=""), name="collection_line_no_data_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.submission}"

    @property
    def answered(self) -> bool:
        return self.value is not None or bool(self.text) or (self.no_data and bool(self.no_data_reason))


class Review(models.Model):
    """One step of a submission's history: submitted, withdrawn, approved, returned, verified or reopened."""

    class Decision(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        VERIFIED = "verified", _("Verified")
        REOPENED = "reopened", _("Reopened")

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        Position, verbose_name=_("as"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position_label = models.CharField(_("position"), max_length=220, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.submission}"


class ReviewRemark(models.Model):
    """A returning reviewer's remark on one indicator."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="remarks")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    remark = models.TextField(_("remark"))

    class Meta:
        verbose_name = _("review remark")
        verbose_name_plural = _("review remarks")
        constraints = [models.UniqueConstraint(fields=["review", "indicator"], name="collection_remark_unique")]

    def __str__(self) -> str:
        return self.remark[:60]


class Evidence(models.Model):
    """A supporting document (bukti dukung) of one submission line, checked by content and hashed."""

    line = models.ForeignKey(
        SubmissionLine, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10)
    mime = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    removal_reason = models.TextField(_("why it was removed or replaced"), blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "sha256"], condition=Q(removed_at__isnull=True), name="collection_evidence_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> bool:
        return self.removed_at is None


class Notification(models.Model):
    """A message in a user's inbox, and the email sent for it. `key` makes each notice happen once."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to you")
        RETURNED = "returned", _("Returned to you")
        REMINDER = "reminder", _("Deadline near")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Overdue in your area")
        DONE = "done", _("Done")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=250, blank=True)
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="collection_notification_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="collection_notification_unread")]

    def __str__(self) -> str:
        return self.title


class DigestPreference(models.Model):
    """A user who wants one email a day with their notices instead of one email per notice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="digest_preference"
    )
    daily_digest = models.BooleanField(_("one daily email instead of one per notice"), default=False)
    last_digest_on = models.DateField(_("last digest"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return str(self.user)
