"""Lessons in the store: a browser's progress through each lesson, and the lesson a class board follows with
its students' predictions and explanations.  The same interfaces as ui.lessons_progress.MemoryProgressStore and
ui.lesson_class.MemoryClassStore, for SQLite and PostgreSQL, so several replicas serve one class.

The tables are store.schema's (created by migration 0003).  App-level code: no Streamlit, no ui (the ui
modules import these records).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .database import transaction
from .schema import (  # noqa: F401  LESSON_ID_MAX and EXPLANATION_MAX: re-exported for ui and the page
    EXPLANATION_MAX,
    LESSON_ID_MAX,
    challenge_entries,
    class_answers,
    class_lessons,
    lesson_progress,
)
from .tokens import digest

MAX_STUDENTS = 500        # answers per step (one per student): a class, not the internet
MAX_SHOWN = 6             # explanations on the projector at once


def one_line(raw: object) -> str:
    """A student's explanation as one line of at most EXPLANATION_MAX characters (ValueError when empty)."""
    text = " ".join(str(raw).split())
    if not text:
        raise ValueError("Write your explanation in one line first.")
    return text[:EXPLANATION_MAX]


class ClassError(ValueError):
    """A class action that cannot be done now (no lesson running, another step, too many answers)."""


@dataclass(frozen=True)
class ClassLesson:
    """The lesson a board follows: its step, the teacher's result for that step, the explanations shown."""

    code: str
    lesson_id: str
    step: int = 0
    result: Mapping[str, Any] | None = None        # the step run's metrics (ui.lessons.measure)
    curve: tuple[tuple[int, float], ...] = ()
    shown: tuple[int, ...] = ()                     # answer ids whose explanations are on the projector
    version: int = 0                                # bumped by every teacher action: followers redraw then


@dataclass(frozen=True)
class ClassAnswer:
    id: int
    student: str
    step: int
    prediction: Any
    explanation: str | None = None

TABLES = ("lesson_progress", "class_lessons", "class_answers", "challenge_entries")
NAME_MAX = 40


def entry_name(raw: object) -> str:
    """A challenge entry's display name: one line, at most NAME_MAX characters, "anonymous" when empty."""
    return " ".join(str(raw).split())[:NAME_MAX] or "anonymous"


@dataclass(frozen=True)
class ChallengeEntry:
    """A student's run entered for a challenge, with the figures the server measured from the stored run."""

    id: int
    board_code: str
    challenge: str
    student: str
    name: str
    run_id: str | None
    metrics: Mapping[str, Any]
    meets: bool
    created_at: float


def _finite(metrics: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and v != v or v in (float("inf"), float("-inf")) else v)
            for k, v in metrics.items()}


class SqlChallengeStore:
    """Challenge entries in the database: one per student per challenge per class board."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine, self._clock = engine, clock

    def enter(self, code: str, challenge: str, student: str, name: str, run_id: str | None,
              metrics: Mapping[str, Any], meets: bool) -> ChallengeEntry:
        mine = (challenge_entries.c.board_code == code, challenge_entries.c.challenge == challenge,
                challenge_entries.c.student == student)
        with transaction(self._engine) as conn:
            conn.execute(challenge_entries.delete().where(*mine))
            conn.execute(challenge_entries.insert().values(
                board_code=code, challenge=challenge[:90], student=student, display_name=entry_name(name),
                run_id=run_id, metrics=_json(_finite(metrics)), meets=bool(meets), created_at=self._clock()))
            return _challenge_entry(conn.execute(sa.select(challenge_entries).where(*mine)).one())

    def entries(self, code: str, challenge: str) -> list[ChallengeEntry]:
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(challenge_entries).where(
                challenge_entries.c.board_code == code, challenge_entries.c.challenge == challenge)
                .order_by(challenge_entries.c.id)).all()
        return [_challenge_entry(r) for r in rows]


def _challenge_entry(row: sa.Row) -> ChallengeEntry:
    return ChallengeEntry(int(row.id), row.board_code, row.challenge, row.student, row.display_name, row.run_id,
                          json.loads(row.metrics), bool(row.meets), float(row.created_at))


def has_tables(engine: sa.Engine) -> bool:
    """Whether the database has the lesson tables (migration 0003 ran)."""
    names = set(sa.inspect(engine).get_table_names())
    return all(t in names for t in TABLES)


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=False)


class SqlProgressStore:
    """Progress per browser and lesson, as JSON text (the owner is stored as a digest of the browser token)."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine, self._clock = engine, clock

    def save(self, owner: str, lesson_id: str, text: str) -> None:
        who, lesson_id = digest(owner, "browser token"), lesson_id[:LESSON_ID_MAX]
        with transaction(self._engine) as conn:
            key = (lesson_progress.c.owner == who, lesson_progress.c.lesson_id == lesson_id)
            done = conn.execute(lesson_progress.update().where(*key)
                                .values(progress=text, updated_at=self._clock())).rowcount
            if not done:
                conn.execute(lesson_progress.insert().values(owner=who, lesson_id=lesson_id, progress=text,
                                                             updated_at=self._clock()))

    def _one(self, *where) -> str | None:
        with transaction(self._engine) as conn:
            row = conn.execute(sa.select(lesson_progress.c.progress).where(*where)
                               .order_by(lesson_progress.c.updated_at.desc()).limit(1)).first()
        return None if row is None else row.progress

    def load(self, owner: str, lesson_id: str) -> str | None:
        return self._one(lesson_progress.c.owner == digest(owner, "browser token"),
                         lesson_progress.c.lesson_id == lesson_id)

    def latest(self, owner: str) -> str | None:
        return self._one(lesson_progress.c.owner == digest(owner, "browser token"))


def _lesson(row: sa.Row) -> ClassLesson:
    return ClassLesson(row.board_code, row.lesson_id, int(row.step),
                       None if row.result is None else json.loads(row.result),
                       tuple((int(i), float(c)) for i, c in json.loads(row.curve)),
                       tuple(int(i) for i in json.loads(row.shown)), int(row.version))


def _answer(row: sa.Row) -> ClassAnswer:
    return ClassAnswer(int(row.id), row.student, int(row.step), json.loads(row.prediction), row.explanation)


class SqlClassStore:
    """The lesson each class board follows, in the database (every replica sees the same class)."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine, self._clock = engine, clock

    def _get(self, conn: sa.Connection, code: str) -> ClassLesson:
        row = conn.execute(sa.select(class_lessons).where(class_lessons.c.board_code == code)).first()
        if row is None:
            raise ClassError(f"No lesson is running for class {code}.")
        return _lesson(row)

    def _change(self, conn: sa.Connection, code: str, **values: Any) -> ClassLesson:
        conn.execute(class_lessons.update().where(class_lessons.c.board_code == code)
                     .values(version=class_lessons.c.version + 1, updated_at=self._clock(), **values))
        return self._get(conn, code)

    def start(self, code: str, lesson_id: str) -> ClassLesson:
        with transaction(self._engine) as conn:
            old = conn.execute(sa.select(class_lessons.c.version).where(class_lessons.c.board_code == code)).first()
            conn.execute(class_answers.delete().where(class_answers.c.board_code == code))
            conn.execute(class_lessons.delete().where(class_lessons.c.board_code == code))
            conn.execute(class_lessons.insert().values(
                board_code=code, lesson_id=lesson_id[:LESSON_ID_MAX], step=0, result=None, curve="[]", shown="[]",
                version=(old.version + 1) if old else 1, updated_at=self._clock()))
            return self._get(conn, code)

    def get(self, code: str) -> ClassLesson | None:
        with transaction(self._engine) as conn:
            row = conn.execute(sa.select(class_lessons).where(class_lessons.c.board_code == code)).first()
        return None if row is None else _lesson(row)

    def move(self, code: str, step: int) -> ClassLesson:
        with transaction(self._engine) as conn:
            self._get(conn, code)
            return self._change(conn, code, step=int(step), result=None, curve="[]", shown="[]")

    def set_result(self, code: str, step: int, result: Mapping[str, Any],
                   curve: Sequence[tuple[int, float]]) -> ClassLesson:
        with transaction(self._engine) as conn:
            if self._get(conn, code).step != step:
                raise ClassError("The class has moved to another step.")
            return self._change(conn, code, result=_json(dict(result)),
                                curve=_json([[int(i), float(c)] for i, c in curve]))

    def show(self, code: str, ids: Sequence[int]) -> ClassLesson:
        with transaction(self._engine) as conn:
            lesson = self._get(conn, code)
            known = set(conn.execute(sa.select(class_answers.c.id).where(
                class_answers.c.board_code == code, class_answers.c.step == lesson.step,
                class_answers.c.explanation.is_not(None))).scalars())
            picked = [i for i in dict.fromkeys(int(i) for i in ids) if i in known][:MAX_SHOWN]
            return self._change(conn, code, shown=_json(picked))

    def stop(self, code: str) -> None:
        with transaction(self._engine) as conn:
            conn.execute(class_answers.delete().where(class_answers.c.board_code == code))
            conn.execute(class_lessons.delete().where(class_lessons.c.board_code == code))

    def predict(self, code: str, student: str, step: int, prediction: Any) -> ClassAnswer:
        text = _json(prediction)
        with transaction(self._engine) as conn:
            lesson = self._get(conn, code)
            if lesson.step != step:
                raise ClassError("The class has moved to another step.")
            if lesson.result is not None:
                raise ClassError("The run is in: predictions for this step are closed.")
            mine = (class_answers.c.board_code == code, class_answers.c.step == step,
                    class_answers.c.student == student)
            if conn.execute(class_answers.update().where(*mine).values(prediction=text)).rowcount == 0:
                count = conn.execute(sa.select(sa.func.count()).where(class_answers.c.board_code == code,
                                                                      class_answers.c.step == step)).scalar_one()
                if count >= MAX_STUDENTS:
                    raise ClassError(f"This step already has {MAX_STUDENTS} predictions.")
                conn.execute(class_answers.insert().values(board_code=code, step=step, student=student,
                                                           prediction=text, created_at=self._clock()))
            return _answer(conn.execute(sa.select(class_answers).where(*mine)).one())

    def explain(self, code: str, student: str, step: int, text: str) -> ClassAnswer:
        line = one_line(text)
        with transaction(self._engine) as conn:
            self._get(conn, code)
            mine = (class_answers.c.board_code == code, class_answers.c.step == step,
                    class_answers.c.student == student)
            if conn.execute(class_answers.update().where(*mine).values(explanation=line)).rowcount == 0:
                raise ClassError("Commit a prediction for this step first.")
            return _answer(conn.execute(sa.select(class_answers).where(*mine)).one())

    def answers(self, code: str, step: int) -> list[ClassAnswer]:
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(class_answers).where(class_answers.c.board_code == code,
                                                               class_answers.c.step == step)
                                .order_by(class_answers.c.id)).all()
        return [_answer(r) for r in rows]

    def mine(self, code: str, student: str, step: int) -> ClassAnswer | None:
        with transaction(self._engine) as conn:
            row = conn.execute(sa.select(class_answers).where(
                class_answers.c.board_code == code, class_answers.c.step == step,
                class_answers.c.student == student)).first()
        return None if row is None else _answer(row)
