from __future__ import annotations

from django.urls import path

from kinerja.web.views import auth, home

urlpatterns = [
    path("", home.home, name="web-home"),
    path("login/", auth.login, name="web-login"),
    path("logout/", auth.logout, name="web-logout"),
    path("password/", auth.password_change, name="web-password"),
    path("language/", auth.set_language, name="web-language"),
]
