"""The Train page's pace and spoken status, without Streamlit: a speed that holds, the time left at it, the
speed read back from a link, and the polite announcement for screen readers.

Pace: a speed of N it/s was a per-tick cap of N x tick iterations, so when ticks came late (a busy server,
a slow browser) the run went slower than N, and "Time left" from the last 3 s swung with the ticks (1-3 min
shown while 30 s were left).  A ``SpeedBucket`` grants iterations for the time that really passed since the
last slice (with at most ``MAX_CREDIT_SECONDS`` of credit, so a pause never ends in a burst): the run goes
at N it/s whatever the tick rate, and the time left is what remains at N (or slower, when the machine
cannot keep up).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MAX_CREDIT_SECONDS = 1.0     # unused allowance kept at most this long (no burst after a pause or a slow tick)
ANNOUNCE_EVERY_SECONDS = 5.0  # the live region speaks at most this often while a run trains
SPEED_PARAM = "speed"        # the query parameter that keeps the speed across reloads and restarts


@dataclass
class SpeedBucket:
    """Iterations allowed by a speed cap, from the time that passed (the clock is the caller's)."""

    speed: float | None = None         # iterations per second; None: full speed
    credit: float = 0.0                # iterations allowed but not yet trained
    last: float | None = None          # when credit was last updated

    def set_speed(self, speed: float | None, now: float) -> None:
        if speed is not None and (not math.isfinite(speed) or speed <= 0):
            raise ValueError(f"a speed must be a positive number of iterations per second, got {speed!r}.")
        if speed != self.speed:
            self.speed, self.credit, self.last = speed, 0.0, now

    def allowance(self, now: float) -> int | None:
        """Whole iterations the next slice may train (None: no cap).  Call ``spend`` with what it trained."""
        if self.speed is None:
            return None
        if self.last is None:
            self.last = now
        elapsed = max(0.0, now - self.last)
        self.credit = min(self.credit + elapsed * self.speed, self.speed * MAX_CREDIT_SECONDS + 1.0)
        self.last = now
        return int(self.credit)

    def spend(self, iterations: int) -> None:
        if self.speed is not None:
            self.credit = max(0.0, self.credit - iterations)

    def pause(self, now: float) -> None:
        """A paused run earns no credit."""
        self.credit, self.last = 0.0, now


def observe_window(speed: float | None) -> float:
    """Seconds of samples the pace is read from: all of them (the last 64 ticks, 13-30 s).  The 3 s window
    before swung with a few late ticks (a tick's time varies 0.15-0.7 s on a busy server); over 64 ticks the
    pace is steady, and it still follows a lasting change of load within half a minute."""
    return math.inf


MIN_SPAN_SECONDS = 3.0  # under a speed cap, the pace seen counts only after this many seconds of samples


def observed_eta(samples: Sequence[tuple[float, int]], remaining: int, speed: float | None) -> float | None:
    """The time left at the pace the page saw (``learning.eta_seconds`` over ``observe_window``); under a speed
    cap only once the samples span ``MIN_SPAN_SECONDS`` (the first ticks of a slow run say little)."""
    from ui import learning  # ui.learning imports the engine; this module stays light for its tests

    if speed is not None and (len(samples) < 2 or samples[-1][0] - samples[0][0] < MIN_SPAN_SECONDS):
        return None
    return learning.eta_seconds(samples, remaining, window=observe_window(speed))


def time_left(remaining: int, speed: float | None, observed: float | None) -> float | None:
    """Seconds left: at the chosen speed, unless the pace seen (``observed`` seconds, from the samples) is
    slower; at full speed, the pace seen."""
    if remaining <= 0:
        return 0.0
    if speed is None:
        return observed
    at_speed = remaining / speed
    # Only a clearly slower pace overrides the speed (a tick's jitter is not the machine falling behind).
    return at_speed if observed is None or observed < 1.25 * at_speed else observed


def speed_from_link(query: Mapping[str, str | Sequence[str]], choices: Sequence[int]) -> int | None:
    """The speed a link or a reloaded address carries, when it is one of ``choices``; else None."""
    raw = query.get(SPEED_PARAM)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None:
        return None
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 6:
        return None
    value = int(text)
    return value if value in choices else None


@dataclass
class Announcer:
    """The text of a polite live region: changed at most every ``every`` seconds while a run trains, at once
    when the status or a diagnosis changes (a screen reader would otherwise read every tick)."""

    every: float = ANNOUNCE_EVERY_SECONDS
    text: str = ""
    said_at: float = -math.inf
    status: str = ""
    extra: str = ""
    history: list[str] = field(default_factory=list)

    def update(self, now: float, status: str, iteration: int, total: int, cost: float,
               diagnosis: str = "") -> str:
        cost_text = "no cost yet" if cost is None or math.isnan(cost) else f"cost {cost:.4f}"
        text = f"Training {status}: iteration {iteration:,} of {total:,}, {cost_text}."
        if diagnosis:
            text += f" {diagnosis}"
        urgent = status != self.status or diagnosis != self.extra
        if urgent or now - self.said_at >= self.every:
            if text != self.text:
                self.history.append(text)
            self.text, self.said_at, self.status, self.extra = text, now, status, diagnosis
        return self.text
