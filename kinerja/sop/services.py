"""Keeping SOPs: the library of templates, adopting one, editing a draft, publishing, revising, importing,
schedules and settings. Running them is in `engine`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kinerja.accounts.models import User
from kinerja.audit.services import record_event
from kinerja.lib.errors import ConflictError
from kinerja.org.models import Agency, Position, Role
from kinerja.org.selectors import holder_of_position
from kinerja.sop.models import Lane, Procedure, ProcedureVersion, Schedule, SopSettings, Step
from kinerja.sop.permissions import require_keeper
from kinerja.sop.seedfiles import seed_sops
from kinerja.sop.selectors import version_spec
from kinerja.sop.spec import Identity, ProcedureSpec, durations_text, problems

V = ProcedureVersion.Status


def _identity_fields(identity: Identity) -> dict[str, Any]:
    return {
        "title": identity.title.strip(), "government": identity.government, "agency_name": identity.agency,
        "unit_name": identity.unit, "doc_number": identity.number, "made_on": identity.made_on,
        "revised_on": identity.revised_on, "effective_on": identity.effective_on,
        "approver_title": identity.approver_title, "approver_name": identity.approver_name,
        "approver_rank": identity.approver_rank, "approver_nip": identity.approver_nip,
        "legal_basis": identity.legal_basis, "qualifications": identity.qualifications, "related": identity.related,
        "equipment": identity.equipment, "warnings": identity.warnings, "records": identity.records,
    }  # fmt: skip


def _check_lengths(spec: ProcedureSpec) -> None:
    """Text longer than its column is refused with the field named, never cut short or left to the database."""
    limits = {"title": 300, "government": 200, "agency": 200, "unit": 200, "number": 100, "made_on": 40,
              "revised_on": 40, "effective_on": 40, "approver_title": 200, "approver_name": 200,
              "approver_rank": 100, "approver_nip": 30}  # fmt: skip
    too_long = [name for name, limit in limits.items() if len(getattr(spec.identity, name)) > limit]
    if too_long:
        raise ValidationError(_("Too long: %(fields)s.") % {"fields": ", ".join(too_long)})
    for lane in spec.lanes:
        if len(lane.label) > 200:
            raise ValidationError(_("The performer name “%(label)s…” is too long.") % {"label": lane.label[:40]})
    for step in spec.steps:
        if len(durations_text(step.durations)) > 300 or len(step.question) > 300:
            raise ValidationError(_("Step %(n)s: the time or the question is too long.") % {"n": step.number})
    if len(spec.trigger) > 300:
        raise ValidationError({"trigger": _("“When it starts” is too long.")})


def _write_flow(version: ProcedureVersion, spec: ProcedureSpec, positions: dict[str, int | None]) -> None:
    """Replaces the version's lanes and steps with the spec's (a draft only)."""
    version.steps.all().delete()
    version.lanes.all().delete()
    lanes = {}
    for order, lane in enumerate(spec.lanes, start=1):
        lanes[lane.key] = Lane.objects.create(
            procedure_version=version, order=order, key=lane.key[:60], label=lane.label,
            role=lane.role if lane.role in Role.values else "", position_id=positions.get(lane.key),
        )  # fmt: skip
    for s in spec.steps:
        step = Step.objects.create(
            procedure_version=version, number=s.number, text=s.text, symbol=s.symbol.value,
            inputs=s.inputs, time_text=durations_text(s.durations), outputs=s.outputs, notes=s.notes,
            next_number=s.next, yes_number=s.yes, no_number=s.no, yes_label=s.yes_label or "Ya",
            no_label=s.no_label or "Tidak", question=s.question, action=s.action,
            performer_inferred=s.performer_inferred, performer_confidence=s.performer_confidence,
            performer_reason=s.performer_reason,
        )  # fmt: skip
        step.lanes.set([lanes[key] for key in s.lanes if key in lanes])


def _new_version(
    procedure: Procedure, spec: ProcedureSpec, *, number: int, status: str, by: User | None,
    positions: dict[str, int | None] | None = None, changelog: str = "",
) -> ProcedureVersion:  # fmt: skip
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=number, status=status, trigger=spec.trigger, changelog=changelog,
        created_by=by, **_identity_fields(spec.identity),
    )  # fmt: skip
    _write_flow(version, spec, positions or {})
    return version


def load_library() -> list[Procedure]:
    """Puts the seed SOPs in the library as templates (each with one published version). Running it again
    changes nothing: a template already there is left as it is."""
    loaded = []
    with transaction.atomic():
        for seed in seed_sops():
            if Procedure.objects.filter(agency__isnull=True, slug=seed.slug).exists():
                continue
            source = _("From seed file %(file)s.") % {"file": seed.source_file}
            if seed.quality_issues:
                source += "\n" + "\n".join(f"- {issue}" for issue in seed.quality_issues)
            procedure = Procedure.objects.create(
                agency=None, title=seed.spec.identity.title, slug=seed.slug, source_note=source
            )
            version = _new_version(procedure, seed.spec, number=1, status=V.PUBLISHED, by=None)
            version.published_at = timezone.now()
            version.save(update_fields=["published_at"])
            record_event(action="sop.template.loaded", actor=None, target=procedure, after={"slug": seed.slug})
            loaded.append(procedure)
    return loaded


def _head_of(agency: Agency) -> tuple[str, str, str, str]:
    head = Position.objects.filter(agency=agency, role=Role.HEAD, is_active=True).first()
    holder = holder_of_position(head) if head else None
    if head is None:
        return "", "", "", ""
    if holder is None:
        return head.title, "", "", ""
    title = f"{holder.acting_title} {head.title}" if holder.acting_title else head.title
    return title, holder.employee.name, holder.employee.get_rank_display(), holder.employee.nip


def adopt(*, template: Procedure, agency: Agency, by: User) -> Procedure:
    """Makes a library template the agency's own SOP: a draft with the agency's names and its head as the
    approver, every performer column still to be confirmed against its positions."""
    acting = require_keeper(by, agency)
    if not template.is_template:
        raise ValidationError(_("Only a template of the library can be adopted."))
    source = template.versions.filter(status=V.PUBLISHED).first()
    if source is None:
        raise ValidationError(_("This template has no version in force."))
    spec = version_spec(source)
    title, name, rank, nip = _head_of(agency)
    identity = replace(
        spec.identity, government=agency.local_government.name, agency=agency.name, number="", made_on="",
        revised_on="", effective_on="", approver_title=title, approver_name=name, approver_rank=rank,
        approver_nip=nip,
    )  # fmt: skip
    with transaction.atomic():
        procedure = Procedure.objects.create(
            agency=agency, title=spec.identity.title, template=template, source_note=template.source_note
        )
        _new_version(procedure, replace(spec, identity=identity), number=1, status=V.DRAFT, by=by)
        record_event(
            action="sop.adopted", actor=by, acting_as=acting, agency=agency, target=procedure,
            after={"template": template.slug, "title": procedure.title},
        )  # fmt: skip
    return procedure


def create_from_spec(*, agency: Agency, spec: ProcedureSpec, by: User, source: str) -> Procedure:
    """A new SOP of the agency from an imported sheet: a draft to review before publishing."""
    acting = require_keeper(by, agency)
    _check_lengths(spec)
    with transaction.atomic():
        procedure = Procedure.objects.create(agency=agency, title=spec.identity.title, source_note=source)
        _new_version(procedure, spec, number=1, status=V.DRAFT, by=by)
        record_event(
            action="sop.imported", actor=by, acting_as=acting, agency=agency, target=procedure,
            after={"title": procedure.title, "steps": len(spec.steps), "source": source},
        )  # fmt: skip
    return procedure


def _require_draft(version: ProcedureVersion) -> None:
    if version.status != V.DRAFT:
        raise ValidationError(_("A published version never changes. Start a revision to change this SOP."))


def save_draft(
    *, version: ProcedureVersion, spec: ProcedureSpec, positions: dict[str, int | None], expected: int, by: User
) -> ProcedureVersion:
    """Stores the edited draft as a whole. It may still have problems (they block publishing, not saving),
    but every performer must be a column of the SOP and every chosen position one of the agency's."""
    agency = version.procedure.agency
    acting = require_keeper(by, agency)
    _require_draft(version)
    keys = {lane.key for lane in spec.lanes}
    for step in spec.steps:
        unknown = [key for key in step.lanes if key not in keys]
        if unknown:
            raise ValidationError(_("Step %(n)s names a performer that is not a column.") % {"n": step.number})
    chosen = {pk for pk in positions.values() if pk}
    if chosen and Position.objects.filter(pk__in=chosen, agency=agency).count() != len(chosen):
        raise ValidationError(_("Choose positions of this agency."))
    if not spec.identity.title.strip():
        raise ValidationError({"title": _("The SOP needs a title.")})
    _check_lengths(spec)
    before = {"steps": version.steps.count(), "lanes": version.lanes.count()}
    with transaction.atomic():
        updated = ProcedureVersion.objects.filter(pk=version.pk, version=expected, status=V.DRAFT).update(
            version=expected + 1, trigger=spec.trigger, **_identity_fields(spec.identity)
        )
        if updated != 1:
            raise ConflictError()
        _write_flow(version, spec, positions)
        version.refresh_from_db()
        Procedure.objects.filter(pk=version.procedure_id).update(title=version.title)
        record_event(
            action="sop.draft.saved", actor=by, acting_as=acting, agency=agency, target=version, before=before,
            after={"steps": len(spec.steps), "lanes": len(spec.lanes), "title": version.title},
        )  # fmt: skip
    return version


def _today_text() -> str:
    return date_format(timezone.localdate(), "j F Y")


def publish(*, version: ProcedureVersion, changelog: str, expected: int, by: User) -> ProcedureVersion:
    """Puts a draft in force. It must have no problems; a revision needs its changelog and gets today as
    its Tanggal Revisi. The version in force before it is superseded; running cases keep theirs."""
    agency = version.procedure.agency
    acting = require_keeper(by, agency)
    _require_draft(version)
    changelog = changelog.strip()
    found = problems(version_spec(version))
    if found:
        raise ValidationError(
            [_("Step %(n)s: %(message)s") % {"n": p.step, "message": p.message} if p.step else p.message for p in found]
        )
    if version.number > 1 and not changelog:
        raise ValidationError({"changelog": _("Say what this revision changes.")})
    unconfirmed = [lane.label for lane in version.lanes.all() if not lane.position_id and not lane.role]
    if unconfirmed:
        raise ValidationError(_("Choose a position or a role for: %(lanes)s.") % {"lanes": ", ".join(unconfirmed)})
    with transaction.atomic():
        previous = ProcedureVersion.objects.filter(procedure=version.procedure, status=V.PUBLISHED).first()
        if previous is not None:
            ProcedureVersion.objects.filter(pk=previous.pk).update(status=V.SUPERSEDED, version=previous.version + 1)
        fields: dict[str, Any] = {"status": V.PUBLISHED, "published_at": timezone.now(), "published_by": by,
                                  "changelog": changelog, "version": expected + 1}  # fmt: skip
        if version.number > 1:
            fields["revised_on"] = _today_text()
        if not version.effective_on:
            fields["effective_on"] = _today_text()
        if not version.made_on:
            fields["made_on"] = _today_text()
        updated = ProcedureVersion.objects.filter(pk=version.pk, version=expected, status=V.DRAFT).update(**fields)
        if updated != 1:
            raise ConflictError()
        version.refresh_from_db()
        record_event(
            action="sop.published", actor=by, acting_as=acting, agency=agency, target=version,
            before={"in_force": previous.number if previous else None},
            after={"in_force": version.number, "changelog": changelog},
        )  # fmt: skip
    return version


def start_revision(*, procedure: Procedure, by: User) -> ProcedureVersion:
    """A new draft copied from the version in force, with its performer mapping."""
    acting = require_keeper(by, procedure.agency)
    current = procedure.versions.filter(status=V.PUBLISHED).first()
    if current is None:
        raise ValidationError(_("Only an SOP in force can be revised; edit its draft instead."))
    if procedure.versions.filter(status=V.DRAFT).exists():
        raise ValidationError(_("A revision of this SOP is already being drafted."))
    spec = version_spec(current)
    positions = {lane.key: lane.position_id for lane in current.lanes.all()}
    number = (procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    try:
        with transaction.atomic():
            version = _new_version(procedure, spec, number=number, status=V.DRAFT, by=by, positions=positions)
            record_event(
                action="sop.revision.started", actor=by, acting_as=acting, agency=procedure.agency, target=version,
                after={"from": current.number, "number": number},
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(_("A revision of this SOP is already being drafted.")) from exc
    return version


def discard_draft(*, version: ProcedureVersion, by: User) -> None:
    agency = version.procedure.agency
    acting = require_keeper(by, agency)
    _require_draft(version)
    with transaction.atomic():
        procedure = version.procedure
        record_event(
            action="sop.draft.discarded", actor=by, acting_as=acting, agency=agency, target=procedure,
            before={"number": version.number, "title": version.title},
        )  # fmt: skip
        version.steps.all().delete()
        version.lanes.all().delete()
        version.delete()
        if not procedure.versions.exists():
            procedure.delete()


def save_schedule(*, procedure: Procedure, values: dict[str, Any], by: User) -> Schedule | None:
    """Sets (or with kind "" removes) the schedule that starts the SOP's cases by itself."""
    acting = require_keeper(by, procedure.agency)
    kind = values.get("kind") or ""
    with transaction.atomic():
        current = Schedule.objects.filter(procedure=procedure).first()
        before = {"kind": current.kind, "day": current.day} if current else None
        if not kind:
            if current:
                current.delete()
            record_event(
                action="sop.schedule.removed", actor=by, acting_as=acting, agency=procedure.agency,
                target=procedure, before=before,
            )  # fmt: skip
            return None
        if kind not in Schedule.Kind.values:
            raise ValidationError({"kind": _("Choose when the SOP starts.")})
        day_text = str(values.get("day") or "10").strip()
        day = int(day_text) if day_text.isdigit() else 0
        if not 1 <= day <= 28:
            raise ValidationError({"day": _("The day is between 1 and 28.")})
        schedule, _created = Schedule.objects.update_or_create(
            procedure=procedure,
            defaults={"kind": kind, "day": day, "per_division": bool(values.get("per_division")),
                      "variant": (values.get("variant") or "")[:200], "active": True},
        )  # fmt: skip
        record_event(
            action="sop.schedule.saved", actor=by, acting_as=acting, agency=procedure.agency, target=procedure,
            before=before, after={"kind": kind, "day": day, "per_division": schedule.per_division},
        )  # fmt: skip
    return schedule


def save_settings(*, agency: Agency, values: dict[str, Any], expected: int, by: User) -> SopSettings:
    acting = require_keeper(by, agency)
    zone, page, per_day = values.get("time_zone"), values.get("page_size"), values.get("minutes_per_day")
    if zone not in SopSettings.Zone.values:
        raise ValidationError({"time_zone": _("Choose WIB, WITA or WIT.")})
    if page not in SopSettings.PageSize.values:
        raise ValidationError({"page_size": _("Choose A4 or F4.")})
    if not isinstance(per_day, int) or not 60 <= per_day <= 720:
        raise ValidationError({"minutes_per_day": _("A working day is between 60 and 720 minutes.")})
    with transaction.atomic():
        current, _created = SopSettings.objects.get_or_create(agency=agency)
        before = {
            "time_zone": current.time_zone,
            "page_size": current.page_size,
            "minutes_per_day": current.minutes_per_day,
        }
        updated = SopSettings.objects.filter(pk=current.pk, version=expected).update(
            time_zone=zone, page_size=page, minutes_per_day=per_day, version=expected + 1
        )
        if updated != 1:
            raise ConflictError()
        current.refresh_from_db()
        record_event(
            action="sop.settings.saved", actor=by, acting_as=acting, agency=agency, target=current, before=before,
            after={"time_zone": zone, "page_size": page, "minutes_per_day": per_day},
        )  # fmt: skip
    return current


def slug_for(label: str, taken: set[str]) -> str:
    base = slugify(label)[:50] or "pelaksana"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
