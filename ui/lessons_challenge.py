"""Challenges: a target a student's own run must meet ("at least 90% on the flower with one hidden layer"),
judged by the server from the run as the store holds it: its stored parameters are loaded and measured on the
challenge's own data.  No figure a browser sends is ever used; an entry that does not meet the target is kept
but never ranked.  Pure Python (no Streamlit).
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import dnn
from dnn.data import Dataset
from store import StoredRun, restore_trainer
from store.lessons import ChallengeEntry, entry_name
from ui.lessons import Challenge, format_metric, measure


@dataclass(frozen=True)
class Judgement:
    meets: bool
    metrics: dict[str, Any]
    failures: tuple[str, ...] = ()
    problem: str | None = None      # why the run could not be judged at all


def describe(challenge: Challenge) -> str:
    """The target in words: ``test accuracy ≥ 90% · hidden layers = 1``."""
    parts = []
    for c in challenge.checks:
        low = None if c.at_least is None else format_metric(c.metric, c.at_least)
        high = None if c.at_most is None else format_metric(c.metric, c.at_most)
        name = c.metric.replace("_", " ")
        if c.equals is not None:
            parts.append(f"{name} = {c.equals}")
        elif low is not None and low == high:
            parts.append(f"{name} = {low}")
        else:
            parts.append(" ".join(p for p in (f"{low} ≤" if low else "", name, f"≤ {high}" if high else "") if p))
    return " · ".join(parts)


def judge_run(challenge: Challenge, run: dnn.Trainer) -> Judgement:
    """A run (at the challenge's data) measured against the target."""
    metrics = measure(run)
    failures = tuple(f"{c.metric.replace('_', ' ')}: {format_metric(c.metric, metrics.get(c.metric))}"
                     for c in challenge.checks if not c.holds(metrics))
    return Judgement(not failures and run.iteration > 0, metrics, failures,
                     None if run.iteration > 0 else "The run has not trained yet.")


def judge_stored(challenge: Challenge, stored: StoredRun, dataset: Dataset) -> Judgement:
    """The stored run's parameters restored on the challenge's own data and measured there (the store names a
    run's data by its key, e.g. "flower"; a toy set's options are not stored, and need not be: the parameters
    are measured on the challenge's own points)."""
    if stored.summary.dataset not in (challenge.data, dataset.name):
        return Judgement(False, {}, (), f"This run was trained on “{stored.summary.dataset}”; the challenge is on "
                                        f"“{dataset.name}”.")
    try:
        run = restore_trainer(stored, dataset.X_train, dataset.train_y, dataset.X_test, dataset.test_y)
    except ValueError as exc:
        return Judgement(False, {}, (), f"This run cannot be judged: {exc}")
    return judge_run(challenge, run)


def score(challenge: Challenge, metrics: Mapping[str, Any]) -> float:
    value = metrics.get(challenge.rank)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else float("-inf")


def ranking(challenge: Challenge, entries: list[ChallengeEntry]) -> list[ChallengeEntry]:
    """The entries that meet the target, best first (by the challenge's rank metric, then the earliest)."""
    met = [e for e in entries if e.meets]
    return sorted(met, key=lambda e: (-score(challenge, e.metrics), e.created_at, e.id))


class ChallengeStore(Protocol):
    def enter(self, code: str, challenge: str, student: str, name: str, run_id: str | None,
              metrics: Mapping[str, Any], meets: bool) -> ChallengeEntry: ...
    def entries(self, code: str, challenge: str) -> list[ChallengeEntry]: ...


class MemoryChallengeStore:
    """Challenge entries in this server process (one per student per challenge per class)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock, self._clock = threading.Lock(), clock
        self._rows: dict[tuple[str, str, str], ChallengeEntry] = {}
        self._next = 1

    def enter(self, code: str, challenge: str, student: str, name: str, run_id: str | None,
              metrics: Mapping[str, Any], meets: bool) -> ChallengeEntry:
        with self._lock:
            entry = ChallengeEntry(self._next, code, challenge, student, entry_name(name), run_id, dict(metrics),
                                   bool(meets), self._clock())
            self._next += 1
            self._rows[(code, challenge, student)] = entry
            return entry

    def entries(self, code: str, challenge: str) -> list[ChallengeEntry]:
        with self._lock:
            return sorted((e for (c, ch, _), e in self._rows.items() if c == code and ch == challenge),
                          key=lambda e: e.id)
