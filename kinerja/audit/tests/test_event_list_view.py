"""The audit trail of an agency: read by its admin and its evaluator, hidden from everyone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.org import services
from kinerja.org.models import Agency, Unit

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


@pytest.mark.parametrize("username", ["admin", "inspektorat"])
def test_event_list_opens_for_the_admin_and_the_evaluator(login: Login, dishub: Agency, username: str) -> None:
    response = login(username).get(reverse("audit-events", args=[dishub.pk]))
    assert response.status_code == 200
    assert response.context["agency"] == dishub


@pytest.mark.parametrize("username", ["kadis", "sekretaris", "kabid", "perencanaan", "kasie", "staf"])
def test_event_list_is_not_found_for_other_roles_of_the_agency(login: Login, dishub: Agency, username: str) -> None:
    assert login(username).get(reverse("audit-events", args=[dishub.pk])).status_code == 404


@pytest.mark.parametrize("username", ["admin.kominfo", "kadis.kominfo"])
def test_event_list_is_not_found_for_another_agency(login: Login, dishub: Agency, username: str) -> None:
    assert login(username).get(reverse("audit-events", args=[dishub.pk])).status_code == 404


def test_event_list_of_an_agency_the_evaluator_does_not_evaluate_is_not_found(login: Login, kominfo: Agency) -> None:
    assert login("inspektorat").get(reverse("audit-events", args=[kominfo.pk])).status_code == 404


def test_event_list_of_the_evaluators_own_agency_is_not_found(login: Login) -> None:
    """The evaluator is not the admin of the Inspektorat, so its own trail is closed to it."""
    inspektorat = Agency.objects.get(short_name="Inspektorat")
    assert login("inspektorat").get(reverse("audit-events", args=[inspektorat.pk])).status_code == 404


def test_event_list_of_a_missing_agency_is_not_found(login: Login) -> None:
    assert login("admin").get(reverse("audit-events", args=[999_999])).status_code == 404


def test_event_list_sends_anonymous_visitors_to_login(dishub: Agency) -> None:
    response = Client().get(reverse("audit-events", args=[dishub.pk]))
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_event_list_shows_a_change_with_who_acted_as_what(login: Login, dishub: Agency, org_admin: User) -> None:
    client = login("admin")
    client.post(
        reverse("org-unit-create", args=[dishub.pk]),
        {"name": "Bidang Perkeretaapian", "kind": "division", "parent": "", "sort_order": 20},
        REMOTE_ADDR="10.9.8.7",
    )
    event = AuditEvent.objects.get(action="org.unit.created", object_label="Bidang Perkeretaapian")
    assert (event.actor, event.position_label, event.client_address) == (
        org_admin,
        "Pengelola Sistem Informasi",
        "10.9.8.7",
    )
    response = login("inspektorat").get(reverse("audit-events", args=[dishub.pk]))
    assert response.context["page"].object_list[0] == event
    page = response.content.decode()
    assert "Bidang Perkeretaapian" in page
    assert "Pengelola Sistem Informasi" in page
    assert "10.9.8.7" in page


def test_event_list_leaves_out_events_of_other_agencies(
    login: Login, dishub: Agency, kominfo: Agency, other_admin: User
) -> None:
    services.create_unit(agency=kominfo, parent=None, name="Bidang Statistik", kind=Unit.Kind.DIVISION, by=other_admin)
    response = login("admin").get(reverse("audit-events", args=[dishub.pk]), {"object": "Statistik"})
    assert list(response.context["page"].object_list) == []
    assert {e.agency_id for e in login("admin").get(reverse("audit-events", args=[dishub.pk])).context["page"]} == {
        dishub.pk
    }
    own = login("admin.kominfo").get(reverse("audit-events", args=[kominfo.pk]), {"object": "Statistik"})
    assert [e.object_label for e in own.context["page"].object_list] == ["Bidang Statistik"]


def test_event_list_filters_by_action_and_actor(login: Login, dishub: Agency, org_admin: User) -> None:
    services.create_unit(
        agency=dishub, parent=None, name="Bidang Perkeretaapian", kind=Unit.Kind.DIVISION, by=org_admin
    )
    client = login("admin")
    by_action = client.get(reverse("audit-events", args=[dishub.pk]), {"action": "org.unit.created"})
    assert {e.action for e in by_action.context["page"].object_list} == {"org.unit.created"}
    by_actor = client.get(reverse("audit-events", args=[dishub.pk]), {"action": "org.unit", "actor": "admin"})
    assert [e.object_label for e in by_actor.context["page"].object_list] == ["Bidang Perkeretaapian"]


def test_event_list_refuses_a_date_range_that_ends_before_it_starts(login: Login, dishub: Agency) -> None:
    response = login("admin").get(
        reverse("audit-events", args=[dishub.pk]), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors


def test_event_list_answers_htmx_with_the_rows_only(login: Login, dishub: Agency) -> None:
    response = login("admin").get(reverse("audit-events", args=[dishub.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "audit/_event_rows.html"
    assert b"<html" not in response.content


def test_event_list_is_paginated_newest_first(login: Login, dishub: Agency) -> None:
    client = login("admin")
    response = client.get(reverse("audit-events", args=[dishub.pk]))
    events = list(response.context["page"].object_list)
    assert len(events) == 50
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    second = client.get(reverse("audit-events", args=[dishub.pk]), {"page": 2})
    assert second.context["page"].object_list[0].seq < events[-1].seq


def test_event_list_filters_by_local_date(login: Login, dishub: Agency, org_admin: User) -> None:
    services.create_unit(
        agency=dishub, parent=None, name="Bidang Perkeretaapian", kind=Unit.Kind.DIVISION, by=org_admin
    )
    client = login("admin")
    url = reverse("audit-events", args=[dishub.pk])
    today = timezone.localdate()
    found = client.get(url, {"action": "org.unit.created", "date_from": today, "date_to": today})
    assert "Bidang Perkeretaapian" in [e.object_label for e in found.context["page"].object_list]
    before = client.get(url, {"action": "org.unit.created", "date_to": today - timedelta(days=1)})
    assert "Bidang Perkeretaapian" not in [e.object_label for e in before.context["page"].object_list]
    after = client.get(url, {"date_from": today + timedelta(days=1)})
    assert list(after.context["page"].object_list) == []


def test_event_list_escapes_recorded_values(login: Login, dishub: Agency, org_admin: User) -> None:
    services.create_unit(
        agency=dishub, parent=None, name="<script>alert(1)</script>", kind=Unit.Kind.OTHER, by=org_admin
    )
    page = login("admin").get(reverse("audit-events", args=[dishub.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
