"""DNN Explorer's run store: runs, share links and class boards in SQLite (default) or PostgreSQL.

    from store import open_store
    store = open_store()                      # DATABASE_URL, or SQLite in $DNN_DATA_HOME (.dnn-explorer/)
    saved = store.runs.create(browser, lease, label=..., dataset=..., config=..., history=..., status=..., iteration=0)
    store.runs.list(browser); store.runs.load(run_id, browser); store.runs.share(run_id, browser)
    board = store.boards.open(teacher, "Lab 3"); store.boards.submit(board.code, browser, "Ada", summary)

App-level code (it uses dnn, never streamlit).  Errors a user should read are StoreError subclasses.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from .boards import BoardStore
from .codec import (
    RunSnapshot,
    config_from_json,
    config_to_json,
    entry_summary,
    estimate_bytes,
    history_from_json,
    history_to_json,
    model_bytes,
    restore_trainer,
    snapshot,
)
from .database import data_home, database_url, make_engine, redact
from .errors import (
    BoardClosed,
    CorruptRecord,
    DiskFull,
    LeaseLost,
    NotFound,
    QuotaExceeded,
    RunTooLarge,
    StoreError,
    StoreUnavailable,
)
from .limits import Limits
from .migrate import upgrade
from .records import Board, BoardEntry, EntrySummary, RunSummary, Saved, StoredRun
from .runs import RunStore
from .tokens import new_token


@dataclass(frozen=True)
class Store:
    """The store of one database: ``runs`` and ``boards``, and where it lives (password hidden)."""

    runs: RunStore
    boards: BoardStore
    location: str
    engine: sa.Engine

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, limits: Limits | None = None, *, migrate: bool = True,
               clock: Callable[[], float] = time.time) -> Store:
    """Connect (DATABASE_URL or SQLite in the data folder by default), bring the schema to head, purge expired rows."""
    url = url or database_url()
    limits = Limits.from_env() if limits is None else limits
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    store = Store(RunStore(engine, limits, clock), BoardStore(engine, limits, clock), redact(url), engine)
    if migrate:
        store.runs.purge_expired()
        store.boards.purge_expired()
    return store


__all__ = [
    "Board", "BoardClosed", "BoardEntry", "BoardStore", "CorruptRecord", "DiskFull", "EntrySummary", "LeaseLost",
    "Limits", "NotFound", "QuotaExceeded", "RunSnapshot", "RunStore", "RunSummary", "Saved", "Store", "StoreError",
    "StoreUnavailable",
    "RunTooLarge", "StoredRun", "config_from_json", "config_to_json", "data_home", "database_url", "entry_summary",
    "estimate_bytes",
    "history_from_json", "history_to_json", "model_bytes", "new_token", "open_store", "restore_trainer", "snapshot",
]
