from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_language_switch_to_english_and_back(login) -> None:
    client = login("staf")
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/")
    assert page.headers["Content-Language"] == "en"
    assert b"Log out" in page.content
    client.post("/language/", {"language": "id", "next": "/"})
    page = client.get("/")
    assert page.headers["Content-Language"] == "id"
    assert b"Log out" not in page.content


def test_language_switch_works_on_the_login_page() -> None:
    client = Client()
    response = client.post("/language/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert client.get("/login/").headers["Content-Language"] == "en"


def test_language_switch_refuses_get(login) -> None:
    assert login("staf").get("/language/?language=en").status_code == 405


def test_language_switch_ignores_unknown_language(login) -> None:
    client = login("staf")
    client.post("/language/", {"language": "xx", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "id"


def test_an_english_browser_still_gets_indonesian_until_the_user_switches() -> None:
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "id"
