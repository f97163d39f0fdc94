"""The agency's early-warning threshold: set by whoever keeps the predicate scale, on the same page, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kinerja.audit.models import AuditEvent
from kinerja.measurement import selectors, services
from kinerja.measurement.models import EarlyWarningSetting
from kinerja.measurement.projection import DEFAULT_THRESHOLD

D = Decimal
pytestmark = pytest.mark.django_db


def _post(client, agency, value: str):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client.post(reverse("measurement-predicates", args=[agency.pk]), {"form": "threshold", "threshold": value})


def test_an_agency_without_a_setting_uses_the_default(dishub):
    assert selectors.threshold_of(dishub) == DEFAULT_THRESHOLD == D(90)


def test_the_planning_head_saves_the_threshold_and_it_is_audited(role_client, dishub):
    response = _post(role_client("planning_head"), dishub, "75,5")
    assert response.status_code == 302
    assert selectors.threshold_of(dishub) == D("75.5")
    event = AuditEvent.objects.filter(action="measurement.warning_threshold.saved", agency_id=dishub.pk).get()
    assert (event.before, event.after) == ({"threshold": "90"}, {"threshold": "75.5"})
    assert not AuditEvent.objects.filter(action="measurement.predicate_scale.saved").exists()  # bands untouched


def test_saving_again_changes_the_one_setting(role_client, dishub):
    client = role_client("planning_head")
    _post(client, dishub, "80")
    _post(client, dishub, "95")
    assert EarlyWarningSetting.objects.filter(agency=dishub).count() == 1
    assert selectors.threshold_of(dishub) == D(95)
    events = AuditEvent.objects.filter(action="measurement.warning_threshold.saved").order_by("seq")
    assert [e.after["threshold"] for e in events] == ["80", "95"]


def test_the_page_shows_the_threshold_form(role_client, dishub, perencanaan):
    services.set_warning_threshold(agency=dishub, threshold=D("85.25"), by=perencanaan)
    page = role_client("planning_head").get(reverse("measurement-predicates", args=[dishub.pk])).content.decode()
    assert 'name="threshold"' in page and 'value="85,25"' in page


@pytest.mark.parametrize("role", ["staff", "division_head", "head", "evaluator"])
def test_other_roles_are_refused_and_nothing_is_saved(role_client, dishub, role):
    assert _post(role_client(role), dishub, "70").status_code == 403
    assert not EarlyWarningSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="measurement.warning_threshold.saved").exists()


def test_another_agencys_user_gets_not_found(login, dishub):
    assert _post(login("admin.kominfo"), dishub, "70").status_code == 404
    assert _post(login("kadis.kominfo"), dishub, "70").status_code == 404
    assert not EarlyWarningSetting.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("500", "The threshold is a percentage from 0 to 200."),
        ("-1", "The threshold is a percentage from 0 to 200."),
        ("abc", "“abc”"),
        ("", "This field is required."),
        ("90,125", "2 decimal places"),
    ],
)
def test_a_bad_value_is_a_form_error(role_client, dishub, value, message):
    response = _post(role_client("planning_head"), dishub, value)
    assert response.status_code == 200
    errors = response.context["threshold_form"].errors["threshold"]
    assert any(message in e for e in errors), errors
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not EarlyWarningSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="measurement.warning_threshold.saved").exists()


def test_the_service_checks_the_range_and_the_role(dishub, perencanaan, staf):
    with pytest.raises(ValidationError) as error:
        services.set_warning_threshold(agency=dishub, threshold=D(500), by=perencanaan)
    assert "threshold" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.set_warning_threshold(agency=dishub, threshold=D(80), by=staf)
    assert not EarlyWarningSetting.objects.exists()
