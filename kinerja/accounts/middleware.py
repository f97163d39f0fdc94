from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "kinerja_login_at"
SEEN_AT_KEY = "kinerja_seen_at"


@receiver(user_logged_in)
def _stamp_login_time(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = timezone.now().isoformat()


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_LIFETIME after login, however active it has been, and moves its idle
    expiry forward.

    The idle limit is Django's own (SESSION_COOKIE_AGE): a session is saved, and its expiry moved, when it
    changes. Rather than saving it on every request (a database write behind every page read), the last-seen
    stamp changes at most once per SESSION_REFRESH_SECONDS, so the idle limit holds to within that much.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            stamp = request.session.get(LOGIN_AT_KEY)
            login_at = _parse(stamp)
            if login_at is None or timezone.now() - login_at > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(settings.LOGIN_URL)
            now = timezone.now().timestamp()
            seen = request.session.get(SEEN_AT_KEY)
            if not isinstance(seen, int | float) or now - seen >= settings.SESSION_REFRESH_SECONDS:
                request.session[SEEN_AT_KEY] = now
        return self.get_response(request)


def _parse(stamp: object) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None
