"""An SOP AP as plain data: identity, lanes (pelaksana) and steps with their Mutu Baku.

Every way into and out of the application goes through `ProcedureSpec`: the seed files, the table
editor, the spreadsheet import and export, the BPMN export, the SVG/PDF/DOCX renderer and the stored
`ProcedureVersion` rows. `problems()` refuses what cannot be run; `lint()` warns about what the
regulation (PermenPAN-RB 35/2012) asks for but a real SOP often lacks. No Django models here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext as _


class Symbol(StrEnum):
    TERMINATOR = "terminator"  # kapsul: the first and the last step
    PROCESS = "process"  # kotak
    DECISION = "decision"  # belah ketupat, with a Ya and a Tidak exit


class TimeUnit(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


# Working minutes of one unit. A day is 450 working minutes (7.5 hours, Perpres 21/2023: 37.5 hours over
# five days) unless the agency's calendar says otherwise; a week is five working days.
MINUTES_PER_UNIT = {TimeUnit.MINUTE: 1, TimeUnit.HOUR: 60}
DAYS_PER_UNIT = {TimeUnit.DAY: 1, TimeUnit.WEEK: 5}

_UNIT_WORDS = {
    "menit": TimeUnit.MINUTE,
    "minute": TimeUnit.MINUTE,
    "minutes": TimeUnit.MINUTE,
    "min": TimeUnit.MINUTE,
    "jam": TimeUnit.HOUR,
    "hour": TimeUnit.HOUR,
    "hours": TimeUnit.HOUR,
    "hari": TimeUnit.DAY,
    "day": TimeUnit.DAY,
    "days": TimeUnit.DAY,
    "minggu": TimeUnit.WEEK,
    "pekan": TimeUnit.WEEK,
    "week": TimeUnit.WEEK,
    "weeks": TimeUnit.WEEK,
}
_UNIT_NAMES_ID = {
    TimeUnit.MINUTE: "Menit",
    TimeUnit.HOUR: "Jam",
    TimeUnit.DAY: "Hari",
    TimeUnit.WEEK: "Minggu",
}
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"^\s*(?P<min>{_NUMBER})\s*(?:(?:-|–|—|s\.?d\.?|sampai(?: dengan)?|to)\s*(?P<max>{_NUMBER}))?\s*"
    r"(?P<unit>[a-z]+)(?:\s+(?P<basis>kerja|kalender|working|calendar))?"
    r"(?:\s+(?:untuk|for|bagi|jika|if)\s+(?P<condition>.+?))?\s*\.?\s*$",
    re.IGNORECASE,
)
_VARIANT_SPLIT_RE = re.compile(r"\s*(?:;|\s+dan\s+(?=\d)|\s+and\s+(?=\d))\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    """One time standard: `amount` units (for a range, `minimum` to `amount`), counted in working time
    unless `calendar`; `condition` names the variant it applies to ("laporan triwulan")."""

    amount: Decimal
    unit: TimeUnit
    minimum: Decimal | None = None
    calendar: bool = False
    condition: str = ""

    def working_minutes(self, minutes_per_day: int = 450) -> int | None:
        """The standard in working minutes; None for calendar days, which are not working time."""
        if self.calendar:
            return None
        if self.unit in MINUTES_PER_UNIT:
            return int(self.amount * MINUTES_PER_UNIT[self.unit])
        return int(self.amount * DAYS_PER_UNIT[self.unit] * minutes_per_day)

    def text(self) -> str:
        amount = _plain(self.amount)
        if self.minimum is not None:
            amount = f"{_plain(self.minimum)} – {amount}"
        words = f"{amount} {_UNIT_NAMES_ID[self.unit]}"
        if self.calendar:
            words += " Kalender"
        if self.condition:
            words += f" untuk {self.condition}"
        return words


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


class DurationError(ValueError):
    pass


def parse_durations(text: str | None) -> tuple[Duration, ...]:
    """The Waktu cell as written in an SOP: "15 Menit", "2 hari", "1 – 20 Hari Kerja", "3 hari kalender",
    "1 Hari untuk laporan triwulan dan 15 Hari untuk laporan tahunan". Empty gives no standard; anything
    else ("sebentar") raises DurationError with the reason."""
    text = (text or "").strip()
    if not text or text == "-":
        return ()
    parts = [part for part in _VARIANT_SPLIT_RE.split(text) if part.strip()]
    durations = []
    for part in parts:
        match = _DURATION_RE.match(part)
        unit = _UNIT_WORDS.get(match.group("unit").lower()) if match else None
        if not match or unit is None:
            raise DurationError(
                _("“%(text)s” is not a time standard: write a number and a unit, e.g. “15 menit”, “2 jam”, “1 hari”.")
                % {"text": part}
            )
        try:
            low = Decimal(match.group("min").replace(",", "."))
            high = Decimal(match.group("max").replace(",", ".")) if match.group("max") else None
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
            raise DurationError(part) from exc
        if (high if high is not None else low) <= 0:
            raise DurationError(_("“%(text)s”: a time standard must be more than zero.") % {"text": part})
        if high is not None and high < low:
            raise DurationError(_("“%(text)s”: the range ends before it starts.") % {"text": part})
        basis = (match.group("basis") or "").lower()
        durations.append(
            Duration(
                amount=high if high is not None else low,
                minimum=low if high is not None else None,
                unit=unit,
                calendar=basis in ("kalender", "calendar"),
                condition=(match.group("condition") or "").strip(),
            )
        )
    if len(durations) > 1 and not all(d.condition for d in durations):
        raise DurationError(
            _("“%(text)s”: when a step has several times, each needs its case, e.g. “1 hari untuk laporan triwulan”.")
            % {"text": text}
        )
    return tuple(durations)


def durations_text(durations: tuple[Duration, ...]) -> str:
    return " dan ".join(d.text() for d in durations)


@dataclass
class Lane:
    """A pelaksana column. `role` is the canonical role it binds to in the agency's organisation
    (see org.Role) when no position is chosen; `inferred` marks a performer the source did not show."""

    key: str
    label: str
    role: str = ""


@dataclass
class Step:
    number: int
    text: str
    symbol: Symbol = Symbol.PROCESS
    lanes: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    durations: tuple[Duration, ...] = ()
    outputs: list[str] = field(default_factory=list)
    notes: str = ""
    next: int | None = None
    yes: int | None = None
    no: int | None = None
    yes_label: str = "Ya"
    no_label: str = "Tidak"
    question: str = ""
    action: str = ""
    performer_inferred: bool = False
    performer_confidence: str = ""  # tinggi | sedang | rendah
    performer_reason: str = ""

    def exits(self) -> list[int]:
        if self.symbol == Symbol.DECISION:
            return [n for n in (self.yes, self.no) if n is not None]
        return [self.next] if self.next is not None else []


@dataclass
class Identity:
    """The Bagian Identitas of an SOP AP. Dates stay text because sources give "Januari 2018"."""

    title: str = ""
    government: str = ""  # PEMERINTAH KABUPATEN …
    agency: str = ""  # DINAS PERHUBUNGAN
    unit: str = ""  # the owning unit
    number: str = ""
    made_on: str = ""
    revised_on: str = ""
    effective_on: str = ""
    approver_title: str = ""
    approver_name: str = ""
    approver_rank: str = ""
    approver_nip: str = ""
    legal_basis: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)


@dataclass
class ProcedureSpec:
    identity: Identity
    lanes: list[Lane]
    steps: list[Step]
    trigger: str = ""  # as written ("setiap tanggal 10 bulan pertama triwulan")

    def step(self, number: int) -> Step | None:
        return next((s for s in self.steps if s.number == number), None)

    def lane(self, key: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.key == key), None)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a spec; `step` is 0 for the SOP as a whole, `lane` names a lane."""

    step: int
    message: str
    lane: str = ""


def problems(spec: ProcedureSpec) -> list[Problem]:
    """What makes the SOP impossible to draw or run: refused on import and on publishing."""
    found: list[Problem] = []
    if not spec.identity.title.strip():
        found.append(Problem(0, _("The SOP has no title.")))
    keys = [lane.key for lane in spec.lanes]
    if len(set(keys)) != len(keys):
        found.append(Problem(0, _("Two performer columns have the same name.")))
    if not spec.steps:
        found.append(Problem(0, _("The SOP has no steps.")))
        return found
    dangling = False
    numbers = [s.number for s in spec.steps]
    if numbers != list(range(1, len(numbers) + 1)):
        found.append(Problem(0, _("Steps must be numbered 1, 2, 3 … without gaps.")))
        return found
    for s in spec.steps:
        if not s.text.strip():
            found.append(Problem(s.number, _("The step has no text.")))
        if not s.lanes:
            found.append(Problem(s.number, _("The step has no performer.")))
        for key in s.lanes:
            if key not in keys:
                found.append(Problem(s.number, _("Unknown performer “%(lane)s”.") % {"lane": key}, lane=key))
        if s.symbol == Symbol.DECISION:
            if s.yes is None or s.no is None:
                found.append(Problem(s.number, _("A decision needs both a Ya and a Tidak exit.")))
            if s.yes is not None and s.yes == s.no:
                found.append(Problem(s.number, _("The Ya and Tidak exits go to the same step.")))
        for target in (s.next, s.yes, s.no):
            if target is not None and spec.step(target) is None:
                dangling = True
                found.append(Problem(s.number, _("It points to step %(n)s, which does not exist.") % {"n": target}))
            if target == s.number:
                found.append(Problem(s.number, _("The step points to itself.")))
    if dangling:  # the flow cannot be followed through a step that is not there
        return found
    found.extend(_flow_problems(spec))
    return found


def flow_targets(spec: ProcedureSpec, step: Step) -> list[int]:
    """Where the flow goes after `step`: its exits, or for a step with none, the next step by number
    unless it is the last or marked as an end (a terminator after the first step)."""
    if step.symbol == Symbol.DECISION or step.next is not None:
        return step.exits()
    if step.number == len(spec.steps) or (step.symbol == Symbol.TERMINATOR and step.number != 1):
        return []
    return [step.number + 1]


def _flow_problems(spec: ProcedureSpec) -> list[Problem]:
    found: list[Problem] = []
    reachable = {1}
    queue = [1]
    while queue:
        step = spec.step(queue.pop())
        for target in flow_targets(spec, step):
            if target not in reachable:
                reachable.add(target)
                queue.append(target)
    for s in spec.steps:
        if s.number not in reachable:
            found.append(Problem(s.number, _("No path from step 1 reaches this step.")))
    # every reachable step must be able to reach an end; otherwise a loop can never be left
    ends = {s.number for s in spec.steps if not flow_targets(spec, s)}
    if not ends:
        found.append(Problem(0, _("The flow has no end: every step leads to another, so a case could never finish.")))
        return found
    can_finish = set(ends)
    changed = True
    while changed:
        changed = False
        for s in spec.steps:
            if s.number not in can_finish and any(t in can_finish for t in flow_targets(spec, s)):
                can_finish.add(s.number)
                changed = True
    for s in spec.steps:
        if s.number in reachable and s.number not in can_finish:
            found.append(Problem(s.number, _("The flow from this step goes round in a cycle with no exit.")))
    return found


_SUBJECT_WORDS = (
    "kepala",
    "kadis",
    "kabid",
    "kasubbag",
    "kasubag",
    "kasubid",
    "kasie",
    "kasi",
    "sekretaris",
    "staf",
    "tim",
    "analis",
    "fungsional",
    "pejabat",
    "bendahara",
    "operator",
)


def lint(spec: ProcedureSpec) -> list[Problem]:
    """Warnings the author should look at; they do not block publishing."""
    found: list[Problem] = []
    for s in spec.steps:
        first = s.text.strip().split(" ", 1)[0].lower().strip(",.")
        if first in _SUBJECT_WORDS:
            found.append(
                Problem(
                    s.number,
                    _("The text starts with its performer; write it with a verb and no subject, e.g. “Memeriksa …”."),
                )
            )
        if not s.durations:
            found.append(Problem(s.number, _("The step has no time standard (Waktu).")))
        if not s.outputs:
            found.append(Problem(s.number, _("The step has no output.")))
        if s.performer_inferred:
            found.append(Problem(s.number, _("The performer was inferred, not read from the source: confirm it.")))
        if s.symbol == Symbol.DECISION and (s.yes is None or s.no is None):
            found.append(Problem(s.number, _("A decision needs both a Ya and a Tidak exit.")))
    later_inputs: list[str] = []
    for s in reversed(spec.steps):
        if s.number != len(spec.steps):
            for output in s.outputs:
                if not any(_same_document(output, later) for later in later_inputs):
                    found.append(
                        Problem(
                            s.number,
                            _("The output “%(output)s” is not used as an input by any later step.")
                            % {"output": output},
                        )
                    )
        later_inputs.extend(s.inputs)
    for previous, current in zip(spec.steps, spec.steps[1:], strict=False):
        if previous.outputs and [_norm(o) for o in previous.outputs] == [_norm(o) for o in current.outputs]:
            found.append(Problem(current.number, _("The output is the same as the previous step's.")))
    used = {key for s in spec.steps for key in s.lanes}
    for lane in spec.lanes:
        if lane.key not in used:
            found.append(Problem(0, _("The performer “%(lane)s” has no step.") % {"lane": lane.label}, lane=lane.key))
    first, last = spec.steps[0] if spec.steps else None, spec.steps[-1] if spec.steps else None
    for end in (first, last):
        if end is not None and end.symbol == Symbol.PROCESS:
            found.append(Problem(end.number, _("The first and the last step are drawn as a capsule (terminator).")))
    return sorted(found, key=lambda p: (p.step, p.message))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


_FILLER = {"dan", "atau", "yang", "untuk", "dari", "ke", "di", "the", "of", "and"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FILLER}


def _same_document(output: str, later_input: str) -> bool:
    """An input names an earlier output when one contains the other ("Disposisi" / "Lembar Disposisi") or
    they share two words ("Laporan data kinerja" / "Laporan kinerja")."""
    a, b = _norm(output), _norm(later_input)
    if a in b or b in a:
        return True
    shared = _words(a) & _words(b)
    return len(shared) >= min(2, len(_words(a)))
