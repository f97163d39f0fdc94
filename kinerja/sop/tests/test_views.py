"""The SOP pages through the test client: each for a role that may and a role that may not reach it, the
table editor with bad input, publishing, revising, the downloads, the import, cases and tasks."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.accounts.models import User
from kinerja.org.models import Agency, Unit
from kinerja.sop import engine, services
from kinerja.sop.models import Case, Procedure, ProcedureVersion, Schedule, Task
from kinerja.sop.seedfiles import seed_sops
from kinerja.sop.sheets import export_workbook

pytestmark = pytest.mark.django_db
JENEPONTO = "jeneponto-dishub-2020-pengumpulan-data-kinerja"
Login = Callable[[str | User], Client]


def template(slug: str = JENEPONTO) -> Procedure:
    return Procedure.objects.get(agency__isnull=True, slug=slug)


def adopted(dishub: Agency, by: User, slug: str = JENEPONTO) -> ProcedureVersion:
    return services.adopt(template=template(slug), agency=dishub, by=by).versions.get()


def published(dishub: Agency, by: User, slug: str = JENEPONTO) -> ProcedureVersion:
    draft = adopted(dishub, by, slug)
    return services.publish(version=draft, changelog="", expected=draft.version, by=by)


def editor_post(client: Client, version: ProcedureVersion) -> dict[str, object]:
    """The editor's form as the page renders it, read back from the page's own fields."""
    page = client.get(reverse("sop-edit", args=[version.pk]))
    assert page.status_code == 200
    context = page.context
    data: dict[str, object] = {"version": context["form_version"], "title": context["spec"].identity.title,
                               "lane_count": context["lane_count"], "step_count": context["step_count"]}  # fmt: skip
    for i, lane in enumerate(context["lanes"]):
        data[f"lane-{i}-key"], data[f"lane-{i}-label"], data[f"lane-{i}-role"] = (
            lane["key"],
            lane["label"],
            lane["role"],
        )
    for i, row in enumerate(context["steps"]):
        s = row["step"]
        data.update({
            f"step-{i}-text": s.text, f"step-{i}-symbol": s.symbol.value, f"step-{i}-lanes": s.lanes,
            f"step-{i}-inputs": row["inputs"], f"step-{i}-time": row["time"], f"step-{i}-outputs": row["outputs"],
            f"step-{i}-notes": s.notes, f"step-{i}-next": s.next or "", f"step-{i}-yes": s.yes or "",
            f"step-{i}-no": s.no or "", f"step-{i}-action": s.action,
        })  # fmt: skip
    return data


def test_library_lists_the_six_templates_for_the_planning_head_only(
    login: Login, dishub: Agency, perencanaan: User
) -> None:
    page = login(perencanaan).get(reverse("sop-library"), {"agency": dishub.pk})
    assert page.status_code == 200
    titles = [t.title for t in page.context["templates"]]
    assert len(titles) == 6 and titles.count("Pengumpulan Data Kinerja") == 2
    staff_page = login("staf").get(reverse("sop-library"), {"agency": dishub.pk})
    assert staff_page.status_code == 200 and staff_page.context["templates"] == []
    assert login("admin.kominfo").get(reverse("sop-library"), {"agency": dishub.pk}).status_code == 404


def test_template_document_shows_every_step_and_flags_inferred_performers(login: Login, perencanaan: User) -> None:
    version = template().versions.get()
    page = login(perencanaan).get(reverse("sop-version", args=[version.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("<svg") >= 1 and "Memeriksa laporan kinerja" in body
    assert "inferred" in body or "disimpulkan" in body
    assert login("staf").get(reverse("sop-version", args=[version.pk])).status_code == 404


def test_adopt_is_for_keepers_of_the_agency(login: Login, dishub: Agency, perencanaan: User) -> None:
    url = reverse("sop-adopt", args=[template().pk])
    assert login("staf").post(url, {"agency": dishub.pk}).status_code == 404
    response = login(perencanaan).post(url, {"agency": dishub.pk})
    procedure = Procedure.objects.get(agency=dishub, template=template())
    assert response.status_code == 302 and response["Location"] == reverse(
        "sop-edit", args=[procedure.versions.get().pk]
    )
    version = procedure.versions.get()
    assert version.government == dishub.local_government.name and version.approver_name


def test_editor_saves_refuses_bad_time_and_missing_step_and_publishes(
    login: Login, dishub: Agency, perencanaan: User
) -> None:
    client = login(perencanaan)
    draft = adopted(dishub, perencanaan)
    data = editor_post(client, draft)
    data["step-2-time"] = "sebentar"
    response = client.post(reverse("sop-edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "sebentar" in response.content.decode()
    data["step-2-time"] = "2 hari"
    data["step-4-no"] = "9"
    response = client.post(reverse("sop-edit", args=[draft.pk]), data)
    assert response.status_code == 400 and "9" in response.content.decode()
    data["step-4-no"] = "4"
    data["step-1-lanes"] = ["kabid", "kasubag_perencanaan"]  # a joint step
    response = client.post(reverse("sop-edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.steps.get(number=3).time_text == "2 Hari"
    assert draft.steps.get(number=2).lanes.count() == 2
    stale = client.post(reverse("sop-edit", args=[draft.pk]), data)  # the form's version is old now
    assert stale.status_code == 400
    assert login("staf").get(reverse("sop-edit", args=[draft.pk])).status_code == 403
    response = client.post(reverse("sop-publish", args=[draft.pk]), {"version": draft.version, "changelog": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProcedureVersion.Status.PUBLISHED
    # a published version is not edited: the editor sends to the SOP page, which offers a revision
    response = client.get(reverse("sop-edit", args=[draft.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert reverse("sop-revise", args=[draft.procedure_id]) in page.content.decode()


def test_downloads_of_a_published_sop(login: Login, dishub: Agency, perencanaan: User) -> None:
    version = published(dishub, perencanaan)
    client = login("staf")  # every reader of the agency reads its SOPs in force
    pdf = client.get(reverse("sop-download", args=[version.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("sop-download", args=[version.pk, "docx"]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    xlsx = client.get(reverse("sop-download", args=[version.pk, "xlsx"]))
    assert load_workbook(BytesIO(xlsx.content)).sheetnames[0] == "SOP"
    bpmn = client.get(reverse("sop-download", args=[version.pk, "bpmn"]))
    assert b"bpmn" in bpmn.content[:400]
    assert client.get(reverse("sop-download", args=[version.pk, "exe"])).status_code == 404
    assert login("admin.kominfo").get(reverse("sop-download", args=[version.pk, "pdf"])).status_code == 404
    book = client.get(reverse("sop-book"), {"agency": dishub.pk})
    assert book.status_code == 200 and book.content.startswith(b"%PDF")


def test_import_creates_a_draft_and_refuses_a_broken_sheet(login: Login, dishub: Agency, perencanaan: User) -> None:
    client = login(perencanaan)
    good = export_workbook(seed_sops()[2].spec)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("sop-import") + f"?agency={dishub.pk}",
                           {"file": SimpleUploadedFile("monev.xlsx", good)})  # fmt: skip
    assert response.status_code == 302
    imported = Procedure.objects.filter(agency=dishub).latest("pk")
    assert imported.versions.get().steps.count() == 13
    response = client.post(reverse("sop-import") + f"?agency={dishub.pk}",
                           {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})  # fmt: skip
    assert response.status_code == 200 and response.context["errors"]
    assert login("staf").get(reverse("sop-import"), {"agency": dishub.pk}).status_code == 404


def test_start_a_case_then_the_performer_completes_the_task(
    login: Login, dishub: Agency, perencanaan: User, kabid: User
) -> None:
    version = published(dishub, perencanaan)
    unit = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    url = reverse("sop-start", args=[version.procedure_id])
    assert login("staf").post(url, {"label": "x", "unit": unit.pk}).status_code == 403
    response = login(perencanaan).post(url, {"label": "Triwulan IV 2026", "unit": unit.pk,
                                             "variant": "laporan triwulan"})  # fmt: skip
    case = Case.objects.get(procedure_version=version)
    assert response["Location"] == reverse("sop-case", args=[case.pk])
    task = Task.objects.get(case=case)
    assert task.assignee_user == kabid
    assert login("staf").get(reverse("sop-tasks")).context["tasks"] == []
    client = login(kabid)
    assert [t.pk for t in client.get(reverse("sop-tasks")).context["tasks"]] == [task.pk]
    page = client.get(reverse("sop-task", args=[task.pk]))
    assert page.status_code == 200
    task.refresh_from_db()
    assert task.opened_at is not None
    refused = client.post(reverse("sop-task", args=[task.pk]), {"do": "complete", "version": task.version})
    assert refused.status_code == 400  # the output Disposisi is not attached yet
    client.post(reverse("sop-task", args=[task.pk]), {"do": "output", "name": "Disposisi", "reference": "12/VII"})
    done = client.post(reverse("sop-task", args=[task.pk]), {"do": "complete", "version": task.version})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert login("staf").post(reverse("sop-task", args=[task.pk]), {"do": "complete"}).status_code == 403
    assert login("admin.kominfo").get(reverse("sop-task", args=[task.pk])).status_code == 404
    assert login("staf").get(reverse("sop-case", args=[case.pk])).status_code == 200
    assert login("admin.kominfo").get(reverse("sop-case", args=[case.pk])).status_code == 404
    assert login("staf").post(reverse("sop-cancel", args=[case.pk]), {"reason": "x"}).status_code == 403


def test_settings_page_for_keepers(login: Login, dishub: Agency, perencanaan: User) -> None:
    client = login(perencanaan)
    page = client.get(reverse("sop-settings"), {"agency": dishub.pk})
    assert page.status_code == 200
    response = client.post(
        reverse("sop-settings"),
        {
            "agency": dishub.pk,
            "time_zone": "WIB",
            "page_size": "F4",
            "minutes_per_day": "450",
            "version": page.context["current"].version,
        },
    )
    assert response.status_code == 302
    bad = client.post(reverse("sop-settings"), {"agency": dishub.pk, "time_zone": "GMT", "page_size": "F4",
                                                "minutes_per_day": "450", "version": 2})  # fmt: skip
    assert bad.status_code == 200 and bad.context["errors"]
    assert login("staf").get(reverse("sop-settings"), {"agency": dishub.pk}).status_code == 404


def test_case_started_by_tick_is_idempotent(dishub: Agency, perencanaan: User) -> None:
    version = published(dishub, perencanaan)
    services.save_schedule(procedure=version.procedure, by=perencanaan, values={"kind": "quarterly", "day": 10})
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 10, 12, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    assert len(engine.run_schedules(now=now)) == 1
    assert engine.run_schedules(now=now) == []
    assert engine.run_schedules(now=datetime(2026, 11, 12, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))) == []


def test_keeper_actions_are_refused_to_other_roles(login: Login, dishub: Agency, perencanaan: User) -> None:
    version = published(dishub, perencanaan)
    procedure = version.procedure
    staf, outsider = login("staf"), login("admin.kominfo")
    assert staf.post(reverse("sop-revise", args=[procedure.pk])).status_code == 403
    assert outsider.post(reverse("sop-revise", args=[procedure.pk])).status_code == 404
    assert staf.post(reverse("sop-schedule", args=[procedure.pk]), {"kind": "quarterly"}).status_code == 403
    revision = services.start_revision(procedure=procedure, by=perencanaan)
    assert staf.post(reverse("sop-publish", args=[revision.pk]), {"version": revision.version}).status_code == 403
    assert staf.post(reverse("sop-discard", args=[revision.pk])).status_code == 403
    assert outsider.post(reverse("sop-discard", args=[revision.pk])).status_code == 404
    assert outsider.get(reverse("sop-procedure", args=[procedure.pk])).status_code == 404
    assert outsider.get(reverse("sop-book"), {"agency": dishub.pk}).status_code == 404
    assert outsider.get(reverse("sop-cases"), {"agency": dishub.pk}).status_code == 404
    assert ProcedureVersion.objects.filter(pk=revision.pk, status=ProcedureVersion.Status.DRAFT).exists()


def test_bad_numbers_in_forms_are_refused_not_failed(login: Login, dishub: Agency, perencanaan: User) -> None:
    client = login(perencanaan)
    version = published(dishub, perencanaan)
    response = client.post(reverse("sop-schedule", args=[version.procedure_id]), {"kind": "quarterly", "day": "x"})
    assert response.status_code == 302
    assert not Schedule.objects.filter(procedure_id=version.procedure_id).exists()
    draft = services.start_revision(procedure=version.procedure, by=perencanaan)
    data = editor_post(client, draft)
    data["version"] = "abc"
    assert client.post(reverse("sop-edit", args=[draft.pk]), data).status_code == 400
    data["version"] = draft.version
    data["doc_number"] = "9" * 101
    assert client.post(reverse("sop-edit", args=[draft.pk]), data).status_code == 400
    assert client.post(reverse("sop-publish", args=[draft.pk]), {"version": "abc"}).status_code == 302


def test_task_output_files_are_for_readers_of_the_agency(
    login: Login,
    dishub: Agency,
    perencanaan: User,
    kabid: User,
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    version = published(dishub, perencanaan)
    unit = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    case = engine.start_case(version=version, unit=unit, subject_label="Uji", year=2026, by=perencanaan)
    task = Task.objects.get(case=case)
    pdf = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
    output = engine.add_output(task=task, name="Disposisi", data=pdf, filename="disposisi.pdf", by=kabid)
    url = reverse("sop-task-output", args=[task.pk, output.pk])
    assert login("staf").get(url).status_code == 200
    assert login("admin.kominfo").get(url).status_code == 404
