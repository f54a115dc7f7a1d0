"""Class boards: a teacher opens one under a short code, students submit run summaries under a display name.

Anyone with the code (and the join PIN, when the teacher set one) can read a board and submit to it while
it is open.  Only the holder of the board's admin secret (handed out once, by ``open_class``, as the
teacher link) can remove entries, close or reopen it: the teacher's power is not the browser cookie.
One entry per run (submitting it again replaces it); a name another browser uses on the board, or one
that looks the same (store.names.skeleton), is refused; caps per browser, per client address, per board
and in total keep one person from filling a board or the server.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa

from .database import transaction
from .errors import BoardClosed, NotFound, QuotaExceeded
from .identities import positive_ints_from_env
from .limits import DAY, Limits
from .names import clean_name, skeleton
from .records import NAME_MAX, TITLE_MAX, Board, BoardEntry, EntrySummary
from .schema import board_entries, boards, challenge_entries, class_answers, class_lessons
from .tokens import check_token, digest, new_board_code, normalise_code

_CODE_ATTEMPTS = 8
PIN_PATTERN = re.compile(r"[0-9]{4,8}")


@dataclass(frozen=True)
class BoardCaps:
    """Caps beyond store.Limits. ``from_env`` reads ``DNN_<FIELD>`` (e.g. DNN_BOARDS_TOTAL)."""

    boards_total: int = 2_000              # open or closed boards on the server
    board_entries_total: int = 60_000      # entries on all boards together
    entries_per_address: int = 30          # per board and client address: a class of 30 behind one NAT fits
    boards_per_address_day: int = 20       # boards opened from one client address in 24 hours

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BoardCaps:
        return replace(cls(), **positive_ints_from_env(cls, environ))


@dataclass(frozen=True)
class BoardRow(BoardEntry):
    """An entry with what was added in migration 0002: the dataset and its test-set size."""

    dataset: str = ""
    test_size: int | None = None


def _board(row: sa.Row) -> Board:
    return Board(row.code, row.title, bool(row.is_open), float(row.created_at))


def _entry(row: sa.Row) -> BoardRow:
    try:
        summary, problem = EntrySummary.from_json(row.summary), ""
    except ValueError as exc:
        summary, problem = None, f"This entry is damaged and cannot be shown: {exc}."
    return BoardRow(int(row.id), row.display_name, row.run_id, float(row.created_at), summary, problem,
                    row.dataset or (summary.dataset if summary else ""),
                    None if row.test_size is None else int(row.test_size))


def _pin_hash(code: str, pin: str) -> str:
    return hmac.new(code.encode("ascii"), b"join-pin:" + pin.encode("ascii"), hashlib.sha256).hexdigest()


def check_pin(pin: str | None) -> str | None:
    """A join PIN (4 to 8 digits) as typed, or None for no PIN; ValueError otherwise."""
    if pin is None or (isinstance(pin, str) and not pin.strip()):
        return None
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin.strip()):
        raise ValueError("A join PIN is 4 to 8 digits.")
    return pin.strip()


class BoardStore:
    """Class boards in the store (see store.open_store)."""

    def __init__(self, engine: sa.Engine, limits: Limits, clock: Callable[[], float] = time.time,
                 caps: BoardCaps | None = None) -> None:
        self._engine, self.limits, self._clock = engine, limits, clock
        self.caps = caps or BoardCaps.from_env()

    # ----- the teacher ---------------------------------------------------------------------
    def open_class(self, teacher: str, title: str, *, pin: str | None = None,
                   origin: str | None = None) -> tuple[Board, str]:
        """A new open board with a fresh code, listed for the browser ``teacher``; returns it and its admin
        secret (the only key to the teacher's tools: the page shows it once, as the teacher link)."""
        who, now = digest(teacher, "teacher token"), self._clock()
        title, pin = clean_name(title, "class title", TITLE_MAX), check_pin(pin)
        admin = secrets.token_urlsafe(24)
        self.purge_expired(now)
        with transaction(self._engine) as conn:
            self._check_open_caps(conn, who, origin, now)
            taken = set(conn.execute(sa.select(boards.c.code)).scalars())
            for _ in range(_CODE_ATTEMPTS):
                code = new_board_code()
                if code not in taken:
                    break
            else:
                raise QuotaExceeded("No free class code was found; try again.")
            conn.execute(boards.insert().values(
                code=code, teacher=who, title=title, is_open=True, created_at=now, updated_at=now,
                admin_hash=digest(admin), join_pin_hash=None if pin is None else _pin_hash(code, pin),
                origin=origin))
        return Board(code, title, True, now), admin

    def _check_open_caps(self, conn: sa.Connection, who: str, origin: str | None, now: float) -> None:
        mine = conn.execute(sa.select(sa.func.count()).where(boards.c.teacher == who)).scalar_one()
        if mine >= self.limits.boards_per_teacher:
            raise QuotaExceeded(f"You already have {mine} class boards, the most allowed: close and let "
                                "old ones expire, or reuse one.")
        if origin is not None:
            recent = conn.execute(sa.select(sa.func.count()).where(
                boards.c.origin == origin, boards.c.created_at > now - DAY)).scalar_one()
            if recent >= self.caps.boards_per_address_day:
                raise QuotaExceeded(f"Your network opened {recent} class boards today, the most allowed; "
                                    "reuse one of them.")
        total = conn.execute(sa.select(sa.func.count()).select_from(boards)).scalar_one()
        if total >= self.caps.boards_total:
            raise QuotaExceeded(f"The server holds {total} class boards, the most allowed; ask its operator, "
                                "or reuse an earlier board.")

    def is_teacher(self, code: str, admin: str | None) -> bool:
        """Whether ``admin`` is this board's admin secret (False for anything malformed)."""
        try:
            code, key = normalise_code(code), digest(check_token(admin or "", "teacher key"))
        except ValueError:
            return False
        with transaction(self._engine) as conn:
            row = conn.execute(sa.select(boards.c.admin_hash).where(boards.c.code == code)).first()
        return row is not None and row.admin_hash is not None and hmac.compare_digest(row.admin_hash, key)

    def of_teacher(self, teacher: str) -> list[Board]:
        """The boards this browser opened, newest first (listing them gives no power over them)."""
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(boards).where(boards.c.teacher == digest(teacher))
                                .order_by(boards.c.created_at.desc())).all()
        return [_board(r) for r in rows]

    def set_open(self, code: str, admin: str, is_open: bool) -> Board:
        """Close (or reopen) a board; NotFound unless ``admin`` is its admin secret."""
        board = self._own(code, admin)
        with transaction(self._engine) as conn:
            conn.execute(boards.update().where(boards.c.code == board.code)
                         .values(is_open=bool(is_open), updated_at=self._clock()))
        return Board(board.code, board.title, bool(is_open), board.created_at)

    def remove(self, code: str, admin: str, entry_id: int) -> None:
        """The teacher removes one entry."""
        board = self._own(code, admin)
        with transaction(self._engine) as conn:
            conn.execute(board_entries.delete().where(board_entries.c.board_code == board.code,
                                                      board_entries.c.id == int(entry_id)))

    def remove_since(self, code: str, admin: str, since: float) -> int:
        """The teacher removes every entry submitted at or after ``since`` (UTC seconds); returns how many."""
        board = self._own(code, admin)
        with transaction(self._engine) as conn:
            return conn.execute(board_entries.delete().where(board_entries.c.board_code == board.code,
                                                             board_entries.c.created_at >= float(since))).rowcount

    def remove_named(self, code: str, admin: str, name: str) -> int:
        """The teacher removes every entry under ``name`` or a look-alike of it; returns how many."""
        board = self._own(code, admin)
        key = skeleton(name)
        with transaction(self._engine) as conn:
            return conn.execute(board_entries.delete().where(board_entries.c.board_code == board.code,
                                                             board_entries.c.name_key == key)).rowcount

    # ----- everyone --------------------------------------------------------------------------
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

    def needs_pin(self, code: str) -> bool:
        board = self.get(code)
        with transaction(self._engine) as conn:
            return conn.execute(sa.select(boards.c.join_pin_hash)
                                .where(boards.c.code == board.code)).scalar() is not None

    def join(self, code: str, pin: str | None = None) -> Board:
        """The board, when ``pin`` opens it (or it has no PIN); NotFound otherwise, with the same words for a
        wrong PIN as for a wrong code so that neither can be told apart by guessing."""
        board = self.get(code)
        with transaction(self._engine) as conn:
            stored = conn.execute(sa.select(boards.c.join_pin_hash).where(boards.c.code == board.code)).scalar()
        if stored is None:
            return board
        try:
            typed = check_pin(pin)
        except ValueError:
            typed = None
        if typed is None or not hmac.compare_digest(stored, _pin_hash(board.code, typed)):
            raise NotFound(f"Class {board.code} needs its join PIN: ask your teacher for it.")
        return board

    def submit(self, code: str, submitter: str, display_name: str, summary: EntrySummary,
               run_id: str | None = None, *, test_size: int | None = None, origin: str | None = None,
               pin: str | None = None) -> int:
        """Add an entry (a run submitted again replaces its earlier entry); returns the entry id."""
        who = digest(submitter, "browser token")
        name = clean_name(display_name, "display name", NAME_MAX)
        if not isinstance(summary, EntrySummary):
            raise ValueError("summary must be an EntrySummary.")
        if test_size is not None and (not isinstance(test_size, int) or test_size < 0):
            raise ValueError("test_size must be a whole number of examples.")
        board = self.join(code, pin)
        key, now = skeleton(name), self._clock()
        with transaction(self._engine) as conn:
            is_open = conn.execute(sa.select(boards.c.is_open).where(boards.c.code == board.code)).scalar()
            if not is_open:
                raise BoardClosed(f"The class board {board.code} is closed and takes no more entries.")
            on_board = board_entries.c.board_code == board.code
            taken = conn.execute(sa.select(board_entries.c.id).where(
                on_board, board_entries.c.name_key == key, board_entries.c.submitter != who).limit(1)).first()
            if taken is not None:
                raise QuotaExceeded(f"Someone on class board {board.code} already uses a name that looks like "
                                    "this one; pick another name.")
            if run_id is not None:  # one entry per run, whoever submitted it before
                conn.execute(board_entries.delete().where(on_board, board_entries.c.run_id == run_id))
            self._check_entry_caps(conn, board.code, who, origin)
            inserted = conn.execute(board_entries.insert().values(
                board_code=board.code, submitter=who, run_id=run_id, display_name=name, name_key=key,
                summary=summary.to_json(), dataset=summary.dataset, test_size=test_size, origin=origin,
                created_at=now)).inserted_primary_key
            assert inserted is not None, "an insert into a table with a primary key reports it"
            return int(inserted[0])

    def _check_entry_caps(self, conn: sa.Connection, code: str, who: str, origin: str | None) -> None:
        on_board = board_entries.c.board_code == code

        def count(*where) -> int:
            return conn.execute(sa.select(sa.func.count()).select_from(board_entries).where(*where)).scalar_one()

        if count(on_board, board_entries.c.submitter == who) >= self.limits.entries_per_student:
            raise QuotaExceeded(f"You already have {self.limits.entries_per_student} entries on this board, "
                                "the most allowed; submit a run again to replace its entry, or ask the teacher "
                                "to remove one.")
        if origin is not None and count(on_board, board_entries.c.origin == origin) >= self.caps.entries_per_address:
            raise QuotaExceeded(f"Your network already has {self.caps.entries_per_address} entries on class board "
                                f"{code}, the most allowed from one address; ask the teacher.")
        total = count(on_board)
        if total >= self.limits.entries_per_board:
            raise QuotaExceeded(f"The class board {code} is full ({total} entries).")
        if count() >= self.caps.board_entries_total:
            raise QuotaExceeded("The server's class boards are full; ask its operator to remove old boards.")

    def entries(self, code: str) -> list[BoardRow]:
        """Every entry of a board, oldest first; a damaged one comes back with ``problem`` set."""
        board = self.get(code)
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(board_entries).where(board_entries.c.board_code == board.code)
                                .order_by(board_entries.c.created_at, board_entries.c.id)).all()
        return [_entry(r) for r in rows]

    def purge_expired(self, now: float | None = None) -> int:
        """Delete boards older than board_ttl_days, with their entries and lesson rows (SQLite does not
        enforce the foreign keys' ON DELETE CASCADE, so each child table is emptied here)."""
        cutoff = (self._clock() if now is None else now) - self.limits.board_ttl_days * DAY
        with transaction(self._engine) as conn:
            old = sa.select(boards.c.code).where(boards.c.created_at < cutoff)
            present = set(sa.inspect(conn).get_table_names())  # a database before migration 0003 has no lessons
            for child in (board_entries, class_lessons, class_answers, challenge_entries):
                if child.name in present:
                    conn.execute(child.delete().where(child.c.board_code.in_(old)))
            return conn.execute(boards.delete().where(boards.c.created_at < cutoff)).rowcount

    def _own(self, code: str, admin: str) -> Board:
        board = self.get(code)
        if not self.is_teacher(board.code, admin):
            raise NotFound(f"Only the teacher who opened class board {board.code} (with its teacher link) "
                           "can change it.")
        return board

    def open(self, teacher: str, title: str) -> Board:
        """Deprecated: open_class without keeping the admin secret (kept for callers that only list boards)."""
        return self.open_class(teacher, title)[0]
