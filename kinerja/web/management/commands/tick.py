"""`manage.py tick [--today YYYY-MM-DD]`: the collection's daily round, run by cron or a systemd timer.

Idempotent and safe to run from two machines at once: see kinerja.collection.reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinerja.collection.reminders import run_tick
from kinerja.org.selectors import today


class Command(BaseCommand):
    help = "Sends the collection's reminders, overdue notices and escalations, then the pending emails and digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="The day to act as if it were today (YYYY-MM-DD); default: today.")

    def handle(self, *args: Any, **options: Any) -> None:
        on = today()
        if options.get("today"):
            try:
                on = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be a date written YYYY-MM-DD, not {options['today']!r}.") from exc
        result = run_tick(on)
        self.stdout.write(result.summary())
