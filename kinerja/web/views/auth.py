from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from kinerja.web.services import change_password


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy("The username or password is wrong. Both are case-sensitive."),
        "inactive": gettext_lazy("This account has been deactivated."),
    }


login = auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any]) -> HttpResponse:
    """What axes shows instead of the login result once (username, address) is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": LoginForm(request),
        "locked_message": _(
            "Too many failed attempts for this username from your address. Try again in %(minutes)d minutes."
        )
        % {"minutes": minutes},
    }
    return render(request, "web/login.html", context, status=429)


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("web-home")
    return render(request, "web/password_change.html", {"form": form})


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, reachable from the login page too."""
    return django_set_language(request)
