"""The pages of the documents app, each reached by a role that may and refused to one that may not: the archive,
a new document, the detail page and its actions (texts, generation, approval, signature, correction,
dispositions), downloads, the settings, the disposition on an SOP task and the public verification pages.

A refused request changes nothing: the status, the version and the counts are checked after it. PDF generation and
signing cost about a second each, so only the tests that need them use the generated or signed fixtures."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinerja.accounts.models import User
from kinerja.collection.models import Notification
from kinerja.documents import services
from kinerja.documents.chains import DEFAULT_CHAINS
from kinerja.documents.models import (
    Disposition,
    Document,
    DocumentSettings,
    DownloadLog,
    GenerationJob,
    Kind,
    NumberingSeries,
    Signature,
)
from kinerja.documents.tests.conftest import signed
from kinerja.org.models import Agency, Position, Role
from kinerja.sop import engine
from kinerja.sop import services as sop_services
from kinerja.sop.models import Procedure, Task

pytestmark = pytest.mark.django_db

PASSWORD = "kinerja-demo"
SERIES_FORMAT = "050/{seq:03}/{unit}/{month:roman}/{year}"
DRAFT_LETTER = "Surat Uji Draf Arsip"
Login = Callable[[str | User], Client]


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def is_login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("web-login"))


def state(document: Document) -> tuple[str, int, dict, int, int, int]:
    """What a refused request must leave as it was: status, version, texts, and the counts hanging off it."""
    fresh = Document.objects.get(pk=document.pk)
    return (
        fresh.status, fresh.version, dict(fresh.texts or {}), fresh.approvals.count(), fresh.versions.count(),
        fresh.dispositions.count(),
    )  # fmt: skip


def position(agency: Agency, role: str) -> Position:
    return Position.objects.filter(agency=agency, role=role, is_active=True).order_by("pk").first()


def upload(data: bytes) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile("dokumen.pdf", data, content_type="application/pdf")}


def altered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def read_all(response: HttpResponse) -> bytes:
    # Reading the stream to its end closes the response the way the test client wants; closing it again would
    # send request_finished, which closes the test's database connection on PostgreSQL.
    return b"".join(response.streaming_content)


# Fixtures: a draft that was never generated is cheap; generating or signing costs a second.


@pytest.fixture
def draft_doc(dishub: Agency, perencanaan: User) -> Document:
    """An agency-level measurement document, created but not generated."""
    return services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=2, by=perencanaan)


@pytest.fixture
def signed_doc(ready_doc: Document, dishub: Agency, kadis: User, perencanaan: User) -> Document:
    """The measurement document signed by the head, with a number from a numbering series."""
    services.save_series(agency=dishub, kind=Kind.MEASUREMENT, fmt=SERIES_FORMAT, unit_code="Dishub", by=perencanaan)
    document = signed(ready_doc, kadis)
    assert document.status == Document.Status.SIGNED and document.number
    return document


@pytest.fixture
def task(dishub: Agency, perencanaan: User) -> Task:
    """An open task of a running case of an SOP adopted and published by Dishub."""
    template = Procedure.objects.filter(agency__isnull=True).order_by("slug").first()
    procedure = sop_services.adopt(template=template, agency=dishub, by=perencanaan)
    draft = procedure.versions.get()
    version = sop_services.publish(version=draft, changelog="", expected=draft.version, by=perencanaan)
    case = engine.start_case(version=version, unit=None, subject_label="Uji disposisi", year=2026, by=perencanaan)
    return Task.objects.filter(case=case, status__in=Task.ACTIVE).order_by("pk").first()


# Anonymous visitors


LOGIN_REQUIRED = [
    ("get", "documents-archive", ()),
    ("get", "documents-new", ()),
    ("post", "documents-new", ()),
    ("get", "documents-settings", ()),
    ("post", "documents-settings", ()),
    ("get", "documents-dispositions", ()),
    ("post", "documents-disposition-action", (1,)),
    ("get", "documents-task-disposition", (1,)),
    ("post", "documents-task-disposition", (1,)),
    ("get", "documents-job", (1,)),
    ("get", "documents-download", (1, "pdf")),
    ("get", "documents-detail", (1,)),
    ("post", "documents-texts", (1,)),
    ("post", "documents-generate", (1,)),
    ("post", "documents-submit", (1,)),
    ("post", "documents-withdraw", (1,)),
    ("post", "documents-decide", (1,)),
    ("post", "documents-sign", (1,)),
    ("post", "documents-correct", (1,)),
    ("post", "documents-dispose", (1,)),
]


@pytest.mark.parametrize(("method", "name", "args"), LOGIN_REQUIRED)
def test_an_anonymous_visitor_is_sent_to_the_login_page(method: str, name: str, args: tuple) -> None:
    response = getattr(Client(), method)(url(name, *args))
    assert is_login_redirect(response)


def test_an_anonymous_post_changes_nothing(draft_doc: Document) -> None:
    before = state(draft_doc)
    client = Client()
    assert is_login_redirect(client.post(url("documents-texts", draft_doc.pk),
                                         {"text_note": "x", "version": draft_doc.version}))  # fmt: skip
    assert is_login_redirect(client.post(url("documents-generate", draft_doc.pk)))
    assert state(draft_doc) == before
    assert not GenerationJob.objects.filter(document=draft_doc).exists()


# Archive


@pytest.mark.parametrize(
    "role",
    ["head", "secretary", "division_head", "planning_head", "section_head", "staff", "evaluator", "admin"],
)
def test_every_role_opens_the_archive_of_dishub(role: str, role_client: Callable[[str], Client],
                                                dishub: Agency) -> None:  # fmt: skip
    response = role_client(role).get(url("documents-archive"), {"agency": dishub.pk})
    assert response.status_code == 200
    assert response.context["agency"] == dishub


def test_another_agency_cannot_open_the_archive_of_dishub(login: Login, dishub: Agency, kominfo: Agency) -> None:
    client = login("admin.kominfo")
    assert client.get(url("documents-archive"), {"agency": dishub.pk}).status_code == 404
    own = client.get(url("documents-archive"))
    assert own.status_code == 200 and own.context["agency"] == kominfo


def test_staff_see_signed_agency_documents_and_find_them_by_number(
    login: Login, signed_doc: Document, dishub: Agency, perencanaan: User
) -> None:
    services.create_document(agency=dishub, kind=Kind.LETTER, year=2026, title=DRAFT_LETTER, by=perencanaan)
    assert signed_doc.number.startswith("050/001/Dishub/")
    staf = login("staf")

    listed = staf.get(url("documents-archive"), {"agency": dishub.pk, "status": "all"})
    assert listed.status_code == 200
    titles = [d.title for d in listed.context["page"].object_list]
    assert signed_doc.title in titles and DRAFT_LETTER not in titles
    assert escape(signed_doc.title) in listed.content.decode() and DRAFT_LETTER not in listed.content.decode()
    # The composer lists the draft as well.
    composer = login("perencanaan").get(url("documents-archive"), {"agency": dishub.pk, "status": "all"})
    assert {signed_doc.title, DRAFT_LETTER} <= {d.title for d in composer.context["page"].object_list}

    found = staf.get(url("documents-archive"), {"agency": dishub.pk, "q": signed_doc.number})
    assert found.status_code == 200
    assert [d.pk for d in found.context["page"].object_list] == [signed_doc.pk]
    assert escape(signed_doc.number) in found.content.decode()
    missing = staf.get(url("documents-archive"), {"agency": dishub.pk, "q": "999/XYZ/Tidak-Ada"})
    assert list(missing.context["page"].object_list) == []

    # The signed document's page opens for staff now, and its signed PDF downloads.
    detail = staf.get(url("documents-detail", signed_doc.pk))
    assert detail.status_code == 200 and detail.context["signature"] is not None
    signed_version = signed_doc.signature.version
    response = staf.get(url("documents-download", signed_version.pk, "pdf"))
    assert response.status_code == 200
    assert hashlib.sha256(read_all(response)).hexdigest() == signed_doc.signature.sha256


def test_staff_find_a_replaced_agency_document_they_may_read(login: Login, draft_doc: Document,
                                                             dishub: Agency) -> None:  # fmt: skip
    Document.objects.filter(pk=draft_doc.pk).update(status=Document.Status.SUPERSEDED, signed_at=timezone.now())
    staf = login("staf")
    assert staf.get(url("documents-detail", draft_doc.pk)).status_code == 200
    listed = staf.get(url("documents-archive"), {"agency": dishub.pk, "status": "signed"})
    assert [d.pk for d in listed.context["page"].object_list] == [draft_doc.pk]


# New document


def test_the_planning_head_creates_a_measurement_document(login: Login, dishub: Agency) -> None:
    client = login("perencanaan")
    assert client.get(url("documents-new")).status_code == 200
    before = Document.objects.count()
    response = client.post(url("documents-new"), {"agency": dishub.pk, "kind": Kind.MEASUREMENT, "year": "2026",
                                                  "quarter": "3"})  # fmt: skip
    assert Document.objects.count() == before + 1
    document = Document.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == url("documents-detail", document.pk)
    expected = (dishub, Kind.MEASUREMENT, 2026, 3, Document.Status.DRAFT)
    assert (document.agency, document.kind, document.year, document.quarter, document.status) == expected


def test_new_document_is_refused_to_staff_and_to_another_agency(login: Login, dishub: Agency) -> None:
    before = Document.objects.count()
    staf = login("staf")
    data = {"agency": dishub.pk, "kind": Kind.MEASUREMENT, "year": "2026", "quarter": "2"}
    assert staf.get(url("documents-new")).status_code == 403
    assert staf.post(url("documents-new"), data).status_code == 403
    assert login("kadis").post(url("documents-new"), data).status_code == 403
    assert login("admin.kominfo").post(url("documents-new"), data).status_code == 404
    assert Document.objects.count() == before


def test_a_measurement_document_without_quarter_is_refused(login: Login, dishub: Agency) -> None:
    before = Document.objects.count()
    response = login("perencanaan").post(url("documents-new"), {"agency": dishub.pk, "kind": Kind.MEASUREMENT,
                                                                 "year": "2026", "quarter": ""})  # fmt: skip
    assert response.status_code == 400
    assert response.context["errors"]
    content = response.content.decode()
    assert 'id="new-document"' in content and 'class="errorlist"' in content
    assert Document.objects.count() == before


# Detail


def test_the_detail_page_of_a_draft_is_for_its_readers(login: Login, draft_doc: Document) -> None:
    page = url("documents-detail", draft_doc.pk)
    for username in ("perencanaan", "sekretaris", "kadis", "admin", "inspektorat"):
        assert login(username).get(page).status_code == 200, username
    composer = login("perencanaan").get(page)
    assert composer.context["composer"] and 'id="texts"' in composer.content.decode()
    assert not login("inspektorat").get(page).context["composer"]
    for username in ("staf", "kabid", "kasie", "admin.kominfo"):
        assert login(username).get(page).status_code == 404, username
    assert login("perencanaan").get(url("documents-detail", 999_999)).status_code == 404


# Texts


def test_a_composer_saves_the_texts(login: Login, draft_doc: Document) -> None:
    response = login("perencanaan").post(url("documents-texts", draft_doc.pk),
                                         {"text_note": "  Catatan uji\r\nbaris dua  ", "version": draft_doc.version})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == url("documents-detail", draft_doc.pk) + "#texts"
    draft_doc.refresh_from_db()
    assert draft_doc.texts == {"note": "Catatan uji\nbaris dua"}
    assert draft_doc.version == 2


def test_texts_are_refused_to_a_reader_who_does_not_compose(login: Login, draft_doc: Document) -> None:
    before = state(draft_doc)
    data = {"text_note": "Dari kepala", "version": draft_doc.version}
    assert login("kadis").post(url("documents-texts", draft_doc.pk), data).status_code == 403
    assert login("inspektorat").post(url("documents-texts", draft_doc.pk), data).status_code == 403
    assert login("staf").post(url("documents-texts", draft_doc.pk), data).status_code == 404
    assert login("admin.kominfo").post(url("documents-texts", draft_doc.pk), data).status_code == 404
    assert state(draft_doc) == before


def test_texts_of_a_document_in_review_are_refused(login: Login, ready_doc: Document) -> None:
    before = state(ready_doc)
    response = login("perencanaan").post(url("documents-texts", ready_doc.pk),
                                         {"text_note": "terlambat", "version": ready_doc.version})  # fmt: skip
    assert response.status_code == 400
    assert state(ready_doc) == before


def test_the_verification_token_fits_its_column() -> None:
    field = Signature._meta.get_field("token")
    assert len(field.get_default()) <= field.max_length


# Downloads


def test_a_composer_downloads_every_format_and_each_download_is_logged(login: Login, measurement_doc: Document,
                                                                       perencanaan: User) -> None:  # fmt: skip
    version = measurement_doc.versions.get()
    client = login("perencanaan")
    for file_format, mime in (("pdf", "application/pdf"), ("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")):
        response = client.get(url("documents-download", version.pk, file_format))
        assert response.status_code == 200, file_format
        assert mime in response["Content-Type"]
        assert response["Content-Disposition"].startswith("attachment")
        assert "(draf)" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        data = read_all(response)
        if file_format == "pdf":
            assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == version.pdf_sha256
        else:
            assert data.startswith(b"PK")
    logs = DownloadLog.objects.filter(document=measurement_doc)
    assert sorted(logs.values_list("file_format", flat=True)) == ["docx", "pdf", "xlsx"]
    assert set(logs.values_list("user", "version")) == {(perencanaan.pk, version.pk)}


def test_downloads_are_refused_to_those_who_may_not_read_the_draft(login: Login, measurement_doc: Document) -> None:
    version = measurement_doc.versions.get()
    for username in ("staf", "kabid", "admin.kominfo"):
        assert login(username).get(url("documents-download", version.pk, "pdf")).status_code == 404, username
    assert login("perencanaan").get(url("documents-download", version.pk, "pdfx")).status_code == 404
    assert login("perencanaan").get(url("documents-download", 999_999, "pdf")).status_code == 404
    assert not DownloadLog.objects.filter(document=measurement_doc).exists()


# Public verification


def test_the_upload_check_tells_the_signed_pdf_from_a_changed_one(signed_doc: Document) -> None:
    signature = signed_doc.signature
    with signature.version.pdf.open("rb") as handle:
        original = handle.read()
    client = Client()
    assert client.get(url("documents-verify")).status_code == 200

    valid = client.post(url("documents-verify"), upload(original))
    assert valid.status_code == 200
    content = valid.content.decode()
    assert 'id="verdict-valid"' in content and 'id="verdict-invalid"' not in content
    assert escape(signature.signer_name) in content and signature.sha256 in content

    changed = client.post(url("documents-verify"), upload(altered(original)))
    assert changed.status_code == 200
    content = changed.content.decode()
    assert 'id="verdict-invalid"' in content and 'id="verdict-valid"' not in content
    assert escape(signature.signer_name) not in content

    nothing = client.post(url("documents-verify"))
    assert nothing.status_code == 400
    assert "verdict-" not in nothing.content.decode()

    # The QR link's PDF needs no login; the download is logged without a user.
    before = DownloadLog.objects.count()
    response = client.get(url("documents-verify-download", signature.token))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert read_all(response) == original
    assert DownloadLog.objects.count() == before + 1
    log = DownloadLog.objects.order_by("-pk").first()
    assert (log.user, log.version_id, log.file_format) == (None, signature.version_id, "pdf")
    assert client.get(url("documents-verify-download", "tidak-ada")).status_code == 404
    assert DownloadLog.objects.count() == before + 1


def test_the_qr_page_shows_the_signer_and_checks_a_file(signed_doc: Document) -> None:
    signature = signed_doc.signature
    with signature.version.pdf.open("rb") as handle:
        original = handle.read()
    client = Client()
    page = client.get(url("documents-verify-token", signature.token))
    assert page.status_code == 200
    content = page.content.decode()
    assert escape(signature.signer_name) in content and escape(signed_doc.number) in content
    assert url("documents-verify-download", signature.token) in content
    assert "verdict-" not in content

    assert client.get(url("documents-verify-token", "tidak-ada-token")).status_code == 404
    assert client.post(url("documents-verify-token", "tidak-ada-token"), upload(original)).status_code == 404

    valid = client.post(url("documents-verify-token", signature.token), upload(original))
    assert valid.status_code == 200 and 'id="verdict-valid"' in valid.content.decode()
    changed = client.post(url("documents-verify-token", signature.token), upload(altered(original)))
    assert changed.status_code == 200 and 'id="verdict-invalid"' in changed.content.decode()
    assert client.post(url("documents-verify-token", signature.token)).status_code == 400


# Correction


def test_a_composer_corrects_a_signed_document(login: Login, signed_doc: Document) -> None:
    before = Document.objects.count()
    # Staff read the signed document but do not compose; the head neither; a correction needs its reason.
    assert login("staf").post(url("documents-correct", signed_doc.pk), {"reason": "Salah"}).status_code == 403
    assert login("kadis").post(url("documents-correct", signed_doc.pk), {"reason": "Salah"}).status_code == 403
    assert login("admin.kominfo").post(url("documents-correct", signed_doc.pk),
                                       {"reason": "Salah"}).status_code == 404  # fmt: skip
    client = login("perencanaan")
    assert client.post(url("documents-correct", signed_doc.pk), {"reason": "  "}).status_code == 400
    assert Document.objects.count() == before

    response = client.post(url("documents-correct", signed_doc.pk), {"reason": "Angka IKU.2 salah ketik."})
    assert Document.objects.count() == before + 1
    correction = Document.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == url("documents-detail", correction.pk)
    assert correction.supersedes_id == signed_doc.pk and correction.status == Document.Status.DRAFT
    assert Document.objects.get(pk=signed_doc.pk).status == Document.Status.SIGNED
    # One correction at a time.
    assert client.post(url("documents-correct", signed_doc.pk), {"reason": "Lagi"}).status_code == 400
    assert Document.objects.count() == before + 1


# Dispositions


def test_the_head_writes_a_disposition_to_the_secretary(login: Login, draft_doc: Document, dishub: Agency,
                                                        sekretaris: User) -> None:  # fmt: skip
    secretary = position(dishub, Role.SECRETARY)
    client = login("kadis")
    page = client.get(url("documents-detail", draft_doc.pk))
    assert secretary in page.context["dispose_targets"] and 'id="dispose"' in page.content.decode()
    response = client.post(url("documents-dispose", draft_doc.pk), {"to_position": secretary.pk,
                                                                     "instruction": "follow_up", "text": "Segera."})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == url("documents-detail", draft_doc.pk) + "#dispositions"
    disposition = Disposition.objects.get(document=draft_doc)
    assert disposition.to_position == secretary and disposition.from_user.username == "kadis"
    assert Notification.objects.filter(user=sekretaris, key=f"documents.disposition.{disposition.pk}").exists()


def test_a_disposition_is_refused_to_those_who_may_not_write_it(login: Login, draft_doc: Document,
                                                                dishub: Agency) -> None:  # fmt: skip
    before = state(draft_doc)
    head, secretary = position(dishub, Role.HEAD), position(dishub, Role.SECRETARY)
    data = {"to_position": secretary.pk, "instruction": "follow_up"}
    assert login("staf").post(url("documents-dispose", draft_doc.pk), data).status_code == 404
    assert login("kabid").post(url("documents-dispose", draft_doc.pk), data).status_code == 404
    assert login("admin.kominfo").post(url("documents-dispose", draft_doc.pk), data).status_code == 404
    # The admin reads the document but leads nobody.
    assert login("admin").post(url("documents-dispose", draft_doc.pk), data).status_code == 403
    # A disposition goes down: the secretary cannot write one to the head; the instruction must be known.
    up = login("sekretaris").post(url("documents-dispose", draft_doc.pk), {"to_position": head.pk,
                                                                            "instruction": "follow_up"})  # fmt: skip
    assert up.status_code == 400
    unknown = login("kadis").post(url("documents-dispose", draft_doc.pk), {"to_position": secretary.pk,
                                                                           "instruction": "fly"})  # fmt: skip
    assert unknown.status_code == 400
    past = login("kadis").post(url("documents-dispose", draft_doc.pk), {**data, "due_on": "2020-01-01"})
    assert past.status_code == 400
    assert state(draft_doc) == before
    assert not Disposition.objects.filter(document=draft_doc).exists()


def test_the_secretary_forwards_a_disposition_and_reports_it_done(
    login: Login, draft_doc: Document, dishub: Agency, kadis: User, perencanaan: User
) -> None:
    head, secretary = position(dishub, Role.HEAD), position(dishub, Role.SECRETARY)
    disposition = services.dispose(agency=dishub, document=draft_doc, to_position=secretary, instruction="study",
                                   text="Pelajari.", due_on=None, by=kadis)  # fmt: skip
    client = login("sekretaris")
    inbox = client.get(url("documents-dispositions"))
    assert inbox.status_code == 200
    assert disposition.pk in [d.pk for d in inbox.context["received"]]
    assert 'id="received"' in inbox.content.decode() and escape(draft_doc.title) in inbox.content.decode()
    sent = login("kadis").get(url("documents-dispositions"))
    assert disposition.pk in [d.pk for d in sent.context["sent"]]

    # Those who did not receive it cannot act on it: the division head does not even see it.
    action = url("documents-disposition-action", disposition.pk)
    assert login("kabid").post(action, {"do": "done", "note": "x"}).status_code == 404
    assert login("staf").post(action, {"do": "done", "note": "x"}).status_code == 404
    assert login("admin.kominfo").post(action, {"do": "done"}).status_code == 404
    assert login("kadis").post(action, {"do": "done", "note": "x"}).status_code == 403
    assert login("kadis").post(action, {"do": "forward", "to_position": secretary.pk,
                                        "instruction": "file"}).status_code == 403  # fmt: skip
    # Forwarding up is refused with a message on the inbox.
    up = client.post(action, {"do": "forward", "to_position": head.pk, "instruction": "file"})
    assert up.status_code == 302 and up["Location"] == url("documents-dispositions")
    disposition.refresh_from_db()
    assert disposition.done_at is None and not disposition.forwards.exists()

    planner = position(dishub, Role.PLANNING_HEAD)
    assert planner.pk in services.subordinate_ids(secretary)
    forwarded = client.post(action, {"do": "forward", "to_position": planner.pk, "instruction": "prepare",
                                     "text": "Siapkan konsep."})  # fmt: skip
    assert forwarded.status_code == 302 and forwarded["Location"] == url("documents-dispositions")
    child = disposition.forwards.get()
    assert child.to_position == planner and child.from_user.username == "sekretaris"
    assert Notification.objects.filter(user=perencanaan, key=f"documents.disposition.{child.pk}").exists()
    assert child.pk in [d.pk for d in login("perencanaan").get(url("documents-dispositions")).context["received"]]

    done = client.post(action, {"do": "done", "note": "Sudah diteruskan."})
    assert done.status_code == 302
    disposition.refresh_from_db()
    assert disposition.done_at is not None and disposition.done_note == "Sudah diteruskan."
    assert Notification.objects.filter(user=kadis, key=f"documents.disposition.done.{disposition.pk}").exists()
    # Done twice is refused with a message, nothing changes.
    done_at = disposition.done_at
    assert client.post(action, {"do": "done", "note": "lagi"}).status_code == 302
    disposition.refresh_from_db()
    assert (disposition.done_at, disposition.done_note) == (done_at, "Sudah diteruskan.")


def test_a_disposition_lets_staff_read_the_document_but_not_its_draft_file(
    login: Login, measurement_doc: Document, dishub: Agency, kadis: User
) -> None:
    analyst = Position.objects.get(agency=dishub, role=Role.STAFF, title="Analis Lalu Lintas")
    staf = login("staf")
    assert staf.get(url("documents-detail", measurement_doc.pk)).status_code == 404
    services.dispose(agency=dishub, document=measurement_doc, to_position=analyst, instruction="follow_up", text="",
                     due_on=None, by=kadis)  # fmt: skip
    assert staf.get(url("documents-detail", measurement_doc.pk)).status_code == 200
    assert measurement_doc.pk in [d.document_id for d in staf.get(url("documents-dispositions")).context["received"]]
    # The draft file is for its composers and approvers.
    version = measurement_doc.versions.get()
    assert staf.get(url("documents-download", version.pk, "pdf")).status_code == 404
    # Staff lead nobody: no disposition from them.
    before = Disposition.objects.count()
    response = staf.post(url("documents-dispose", measurement_doc.pk), {"to_position": analyst.pk,
                                                                        "instruction": "file"})  # fmt: skip
    assert response.status_code == 403
    assert Disposition.objects.count() == before
    assert not DownloadLog.objects.filter(document=measurement_doc).exists()


# Disposition on an SOP task


def test_a_leader_writes_a_disposition_on_a_task(login: Login, task: Task, dishub: Agency, sekretaris: User) -> None:
    secretary = position(dishub, Role.SECRETARY)
    client = login("kadis")
    task_page = client.get(url("sop-task", task.pk)).content.decode()
    assert f'href="{url("documents-task-disposition", task.pk)}"' in task_page  # the task page leads there
    page = client.get(url("documents-task-disposition", task.pk))
    assert page.status_code == 200
    assert secretary in page.context["targets"] and 'id="dispose"' in page.content.decode()
    response = client.post(url("documents-task-disposition", task.pk), {"to_position": secretary.pk,
                                                                         "instruction": "coordinate"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url("documents-dispositions")
    disposition = Disposition.objects.get(task=task)
    assert disposition.document is None and disposition.to_position == secretary
    assert Notification.objects.filter(user=sekretaris, key=f"documents.disposition.{disposition.pk}").exists()
    # A bad input shows the form again.
    bad = client.post(url("documents-task-disposition", task.pk), {"to_position": "", "instruction": "file"})
    assert bad.status_code == 400 and Disposition.objects.filter(task=task).count() == 1


def test_a_task_disposition_is_refused_to_those_who_may_not_write_it(login: Login, task: Task,
                                                                     dishub: Agency) -> None:  # fmt: skip
    secretary = position(dishub, Role.SECRETARY)
    data = {"to_position": secretary.pk, "instruction": "coordinate"}
    other = login("admin.kominfo")
    assert other.get(url("documents-task-disposition", task.pk)).status_code == 404
    assert other.post(url("documents-task-disposition", task.pk), data).status_code == 404
    assert login("kadis").get(url("documents-task-disposition", 999_999)).status_code == 404
    # Staff read the task but lead nobody.
    staf = login("staf")
    page = staf.get(url("documents-task-disposition", task.pk))
    assert page.status_code == 200 and page.context["targets"] == []
    assert staf.post(url("documents-task-disposition", task.pk), data).status_code == 403
    assert not Disposition.objects.filter(task=task).exists()


# Settings


def _settings_post(agency: Agency, version: int, **values: str) -> dict[str, object]:
    data: dict[str, object] = {
        "agency": agency.pk, "version": version, "government": "Pemerintah Kabupaten Sukamaju",
        "agency_name": "Dinas Perhubungan Uji", "address": "Jl. Merdeka 1", "contact": "(0411) 123",
        "city": "Sukamaju", "page_size": "F4",
    }  # fmt: skip
    for kind, chain in DEFAULT_CHAINS.items():
        data[f"signer_{kind}"] = chain["signer"]
        for role in chain["review"]:
            data[f"review_{kind}_{role}"] = "1"
    data.update(values)
    return data


def _settings_version(agency: Agency) -> int:
    current = DocumentSettings.objects.filter(agency=agency).first()
    return current.version if current else 1


def test_the_planning_head_keeps_the_letterhead_and_the_numbering(login: Login, dishub: Agency) -> None:
    client = login("perencanaan")
    assert client.get(url("documents-settings"), {"agency": dishub.pk}).status_code == 200
    version = _settings_version(dishub)
    response = client.post(url("documents-settings"), _settings_post(dishub, version))
    assert response.status_code == 302
    assert response["Location"] == url("documents-settings") + f"?agency={dishub.pk}"
    saved = DocumentSettings.objects.get(agency=dishub)
    expected = ("Dinas Perhubungan Uji", "Sukamaju", "F4", version + 1)
    assert (saved.agency_name, saved.city, saved.page_size, saved.version) == expected
    assert saved.chains[Kind.MEASUREMENT] == {"signer": Role.HEAD, "review": [Role.SECRETARY]}

    response = client.post(url("documents-settings"), {"agency": dishub.pk, "do": "series", "kind": Kind.LETTER,
                                                       "format": SERIES_FORMAT, "unit_code": "Dishub"})  # fmt: skip
    assert response.status_code == 302
    series = NumberingSeries.objects.get(agency=dishub, kind=Kind.LETTER)
    assert (series.format, series.unit_code) == (SERIES_FORMAT, "Dishub")


def test_settings_refuse_bad_input(login: Login, dishub: Agency) -> None:
    client = login("perencanaan")
    before = NumberingSeries.objects.filter(agency=dishub).count()
    response = client.post(url("documents-settings"), {"agency": dishub.pk, "do": "series", "kind": Kind.LETTER,
                                                       "format": "{seq:03}/{foo}", "unit_code": ""})  # fmt: skip
    assert response.status_code == 400
    assert response.context["errors"] and 'class="errorlist"' in response.content.decode()
    assert 'value="{seq:03}/{foo}"' in response.content.decode()
    assert NumberingSeries.objects.filter(agency=dishub).count() == before

    version = _settings_version(dishub)
    bad = client.post(url("documents-settings"), _settings_post(dishub, version, page_size="A3", agency_name="X"))
    assert bad.status_code == 400
    assert _settings_version(dishub) == version
    assert not DocumentSettings.objects.filter(agency=dishub, agency_name="X").exists()


def test_settings_are_refused_to_those_who_do_not_compose(login: Login, dishub: Agency) -> None:
    version = _settings_version(dishub)
    series_before = NumberingSeries.objects.count()
    series = {"agency": dishub.pk, "do": "series", "kind": Kind.LETTER, "format": SERIES_FORMAT}
    for username in ("staf", "kadis", "kabid", "inspektorat"):
        client = login(username)
        assert client.get(url("documents-settings")).status_code == 403, username
        assert client.post(url("documents-settings"), _settings_post(dishub, version)).status_code == 403, username
        assert client.post(url("documents-settings"), series).status_code == 403, username
    other = login("admin.kominfo")
    assert other.get(url("documents-settings"), {"agency": dishub.pk}).status_code == 404
    assert other.post(url("documents-settings") + f"?agency={dishub.pk}",
                      _settings_post(dishub, version)).status_code == 404  # fmt: skip
    assert other.post(url("documents-settings"), series).status_code == 404
    assert _settings_version(dishub) == version
    assert not DocumentSettings.objects.filter(agency=dishub, agency_name="Dinas Perhubungan Uji").exists()
    assert NumberingSeries.objects.count() == series_before


def test_a_stale_settings_form_is_refused(login: Login, dishub: Agency) -> None:
    client = login("perencanaan")
    version = _settings_version(dishub)
    assert client.post(url("documents-settings"), _settings_post(dishub, version)).status_code == 302
    response = client.post(url("documents-settings"), _settings_post(dishub, version, city="Basi"))
    assert response.status_code in (400, 409)
    assert DocumentSettings.objects.get(agency=dishub).city == "Sukamaju"
