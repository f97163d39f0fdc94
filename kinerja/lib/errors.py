from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConflictError(ValidationError):
    """The record changed after the form was opened; saving would overwrite someone's work."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this record after you opened the form. "
                "Nothing was saved: reload the page to see their change, then enter yours again."
            ),
            code="conflict",
        )


class ConfirmationRequired(ValidationError):
    """Allowed but usually a mistake: the user must confirm `warnings` before it is saved."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(warnings)
        self.warnings = [str(w) for w in warnings]
        self.code = "warning"


def error_messages(exc: ValidationError) -> list[str]:
    """Every message of a ValidationError, field errors included, to show above a form."""
    if hasattr(exc, "error_dict"):
        return [m for values in exc.message_dict.values() for m in values]
    return list(exc.messages)
