"""A lesson taught to a whole class: the teacher of a class board starts a lesson, students' devices follow its
step, each student commits one prediction per step, the projector shows them as a histogram beside the
teacher's run, and students send one-line explanations the teacher may show without names.

Pure Python (no Streamlit).  ``MemoryClassStore`` keeps it in the server process (one server);
store.lessons.SqlClassStore is the same interface in the database, for several replicas.  The page checks that
only the board's teacher starts, moves, runs or shows; students are known by a digest of their browser token.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from store.lessons import (  # noqa: F401  the class records are store.lessons'; re-exported for the page
    EXPLANATION_MAX,
    MAX_SHOWN,
    MAX_STUDENTS,
    ClassAnswer,
    ClassError,
    ClassLesson,
)
from store.lessons import one_line as clean_explanation  # noqa: F401
from ui.lessons import CURVE_SHAPES, Prediction

NUMBER_BINS = 8


def student_key(token: str) -> str:
    """A student as the class store knows them: a digest of the browser token, never the token."""
    return hashlib.sha256(f"lesson-student:{token}".encode()).hexdigest()


class ClassLessonStore(Protocol):
    def start(self, code: str, lesson_id: str) -> ClassLesson: ...
    def get(self, code: str) -> ClassLesson | None: ...
    def move(self, code: str, step: int) -> ClassLesson: ...
    def set_result(self, code: str, step: int, result: Mapping[str, Any],
                   curve: Sequence[tuple[int, float]]) -> ClassLesson: ...
    def show(self, code: str, ids: Sequence[int]) -> ClassLesson: ...
    def stop(self, code: str) -> None: ...
    def predict(self, code: str, student: str, step: int, prediction: Any) -> ClassAnswer: ...
    def explain(self, code: str, student: str, step: int, text: str) -> ClassAnswer: ...
    def answers(self, code: str, step: int) -> list[ClassAnswer]: ...
    def mine(self, code: str, student: str, step: int) -> ClassAnswer | None: ...


@dataclass
class _Room:
    lesson: ClassLesson
    answers: dict[tuple[int, str], ClassAnswer] = field(default_factory=dict)


class MemoryClassStore:
    """Class lessons in this server process, for every session of it (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}
        self._next_id = 1
        self._clock = clock

    def _room(self, code: str) -> _Room:
        room = self._rooms.get(code)
        if room is None:
            raise ClassError(f"No lesson is running for class {code}.")
        return room

    def _change(self, room: _Room, **changes: Any) -> ClassLesson:
        room.lesson = replace(room.lesson, version=room.lesson.version + 1, **changes)
        return room.lesson

    def start(self, code: str, lesson_id: str) -> ClassLesson:
        with self._lock:
            old = self._rooms.get(code)
            version = old.lesson.version + 1 if old else 1
            self._rooms[code] = _Room(ClassLesson(code, lesson_id, version=version))
            return self._rooms[code].lesson

    def get(self, code: str) -> ClassLesson | None:
        with self._lock:
            room = self._rooms.get(code)
            return None if room is None else room.lesson

    def move(self, code: str, step: int) -> ClassLesson:
        with self._lock:
            room = self._room(code)
            return self._change(room, step=int(step), result=None, curve=(), shown=())

    def set_result(self, code: str, step: int, result: Mapping[str, Any],
                   curve: Sequence[tuple[int, float]]) -> ClassLesson:
        with self._lock:
            room = self._room(code)
            if room.lesson.step != step:
                raise ClassError("The class has moved to another step.")
            return self._change(room, result=dict(result), curve=tuple((int(i), float(c)) for i, c in curve))

    def show(self, code: str, ids: Sequence[int]) -> ClassLesson:
        with self._lock:
            room = self._room(code)
            known = {a.id for a in room.answers.values() if a.step == room.lesson.step and a.explanation}
            picked = tuple(i for i in dict.fromkeys(int(i) for i in ids) if i in known)
            return self._change(room, shown=picked[:MAX_SHOWN])

    def stop(self, code: str) -> None:
        with self._lock:
            self._rooms.pop(code, None)

    def predict(self, code: str, student: str, step: int, prediction: Any) -> ClassAnswer:
        """A student's prediction for the class's current step, before its result is in (one per student)."""
        with self._lock:
            room = self._room(code)
            if room.lesson.step != step:
                raise ClassError("The class has moved to another step.")
            if room.lesson.result is not None:
                raise ClassError("The run is in: predictions for this step are closed.")
            key = (step, student)
            if key not in room.answers and sum(1 for s, _ in room.answers if s == step) >= MAX_STUDENTS:
                raise ClassError(f"This step already has {MAX_STUDENTS} predictions.")
            old = room.answers.get(key)
            answer = ClassAnswer(old.id if old else self._take_id(), student, step, prediction)
            room.answers[key] = answer  # no new version: followers redraw only when the teacher acts
            return answer

    def explain(self, code: str, student: str, step: int, text: str) -> ClassAnswer:
        """A student's one-line explanation (after their prediction; shown without a name, if the teacher picks it)."""
        line = clean_explanation(text)
        with self._lock:
            room = self._room(code)
            old = room.answers.get((step, student))
            if old is None:
                raise ClassError("Commit a prediction for this step first.")
            answer = replace(old, explanation=line[:EXPLANATION_MAX])
            room.answers[(step, student)] = answer
            return answer

    def answers(self, code: str, step: int) -> list[ClassAnswer]:
        with self._lock:
            room = self._rooms.get(code)
            if room is None:
                return []
            return sorted((a for (s, _), a in room.answers.items() if s == step), key=lambda a: a.id)

    def mine(self, code: str, student: str, step: int) -> ClassAnswer | None:
        with self._lock:
            room = self._rooms.get(code)
            return None if room is None else room.answers.get((step, student))

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1


# ----- what the projector shows ----------------------------------------------------------------------------
def _number_bins(p: Prediction, values: Sequence[float], result: float | None) -> list[tuple[float, float]]:
    if p.unit == "%":
        return [(i / 10, (i + 1) / 10) for i in range(10)]
    points = [v for v in [*values, result] if v is not None and math.isfinite(v)]
    low, high = (min(points), max(points)) if points else (p.low, p.high)
    if high <= low:
        return [(low, low)]
    width = (high - low) / NUMBER_BINS
    return [(low + i * width, low + (i + 1) * width) for i in range(NUMBER_BINS)]


def _bin_label(p: Prediction, lo: float, hi: float) -> str:
    if p.unit == "%":
        return f"{lo:.0%}–{hi:.0%}"
    if lo == hi:
        return f"{lo:,.4g}"
    return f"{lo:,.4g}–{hi:,.4g}"


def _bin_of(bins: list[tuple[float, float]], value: float) -> int:
    for i, (lo, hi) in enumerate(bins):
        if lo <= value < hi:
            return i
    return len(bins) - 1 if value >= bins[-1][0] else 0


def histogram(p: Prediction, predictions: Sequence[Any], result: Mapping[str, Any] | None = None
              ) -> tuple[list[tuple[str, int]], str | None]:
    """(one (label, count) per possible answer, the label the run's result falls in or None before the run)."""
    if p.kind in ("choice", "curve"):
        keys = list(range(len(p.options))) if p.kind == "choice" else list(CURVE_SHAPES)
        labels = list(p.options) if p.kind == "choice" else [s for s in CURVE_SHAPES]
        counts = [sum(1 for x in predictions if x == k) for k in keys]
        if result is None:
            hit = None
        elif p.kind == "choice":
            assert p.answer is not None, "a choice prediction always has an answer (checked when its file is read)"
            hit = labels[p.answer]
        else:
            hit = result.get("curve_shape")
        return list(zip(labels, counts, strict=True)), hit
    values = [float(x) for x in predictions if isinstance(x, (int, float)) and math.isfinite(x)]
    got = None if result is None or result.get(p.metric) is None else float(result[p.metric])
    bins = _number_bins(p, values, got)
    counts = [0] * len(bins)
    for v in values:
        counts[_bin_of(bins, v)] += 1
    labels = [_bin_label(p, lo, hi) for lo, hi in bins]
    return list(zip(labels, counts, strict=True)), None if got is None else labels[_bin_of(bins, got)]
