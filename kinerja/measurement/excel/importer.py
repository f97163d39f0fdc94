"""Importing a workbook, all or nothing.

The preview and the import are the same run: every row goes through the same services (so every
change is validated and audited) inside one transaction. The preview always rolls it back; the
import keeps it only when no row failed and any warnings were confirmed. What the preview shows
is therefore exactly what the import will do, provided nobody changes the data in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from kinerja.accounts.models import User
from kinerja.measurement.excel.apply_plan import apply_plan, apply_renstra
from kinerja.measurement.excel.apply_year import (
    apply_agreements,
    apply_budget,
    apply_realizations,
    apply_signing,
    apply_targets,
)
from kinerja.measurement.excel.context import Run, Summary
from kinerja.measurement.excel.reader import Issue, read_workbook
from kinerja.measurement.excel.sheets import SHEETS
from kinerja.org.models import Agency


@dataclass(frozen=True)
class ImportResult:
    errors: list[Issue]
    warnings: list[Issue]
    summaries: list[Summary]
    applied: bool = False

    @property
    def changes(self) -> int:
        return sum(summary.touched for summary in self.summaries)


def _in_order(issues: list[Issue]) -> list[Issue]:
    order = {sheet.name: index for index, sheet in enumerate(SHEETS)}
    return sorted(issues, key=lambda issue: (order.get(issue.sheet, -1), issue.row or 0))


def run_import(
    *, data: bytes, agency: Agency, by: User, commit: bool, warnings_confirmed: bool = False
) -> ImportResult:
    """Reads the workbook in `data` and applies it to `agency` as `by`; keeps the changes only when
    `commit`, nothing failed, and there were no warnings or they were confirmed."""
    book = read_workbook(data)
    if book.fatal:
        return ImportResult(errors=_in_order(book.errors), warnings=[], summaries=[])
    run = Run(agency=agency, by=by, book=book, errors=list(book.errors))
    with transaction.atomic():
        apply_plan(run)
        apply_renstra(run)
        agreements, signings = apply_agreements(run)
        apply_targets(run, agreements)
        apply_signing(run, signings)
        apply_realizations(run)
        apply_budget(run)
        applied = commit and not run.errors and (warnings_confirmed or not run.warnings)
        if not applied:
            transaction.set_rollback(True)
    return ImportResult(
        errors=_in_order(run.errors), warnings=_in_order(run.warnings), summaries=run.ordered_summaries(),
        applied=applied,
    )  # fmt: skip
