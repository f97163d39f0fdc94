"""Optimistic concurrency: a record is saved only if it still has the version the form was read at."""

from __future__ import annotations

from typing import Any

from django.db import models

from kinerja.lib.errors import ConflictError


def save_if_unchanged(instance: models.Model, *, version: int, fields: list[str]) -> None:
    """Writes the named fields of `instance` when its stored version is `version`, and bumps it.

    A conditional UPDATE rather than a row lock: the form was read in an earlier request, so a
    lock taken now could not tell that another user saved in between.
    """
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[field.attname] = getattr(instance, field.attname)
    updated = (
        type(instance)._default_manager.filter(pk=instance.pk, version=version).update(version=version + 1, **values)
    )
    if updated != 1:
        raise ConflictError()
    instance.version = version + 1  # type: ignore[attr-defined]


def posted_version(post: Any) -> int:
    """The record version the form was opened at; anything else than a number is stale (a conflict)."""
    value = (post.get("version") or "").strip()
    return int(value) if value.isdigit() else 0
