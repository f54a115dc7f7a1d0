"""How fast the live view refreshes and how long each training slice lasts: pure functions, plus the board
that lets the sessions of one server process train one slice at a time (its clock is injected)."""
from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

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


# ----- the cost of one iteration ---------------------------------------------------------
MAX_ITERATION_SECONDS = 0.5      # DNN_MAX_ITERATION_SECONDS; 0 turns the check off (a personal install)
FLOPS_PER_SECOND = 5e9           # DNN_FLOPS_PER_SECOND: one BLAS thread, float64, on a modest laptop core
FLOPS_PER_WEIGHT_AND_EXAMPLE = 6  # forward 2 (multiply-add), backward 4 (dW and dA_prev)


def iteration_flops(layer_dims: Sequence[int], m: int) -> int:
    """Floating-point operations of one gradient-descent iteration over ``m`` examples (the products only)."""
    weights = sum(int(a) * int(b) for a, b in zip(layer_dims[:-1], layer_dims[1:], strict=True))
    return FLOPS_PER_WEIGHT_AND_EXAMPLE * weights * int(m)


def _env_float(name: str, default: float, environ: Mapping[str, str] | None) -> float:
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be zero or a positive number, got {raw!r}.")
    return value


def check_iteration_seconds(layer_dims: Sequence[int], m: int, batch_size: int | None = None,
                            environ: Mapping[str, str] | None = None) -> float:
    """The estimated seconds of one iteration; ValueError (a sentence for the page) when it exceeds
    DNN_MAX_ITERATION_SECONDS: one iteration holds the training turn, so it would freeze classmates' runs."""
    limit = _env_float("DNN_MAX_ITERATION_SECONDS", MAX_ITERATION_SECONDS, environ)
    rate = _env_float("DNN_FLOPS_PER_SECOND", FLOPS_PER_SECOND, environ) or FLOPS_PER_SECOND
    examples = int(m) if batch_size is None else min(int(batch_size), int(m))
    flops = iteration_flops(layer_dims, examples)
    seconds = flops / rate
    if limit and seconds > limit:
        raise ValueError(
            f"This network is too big for a shared server: one iteration on {examples:,} examples needs about "
            f"{seconds:.1f} s ({flops / 1e9:,.1f} GFLOP), and one iteration may take about {limit:g} s at most, "
            "so that everyone's run keeps moving. Use fewer units in the first hidden layers, or mini-batches.")
    return seconds


class TrainingBoard:
    """What the sessions of one server process share about training: a fair turn and a head count.

    All sessions share one Python process, and a training slice is many small NumPy calls that
    hold the GIL; eight at once starved the server's event loop (pages stopped updating, a new
    visitor waited over 30 s).  One slice at a time keeps the server responsive and shares the
    CPU between the sessions; a lone user never waits.  The head count lets each live view
    refresh less often when many people train, so their browsers are not swamped either.

    Fair: when the turn comes free, the waiting session served least recently gets it (round robin), so
    a client that reruns its training fragment back to back cannot take every turn; and while several
    train, a session's ticks beyond two per half refresh interval (a small bucket) train nothing.
    """

    # A session counts as training until it has missed a few of the slowest ticks.  Each change of the
    # count reruns every training page (a new refresh interval), so the count must not follow ticks
    # that come late on a busy server: with one interval of grace it swung between 4 and 8.
    ACTIVE_SECONDS = 4 * MAX_TICK_SECONDS
    EARLY_FRACTION = 0.5
    EARLY_BURST = 2.0
    # A waiting session waits at least one shared slice, so a turn held by another is released in time.
    MIN_WAIT_SECONDS = SHARED_SLICE_SECONDS + 0.05

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond, self._count_lock = threading.Condition(), threading.Lock()
        self._busy, self._turns, self._arrivals = False, 0, 0
        self._waiting: dict[str, tuple[int, int]] = {}  # session -> (turn it was last served, arrival)
        self._served: dict[str, int] = {}
        self._last_tick: dict[str, float] = {}
        self._early: set[str] = set()
        self._bucket: dict[str, tuple[float, float]] = {}  # session -> (ticks it may still take, when counted)
        self._caller = threading.local()  # .session: the session whose tick this thread ran last

    @contextmanager
    def turn(self, wait: float = 0.05, session: str | None = None) -> Iterator[bool]:
        """Yield True when this session may train a slice now, False when another one is training, it is
        another's turn, or this session's tick came early.  ``session`` defaults to the one whose
        :meth:`tick` this thread ran last (each Streamlit session runs its script in its own thread)."""
        who = session or getattr(self._caller, "session", None) or f"thread-{threading.get_ident()}"
        with self._count_lock:
            early = who in self._early
            self._early.discard(who)
        got = False if early else self._acquire(who, max(wait, self.MIN_WAIT_SECONDS))
        try:
            yield got
        finally:
            if got:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _acquire(self, who: str, wait: float) -> bool:
        deadline = time.monotonic() + wait  # a real wait on a lock: Condition.wait uses the real clock
        with self._cond:
            self._arrivals += 1
            key = self._waiting[who] = (self._served.get(who, -1), self._arrivals)
            try:
                while True:
                    if not self._busy and min(self._waiting.values()) == key:
                        self._busy, self._turns = True, self._turns + 1
                        self._served[who] = self._turns
                        return True
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
            finally:
                self._waiting.pop(who, None)
                self._cond.notify_all()

    def waiting(self) -> int:
        """How many sessions wait for a turn right now."""
        with self._cond:
            return len(self._waiting)

    def tick(self, session: str, running: bool) -> int:
        """Note whether ``session`` is training now; return how many sessions trained recently.

        While several train, each session's ticks draw on a small bucket (EARLY_BURST ticks, refilled at one
        per EARLY_FRACTION of the refresh interval): Start's own slice and the live view's first tick both
        train, but a client rerunning its fragment back to back gets no more turns than that rate; a tick
        that finds the bucket empty is early and its :meth:`turn` trains nothing."""
        now = self._clock()
        with self._count_lock:
            self._caller.session = session
            if running:
                self._last_tick[session] = now
            else:
                self._last_tick.pop(session, None)
                self._bucket.pop(session, None)
            for key in [k for k, t in self._last_tick.items() if now - t > self.ACTIVE_SECONDS]:
                del self._last_tick[key]
                self._served.pop(key, None)
                self._bucket.pop(key, None)
            count = len(self._last_tick)
            self._early.discard(session)
            if running and count > 1 and not self._draw(session, now, count):
                self._early.add(session)
            return count

    def _draw(self, session: str, now: float, count: int) -> bool:
        """Take one tick from ``session``'s bucket; False when it is empty.  A clock that has not moved
        since the last draw (a test's frozen clock) takes nothing."""
        tokens, at = self._bucket.get(session, (self.EARLY_BURST, now))
        if now == at and session in self._bucket:
            return True
        tokens = min(self.EARLY_BURST, tokens + (now - at) / (self.EARLY_FRACTION * tick_seconds(count)))
        if tokens < 1:
            self._bucket[session] = (tokens, now)
            return False
        self._bucket[session] = (tokens - 1, now)
        return True
