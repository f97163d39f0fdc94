"""Who may open and change the organisation pages of Dishub, page by page and role by role.

Every member of the agency and its evaluator read; only the agency's admin changes; a user of
another agency gets 404, the same answer as for a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db

# Dishub logins that may read but not change the organisation (the evaluator reads from Inspektorat).
READERS = ["kadis", "sekretaris", "kabid", "perencanaan", "kasie", "staf", "inspektorat"]
OUTSIDERS = ["admin.kominfo", "kadis.kominfo"]

READ_PAGES = ["org-units", "org-unit-detail", "org-positions", "org-employees", "org-employee-detail"]
WRITE_PAGES = [
    "org-unit-create",
    "org-unit-edit",
    "org-position-create",
    "org-position-edit",
    "org-employee-create",
    "org-employee-edit",
    "org-assignment-create",
    "org-assignment-edit",
]
# Answers POST only: creates, resets, blocks or reopens an employee's login.
LOGIN_PAGE = "org-employee-login"
POST_PAGES = [*WRITE_PAGES, LOGIN_PAGE]
OBJECT_PAGES = [
    "org-unit-detail",
    "org-unit-edit",
    "org-position-edit",
    "org-employee-detail",
    "org-employee-edit",
    "org-assignment-create",
    "org-assignment-edit",
    LOGIN_PAGE,
]


def dishub_page(name: str) -> tuple[str, dict[str, Any]]:
    """The URL of a Dishub page and a valid form for it (empty for pages that only read)."""
    dishub = records.agency()
    lalu_lintas = records.unit("Bidang Lalu Lintas")
    analyst = records.position("Analis Lalu Lintas")
    staff = records.employee("Rudi Hartono")
    staff_assignment = staff.assignments.get()
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "org-units": (reverse("org-units", args=[dishub.pk]), {}),
        "org-unit-detail": (reverse("org-unit-detail", args=[lalu_lintas.pk]), {}),
        "org-positions": (reverse("org-positions", args=[dishub.pk]), {}),
        "org-employees": (reverse("org-employees", args=[dishub.pk]), {}),
        "org-employee-detail": (reverse("org-employee-detail", args=[staff.pk]), {}),
        "org-unit-create": (
            reverse("org-unit-create", args=[dishub.pk]),
            {"name": "Bidang Perkeretaapian", "kind": "division", "parent": "", "code": "KA", "sort_order": 20},
        ),
        "org-unit-edit": (
            reverse("org-unit-edit", args=[lalu_lintas.pk]),
            {
                "name": "Bidang Lalu Lintas Jalan",
                "kind": "division",
                "parent": "",
                "code": "LLAJ",
                "sort_order": 5,
                "version": lalu_lintas.version,
            },
        ),
        "org-position-create": (
            reverse("org-position-create", args=[dishub.pk]),
            {
                "title": "Pengadministrasi Lalu Lintas",
                "role": "staff",
                "unit": analyst.unit_id,
                "superior": analyst.superior_id,
                "is_active": "on",
            },
        ),
        "org-position-edit": (
            reverse("org-position-edit", args=[analyst.pk]),
            {
                "title": "Analis Lalu Lintas Ahli Pertama",
                "role": "staff",
                "unit": analyst.unit_id,
                "superior": analyst.superior_id,
                "is_active": "on",
                "version": analyst.version,
            },
        ),
        "org-employee-create": (
            reverse("org-employee-create", args=[dishub.pk]),
            {"name": "Budi Santoso, S.T.", "nip": records.NEW_NIP_TYPED, "rank": "III/a"},
        ),
        "org-employee-edit": (
            reverse("org-employee-edit", args=[staff.pk]),
            {"name": "Rudi Hartono, S.T.", "nip": staff.nip, "rank": "III/a", "version": staff.version},
        ),
        "org-assignment-create": (
            reverse("org-assignment-create", args=[staff.pk]),
            {
                "position": records.position("Kepala Seksi Angkutan Barang").pk,
                "kind": "Plh.",
                "start_date": "2026-10-01",
                "end_date": "2026-10-31",
                "decree": "800/PLH/2026",
            },
        ),
        LOGIN_PAGE: (reverse(LOGIN_PAGE, args=[staff.pk]), {"action": "block"}),
        "org-assignment-edit": (
            reverse("org-assignment-edit", args=[staff_assignment.pk]),
            {
                "position": analyst.pk,
                "kind": "definitive",
                "start_date": "2025-01-02",
                "end_date": "",
                "decree": "800/999/BKPSDM/2025",
                "version": staff_assignment.version,
            },
        ),
    }
    return pages[name]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize("username", [*READERS, "admin"])
def test_read_page_opens_for_every_member_and_the_evaluator(
    login: Callable[[str], Client], username: str, name: str
) -> None:
    url, _ = dishub_page(name)
    assert login(username).get(url).status_code == 200


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_write_page_opens_for_the_admin(login: Callable[[str], Client], name: str) -> None:
    url, _ = dishub_page(name)
    response = login("admin").get(url)
    assert response.status_code == 200
    assert "form" in response.context


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_write_page_post_by_the_admin_saves_and_records_one_event(login: Callable[[str], Client], name: str) -> None:
    url, data = dishub_page(name)
    client = login("admin")
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize("name", WRITE_PAGES)
@pytest.mark.parametrize("username", READERS)
def test_write_page_get_is_forbidden_to_readers(login: Callable[[str], Client], username: str, name: str) -> None:
    url, _ = dishub_page(name)
    assert login(username).get(url).status_code == 403


@pytest.mark.parametrize("name", POST_PAGES)
@pytest.mark.parametrize("username", READERS)
def test_write_page_post_is_forbidden_to_readers_and_saves_nothing(
    login: Callable[[str], Client], username: str, name: str
) -> None:
    url, data = dishub_page(name)
    client = login(username)
    before = records.org_tables()
    assert client.post(url, data).status_code == 403
    assert records.org_tables() == before


@pytest.mark.parametrize(
    ("name", "method"),
    [(name, "get") for name in READ_PAGES + WRITE_PAGES] + [(name, "post") for name in POST_PAGES],
)
@pytest.mark.parametrize("username", OUTSIDERS)
def test_other_agency_gets_not_found_and_saves_nothing(
    login: Callable[[str], Client], username: str, name: str, method: str
) -> None:
    url, data = dishub_page(name)
    client = login(username)
    before = records.org_tables()
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 404
    assert records.org_tables() == before


@pytest.mark.parametrize("name", OBJECT_PAGES)
@pytest.mark.parametrize("username", ["admin", "staf", "admin.kominfo"])
def test_missing_record_gets_not_found_like_another_agencys(
    login: Callable[[str], Client], username: str, name: str
) -> None:
    client, url = login(username), reverse(name, args=[999_999])
    response = client.post(url, {"action": "block"}) if name == LOGIN_PAGE else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["org-units", "org-positions", "org-employees", "org-unit-create"])
def test_missing_agency_gets_not_found(login: Callable[[str], Client], name: str) -> None:
    assert login("admin").get(reverse(name, args=[999_999])).status_code == 404


@pytest.mark.parametrize("name", ["org-units", "org-positions", "org-employees"])
def test_evaluator_gets_not_found_for_an_agency_it_does_not_evaluate(login: Callable[[str], Client], name: str) -> None:
    kominfo = records.agency("Diskominfo")
    assert login("inspektorat").get(reverse(name, args=[kominfo.pk])).status_code == 404


def test_evaluator_gets_not_found_for_a_unit_of_an_agency_it_does_not_evaluate(
    login: Callable[[str], Client],
) -> None:
    kominfo_unit = records.unit("Bidang Aplikasi Informatika", "Diskominfo")
    assert login("inspektorat").get(reverse("org-unit-detail", args=[kominfo_unit.pk])).status_code == 404


@pytest.mark.parametrize("name", ["org-index", *READ_PAGES, *POST_PAGES])
def test_anonymous_is_sent_to_login(name: str, db: None) -> None:
    url = reverse(name) if name == "org-index" else dishub_page(name)[0]
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_login_page_post_by_the_admin_blocks_the_login_and_records_one_event(
    login: Callable[[str], Client], staf: User
) -> None:
    url, data = dishub_page(LOGIN_PAGE)
    client = login("admin")
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 1
    staf.refresh_from_db()
    assert staf.is_active is False


@pytest.mark.parametrize("username", ["admin", "staf", "admin.kominfo"])
def test_login_page_refuses_get(login: Callable[[str], Client], username: str) -> None:
    assert login(username).get(dishub_page(LOGIN_PAGE)[0]).status_code == 405


@pytest.mark.parametrize("username", ["staf", "inspektorat"])
def test_readers_see_no_edit_links(login: Callable[[str], Client], username: str) -> None:
    dishub = records.agency()
    response = login(username).get(reverse("org-units", args=[dishub.pk]))
    assert response.context["can_manage"] is False
    assert reverse("org-unit-create", args=[dishub.pk]).encode() not in response.content


def test_admin_sees_edit_links(login: Callable[[str], Client]) -> None:
    dishub = records.agency()
    response = login("admin").get(reverse("org-units", args=[dishub.pk]))
    assert response.context["can_manage"] is True
    assert reverse("org-unit-create", args=[dishub.pk]).encode() in response.content


def test_every_org_url_is_in_this_matrix() -> None:
    from kinerja.org.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == {"org-index", *READ_PAGES, *POST_PAGES}
