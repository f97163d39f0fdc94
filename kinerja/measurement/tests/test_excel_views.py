from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kinerja.measurement.excel.pending import SESSION_KEY
from kinerja.measurement.models import Realization
from kinerja.measurement.tests.excel_records import indicator_row, table, workbook
from kinerja.org.models import Agency
from kinerja.planning.models import Indicator, Scale

pytestmark = pytest.mark.django_db

RoleClient = Callable[[str], Client]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REALIZATION_HEADER = ["Tahun", "Triwulan", "Kode Indikator", "Realisasi"]


@pytest.fixture
def planner(role_client: RoleClient) -> Client:
    """The planning head, reading the pages in English, the language their messages are written in."""
    client = role_client("planning_head")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:  # noqa: F811 - pytest-django's settings fixture
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(media: Path) -> list[str]:
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _urls(agency: Agency) -> dict[str, tuple[str, str]]:
    return {
        "template": ("get", reverse("measurement-excel-template", args=[agency.pk, "plan"])),
        "import": ("get", reverse("measurement-excel-import", args=[agency.pk])),
        "upload": ("post", reverse("measurement-excel-import", args=[agency.pk])),
        "confirm": ("post", reverse("measurement-excel-import-confirm", args=[agency.pk])),
    }


def _upload(client: Client, agency: Agency, data: bytes, name: str = "kinerja.xlsx") -> Any:
    return client.post(
        reverse("measurement-excel-import", args=[agency.pk]), {"file": SimpleUploadedFile(name, data, XLSX)}
    )


def _confirm(client: Client, agency: Agency, token: str, **extra: str) -> Any:
    return client.post(reverse("measurement-excel-import-confirm", args=[agency.pk]), {"token": token, **extra})


def _q4_realization(agency: Agency) -> tuple[Indicator, bytes]:
    """A numeric demo indicator and a workbook that reports its 2026 fourth quarter, not reported yet."""
    indicator = Indicator.objects.filter(agency=agency, plan__end_year=2026).exclude(scale=Scale.QUALITATIVE).first()
    assert indicator is not None
    rows = [{"Tahun": 2026, "Triwulan": "IV", "Kode Indikator": indicator.code, "Realisasi": "12,5"}]
    return indicator, workbook({"Realisasi": table(REALIZATION_HEADER, rows)})


# Who may do what


@pytest.mark.parametrize(
    ("role", "status"),
    [("planning_head", 200), ("head", 200), ("secretary", 200), ("evaluator", 200), ("division_head", 403),
     ("section_head", 403), ("staff", 403)],
)  # fmt: skip
def test_the_export_is_for_those_who_read_the_whole_agency(
    role_client: RoleClient, dishub: Agency, role: str, status: int
) -> None:
    response = role_client(role).get(reverse("measurement-excel-export", args=[dishub.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"] == 'attachment; filename="kinerja-Dishub-lengkap.xlsx"'


@pytest.mark.parametrize("role", ["head", "secretary", "division_head", "section_head", "staff", "evaluator", "admin"])
@pytest.mark.parametrize("view", ["template", "import", "upload", "confirm"])
def test_only_the_planning_head_imports_and_gets_templates(
    role_client: RoleClient, dishub: Agency, role: str, view: str
) -> None:
    method, url = _urls(dishub)[view]
    assert getattr(role_client(role), method)(url).status_code == 403


@pytest.mark.parametrize("view", ["template", "import", "upload", "confirm"])
def test_the_planning_head_reaches_every_view(role_client: RoleClient, dishub: Agency, view: str) -> None:
    method, url = _urls(dishub)[view]
    response = getattr(role_client("planning_head"), method)(url)
    assert response.status_code == (302 if view == "confirm" else 200)  # a confirmation without upload goes back


@pytest.mark.parametrize("view", ["export", "template", "import", "upload", "confirm"])
def test_another_agencys_users_get_404(login: Callable[[str], Client], dishub: Agency, view: str) -> None:
    urls = {**_urls(dishub), "export": ("get", reverse("measurement-excel-export", args=[dishub.pk]))}
    method, url = urls[view]
    for username in ("admin.kominfo", "kadis.kominfo"):
        assert getattr(login(username), method)(url).status_code == 404


@pytest.mark.parametrize("view", ["export", "template", "import", "upload", "confirm"])
def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, dishub: Agency, view: str) -> None:
    urls = {**_urls(dishub), "export": ("get", reverse("measurement-excel-export", args=[dishub.pk]))}
    method, url = urls[view]
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("web-login"))


def test_templates_download_and_unknown_ones_are_404(role_client: RoleClient, dishub: Agency) -> None:
    client = role_client("planning_head")
    for kind in ("plan", "targets", "realizations", "budget"):
        response = client.get(reverse("measurement-excel-template", args=[dishub.pk, kind]), {"year": "2025"})
        assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert client.get(reverse("measurement-excel-template", args=[dishub.pk, "everything"])).status_code == 404
    assert client.get(reverse("measurement-excel-export", args=[dishub.pk]), {"year": "20x5"}).status_code == 400


def test_the_import_page_links_the_templates(role_client: RoleClient, dishub: Agency) -> None:
    page = role_client("planning_head").get(reverse("measurement-excel-import", args=[dishub.pk])).content.decode()
    assert reverse("measurement-excel-template", args=[dishub.pk, "realizations"]) in page
    assert reverse("measurement-excel-export", args=[dishub.pk]) in page


# Upload, preview, confirm


def test_a_previewed_workbook_is_applied_on_confirmation(planner: Client, dishub: Agency, media: Path) -> None:
    client = planner
    indicator, data = _q4_realization(dishub)
    response = _upload(client, dishub, data)
    assert response.status_code == 200
    assert response.context["result"].changes == 1 and response.context["result"].errors == []
    assert "row 2: " in response.content.decode()
    token = client.session[SESSION_KEY]["token"]
    assert _stored(media) == [f"{token}.xlsx"]
    assert not Realization.objects.filter(indicator=indicator, year=2026, quarter=4).exists()
    response = _confirm(client, dishub, token)
    assert response.status_code == 302 and response["Location"] == reverse("measurement-excel-import", args=[dishub.pk])
    assert Realization.objects.get(indicator=indicator, year=2026, quarter=4).value == Decimal("12.5")
    assert _stored(media) == [] and SESSION_KEY not in client.session
    assert _confirm(client, dishub, token).status_code == 302  # a second confirmation finds nothing to apply
    assert Realization.objects.filter(indicator=indicator, year=2026, quarter=4).count() == 1


def test_a_workbook_with_errors_lists_them_and_offers_no_confirmation(
    planner: Client, dishub: Agency, media: Path
) -> None:
    client = planner
    indicator, _data = _q4_realization(dishub)
    rows = [{"Tahun": 2026, "Triwulan": 5, "Kode Indikator": indicator.code, "Realisasi": 1},
            {"Tahun": 2026, "Triwulan": 4, "Kode Indikator": indicator.code, "Realisasi": "abc"},
            {"Tahun": 2026, "Triwulan": 4, "Kode Indikator": "NOPE", "Realisasi": 1}]  # fmt: skip
    response = _upload(client, dishub, workbook({"Realisasi": table(REALIZATION_HEADER, rows)}))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["form"] is None
    assert "Sheet Realisasi, row 2, column Triwulan: “5” is not a quarter" in page
    assert "Sheet Realisasi, row 3, column Realisasi: “abc” is not a number" in page
    assert "Sheet Realisasi, row 4, column Kode Indikator: no indicator of the strategic plan" in page
    assert reverse("measurement-excel-import-confirm", args=[dishub.pk]) not in page
    assert _stored(media) == []


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("big.xlsx", b"0" * (10 * 1024 * 1024), "The file is larger than 5 MB."),
        ("renamed.xlsx", b"just some text\n", "This file is not an Excel workbook (.xlsx)."),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000),
            "This is an old Excel file (.xls) or a workbook protected by a password.",
        ),
    ],
)
def test_a_file_that_cannot_be_a_workbook_is_refused_before_parsing(
    planner: Client, dishub: Agency, media: Path, name: str, data: bytes, problem: str
) -> None:
    with mock.patch("kinerja.measurement.views.excel.run_import") as run_import:
        response = _upload(planner, dishub, data, name)
    assert response.status_code == 200
    assert problem in response.content.decode()
    run_import.assert_not_called()
    assert _stored(media) == []


def test_warnings_must_be_confirmed(planner: Client, dishub: Agency, media: Path) -> None:
    client = planner
    row = indicator_row(
        "W.1",
        **{"Kode Tujuan": "T9", "Kode Sasaran": "S9", "Skala": "percent", "Satuan": "%", "Agregasi": "cumulative"},
    )
    header = [h for h in row if not h.startswith("Target 20")]
    response = _upload(client, dishub, workbook({"Renstra": table(header, [row])}))
    assert response.context["result"].warnings and response.context["form"] is not None
    token = client.session[SESSION_KEY]["token"]
    response = _confirm(client, dishub, token)
    assert response.status_code == 200
    assert "Tick this box to confirm the warnings" in response.content.decode()
    assert not Indicator.objects.filter(agency=dishub, code="W.1").exists() and _stored(media) == [f"{token}.xlsx"]
    response = _confirm(client, dishub, token, confirm_warnings="on")
    assert response.status_code == 302
    assert Indicator.objects.get(agency=dishub, code="W.1").aggregation == "cumulative"


def test_a_new_upload_replaces_the_previous_one(role_client: RoleClient, dishub: Agency, media: Path) -> None:
    client = role_client("planning_head")
    _indicator, data = _q4_realization(dishub)
    _upload(client, dishub, data)
    first = client.session[SESSION_KEY]["token"]
    _upload(client, dishub, data)
    second = client.session[SESSION_KEY]["token"]
    assert first != second and _stored(media) == [f"{second}.xlsx"]
    assert _confirm(client, dishub, first).status_code == 302
    assert _stored(media) == [f"{second}.xlsx"]  # the stale token applied nothing


def test_a_stored_file_changed_after_the_preview_is_not_applied(
    role_client: RoleClient, dishub: Agency, media: Path
) -> None:
    client = role_client("planning_head")
    indicator, data = _q4_realization(dishub)
    _upload(client, dishub, data)
    token = client.session[SESSION_KEY]["token"]
    (media / "imports" / f"{token}.xlsx").write_bytes(data + b"\0")
    response = _confirm(client, dishub, token)
    assert response.status_code == 302
    assert not Realization.objects.filter(indicator=indicator, year=2026, quarter=4).exists()


def test_another_planner_cannot_confirm_someone_elses_upload(role_client: RoleClient, dishub: Agency) -> None:
    client = role_client("planning_head")
    indicator, data = _q4_realization(dishub)
    _upload(client, dishub, data)
    token = client.session[SESSION_KEY]["token"]
    assert _confirm(role_client("planning_head"), dishub, token).status_code == 302
    assert not Realization.objects.filter(indicator=indicator, year=2026, quarter=4).exists()
