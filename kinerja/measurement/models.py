"""What an agency achieved: quarterly realisations and the bands that name an achievement."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.measurement.projection import DEFAULT_THRESHOLD
from kinerja.org.models import Agency
from kinerja.planning.models import DECIMAL, Indicator

THRESHOLD_LIMITS = (0, 200)
THRESHOLD_RANGE = _("The threshold is a percentage from 0 to 200.")


class Realization(models.Model):
    """An indicator's realisation in one quarter of a year.

    No row, or a row with no value and no `no_data`, means "not reported yet": blank is not zero.
    `no_data` records that the figure cannot be obtained, with the reason.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="realizations"
    )
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    value = models.DecimalField(_("realisation"), **DECIMAL, null=True, blank=True)
    text = models.CharField(_("realisation (text)"), max_length=200, blank=True)
    no_data = models.BooleanField(_("no data"), default=False)
    no_data_reason = models.TextField(_("why there is no data"), blank=True)
    factors_helped = models.TextField(_("factors that helped"), blank=True)
    factors_hindered = models.TextField(_("factors that hindered"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("realisation")
        verbose_name_plural = _("realisations")
        ordering = ["year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "quarter"], name="measurement_realization_unique"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="measurement_realization_quarter_range"
            ),
            models.CheckConstraint(
                condition=Q(no_data=False) | (Q(value__isnull=True) & ~Q(no_data_reason="")),
                name="measurement_realization_no_data_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter"], name="measurement_real_period")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} Q{self.quarter}"

    @property
    def is_reported(self) -> bool:
        return self.value is not None or bool(self.text)


class PredicateBand(models.Model):
    """One band of an agency's predicate scale: achievements from `minimum` up are `label`.

    An agency without bands of its own uses the Permendagri 86/2017 scale.
    """

    class Colour(models.TextChoices):
        GREEN = "green", _("Green")
        LIME = "lime", _("Light green")
        YELLOW = "yellow", _("Yellow")
        ORANGE = "orange", _("Orange")
        RED = "red", _("Red")
        GREY = "grey", _("Grey")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="predicate_bands"
    )
    minimum = models.DecimalField(
        _("from (%)"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("Empty for the lowest band, which takes everything below the others."),
    )  # fmt: skip
    label = models.CharField(_("predicate"), max_length=50)
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)

    class Meta:
        verbose_name = _("predicate band")
        verbose_name_plural = _("predicate bands")
        ordering = ["agency", models.F("minimum").desc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["agency", "minimum"], name="measurement_band_unique_minimum"),
            models.UniqueConstraint(
                fields=["agency"], condition=Q(minimum__isnull=True), name="measurement_band_one_lowest"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class EarlyWarningSetting(models.Model):
    """An agency's early-warning threshold: an indicator whose projected year-end achievement falls below
    `threshold` percent is flagged at risk. An agency without a setting uses the default of 90 %."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="early_warning"
    )
    threshold = models.DecimalField(
        _("at-risk threshold (%)"), max_digits=5, decimal_places=2, default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(THRESHOLD_LIMITS[0], THRESHOLD_RANGE),
                    MaxValueValidator(THRESHOLD_LIMITS[1], THRESHOLD_RANGE)],
        help_text=_("An indicator whose projected year-end achievement is below this percentage is at risk."),
    )  # fmt: skip
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("early-warning setting")
        verbose_name_plural = _("early-warning settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=THRESHOLD_LIMITS[0], threshold__lte=THRESHOLD_LIMITS[1]),
                name="measurement_warning_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.threshold} %"
