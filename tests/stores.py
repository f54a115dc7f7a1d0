"""A run store for tests: a throwaway SQLite file and a clock the test sets by hand (no test waits)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dnn
from store import EntrySummary, Limits, Store, entry_summary, open_store


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


def small_entry_summary(seed: int, iterations: int) -> EntrySummary:
    """A board entry's figures from a small finished run on moons (2-3-1), as Train submits them."""
    X, Y = dnn.make_toy_dataset("moons", m=40, seed=seed)
    run = dnn.Trainer(dnn.TrainConfig(layer_dims=(2, 3, 1), seed=seed, num_iterations=iterations, record_every=5,
                                      accuracy_every=5), X, Y, X, Y)
    run.resume()
    run.advance(iterations)
    return entry_summary(run, "toy:moons")
