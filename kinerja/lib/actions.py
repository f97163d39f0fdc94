"""Announcing that an application action was done, to whatever tracks it.

The SOP engine completes the task of a step bound to an action (opening a period, submitting,
approving, verifying) when a user does that action. The apps that do the actions come before the SOP
app in the dependency order and must not import it, so they announce here and the SOP app listens.
Listeners run synchronously inside the caller's transaction: a task is completed together with the
action, or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ActionDone:
    name: str  # e.g. "collection.submit"
    agency_id: int
    by: Any  # the user who did it
    at: datetime
    subjects: tuple[tuple[str, int], ...] = field(default=())  # ("collection.request", 12), ("collection.period", 3)
    outcome: str = ""  # "yes" or "no" for an action that decides (approve / return)
    note: str = ""


_listeners: list[Callable[[ActionDone], None]] = []


def listen(listener: Callable[[ActionDone], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def announce(event: ActionDone) -> None:
    for listener in _listeners:
        listener(event)
