"""`manage.py tick [--today YYYY-MM-DD]`: the periodic round, run by cron or a systemd timer every few minutes.

The collection's reminders, overdue notices and escalations (kinerja.collection.reminders), then the SOP
engine's: cases that schedules start, and escalation of overdue SOP tasks (kinerja.sop.engine); then document
generation jobs a stopped worker or a lost queue left behind go back to the queue (kinerja.documents.services). Idempotent
and safe to run from two machines at once: every notice and every start has a unique key."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinerja.collection.reminders import run_tick
from kinerja.documents.services import recover_stalled_jobs
from kinerja.monev.services import chase_recommendations
from kinerja.org.selectors import today
from kinerja.sop import engine


class Command(BaseCommand):
    help = (
        "Sends the collection's reminders, overdue notices and escalations, then the pending emails and digests; "
        "starts scheduled SOP cases and escalates overdue SOP tasks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="The day to act as if it were today (YYYY-MM-DD); default: today.")

    def handle(self, *args: Any, **options: Any) -> None:
        on = today()
        if options.get("today"):
            try:
                on = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be a date written YYYY-MM-DD, not {options['today']!r}.") from exc
        started = engine.run_schedules()
        escalated = engine.escalate_overdue()
        result = run_tick(on)
        recovered = recover_stalled_jobs()
        chased = chase_recommendations(on)
        self.stdout.write(
            f"{result.summary()}; SOP: {len(started)} case(s) started by schedule, {escalated} overdue task(s) escalated"
            f"; documents: {recovered} lost generation job(s) queued again"
            f"; monev: {chased} recommendation notice(s)"
        )
