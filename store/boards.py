"""Class boards: a teacher opens one under a short code, students submit run summaries under a display name.

Anyone with the code can read a board and submit to it while it is open; only the teacher token that
opened it can remove entries, close or reopen it.
"""
from __future__ import annotations

import time
from typing import Callable

import sqlalchemy as sa

from .database import transaction
from .errors import BoardClosed, NotFound, QuotaExceeded
from .limits import DAY, Limits
from .records import NAME_MAX, TITLE_MAX, Board, BoardEntry, EntrySummary, clean_text
from .schema import board_entries, boards
from .tokens import digest, new_board_code, normalise_code

_CODE_ATTEMPTS = 8


def _board(row: sa.Row) -> Board:
    return Board(row.code, row.title, bool(row.is_open), float(row.created_at))


def _entry(row: sa.Row) -> BoardEntry:
    try:
        summary, problem = EntrySummary.from_json(row.summary), ""
    except ValueError as exc:
        summary, problem = None, f"This entry is damaged and cannot be shown: {exc}."
    return BoardEntry(int(row.id), row.display_name, row.run_id, float(row.created_at), summary, problem)


class BoardStore:
    """Class boards in the store (see store.open_store)."""

    def __init__(self, engine: sa.Engine, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        self._engine, self.limits, self._clock = engine, limits, clock

    def open(self, teacher: str, title: str) -> Board:
        """A new open board with a fresh code, owned by the browser token ``teacher``."""
        who, title, now = digest(teacher, "teacher token"), clean_text(title, "class title", TITLE_MAX), self._clock()
        self.purge_expired(now)
        with transaction(self._engine) as conn:
            mine = conn.execute(sa.select(sa.func.count()).where(boards.c.teacher == who)).scalar()
            if mine >= self.limits.boards_per_teacher:
                raise QuotaExceeded(f"You already have {mine} class boards, the most allowed: close and let "
                                    "old ones expire, or reuse one.")
            taken = set(conn.execute(sa.select(boards.c.code)).scalars())
            for _ in range(_CODE_ATTEMPTS):
                code = new_board_code()
                if code not in taken:
                    break
            else:
                raise QuotaExceeded("No free class code was found; try again.")
            conn.execute(boards.insert().values(code=code, teacher=who, title=title, is_open=True,
                                                created_at=now, updated_at=now))
        return Board(code, title, True, now)

    def get(self, code: str) -> Board:
        try:
            code = normalise_code(code)
        except ValueError as exc:
            raise NotFound(str(exc)) from None
        with transaction(self._engine) as conn:
            row = conn.execute(sa.select(boards).where(boards.c.code == code)).first()
        if row is None:
            raise NotFound(f"There is no class board {code} (it may have expired).")
        return _board(row)

    def is_teacher(self, code: str, teacher: str) -> bool:
        """Whether ``teacher`` opened this board (False for an unknown or malformed code)."""
        try:
            code, who = normalise_code(code), digest(teacher)
        except ValueError:
            return False
        with transaction(self._engine) as conn:
            return conn.execute(sa.select(boards.c.code)
                                .where(boards.c.code == code, boards.c.teacher == who)).first() is not None

    def of_teacher(self, teacher: str) -> list[Board]:
        """The boards this browser opened, newest first."""
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(boards).where(boards.c.teacher == digest(teacher))
                                .order_by(boards.c.created_at.desc())).all()
        return [_board(r) for r in rows]

    def set_open(self, code: str, teacher: str, is_open: bool) -> Board:
        """Close (or reopen) a board; NotFound unless ``teacher`` opened it."""
        board = self._own(code, teacher)
        with transaction(self._engine) as conn:
            conn.execute(boards.update().where(boards.c.code == board.code)
                         .values(is_open=bool(is_open), updated_at=self._clock()))
        return Board(board.code, board.title, bool(is_open), board.created_at)

    def submit(self, code: str, submitter: str, display_name: str, summary: EntrySummary,
               run_id: str | None = None) -> int:
        """Add an entry (a run submitted again replaces its earlier entry); returns the entry id."""
        who, name = digest(submitter, "browser token"), clean_text(display_name, "display name", NAME_MAX)
        if not isinstance(summary, EntrySummary):
            raise ValueError("summary must be an EntrySummary.")
        board = self.get(code)
        with transaction(self._engine) as conn:
            is_open = conn.execute(sa.select(boards.c.is_open).where(boards.c.code == board.code)).scalar()
            if not is_open:
                raise BoardClosed(f"The class board {board.code} is closed and takes no more entries.")
            mine = board_entries.c.board_code == board.code, board_entries.c.submitter == who
            if run_id is not None:
                conn.execute(board_entries.delete().where(*mine, board_entries.c.run_id == run_id))
            if conn.execute(sa.select(sa.func.count()).where(*mine)).scalar() >= self.limits.entries_per_student:
                raise QuotaExceeded(f"You already have {self.limits.entries_per_student} entries on this board, "
                                    "the most allowed; ask the teacher to remove one.")
            total = conn.execute(sa.select(sa.func.count()).where(board_entries.c.board_code == board.code)).scalar()
            if total >= self.limits.entries_per_board:
                raise QuotaExceeded(f"The class board {board.code} is full ({total} entries).")
            return int(conn.execute(board_entries.insert().values(
                board_code=board.code, submitter=who, run_id=run_id, display_name=name,
                summary=summary.to_json(), created_at=self._clock())).inserted_primary_key[0])

    def entries(self, code: str) -> list[BoardEntry]:
        """Every entry of a board, oldest first; a damaged one comes back with ``problem`` set."""
        board = self.get(code)
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(board_entries).where(board_entries.c.board_code == board.code)
                                .order_by(board_entries.c.created_at, board_entries.c.id)).all()
        return [_entry(r) for r in rows]

    def remove(self, code: str, teacher: str, entry_id: int) -> None:
        """The teacher removes one entry."""
        board = self._own(code, teacher)
        with transaction(self._engine) as conn:
            conn.execute(board_entries.delete().where(board_entries.c.board_code == board.code,
                                                      board_entries.c.id == int(entry_id)))

    def purge_expired(self, now: float | None = None) -> int:
        """Delete boards (and their entries) older than board_ttl_days."""
        cutoff = (self._clock() if now is None else now) - self.limits.board_ttl_days * DAY
        with transaction(self._engine) as conn:
            old = sa.select(boards.c.code).where(boards.c.created_at < cutoff)
            conn.execute(board_entries.delete().where(board_entries.c.board_code.in_(old)))
            return conn.execute(boards.delete().where(boards.c.created_at < cutoff)).rowcount

    def _own(self, code: str, teacher: str) -> Board:
        board = self.get(code)
        if not self.is_teacher(board.code, teacher):
            raise NotFound(f"Only the teacher who opened class board {board.code} can change it.")
        return board
