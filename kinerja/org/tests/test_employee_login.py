from __future__ import annotations

import pytest
from django.test import Client

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.org.models import Employee

pytestmark = pytest.mark.django_db


def _no_login(agency) -> Employee:  # type: ignore[no-untyped-def]
    return Employee.objects.filter(agency=agency, user__isnull=True).order_by("pk").first()


def test_admin_creates_a_login_and_the_employee_can_use_it(login, dishub) -> None:
    employee = _no_login(dishub)
    response = login("admin").post(f"/org/employees/{employee.pk}/login/", {"action": "create", "username": "rina"})
    assert response.status_code == 200
    password = response.context["new_password"]
    assert len(password) >= 16
    assert password.encode() in response.content
    employee.refresh_from_db()
    assert employee.user.username == "rina"
    assert Client().post("/login/", {"username": "rina", "password": password}).status_code == 302
    event = AuditEvent.objects.filter(action="org.employee.login_created").first()
    assert event.after == {"username": "rina"}
    assert password not in str(event.after)


def test_duplicate_or_malformed_username_is_refused(login, dishub) -> None:
    employee = _no_login(dishub)
    client = login("admin")
    for bad in ["kadis", "KADIS", "nama dengan spasi", ""]:
        response = client.post(f"/org/employees/{employee.pk}/login/", {"action": "create", "username": bad})
        assert response.status_code == 200
        assert "username" in response.context["login_form"].errors, bad
    employee.refresh_from_db()
    assert employee.user is None


def test_reset_gives_a_new_password_and_ends_open_sessions(login, staf) -> None:
    staf_client = login(staf)
    response = login("admin").post(f"/org/employees/{staf.employee.pk}/login/", {"action": "reset"})
    password = response.context["new_password"]
    staf.refresh_from_db()
    assert staf.check_password(password)
    assert staf_client.get("/").status_code == 302


def test_blocked_login_is_thrown_out_and_can_be_reopened(login, staf) -> None:
    staf_client = login(staf)
    admin = login("admin")
    assert admin.post(f"/org/employees/{staf.employee.pk}/login/", {"action": "block"}).status_code == 302
    assert staf_client.get("/").status_code == 302
    admin.post(f"/org/employees/{staf.employee.pk}/login/", {"action": "activate"})
    staf.refresh_from_db()
    assert staf.is_active


def test_admin_cannot_block_their_own_login(login, org_admin) -> None:
    client = login(org_admin)
    client.post(f"/org/employees/{org_admin.employee.pk}/login/", {"action": "block"})
    org_admin.refresh_from_db()
    assert org_admin.is_active


@pytest.mark.parametrize("username", ["kadis", "perencanaan", "staf", "inspektorat"])
def test_other_roles_cannot_manage_logins(login, staf, username: str) -> None:
    response = login(username).post(f"/org/employees/{staf.employee.pk}/login/", {"action": "reset"})
    assert response.status_code == 403
    staf.refresh_from_db()
    assert staf.check_password("kinerja-demo")


def test_other_agency_admin_gets_404(login, staf) -> None:
    response = login("admin.kominfo").post(f"/org/employees/{staf.employee.pk}/login/", {"action": "reset"})
    assert response.status_code == 404


def test_login_actions_refuse_get_and_unknown_actions(login, staf) -> None:
    client = login("admin")
    assert client.get(f"/org/employees/{staf.employee.pk}/login/").status_code == 405
    assert client.post(f"/org/employees/{staf.employee.pk}/login/", {"action": "delete"}).status_code == 400
    assert User.objects.filter(username="staf", is_active=True).exists()
