from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.lib.nip import format_nip, validate_nip


class Role(models.TextChoices):
    """What a position does in the performance cycle (DESIGN.md, users and roles)."""

    HEAD = "head", _("Head of agency")
    SECRETARY = "secretary", _("Secretary")
    DIVISION_HEAD = "division_head", _("Division head")
    PLANNING_HEAD = "planning_head", _("Planning head")
    SECTION_HEAD = "section_head", _("Section head")
    STAFF = "staff", _("Staff")
    EVALUATOR = "evaluator", _("Evaluator")
    REGIONAL = "regional", _("Regional reader")
    ADMIN = "admin", _("Administrator")


# Roles whose holders act across the whole agency rather than within their own unit.
AGENCY_WIDE_ROLES = frozenset({Role.HEAD, Role.SECRETARY, Role.PLANNING_HEAD, Role.ADMIN})
# Roles that read agencies other than their own and change nothing there: the evaluator reads the agencies
# assigned to the position; the regional reader (Bappeda, Bagian Organisasi, Inspektorat of the local
# government) reads every agency of its local government.
OUTSIDE_READER_ROLES = frozenset({Role.EVALUATOR, Role.REGIONAL})


class LocalGovernment(models.Model):
    """A Pemerintah Daerah (province, regency or city) whose agencies use this installation."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency")
        CITY = "city", _("City")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("local government")
        verbose_name_plural = _("local governments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A Perangkat Daerah (OPD: Dinas, Badan, Inspektorat…): the unit of data isolation."""

    local_government = models.ForeignKey(
        LocalGovernment, verbose_name=_("local government"), on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["local_government", "name"], name="org_agency_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of an agency (Sekretariat, Bidang, Subbagian, Seksi, UPT), placed in a tree."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        DIVISION = "division", _("Division (Bidang)")
        SUBDIVISION = "subdivision", _("Subdivision (Subbagian)")
        SECTION = "section", _("Section (Seksi)")
        TECHNICAL = "technical", _("Technical unit (UPT)")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], condition=Q(parent__isnull=False), name="org_unit_unique_child_name"
            ),
            models.UniqueConstraint(
                fields=["agency", "name"], condition=Q(parent__isnull=True), name="org_unit_unique_top_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A jabatan: one seat with a title and a role, in a unit or (for the head) at agency level."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="positions")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text=_("Leave empty for a position that leads the whole agency."),
    )
    title = models.CharField(_("title"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    superior = models.ForeignKey(
        "self",
        verbose_name=_("superior position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subordinates",
    )
    evaluated_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("agencies evaluated"),
        blank=True,
        related_name="evaluator_positions",
        help_text=_("For evaluator positions: the agencies whose data this position may read."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Employee(models.Model):
    """A civil servant (ASN) of an agency, optionally with a login."""

    class Rank(models.TextChoices):
        I_A = "I/a", "Juru Muda (I/a)"
        I_B = "I/b", "Juru Muda Tingkat I (I/b)"
        I_C = "I/c", "Juru (I/c)"
        I_D = "I/d", "Juru Tingkat I (I/d)"
        II_A = "II/a", "Pengatur Muda (II/a)"
        II_B = "II/b", "Pengatur Muda Tingkat I (II/b)"
        II_C = "II/c", "Pengatur (II/c)"
        II_D = "II/d", "Pengatur Tingkat I (II/d)"
        III_A = "III/a", "Penata Muda (III/a)"
        III_B = "III/b", "Penata Muda Tingkat I (III/b)"
        III_C = "III/c", "Penata (III/c)"
        III_D = "III/d", "Penata Tingkat I (III/d)"
        IV_A = "IV/a", "Pembina (IV/a)"
        IV_B = "IV/b", "Pembina Tingkat I (IV/b)"
        IV_C = "IV/c", "Pembina Utama Muda (IV/c)"
        IV_D = "IV/d", "Pembina Utama Madya (IV/d)"
        IV_E = "IV/e", "Pembina Utama (IV/e)"

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="employees")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee",
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Full name with academic titles."))
    nip = models.CharField(_("NIP"), max_length=18, unique=True, validators=[validate_nip])
    rank = models.CharField(_("rank/grade"), max_length=10, choices=Rank.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip)


class Assignment(models.Model):
    """Who holds which position from when to when, definitively or as acting holder (Plt./Plh.).

    The database refuses a second definitive holder of a position at the same time, two acting
    holders at the same time, and one employee holding two definitive positions at once
    (triggers on SQLite, exclusion constraints on PostgreSQL; see migration 0002).
    """

    class Kind(models.TextChoices):
        DEFINITIVE = "definitive", _("Definitive")
        ACTING = "acting", _("Acting")

    class ActingTitle(models.TextChoices):
        PLT = "Plt.", _("Plt. (pelaksana tugas)")
        PLH = "Plh.", _("Plh. (pelaksana harian)")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="assignments"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEFINITIVE)
    acting_title = models.CharField(_("acting as"), max_length=5, choices=ActingTitle.choices, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave empty while it lasts."))
    decree = models.CharField(_("decree number"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="org_assignment_end_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(kind="definitive") & Q(acting_title=""))
                | (Q(kind="acting") & Q(acting_title__in=["Plt.", "Plh."])),
                name="org_assignment_acting_title_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["position", "start_date"], name="org_assign_position_start")]

    def __str__(self) -> str:
        return f"{self.employee} — {self.label}"

    @property
    def label(self) -> str:
        """The position title as it is written on documents, with Plt./Plh. when acting."""
        if self.kind == self.Kind.ACTING:
            return f"{self.acting_title} {self.position.title}"
        return self.position.title

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Holiday(models.Model):
    """A day off that moves deadlines: national (no local government) or of one local government.
    Cuti bersama days are entered as holidays too."""

    day = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    local_government = models.ForeignKey(
        LocalGovernment, verbose_name=_("local government"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="holidays", help_text=_("Empty for a national holiday."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"], condition=Q(local_government__isnull=True), name="org_holiday_national_once"
            ),
            models.UniqueConstraint(
                fields=["day", "local_government"],
                condition=Q(local_government__isnull=False),
                name="org_holiday_local_once",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y} {self.name}"
