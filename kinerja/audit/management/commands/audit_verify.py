from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kinerja.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Walks the audit hash chain and names the first row that does not fit."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"Audit chain intact: {report.checked} events checked.")
            return
        raise CommandError(
            f"Audit chain broken at event seq={report.broken_seq} (id={report.broken_id}): {report.reason}. "
            f"{report.checked} events before it are intact."
        )
