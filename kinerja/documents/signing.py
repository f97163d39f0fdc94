"""Signing the exact bytes of a PDF, behind one interface with two implementations.

- `InternalSigner` (the default): the signer has re-entered their password; the PDF already carries the
  verification footer and the QR code; the bytes are kept as they are and their SHA-256 is what the public
  verification page compares against.
- `BsreSigner`: the national electronic signature service (BSrE, Balai Sertifikasi Elektronik) adds a
  certificate signature to the PDF. Present, disabled unless SIGNING_METHOD=bsre, see its docstring.

Whatever the method, the bytes returned are the document: Kinerja stores them and their SHA-256, never changes
them again, and a single changed byte makes the verification page answer "not valid".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.functional import Promise


class SigningRefused(Exception):
    """The signing service refused or failed; `message` is fit to show to the signer."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class SignRequest:
    pdf: bytes
    signer_name: str
    nip: str
    nik: str = ""  # the national identity number BSrE knows the certificate by
    passphrase: str = field(default="", repr=False)  # the certificate's passphrase (BSrE only; never stored)
    reason: str = ""
    location: str = ""


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    method: str  # Signature.Method
    reference: str = ""  # the service's own id of the signing, if it gives one


class Signer(Protocol):
    method: str
    needs_passphrase: bool

    def sign(self, request: SignRequest) -> SignedPdf: ...


class InternalSigner:
    method = "internal"
    needs_passphrase = False

    def sign(self, request: SignRequest) -> SignedPdf:
        return SignedPdf(pdf=request.pdf, method=self.method)


def signer() -> Signer:
    """The signer the deployment is configured for (settings.SIGNING_METHOD)."""
    if settings.SIGNING_METHOD == "bsre":
        from kinerja.documents.bsre import BsreSigner  # noqa: PLC0415 - only loaded where it is configured

        return BsreSigner.from_settings()
    return InternalSigner()
