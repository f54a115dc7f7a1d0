"""How fast the live view refreshes and how long each training slice lasts: pure functions, plus the board
that lets the sessions of one server process train one slice at a time (its clock is injected)."""
from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

SOLO_TICK_SECONDS, SOLO_SLICE_SECONDS = 0.2, 0.15      # one person training: a slice plus a redraw
SHARED_TICK_SECONDS, SHARED_SLICE_SECONDS = 0.25, 0.2  # the base when several train at once
MAX_TICK_SECONDS = 2.0                                 # the slowest refresh, however many train


def tick_seconds(trainings: int) -> float:
    """Five refreshes a second for one person training; with more, four, halved per doubling, at least one per 2 s.

    Measured with 8 browsers training on one 2-core machine: at 1 refresh/s a new visitor's page
    took 4-4.7 s to load, at one per 2 s 3.2-4 s.  Alone, 0.15 s slices every 0.2 s redrew the
    cost curve 2.6 times a second in headless Chromium, 0.2 s slices every 0.25 s only 1.9 times.
    """
    if trainings <= 1:
        return SOLO_TICK_SECONDS
    return min(MAX_TICK_SECONDS, SHARED_TICK_SECONDS * 2 ** math.ceil(math.log2(trainings)))


def slice_seconds(trainings: int) -> float:
    """Training time per tick: most of it alone; when shared, half of it split between the sessions."""
    if trainings <= 1:
        return SOLO_SLICE_SECONDS
    return min(SHARED_SLICE_SECONDS, 0.5 * tick_seconds(trainings) / trainings)


def budget_for_speed(iterations_per_second: float | None, tick: float) -> int | None:
    """A per-tick iteration cap that trains about ``iterations_per_second`` (None: no cap; at least 1)."""
    if iterations_per_second is None:
        return None
    if not math.isfinite(iterations_per_second) or iterations_per_second <= 0:
        raise ValueError(f"iterations per second must be positive, got {iterations_per_second!r}.")
    return max(1, round(iterations_per_second * tick))


def slice_iterations(remaining: int, cap: int | None) -> int:
    """How many iterations a tick may do at most: what is left, or fewer when a cap is set."""
    return remaining if cap is None else max(0, min(remaining, cap))


class TrainingBoard:
    """What the sessions of one server process share about training: a turn and a head count.

    All sessions share one Python process, and a training slice is many small NumPy calls that
    hold the GIL; eight at once starved the server's event loop (pages stopped updating, a new
    visitor waited over 30 s).  One slice at a time keeps the server responsive and shares the
    CPU between the sessions; a lone user never waits.  The head count lets each live view
    refresh less often when many people train, so their browsers are not swamped either.
    """

    # A session counts as training until it has missed a few of the slowest ticks.  Each change of the
    # count reruns every training page (a new refresh interval), so the count must not follow ticks
    # that come late on a busy server: with one interval of grace it swung between 4 and 8.
    ACTIVE_SECONDS = 4 * MAX_TICK_SECONDS

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock, self._count_lock = threading.Lock(), threading.Lock()
        self._last_tick: dict[str, float] = {}

    @contextmanager
    def turn(self, wait: float = 0.05) -> Iterator[bool]:
        """Yield True when this session may train a slice now, False when another one is training."""
        got = self._lock.acquire(timeout=wait)
        try:
            yield got
        finally:
            if got:
                self._lock.release()

    def tick(self, session: str, running: bool) -> int:
        """Note whether ``session`` is training now; return how many sessions trained recently."""
        now = self._clock()
        with self._count_lock:
            if running:
                self._last_tick[session] = now
            else:
                self._last_tick.pop(session, None)
            for key in [k for k, t in self._last_tick.items() if now - t > self.ACTIVE_SECONDS]:
                del self._last_tick[key]
            return len(self._last_tick)
