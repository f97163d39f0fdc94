"""What an import run carries from sheet to sheet: the agency, the problems found, the counts,
and lookups of plans, indicators, positions and units by the codes and titles the workbook uses."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.accounts.models import User
from kinerja.measurement.excel.reader import Issue, SheetRow, Workbook
from kinerja.measurement.excel.sheets import SHEETS, normalize
from kinerja.org.models import Agency, Position, Unit
from kinerja.planning.models import Indicator, StrategicPlan
from kinerja.planning.services import TargetInput

SAMPLES = 5
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class Action(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    REMOVED = "removed"
    UNCHANGED = "unchanged"


ACTION_LABELS = {
    Action.CREATED: gettext_lazy("new"),
    Action.CHANGED: gettext_lazy("changed"),
    Action.REMOVED: gettext_lazy("cleared"),
    Action.UNCHANGED: gettext_lazy("unchanged"),
}


@dataclass(frozen=True)
class Sample:
    row: int
    record: str
    action: Action

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class Summary:
    """How many records of one kind the import creates, changes or clears, with a few examples."""

    sheet: str
    label: str
    created: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    samples: list[Sample] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return self.created + self.changed + self.removed


def same_target(current: Any, target: TargetInput) -> bool:
    """Whether a stored target (or a realisation's value and text) already is what the cell says."""
    return (
        current.value == target.value
        and getattr(current, "upper", None) == target.upper
        and current.text == target.text.strip()
    )


def parents_first(rows: dict[K, SheetRow], parent_of: Callable[[SheetRow], K | None]) -> tuple[list[K], list[K]]:
    """The keys ordered so that each comes after its parent when the parent is among them, and the keys
    caught in a loop of parents (or below one), which cannot be ordered."""
    children: dict[K, list[K]] = {}
    queue: deque[K] = deque()
    for key, row in rows.items():
        parent = parent_of(row)
        if parent is not None and parent in rows:
            children.setdefault(parent, []).append(key)
        else:
            queue.append(key)
    ordered: list[K] = []
    while queue:
        key = queue.popleft()
        ordered.append(key)
        queue.extend(children.get(key, []))
    placed = set(ordered)
    return ordered, [key for key in rows if key not in placed]


@dataclass
class Run:
    agency: Agency
    by: User
    book: Workbook
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    summaries: dict[tuple[str, str], Summary] = field(default_factory=dict)
    # Records whose row failed, so that rows depending on them are skipped rather than reported again.
    failed: set[tuple[Any, ...]] = field(default_factory=set)
    sheet_plan: StrategicPlan | None = None
    _plans: dict[int, StrategicPlan | None] = field(default_factory=dict)
    _indicators: dict[int, dict[str, Indicator]] = field(default_factory=dict)
    _positions: dict[str, list[Position]] | None = None
    _units: tuple[dict[str, list[Unit]], dict[str, list[Unit]]] | None = None

    # Problems and counts

    def error(self, row: SheetRow, column: str, message: str) -> None:
        # A service may name a field whose column this sheet leaves out; the row is then the place.
        known = column in self.book.headers.get(row.sheet, [])
        self.errors.append(Issue(message, sheet=row.sheet, row=row.number, column=column if known else ""))

    def sheet_error(self, sheet: str, message: str, column: str = "") -> None:
        self.errors.append(Issue(message, sheet=sheet, column=column))

    def service_errors(self, row: SheetRow, exc: ValidationError, columns: Mapping[str, str]) -> None:
        """A service's refusal as errors of the row, each under the column of the field it names."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for error in errors:
                    for message in error.messages:
                        self.error(row, columns.get(name, ""), message)
        else:
            for message in exc.messages:
                self.error(row, columns.get("__all__", ""), message)

    def attempt(self, row: SheetRow, call: Callable[[], T], columns: Mapping[str, str]) -> tuple[T | None, bool]:
        """Runs one service call for a row: (its result, True), or its errors recorded and (None, False).

        Each service runs in its own savepoint, so a refused call leaves the import's transaction
        usable and the next rows are still checked.
        """
        try:
            return call(), True
        except ValidationError as exc:
            self.service_errors(row, exc, columns)
        except IntegrityError:
            self.error(row, "", _("This row clashes with a record saved at the same moment; try the import again."))
        return None, False

    def count(self, sheet: str, label: str, row: SheetRow | None, action: Action, record: str) -> None:
        summary = self.summaries.setdefault((sheet, label), Summary(sheet=sheet, label=label))
        setattr(summary, action.value, getattr(summary, action.value) + 1)
        if action != Action.UNCHANGED and row is not None and len(summary.samples) < SAMPLES:
            summary.samples.append(Sample(row=row.number, record=record, action=action))

    def ordered_summaries(self) -> list[Summary]:
        order = {sheet.name: index for index, sheet in enumerate(SHEETS)}
        return sorted(self.summaries.values(), key=lambda s: order.get(s.sheet, len(order)))

    # Lookups

    def plan_for(self, year: int) -> StrategicPlan | None:
        if year not in self._plans:
            self._plans[year] = (
                StrategicPlan.objects.select_related("agency")
                .filter(agency=self.agency, start_year__lte=year, end_year__gte=year)
                .first()
            )
        return self._plans[year]

    def forget_plans(self) -> None:
        self._plans.clear()

    def indicators(self, plan: StrategicPlan) -> dict[str, Indicator]:
        if plan.pk not in self._indicators:
            rows = Indicator.objects.filter(plan=plan).select_related("plan", "agency")
            self._indicators[plan.pk] = {i.code: i for i in rows}
        return self._indicators[plan.pk]

    def forget_indicators(self) -> None:
        self._indicators.clear()

    def position(self, row: SheetRow, column: str) -> tuple[Position | None, bool]:
        """The position whose title is in the cell: (None, True) when blank, (None, False) after an error."""
        title = row.text(column)
        if not title:
            return None, True
        if self._positions is None:
            self._positions = {}
            for position in Position.objects.filter(agency=self.agency).select_related("unit"):
                self._positions.setdefault(normalize(position.title), []).append(position)
        found = self._positions.get(normalize(title), [])
        if len(found) > 1:
            found = [p for p in found if p.is_active] or found
        if not found:
            self.error(row, column, _("no position of this agency has the title “%(title)s”.") % {"title": title})
            return None, False
        if len(found) > 1:
            self.error(
                row,
                column,
                _("several positions have the title “%(title)s”; give them distinct titles first.") % {"title": title},
            )
            return None, False
        return found[0], True

    def unit(self, row: SheetRow, column: str) -> tuple[Unit | None, bool]:
        """The unit whose code (or else name) is in the cell: (None, True) when blank, (None, False) after an error."""
        text = row.text(column)
        if not text:
            return None, True
        if self._units is None:
            by_code: dict[str, list[Unit]] = {}
            by_name: dict[str, list[Unit]] = {}
            for unit in Unit.objects.filter(agency=self.agency):
                if unit.code:
                    by_code.setdefault(normalize(unit.code), []).append(unit)
                by_name.setdefault(normalize(unit.name), []).append(unit)
            self._units = (by_code, by_name)
        by_code, by_name = self._units
        found = by_code.get(normalize(text)) or by_name.get(normalize(text), [])
        if not found:
            self.error(row, column, _("no unit of this agency has the code or name “%(unit)s”.") % {"unit": text})
            return None, False
        if len(found) > 1:
            self.error(row, column, _("several units are called “%(unit)s”; use the unit's code.") % {"unit": text})
            return None, False
        return found[0], True
