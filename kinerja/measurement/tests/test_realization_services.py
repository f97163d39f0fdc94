from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kinerja.audit.models import AuditEvent
from kinerja.lib.errors import ConflictError
from kinerja.measurement.models import Realization
from kinerja.measurement.services import NEW, record_realization
from kinerja.planning.tests.records import fresh_plan, indicator

D = Decimal


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the language they are written in."""
    with translation.override("en"):
        yield


@pytest.fixture
def ind(dishub, perencanaan):
    return indicator(fresh_plan(dishub, perencanaan), perencanaan, "X.1")


def test_recording_writes_the_value_and_an_audit_event(ind, perencanaan):
    row = record_realization(indicator=ind, year=2030, quarter=1, version=NEW, value=D("12.5"), by=perencanaan)
    assert row.value == D("12.5") and row.version == 1
    event = AuditEvent.objects.filter(action="measurement.realization.recorded").latest("seq")
    assert event.after["value"] == "12.5" and event.after["quarter"] == 1


def test_zero_is_a_value_and_clearing_makes_it_unreported(ind, perencanaan):
    row = record_realization(indicator=ind, year=2030, quarter=1, version=NEW, value=D(0), by=perencanaan)
    assert row.value == D(0)
    assert record_realization(indicator=ind, year=2030, quarter=1, version=row.version, by=perencanaan) is None
    assert not Realization.objects.filter(indicator=ind).exists()


def test_no_data_needs_a_reason_and_no_value(ind, perencanaan):
    with pytest.raises(ValidationError) as exc:
        record_realization(indicator=ind, year=2030, quarter=1, version=NEW, no_data=True, by=perencanaan)
    assert "no_data_reason" in exc.value.error_dict
    with pytest.raises(ValidationError):
        record_realization(indicator=ind, year=2030, quarter=1, version=NEW, value=D(1), no_data=True, no_data_reason="x", by=perencanaan)  # fmt: skip
    row = record_realization(indicator=ind, year=2030, quarter=1, version=NEW, no_data=True, no_data_reason="Server BPS mati", by=perencanaan)  # fmt: skip
    assert row.no_data and row.value is None


def test_a_stale_form_is_a_conflict_and_overwrites_nothing(ind, perencanaan):
    row = record_realization(indicator=ind, year=2030, quarter=2, version=NEW, value=D(5), by=perencanaan)
    record_realization(indicator=ind, year=2030, quarter=2, version=row.version, value=D(6), by=perencanaan)
    with pytest.raises(ConflictError):
        record_realization(indicator=ind, year=2030, quarter=2, version=row.version, value=D(7), by=perencanaan)
    with pytest.raises(ConflictError):
        record_realization(indicator=ind, year=2030, quarter=2, version=NEW, value=D(8), by=perencanaan)
    assert Realization.objects.get(indicator=ind, quarter=2).value == D(6)


@pytest.mark.parametrize(
    ("year", "quarter", "value", "field"), [(2030, 5, "1", "quarter"), (2040, 1, "1", "year"), (2030, 1, "-1", "value")]
)
def test_bad_realisations_are_refused(ind, perencanaan, year, quarter, value, field):
    with pytest.raises(ValidationError) as exc:
        record_realization(indicator=ind, year=year, quarter=quarter, version=NEW, value=D(value), by=perencanaan)
    assert field in exc.value.error_dict


def test_only_the_planning_head_enters_directly(ind, kabid, staf):
    for user in (kabid, staf):
        with pytest.raises(PermissionDenied):
            record_realization(indicator=ind, year=2030, quarter=1, version=NEW, value=D(1), by=user)
