"""Locust users of Kinerja at the quarterly deadline; run through `bench/load.py run` (see its docstring).

The seats file written by `bench/load.py prepare` (env KINERJA_SEATS) says who logs in and what each login may touch:

- staff (most users): read their division's submission, save figures with the line versions the form was read at
  (a stale save answers 409 and is no write), upload a small PDF as evidence, submit and withdraw; they also open
  the home page, their inbox and their section's dashboard;
- reviewers (the division heads): take what waits in their inbox and approve it or return it with a note;
- the planning head: the agency dashboard, the period board, returns approved data for correction, and writes and
  generates documents (a letter of his own and the demo's LKjIP draft, which queues a background task);
- the administrator: documents, the dashboard and the board;
- readers (the head of the agency, the evaluator): the home page, the dashboard, the board, a submission.

Every write is entered in the ledger (bench/_ledger.py) before it is sent and settled by the answer; each locust
process writes its ledger as JSON beside the path in env KINERJA_LEDGER when the test stops.
"""

from __future__ import annotations

import csv
import hashlib
import html.parser
import itertools
import json
import logging
import os
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.exception import StopUser
from locust.runners import WorkerRunner
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _ledger import Ledger, part_path  # noqa: E402

if "KINERJA_SEATS" not in os.environ or "KINERJA_LEDGER" not in os.environ:
    raise SystemExit("bench/locustfile.py needs KINERJA_SEATS and KINERJA_LEDGER: run it through bench/load.py run")
SEATS: dict[str, Any] = json.loads(Path(os.environ["KINERJA_SEATS"]).read_text())
LEDGER = Ledger()
IN_FLIGHT = {0, 502, 503, 504}  # no answer from the application: its effect is unknown
TIMEOUT = float(os.environ.get("KINERJA_TIMEOUT", "120"))
WAIT = tuple(float(x) for x in os.environ.get("KINERJA_WAIT", "0.5,3").split(","))  # think time between tasks, s
PDF_HEAD = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n% "
LINE_FIELD = re.compile(r"^l(\d+)-(version|value|no_data|no_data_reason|factors_helped|factors_hindered|follow_up)$")
TRANSITION = re.compile(r"/collection/submission/\d+/(submit|withdraw|approve|return)/$")
UPLOAD = re.compile(r"/collection/line/\d+/evidence/$")
SUBMISSION_LINK = re.compile(r'href="/collection/submission/(\d+)/"')


@events.test_stop.add_listener
def _dump_at_stop(**_kwargs: Any) -> None:
    if LEDGER.pending:
        logging.warning("test stopped with %s writes unanswered: they are counted in flight", len(LEDGER.pending))
    _dump()


@events.quitting.add_listener
def _dump_at_quit(environment: Any, **_kwargs: Any) -> None:
    _dump()
    prefix = os.environ.get("KINERJA_FINAL_CSV")
    if prefix and not isinstance(environment.runner, WorkerRunner):
        # Locust's own CSV files are rewritten once a second while the test runs, so the requests of the last
        # second (users finishing their task after the time is up) can be missing; these are written after them.
        final = StatsCSV(environment, PERCENTILES_TO_REPORT)
        for name, write in (("stats", final.requests_csv), ("failures", final.failures_csv),
                            ("exceptions", final.exceptions_csv)):  # fmt: skip
            with open(f"{prefix}_final_{name}.csv", "w", newline="") as handle:
                write(csv.writer(handle))


def _dump() -> None:
    if any(LEDGER.statuses.values()) or LEDGER.pending:  # a master process without users writes nothing
        LEDGER.dump(part_path(os.environ["KINERJA_LEDGER"]))


# Reading pages


class Html(html.parser.HTMLParser):
    """What a user reads off a page: forms and their hidden fields, named fields anywhere (the submission's line
    fields sit outside their form, joined by form="lines"), the evidence of each line, messages and status."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.fields: dict[str, str] = {}
        self.decimal: set[str] = set()
        self.section = ""
        self.upload: dict[int, str] = {}  # indicator -> upload url
        self.evidence: Counter[int] = Counter()
        self.messages: list[tuple[str, str]] = []
        self.status = ""
        self.job: tuple[int, str] | None = None
        self._form: dict[str, Any] | None = None
        self._text_of: str = ""
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "section":
            self.section = a.get("id", "")
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "id": a.get("id", ""), "fields": {}}
            self.forms.append(self._form)
            if self.section.startswith("line-") and UPLOAD.search(self._form["action"]):
                self.upload[int(self.section[5:])] = self._form["action"]
        elif tag == "input":
            name = a.get("name", "")
            value = ("on" if "checked" in a else "") if a.get("type") == "checkbox" else a.get("value", "")
            if self._form is not None and not a.get("form"):
                self._form["fields"][name] = value
            if name:
                self.fields[name] = value
                if a.get("inputmode") == "decimal":
                    self.decimal.add(name)
        elif tag == "textarea":
            self._text_of, self._text = a.get("name", ""), []
        elif tag == "ul" and "evidence" in classes and self.section.startswith("line-"):
            self.evidence[int(self.section[5:])] += 1
        elif tag == "li" and "message" in classes:
            self._text_of, self._text = "message:" + (classes + [""])[1], []
        elif tag == "span" and a.get("id") == "submission-status":
            self.status = classes[-1].removeprefix("status-")
        elif tag == "div" and a.get("id") == "job":
            found = re.search(r"/documents/job/(\d+)/", a.get("hx-get", ""))
            self.job = (int(found[1]) if found else 0, classes[-1].removeprefix("job-"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._text_of:
            self.fields[self._text_of] = "".join(self._text)
            self._text_of = ""
        elif tag == "li" and self._text_of.startswith("message:"):
            self.messages.append((self._text_of[8:], "".join(self._text).strip()))
            self._text_of = ""
        elif tag == "form":
            self._form = None
        elif tag == "section":
            self.section = ""

    def handle_data(self, data: str) -> None:
        if self._text_of:
            self._text.append(data)

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.messages}

    def form(self, pattern: str) -> dict[str, Any] | None:
        return next((f for f in self.forms if re.search(pattern, f["action"])), None)


class SubmissionPage:
    """The submission form as a preparer or reviewer sees it."""

    def __init__(self, text: str) -> None:
        page = Html(text)
        self.html = page
        self.status = page.status
        self.messages = page.messages
        self.tags = page.tags
        self.upload = page.upload
        self.evidence = page.evidence
        self.lines: dict[int, dict[str, str]] = defaultdict(dict)
        self.decimal: set[int] = set()
        for name, value in page.fields.items():
            if m := LINE_FIELD.match(name):
                self.lines[int(m[1])][m[2]] = value
                if name in page.decimal:
                    self.decimal.add(int(m[1]))
        self.transitions: dict[str, int] = {}
        for f in page.forms:
            if (m := TRANSITION.search(f["action"])) and f["fields"].get("version", "").isdigit():
                self.transitions.setdefault(m[1], int(f["fields"]["version"]))


def plain(value: Decimal) -> str:
    """A figure as the form writes it back: no grouping, a decimal comma."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def parse(text: str) -> Decimal | None:
    return Decimal(text.replace(",", ".")) if text.strip() else None


@dataclass
class Reply:
    status: int
    text: str = ""
    location: str = ""

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


# Seats

_counters: dict[str, itertools.count[int]] = defaultdict(itertools.count)


def take_seat(kind: str, environment: Any) -> dict[str, Any]:
    """The next seat of a kind in this process; several processes interleave by their worker index."""
    seats = SEATS[kind]
    stride = max(1, int(os.environ.get("KINERJA_PROCESSES", "1")))
    index = getattr(environment.runner, "worker_index", 0) or 0
    return seats[(next(_counters[kind]) * stride + index) % len(seats)]


# Users


class KinerjaUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    seat_kind = ""

    def on_start(self) -> None:
        self.seat = take_seat(self.seat_kind, self.environment)
        self.username: str = self.seat["username"]
        self.rng = random.Random(f"{self.username}-{os.getpid()}-{id(self)}")
        self.writes = 0
        self.login()

    # HTTP

    def csrf(self) -> str:
        for name in ("csrftoken", "__Host-csrftoken"):
            if value := self.client.cookies.get(name):
                return value
        return ""

    def call(self, name: str, path: str, data: dict[str, str] | None = None, files: dict[str, Any] | None = None,
             expect: tuple[int, ...] = (200,)) -> Reply:  # fmt: skip
        """One request; statuses outside `expect` are failures (5xx and unexpected ones also ledger errors), and
        one without an answer from the application is in flight."""
        method = "GET" if data is None and files is None else "POST"
        kwargs: dict[str, Any] = {"name": name, "allow_redirects": False, "catch_response": True, "timeout": TIMEOUT}
        if method == "POST":
            kwargs["data"] = {"csrfmiddlewaretoken": self.csrf(), **(data or {})}
            kwargs["files"] = files
            kwargs["headers"] = {"Referer": self.host.rstrip("/") + path}
        with self.client.request(method, path, **kwargs) as response:
            status = response.status_code or 0
            LEDGER.status(name, status)
            reply = Reply(status, response.text or "" if status else "", response.headers.get("Location", ""))
            if status in IN_FLIGHT:
                why = str(status) if status else f"no answer: {getattr(response, 'error', '')}"[:200]
                LEDGER.request_in_flight(f"{self.username} {name} {path}: {why}")
                response.failure(f"in flight: {why}")
            elif status >= 500:
                LEDGER.error(f"{self.username} {name} {path}: {status}")
                response.failure(f"server error {status}")
            elif status not in expect:
                LEDGER.error(f"{self.username} {name} {path}: unexpected status {status}")
                response.failure(f"unexpected status {status}")
            else:
                response.success()
        return reply

    def follow(self, reply: Reply, name: str) -> str | None:
        """A browser follows the redirect after a POST; the page it lands on carries the outcome."""
        path = re.sub(r"^https?://[^/]+", "", reply.location).split("#")[0]
        landed = self.call(name, path or "/")
        return landed.text if landed.status == 200 else None

    def login(self) -> None:
        self.call("GET /login/", "/login/")
        self.client.cookies.set("django_language", "en")
        reply = self.call("POST /login/", "/login/", {"username": self.username, "password": SEATS["password"]},
                          expect=(302,))  # fmt: skip
        if reply.status != 302:
            raise StopUser()

    # What every user reads

    def home(self) -> None:
        self.call("GET / (home)", "/")

    def inbox(self) -> Reply:
        return self.call("GET inbox", "/collection/")

    def agency_dashboard(self) -> None:
        self.call("GET agency dashboard", f"/performance/agency/{SEATS['agency']}/")

    def division_dashboard(self) -> None:
        self.call("GET division dashboard", f"/performance/division/{self.seat['unit']}/")

    def board(self) -> None:
        self.call("GET period board", f"/collection/period/{self.rng.choice(SEATS['periods'])}/")

    def open_submission(self, pk: int) -> SubmissionPage | None:
        reply = self.call("GET submission", f"/collection/submission/{pk}/")
        return SubmissionPage(reply.text) if reply.status == 200 else None

    # Writes shared by preparers and reviewers

    def transition(self, pk: int, page: SubmissionPage, action: str, note: str = "") -> SubmissionPage | None:
        """Submit, withdraw, approve or return. A step someone else made stale answers with an error message."""
        version = page.transitions[action]
        token = LEDGER.begin("transitions", {"sub": pk, "version": version, "action": action, "user": self.username})
        data = {"version": str(version)}
        if note:
            data["note"] = note
        reply = self.call(f"POST {action}", f"/collection/submission/{pk}/{action}/", data, expect=(302, 400))
        if reply.in_flight:
            LEDGER.unknown(token, f"{action}: {reply.status}")
            return None
        if reply.status == 400 and action == "submit":  # incomplete: the form again with the marked lines
            LEDGER.refused(token)
            LEDGER.outcomes["submit: incomplete (400)"] += 1
            return None
        if reply.status != 302:
            LEDGER.refused(token)
            return None
        text = self.follow(reply, "GET submission (after a step)")
        landed = SubmissionPage(text) if text is not None else None
        if landed is None:
            LEDGER.unknown(token, f"{action}: 302, the page after it was not read")
        elif "success" in landed.tags:
            LEDGER.acknowledge(token)
            LEDGER.outcomes[f"{action}: done"] += 1
        elif "error" in landed.tags:
            LEDGER.refused(token)
            LEDGER.outcomes[f"{action}: refused, stale"] += 1
        else:
            LEDGER.unknown(token, f"{action}: no message")
            LEDGER.error(f"{self.username} {action}: no outcome message {landed.messages}")
        return landed


class StaffUser(KinerjaUser):
    """A preparer of a division's data (staff of one of its sections)."""

    weight = 1
    seat_kind = "staff"

    def on_start(self) -> None:
        super().on_start()
        self.sub: int = self.seat["submission"]
        self.number: int = self.seat["number"]
        self.base = {int(k): Decimal(v) for k, v in self.seat["base"].items()}
        self.page: SubmissionPage | None = None

    @task(12)
    def work(self) -> None:
        """Reads the form (or acts on the page the last step landed on) and does what the draft needs next."""
        if self.page is None or self.rng.random() < 0.3:
            self.page = self.open_submission(self.sub)
        page = self.page
        self.page = None
        if page is None:
            return
        if page.status in ("draft", "returned") and page.lines:
            missing = [pk for pk in page.upload if not page.evidence[pk] and not page.lines[pk].get("no_data")]
            if missing:
                self.upload(page, self.rng.choice(missing))
            elif self.rng.random() < 0.05 and page.upload:
                self.upload(page, self.rng.choice(sorted(page.upload)))
            elif "submit" in page.transitions and self.rng.random() < 0.2:
                self.page = self.transition(self.sub, page, "submit")
            else:
                self.save(page)
        elif page.status == "submitted" and "withdraw" in page.transitions and self.rng.random() < 0.3:
            self.page = self.transition(self.sub, page, "withdraw")

    @task(2)
    def read_home(self) -> None:
        self.home()

    @task(2)
    def read_inbox(self) -> None:
        self.inbox()

    @task(1)
    def read_dashboard(self) -> None:
        self.division_dashboard()

    def figure(self, base: Decimal) -> Decimal:
        """A plausible figure up to 5 % under the line's figure at the start, ending in this seat's number
        (1-999) in the last three of the four decimal places: two seats never type the same figure, so a save
        never meets the same value stored by someone else ("nothing changed") and the ledger always knows what
        each line holds."""
        scaled = base * (1 - Decimal(self.rng.randint(0, 500)) / 10000) - Decimal("0.1")
        floor = max(Decimal(0), scaled).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
        return floor + Decimal(self.number) / 10000

    def save(self, page: SubmissionPage) -> None:
        numeric = [pk for pk in page.decimal if pk in self.base and page.lines[pk].get("value")
                   and not page.lines[pk].get("no_data")]  # fmt: skip
        if not numeric:
            return
        changes: dict[int, Decimal] = {}
        for pk in self.rng.sample(numeric, min(len(numeric), self.rng.choice((1, 1, 2)))):
            new = self.figure(self.base[pk])
            if new != parse(page.lines[pk]["value"]):
                changes[pk] = new
        if not changes:
            return
        data = {f"l{pk}-{key}": value for pk, fields in page.lines.items() for key, value in fields.items()
                if not (key == "no_data" and not value)}  # fmt: skip
        for pk, value in changes.items():
            data[f"l{pk}-value"] = plain(value)
        lines = {str(pk): [int(page.lines[pk]["version"]) + 1, str(value)] for pk, value in changes.items()}
        token = LEDGER.begin("saves", {"sub": self.sub, "lines": lines, "user": self.username})
        reply = self.call("POST save", f"/collection/submission/{self.sub}/", data, expect=(302, 409, 200))
        if reply.in_flight:
            LEDGER.unknown(token, f"save: {reply.status}")
            return
        if reply.status == 409:
            LEDGER.refused(token)
            LEDGER.outcomes["save: conflict (409)"] += 1
            return
        if reply.status != 302:
            LEDGER.refused(token)
            LEDGER.outcomes[f"save: form shown again ({reply.status}, warnings or problems)"] += 1
            return
        text = self.follow(reply, "GET submission (after a save)")
        landed = SubmissionPage(text) if text is not None else None
        self.page = landed
        if landed is None:
            LEDGER.unknown(token, "save: 302, the page after it was not read")
        elif "success" in landed.tags:
            text = next(t for tag, t in landed.messages if tag == "success")
            count = re.search(r"\d+", text)
            if count is None or int(count[0]) != len(changes):
                LEDGER.unknown(token, f"save: {text!r}, {len(changes)} lines changed")
                LEDGER.error(f"{self.username} save: {text!r} after changing {len(changes)} lines")
            else:
                LEDGER.acknowledge(token)
                LEDGER.outcomes["save: saved"] += 1
        elif "error" in landed.tags:
            LEDGER.refused(token)
            LEDGER.outcomes["save: refused, no longer editable"] += 1
        else:
            LEDGER.unknown(token, f"save: {landed.messages}")
            LEDGER.error(f"{self.username} save: outcome {landed.messages}")

    def upload(self, page: SubmissionPage, pk: int) -> None:
        self.writes += 1
        content = PDF_HEAD + f"{self.username} {os.getpid()} {id(self)} {self.writes}\n".encode()
        sha = hashlib.sha256(content).hexdigest()
        token = LEDGER.begin("uploads", {"sub": self.sub, "indicator": pk, "sha256": sha, "user": self.username})
        files = {"file": ("bukti.pdf", content, "application/pdf")}
        reply = self.call("POST evidence", page.upload[pk], {}, files=files, expect=(302,))
        if reply.in_flight:
            LEDGER.unknown(token, f"upload: {reply.status}")
            return
        if reply.status != 302:
            LEDGER.refused(token)
            return
        text = self.follow(reply, "GET submission (after an upload)")
        landed = SubmissionPage(text) if text is not None else None
        self.page = landed
        if landed is None:
            LEDGER.unknown(token, "upload: 302, the page after it was not read")
        elif "success" in landed.tags:
            LEDGER.acknowledge(token)
            LEDGER.outcomes["upload: attached"] += 1
        elif "error" in landed.tags:
            LEDGER.refused(token)
            LEDGER.outcomes["upload: refused, no longer editable"] += 1
        else:
            LEDGER.unknown(token, f"upload: {landed.messages}")
            LEDGER.error(f"{self.username} upload: outcome {landed.messages}")


class ReviewerUser(KinerjaUser):
    """A division head: approves or returns what waits in the inbox."""

    weight = 0
    fixed_count = len(SEATS["reviewers"])
    seat_kind = "reviewers"

    @task(6)
    def review(self) -> None:
        inbox = self.inbox()
        mine = set(self.seat["submissions"])
        waiting = sorted({int(pk) for pk in SUBMISSION_LINK.findall(inbox.text)} & mine)
        if not waiting:
            return
        pk = self.rng.choice(waiting)
        page = self.open_submission(pk)
        if page is None or page.status != "submitted" or "approve" not in page.transitions:
            return
        if self.rng.random() < 0.6:
            self.transition(pk, page, "approve")
        else:
            self.transition(pk, page, "return", note=f"Lengkapi bukti dukung ({self.username}).")

    @task(1)
    def read_home(self) -> None:
        self.home()

    @task(1)
    def read_dashboard(self) -> None:
        self.division_dashboard()


class DocumentsMixin(KinerjaUser):
    abstract = True

    def documents(self) -> None:
        """Opens one of the seat's documents, sometimes rewrites the letter's body, and asks for generation."""
        doc = self.rng.choice(self.seat["documents"])
        reply = self.call("GET document", f"/documents/{doc}/")
        if reply.status != 200:
            return
        page = Html(reply.text)
        texts_form = page.form(rf"/documents/{doc}/texts/$")
        if doc in self.seat["letters"] and texts_form is not None and self.rng.random() < 0.5:
            self.save_texts(doc, page, texts_form)
        if page.form(rf"/documents/{doc}/generate/$") is not None:
            self.generate(doc)

    def save_texts(self, doc: int, page: Html, form: dict[str, Any]) -> None:
        self.writes += 1
        texts = {name[5:]: value.replace("\r\n", "\n").strip() for name, value in page.fields.items()
                 if name.startswith("text_")}  # fmt: skip
        texts["body"] = f"Surat uji beban dari {self.username}, tulisan ke-{self.writes} (proses {os.getpid()})."
        version = int(form["fields"]["version"])
        token = LEDGER.begin("texts", {"doc": doc, "version": version, "texts": texts, "user": self.username})
        data = {"version": str(version), **{f"text_{k}": v for k, v in texts.items()}}
        reply = self.call("POST document texts", f"/documents/{doc}/texts/", data, expect=(302, 409))
        if reply.in_flight:
            LEDGER.unknown(token, f"texts: {reply.status}")
        elif reply.status == 302:
            LEDGER.acknowledge(token)
            LEDGER.outcomes["texts: saved"] += 1
        else:
            LEDGER.refused(token)
            LEDGER.outcomes[f"texts: refused ({reply.status})"] += 1

    def generate(self, doc: int) -> None:
        token = LEDGER.begin("generations", {"doc": doc, "job": None, "user": self.username})
        reply = self.call("POST document generate", f"/documents/{doc}/generate/", {}, expect=(302,))
        if reply.in_flight:
            LEDGER.unknown(token, f"generate: {reply.status}")
            return
        if reply.status != 302:
            LEDGER.refused(token)
            return
        text = self.follow(reply, "GET document (after generate)")
        landed = Html(text) if text is not None else None
        job = landed.job[0] if landed is not None and landed.job and landed.job[0] else None
        LEDGER.acknowledge(token, job=job)
        LEDGER.outcomes["generate: queued"] += 1
        if job and self.rng.random() < 0.5:
            self.call("GET document job (progress)", f"/documents/job/{job}/")


class PlannerUser(DocumentsMixin):
    """The planning head: the board and dashboard, returns approved data, writes and generates documents."""

    weight = 0
    fixed_count = len(SEATS["planners"])
    seat_kind = "planners"

    @task(3)
    def check_approved(self) -> None:
        pk = self.rng.choice(self.seat["submissions"])
        page = self.open_submission(pk)
        if page is not None and page.status == "approved" and "return" in page.transitions:
            self.transition(pk, page, "return", note="Periksa kembali capaian dan bukti dukung.")

    @task(2)
    def read_board(self) -> None:
        self.board()

    @task(2)
    def read_dashboard(self) -> None:
        self.agency_dashboard()

    @task(2)
    def work_on_documents(self) -> None:
        self.documents()

    @task(1)
    def read_inbox(self) -> None:
        self.inbox()


class ComposerUser(DocumentsMixin):
    """The agency's administrator: documents, the dashboard and the board."""

    weight = 0
    fixed_count = len(SEATS["composers"])
    seat_kind = "composers"

    @task(3)
    def work_on_documents(self) -> None:
        self.documents()

    @task(2)
    def read_dashboard(self) -> None:
        self.agency_dashboard()

    @task(1)
    def read_board(self) -> None:
        self.board()

    @task(1)
    def read_home(self) -> None:
        self.home()


class ReaderUser(KinerjaUser):
    """The head of the agency and the evaluator, watching the deadline."""

    weight = 0
    fixed_count = len(SEATS["readers"])
    seat_kind = "readers"

    @task(3)
    def read_dashboard(self) -> None:
        self.agency_dashboard()

    @task(2)
    def read_board(self) -> None:
        self.board()

    @task(2)
    def read_submission(self) -> None:
        self.open_submission(self.rng.choice(SEATS["submissions"]))

    @task(1)
    def read_home(self) -> None:
        self.home()

    @task(1)
    def read_inbox(self) -> None:
        self.inbox()
