"""BsreSigner against a fake BSrE server on 127.0.0.1 (no real BSrE is reachable from the tests)."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from kinerja.documents import signing
from kinerja.documents.bsre import BsreSigner
from kinerja.documents.signing import SignedPdf, SigningRefused, SignRequest

# The refusals are compared in English, the language they are written in.
pytestmark = pytest.mark.usefixtures("english")

CLIENT_ID = "kinerja"
CLIENT_SECRET = "s3cret"
NIK = "1234567890123456"
PASSPHRASE = "rahasia"
MARKER = b"\n%BSrE-signed\n"
DOCUMENT_ID = "a1b2c3d4-0000-4000-8000-000000000001"
# Not a valid PDF, but it starts like one and has the bytes a careless multipart encoder would damage.
PDF = b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\xff\r\n--\r\n%%EOF\n"


@dataclass
class Received:
    path: str
    authorization: str
    fields: dict[str, bytes]
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (filename, content type)


@dataclass
class FakeBsre:
    url: str
    port: int
    requests: list[Received]
    release: threading.Event


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, bytes], dict[str, tuple[str, str]]]:
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    fields: dict[str, bytes] = {}
    files: dict[str, tuple[str, str]] = {}
    parts = body.split(b"--" + boundary)
    assert parts[-1].strip() == b"--", "the body must end with the closing boundary"
    for part in parts[1:-1]:
        assert part.startswith(b"\r\n") and part.endswith(b"\r\n")
        head, _, content = part[2:-2].partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        disposition = headers["Content-Disposition"]
        name = re.search(r'name="([^"]*)"', disposition).group(1)
        fields[name] = content
        filename = re.search(r'filename="([^"]*)"', disposition)
        if filename:
            files[name] = (filename.group(1), headers.get("Content-Type", ""))
    return fields, files


class Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass

    def answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def answer_json(self, status: int, data: object) -> None:
        self.answer(status, json.dumps(data).encode(), "application/json")

    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        fields, files = parse_multipart(self.headers["Content-Type"], body)
        self.server.requests.append(Received(self.path, self.headers.get("Authorization", ""), fields, files))
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self.answer_json(401, {"error": "Unauthorized", "status_code": 401})
        mode, _, endpoint = self.path.rpartition("/api/")
        mode = mode.strip("/")
        if mode == "error500":
            return self.answer(500, b"Internal Server Error", "text/plain")
        if mode == "html":
            return self.answer(200, b"<html><body>Maintenance</body></html>", "text/html; charset=utf-8")
        if mode == "slow":
            self.server.release.wait(10)
            with contextlib.suppress(OSError):  # the client has long given up
                self.answer(200, fields.get("file", b"") + MARKER, "application/pdf")
            return None
        if endpoint == "sign/verify":
            signed = fields["signed_file"].endswith(MARKER)
            return self.answer_json(200, {"nama_dokumen": "dokumen.pdf", "jumlah_signature": int(signed)})
        if endpoint != "sign/pdf":
            return self.answer_json(404, {"error": "Not found"})
        if mode == "leaky":
            passphrase = fields["passphrase"].decode()
            return self.answer_json(400, {"error": f"Passphrase {passphrase} salah", "status_code": 2031})
        if fields.get("nik") != NIK.encode():
            return self.answer_json(400, {"error": "NIK tidak terdaftar", "status_code": 1111})
        if fields.get("passphrase") != PASSPHRASE.encode():
            return self.answer_json(400, {"error": "Passphrase anda salah", "status_code": 2031})
        if fields.get("tampilan") != b"invisible":
            return self.answer_json(400, {"error": "Tampilan tidak dikenal", "status_code": 2000})
        return self.answer(200, fields["file"] + MARKER, "application/pdf", {"id_dokumen": DOCUMENT_ID})


@pytest.fixture
def fake_bsre():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.requests = []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield FakeBsre(f"http://127.0.0.1:{port}", port, server.requests, server.release)
    finally:
        server.release.set()  # let a "slow" answer finish instead of hanging on
        server.shutdown()
        server.server_close()
        thread.join(5)


def make_signer(url: str, *, secret: str = CLIENT_SECRET, timeout: float = 5) -> BsreSigner:
    return BsreSigner(base_url=url, client_id=CLIENT_ID, client_secret=secret, timeout=timeout)


def make_request(**changes) -> SignRequest:
    values = {"pdf": PDF, "signer_name": "Budi", "nip": "198001012005011001", "nik": NIK, "passphrase": PASSPHRASE}
    values.update(changes)
    return SignRequest(**values)


def refusal(signer: BsreSigner, request: SignRequest) -> str:
    with pytest.raises(SigningRefused) as caught:
        signer.sign(request)
    message = str(caught.value.message)
    assert str(caught.value) == message
    return message


def test_sign_returns_the_bytes_bsre_sent_and_its_reference(fake_bsre):
    signed = make_signer(fake_bsre.url).sign(
        make_request(reason="Persetujuan laporan", location="Kota Contoh – Balai Kota")
    )

    assert signed == SignedPdf(pdf=PDF + MARKER, method="bsre", reference=DOCUMENT_ID)
    (received,) = fake_bsre.requests
    assert received.path == "/api/sign/pdf"
    assert received.fields["file"] == PDF  # byte for byte, through the multipart encoding
    assert received.files == {"file": ("dokumen.pdf", "application/pdf")}
    assert received.fields["nik"] == NIK.encode()
    assert received.fields["tampilan"] == b"invisible"
    assert received.fields["reason"] == b"Persetujuan laporan"
    assert received.fields["location"] == "Kota Contoh – Balai Kota".encode()


def test_sign_leaves_out_an_empty_reason_and_location_and_keeps_a_path_prefix(fake_bsre):
    signed = make_signer(fake_bsre.url + "/esign/").sign(make_request())

    assert signed.pdf == PDF + MARKER
    (received,) = fake_bsre.requests
    assert received.path == "/esign/api/sign/pdf"
    assert set(received.fields) == {"nik", "passphrase", "tampilan", "file"}


def test_wrong_passphrase_shows_bsre_message(fake_bsre):
    message = refusal(make_signer(fake_bsre.url), make_request(passphrase="salah-sekali"))

    assert message == "The certificate passphrase or NIK was not accepted by BSrE: Passphrase anda salah"
    assert "salah-sekali" not in message


def test_unknown_nik_is_the_signer_problem_too(fake_bsre):
    message = refusal(make_signer(fake_bsre.url), make_request(nik="9999999999999999"))

    assert message.startswith("The certificate passphrase or NIK was not accepted by BSrE: NIK tidak terdaftar")


def test_passphrase_never_appears_even_when_bsre_echoes_it(fake_bsre):
    passphrase = "Kunci-Rahasia-42"
    with pytest.raises(SigningRefused) as caught:
        make_signer(fake_bsre.url + "/leaky").sign(make_request(passphrase=passphrase))

    assert caught.value.message.startswith("The certificate passphrase or NIK was not accepted by BSrE")
    for text in (str(caught.value), str(caught.value.message), repr(caught.value), repr(caught.value.args)):
        assert passphrase not in text
    assert fake_bsre.requests[0].fields["passphrase"] == passphrase.encode()  # it did reach BSrE


def test_bad_client_credentials_is_a_configuration_problem(fake_bsre):
    message = refusal(make_signer(fake_bsre.url, secret="wrong"), make_request())

    assert "client credentials" in message
    assert "HTTP 401" in message
    assert "administrator" in message
    assert PASSPHRASE not in message


def test_server_error(fake_bsre):
    message = refusal(make_signer(fake_bsre.url + "/error500"), make_request())

    assert message.startswith("BSrE answered with an error (HTTP 500)")
    assert PASSPHRASE not in message


def test_an_answer_that_is_not_a_pdf_is_refused(fake_bsre):
    message = refusal(make_signer(fake_bsre.url + "/html"), make_request())

    assert message.startswith("BSrE answered, but not with a signed PDF")


def test_timeout(fake_bsre):
    message = refusal(make_signer(fake_bsre.url + "/slow", timeout=1), make_request())

    assert message.startswith("BSrE could not be reached")
    assert PASSPHRASE not in message


def test_closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = refusal(make_signer(f"http://127.0.0.1:{port}"), make_request())

    assert message.startswith("BSrE could not be reached")


@pytest.mark.parametrize("changes", [{"nik": ""}, {"nik": "   "}, {"passphrase": ""}])
def test_missing_nik_or_passphrase_is_refused_before_any_request(fake_bsre, changes):
    message = refusal(make_signer(fake_bsre.url), make_request(**changes))

    assert "NIK" in message and "passphrase" in message
    assert fake_bsre.requests == []


def test_verify_returns_bsre_json(fake_bsre):
    signer = make_signer(fake_bsre.url)

    assert signer.verify(PDF + MARKER) == {"nama_dokumen": "dokumen.pdf", "jumlah_signature": 1}
    (received,) = fake_bsre.requests
    assert received.path == "/api/sign/verify"
    assert received.fields["signed_file"] == PDF + MARKER
    assert received.files == {"signed_file": ("dokumen.pdf", "application/pdf")}


def test_verify_refusals(fake_bsre):
    with pytest.raises(SigningRefused, match=r"HTTP 500"):
        make_signer(fake_bsre.url + "/error500").verify(PDF)
    with pytest.raises(SigningRefused, match=r"client credentials"):
        make_signer(fake_bsre.url, secret="wrong").verify(PDF)
    with pytest.raises(SigningRefused, match=r"not with a verification result"):
        make_signer(fake_bsre.url + "/html").verify(PDF)


def test_repr_does_not_show_the_secret():
    assert CLIENT_SECRET not in repr(make_signer("http://127.0.0.1:9"))


def test_from_settings(settings):
    settings.BSRE_URL = "https://esign.example.go.id"
    settings.BSRE_CLIENT_ID = CLIENT_ID
    settings.BSRE_CLIENT_SECRET = CLIENT_SECRET
    settings.BSRE_TIMEOUT_SECONDS = 12

    signer = BsreSigner.from_settings()

    assert signer.base_url == "https://esign.example.go.id"
    assert signer.timeout == 12
    assert (signer.method, signer.needs_passphrase) == ("bsre", True)


def test_from_settings_needs_a_url(settings):
    settings.BSRE_URL = ""

    with pytest.raises(ImproperlyConfigured):
        BsreSigner.from_settings()


def test_an_address_that_is_not_http_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        make_signer("ftp://esign.example.go.id")


def test_signer_follows_signing_method(settings):
    settings.BSRE_URL = "http://127.0.0.1:9"
    settings.SIGNING_METHOD = "bsre"
    assert isinstance(signing.signer(), BsreSigner)

    settings.SIGNING_METHOD = "internal"
    assert isinstance(signing.signer(), signing.InternalSigner)
