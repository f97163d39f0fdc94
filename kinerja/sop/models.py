"""SOP AP (PermenPAN-RB 35/2012) as data, and SOPs run as cases.

A Procedure is an SOP's stable identity; each ProcedureVersion is one edition of it, frozen once
published (a revision is a new version with its changelog). A version has its performer columns
(Lane) and its steps (Step) with the Mutu Baku. A Case runs one published version for a subject (a
reporting period, a division's data request); each step it reaches becomes one Task per performer,
due after the step's Waktu counted in working time on the agency's calendar."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.collection.models import evidence_storage
from kinerja.org.models import Agency, Employee, Position, Role, Unit

ROLE_CHOICES = [("", "—"), *Role.choices]


class Action(models.TextChoices):
    """Application actions a step can be bound to: doing the action completes the step's open task."""

    OPEN_PERIOD = "collection.open_period", _("Opening a reporting period")
    SUBMIT = "collection.submit", _("Submitting a division's data")
    REVIEW = "collection.review", _("Approving (Ya) or returning (Tidak) submitted data")
    VERIFY = "collection.verify", _("Verifying approved data")
    SIGN = "documents.sign", _("Signing a document in the application")
    MONEV_PLAN = "monev.plan", _("Planning the quarter's monev")
    MONEV_SCHEDULE = "monev.schedule", _("Scheduling a monev visit to a division")
    MONEV_VISIT = "monev.visit", _("Recording a monev visit as held")


class SopSettings(models.Model):
    """An agency's calendar and document settings for its SOPs."""

    class Zone(models.TextChoices):
        WIB = "WIB", _("WIB (UTC+7)")
        WITA = "WITA", _("WITA (UTC+8)")
        WIT = "WIT", _("WIT (UTC+9)")

    class PageSize(models.TextChoices):
        A4 = "A4", _("A4 landscape")
        F4 = "F4", _("F4 (Folio) landscape")

    agency = models.OneToOneField(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="sop_settings"
    )
    time_zone = models.CharField(_("time zone"), max_length=4, choices=Zone.choices, default=Zone.WITA)
    page_size = models.CharField(_("page size of SOP documents"), max_length=2, choices=PageSize.choices, default="A4")
    minutes_per_day = models.PositiveSmallIntegerField(
        _("working minutes in one day of a time standard"), default=450,
        help_text=_("450 minutes = 7.5 hours (Perpres 21/2023: 37.5 hours a week)."),
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SOP settings")
        verbose_name_plural = _("SOP settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_per_day__gte=60, minutes_per_day__lte=720), name="sop_settings_minutes_per_day"
            )
        ]

    def __str__(self) -> str:
        return str(self.agency)


class RamadanPeriod(models.Model):
    """The dates of Ramadan, when the shorter working hours apply (set each year by the government)."""

    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("Ramadan period")
        verbose_name_plural = _("Ramadan periods")
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="ramadan_period_order")]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


class Procedure(models.Model):
    """An SOP's identity over its versions. Without an agency it is a template of the library."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="procedures", null=True, blank=True
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("key"), max_length=120, blank=True)
    template = models.ForeignKey(
        "self", verbose_name=_("adopted from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_note = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("SOP")
        verbose_name_plural = _("SOPs")
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(agency__isnull=True) & ~Q(slug=""), name="sop_template_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_template(self) -> bool:
        return self.agency_id is None


class ProcedureVersion(models.Model):
    """One edition of an SOP. A draft is edited; a published version never changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("In force")
        SUPERSEDED = "superseded", _("Superseded")

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Bagian Identitas (sop-format.md §1.3)
    title = models.CharField(_("SOP title"), max_length=300)
    government = models.CharField(_("government"), max_length=200, blank=True)
    agency_name = models.CharField(_("agency"), max_length=200, blank=True)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    doc_number = models.CharField(_("SOP number"), max_length=100, blank=True)
    made_on = models.CharField(_("date made"), max_length=40, blank=True)
    revised_on = models.CharField(_("date revised"), max_length=40, blank=True)
    effective_on = models.CharField(_("date effective"), max_length=40, blank=True)
    approver_title = models.CharField(_("approved by (position)"), max_length=200, blank=True)
    approver_name = models.CharField(_("approver's name"), max_length=200, blank=True)
    approver_rank = models.CharField(_("approver's rank"), max_length=100, blank=True)
    approver_nip = models.CharField(_("approver's NIP"), max_length=30, blank=True)
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    qualifications = models.JSONField(_("performer qualifications"), default=list, blank=True)
    related = models.JSONField(_("related SOPs"), default=list, blank=True)
    equipment = models.JSONField(_("equipment"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    records = models.JSONField(_("records"), default=list, blank=True)
    trigger = models.CharField(_("when it starts"), max_length=300, blank=True)
    changelog = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("SOP version")
        verbose_name_plural = _("SOP versions")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="sop_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status="draft"), name="sop_one_draft_per_procedure"
            ),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status="published"), name="sop_one_published_per_procedure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Lane(models.Model):
    """A performer column (pelaksana). It binds to a position of the agency, or to a role found in the
    case's unit (the Kepala Bidang of the division the case is about)."""

    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="lanes")
    order = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=60)
    label = models.CharField(_("performer"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES, blank=True)
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["procedure_version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure_version", "key"], name="sop_lane_key_unique"),
            models.UniqueConstraint(fields=["procedure_version", "order"], name="sop_lane_order_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Step(models.Model):
    class Symbol(models.TextChoices):
        TERMINATOR = "terminator", _("Start/end (capsule)")
        PROCESS = "process", _("Activity (box)")
        DECISION = "decision", _("Decision (diamond)")

    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("no."))
    text = models.TextField(_("activity"))
    symbol = models.CharField(_("symbol"), max_length=12, choices=Symbol.choices, default=Symbol.PROCESS)
    lanes = models.ManyToManyField(Lane, verbose_name=_("performers"), related_name="steps")
    inputs = models.JSONField(_("requirements (kelengkapan)"), default=list, blank=True)
    time_text = models.CharField(_("time (waktu)"), max_length=300, blank=True)
    outputs = models.JSONField(_("outputs"), default=list, blank=True)
    notes = models.TextField(_("remarks (keterangan)"), blank=True)
    next_number = models.PositiveSmallIntegerField(_("next step"), null=True, blank=True)
    yes_number = models.PositiveSmallIntegerField(_("if yes, step"), null=True, blank=True)
    no_number = models.PositiveSmallIntegerField(_("if no, step"), null=True, blank=True)
    yes_label = models.CharField(max_length=30, default="Ya")
    no_label = models.CharField(max_length=30, default="Tidak")
    question = models.CharField(_("question"), max_length=300, blank=True)
    action = models.CharField(_("application action"), max_length=40, choices=Action.choices, blank=True)
    performer_inferred = models.BooleanField(_("performer inferred"), default=False)
    performer_confidence = models.CharField(max_length=10, blank=True)
    performer_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["procedure_version", "number"]
        constraints = [models.UniqueConstraint(fields=["procedure_version", "number"], name="sop_step_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class Schedule(models.Model):
    """Starts cases of an SOP by itself: at every reporting period the agency opens (one case per
    division's data request, or one for the period), or on a day of each quarter's first month."""

    class Kind(models.TextChoices):
        PERIOD_OPENED = "period_opened", _("When a reporting period opens")
        QUARTERLY = "quarterly", _("On a day of each quarter's first month")

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="schedule")
    kind = models.CharField(_("starts"), max_length=20, choices=Kind.choices)
    day = models.PositiveSmallIntegerField(_("day of the month"), default=10)
    per_division = models.BooleanField(_("one case per division's data request"), default=True)
    variant = models.CharField(_("time variant"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=28), name="sop_schedule_day"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure}: {self.get_kind_display()}"


class Case(models.Model):
    """One run of a published SOP version about a subject."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sop_cases")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The unit the case is about: performers given by role are looked for in it first."),
    )  # fmt: skip
    subject_kind = models.CharField(max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_label = models.CharField(_("subject"), max_length=300)
    variant = models.CharField(_("time variant"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)  # a schedule's start, once
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.procedure_version.title}: {self.subject_label}"


class Task(models.Model):
    """A step of a case for one performer. A joint step has one task per performer and is done when all
    are; a step reached again through a Tidak loop gets new tasks with the next iteration."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        NONE = "", "—"
        DONE = "done", _("Done")
        YES = "yes", _("Yes")
        NO = "no", _("No")

    ACTIVE = (Status.OPEN, Status.PAUSED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="tasks")
    lane = models.ForeignKey(Lane, on_delete=models.PROTECT, related_name="tasks")
    iteration = models.PositiveSmallIntegerField(default=1)
    position = models.ForeignKey(Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(Employee, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="sop_tasks"
    )
    assigned_note = models.CharField(max_length=300, blank=True)  # "acting holder", "vacant: superior"
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=5, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("started"))
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    standard_minutes = models.PositiveIntegerField(null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_by_action = models.CharField(max_length=40, blank=True)
    actual_minutes = models.PositiveIntegerField(null=True, blank=True)  # working minutes, pauses left out
    paused_minutes = models.PositiveIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case", "started_at", "step__number", "lane__order", "pk"]
        indexes = [
            models.Index(fields=["assignee_user", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "lane", "iteration"], name="sop_task_once_per_iteration"),
        ]

    def __str__(self) -> str:
        return f"{self.step} ({self.lane})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class TaskPause(models.Model):
    """A stop of the clock: the task waits for a missing input (menunggu kelengkapan)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="pauses")
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["task", "started_at"]

    def __str__(self) -> str:
        return self.reason


def output_path(instance: TaskOutput, filename: str) -> str:
    """A path made by the server, never from the user's file name."""
    return f"sop/{timezone.localdate().year}/{uuid.uuid4().hex}"


class TaskOutput(models.Model):
    """An output of a task: a file, or a reference (a letter number, a link to the record in the
    application) for outputs that are not files."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="outputs")
    name = models.CharField(_("output"), max_length=300)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    file = models.FileField(storage=evidence_storage, upload_to=output_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=120, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "at"]

    def __str__(self) -> str:
        return self.name
