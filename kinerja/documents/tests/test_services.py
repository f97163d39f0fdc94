from __future__ import annotations

import hashlib
import threading
import time
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection
from pypdf import PdfReader

from kinerja.accounts.models import User
from kinerja.audit.models import AuditEvent
from kinerja.collection import services as collection
from kinerja.collection.models import Notification
from kinerja.documents import builders, services
from kinerja.documents.models import (
    Approval,
    Disposition,
    Document,
    DocumentVersion,
    GenerationJob,
    IssuedNumber,
    Kind,
    NumberingSeries,
)
from kinerja.documents.numbering import FormatRefused, NumberParts, check_format, render_number
from kinerja.documents.tests.conftest import generated, signed
from kinerja.org.models import Agency, Assignment, Employee, Position

# Numbering


@pytest.mark.parametrize(
    ("fmt", "seq", "on", "expected"),
    [
        ("050/{seq:03}/{unit}/{month:roman}/{year}", 7, date(2026, 11, 3), "050/007/Dishub/XI/2026"),
        ("{seq:03}/SOP/Dishub-BLG/{year}", 12, date(2027, 1, 2), "012/SOP/Dishub-BLG/2027"),
        ("800/{seq}/{agency}/{day:02}.{month:02}.{year}", 1234, date(2026, 4, 9), "800/1234/Dishub/09.04.2026"),
    ],
)
def test_a_number_is_printed_from_its_format(fmt, seq, on, expected):
    check_format(fmt)
    assert render_number(fmt, NumberParts(seq=seq, on=on, unit="Dishub", agency="Dishub")) == expected


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("050/{seq:03}/{bidang}/{year}", "Unknown placeholder {bidang}"),
        ("050/{unit}/{year}", "must contain {seq}"),
        ("{seq}/{seq}/{year}", "only once"),
        ("050/{seq:abc}/{year}", "not understood"),
        ("050/{year:roman}/{seq}", "not understood"),
        ("050/{seq:03/{year}", "brace"),
        ("", "Write the number format"),
    ],
)
def test_a_format_that_cannot_make_a_number_is_refused(fmt, reason, english):
    with pytest.raises(FormatRefused) as refused:
        check_format(fmt)
    assert reason in str(refused.value.message)


def test_saving_a_series_with_an_unknown_placeholder_is_refused_and_saves_nothing(dishub, perencanaan, english):
    with pytest.raises(ValidationError) as refused:
        services.save_series(agency=dishub, kind=Kind.LETTER, fmt="{seq}/{nomor_unit}", unit_code="", by=perencanaan)
    assert "Unknown placeholder {nomor_unit}" in refused.value.message_dict["format"][0]
    assert not NumberingSeries.objects.filter(agency=dishub).exists()


def test_only_a_composer_keeps_numbering_series(dishub, staf, kadis):
    for user in (staf, kadis):
        with pytest.raises(PermissionDenied):
            services.save_series(agency=dishub, kind=Kind.LETTER, fmt="{seq}/{year}", unit_code="", by=user)


def test_numbers_are_consecutive_within_a_year_and_start_again_the_next(dishub, perencanaan):
    series = services.save_series(agency=dishub, kind=Kind.LETTER, fmt="{seq:03}/{year}", unit_code="", by=perencanaan)
    numbers = [services.issue_number(series=series, on=date(2026, 12, 30)).number for _ in range(3)]
    assert numbers == ["001/2026", "002/2026", "003/2026"]
    assert services.issue_number(series=series, on=date(2027, 1, 2)).number == "001/2027"
    assert services.issue_number(series=series, on=date(2026, 12, 31)).number == "004/2026"


def _while_locked(call):
    """SQLite's shared in-memory test database fails at once while another thread writes, where a file
    database waits for its busy timeout; a failed attempt was rolled back, so trying again is what waiting is."""
    for _attempt in range(2000):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005)
    return call()


@pytest.mark.django_db(transaction=True)
def test_two_hundred_numbers_issued_from_four_threads_are_distinct_and_consecutive(demo_for_browser):
    dishub = Agency.objects.get(short_name="Dishub")
    series = NumberingSeries.objects.create(agency=dishub, kind=Kind.LETTER, format="050/{seq:03}/{year}")
    barrier = threading.Barrier(4)
    issued: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(50):
                number = _while_locked(lambda: services.issue_number(series=series, on=date(2026, 11, 21)).number)
                with lock:
                    issued.append(number)
        except BaseException as exc:  # noqa: BLE001 - the test reports what went wrong in a thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(issued) == 200
    assert sorted(issued) == [f"050/{n:03}/2026" for n in range(1, 201)]
    assert list(IssuedNumber.objects.filter(series=series).order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 201)
    )


# Generation


def test_generating_twice_without_a_change_yields_one_version(measurement_doc, perencanaan):
    assert measurement_doc.versions.count() == 1
    job = services.request_generation(document=measurement_doc, by=perencanaan)
    job = services.run_generation(job.pk)
    assert job.status == GenerationJob.Status.DONE and job.reused
    assert measurement_doc.versions.count() == 1


def test_a_second_request_while_one_waits_is_the_same_job(dishub, perencanaan):
    document = services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=1, by=perencanaan)
    first = services.request_generation(document=document, by=perencanaan)
    again = services.request_generation(document=document, by=perencanaan)
    assert first.pk == again.pk
    assert GenerationJob.objects.filter(document=document).count() == 1


def test_a_job_runs_once_even_when_the_worker_receives_it_twice(dishub, perencanaan):
    document = services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=1, by=perencanaan)
    job = services.request_generation(document=document, by=perencanaan)
    services.run_generation(job.pk)
    services.run_generation(job.pk)
    assert document.versions.count() == 1


def test_edited_texts_make_a_new_version(measurement_doc, perencanaan):
    services.save_texts(document=measurement_doc, texts={"note": "Angka triwulan II sudah final."},
                        version=measurement_doc.version, by=perencanaan)  # fmt: skip
    generated(measurement_doc, perencanaan)
    latest = measurement_doc.versions.order_by("-number").first()
    assert latest.number == 2
    text = "".join(page.extract_text() for page in PdfReader(latest.pdf.open("rb")).pages)
    assert "Angka triwulan II sudah final." in text


def test_a_failed_generation_shows_its_reason_and_can_be_retried(dishub, perencanaan, monkeypatch):
    document = services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=1, by=perencanaan)

    def broken(document):
        raise RuntimeError("the budget table could not be read")

    monkeypatch.setitem(builders.BUILDERS, Kind.MEASUREMENT, broken)
    job = services.run_generation(services.request_generation(document=document, by=perencanaan).pk)
    assert job.status == GenerationJob.Status.FAILED
    assert "the budget table could not be read" in job.error
    assert not document.versions.exists()
    monkeypatch.undo()
    retry = services.request_generation(document=document, by=perencanaan)
    assert retry.pk != job.pk
    assert services.run_generation(retry.pk).status == GenerationJob.Status.DONE


def test_the_requester_is_told_when_the_file_is_ready(measurement_doc, perencanaan):
    assert Notification.objects.filter(user=perencanaan, key__startswith="documents.job.").exists()


def test_unknown_and_too_long_texts_are_refused(measurement_doc, perencanaan, english):
    with pytest.raises(ValidationError, match="Unknown text"):
        services.save_texts(document=measurement_doc, texts={"foreword": "x"}, version=measurement_doc.version,
                            by=perencanaan)  # fmt: skip
    with pytest.raises(ValidationError, match="at most 20000"):
        services.save_texts(document=measurement_doc, texts={"note": "x" * 20_001}, version=measurement_doc.version,
                            by=perencanaan)  # fmt: skip


# Unverified data


@pytest.fixture
def open_q3(dishub, perencanaan):
    return collection.open_period(agency=dishub, year=2026, quarter=3, by=perencanaan).period


def test_a_report_on_unverified_data_is_marked_draft_and_cannot_be_sent_for_signature(open_q3, dishub, perencanaan,
                                                                                      english):  # fmt: skip
    document = services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=3, by=perencanaan)
    generated(document, perencanaan)
    version = document.versions.get()
    assert version.draft_data
    assert version.content["warning"].startswith("DRAF")
    text = PdfReader(version.pdf.open("rb")).pages[0].extract_text()
    assert "belum diverifikasi" in text and "DRAF" in text
    with pytest.raises(ValidationError, match="not verified"):
        services.submit_for_approval(document=document, version=document.version, by=perencanaan)
    assert document.approvals.count() == 0


# Approval and signing


def test_the_chain_goes_through_the_secretary_to_the_head(ready_doc, sekretaris):
    steps = list(ready_doc.approvals.order_by("order"))
    assert [(s.position.title, s.signs, s.decision) for s in steps] == [
        ("Sekretaris Dinas", False, Approval.Decision.APPROVED),
        ("Kepala Dinas Perhubungan", True, Approval.Decision.PENDING),
    ]
    assert ready_doc.status == Document.Status.READY
    head = Position.objects.get(title="Kepala Dinas Perhubungan")
    head_users = [a.employee.user_id for a in Assignment.objects.filter(position=head)]
    assert Notification.objects.filter(user_id__in=head_users, key__startswith="documents.approval.").exists()


def test_a_return_needs_a_note_and_sends_the_document_back_to_draft(measurement_doc, perencanaan, sekretaris, english):
    services.submit_for_approval(document=measurement_doc, version=measurement_doc.version, by=perencanaan)
    measurement_doc.refresh_from_db()
    with pytest.raises(ValidationError, match="Say what must be changed"):
        services.decide(document=measurement_doc, version=measurement_doc.version, approve=False, note=" ",
                        by=sekretaris)  # fmt: skip
    services.decide(document=measurement_doc, version=measurement_doc.version, approve=False,
                    note="Lengkapi catatan capaian IKU.3.", by=sekretaris)  # fmt: skip
    measurement_doc.refresh_from_db()
    assert measurement_doc.status == Document.Status.DRAFT
    assert Notification.objects.filter(user=perencanaan, body="Lengkapi catatan capaian IKU.3.").exists()


def test_only_the_holder_of_the_review_position_reviews(measurement_doc, perencanaan, kabid):
    services.submit_for_approval(document=measurement_doc, version=measurement_doc.version, by=perencanaan)
    measurement_doc.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.decide(document=measurement_doc, version=measurement_doc.version, approve=True, note="", by=kabid)


def test_signing_by_someone_who_does_not_hold_the_signing_position_is_refused(ready_doc, sekretaris, english):
    with pytest.raises(PermissionDenied, match="Kepala Dinas Perhubungan"):
        services.sign(document=ready_doc, version=ready_doc.version, by=sekretaris, base_url="http://testserver",
                      given=services.SignInput(password="kinerja-demo"))  # fmt: skip
    ready_doc.refresh_from_db()
    assert ready_doc.status == Document.Status.READY


def test_signing_with_a_wrong_password_is_refused_and_issues_no_number(ready_doc, kadis, perencanaan, english):
    series = services.save_series(agency=ready_doc.agency, kind=Kind.MEASUREMENT, fmt="{seq:03}/DPK/{year}",
                                  unit_code="", by=perencanaan)  # fmt: skip
    with pytest.raises(ValidationError, match="password is not correct"):
        services.sign(document=ready_doc, version=ready_doc.version, by=kadis, base_url="http://testserver",
                      given=services.SignInput(password="salah"))  # fmt: skip
    assert not IssuedNumber.objects.filter(series=series).exists()
    signed(ready_doc, kadis)
    assert ready_doc.number.startswith("001/DPK/")


def test_the_signed_pdf_carries_number_signer_and_verification_and_its_hash_is_kept(ready_doc, kadis, perencanaan):
    services.save_series(agency=ready_doc.agency, kind=Kind.MEASUREMENT, fmt="050/{seq:03}/{unit}/{month:roman}/{year}",
                         unit_code="Dishub", by=perencanaan)  # fmt: skip
    signed(ready_doc, kadis)
    signature = ready_doc.signature
    data = signature.version.pdf.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == signature.sha256 == signature.version.pdf_sha256
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    assert ready_doc.number in text
    assert "Ir. Bambang Sutrisno, M.T." in text
    assert f"/v/{signature.token}/" in text
    assert "DRAF" not in text
    assert signature.position_label == "Kepala Dinas Perhubungan"
    assert AuditEvent.objects.filter(action="documents.document.signed", object_id=str(ready_doc.pk)).exists()


def test_verification_passes_for_the_signed_bytes_and_fails_after_one_byte_changes(ready_doc, kadis):
    signed(ready_doc, kadis)
    data = ready_doc.signature.version.pdf.open("rb").read()
    assert services.find_signature(data).pk == ready_doc.signature.pk
    middle = len(data) // 2
    changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    assert services.find_signature(changed) is None


def test_an_acting_head_signs_as_plt(ready_doc, kabid):
    Assignment.objects.create(
        employee=Employee.objects.get(user=kabid), position=Position.objects.get(title="Kepala Dinas Perhubungan"),
        kind=Assignment.Kind.ACTING, acting_title="Plt.", start_date=date(2026, 1, 1),
    )  # fmt: skip
    kabid = User.objects.get(pk=kabid.pk)
    signed(ready_doc, kabid)
    assert ready_doc.signature.position_label == "Plt. Kepala Dinas Perhubungan"
    text = PdfReader(ready_doc.signature.version.pdf.open("rb")).pages[-1].extract_text()
    assert "Plt. Kepala Dinas Perhubungan" in text


def test_a_signed_document_never_changes(ready_doc, kadis, perencanaan):
    signed(ready_doc, kadis)
    with pytest.raises(ValidationError):
        services.save_texts(document=ready_doc, texts={"note": "x"}, version=ready_doc.version, by=perencanaan)
    with pytest.raises(ValidationError):
        services.request_generation(document=ready_doc, by=perencanaan)
    assert DocumentVersion.objects.filter(document=ready_doc, signed=True).count() == 1


def test_a_correction_is_a_new_document_that_cites_the_old_one(ready_doc, kadis, perencanaan, sekretaris, english):
    signed(ready_doc, kadis)
    with pytest.raises(ValidationError, match="Say what the correction is for"):
        services.correct(document=ready_doc, reason="", by=perencanaan)
    correction = services.correct(document=ready_doc, reason="Realisasi IKU.2 salah ketik.", by=perencanaan)
    assert correction.supersedes_id == ready_doc.pk and correction.status == Document.Status.DRAFT
    generated(correction, perencanaan)
    services.submit_for_approval(document=correction, version=correction.version, by=perencanaan)
    correction.refresh_from_db()
    services.decide(document=correction, version=correction.version, approve=True, note="", by=sekretaris)
    correction.refresh_from_db()
    signed(correction, kadis)
    ready_doc.refresh_from_db()
    assert ready_doc.status == Document.Status.SUPERSEDED
    text = PdfReader(correction.signature.version.pdf.open("rb")).pages[0].extract_text()
    assert "menggantikan" in text
    # the old signature still verifies: it is what was signed then
    assert services.find_signature(ready_doc.signature.version.pdf.open("rb").read()) is not None


# Request letters


def test_opening_a_period_drafts_one_request_letter_per_division_which_goes_to_the_head(
    dishub, perencanaan, kadis, django_capture_on_commit_callbacks
):
    services.save_series(agency=dishub, kind=Kind.REQUEST_LETTER, fmt="050/{seq:03}/{unit}/{month:roman}/{year}",
                         unit_code="Dishub", by=perencanaan)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        opened = collection.open_period(agency=dishub, year=2026, quarter=3, by=perencanaan)
    letters = list(Document.objects.filter(period=opened.period, kind=Kind.REQUEST_LETTER).order_by("pk"))
    requests = opened.period.requests.filter(kind="division")
    assert len(letters) == requests.count() > 0
    letter = letters[0]
    assert letter.status == Document.Status.READY
    content = letter.versions.get().content
    indicator_codes = {row[1] for row in content["blocks"][1]["rows"]}
    assert indicator_codes == set(letter.request.indicators.values_list("code", flat=True))
    signed(letter, kadis)
    assert letter.number.startswith("050/001/Dishub/")
    preparer_ids = {u.pk for u in collection.notify.preparers(letter.request)}
    told = set(Notification.objects.filter(key=f"documents.signed.{letter.pk}").values_list("user_id", flat=True))
    assert preparer_ids and preparer_ids <= told


# Dispositions


def test_a_disposition_goes_down_and_is_forwarded_and_done(measurement_doc, kadis, sekretaris, perencanaan):
    secretary = Position.objects.get(title="Sekretaris Dinas")
    planning = Position.objects.get(title="Kepala Subbagian Perencanaan dan Program")
    first = services.dispose(agency=measurement_doc.agency, document=measurement_doc, to_position=secretary,
                             instruction=Disposition.Instruction.FOLLOW_UP, text="Siapkan paparan.",
                             due_on=None, by=kadis)  # fmt: skip
    assert Notification.objects.filter(user=sekretaris, key=f"documents.disposition.{first.pk}").exists()
    second = services.dispose(agency=measurement_doc.agency, parent=first, to_position=planning,
                              instruction=Disposition.Instruction.PREPARE, text="", due_on=None,
                              by=sekretaris)  # fmt: skip
    assert second.document_id == measurement_doc.pk
    services.complete_disposition(disposition=second, note="Paparan selesai.", by=perencanaan)
    chain = services.disposition_chain(first)
    assert [(depth, d.to_position.title) for depth, d in chain] == [(0, secretary.title), (1, planning.title)]
    assert Disposition.objects.get(pk=second.pk).done_at is not None


def test_a_disposition_only_goes_down_and_only_the_recipient_forwards(measurement_doc, kadis, kabid, sekretaris):
    head = Position.objects.get(title="Kepala Dinas Perhubungan")
    secretary = Position.objects.get(title="Sekretaris Dinas")
    with pytest.raises(ValidationError):
        services.dispose(agency=measurement_doc.agency, document=measurement_doc, to_position=head,
                         instruction=Disposition.Instruction.FILE, text="", due_on=None, by=sekretaris)  # fmt: skip
    first = services.dispose(agency=measurement_doc.agency, document=measurement_doc, to_position=secretary,
                             instruction=Disposition.Instruction.FILE, text="", due_on=None, by=kadis)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.dispose(agency=measurement_doc.agency, parent=first, to_position=secretary,
                         instruction=Disposition.Instruction.FILE, text="", due_on=None, by=kabid)  # fmt: skip
    with pytest.raises(ValidationError):
        services.dispose(agency=measurement_doc.agency, document=measurement_doc, to_position=secretary,
                         instruction="whatever", text="", due_on=None, by=kadis)  # fmt: skip


def test_signing_completes_the_sop_step_bound_to_signing(ready_doc, kadis, perencanaan):
    from kinerja.sop import engine
    from kinerja.sop.models import Action, Case, Task
    from kinerja.sop.tests.test_engine import adopt_and_publish

    version = adopt_and_publish("dishub-tanpa-kop-pengukuran-kinerja", ready_doc.agency, perencanaan,
                                bind={9: Action.SIGN})  # fmt: skip
    case = engine.start_case(version=version, unit=None, subject_kind="collection.quarter", subject_id=20262,
                             subject_label="Triwulan II 2026", year=2026, quarter=2, by=perencanaan)  # fmt: skip
    signed(ready_doc, kadis)
    step9 = Task.objects.get(case=case, step__number=9)
    assert step9.done_by_action == "documents.sign" and step9.done_by == kadis
    assert Case.objects.get(pk=case.pk).status == Case.Status.RUNNING  # steps 10-12 are still to do
