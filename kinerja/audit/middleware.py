from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kinerja.audit import context
from kinerja.lib.net import client_address


class AuditContextMiddleware:
    """Makes the client address of the request available to audit events."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.client_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            context.client_address.reset(token)
