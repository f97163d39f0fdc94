"""What an agency promised: the five-year Renstra and each year's Perjanjian Kinerja.

StrategicPlan (Renstra) ─< Goal (tujuan) ─< Objective (sasaran) ─< Indicator, with yearly Renstra
targets per indicator. A PerformanceAgreement (PK) binds party one to party two for a year and
holds the year's Targets (annual and per quarter) of the indicators party one answers for.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.org.models import Agency, Position, Unit
from kinerja.planning.choices import Aggregation, Polarity, Scale

__all__ = [
    "Aggregation",
    "AgreementTarget",
    "BudgetLine",
    "Goal",
    "Indicator",
    "Objective",
    "PerformanceAgreement",
    "PlanTarget",
    "Polarity",
    "Scale",
    "StrategicPlan",
    "TargetRevision",
]

DECIMAL = {"max_digits": 20, "decimal_places": 4}
MONEY = {"max_digits": 18, "decimal_places": 2}


class StrategicPlan(models.Model):
    """A Renstra: the agency's five-year strategic plan."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("name"), max_length=200)
    start_year = models.PositiveIntegerField(_("first year"))
    end_year = models.PositiveIntegerField(_("last year"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("strategic plan (Renstra)")
        verbose_name_plural = _("strategic plans (Renstra)")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "start_year"], name="planning_plan_unique_start"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="planning_plan_years"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class Goal(models.Model):
    """A tujuan of the Renstra."""

    plan = models.ForeignKey(
        StrategicPlan, verbose_name=_("strategic plan"), on_delete=models.CASCADE, related_name="goals"
    )
    code = models.CharField(_("code"), max_length=30)
    statement = models.TextField(_("goal"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="planning_goal_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.statement}"


class Objective(models.Model):
    """A sasaran strategis: what the agency wants to achieve, measured by its indicators."""

    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("code"), max_length=30)
    statement = models.TextField(_("objective"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["goal", "code"], name="planning_objective_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.statement}"


class Indicator(models.Model):
    """An indicator of performance and the rule its achievement is computed by.

    Agency-level indicators (IKU) hang from an objective; a division's indicators (IKK), programme
    and activity indicators and individual ones (IKI) cascade from a parent indicator.
    """

    class Kind(models.TextChoices):
        IKU = "iku", _("Key indicator (IKU)")
        DIVISION = "division", _("Division indicator")
        PROGRAM = "program", _("Programme indicator")
        ACTIVITY = "activity", _("Activity indicator")
        INDIVIDUAL = "individual", _("Individual indicator (IKI)")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="indicators")
    plan = models.ForeignKey(
        StrategicPlan, verbose_name=_("strategic plan"), on_delete=models.CASCADE, related_name="indicators"
    )
    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cascades from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.IKU)
    code = models.CharField(_("code"), max_length=30)
    name = models.TextField(_("indicator"))
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50)
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.COUNT)
    polarity = models.CharField(_("polarity"), max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    aggregation = models.CharField(
        _("quarterly aggregation"), max_length=20, choices=Aggregation.choices, default=Aggregation.LAST
    )
    definition = models.TextField(_("definition"), blank=True)
    formula = models.TextField(_("formula"), blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    baseline = models.DecimalField(_("baseline"), **DECIMAL, null=True, blank=True)
    baseline_year = models.PositiveIntegerField(_("baseline year"), null=True, blank=True)
    end_target = models.DecimalField(_("Renstra end target"), **DECIMAL, null=True, blank=True)
    end_target_upper = models.DecimalField(_("Renstra end target, upper bound"), **DECIMAL, null=True, blank=True)
    end_target_text = models.CharField(_("Renstra end target (text)"), max_length=200, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        help_text=_("The division (Bidang) that answers for this indicator's data."),
    )
    responsible_position = models.ForeignKey(
        Position,
        verbose_name=_("responsible position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        help_text=_("For an individual indicator: the position whose holder it measures."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="planning_indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(end_target_upper__isnull=True) | Q(polarity="range"),
                name="planning_indicator_upper_only_for_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PlanTarget(models.Model):
    """The Renstra's target of an indicator for one of its five years."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="plan_targets"
    )
    year = models.PositiveIntegerField(_("year"))
    value = models.DecimalField(_("target"), **DECIMAL, null=True, blank=True)
    upper = models.DecimalField(_("upper bound"), **DECIMAL, null=True, blank=True)
    text = models.CharField(_("target (text)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Renstra target")
        verbose_name_plural = _("Renstra targets")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="planning_plantarget_unique_year")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}"


class PerformanceAgreement(models.Model):
    """A Perjanjian Kinerja: party one promises party two the year's targets of its indicators.

    Party two is a position of the agency, except for the head's agreement, which is made with
    the regional head (Bupati/Wali Kota), named in `party_two_title`.
    """

    class Level(models.TextChoices):
        AGENCY = "agency", _("Head of agency with the regional head")
        DIVISION = "division", _("Division head with the head of agency")
        SECTION = "section", _("Section head with the division head")
        INDIVIDUAL = "individual", _("Employee with their superior")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="agreements")
    plan = models.ForeignKey(
        StrategicPlan, verbose_name=_("strategic plan"), on_delete=models.PROTECT, related_name="agreements"
    )
    year = models.PositiveIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    party_one = models.ForeignKey(
        Position, verbose_name=_("party one"), on_delete=models.PROTECT, related_name="agreements_as_party_one"
    )
    party_two = models.ForeignKey(
        Position,
        verbose_name=_("party two"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_as_party_two",
    )
    party_two_title = models.CharField(
        _("party two (outside the agency)"), max_length=200, blank=True, help_text=_("For example: Bupati Sukamaju.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cascades from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("performance agreement")
        verbose_name_plural = _("performance agreements")
        ordering = ["-year", "level", "party_one__title"]
        constraints = [
            models.UniqueConstraint(fields=["party_one", "year"], name="planning_agreement_one_per_party_year"),
            models.CheckConstraint(
                condition=Q(party_two__isnull=False) | ~Q(party_two_title=""), name="planning_agreement_has_party_two"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False), name="planning_agreement_signed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"PK {self.year} {self.party_one}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def party_two_label(self) -> str:
        return self.party_two.title if self.party_two_id else self.party_two_title


class AgreementTarget(models.Model):
    """One target of an agreement: the annual target (quarter 0) or a quarter's (1–4).

    For a cumulative indicator a quarter's target is what that quarter adds; for a last-value
    indicator it is the level expected at the quarter's end. `year` repeats the agreement's year
    so that the database can refuse a second target for the same indicator, year and quarter.
    """

    ANNUAL = 0

    agreement = models.ForeignKey(
        PerformanceAgreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="agreement_targets"
    )
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    value = models.DecimalField(_("target"), **DECIMAL, null=True, blank=True)
    upper = models.DecimalField(_("upper bound"), **DECIMAL, null=True, blank=True)
    text = models.CharField(_("target (text)"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator__sort_order", "indicator__code", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "quarter"], name="planning_target_unique_period"),
            models.CheckConstraint(condition=Q(quarter__gte=0, quarter__lte=4), name="planning_target_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} Q{self.quarter}"


class TargetRevision(models.Model):
    """A change to a target of a signed agreement: the old value kept, the reason required."""

    target = models.ForeignKey(
        AgreementTarget, verbose_name=_("target"), on_delete=models.CASCADE, related_name="revisions"
    )
    old_value = models.DecimalField(_("old target"), **DECIMAL, null=True, blank=True)
    old_upper = models.DecimalField(_("old upper bound"), **DECIMAL, null=True, blank=True)
    old_text = models.CharField(_("old target (text)"), max_length=200, blank=True)
    new_value = models.DecimalField(_("new target"), **DECIMAL, null=True, blank=True)
    new_upper = models.DecimalField(_("new upper bound"), **DECIMAL, null=True, blank=True)
    new_text = models.CharField(_("new target (text)"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    revised_by = models.ForeignKey(
        "accounts.User", verbose_name=_("revised by"), on_delete=models.PROTECT, related_name="+"
    )
    revised_at = models.DateTimeField(_("revised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")
        ordering = ["-revised_at"]

    def __str__(self) -> str:
        return f"{self.target} ({self.revised_at:%Y-%m-%d})"


class BudgetLine(models.Model):
    """A programme, activity or sub-activity of the year's budget (DPA) and what it has spent."""

    class Kind(models.TextChoices):
        PROGRAM = "program", _("Programme")
        ACTIVITY = "activity", _("Activity")
        SUB_ACTIVITY = "sub_activity", _("Sub-activity")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="budget_lines")
    year = models.PositiveIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROGRAM)
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators supported"), blank=True, related_name="budget_lines"
    )
    ceiling = models.DecimalField(_("budget ceiling (pagu)"), **MONEY)
    spent_q1 = models.DecimalField(_("spent in quarter I"), **MONEY, null=True, blank=True)
    spent_q2 = models.DecimalField(_("spent in quarter II"), **MONEY, null=True, blank=True)
    spent_q3 = models.DecimalField(_("spent in quarter III"), **MONEY, null=True, blank=True)
    spent_q4 = models.DecimalField(_("spent in quarter IV"), **MONEY, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "code"], name="planning_budget_unique_code"),
            models.CheckConstraint(condition=Q(ceiling__gte=0), name="planning_budget_ceiling_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def spent(self, quarter: int) -> list:
        """What was spent in each quarter up to `quarter` (None where not reported)."""
        return [getattr(self, f"spent_q{q}") for q in range(1, quarter + 1)]
