from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kinerja.org.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Loads the demo agencies and their logins once (never in production mode)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo is never loaded when PRODUCTION is true.")
        if load_demo():
            self.stdout.write(f"Demo loaded. Every demo login has the password {DEMO_PASSWORD!r}.")
        else:
            self.stdout.write("Demo already loaded; nothing changed.")
