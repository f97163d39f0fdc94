"""Signing through BSrE, the national electronic signature service run by BSSN (Balai Sertifikasi Elektronik).

Disabled by default: a deployment signs with `InternalSigner` unless it sets, in the environment,

- ``SIGNING_METHOD=bsre``;
- ``BSRE_URL``: the base address of the agency's BSrE "esign" REST service, e.g. ``https://esign.example.go.id``
  (the client adds ``/api/sign/pdf`` and ``/api/sign/verify``; a path prefix in the address is kept);
- ``BSRE_CLIENT_ID`` and ``BSRE_CLIENT_SECRET``: the client credentials BSrE (or the agency's gateway in front
  of it) issued to this application, sent as HTTP Basic authentication (none is sent when both are empty);
- ``BSRE_TIMEOUT_SECONDS`` (default 30): how long to wait for BSrE to connect and for each read of its answer.

The signer is the holder of the certificate: at signing time they type their NIK (the national identity number
BSrE knows the certificate by) and the certificate's passphrase. Both go to BSrE in that one request and are
never stored, logged or shown back, not even inside an error message.

BSrE returns the PDF with the certificate signature added (invisibly: ``tampilan=invisible``, since the
document already carries Kinerja's own verification footer and QR code). Those returned bytes are the document:
Kinerja stores them as they are together with their SHA-256, which the public verification page compares
against. The service's id of the signing (response header ``id_dokumen``) is kept as the reference.

Only the standard library is used (``http.client``); the requests go straight to BSRE_URL, without a proxy, and
redirects are not followed (an answer in the 3xx range is treated as an error).

This client was written against the API as commonly deployed by local governments and tested only against a
fake server (see ``tests/test_bsre.py``): there is no access to a real BSrE from where it was written. Try it
against the agency's BSrE development instance before turning it on.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import re
import ssl
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kinerja.documents.signing import SignedPdf, SigningRefused, SignRequest

logger = logging.getLogger(__name__)

SIGN_PATH = "/api/sign/pdf"
VERIFY_PATH = "/api/sign/verify"
PDF_MAGIC = b"%PDF-"
# BSrE's own code for a wrong passphrase, as seen in its JSON error answers.
WRONG_PASSPHRASE_CODE = 2031
# An error text from BSrE that is about the signer's NIK or passphrase (which the signer can correct).
SIGNER_ERROR = re.compile(r"pass\s*phrase|\bnik\b|kata\s*sandi", re.IGNORECASE)
# How much of BSrE's own error text is shown to the signer.
MAX_MESSAGE_LENGTH = 300

MISSING_CREDENTIALS = _("Enter your NIK and your certificate passphrase to sign with BSrE.")
CLIENT_REFUSED = _(
    "BSrE refused this application's client credentials (HTTP %(status)s). This is a configuration problem, "
    "not something you can fix: please contact the administrator."
)
SIGNER_REFUSED = _("The certificate passphrase or NIK was not accepted by BSrE: %(message)s")
HTTP_ERROR = _(
    "BSrE answered with an error (HTTP %(status)s). The document was not signed; please try again later, and "
    "contact the administrator if it persists."
)
HTTP_ERROR_WITH_MESSAGE = _(
    "BSrE answered with an error (HTTP %(status)s): %(message)s. The document was not signed; please try again "
    "later, and contact the administrator if it persists."
)
TIMED_OUT = _(
    "BSrE could not be reached: it did not answer within %(seconds)s seconds. The document was not signed; "
    "please try again later, and contact the administrator if it persists."
)
UNREACHABLE = _(
    "BSrE could not be reached. The document was not signed; please try again later, and contact the "
    "administrator if it persists."
)
NOT_A_PDF = _(
    "BSrE answered, but not with a signed PDF, so the document was not signed. Please contact the administrator."
)
NOT_A_RESULT = _("BSrE answered, but not with a verification result. Please contact the administrator.")


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str  # without parameters, lower case; "" when absent
    headers: http.client.HTTPMessage
    body: bytes


class BsreSigner:
    method = "bsre"
    needs_passphrase = True

    def __init__(self, *, base_url: str, client_id: str, client_secret: str, timeout: float) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured("BSRE_URL must be an http:// or https:// address")
        if parts.query or parts.fragment:
            raise ImproperlyConfigured("BSRE_URL must not have a query or a fragment")
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured("BSRE_URL has an invalid port") from exc
        self.base_url = base_url.strip().rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = port
        self._prefix = parts.path.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> BsreSigner:
        if not settings.BSRE_URL:
            raise ImproperlyConfigured("BSRE_URL must be set when SIGNING_METHOD is bsre")
        return cls(
            base_url=settings.BSRE_URL,
            client_id=settings.BSRE_CLIENT_ID,
            client_secret=settings.BSRE_CLIENT_SECRET,
            timeout=settings.BSRE_TIMEOUT_SECONDS,
        )

    def __repr__(self) -> str:  # never the secret
        return f"<BsreSigner {self.base_url}>"

    def sign(self, request: SignRequest) -> SignedPdf:
        nik = request.nik.strip()
        passphrase = request.passphrase
        if not nik or not passphrase:
            raise SigningRefused(MISSING_CREDENTIALS)
        fields = [("nik", nik), ("passphrase", passphrase), ("tampilan", "invisible")]
        if request.reason:
            fields.append(("reason", request.reason))
        if request.location:
            fields.append(("location", request.location))
        answer = self._post(SIGN_PATH, fields, ("file", "dokumen.pdf", request.pdf))
        if answer.status != 200:
            self._refuse_error(answer, passphrase=passphrase)
        if not answer.body.startswith(PDF_MAGIC) or answer.content_type not in (
            "application/pdf",
            "application/octet-stream",
            "",
        ):
            # Some deployments answer an error with 200 and a JSON body: say what it was if it was about the signer.
            text, code = _error_text(answer.body)
            if text is not None and _is_signer_error(text, code):
                raise SigningRefused(SIGNER_REFUSED % {"message": _clean(text, passphrase)})
            logger.warning("BSrE answered HTTP 200 with %s, not a PDF", answer.content_type or "no content type")
            raise SigningRefused(NOT_A_PDF)
        reference = (answer.headers.get("id_dokumen") or "").strip()
        logger.info("BSrE signed a document (%s bytes), id_dokumen %r", len(answer.body), reference)
        return SignedPdf(pdf=answer.body, method=self.method, reference=reference)

    def verify(self, pdf: bytes) -> dict[str, Any]:
        """BSrE's verification of the signatures in `pdf`, as the JSON object it answers."""
        answer = self._post(VERIFY_PATH, [], ("signed_file", "dokumen.pdf", pdf))
        if answer.status != 200:
            self._refuse_error(answer, passphrase="")
        try:
            result = json.loads(answer.body)
        except ValueError:
            result = None
        if not isinstance(result, dict):
            logger.warning("BSrE answered a verification with %s, not a JSON object", answer.content_type or "?")
            raise SigningRefused(NOT_A_RESULT)
        return result

    # The HTTP exchange.

    def _post(self, path: str, fields: list[tuple[str, str]], file: tuple[str, str, bytes]) -> _Answer:
        body, content_type = _multipart(fields, file)
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Accept": "application/pdf, application/json",
        }
        if self._client_id or self._client_secret:
            token = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        if self._https:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        try:
            connection.request("POST", self._prefix + path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except TimeoutError as exc:
            logger.warning("BSrE at %s did not answer within %s seconds", self.base_url, self.timeout)
            raise SigningRefused(TIMED_OUT % {"seconds": self.timeout}) from exc
        except (OSError, http.client.HTTPException) as exc:
            logger.warning("BSrE at %s could not be reached: %s", self.base_url, type(exc).__name__)
            raise SigningRefused(UNREACHABLE) from exc
        finally:
            connection.close()
        content = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        return _Answer(status=response.status, content_type=content, headers=response.headers, body=data)

    def _refuse_error(self, answer: _Answer, *, passphrase: str) -> None:
        """Raise the refusal that fits an answer other than 200."""
        if answer.status in (401, 403):
            logger.error("BSrE refused the client credentials of this application (HTTP %s)", answer.status)
            raise SigningRefused(CLIENT_REFUSED % {"status": answer.status})
        text, code = _error_text(answer.body)
        if text is not None and 400 <= answer.status < 500 and _is_signer_error(text, code):
            logger.info("BSrE did not accept the signer's NIK or passphrase (HTTP %s, code %s)", answer.status, code)
            raise SigningRefused(SIGNER_REFUSED % {"message": _clean(text, passphrase)})
        logger.warning("BSrE answered HTTP %s (code %s)", answer.status, code)
        if text:
            raise SigningRefused(
                HTTP_ERROR_WITH_MESSAGE % {"status": answer.status, "message": _clean(text, passphrase)}
            )
        raise SigningRefused(HTTP_ERROR % {"status": answer.status})


def _multipart(fields: list[tuple[str, str]], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body with the text `fields` and one PDF `file` (name, filename, bytes)."""
    name, filename, content = file
    values = [value.encode() for _name, value in fields]
    boundary = uuid.uuid4().hex
    while any(boundary.encode() in part for part in [content, *values]):
        boundary = uuid.uuid4().hex
    marker = f"--{boundary}\r\n".encode("ascii")
    chunks: list[bytes] = []
    for (field, _value), value in zip(fields, values, strict=True):
        chunks += [marker, f'Content-Disposition: form-data; name="{field}"\r\n\r\n'.encode("ascii"), value, b"\r\n"]
    chunks += [
        marker,
        f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode("ascii"),
        b"Content-Type: application/pdf\r\n\r\n",
        content,
        b"\r\n",
        f"--{boundary}--\r\n".encode("ascii"),
    ]
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _error_text(body: bytes) -> tuple[str | None, Any]:
    """The message and BSrE code of a JSON error answer such as {"error": "...", "status_code": 2031}."""
    try:
        data = json.loads(body[:65536])
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    code = data.get("status_code")
    for key in ("error", "message", "msg"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value, code
    return None, code


def _is_signer_error(text: str, code: Any) -> bool:
    return str(code) == str(WRONG_PASSPHRASE_CODE) or bool(SIGNER_ERROR.search(text))


def _clean(text: str, passphrase: str) -> str:
    """BSrE's message, fit to show: one short line, and never the passphrase even if the service echoed it."""
    if passphrase:
        text = text.replace(passphrase, "***")
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if len(text) > MAX_MESSAGE_LENGTH:
        text = text[: MAX_MESSAGE_LENGTH - 1].rstrip() + "…"
    return text.rstrip(".")
