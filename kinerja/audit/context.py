"""Who is making the current request, for audit events written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar

client_address: ContextVar[str] = ContextVar("kinerja_client_address", default="")
