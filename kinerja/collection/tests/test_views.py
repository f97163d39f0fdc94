"""The collection pages through the test client: who may open and change what, and what a user sees when
the input is bad, the form is stale, or the same button is pressed twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from kinerja.collection import services
from kinerja.collection.models import Evidence, Review, Submission
from kinerja.lib.numbers import input_number
from kinerja.measurement.models import Realization

pytestmark = pytest.mark.django_db

WHOLE = ["kadis", "sekretaris", "perencanaan", "admin", "inspektorat"]
DIVISION = ["kabid", "kasie", "staf"]
OUTSIDERS = ["admin.kominfo", "kadis.kominfo"]
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def opened(dishub, perencanaan):  # type: ignore[no-untyped-def]
    return services.open_period(agency=dishub, year=2026, quarter=3, by=perencanaan)


@pytest.fixture
def lalu_lintas(opened) -> Submission:  # type: ignore[no-untyped-def]
    return next(r.submission for r in opened.requests if r.kind == "division" and r.unit.name == "Bidang Lalu Lintas")


@pytest.fixture
def angkutan(opened) -> Submission:  # type: ignore[no-untyped-def]
    return next(r.submission for r in opened.requests if r.kind == "division" and r.unit.name == "Bidang Angkutan")


def _client(login, username: str) -> Client:  # type: ignore[no-untyped-def]
    client = login(username)
    client.cookies["django_language"] = "en"
    return client


def _attach_all(client: Client, submission: Submission) -> None:
    for line in submission.lines.all():
        response = client.post(
            reverse("collection-evidence-add", args=[line.pk]),
            {"file": SimpleUploadedFile("bukti.pdf", PDF + str(line.pk).encode(), "application/pdf")},
        )
        assert response.status_code == 302


def _submitted(login, submission: Submission) -> Submission:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    _attach_all(staff, submission)
    assert (
        staff.post(
            reverse("collection-transition", args=[submission.pk, "submit"]), {"version": submission.version}
        ).status_code
        == 302
    )  # noqa: E501
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    return submission


# Who may open what


@pytest.mark.parametrize("username", WHOLE + DIVISION + OUTSIDERS)
def test_a_division_submission_is_read_by_the_agency_and_the_division(login, lalu_lintas, username: str) -> None:  # type: ignore[no-untyped-def]
    status = _client(login, username).get(reverse("collection-submission", args=[lalu_lintas.pk])).status_code
    assert status == (404 if username in OUTSIDERS else 200)


@pytest.mark.parametrize(("username", "status"), [("kabid", 403), ("kasie", 403), ("staf", 403), ("kadis", 200)])
def test_another_divisions_submission_is_closed_to_this_division(login, angkutan, username: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert _client(login, username).get(reverse("collection-submission", args=[angkutan.pk])).status_code == status


@pytest.mark.parametrize("username", WHOLE + DIVISION + OUTSIDERS)
def test_the_period_board_and_list_are_for_those_who_read_the_whole_agency(
    login, opened, dishub, username: str
) -> None:  # type: ignore[no-untyped-def]
    client = _client(login, username)
    expected = 404 if username in OUTSIDERS else 200 if username in WHOLE else 403
    assert client.get(reverse("collection-period", args=[opened.period.pk])).status_code == expected
    assert client.get(reverse("collection-periods", args=[dishub.pk])).status_code == expected


@pytest.mark.parametrize("username", WHOLE + DIVISION + OUTSIDERS)
def test_everyone_has_an_inbox(login, opened, username: str) -> None:  # type: ignore[no-untyped-def]
    assert _client(login, username).get(reverse("collection-inbox")).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    for url in (reverse("collection-inbox"), reverse("collection-submission", args=[lalu_lintas.pk])):
        assert "/login/" in client.get(url)["Location"]


@pytest.mark.parametrize("username", ["kadis", "kabid", "staf", "inspektorat"])
def test_only_the_planning_head_opens_a_period(login, dishub, username: str) -> None:  # type: ignore[no-untyped-def]
    response = _client(login, username).post(
        reverse("collection-periods", args=[dishub.pk]), {"year": "2026", "quarter": "3"}
    )  # noqa: E501
    assert response.status_code == 403
    assert not dishub.periods.exists()


def test_the_planning_head_opens_a_period_and_lands_on_its_board(login, dishub) -> None:  # type: ignore[no-untyped-def]
    client = _client(login, "perencanaan")
    response = client.post(
        reverse("collection-periods", args=[dishub.pk]), {"year": "2026", "quarter": "3", "due_on": ""}
    )  # noqa: E501
    period = dishub.periods.get()
    assert response["Location"] == reverse("collection-period", args=[period.pk])
    assert str(period.due_on) == "2026-10-12"  # the 10th was a Saturday
    page = client.get(response["Location"]).content.decode()
    assert "Bidang Lalu Lintas" in page and "Bidang Angkutan" in page
    again = client.post(reverse("collection-periods", args=[dishub.pk]), {"year": "2026", "quarter": "3"})
    assert again.status_code == 200 and "already open" in again.content.decode()


@pytest.mark.parametrize(
    ("year", "due_on", "message"),
    [
        ("20x6", "", "Choose the year."),
        ("2026", "12/10/2026", "Write the date as a date"),
        ("2019", "", "No strategic plan"),
    ],
)  # noqa: E501
def test_bad_period_input_is_named_on_its_field(login, dishub, year: str, due_on: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = _client(login, "perencanaan").post(
        reverse("collection-periods", args=[dishub.pk]), {"year": year, "quarter": "3", "due_on": due_on}
    )  # noqa: E501
    assert response.status_code == 200 and message in response.content.decode()
    assert not dishub.periods.exists()


# Entering data


def _line_form(submission: Submission, **values: str) -> dict[str, str]:
    form: dict[str, str] = {}
    for line in submission.lines.all():
        form[f"l{line.indicator_id}-version"] = str(line.version)
        form[f"l{line.indicator_id}-value"] = values.get(line.indicator.code, input_number(line.value))
    return form


@pytest.mark.parametrize(
    ("username", "status"), [("staf", 302), ("kasie", 302), ("kabid", 403), ("perencanaan", 403), ("inspektorat", 403)]
)  # noqa: E501
def test_only_the_divisions_preparers_save_the_draft(login, lalu_lintas, username: str, status: int) -> None:  # type: ignore[no-untyped-def]
    line = lalu_lintas.lines.select_related("indicator").exclude(indicator__scale="qualitative").first()
    form = _line_form(lalu_lintas, **{line.indicator.code: "80"})
    assert (
        _client(login, username).post(reverse("collection-submission", args=[lalu_lintas.pk]), form).status_code
        == status
    )  # noqa: E501
    line.refresh_from_db()
    assert (line.value == Decimal(80)) == (status == 302)


def test_a_value_that_is_no_number_is_named_and_nothing_is_saved(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    lines = list(lalu_lintas.lines.select_related("indicator").exclude(indicator__scale="qualitative")[:2])
    form = _line_form(lalu_lintas, **{lines[0].indicator.code: "8", lines[1].indicator.code: "tujuh"})
    response = _client(login, "staf").post(reverse("collection-submission", args=[lalu_lintas.pk]), form)
    assert response.status_code == 200
    assert "“tujuh” is not a number" in response.content.decode() or "not a number" in response.content.decode()
    lines[0].refresh_from_db()
    assert lines[0].value != Decimal(8)


def test_a_stale_form_is_refused_and_shows_both_values(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    line = lalu_lintas.lines.select_related("indicator").exclude(indicator__scale="qualitative").first()
    stale = _line_form(lalu_lintas, **{line.indicator.code: "86"})
    assert (
        _client(login, "kasie")
        .post(
            reverse("collection-submission", args=[lalu_lintas.pk]),
            _line_form(lalu_lintas, **{line.indicator.code: "85"}),
        )
        .status_code
        == 302
    )  # noqa: E501
    response = _client(login, "staf").post(reverse("collection-submission", args=[lalu_lintas.pk]), stale)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Saved meanwhile by kasie" in page and 'value="86"' in page  # theirs shown, the user's input kept
    line.refresh_from_db()
    assert line.value == Decimal(85)


def test_the_achievement_follows_what_is_typed(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    line = lalu_lintas.lines.select_related("indicator").exclude(indicator__scale="qualitative").first()
    url = reverse("collection-preview", args=[lalu_lintas.pk])
    client = _client(login, "staf")
    good = client.get(url, {"indicator": line.indicator_id, f"l{line.indicator_id}-value": "12,5"})
    assert good.status_code == 200 and "%" in good.content.decode()
    bad = client.get(url, {"indicator": line.indicator_id, f"l{line.indicator_id}-value": "1.234"})
    assert "ambiguous" in bad.content.decode() or "1.234" in bad.content.decode()
    assert _client(login, "admin.kominfo").get(url, {"indicator": line.indicator_id}).status_code == 404


# The loop


def test_submit_review_return_resubmit_approve_verify(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    submission = _submitted(login, lalu_lintas)
    line = submission.lines.select_related("indicator").exclude(indicator__scale="qualitative").first()
    kabid = _client(login, "kabid")
    url = lambda action: reverse("collection-transition", args=[submission.pk, action])  # noqa: E731
    # A return without a note is refused; with one, the remark lands on its indicator.
    kabid.post(url("return"), {"version": submission.version, "note": " "})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    kabid.post(
        url("return"),
        {
            "version": submission.version,
            "note": "Periksa angka",
            f"remark-{line.indicator_id}": "Angka ini tidak sesuai laporan",
        },
    )  # noqa: E501
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED and submission.returns == 1
    page = _client(login, "staf").get(reverse("collection-submission", args=[submission.pk])).content.decode()
    assert "Periksa angka" in page and "Angka ini tidak sesuai laporan" in page
    staf = _client(login, "staf")
    assert (
        staf.post(
            reverse("collection-submission", args=[submission.pk]),
            _line_form(submission, **{line.indicator.code: "90"}),
        ).status_code
        == 302
    )  # noqa: E501
    submission.refresh_from_db()
    staf.post(url("submit"), {"version": submission.version})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and submission.round == 2
    kabid.post(url("approve"), {"version": submission.version})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    # The division head cannot verify; the planning head can.
    assert kabid.post(url("verify"), {"version": submission.version}).status_code in (302, 403)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    _client(login, "perencanaan").post(url("verify"), {"version": submission.version})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VERIFIED
    assert Realization.objects.get(indicator=line.indicator, year=2026, quarter=3).value == Decimal(90)
    decisions = list(submission.reviews.values_list("decision", flat=True))
    assert decisions == ["submitted", "returned", "submitted", "approved", "verified"]


def test_submitting_twice_is_one_transition(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    _attach_all(staff, lalu_lintas)
    url = reverse("collection-transition", args=[lalu_lintas.pk, "submit"])
    first = staff.post(url, {"version": lalu_lintas.version})
    second = staff.post(url, {"version": lalu_lintas.version})
    assert first.status_code == second.status_code == 302
    assert lalu_lintas.reviews.filter(decision=Review.Decision.SUBMITTED).count() == 1


def test_an_incomplete_submission_names_the_indicators(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    response = _client(login, "staf").post(
        reverse("collection-transition", args=[lalu_lintas.pk, "submit"]), {"version": lalu_lintas.version}
    )  # noqa: E501
    assert response.status_code == 400
    assert "Attach the evidence" in response.content.decode()
    lalu_lintas.refresh_from_db()
    assert lalu_lintas.status == Submission.Status.DRAFT


@pytest.mark.parametrize("username", ["staf", "kasie", "kadis", "inspektorat", "perencanaan"])
def test_only_the_awaited_reviewer_approves(login, lalu_lintas, username: str) -> None:  # type: ignore[no-untyped-def]
    submission = _submitted(login, lalu_lintas)
    response = _client(login, username).post(
        reverse("collection-transition", args=[submission.pk, "approve"]), {"version": submission.version}
    )  # noqa: E501
    assert response.status_code in (302, 403)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_an_unknown_action_is_404(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    assert (
        _client(login, "staf")
        .post(reverse("collection-transition", args=[lalu_lintas.pk, "delete"]), {"version": 1})
        .status_code
        == 404
    )  # noqa: E501


# Evidence


def test_evidence_is_downloaded_as_an_attachment_that_is_never_rendered(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    _attach_all(staff, lalu_lintas)
    evidence = Evidence.objects.filter(line__submission=lalu_lintas).first()
    response = _client(login, "kabid").get(reverse("collection-evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert _client(login, "admin.kominfo").get(reverse("collection-evidence", args=[evidence.pk])).status_code == 404
    # Another division's people cannot read it either.
    assert _client(login, "kabid").get(reverse("collection-evidence", args=[evidence.pk])).status_code == 200


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("foto.png", b"<?php system($_GET['c']); ?>", "PDF, JPEG, PNG, XLSX or DOCX"),
        ("laporan.pdf", b"<html><script>alert(1)</script></html>", "PDF, JPEG, PNG, XLSX or DOCX"),
        ("kosong.pdf", b"", "empty"),
    ],
)
def test_a_bad_evidence_file_is_refused_with_a_message(
    login, lalu_lintas, name: str, data: bytes, message: str
) -> None:  # type: ignore[no-untyped-def]
    line = lalu_lintas.lines.first()
    response = _client(login, "staf").post(
        reverse("collection-evidence-add", args=[line.pk]), {"file": SimpleUploadedFile(name, data)}, follow=True
    )
    assert message in response.content.decode()
    assert not Evidence.objects.filter(line=line).exists()


def test_only_preparers_upload_evidence(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    line = lalu_lintas.lines.first()
    response = _client(login, "kabid").post(
        reverse("collection-evidence-add", args=[line.pk]), {"file": SimpleUploadedFile("b.pdf", PDF)}, follow=True
    )
    assert response.status_code in (200, 403)
    assert not Evidence.objects.filter(line=line).exists()


# Every collection URL is covered above


def test_every_collection_page_is_in_this_file() -> None:
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str) and name.startswith("collection-")}
    covered = {
        "collection-inbox", "collection-inbox-read", "collection-period-due-date", "collection-period-close", "collection-settings", "collection-email", "collection-periods", "collection-period",
        "collection-submission", "collection-preview", "collection-transition", "collection-evidence-add",
        "collection-evidence", "collection-evidence-remove",
        # The offline form: its permissions and round trip are in test_excel.py.
        "collection-excel", "collection-excel-upload", "collection-excel-confirm",
    }  # fmt: skip
    assert names <= covered, names - covered


def test_the_inbox_lists_what_waits_and_marks_notices_read(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    staff = _client(login, "staf")
    page = staff.get(reverse("collection-inbox")).content.decode()
    assert reverse("collection-submission", args=[lalu_lintas.pk]) in page
    assert "Data requested" in page
    staff.post(reverse("collection-inbox-read"))
    assert "Data requested" not in staff.get(reverse("collection-inbox")).content.decode()
    staff.post(reverse("collection-email"), {"daily_digest": "on"})
    assert 'name="daily_digest" checked' in staff.get(reverse("collection-inbox")).content.decode()


def test_removing_evidence_after_a_return_needs_a_reason(login, lalu_lintas) -> None:  # type: ignore[no-untyped-def]
    submission = _submitted(login, lalu_lintas)
    _client(login, "kabid").post(
        reverse("collection-transition", args=[submission.pk, "return"]),
        {"version": submission.version, "note": "Ganti bukti"},
    )  # noqa: E501
    evidence = Evidence.objects.filter(line__submission=submission).first()
    url = reverse("collection-evidence-remove", args=[evidence.pk])
    assert _client(login, "kabid").post(url, {"reason": "x"}).status_code == 403
    _client(login, "staf").post(url, {"reason": ""})
    evidence.refresh_from_db()
    assert evidence.removed_at is None
    _client(login, "staf").post(url, {"reason": "Salah unggah"})
    evidence.refresh_from_db()
    assert evidence.removed_at is not None and evidence.removal_reason == "Salah unggah"


@pytest.mark.parametrize("username", ["kadis", "kabid", "staf", "inspektorat", "admin.kominfo"])
def test_only_the_planning_head_changes_or_closes_a_period(login, opened, username: str) -> None:  # type: ignore[no-untyped-def]
    period = opened.period
    client = _client(login, username)
    due = client.post(
        reverse("collection-period-due-date", args=[period.pk]), {"due_on": "2026-10-30", "version": period.version}
    )  # noqa: E501
    close = client.post(reverse("collection-period-close", args=[period.pk]), {"version": period.version})
    assert due.status_code == close.status_code == (404 if username == "admin.kominfo" else 403)
    period.refresh_from_db()
    assert period.status == "open" and str(period.due_on) == "2026-10-12"


def test_the_planning_head_moves_the_due_date_then_closes(login, opened) -> None:  # type: ignore[no-untyped-def]
    period = opened.period
    client = _client(login, "perencanaan")
    bad = client.post(
        reverse("collection-period-due-date", args=[period.pk]),
        {"due_on": "30/10/2026", "version": period.version},
        follow=True,
    )  # noqa: E501
    assert "Write the date as a date" in bad.content.decode()
    client.post(
        reverse("collection-period-due-date", args=[period.pk]), {"due_on": "2026-10-30", "version": period.version}
    )  # noqa: E501
    period.refresh_from_db()
    assert str(period.due_on) == "2026-10-30"
    stale = client.post(
        reverse("collection-period-close", args=[period.pk]), {"version": period.version - 1}, follow=True
    )  # noqa: E501
    assert "Someone else changed this record" in stale.content.decode()
    client.post(reverse("collection-period-close", args=[period.pk]), {"version": period.version})
    period.refresh_from_db()
    assert period.status == "closed"
    assert "This period is closed." in client.get(reverse("collection-period", args=[period.pk])).content.decode()


@pytest.mark.parametrize(
    ("username", "status"),
    [("perencanaan", 200), ("kadis", 403), ("kabid", 403), ("staf", 403), ("inspektorat", 403), ("admin.kominfo", 404)],
)  # noqa: E501
def test_the_collection_settings_are_the_planning_heads(login, dishub, username: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = _client(login, username)
    url = reverse("collection-settings", args=[dishub.pk])
    assert client.get(url).status_code == status
    form = {
        "version": "0",
        "due_day": "15",
        "remind_days_before": "2",
        "escalate_after_days": "4",
        "evidence_max_mb": "5",
    }  # noqa: E501
    response = client.post(url, form)
    assert response.status_code == (302 if status == 200 else status)
    from kinerja.collection.models import CollectionSettings

    stored = CollectionSettings.objects.filter(agency=dishub).first()
    if status == 200:
        assert (stored.due_day, stored.evidence_required, stored.evidence_max_mb) == (15, False, 5)
        assert client.post(url, form).status_code == 200  # the same form again is stale: version 0 is gone
    else:
        assert stored is None


def test_a_bad_setting_is_named_and_the_due_day_moves_the_default_due_date(login, dishub) -> None:  # type: ignore[no-untyped-def]
    client = _client(login, "perencanaan")
    url = reverse("collection-settings", args=[dishub.pk])
    bad = client.post(
        url,
        {
            "version": "0",
            "due_day": "31",
            "remind_days_before": "2",
            "escalate_after_days": "3",
            "evidence_max_mb": "10",
        },
    )  # noqa: E501
    assert bad.status_code == 200 and "due_day" in bad.context["form"].errors
    client.post(
        url,
        {
            "version": "0",
            "due_day": "15",
            "remind_days_before": "2",
            "escalate_after_days": "3",
            "evidence_max_mb": "10",
            "evidence_required": "on",
        },
    )  # noqa: E501
    client.post(url, {"form": "holiday", "day": "2026-10-15", "name": "Hari jadi kabupaten"})
    client.post(reverse("collection-periods", args=[dishub.pk]), {"year": "2026", "quarter": "3"})
    assert str(dishub.periods.get().due_on) == "2026-10-16"  # the 15th is a local holiday
