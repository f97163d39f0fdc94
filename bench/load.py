"""A locust load test of the deadline at Kinerja that proves no acknowledged write is lost.

The users (bench/locustfile.py) are the agency at the quarterly deadline: staff read their division's submission,
save figures with optimistic versions, upload evidence, submit and withdraw; division heads approve or return; the
planning head returns approved data, writes a letter and asks for documents to be generated (a background task);
the head and the evaluator read dashboards and boards. Every write the server acknowledged goes to a client-side
ledger, kept apart from the writes whose answer never came (in flight: connection reset, timeout, 502/503/504 from a
proxy); afterwards the database is read through the ORM and must match the ledger:

- each line holds the value of its last acknowledged save and its version moved by exactly one per acknowledged
  save (in-flight saves may or may not have landed: the version must then be explained by one of them);
- each submission's version moved once per acknowledged step (submit, withdraw, approve, return), its status is
  the one the last step leaves, with one Review row and one audit event per step;
- one `collection.lines.saved` event per acknowledged save; one Evidence row, one `collection.evidence.added`
  event and one stored file with the same SHA-256 per acknowledged upload (files read through the storage API, so a
  deployment's S3 storage is checked as well), and no stray file;
- the letters' texts and versions match the acknowledged text saves, one event each;
- each generation job asked for finished exactly once: status done, one new version unless nothing changed, its
  files stored, one audit event, and with the database tasks backend one successful task row (queued jobs are
  waited for up to --wait seconds, for workers running elsewhere);
- the audit hash chain is intact.

Commands (the first three do not care how the server was started: the host and the database are arguments, the
file storage and the tasks backend come from the environment's settings, as for the server):

  .venv/bin/python bench/load.py prepare --sqlite PATH | --database-url URL --users N [--seats PATH]
  .venv/bin/python bench/load.py run --host http://127.0.0.1:PORT --users N --seconds S --seats PATH --ledger PATH
  .venv/bin/python bench/load.py verify --sqlite PATH | --database-url URL --seats PATH --ledger PATH
  .venv/bin/python bench/load.py single --db sqlite|postgres --users 50 --seconds 120

`single` does it all on this machine: a throwaway database (SQLite in a temporary folder, or a fresh PostgreSQL
database kinerja_load_<pid> on postgres://postgres@127.0.0.1:5432, dropped at the end), one gunicorn and one
`manage.py db_worker`. Every command exits non-zero on any mismatch, any 5xx that is not in flight, any
unexpected status.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _ledger import WRITE_KINDS, count_between, merge, parts_of, version_chain  # noqa: E402
from _ledger import load as load_ledger  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PERIODS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2024, 4), (2024, 3)]
READERS = ["kadis", "inspektorat"]
PLANNER, COMPOSER = "perencanaan", "admin"
DECISION = {"submit": "submitted", "withdraw": "withdrawn", "approve": "approved", "return": "returned"}
STATUS_AFTER = {"submit": "submitted", "withdraw": "draft", "approve": "approved", "return": "returned"}
PYTHON = str(ROOT / ".venv/bin/python")


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; load average {load} (whatever else runs shares the CPUs)")  # fmt: skip


# Django, for prepare and verify


def setup_django(args: argparse.Namespace) -> None:
    """Django with the environment's settings; the database from the arguments."""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    elif args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    if not any(os.environ.get(n) for n in ("KINERJA_VAR_DIR", "EVIDENCE_ROOT", "FILE_STORAGE")):
        print("note: KINERJA_VAR_DIR, EVIDENCE_ROOT and FILE_STORAGE are unset: files are read from the repository's "
              "var/, as a server started with the same environment would")  # fmt: skip
    import django
    from django.conf import settings

    if args.sqlite:
        # The settings' SQLite options (WAL, IMMEDIATE transactions) stay; only the file is the one given.
        settings.DATABASES["default"]["NAME"] = Path(args.sqlite).resolve()
    django.setup()


def db_version() -> str:
    import sqlite3

    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        return f"SQLite {sqlite3.sqlite_version} (journal {mode}, {connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"{connection.vendor} {version} (database {connection.settings_dict['NAME']})"


# prepare


def prepare(args: argparse.Namespace) -> int:
    if not 1 <= args.users <= 999 or not 1 <= args.periods <= len(PERIODS):
        raise SystemExit(f"--users is 1-999 (a seat's number is written in its figures), --periods 1-{len(PERIODS)}")
    seats_path = Path(args.seats) if args.seats else default_seats(args)
    setup_django(args)
    from django.core.management import call_command

    from kinerja.accounts.hashers import KinerjaArgon2PasswordHasher
    from kinerja.accounts.models import User
    from kinerja.collection import services
    from kinerja.collection.models import DataRequest, Submission, SubmissionLine
    from kinerja.documents import services as documents
    from kinerja.documents.models import Document, GenerationJob, Kind
    from kinerja.org.demo import DEMO_PASSWORD
    from kinerja.org.models import Agency, Assignment, Employee, Position, Role, Unit
    from kinerja.org.selectors import current_holders
    from kinerja.planning.models import Indicator
    from kinerja.planning.selectors import plan_for

    print(machine())
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if User.objects.filter(username__startswith="load").exists():
        raise SystemExit("this database was prepared already: prepare a fresh one")
    call_command("load_demo", stdout=io.StringIO())
    print(f"database: {db_version()}")
    print(f"schema and demo: {time.perf_counter() - started:.1f} s")

    agency = Agency.objects.get(short_name="Dishub")
    planner = User.objects.get(username=PLANNER)
    units = {u.pk: u for u in Unit.objects.filter(agency=agency)}
    plan = plan_for(agency, PERIODS[0][0])
    assert plan is not None, "the demo plan does not cover 2025"
    indicators = Indicator.objects.filter(plan=plan, responsible_unit__isnull=False).exclude(
        kind=Indicator.Kind.INDIVIDUAL
    )
    divisions = sorted({services.division_of(units[i.responsible_unit_id], units).pk for i in indicators})
    # Staff seats, round-robin over the divisions with indicators and, inside one, over its sections; one
    # Argon2 hash made with the production hasher, shared by every seat.
    encoded = KinerjaArgon2PasswordHasher().encode(DEMO_PASSWORD, KinerjaArgon2PasswordHasher().salt())
    positions = list(Position.objects.filter(agency=agency))
    staff: list[dict[str, Any]] = []
    by_division: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in range(1, args.users + 1):
        division = units[divisions[(n - 1) % len(divisions)]]
        sections = sorted((u for u in units.values() if u.parent_id == division.pk), key=lambda u: u.pk)
        seat_unit = sections[((n - 1) // len(divisions)) % len(sections)] if sections else division
        username = f"load{n:03d}"
        user = User.objects.create(username=username, password=encoded)
        employee = Employee.objects.create(agency=agency, name=f"Pengguna Uji {n}", nip=f"19900101202001{n:04d}",
                                           user=user)  # fmt: skip
        head = services.division_head(division, positions)
        position = Position.objects.create(agency=agency, unit=seat_unit, title=f"Pengolah Data Uji {n}",
                                           role=Role.STAFF, superior=head)  # fmt: skip
        Assignment.objects.create(employee=employee, position=position, start_date=date(2024, 1, 2))
        seat = {"username": username, "number": n, "unit": seat_unit.pk}
        staff.append(seat)
        by_division[division.pk].append(seat)
    # Periods: one division submission per division and period; each seat works on one of its division's.
    started = time.perf_counter()
    subs: dict[int, list[int]] = defaultdict(list)
    period_ids = []
    for year, quarter in PERIODS[: args.periods]:
        opened = services.open_period(agency=agency, year=year, quarter=quarter, by=planner)
        period_ids.append(opened.period.pk)
        for request in opened.requests:
            if request.kind == DataRequest.Kind.DIVISION:
                subs[request.unit_id].append(request.submission.pk)
    # Opening a period drafts and queues its request letters: generate them now, so that the run starts with no
    # job waiting and every job after the baseline is one the users asked for.
    queued = list(GenerationJob.objects.filter(status__in=GenerationJob.ACTIVE).values_list("pk", flat=True))
    for pk in queued:
        documents.run_generation(pk)
    print(f"periods: {args.periods} opened, {len(queued)} request letters generated, "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    for division_id, seats in by_division.items():
        for j, seat in enumerate(seats):
            seat["submission"] = subs[division_id][j % len(subs[division_id])]
    used = sorted({s["submission"] for s in staff})
    submissions = {s.pk: s for s in Submission.objects.filter(pk__in=used).select_related("request__reviewer")}
    base: dict[int, dict[str, str]] = defaultdict(dict)
    lines: dict[int, dict[str, list[Any]]] = {}
    for line in SubmissionLine.objects.filter(submission_id__in=used):
        lines.setdefault(line.submission_id, {})[str(line.indicator_id)] = [line.version, _text(line.value)]
        if line.value is not None:
            base[line.submission_id][str(line.indicator_id)] = str(line.value)
    for seat in staff:
        seat["lines"] = sorted(int(i) for i in lines[seat["submission"]])  # the indicators of its submission
        seat["base"] = base[seat["submission"]]  # their figures at the start, for plausible new ones
    # Reviewers: whoever holds the position each submission waits for first (the division heads of the demo).
    reviewers: dict[str, dict[str, Any]] = {}
    for sub in submissions.values():
        reviewer = sub.request.reviewer
        assert reviewer is not None, f"submission {sub.pk} has no reviewer"
        holders = [a for a in current_holders([reviewer])[reviewer.pk] if a.employee.user_id]
        assert holders, f"nobody with a login holds {reviewer}"
        user = holders[0].employee.user
        seat = reviewers.setdefault(user.username, {"username": user.username, "unit": reviewer.unit_id,
                                                    "submissions": []})  # fmt: skip
        seat["submissions"].append(sub.pk)
    # Documents: a letter of the planning head's and of the administrator's, and the demo's LKjIP draft.
    lkjip = Document.objects.filter(agency=agency, kind=Kind.LKJIP, status=Document.Status.DRAFT).order_by("pk").first()
    composers = []
    for username in (PLANNER, COMPOSER):
        user = User.objects.get(username=username)
        letter = documents.create_document(agency=agency, kind=Kind.LETTER, year=PERIODS[0][0], by=user,
                                           title=f"Surat uji beban {username}")  # fmt: skip
        composers.append({"username": username, "letters": [letter.pk],
                          "documents": [letter.pk] + ([lkjip.pk] if lkjip else [])})  # fmt: skip
    composers[0]["submissions"] = used
    seats = {
        "password": DEMO_PASSWORD, "agency": agency.pk, "periods": period_ids, "submissions": used,
        "staff": staff, "reviewers": sorted(reviewers.values(), key=lambda s: s["username"]),
        "planners": composers[:1], "composers": composers[1:], "readers": [{"username": u} for u in READERS],
        "database": db_version(), "baseline": baseline(used, [d for c in composers for d in c["documents"]], lines),
    }  # fmt: skip
    seats_path.write_text(json.dumps(seats, indent=1))
    spread = Counter(s["submission"] for s in staff)
    print(f"seats: {len(staff)} staff on {len(used)} submissions ({min(spread.values())}-{max(spread.values())} "
          f"each), reviewers {', '.join(reviewers)}, planner {PLANNER}, composer {COMPOSER}, readers "
          f"{', '.join(READERS)}; written to {seats_path}")  # fmt: skip
    return 0


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def baseline(subs: list[int], docs: list[int], lines: dict[int, dict[str, list[Any]]]) -> dict[str, Any]:
    """What the run starts from: every row it may change, and the last id of every table it may add to."""
    from kinerja.audit.models import AuditEvent
    from kinerja.collection.models import Evidence, Review, Submission
    from kinerja.documents.models import Document, DocumentVersion, GenerationJob

    def last(model: Any, field: str = "pk") -> int:
        return model.objects.order_by(f"-{field}").values_list(field, flat=True).first() or 0

    return {
        "lines": {str(k): v for k, v in lines.items()},
        "submissions": {str(s.pk): [s.version, s.status] for s in Submission.objects.filter(pk__in=subs)},
        "documents": {str(d.pk): [d.version, d.texts] for d in Document.objects.filter(pk__in=docs)},
        "audit_seq": last(AuditEvent, "seq"), "review": last(Review), "evidence": last(Evidence),
        "job": last(GenerationJob), "document_version": last(DocumentVersion),
    }  # fmt: skip


def default_seats(args: argparse.Namespace) -> Path:
    if args.sqlite:
        return Path(args.sqlite).with_suffix(".seats.json")
    raise SystemExit("--seats PATH is needed with --database-url")


# run


def run(args: argparse.Namespace) -> int:
    seats = json.loads(Path(args.seats).read_text())
    ledger_path = Path(args.ledger)
    for old in [ledger_path, *parts_of(ledger_path)]:
        old.unlink(missing_ok=True)
    prefix = Path(args.csv) if args.csv else ledger_path.with_suffix("")
    rate = args.spawn_rate or max(1, math.ceil(args.users / 10))
    command = [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless",
               "-u", str(args.users), "-r", str(rate), "-t", f"{int(args.seconds)}s", "--host", args.host,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", str(args.stop_timeout)]  # fmt: skip
    env = {**os.environ, "KINERJA_SEATS": str(Path(args.seats).resolve()),
           "KINERJA_LEDGER": str(ledger_path.resolve()), "KINERJA_PROCESSES": str(max(1, args.processes)),
        "KINERJA_FINAL_CSV": str(prefix.resolve()), "KINERJA_WAIT": args.think}  # fmt: skip
    if args.processes > 1:
        command += ["--processes", str(args.processes)]
    log = prefix.with_name(prefix.name + "-locust.log")
    print(machine())
    print(f"database (from the seats file): {seats['database']}")
    fixed = sum(len(seats[k]) for k in ("reviewers", "planners", "composers", "readers"))
    print(f"load: {args.users} locust users ({max(0, args.users - fixed)} staff, {len(seats['reviewers'])} reviewers, "
          f"{len(seats['planners'])} planner, {len(seats['composers'])} administrator, {len(seats['readers'])} "
          f"readers), {rate}/s spawned, {args.seconds:.0f} s, pauses {args.think} s, against {args.host}")  # fmt: skip
    if args.users - fixed > len(seats["staff"]):
        print(f"warning: {args.users - fixed} staff users for {len(seats['staff'])} staff seats: seats are shared, "
              f"and two users of one seat may type the same figure (reported as unreadable outcomes)")  # fmt: skip
    started, cpu = time.monotonic(), _children_cpu()
    with open(log, "wb") as out:
        code = subprocess.call(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    elapsed, cpu = time.monotonic() - started, _children_cpu() - cpu
    print(f"locust: {cpu:.0f} s of CPU on this machine for the clients; load average now "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    if "Not all users finished" in (text := log.read_text(errors="replace")):
        print(f"locust: users still busy {args.stop_timeout} s after the end were stopped: their unanswered writes "
              f"are in flight")  # fmt: skip
    parts = parts_of(ledger_path)
    if code not in (0, 1) or not parts:
        print(f"locust exited with {code}, {len(parts)} ledger parts; its output ({log}):")
        print(text[-6000:])
        return 1
    ledger = merge(json.loads(p.read_text()) for p in parts)
    ledger_path.write_text(json.dumps(ledger))
    for part in parts:
        part.unlink()
    problems = report_run(prefix, ledger, elapsed)
    for line in problems:
        print("PROBLEM:", line)
    return 1 if problems else 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report_run(prefix: Path, ledger: dict[str, Any], elapsed: float) -> list[str]:
    """Locust's figures (the CSV files it writes at the very end, else its periodic ones) and the ledger's."""
    if Path(f"{prefix}_final_stats.csv").exists():
        prefix = Path(f"{prefix}_final")
    stats = list(csv.DictReader(open(f"{prefix}_stats.csv", newline="")))  # noqa: SIM115
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    if total:
        print(f"run: {elapsed:.0f} s wall, {total['Request Count']} requests, {float(total['Requests/s']):.1f} "
              f"requests/s, {total['Failure Count']} failures")  # fmt: skip
    print(f"{'request':<36}{'count':>7}{'fail':>6}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  statuses")
    for row in sorted((r for r in stats if r["Name"] != "Aggregated"), key=lambda r: r["Name"]):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(ledger["statuses"].get(row["Name"], {}).items()))
        print(f"{row['Name']:<36}{row['Request Count']:>7}{row['Failure Count']:>6}{row['50%']:>8}{row['95%']:>8}"
              f"{float(row['Max Response Time']):>8.0f}  {statuses}")  # fmt: skip
    if total:
        print(f"{'all':<36}{total['Request Count']:>7}{total['Failure Count']:>6}{total['50%']:>8}{total['95%']:>8}"
              f"{float(total['Max Response Time']):>8.0f}")  # fmt: skip
    problems = []
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        rows = list(csv.DictReader(open(failures, newline="")))  # noqa: SIM115
        if rows:
            print("failures (locust):")
            for row in rows:
                print(f"    {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    exceptions = Path(f"{prefix}_exceptions.csv")
    if exceptions.exists():
        rows = list(csv.DictReader(open(exceptions, newline="")))  # noqa: SIM115
        for row in rows:
            problems.append(f"exception in a locust user x{row['Count']}: {row['Message']}\n{row['Traceback']}")
    print_ledger(ledger)
    if ledger["error_count"]:
        problems.append(f"{ledger['error_count']} requests answered 5xx or an unexpected status, or an outcome was "
                        f"unreadable (not in flight)")  # fmt: skip
        problems += [f"    {e}" for e in ledger["errors"][:30]]
    return problems


def print_ledger(ledger: dict[str, Any]) -> None:
    acked, flight = ledger["acked"], ledger["in_flight"]
    transitions = Counter(t["action"] for t in acked["transitions"])
    steps = "".join(f", {n} {a}" for a, n in sorted(transitions.items()))
    print(f"ledger ({ledger.get('processes', 1)} locust process(es)): acknowledged {len(acked['saves'])} saves "
          f"({sum(len(s['lines']) for s in acked['saves'])} line changes){steps}, {len(acked['uploads'])} uploads, "
          f"{len(acked['texts'])} text saves, {len(acked['generations'])} generation requests")  # fmt: skip
    in_flight = {k: len(v) for k, v in flight.items() if v}
    print(f"in flight (effect unknown): {ledger['in_flight_requests']} requests without an answer from the app; "
          f"writes {in_flight or 'none'}")  # fmt: skip
    for note in ledger["in_flight_notes"][:10]:
        print("   ", note)
    for kind, entries in flight.items():
        for entry in entries[:5]:
            print(f"    {kind} of {entry['user']}: {entry['why']}")
    print("outcomes: " + ", ".join(f"{o}: {n}" for o, n in sorted(ledger["outcomes"].items())))


# verify


def verify(args: argparse.Namespace) -> int:
    setup_django(args)
    seats = json.loads(Path(args.seats).read_text())
    ledger = load_ledger(Path(args.ledger))
    print(machine())
    print(f"database: {db_version()}")
    problems, facts = check(seats, ledger, args.wait)
    for fact in facts:
        print(fact)
    for problem in problems[:80]:
        print("MISMATCH:", problem)
    if len(problems) > 80:
        print(f"... and {len(problems) - 80} more")
    print(f"verification: {'OK, no lost write' if not problems else f'{len(problems)} MISMATCHES'}")
    return 1 if problems else 0


def check(seats: dict[str, Any], ledger: dict[str, Any], wait: float) -> tuple[list[str], list[str]]:
    from kinerja.audit.chain import verify_chain
    from kinerja.audit.models import AuditEvent

    base = seats["baseline"]
    acked, flight = ledger["acked"], ledger["in_flight"]
    problems: list[str] = []
    facts: list[str] = []
    # Jobs first: their files and events land while the workers finish.
    jobs_facts, jobs_problems = check_generation(base, acked["generations"], flight["generations"], wait)
    events = AuditEvent.objects.filter(seq__gt=base["audit_seq"])
    problems += check_lines(base, acked["saves"], flight["saves"], events)
    problems += check_transitions(base, acked["transitions"], flight["transitions"], events)
    ev_facts, ev_problems = check_evidence(base, acked["uploads"], flight["uploads"], events)
    problems += ev_problems + check_texts(base, acked["texts"], flight["texts"], events) + jobs_problems
    report = verify_chain()
    if not report.ok:
        problems.append(f"audit chain broken at seq {report.broken_seq}: {report.reason}")
    facts.append(f"checked: {sum(len(v) for v in base['lines'].values())} lines of {len(base['submissions'])} "
                 f"submissions, {events.count()} new audit events, {ev_facts}, {jobs_facts}; audit chain "
                 f"{'intact' if report.ok else 'BROKEN'} ({report.checked} events)")  # fmt: skip
    writes = {k: (len(acked[k]), len(flight[k])) for k in WRITE_KINDS}
    facts.append("writes (acknowledged, in flight): " + ", ".join(f"{k} {a}/{f}" for k, (a, f) in writes.items()))
    return problems, facts


def check_lines(base: dict[str, Any], acked: list[dict], flight: list[dict], events: Any) -> list[str]:
    from kinerja.collection.models import SubmissionLine

    problems: list[str] = []
    writes: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, entries in ((0, acked), (1, flight)):
        for save in entries:
            for indicator, (version, value) in save["lines"].items():
                writes[(save["sub"], int(indicator))][side].append((version, Decimal(value)))
    subs = [int(s) for s in base["lines"]]
    stored = {(ln.submission_id, ln.indicator_id): ln for ln in SubmissionLine.objects.filter(submission_id__in=subs)}
    for sub, lines in base["lines"].items():
        for indicator, (v0, value0) in lines.items():
            key = (int(sub), int(indicator))
            line = stored[key]
            done, maybe = writes.get(key, ([], []))
            found, allowed = version_chain(f"line {key}", v0, line.version, done, maybe)
            problems += found
            expected = [None if value0 is None else Decimal(value0)] if allowed is None else allowed
            if expected and line.value not in expected:
                problems.append(f"line {key}: stores {line.value}, the last acknowledged save wrote "
                                f"{' or '.join(map(str, expected))}: a LOST WRITE")  # fmt: skip
    saved = list(events.filter(action="collection.lines.saved").values_list("object_id", "after"))
    problems += count_between("collection.lines.saved events", len(saved), len(acked), len(flight))
    named = sum(len(after) for _o, after in saved)
    problems += count_between("lines named by collection.lines.saved events", named,
                              sum(len(s["lines"]) for s in acked), sum(len(s["lines"]) for s in flight))  # fmt: skip
    per_sub = Counter(int(o) for o, _a in saved)
    done = Counter(s["sub"] for s in acked)
    maybe = Counter(s["sub"] for s in flight)
    for sub in set(per_sub) | set(done):
        problems += count_between(f"submission {sub} saves", per_sub[sub], done[sub], maybe[sub])
    return problems


def check_transitions(base: dict[str, Any], acked: list[dict], flight: list[dict], events: Any) -> list[str]:
    from kinerja.collection.models import Review, Submission

    problems: list[str] = []
    # The same user posting the same step from the same form twice (a double click) is one step by design.
    unique = list({(t["sub"], t["version"], t["action"], t["user"]): t for t in acked}.values())
    moves: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, entries in ((0, unique), (1, flight)):
        for t in entries:
            moves[t["sub"]][side].append((t["version"] + 1, t["action"]))
    for sub in Submission.objects.filter(pk__in=[int(s) for s in base["submissions"]]):
        v0, status0 = base["submissions"][str(sub.pk)]
        done, maybe = moves.get(sub.pk, ([], []))
        found, allowed = version_chain(f"submission {sub.pk}", v0, sub.version, done, maybe)
        problems += found
        expected = [status0] if allowed is None else [STATUS_AFTER[a] for a in allowed]
        if expected and sub.status not in expected:
            problems.append(f"submission {sub.pk}: status {sub.status}, the last acknowledged step leaves "
                            f"{' or '.join(expected)}: a LOST WRITE")  # fmt: skip
    subs = [int(s) for s in base["submissions"]]
    reviews = Counter(
        Review.objects.filter(pk__gt=base["review"], submission_id__in=subs).values_list("decision", flat=True)
    )
    for action, decision in DECISION.items():
        n_done = sum(1 for t in unique if t["action"] == action)
        n_maybe = sum(1 for t in flight if t["action"] == action)
        problems += count_between(f"{decision} reviews", reviews[decision], n_done, n_maybe)
        n_events = events.filter(action=f"collection.submission.{decision}").count()
        problems += count_between(f"collection.submission.{decision} events", n_events, n_done, n_maybe)
    return problems


def check_evidence(base: dict[str, Any], acked: list[dict], flight: list[dict], events: Any) -> tuple[str, list[str]]:
    from kinerja.collection.models import Evidence

    problems: list[str] = []
    rows = list(Evidence.objects.filter(pk__gt=base["evidence"]).select_related("line"))
    got = Counter((e.line.submission_id, e.line.indicator_id, e.sha256) for e in rows)
    done = Counter((u["sub"], u["indicator"], u["sha256"]) for u in acked)
    maybe = Counter((u["sub"], u["indicator"], u["sha256"]) for u in flight)
    if lost := done - got:
        problems.append(
            f"evidence: {sum(lost.values())} acknowledged uploads have no row: LOST WRITES {list(lost)[:5]}"
        )
    if extra := got - done - maybe:
        problems.append(f"evidence: {sum(extra.values())} rows no upload asked for {list(extra)[:5]}")
    if twice := [k for k, n in got.items() if n > 1]:
        problems.append(f"evidence: {len(twice)} uploads stored twice")
    added = set(events.filter(action="collection.evidence.added").values_list("object_id", flat=True))
    if added != {str(e.pk) for e in rows}:
        problems.append(f"evidence: {len(added)} collection.evidence.added events for {len(rows)} new rows")
    for e in rows:
        problems += stored_file(f"evidence {e.pk}", e.file, e.sha256)
    # No stray file: every file in the evidence storage belongs to a row (a write in flight may leave one).
    all_names = set(Evidence.objects.values_list("file", flat=True))
    storage = Evidence._meta.get_field("file").storage
    try:
        present = set(walk(storage, "evidence"))
    except NotImplementedError:
        present = all_names
    strays = present - all_names
    if len(strays) > len(flight):
        problems.append(f"evidence: {len(strays)} stored files belong to no row: {sorted(strays)[:5]}")
    if missing := all_names - present:
        problems.append(f"evidence: {len(missing)} rows whose file is not in the storage: {sorted(missing)[:5]}")
    return f"{len(rows)} new evidence files read back ({len(present)} in the storage)", problems


def walk(storage: Any, folder: str) -> list[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = [f"{folder}/{name}" for name in files]
    for sub in folders:
        found += walk(storage, f"{folder}/{sub}")
    return found


def stored_file(label: str, field: Any, sha256: str) -> list[str]:
    """The file through the storage API (local folder or S3 alike) and its SHA-256."""
    if not field.name or not field.storage.exists(field.name):
        return [f"{label}: file {field.name!r} is not in the storage"]
    digest = hashlib.sha256()
    with field.storage.open(field.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        return [f"{label}: the stored file's SHA-256 differs from the recorded one"]
    return []


def check_texts(base: dict[str, Any], acked: list[dict], flight: list[dict], events: Any) -> list[str]:
    from kinerja.documents.models import Document

    problems: list[str] = []
    writes: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, entries in ((0, acked), (1, flight)):
        for t in entries:
            writes[t["doc"]][side].append((t["version"] + 1, t["texts"]))
    for doc in Document.objects.filter(pk__in=[int(d) for d in base["documents"]]):
        v0, texts0 = base["documents"][str(doc.pk)]
        done, maybe = writes.get(doc.pk, ([], []))
        found, allowed = version_chain(f"document {doc.pk}", v0, doc.version, done, maybe)
        problems += found
        expected = [texts0] if allowed is None else [{**texts0, **t} for t in allowed]
        if expected and doc.texts not in expected:
            problems.append(f"document {doc.pk}: texts differ from the last acknowledged save: a LOST WRITE")
        n_events = events.filter(action="documents.texts.saved", object_id=str(doc.pk)).count()
        problems += count_between(f"document {doc.pk} documents.texts.saved events", n_events, len(done), len(maybe))
    return problems


def check_generation(base: dict[str, Any], acked: list[dict], flight: list[dict], wait: float) -> tuple[str, list[str]]:
    from django.conf import settings

    from kinerja.audit.models import AuditEvent
    from kinerja.documents.models import DocumentVersion, GenerationJob

    problems: list[str] = []
    jobs = GenerationJob.objects.filter(pk__gt=base["job"])
    deadline = time.monotonic() + wait
    while jobs.filter(status__in=GenerationJob.ACTIVE).exists() and time.monotonic() < deadline:
        time.sleep(1)
    waited = wait - max(0.0, deadline - time.monotonic())
    rows = list(jobs.order_by("pk"))
    by_doc: dict[int, list[Any]] = defaultdict(list)
    for job in rows:
        by_doc[job.document_id].append(job)
    done = Counter(g["doc"] for g in acked)
    maybe = Counter(g["doc"] for g in flight)
    seen = {g["job"] for g in acked if g["job"]}
    if unknown := seen - {j.pk for j in rows}:
        problems.append(f"generation: jobs {sorted(unknown)} were shown to users but are not new jobs")
    events = AuditEvent.objects.filter(seq__gt=base["audit_seq"])
    versions = DocumentVersion.objects.filter(pk__gt=base["document_version"])
    database_tasks = settings.TASKS["default"]["BACKEND"].endswith("DatabaseBackend")
    task_rows: Counter[int] = Counter()
    failed_tasks: set[int] = set()
    if database_tasks:
        from django_tasks_db.models import DBTaskResult

        for row in DBTaskResult.objects.filter(task_path__endswith="generate_document"):
            args = (row.args_kwargs or {}).get("args") or [0]
            if args[0] > base["job"]:
                task_rows[args[0]] += 1
                if row.status != "SUCCESSFUL":
                    failed_tasks.add(args[0])
    for doc in set(by_doc) | set(done) | set(maybe):
        made = by_doc.get(doc, [])
        # Each acknowledged request is a new job, or the job already waiting or running for the document.
        low = 1 if done[doc] else 0
        if not low <= len(made) <= done[doc] + maybe[doc]:
            problems.append(f"document {doc}: {len(made)} new generation jobs for {done[doc]} acknowledged requests "
                            f"(+{maybe[doc]} in flight)")  # fmt: skip
        for job in made:
            label = f"generation job {job.pk} (document {doc})"
            if job.status != GenerationJob.Status.DONE:
                problems.append(f"{label}: {job.status} after waiting {waited:.0f} s {job.error[:200]}")
                continue
            if job.result_id is None or job.started_at is None or job.finished_at is None:
                problems.append(f"{label}: done without a version or its times")
            if database_tasks and (task_rows[job.pk] != 1 or job.pk in failed_tasks):
                problems.append(f"{label}: {task_rows[job.pk]} task rows (one successful expected)")
        fresh = sorted(j.result_id for j in made if j.status == GenerationJob.Status.DONE and not j.reused)
        new_versions = sorted(versions.filter(document_id=doc).values_list("pk", flat=True))
        if fresh != new_versions:
            problems.append(f"document {doc}: new versions {new_versions}, made by its jobs {fresh}")
        requested = events.filter(action="documents.generation.requested", object_id=str(doc)).count()
        generated = events.filter(action="documents.version.generated", object_id=str(doc)).count()
        if requested != len(made) or generated != len(fresh):
            problems.append(f"document {doc}: {requested} generation.requested and {generated} version.generated "
                            f"events for {len(made)} jobs, {len(fresh)} new versions")  # fmt: skip
    for version in versions.filter(document_id__in=list(by_doc)):
        problems += stored_file(f"document version {version.pk} PDF", version.pdf, version.pdf_sha256)
        for name in ("docx", "xlsx"):
            field = getattr(version, name)
            if field.name and not field.storage.exists(field.name):
                problems.append(f"document version {version.pk}: {name} not in the storage")
    reused = sum(1 for j in rows if j.reused)
    fact = (f"{len(rows)} generation jobs ({reused} reused the last version, {versions.count()} new versions; "
            f"waited {waited:.0f} s for the workers)")  # fmt: skip
    return fact, problems


# single


def single(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kinerja-load-"))
    pg_name = f"kinerja_load_{os.getpid()}"
    for name in ("DATABASE_URL", "REDIS_URL", "PRODUCTION", "TASKS_BACKEND", "FILE_STORAGE", "DJANGO_SETTINGS_MODULE",
                 "EVIDENCE_ROOT", "DOCUMENT_ROOT", "MEDIA_ROOT"):  # fmt: skip
        os.environ.pop(name, None)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "kinerja.settings", "KINERJA_VAR_DIR": str(workdir), "SECRET_KEY":
        secrets.token_urlsafe(50), "DEBUG": "false", "LOG_LEVEL": "ERROR",  # 409s are warnings; errors are wanted
    })  # fmt: skip
    db_args = ["--sqlite", str(workdir / "kinerja.sqlite3")]
    if args.db == "postgres":
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        db_args = ["--database-url", f"{PG_SERVER}/{pg_name}"]
    seats, ledger = workdir / "seats.json", workdir / "ledger.json"
    processes: list[subprocess.Popen[bytes]] = []
    code = 1
    try:
        step = [PYTHON, __file__]
        if subprocess.call([*step, "prepare", *db_args, "--users", str(args.users), "--seats", str(seats),
                            "--periods", str(args.periods)], cwd=ROOT) != 0:  # fmt: skip
            return 1
        if args.db == "postgres":
            os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_name}"
        subprocess.check_call([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT)
        port = args.port or free_port()
        log = open(workdir / "server.log", "wb")  # noqa: SIM115
        # Keep-alive longer than a user's pause: with gunicorn's default (2 s) the server closes idle connections
        # while a client may be sending on them, and the request is reset unanswered (a browser would resend it).
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "kinerja.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
             str(args.workers), "--threads", str(args.threads), "--timeout", "60", "--graceful-timeout", "10",
             "--keep-alive", "30", "--log-level", "warning"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(server)
        wait_for(f"http://127.0.0.1:{port}/login/", server)
        worker_log = open(workdir / "worker.log", "wb")  # noqa: SIM115
        processes.append(subprocess.Popen([PYTHON, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
                                          cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT))  # fmt: skip
        print(f"server: gunicorn {args.workers} workers x {args.threads} threads (keep-alive 30 s), one db_worker, "
              f"DEBUG off, on this machine with the locust users")  # fmt: skip
        ran = subprocess.call([*step, "run", "--host", f"http://127.0.0.1:{port}", "--users", str(args.users),
                               "--seconds", str(args.seconds), "--seats", str(seats), "--ledger", str(ledger)],
                              cwd=ROOT)  # fmt: skip
        if not ledger.exists():
            return 1
        verified = subprocess.call([*step, "verify", *db_args, "--seats", str(seats), "--ledger", str(ledger)],
                                   cwd=ROOT)  # fmt: skip
        for process in reversed(processes):
            stop(process)
        server_errors = report_server_log(workdir / "server.log")
        code = 1 if ran or verified or server_errors else 0
        print(f"single: {'OK' if code == 0 else 'FAILED'} (run {ran}, verify {verified}, server errors "
              f"{server_errors})")  # fmt: skip
        return code
    finally:
        for process in processes:
            stop(process)
        if args.db == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if code == 0 and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir} (logs, seats, ledger, locust CSV)")


def report_server_log(path: Path) -> int:
    text = path.read_text(errors="replace") if path.exists() else ""
    marks = {"Traceback": text.count("Traceback"), "WORKER TIMEOUT": text.count("WORKER TIMEOUT"),
             "database is locked": text.count("database is locked")}  # fmt: skip
    found = {k: n for k, n in marks.items() if n}
    print(f"server log: {found or 'no errors'}")
    if "Traceback" in text:
        first = text.index("Traceback")
        print("    " + text[max(0, first - 400) : first + 3000].replace("\n", "\n    "))
    return sum(found.values())


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Arguments


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def database(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group(required=True)
        group.add_argument("--database-url", help="e.g. postgres://user@host:5432/name")
        group.add_argument("--sqlite", help="the SQLite file (the settings' WAL and IMMEDIATE options apply)")

    p = commands.add_parser("prepare", help="schema, demo, reporting periods, seats")
    database(p)
    p.add_argument("--users", type=int, required=True, help="staff logins to seat (1-999)")
    p.add_argument("--seats", help="the seats file to write (default: beside the SQLite file)")
    p.add_argument("--periods", type=int, default=3, help="reporting periods opened (1-6)")
    p = commands.add_parser("run", help="locust, headless, then its figures and the ledger")
    p.add_argument("--host", required=True)
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--seats", required=True)
    p.add_argument("--ledger", required=True)
    p.add_argument("--spawn-rate", type=float, default=0, help="users started per second (default: all in 10 s)")
    p.add_argument("--processes", type=int, default=1, help="locust processes (locust --processes)")
    p.add_argument("--stop-timeout", type=int, default=60, help="seconds users get to finish their task at the end")
    p.add_argument("--csv", help="prefix of locust's CSV files (default: beside the ledger)")
    p.add_argument("--think", default="0.5,3", help="a user's pause between tasks: min,max seconds")
    p = commands.add_parser("verify", help="the database against the ledger")
    database(p)
    p.add_argument("--seats", required=True)
    p.add_argument("--ledger", required=True)
    p.add_argument("--wait", type=float, default=120, help="seconds to wait for queued generation jobs")
    p = commands.add_parser("single", help="prepare, one gunicorn and one db_worker, run, verify, on this machine")
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--periods", type=int, default=3)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (it is kept anyway on failure)")
    args = parser.parse_args()
    return {"prepare": prepare, "run": run, "verify": verify, "single": single}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
