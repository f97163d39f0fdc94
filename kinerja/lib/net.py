"""The client address of a request, as far as it can be trusted."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address our own proxies saw when TRUSTED_PROXY_COUNT says we are behind them.

    X-Forwarded-For is a list that each proxy appends to. Only the entries appended by our own
    proxies can be believed, so we count TRUSTED_PROXY_COUNT entries from the right; anything a
    client put in the header itself sits further left and is ignored. With no trusted proxy the
    header is ignored entirely, so a forged header cannot pick another lockout bucket.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
