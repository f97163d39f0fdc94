"""What a form page shows after a refused POST, independent of the language it is shown in."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.html import escape


def assert_error_shown(response: HttpResponse, field: str | None) -> None:
    """The form came back (200) with an error on `field` (None: the whole form), and the page shows its text."""
    assert response.status_code == 200
    form = response.context["form"]
    messages = form.non_field_errors() if field is None else form.errors.get(field)
    assert messages, f"no error on {field!r}: {form.errors.as_data()}"
    page = response.content.decode()
    for message in messages:
        assert escape(message) in page
