"""The uploaded workbook between the preview and the confirmation.

The bytes wait in the default storage under imports/<uuid>.xlsx; the session holds the token,
their SHA-256, the agency and the user, so that the confirmation applies exactly the file that
was previewed, by the same person, to the same agency, and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from kinerja.org.models import Agency

logger = logging.getLogger(__name__)

SESSION_KEY = "measurement_excel_import"
FOLDER = "imports"
ABANDONED_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Pending:
    token: str
    data: bytes
    filename: str


def _path(token: str) -> str:
    return f"{FOLDER}/{token}.xlsx"


def keep(request: HttpRequest, agency: Agency, data: bytes, filename: str) -> str:
    """Stores the upload for the confirmation, replacing this session's previous one; returns its token."""
    discard(request)
    _sweep()
    token = uuid.uuid4().hex
    default_storage.save(_path(token), ContentFile(data))
    request.session[SESSION_KEY] = {
        "token": token, "sha256": hashlib.sha256(data).hexdigest(), "agency": agency.pk, "user": request.user.pk,
        "filename": filename[:200],
    }  # fmt: skip
    return token


def load(request: HttpRequest, agency: Agency, token: str) -> Pending | None:
    """The upload this session previewed for `agency` under `token`, unchanged since; None otherwise."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("token") != token or kept.get("agency") != agency.pk or kept.get("user") != request.user.pk:
        return None
    try:
        with default_storage.open(_path(token), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != kept.get("sha256"):
        logger.warning("Excel import: the stored upload %s changed after the preview", token)
        return None
    return Pending(token=token, data=data, filename=kept.get("filename", ""))


def discard(request: HttpRequest) -> None:
    """Deletes this session's stored upload, if any."""
    kept = request.session.pop(SESSION_KEY, None)
    if kept and isinstance(kept.get("token"), str) and kept["token"].isalnum():
        try:
            default_storage.delete(_path(kept["token"]))
        except OSError:
            logger.warning("Excel import: could not delete %s", _path(kept["token"]), exc_info=True)


def _sweep() -> None:
    """Deletes uploads that were previewed and never confirmed, a day on."""
    try:
        if not default_storage.exists(FOLDER):
            return
        limit = timezone.now() - ABANDONED_AFTER
        for name in default_storage.listdir(FOLDER)[1]:
            path = f"{FOLDER}/{name}"
            if name.endswith(".xlsx") and default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
    except (OSError, NotImplementedError):
        logger.warning("Excel import: could not sweep old uploads", exc_info=True)
