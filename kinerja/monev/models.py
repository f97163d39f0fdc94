"""Internal monitoring and evaluation (monev) of performance, each quarter (seeds 000 and 001).

The planning unit plans the quarter's monev (which divisions, when, by whom, which indicators need
attention), visits each division and fills the monev form (blangko monev): per indicator in scope a finding,
its cause and recommendations with a person responsible and a due date. The division answers each
recommendation with a follow-up; the planning head closes it or reopens it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.collection.models import evidence_storage
from kinerja.org.models import Agency, Position, Unit
from kinerja.planning.models import Indicator


def monev_path(instance: models.Model, filename: str) -> str:
    """A path made by the server, never from the user's file name: monev/<year>/<uuid4>."""
    return f"monev/{timezone.localdate().year}/{uuid.uuid4().hex}"


class Reason(models.TextChoices):
    """Why an indicator is proposed for the quarter's monev."""

    BELOW_THRESHOLD = "below", _("Achievement so far below the threshold")
    PROJECTED_AT_RISK = "at_risk", _("Year-end projection below the threshold")
    LATE = "late", _("Data submitted late")
    RETURNED = "returned", _("Data returned for correction")
    NO_EVIDENCE = "no_evidence", _("No supporting evidence")
    OPEN_RECOMMENDATION = "open", _("Open recommendation from an earlier monev")
    CHOSEN = "chosen", _("Chosen by the planning head")


class EvaluationPlan(models.Model):
    """The monev of one quarter in one agency."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="monev_plans")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    threshold = models.DecimalField(
        _("threshold (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
        help_text=_("Indicators whose achievement so far or projected for the year is below this are proposed."),
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("monev plan")
        verbose_name_plural = _("monev plans")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "quarter"], name="monev_plan_once")]

    def __str__(self) -> str:
        return f"Monev {self.year} TW {self.quarter}"


class PlanItem(models.Model):
    """An indicator that needs attention in the quarter's monev, and why."""

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(_("reasons"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator in scope")
        verbose_name_plural = _("indicators in scope")
        constraints = [models.UniqueConstraint(fields=["plan", "indicator"], name="monev_item_once")]

    def __str__(self) -> str:
        return f"{self.plan} — {self.indicator_id}"

    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels.get(code, code)) for code in self.reasons]


class Visit(models.Model):
    """The monev of one division: when, by whom, and once held, what was found."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="visits")
    unit = models.ForeignKey(Unit, verbose_name=_("division"), on_delete=models.PROTECT, related_name="+")
    scheduled_on = models.DateField(_("scheduled on"))
    evaluators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("evaluators"), related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("monev visit")
        verbose_name_plural = _("monev visits")
        ordering = ["scheduled_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="monev_visit_once")]

    def __str__(self) -> str:
        return f"{self.plan} — {self.unit}"


class Attachment(models.Model):
    """The minutes (berita acara) or a photo of a visit, checked by content and hashed like evidence."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Minutes (berita acara)")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=monev_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    mime = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit attachment")
        verbose_name_plural = _("visit attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Finding(models.Model):
    """What the evaluator found on one indicator (or on the division as a whole) during a visit."""

    class Cause(models.TextChoices):
        DATA = "data", _("Data not available or late")
        TARGET = "target", _("Target set unrealistically")
        BUDGET = "budget", _("Budget not available or cut")
        ACTIVITY = "activity", _("Activity delayed or not carried out")
        STAFF = "staff", _("Staff or skills lacking")
        COORDINATION = "coordination", _("Coordination with other parties")
        EXTERNAL = "external", _("External factors (weather, regulation, demand)")
        OTHER = "other", _("Other")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("finding"))
    cause = models.CharField(_("cause"), max_length=15, choices=Cause.choices)
    cause_note = models.TextField(_("cause, explained"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Recommendation(models.Model):
    """What the division is to do about a finding, by whom and by when; followed up until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered, awaiting review")
        CLOSED = "closed", _("Closed")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(_("recommendation"))
    responsible = models.ForeignKey(
        Position, verbose_name=_("person responsible"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reopened = models.PositiveSmallIntegerField(_("reopened (times)"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="monev_rec_status_due")]

    def __str__(self) -> str:
        return self.text[:80]

    def is_overdue(self, on: object) -> bool:
        return self.status != self.Status.CLOSED and self.due_on < on  # type: ignore[operator]


class FollowUp(models.Model):
    """The division's answer to a recommendation, and the planning head's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted: recommendation closed")
        REOPENED = "reopened", _("Not enough: recommendation reopened")

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.TextField(_("what was done"))
    file = models.FileField(_("evidence"), storage=evidence_storage, upload_to=monev_path, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=120, blank=True)
    file_mime = models.CharField(max_length=100, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_note = models.TextField(_("review note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.action[:80]
