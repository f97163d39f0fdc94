"""Shared test fixtures: the demo agencies loaded once per session, and one named user per role.

Each test runs in a transaction that is rolled back, so the demo is the same for every test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from kinerja.accounts.models import User
from kinerja.measurement.demo import load_performance_demo
from kinerja.org.demo import load_demo
from kinerja.org.models import Agency
from kinerja.sop.services import load_library

pytest_plugins = ["kinerja.web.tests.browser"]

# The demo login that holds each role (DESIGN.md's role table).
ROLE_USERS = {
    "head": "kadis",
    "secretary": "sekretaris",
    "division_head": "kabid",
    "planning_head": "perencanaan",
    "section_head": "kasie",
    "staff": "staf",
    "evaluator": "inspektorat",
    "admin": "admin",
    "regional": "bappeda",
}
OTHER_AGENCY_ADMIN = "admin.kominfo"
OTHER_AGENCY_HEAD = "kadis.kominfo"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # No connection outlives its request, so fewer sessions hold the PostgreSQL test database open.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Background tasks run at once in tests (after the transaction commits); the database backend and its
    # worker are tested on their own in kinerja/documents/tests/test_tasks.py.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Tests render templates without running collectstatic first: no manifest needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_demo()
        load_performance_demo()
        load_library()


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def kadis(db: None) -> User:
    return _user("kadis")


@pytest.fixture
def sekretaris(db: None) -> User:
    return _user("sekretaris")


@pytest.fixture
def kabid(db: None) -> User:
    return _user("kabid")


@pytest.fixture
def perencanaan(db: None) -> User:
    return _user("perencanaan")


@pytest.fixture
def kasie(db: None) -> User:
    return _user("kasie")


@pytest.fixture
def staf(db: None) -> User:
    return _user("staf")


@pytest.fixture
def inspektorat(db: None) -> User:
    return _user("inspektorat")


@pytest.fixture
def org_admin(db: None) -> User:
    return _user("admin")


@pytest.fixture
def other_admin(db: None) -> User:
    """The admin of the second demo agency (Diskominfo)."""
    return _user(OTHER_AGENCY_ADMIN)


@pytest.fixture
def dishub(db: None) -> Agency:
    return Agency.objects.get(short_name="Dishub")


@pytest.fixture
def kominfo(db: None) -> Agency:
    return Agency.objects.get(short_name="Diskominfo")


@pytest.fixture
def login(db: None) -> Callable[[str | User], Client]:
    """A test client logged in as the given user (or username), in Indonesian unless told otherwise."""

    def make(user: str | User) -> Client:
        if isinstance(user, str):
            user = _user(user)
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return make


@pytest.fixture
def role_client(login: Callable[[str | User], Client]) -> Callable[[str], Client]:
    """A logged-in client for a role code, e.g. role_client("evaluator")."""
    return lambda role: login(ROLE_USERS[role])


@pytest.fixture
def english() -> Iterator[None]:
    """Messages checked in English, the language they are written in."""
    from django.utils import translation

    with translation.override("en"):
        yield
