"""A run store for tests: a throwaway SQLite file and a clock the test sets by hand (no test waits)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store import Limits, Store, open_store


class Clock:
    """``clock()`` is ``clock.now``: the store's and the hooks' time, moved by the test."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@contextmanager
def sqlite_store(folder: Path, limits: Limits | None = None, **kwargs) -> Iterator[Store]:
    """A store in ``folder``/store.sqlite3, closed afterwards."""
    s = open_store(f"sqlite:///{folder / 'store.sqlite3'}", limits or Limits(), **kwargs)
    try:
        yield s
    finally:
        s.close()
