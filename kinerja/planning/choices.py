"""The ways an indicator is measured. Kept apart from the models so that the pure achievement
functions of the measurement app can use them without touching the database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Polarity(models.TextChoices):
    """Which direction of the realisation is good."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    RANGE = "range", _("Within a range")


class Aggregation(models.TextChoices):
    """How the quarters of a year add up to the figure up to a quarter."""

    CUMULATIVE = "cumulative", _("Cumulative (sum of quarters)")
    LAST = "last", _("Last value")
    AVERAGE = "average", _("Average of quarters")


class Scale(models.TextChoices):
    """What kind of number the unit of measure is, so that contradictions can be caught."""

    COUNT = "count", _("Count or amount")
    PERCENT = "percent", _("Percentage")
    INDEX = "index", _("Index, ratio or score")
    QUALITATIVE = "qualitative", _("Qualitative (text)")
