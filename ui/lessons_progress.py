"""A student's progress through a lesson: the step they are on and, per step, their prediction, the run's
measured result and their one-line explanation.  Pure Python (no Streamlit): JSON in and out, so it is kept
in the Session for the tab and in a ``ProgressStore`` under the browser's identity for reloads.
"""
from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from store.lessons import EXPLANATION_MAX, SqlProgressStore  # noqa: F401  EXPLANATION_MAX: re-exported for the page
from store.lessons import one_line as clean_explanation  # noqa: F401  re-exported for the page

CURVE_POINTS = 100      # cost points kept per step for the result's chart
MAX_LESSONS_KEPT = 50   # per browser in the memory store

PREDICT, RUN, EXPLAIN, DONE = "predict", "run", "explain", "done"


def thin(points: list[tuple[int, float]], limit: int = CURVE_POINTS) -> list[tuple[int, float]]:
    """At most ``limit`` of ``points``, evenly spread, the last one kept."""
    if len(points) <= limit:
        return list(points)
    step = len(points) / limit
    picked = [points[int(i * step)] for i in range(limit - 1)]
    return picked + [points[-1]]


@dataclass
class StepAnswer:
    """One step's answers.  ``prediction``: an option index (choice), a number, or a curve shape."""

    prediction: Any = None
    started: bool = False
    metrics: dict[str, Any] | None = None
    curve: list[tuple[int, float]] = field(default_factory=list)
    explanation: str | None = None

    @property
    def phase(self) -> str:
        """predict -> run -> explain -> done: what the step asks of the student next."""
        if self.prediction is None:
            return PREDICT
        if self.metrics is None:
            return RUN
        if self.explanation is None:
            return EXPLAIN
        return DONE

    def to_dict(self) -> dict[str, Any]:
        return {"prediction": self.prediction, "started": self.started, "metrics": self.metrics,
                "curve": [list(p) for p in self.curve], "explanation": self.explanation}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> StepAnswer:
        metrics = raw.get("metrics")
        return cls(raw.get("prediction"), bool(raw.get("started")),
                   dict(metrics) if isinstance(metrics, dict) else None,
                   [(int(i), float(c)) for i, c in raw.get("curve") or []], raw.get("explanation"))


@dataclass
class LessonProgress:
    lesson_id: str
    step: int = 0
    answers: dict[int, StepAnswer] = field(default_factory=dict)

    def answer(self, step: int | None = None) -> StepAnswer:
        """The answers of ``step`` (default: the current one), created empty on first use."""
        index = self.step if step is None else step
        return self.answers.setdefault(index, StepAnswer())

    def score(self, right: list[bool]) -> str:
        return f"{sum(right)} of {len(right)} predictions right"

    def to_json(self) -> str:
        return json.dumps({"lesson": self.lesson_id, "step": self.step,
                           "answers": {str(k): v.to_dict() for k, v in self.answers.items()}})

    @classmethod
    def from_json(cls, text: str) -> LessonProgress:
        """The progress in ``text`` (ValueError when it is not progress JSON)."""
        try:
            raw = json.loads(text)
            answers = {int(k): StepAnswer.from_dict(v) for k, v in raw["answers"].items()}
            return cls(str(raw["lesson"]), int(raw["step"]), answers)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"Not lesson progress: {exc}") from None


class LessonView:
    """What a tab's lesson page remembers (defined here, not in the page script, which is re-run and would
    define a new class each time): the progress shown, whether the stored one was looked up, the last problem."""

    def __init__(self) -> None:
        self.progress: LessonProgress | None = None
        self.restored = False
        self.problem: str | None = None
        self.solo: str | None = None      # a class code whose lesson this tab chose not to follow
        self.judged: dict = {}            # challenge id -> the server's last judgement of this tab's run


def finite_or_none(value: Any) -> Any:
    """JSON without NaN or infinity (PostgreSQL's JSON refuses them): such floats become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class ProgressStore(Protocol):
    """Where progress outlives a tab: keyed by the browser's token and the lesson."""

    def save(self, owner: str, progress: LessonProgress) -> None: ...

    def load(self, owner: str, lesson_id: str) -> LessonProgress | None: ...

    def latest(self, owner: str) -> LessonProgress | None: ...


class MemoryProgressStore:
    """Progress in this server process (survives reloads, not restarts): one per server, shared by sessions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, dict[str, str]] = {}   # owner -> lesson id -> JSON, the latest last

    def save(self, owner: str, progress: LessonProgress) -> None:
        with self._lock:
            mine = self._rows.setdefault(owner, {})
            mine.pop(progress.lesson_id, None)
            mine[progress.lesson_id] = progress.to_json()
            while len(mine) > MAX_LESSONS_KEPT:
                mine.pop(next(iter(mine)))

    def load(self, owner: str, lesson_id: str) -> LessonProgress | None:
        with self._lock:
            text = self._rows.get(owner, {}).get(lesson_id)
        return None if text is None else LessonProgress.from_json(text)

    def latest(self, owner: str) -> LessonProgress | None:
        with self._lock:
            mine = self._rows.get(owner, {})
            text = mine[next(reversed(mine))] if mine else None
        return None if text is None else LessonProgress.from_json(text)

    def forget(self, owner: str, lesson_id: str) -> None:
        with self._lock:
            self._rows.get(owner, {}).pop(lesson_id, None)


class SqlProgress:
    """A ProgressStore in the database (store.lessons), for reloads on any replica and after restarts."""

    def __init__(self, rows: SqlProgressStore) -> None:
        self._rows = rows

    def save(self, owner: str, progress: LessonProgress) -> None:
        self._rows.save(owner, progress.lesson_id, progress.to_json())

    def load(self, owner: str, lesson_id: str) -> LessonProgress | None:
        text = self._rows.load(owner, lesson_id)
        return None if text is None else LessonProgress.from_json(text)

    def latest(self, owner: str) -> LessonProgress | None:
        text = self._rows.latest(owner)
        return None if text is None else LessonProgress.from_json(text)
