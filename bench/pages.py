"""Prints page latency (median, p95) and SQL queries per page at each data size, and the machine it ran on.

Pages, each read by the user who opens it at the deadline:
- home (`/`) and the agency dashboard, by the head of agency a1;
- the regional dashboard of local government 1, by its regional reader lg1.regional;
- the submission form of division 1 of agency a1 in the open period (2026 Q3), by its staff member;
- the period board of that period, by the planning head.

Data comes from bench/generate.py (deterministic). A generated SQLite database is kept under var/ and reused by
the next run (`--fresh` generates it again); on PostgreSQL a database `kinerja_bench_<size>` is generated once and
reused the same way (`--fresh` drops it first). Requests go through Django's test client in this process, with
the production middleware and settings (DEBUG off), so the figures are the application's own time without a
network or a web server in front.

Run: .venv/bin/python bench/pages.py --size region [--db sqlite|postgres] [--repeat 30] [--fresh]
     .venv/bin/python bench/pages.py --size agency,region,nation --db postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="region", help="agency, region, nation, or several separated by commas")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (after 3 warm-ups)")
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    return parser.parse_args()


def database_url(size: str, db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench-{size}.sqlite3'}"
    return f"{PG_SERVER}/kinerja_bench_{size}"


def ensure_data(size: str, db: str, fresh: bool) -> None:
    """Generates the size's data unless a finished earlier run left it (generate.py writes a marker)."""
    url = database_url(size, db)
    marker = ROOT / "var" / f"bench-{size}-{db}.done"
    if marker.exists() and not fresh:
        return
    marker.unlink(missing_ok=True)
    if db == "postgres":
        name = url.rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True)
        command = [sys.executable, str(ROOT / "bench" / "generate.py"), "--size", size, "--database-url", url]
    else:
        command = [sys.executable, str(ROOT / "bench" / "generate.py"), "--size", size, "--sqlite", url[10:]]
    print(f"Generating the {size} data on {db} ({' '.join(command[1:])})…", flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("generated\n")


def measure(size: str, db: str, repeat: int) -> None:
    """Runs in a child process per size: Django is set up once per database."""
    os.environ["DATABASE_URL"] = database_url(size, db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from kinerja.accounts.models import User
    from kinerja.collection.models import ReportingPeriod, Submission
    from kinerja.org.models import Agency

    settings.ALLOWED_HOSTS = ["testserver"]
    # Whitenoise's manifest is not built for a bench run; the pages only name the static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    agency = User.objects.get(username="a1.kadis").employee.agency
    government = agency.local_government
    period = ReportingPeriod.objects.get(agency=agency, year=2026, quarter=3)
    staff = User.objects.get(username="a1.staf1")
    division = staff.employee.assignments.select_related("position__unit").first().position.unit.parent_id
    submission = Submission.objects.filter(request__period=period, request__unit_id=division).order_by("pk").first()
    pages = [
        ("home", "a1.kadis", reverse("web-home")),
        ("agency dashboard", "a1.kadis", reverse("measurement-dashboard", args=[agency.pk]) + "?year=2026&quarter=3"),
        ("regional dashboard", "lg1.regional", reverse("regional-dashboard", args=[government.pk]) + "?year=2026&quarter=3"),
        ("submission form", staff.username, reverse("collection-submission", args=[submission.pk])),
        ("period board", "a1.perencanaan", reverse("collection-period", args=[period.pk])),
    ]  # fmt: skip
    counts = {
        "agencies": Agency.objects.count(),
        "realisations": __import__("kinerja.measurement.models", fromlist=["Realization"]).Realization.objects.count(),
    }
    print(f"\n== {size} on {db} ({connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.cursor().connection.info.server_version}): "  # noqa: E501
          f"{counts['agencies']} agencies, {counts['realisations']:,} realisations, {repeat} requests per page")  # fmt: skip
    print(f"{'page':22} {'status':>6} {'queries':>7} {'median ms':>9} {'p95 ms':>8} {'max ms':>8} {'KiB':>6}")
    for label, username, url in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(3):
            response = client.get(url)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[max(0, -(-95 * len(times) // 100) - 1)]  # nearest rank
        print(
            f"{label:22} {response.status_code:>6} {len(queries):>7} {statistics.median(times):>9.1f} {p95:>8.1f} "
            f"{times[-1]:>8.1f} {len(response.content) // 1024:>6}"
        )


def main() -> None:
    args = parse_args()
    if os.environ.get("KINERJA_BENCH_CHILD"):
        measure(os.environ["KINERJA_BENCH_CHILD"], args.db, args.repeat)
        return
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for size in args.size.split(","):
        ensure_data(size, args.db, args.fresh)
        env = {**os.environ, "KINERJA_BENCH_CHILD": size}
        subprocess.run([sys.executable, __file__, "--db", args.db, "--repeat", str(args.repeat)], check=True, env=env)


if __name__ == "__main__":
    main()
