"""The demo command. It lives in the web app because it loads both the organisation demo (org) and
the performance demo (measurement), and org must not depend on measurement."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kinerja.collection.demo import load_collection_demo
from kinerja.documents.demo import load_documents_demo
from kinerja.measurement.demo import load_performance_demo
from kinerja.org.demo import DEMO_PASSWORD, load_demo
from kinerja.sop.demo import load_sop_demo


class Command(BaseCommand):
    help = (
        "Loads the demo agencies, their logins and Dinas Perhubungan's performance plan once "
        "(never in production mode)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo is never loaded when PRODUCTION is true.")
        organisation = load_demo()
        performance = load_performance_demo()
        sop = load_sop_demo()
        collection = load_collection_demo()
        documents = load_documents_demo()
        if organisation:
            self.stdout.write(f"Demo loaded. Every demo login has the password {DEMO_PASSWORD!r}.")
        if performance:
            self.stdout.write(
                "Performance demo loaded: the 2022–2026 Renstra of Dinas Perhubungan with its agreements, "
                "realisations and budget lines."
            )
        if collection:
            self.stdout.write("Collection demo loaded: the third quarter of 2026, each division at a different step.")
        if sop:
            self.stdout.write(
                "SOP demo loaded: the library of the six seed SOPs; Pengumpulan Data Kinerja in force at Dinas "
                "Perhubungan, run for the second quarter of 2026 and started for every division at the third."
            )
        if documents:
            self.stdout.write(
                "Documents demo loaded: the third quarter's request letters, the second quarter's report and "
                "Dokumen Pengukuran Kinerja, the 2026 Perjanjian Kinerja and the 2025 LKjIP, signed and verifiable."
            )
        if not organisation and not performance and not collection and not sop and not documents:
            self.stdout.write("Demo already loaded; nothing changed.")
