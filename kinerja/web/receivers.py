"""Login, logout and failed logins go into the audit trail; Django only announces them as signals."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kinerja.web import services


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.record_login(user=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record_logout(user=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    services.record_login_failure(username=str(credentials.get("username") or ""))


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: Any = None, ip_address: Any = None, **kwargs: Any) -> None:
    services.record_login_failure(username=str(username or ""), locked=True)
