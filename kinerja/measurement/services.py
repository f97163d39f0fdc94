"""Every change to realisations, predicate scales and the early-warning threshold: validated, permission-checked,
atomic, audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event, snapshot
from kinerja.lib.errors import ConflictError
from kinerja.lib.versioning import save_if_unchanged
from kinerja.measurement.models import EarlyWarningSetting, PredicateBand, Realization
from kinerja.measurement.predicates import Band, validate_bands
from kinerja.measurement.projection import DEFAULT_THRESHOLD
from kinerja.org.models import Agency
from kinerja.planning.models import Indicator, Scale
from kinerja.planning.permissions import require_planner

REALIZATION_FIELDS = [
    "value", "text", "no_data", "no_data_reason", "factors_helped", "factors_hindered", "follow_up", "updated_by",
]  # fmt: skip
NEW = 0  # the version a form sends when it showed no realisation yet


def realization_errors(
    indicator: Indicator, *, year: int, quarter: int, value: Decimal | None, text: str, no_data: bool, reason: str
) -> dict[str, str]:
    """What is wrong with a realisation as typed, as messages for the user."""
    errors: dict[str, str] = {}
    if quarter not in range(1, 5):
        errors["quarter"] = _("A quarter is between 1 and 4.")
    if not indicator.plan.covers(year):
        errors["year"] = _("%(year)s is outside the years of the indicator's strategic plan.") % {"year": year}
    if no_data:
        if value is not None or text.strip():
            errors["no_data"] = _("Either enter a realisation or mark it as having no data, not both.")
        if not reason.strip():
            errors["no_data_reason"] = _("Say why there is no data.")
        return errors
    if indicator.scale == Scale.QUALITATIVE:
        if value is not None:
            errors["value"] = _("A qualitative indicator takes a text realisation, not a number.")
    elif text.strip():
        errors["value"] = _("This indicator is measured in numbers; write the realisation as a number.")
    elif value is not None and value < 0 and indicator.scale in (Scale.COUNT, Scale.PERCENT):
        errors["value"] = _("A count or a percentage cannot be negative.")
    return errors


@transaction.atomic
def record_realization(
    *,
    indicator: Indicator,
    year: int,
    quarter: int,
    version: int,
    value: Decimal | None = None,
    text: str = "",
    no_data: bool = False,
    no_data_reason: str = "",
    factors_helped: str = "",
    factors_hindered: str = "",
    follow_up: str = "",
    by: User,
) -> Realization | None:
    """Enters or corrects one quarter's realisation. `version` is the one the form was read at
    (NEW when it showed none). Clearing every field removes the realisation: not reported again.
    """
    acting = require_planner(by, indicator.agency)
    errors = realization_errors(
        indicator, year=year, quarter=quarter, value=value, text=text, no_data=no_data, reason=no_data_reason
    )
    if errors:
        raise ValidationError(errors)
    row = Realization.objects.filter(indicator=indicator, year=year, quarter=quarter).first()
    if (row.version if row else NEW) != version:
        raise ConflictError()
    values = {
        "value": value, "text": text.strip(), "no_data": no_data, "no_data_reason": no_data_reason.strip() if no_data else "",
        "factors_helped": factors_helped.strip(), "factors_hindered": factors_hindered.strip(),
        "follow_up": follow_up.strip(),
    }  # fmt: skip
    empty = value is None and not values["text"] and not no_data
    before = snapshot(row, REALIZATION_FIELDS) if row else None
    if row is None:
        if empty:
            return None
        row = Realization(indicator=indicator, year=year, quarter=quarter, updated_by=by, **values)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:  # another user entered it since the form was read
            raise ConflictError() from exc
    elif empty:
        row.delete()
        row = None
    else:
        for name, new in values.items():
            setattr(row, name, new)
        row.updated_by, row.updated_at = by, timezone.now()
        save_if_unchanged(row, version=version, fields=REALIZATION_FIELDS + ["updated_at"])
    record_event(
        action="measurement.realization.cleared" if row is None else "measurement.realization.recorded",
        actor=by, acting_as=acting, agency=indicator.agency, target=row or indicator,
        before={**(before or {}), "year": year, "quarter": quarter} if before else None,
        after={**snapshot(row, REALIZATION_FIELDS), "year": year, "quarter": quarter} if row else None,
    )  # fmt: skip
    return row


@transaction.atomic
def save_predicate_bands(*, agency: Agency, bands: list[Band], by: User) -> None:
    """Replaces the agency's predicate scale with `bands`."""
    acting = require_planner(by, agency)
    if errors := validate_bands(bands):
        raise ValidationError([str(e) for e in errors])
    before = [[b.minimum, b.label, b.colour] for b in agency.predicate_bands.all()]
    agency.predicate_bands.all().delete()
    PredicateBand.objects.bulk_create(
        PredicateBand(agency=agency, minimum=b.minimum, label=b.label.strip(), colour=b.colour) for b in bands
    )
    record_event(
        action="measurement.predicate_scale.saved", actor=by, acting_as=acting, agency=agency, target=agency,
        before={"bands": before}, after={"bands": [[b.minimum, b.label, b.colour] for b in bands]},
    )  # fmt: skip


@transaction.atomic
def set_warning_threshold(*, agency: Agency, threshold: Decimal, by: User) -> EarlyWarningSetting:
    """Sets the projected achievement (%) below which the agency's indicators are flagged at risk."""
    acting = require_planner(by, agency)
    field = EarlyWarningSetting._meta.get_field("threshold")
    try:
        threshold = field.clean(threshold, None)  # the model's own checks: 0 to 200, at most two decimals
    except ValidationError as exc:
        raise ValidationError({"threshold": exc.messages}) from exc
    before = EarlyWarningSetting.objects.filter(agency=agency).values_list("threshold", flat=True).first()
    setting, _created = EarlyWarningSetting.objects.update_or_create(
        agency=agency, defaults={"threshold": threshold, "updated_by": by}
    )
    record_event(
        action="measurement.warning_threshold.saved", actor=by, acting_as=acting, agency=agency, target=agency,
        before={"threshold": DEFAULT_THRESHOLD if before is None else before}, after={"threshold": threshold},
    )  # fmt: skip
    return setting
