"""`manage.py render_seed_sops OUTPUT_DIR [--page-size A4|F4]`: every seed SOP as a PDF, to look at the renderer's
output on real procedures (and to hand a Dinas a sample of its SOPs before any are entered)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from kinerja.sop.render.document import document_pdf
from kinerja.sop.render.layout import PAGE_SIZES, LayoutOptions
from kinerja.sop.seedfiles import seed_sops


class Command(BaseCommand):
    help = "Writes one PDF per seed SOP into OUTPUT_DIR, named after the seed's slug, and prints the paths."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("output_dir", help="Folder for the PDFs; created when missing.")
        parser.add_argument("--page-size", choices=sorted(PAGE_SIZES), default="A4", help="Landscape paper size.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["output_dir"])
        folder.mkdir(parents=True, exist_ok=True)
        layout_options = LayoutOptions(page_size=options["page_size"])
        for seed in seed_sops():
            pdf = document_pdf(
                seed.spec,
                options=layout_options,
                version_label="Versi 1",
                revised_on=seed.spec.identity.revised_on,
            )
            path = folder / f"{seed.slug}.pdf"
            path.write_bytes(pdf)
            self.stdout.write(str(path))
