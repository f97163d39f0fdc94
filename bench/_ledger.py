"""The client-side ledger of the locust load test (bench/locustfile.py, bench/load.py), and the checks that compare
it with the database. No Django here: the locust processes import this module too.

Every write a virtual user sends is entered as pending before it leaves. When the server's answer says it was done,
the write moves to `acked`; when the answer says it was refused (a stale form, a step no longer allowed), it is
dropped; when no answer came (connection reset, timeout, 502/503/504 from a proxy, the test stopped first) it moves
to `in_flight`: it may or may not have landed, and the verification accepts both.

Write kinds and their entries (all JSON):
- saves: {"sub", "lines": {indicator: [version written, value]}, "user"}
- transitions: {"sub", "version" (posted), "action" (submit/withdraw/approve/return), "user"}
- uploads: {"sub", "indicator", "sha256", "user"}
- texts: {"doc", "version" (posted), "texts": {key: text}, "user"}
- generations: {"doc", "job" (id, or None when the page after it no longer showed the job), "user"}
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

WRITE_KINDS = ("saves", "transitions", "uploads", "texts", "generations")
MAX_NOTES = 300  # error and in-flight descriptions kept per process; the counts are always complete


class Ledger:
    """One locust process's record of what it wrote."""

    def __init__(self) -> None:
        self.acked: dict[str, list[dict[str, Any]]] = {k: [] for k in WRITE_KINDS}
        self.in_flight: dict[str, list[dict[str, Any]]] = {k: [] for k in WRITE_KINDS}
        self.pending: dict[int, tuple[str, dict[str, Any]]] = {}
        self.sent_at: dict[int, float] = {}
        self.outcomes: Counter[str] = Counter()
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)  # request name -> status -> count
        self.errors: list[str] = []
        self.error_count = 0
        self.in_flight_notes: list[str] = []
        self.in_flight_requests = 0
        self._tokens = itertools.count(1)

    # Writes

    def begin(self, kind: str, entry: dict[str, Any]) -> int:
        token = next(self._tokens)
        self.pending[token] = (kind, entry)
        self.sent_at[token] = time.monotonic()
        return token

    def acknowledge(self, token: int, **more: Any) -> None:
        kind, entry = self.pending.pop(token)
        self.sent_at.pop(token, None)
        entry.update(more)
        self.acked[kind].append(entry)

    def refused(self, token: int) -> None:
        """The server answered that nothing was written."""
        self.pending.pop(token, None)
        self.sent_at.pop(token, None)

    def unknown(self, token: int, why: str) -> None:
        kind, entry = self.pending.pop(token)
        self.sent_at.pop(token, None)
        entry["why"] = why
        self.in_flight[kind].append(entry)

    # Requests

    def status(self, name: str, status: int) -> None:
        self.statuses[name][str(status or "conn-error")] += 1

    def error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_NOTES:
            self.errors.append(text)

    def request_in_flight(self, text: str) -> None:
        self.in_flight_requests += 1
        if len(self.in_flight_notes) < MAX_NOTES:
            self.in_flight_notes.append(text)

    def as_json(self) -> dict[str, Any]:
        in_flight = {k: list(v) for k, v in self.in_flight.items()}
        now = time.monotonic()
        for token, (kind, entry) in self.pending.items():  # the test stopped before the answer came
            why = f"no answer before the test stopped (sent {now - self.sent_at[token]:.0f} s before)"
            in_flight[kind].append({**entry, "why": why})
        return {
            "pid": os.getpid(),
            "acked": self.acked,
            "in_flight": in_flight,
            "outcomes": dict(self.outcomes),
            "statuses": {name: dict(c) for name, c in self.statuses.items()},
            "errors": self.errors,
            "error_count": self.error_count,
            "in_flight_notes": self.in_flight_notes,
            "in_flight_requests": self.in_flight_requests,
        }

    def dump(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.as_json()))
        tmp.replace(path)


def part_path(prefix: str) -> Path:
    """Where one locust process writes its ledger: beside the final one, named by host and process."""
    return Path(f"{prefix}.part-{os.uname().nodename}-{os.getpid()}.json")


def parts_of(prefix: Path) -> list[Path]:
    return sorted(prefix.parent.glob(prefix.name + ".part-*.json"))


def merge(dumps: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The ledgers of several locust processes as one."""
    merged: dict[str, Any] = {
        "processes": 0, "acked": {k: [] for k in WRITE_KINDS}, "in_flight": {k: [] for k in WRITE_KINDS},
        "outcomes": Counter(), "statuses": defaultdict(Counter), "errors": [], "error_count": 0,
        "in_flight_notes": [], "in_flight_requests": 0,
    }  # fmt: skip
    for dump in dumps:
        merged["processes"] += 1
        for side in ("acked", "in_flight"):
            for kind in WRITE_KINDS:
                merged[side][kind].extend(dump[side].get(kind, []))
        merged["outcomes"].update(dump["outcomes"])
        for name, counts in dump["statuses"].items():
            merged["statuses"][name].update(counts)
        merged["errors"].extend(dump["errors"])
        merged["error_count"] += dump["error_count"]
        merged["in_flight_notes"].extend(dump["in_flight_notes"])
        merged["in_flight_requests"] += dump["in_flight_requests"]
    merged["outcomes"] = dict(merged["outcomes"])
    merged["statuses"] = {name: dict(c) for name, c in merged["statuses"].items()}
    return merged


def load(path: Path) -> dict[str, Any]:
    """The merged ledger at `path`, or, when `run` did not merge it, the parts written beside it."""
    if path.exists():
        return json.loads(path.read_text())
    parts = parts_of(path)
    if not parts:
        raise SystemExit(f"no ledger at {path} nor parts beside it")
    return merge(json.loads(p.read_text()) for p in parts)


# Checks


def version_chain(
    label: str, start: int, final: int, acked: list[tuple[int, Any]], in_flight: list[tuple[int, Any]]
) -> tuple[list[str], list[Any] | None]:
    """Compares a row's optimistic version with the writes that moved it.

    Each write produced one version (the version its form was read at, plus one). `acked` and `in_flight` hold
    (version produced, what was written). The acknowledged versions must be distinct and not beyond the stored
    one (else a write was lost); every version between the baseline and the stored one must be produced by an
    acknowledged write or by one in flight (else something unrecorded wrote). Returns the problems and what the
    row may hold now: None for the baseline, else the payloads of the writes that produced the stored version."""
    problems: list[str] = []
    counts = Counter(v for v, _ in acked)
    if twice := sorted(v for v, n in counts.items() if n > 1):
        problems.append(f"{label}: versions {twice} were acknowledged to more than one write: a LOST WRITE")
    if beyond := sorted(v for v in counts if v > final or v <= start):
        problems.append(f"{label}: acknowledged versions {beyond}, stored version {final} (from {start}): a LOST WRITE")
    maybe = {v for v, _ in in_flight}
    if final < start:
        problems.append(f"{label}: the version went back from {start} to {final}")
    gaps = [v for v in range(start + 1, final + 1) if v not in counts and v not in maybe]
    if gaps:
        problems.append(f"{label}: versions {gaps} were written but never acknowledged nor in flight")
    if final <= start:
        return problems, None
    allowed = [p for v, p in acked if v == final] or [p for v, p in in_flight if v == final]
    return problems, allowed


def count_between(label: str, got: int, acked: int, in_flight: int) -> list[str]:
    """One row or event per acknowledged write, and at most one more per write in flight."""
    if acked <= got <= acked + in_flight:
        return []
    extra = f" (+ up to {in_flight} in flight)" if in_flight else ""
    return [f"{label}: {got} in the database, {acked} acknowledged{extra}"]
