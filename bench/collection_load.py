"""Proves that the quarterly collection loses no write under load, and prints its figures.

50 virtual users (threads) log in to the app served by gunicorn and, for two minutes, read their division's
submission, save draft figures, upload evidence, submit and withdraw. Several users share each submission, so
their forms go stale under each other: a stale save must be refused (409), a stale transition refused with a
message, and never a write lost or a request failed. Every write the server acknowledged is written to a
client-side ledger; afterwards the database is read through the ORM and must match the ledger exactly:

- each line's stored value is the value of its last acknowledged save, and its version moved by exactly one
  per acknowledged save (the acknowledged versions are contiguous, none twice);
- one `collection.lines.saved` audit event per acknowledged save, naming exactly the lines it changed;
- one Review row and one `collection.submission.*` audit event per acknowledged submit and withdraw, and each
  submission's version moved by exactly one per acknowledged transition;
- one Evidence row, one `collection.evidence.added` event and one file on disk (same SHA-256) per
  acknowledged upload, and no other file;
- the audit hash chain is intact (audit_verify).

It sets up its own throwaway database: SQLite in a temporary folder (WAL, IMMEDIATE transactions, as in
production) or a fresh PostgreSQL database kinerja_bench_<pid> on postgres://postgres@127.0.0.1:5432, dropped
at the end. The organisation and performance demos are loaded, reporting periods of the demo plan are opened
for Dinas Perhubungan, and 50 staff logins are seated in the sections of its divisions. The users log in with
the production Argon2 hasher (one hash, computed once in the setup, shared by the 50 logins).

Run: .venv/bin/python bench/collection_load.py --db sqlite|postgres [--users 50] [--seconds 120]
Exits non-zero on any mismatch, any 5xx, any connection error or any unexpected status.
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import http.cookiejar
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "kinerja-demo"
PERIODS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2024, 4), (2024, 3)]
KINDS = ["login", "page", "save", "submit", "withdraw", "upload"]
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--periods", type=int, default=3, help="reporting periods opened (1-6)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between a user's steps, seconds")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not 1 <= args.users <= 99 or not 1 <= args.periods <= len(PERIODS):
        parser.error(f"--users is 1-99 (a user's number is written in its figures), --periods 1-{len(PERIODS)}")
    return args


ARGS = parse_args()
WORKDIR = Path(tempfile.mkdtemp(prefix="kinerja-bench-load-"))
PG_NAME = f"kinerja_bench_{os.getpid()}"
# The setup (this process) and the server (gunicorn) read the same settings from the same environment.
for name in ("DATABASE_URL", "REDIS_URL", "PRODUCTION", "DJANGO_SETTINGS_MODULE"):
    os.environ.pop(name, None)
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "kinerja.settings",
    "KINERJA_VAR_DIR": str(WORKDIR),
    "EVIDENCE_ROOT": str(WORKDIR / "evidence"),
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "false",
    "LOG_LEVEL": "ERROR",  # 409s are logged as warnings by Django; only errors (500s) are wanted in the log
})  # fmt: skip
if ARGS.db == "postgres":
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


if ARGS.db == "postgres":
    _pg_admin(f'CREATE DATABASE "{PG_NAME}"')

import django  # noqa: E402
from django.conf import settings  # noqa: E402

# The demo's own logins are never used here; a fast hasher keeps the setup short. The bench users get an
# Argon2 hash made with the production hasher, which the server checks at each login.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connection, connections  # noqa: E402

from kinerja.accounts.hashers import KinerjaArgon2PasswordHasher  # noqa: E402
from kinerja.accounts.models import User  # noqa: E402
from kinerja.audit.models import AuditEvent  # noqa: E402
from kinerja.collection import services  # noqa: E402
from kinerja.collection.models import DataRequest, Evidence, Review, Submission, SubmissionLine  # noqa: E402
from kinerja.measurement.demo import load_performance_demo  # noqa: E402
from kinerja.org.demo import load_demo  # noqa: E402
from kinerja.org.models import Agency, Assignment, Employee, Position, Role, Unit  # noqa: E402
from kinerja.planning.models import Indicator  # noqa: E402
from kinerja.planning.selectors import plan_for  # noqa: E402

# Setup


@dataclass
class Seat:
    username: str
    submission_id: int


@dataclass
class Baseline:
    lines: dict[tuple[int, int], tuple[int, Decimal | None]]  # (submission, indicator) -> (version, value)
    submissions: dict[int, tuple[int, str]]  # submission -> (version, status)
    audit_seq: int
    review_ids: int
    evidence: int


def setup() -> tuple[list[Seat], Baseline, dict[int, dict[int, Decimal]]]:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG is off: pages need the manifest
    load_demo()
    load_performance_demo()
    agency = Agency.objects.get(short_name="Dishub")
    planner = User.objects.get(username="perencanaan")
    units = {u.pk: u for u in Unit.objects.filter(agency=agency)}
    plan = plan_for(agency, PERIODS[0][0])
    assert plan is not None
    divisions = sorted(
        {
            services.division_of(units[i.responsible_unit_id], units).pk
            for i in Indicator.objects.filter(plan=plan, responsible_unit__isnull=False).exclude(
                kind=Indicator.Kind.INDIVIDUAL
            )
        }
    )
    # Staff seats, round-robin over the divisions with indicators and, inside one, over its sections.
    encoded = KinerjaArgon2PasswordHasher().encode(PASSWORD, KinerjaArgon2PasswordHasher().salt())
    positions = list(Position.objects.filter(agency=agency))
    by_division: dict[int, list[str]] = defaultdict(list)
    for n in range(ARGS.users):
        division = units[divisions[n % len(divisions)]]
        sections = sorted((u for u in units.values() if u.parent_id == division.pk), key=lambda u: u.pk)
        seat_unit = sections[(n // len(divisions)) % len(sections)] if sections else division
        username = f"bench{n + 1:02d}"
        user = User.objects.create(username=username, password=encoded)
        employee = Employee.objects.create(agency=agency, name=f"Bench User {n + 1}", nip=f"19900101202001{n + 1:04d}",
                                           user=user)  # fmt: skip
        superior = services.division_head(division, positions)
        position = Position.objects.create(agency=agency, unit=seat_unit, title=f"Pengolah Data {n + 1}",
                                           role=Role.STAFF, superior=superior)  # fmt: skip
        Assignment.objects.create(employee=employee, position=position, start_date=date(2024, 1, 2))
        by_division[division.pk].append(username)
    # Periods: one division submission per division and period; each user works on one of their division's.
    subs: dict[int, list[Submission]] = defaultdict(list)
    for year, quarter in PERIODS[: ARGS.periods]:
        opened = services.open_period(agency=agency, year=year, quarter=quarter, by=planner)
        for request in opened.requests:
            if request.kind == DataRequest.Kind.DIVISION:
                subs[request.unit_id].append(request.submission)
    seats = []
    for division_id, usernames in by_division.items():
        for j, username in enumerate(usernames):
            seats.append(Seat(username, subs[division_id][j % len(subs[division_id])].pk))
    used = {s.submission_id for s in seats}
    lines = SubmissionLine.objects.filter(submission_id__in=used)
    base: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for line in lines:
        if line.value is not None:
            base[line.submission_id][line.indicator_id] = line.value
    baseline = Baseline(
        lines={(ln.submission_id, ln.indicator_id): (ln.version, ln.value) for ln in lines},
        submissions={s.pk: (s.version, s.status) for s in Submission.objects.filter(pk__in=used)},
        audit_seq=AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0,
        review_ids=Review.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        evidence=Evidence.objects.count(),
    )
    for sub in Submission.objects.filter(pk__in=used).select_related("request"):
        assert sub.request.reviewer_id is not None, f"submission {sub.pk} has no reviewer"
    return seats, baseline, base


# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen[bytes]:
    log = WORKDIR / "gunicorn.log"
    command = [str(ROOT / ".venv/bin/gunicorn"), "kinerja.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
               str(ARGS.workers), "--threads", str(ARGS.threads), "--timeout", "60", "--graceful-timeout", "5",
               "--error-logfile", str(log), "--log-level", "warning"]  # fmt: skip
    out = open(WORKDIR / "gunicorn.out", "wb")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {log}\n{log.read_text() if log.exists() else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# The client


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Reply:
    status: int  # 0: connection error
    body: str = ""
    location: str = ""


class Page(html.parser.HTMLParser):
    """What a virtual user reads off the submission page: status, line fields, evidence, forms, messages."""

    FIELD = re.compile(r"^l(\d+)-(version|value|no_data|no_data_reason|factors_helped|factors_hindered|follow_up)$")

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.status = ""
        self.fields: dict[int, dict[str, str]] = defaultdict(dict)
        self.decimal: set[int] = set()
        self.upload: dict[int, str] = {}  # indicator -> upload url
        self.evidence: Counter[int] = Counter()
        self.transitions: dict[str, int] = {}  # action -> version
        self.messages: list[tuple[str, str]] = []
        self._section = 0
        self._form = ""
        self._textarea = ""
        self._message = ""
        self._status_span = False
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section" and a.get("id", "").startswith("line-"):
            self._section = int(a["id"][5:])
        elif tag == "form":
            self._form = a.get("action", "")
            if self._section and "/evidence/" in self._form and "/line/" in self._form:
                self.upload[self._section] = self._form
        elif tag == "input":
            name = a.get("name", "")
            if m := self.FIELD.match(name):
                pk, key = int(m[1]), m[2]
                if key == "no_data":
                    self.fields[pk][key] = "on" if "checked" in a else ""
                else:
                    self.fields[pk][key] = a.get("value", "")
                if key == "value" and a.get("inputmode") == "decimal":
                    self.decimal.add(pk)
            elif name == "version" and (m := re.search(r"/(submit|withdraw)/$", self._form)):
                self.transitions[m[1]] = int(a.get("value", "0"))
        elif tag == "textarea" and self.FIELD.match(a.get("name", "")):
            self._textarea, self._text = a["name"], []
        elif tag == "ul" and "evidence" in a.get("class", "").split() and self._section:
            self.evidence[self._section] += 1
        elif tag == "li" and "message" in a.get("class", "").split():
            self._message, self._text = (a["class"].split() + [""])[1], []
        elif tag == "span" and a.get("id") == "submission-status":
            self._status_span = True
            self.status = a.get("class", "").split()[-1].removeprefix("status-")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            m = self.FIELD.match(self._textarea)
            assert m is not None
            self.fields[int(m[1])][m[2]] = "".join(self._text)
            self._textarea = ""
        elif tag == "li" and self._message:
            self.messages.append((self._message, "".join(self._text).strip()))
            self._message = ""
        elif tag == "form":
            self._form = ""
        elif tag == "section":
            self._section = 0

    def handle_data(self, data: str) -> None:
        if self._textarea or self._message:
            self._text.append(data)

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.messages}


def plain(value: Decimal) -> str:
    """As the form writes it back (kinerja.lib.numbers.input_number): no grouping, a decimal comma."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def parse(text: str) -> Decimal | None:
    return Decimal(text.replace(",", ".")) if text.strip() else None


@dataclass
class Ledger:
    saves: list[tuple[int, dict[int, tuple[int, Decimal]]]] = field(default_factory=list)
    submits: list[tuple[int, int]] = field(default_factory=list)  # (submission, version posted)
    withdraws: list[tuple[int, int]] = field(default_factory=list)
    uploads: list[tuple[int, int, str]] = field(default_factory=list)  # (submission, indicator, sha256)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


class VirtualUser(threading.Thread):
    def __init__(self, seat: Seat, base: dict[int, Decimal], port: int, barrier: threading.Barrier, rng: random.Random,
                 clock: dict[str, float]) -> None:  # fmt: skip
        super().__init__(name=seat.username, daemon=True)
        self.seat, self.base, self.barrier, self.rng, self.clock = seat, base, barrier, rng, clock
        self.root = f"http://127.0.0.1:{port}"
        self.page_url = f"/collection/submission/{seat.submission_id}/"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.ledger = Ledger()
        self.uploads = 0
        self.number = int(seat.username.removeprefix("bench"))  # 1-99

    # HTTP

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def call(self, kind: str, path: str, data: dict[str, str] | None = None,
             upload: tuple[str, bytes] | None = None) -> Reply:  # fmt: skip
        body, headers = None, {}
        if data is not None or upload is not None:
            data = {"csrfmiddlewaretoken": self.csrf(), **(data or {})}
            if upload is None:
                body = urllib.parse.urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body, headers["Content-Type"] = multipart(data, upload)
        request = urllib.request.Request(self.root + path, data=body, headers=headers)
        start = time.perf_counter()
        try:
            try:
                with self.opener.open(request, timeout=90) as response:
                    reply = Reply(response.status, response.read().decode())
            except urllib.error.HTTPError as exc:
                reply = Reply(exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", ""))
        except (urllib.error.URLError, OSError) as exc:
            reply = Reply(0, str(exc))
        self.ledger.times[kind].append(time.perf_counter() - start)
        self.ledger.statuses[kind][reply.status] += 1
        if reply.status == 0 or reply.status >= 500:
            self.ledger.errors.append(f"{self.name} {kind} {path}: {reply.status} {reply.body[:200]}")
        return reply

    def follow(self, reply: Reply) -> Page | None:
        """A browser follows the redirect after a POST: the page it lands on carries the outcome."""
        if reply.status != 302:
            return None
        path = urllib.parse.urlsplit(reply.location).path or self.page_url
        landed = self.call("page", path)
        return Page(landed.body) if landed.status == 200 else None

    def unexpected(self, kind: str, reply: Reply) -> None:
        self.ledger.outcomes[f"{kind}: unexpected {reply.status}"] += 1
        if 0 < reply.status < 500:
            self.ledger.errors.append(f"{self.name} {kind}: unexpected status {reply.status}")

    # Steps

    def login(self) -> bool:
        self.call("page", "/login/")
        self.jar.set_cookie(_cookie("django_language", "en"))
        reply = self.call("login", "/login/", {"username": self.seat.username, "password": PASSWORD})
        if reply.status != 302:
            self.ledger.errors.append(f"{self.name} login: {reply.status}")
            return False
        return True

    def read(self) -> Page | None:
        reply = self.call("page", self.page_url)
        if reply.status != 200:
            self.unexpected("page", reply)
            return None
        return Page(reply.body)

    def save(self, page: Page) -> Page | None:
        numeric = [pk for pk in page.decimal if pk in self.base and page.fields[pk].get("value")
                   and not page.fields[pk].get("no_data")]  # fmt: skip
        if not numeric:
            return None
        changes: dict[int, Decimal] = {}
        for pk in self.rng.sample(numeric, min(len(numeric), self.rng.choice((1, 1, 2)))):
            current = parse(page.fields[pk]["value"])
            for _try in range(5):
                new = self.nearby(self.base[pk])
                if new != current:
                    changes[pk] = new
                    break
        if not changes:
            return None
        data: dict[str, str] = {}
        for pk, values in page.fields.items():
            for key, value in values.items():
                if key == "no_data" and not value:
                    continue
                data[f"l{pk}-{key}"] = value
        for pk, value in changes.items():
            data[f"l{pk}-value"] = plain(value)
        reply = self.call("save", self.page_url, data)
        if reply.status == 409:
            self.ledger.outcomes["save: conflict (409)"] += 1
            return None
        if reply.status == 200:
            self.ledger.outcomes["save: form errors or warnings (200)"] += 1
            return None
        if reply.status != 302:
            self.unexpected("save", reply)
            return None
        landed = self.follow(reply)
        if landed is None:
            self.ledger.outcomes["save: 302, outcome unread"] += 1
            self.ledger.errors.append(f"{self.name} save: acknowledged but the page after it was not read")
            return None
        if "success" in landed.tags:
            text = next(t for tag, t in landed.messages if tag == "success")
            count = int(re.search(r"\d+", text)[0])  # type: ignore[index]
            if count != len(changes):
                self.ledger.errors.append(f"{self.name} save: {count} lines saved, {len(changes)} changed")
            versions = {pk: (int(page.fields[pk]["version"]) + 1, value) for pk, value in changes.items()}
            self.ledger.saves.append((self.seat.submission_id, versions))
            self.ledger.outcomes["save: saved"] += 1
        elif "error" in landed.tags:
            self.ledger.outcomes["save: refused, no longer editable"] += 1
        else:
            self.ledger.outcomes[f"save: other outcome {sorted(landed.tags)}"] += 1
            self.ledger.errors.append(f"{self.name} save: outcome {landed.messages}")
        return landed

    def nearby(self, base: Decimal) -> Decimal:
        """A plausible figure at most 5 % below the original one (never over 100 %, never far from history),
        with the user's number in the 3rd and 4th decimal places. Two users never type the same figure: a
        figure equal to the stored one is not a change and is skipped by design ("Nothing was changed"),
        which would leave the ledger unable to tell which line of a two-line save was written."""
        rounded = (base * (1 - Decimal(self.rng.randint(0, 500)) / 10000)).quantize(Decimal("0.01"))
        return max(Decimal(0), rounded - Decimal("0.01")) + Decimal(self.number) / 10000

    def transition(self, action: str, page: Page) -> Page | None:
        version = page.transitions[action]
        reply = self.call(action, f"{self.page_url}{action}/", {"version": str(version)})
        if reply.status == 400 and action == "submit":
            self.ledger.outcomes["submit: incomplete (400)"] += 1
            return None
        if reply.status != 302:
            self.unexpected(action, reply)
            return None
        landed = self.follow(reply)
        if landed is None:
            self.ledger.errors.append(f"{self.name} {action}: acknowledged but the page after it was not read")
            return None
        if "success" in landed.tags:
            (self.ledger.submits if action == "submit" else self.ledger.withdraws).append(
                (self.seat.submission_id, version)
            )
            self.ledger.outcomes[f"{action}: done"] += 1
        elif "error" in landed.tags:
            self.ledger.outcomes[f"{action}: refused, stale"] += 1
        else:
            self.ledger.errors.append(f"{self.name} {action}: outcome {landed.messages}")
        return landed

    def upload(self, page: Page, pk: int) -> Page | None:
        self.uploads += 1
        content = PDF + f"{self.name}-{self.uploads}".encode()
        reply = self.call("upload", page.upload[pk], upload=("bukti.pdf", content))
        if reply.status != 302:
            self.unexpected("upload", reply)
            return None
        landed = self.follow(reply)
        if landed is None:
            self.ledger.errors.append(f"{self.name} upload: acknowledged but the page after it was not read")
            return None
        if "success" in landed.tags:
            self.ledger.uploads.append((self.seat.submission_id, pk, hashlib.sha256(content).hexdigest()))
            self.ledger.outcomes["upload: attached"] += 1
        elif "error" in landed.tags:
            self.ledger.outcomes["upload: refused, no longer editable"] += 1
        else:
            self.ledger.errors.append(f"{self.name} upload: outcome {landed.messages}")
        return landed

    def step(self, page: Page | None) -> Page | None:
        if page is None:
            return self.read()
        if page.status in ("draft", "returned") and page.fields:
            missing = [pk for pk, f in page.fields.items() if not f.get("no_data") and not page.evidence[pk]
                       and pk in page.upload]  # fmt: skip
            if missing:
                return self.upload(page, self.rng.choice(missing))
            if "submit" in page.transitions and self.rng.random() < 0.15:
                return self.transition("submit", page)
            return self.save(page)
        if page.status == "submitted" and "withdraw" in page.transitions and self.rng.random() < 0.5:
            return self.transition("withdraw", page)
        return None  # read the page again

    def run(self) -> None:
        ok = self.login()
        self.barrier.wait()
        if not ok:
            return
        page: Page | None = None
        while time.monotonic() < self.clock["end"]:
            page = self.step(page)
            time.sleep(self.rng.uniform(0, 2 * ARGS.think))


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None,
                                 False, None, None, {})  # fmt: skip


def multipart(data: dict[str, str], upload: tuple[str, bytes]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in data.items()]  # fmt: skip
    name, content = upload
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")  # fmt: skip
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# Verification


def verify(ledger: Ledger, baseline: Baseline) -> list[str]:
    problems: list[str] = []
    used = set(baseline.submissions)
    # Lines: versions moved once per acknowledged save, the value is the last acknowledged one.
    acks: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    for sub, lines in ledger.saves:
        for pk, (version, value) in lines.items():
            acks[(sub, pk)].append((version, value))
    stored = {(ln.submission_id, ln.indicator_id): ln for ln in SubmissionLine.objects.filter(submission_id__in=used)}
    for key, (v0, value0) in baseline.lines.items():
        line = stored[key]
        got = sorted(acks.get(key, []), key=lambda a: a[0])
        versions = [v for v, _ in got]
        expected_value = got[-1][1] if got else value0
        if versions != list(range(v0 + 1, v0 + 1 + len(got))):
            problems.append(f"line {key}: acknowledged versions {versions} are not {v0 + 1}..{v0 + len(got)}")
        if line.version != v0 + len(got):
            problems.append(f"line {key}: version {line.version}, expected {v0} + {len(got)} acknowledged saves")
        if line.value != expected_value:
            problems.append(f"line {key}: stored {line.value}, last acknowledged {expected_value}: a LOST WRITE")
    new_events = AuditEvent.objects.filter(seq__gt=baseline.audit_seq)
    saved = list(new_events.filter(action="collection.lines.saved").values_list("object_id", "after"))
    if len(saved) != len(ledger.saves):
        problems.append(f"{len(saved)} collection.lines.saved events, {len(ledger.saves)} acknowledged saves")
    changed_lines = sum(len(lines) for _sub, lines in ledger.saves)
    if sum(len(after) for _o, after in saved) != changed_lines:
        problems.append(f"saved events name {sum(len(a) for _o, a in saved)} lines, acknowledged {changed_lines}")
    per_sub = Counter(int(o) for o, _a in saved)
    if per_sub != Counter(sub for sub, _l in ledger.saves):
        problems.append("collection.lines.saved events per submission differ from the acknowledged saves")
    # Transitions.
    reviews = Counter(Review.objects.filter(pk__gt=baseline.review_ids).values_list("decision", flat=True))
    for decision, acked in (("submitted", ledger.submits), ("withdrawn", ledger.withdraws)):
        events = new_events.filter(action=f"collection.submission.{decision}").count()
        if reviews[decision] != len(acked) or events != len(acked):
            problems.append(
                f"{decision}: {reviews[decision]} reviews, {events} audit events, {len(acked)} acknowledged"
            )
    moves: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for action, acked in (("submit", ledger.submits), ("withdraw", ledger.withdraws)):
        for sub, version in acked:
            moves[sub].append((version, action))
    for sub in Submission.objects.filter(pk__in=used):
        v0, status0 = baseline.submissions[sub.pk]
        got = sorted(moves.get(sub.pk, []))
        if [v for v, _a in got] != list(range(v0, v0 + len(got))):
            problems.append(f"submission {sub.pk}: acknowledged transition versions {[v for v, _ in got]}")
        if sub.version != v0 + len(got):
            problems.append(f"submission {sub.pk}: version {sub.version}, expected {v0} + {len(got)} transitions")
        status = {"submit": "submitted", "withdraw": "draft"}[got[-1][1]] if got else status0
        if sub.status != status:
            problems.append(f"submission {sub.pk}: status {sub.status}, the last acknowledged step leaves {status}")
    # Evidence: rows, events and files.
    rows = list(Evidence.objects.select_related("line"))
    new_rows = len(rows) - baseline.evidence
    events = new_events.filter(action="collection.evidence.added").count()
    if new_rows != len(ledger.uploads) or events != len(ledger.uploads):
        problems.append(f"evidence: {new_rows} rows, {events} audit events, {len(ledger.uploads)} acknowledged uploads")
    in_rows = {(e.line.submission_id, e.line.indicator_id, e.sha256) for e in rows}
    if missing := set(ledger.uploads) - in_rows:
        problems.append(f"evidence: {len(missing)} acknowledged uploads have no row")
    root = Path(settings.EVIDENCE_ROOT)
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    if on_disk != {e.file.name for e in rows}:
        problems.append(f"evidence: {len(on_disk)} files on disk, {len(rows)} rows (files differ)")
    for e in rows:
        path = root / e.file.name
        if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() != e.sha256:
            problems.append(f"evidence {e.pk}: the file's SHA-256 differs from the row's")
    try:
        call_command("audit_verify", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError as exc:
        problems.append(f"audit_verify: {exc}")
    return problems


# Report


def db_version() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (WAL, IMMEDIATE transactions)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000:.0f}"


def main() -> int:
    start = time.perf_counter()
    seats, baseline, base = setup()
    subs = Counter(s.submission_id for s in seats)
    lines = len(baseline.lines)
    print(f"machine: {platform.platform()}, {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {db_version()}")  # fmt: skip
    print(f"server: gunicorn {ARGS.workers} workers x {ARGS.threads} threads, DEBUG off; the {ARGS.users} "
          f"client threads run on the same machine")  # fmt: skip
    print(f"setup: {time.perf_counter() - start:.1f} s; {ARGS.periods} periods open, {len(subs)} division "
          f"submissions worked on ({lines} lines), {min(subs.values())}-{max(subs.values())} users on each")  # fmt: skip
    connections.close_all()
    port = ARGS.port or free_port()
    server = start_server(port)
    ledger = Ledger()
    try:
        clock = {"end": float("inf")}
        barrier = threading.Barrier(ARGS.users + 1)
        rng = random.Random(ARGS.seed)
        users = [VirtualUser(seat, base[seat.submission_id], port, barrier, random.Random(rng.random()), clock)
                 for seat in seats]  # fmt: skip
        login_start = time.monotonic()
        for user in users:
            user.start()
        barrier.wait()
        run_start = time.monotonic()
        clock["end"] = run_start + ARGS.seconds
        print(f"logins: {ARGS.users} in {run_start - login_start:.1f} s (Argon2, all at once)")
        for user in users:
            user.join(ARGS.seconds + 120)
        elapsed = time.monotonic() - run_start
    finally:
        stop_server(server)
    for user in users:
        for name in ("saves", "submits", "withdraws", "uploads", "errors"):
            getattr(ledger, name).extend(getattr(user.ledger, name))
        for kind, times in user.ledger.times.items():
            ledger.times[kind].extend(times)
        for kind, statuses in user.ledger.statuses.items():
            ledger.statuses[kind].update(statuses)
        ledger.outcomes.update(user.ledger.outcomes)
    total = sum(len(ledger.times[k]) for k in KINDS if k != "login")
    print(f"run: {ARGS.users} users, {elapsed:.0f} s, {total} requests, {total / elapsed:.1f} requests/s "
          f"(think time 0-{2 * ARGS.think:.1f} s between steps)")  # fmt: skip
    print(f"{'kind':<9}{'count':>7}{'median ms':>11}{'p95 ms':>8}{'max ms':>8}  statuses")
    for kind in KINDS:
        times = ledger.times.get(kind, [])
        statuses = ", ".join(f"{s or 'conn-error'}: {n}" for s, n in sorted(ledger.statuses[kind].items()))
        median = f"{statistics.median(times) * 1000:.0f}" if times else "-"
        print(f"{kind:<9}{len(times):>7}{median:>11}{ms(times, 0.95):>8}{ms(times, 1):>8}  {statuses}")
    print("outcomes:")
    for outcome, n in sorted(ledger.outcomes.items()):
        print(f"    {outcome}: {n}")
    conflicts = ledger.outcomes["save: conflict (409)"]
    stale = sum(n for o, n in ledger.outcomes.items() if "refused" in o)
    print(f"conflicts: {conflicts} stale saves refused with 409, {stale} stale steps refused with a message")
    five = sum(n for st in ledger.statuses.values() for s, n in st.items() if s >= 500)
    conn = sum(st[0] for st in ledger.statuses.values())
    print(f"errors: {five} 5xx, {conn} connection errors, {len(ledger.errors) - five - conn} other client-side")
    for line in ledger.errors[:10]:
        print("   ", line)
    log = (WORKDIR / "gunicorn.log").read_text(errors="replace") if (WORKDIR / "gunicorn.log").exists() else ""
    if "Traceback" in log:
        print("gunicorn error log (first traceback):")
        first = log.index("Traceback")
        print("    " + log[first : first + 4000].replace("\n", "\n    "))
    print(f"acknowledged: {len(ledger.saves)} saves ({sum(len(x) for _s, x in ledger.saves)} line changes), "
          f"{len(ledger.submits)} submits, {len(ledger.withdraws)} withdrawals, {len(ledger.uploads)} uploads")  # fmt: skip
    problems = verify(ledger, baseline)
    events = AuditEvent.objects.filter(seq__gt=baseline.audit_seq).count()
    print(f"verification: {lines} lines, {len(subs)} submissions, {events} new audit events, "
          f"{Evidence.objects.count()} evidence files checked; audit chain "
          f"{'intact' if not any(p.startswith('audit_verify') for p in problems) else 'BROKEN'}")  # fmt: skip
    for problem in problems[:50]:
        print("    MISMATCH:", problem)
    if problems:
        print(f"lost writes or miscounts: {len(problems)} mismatches")
    else:
        print("no lost writes: OK")
    return 1 if problems or ledger.errors else 0


def cleanup() -> None:
    connections.close_all()
    if ARGS.db == "postgres":
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    try:
        code = main()
    finally:
        cleanup()
    sys.exit(code)
