"""What the store hands back: plain frozen records, and the checks on user-typed text."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import dnn

STATUSES = ("ready", "running", "paused", "done", "diverged")
LABEL_MAX, TITLE_MAX, NAME_MAX = 80, 80, 40
# Control characters and bidirectional overrides could hide or reorder what a board shows.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CURVE_POINTS = 60


def clean_text(value: Any, what: str, max_len: int) -> str:
    """``value`` stripped; ValueError when empty, too long or holding control characters."""
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    text = value.strip()
    if not text:
        raise ValueError(f"The {what} is empty: type at least one character.")
    if len(text) > max_len:
        raise ValueError(f"The {what} is {len(text)} characters long; at most {max_len} are allowed.")
    if _FORBIDDEN.search(text):
        raise ValueError(f"The {what} contains control or direction-changing characters; use plain text.")
    return text


def dumps(value: Any) -> str:
    """Compact JSON with non-finite floats refused (PostgreSQL and browsers reject NaN)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class RunSummary:
    """A stored run without its arrays: enough to list it."""

    id: str
    label: str
    dataset: str
    status: str
    iteration: int
    created_at: float
    updated_at: float
    size: int
    share_token: str | None

    @property
    def shared(self) -> bool:
        return self.share_token is not None


@dataclass(frozen=True)
class StoredRun:
    """A run read back and checked: config and history as JSON objects, the model as dnn.SavedModel."""

    summary: RunSummary
    config: dict[str, Any]
    history: dict[str, Any]
    model: dnn.SavedModel | None


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: the run's id and any older runs of the same browser removed to make room."""

    run_id: str
    evicted: tuple[str, ...] = ()


def _curve(iterations: list[int], costs: list[float]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """At most CURVE_POINTS evenly spaced points, the last one always kept."""
    n = len(costs)
    keep: Sequence[int]
    if n <= CURVE_POINTS:
        keep = range(n)
    else:
        keep = sorted({round(i * (n - 1) / (CURVE_POINTS - 1)) for i in range(CURVE_POINTS)})
    return tuple(int(iterations[i]) for i in keep), tuple(float(costs[i]) for i in keep)


@dataclass(frozen=True)
class EntrySummary:
    """What a class board shows of a run: architecture, size, accuracies and a small cost curve."""

    layer_dims: tuple[int, ...]
    hidden_activation: str
    learning_rate: float
    parameter_count: int
    iteration: int
    dataset: str
    train_acc: float | None
    test_acc: float | None
    cost_iterations: tuple[int, ...]
    costs: tuple[float, ...]

    @classmethod
    def build(cls, *, layer_dims, hidden_activation: str, learning_rate: float, iteration: int, dataset: str,
              train_acc: float | None, test_acc: float | None, cost_iterations, costs) -> EntrySummary:
        """A checked summary with the cost curve thinned to CURVE_POINTS; ValueError when inconsistent."""
        dims = tuple(int(n) for n in layer_dims)
        if len(dims) < 2 or any(n < 1 for n in dims):
            raise ValueError(f"layer_dims must list at least two positive sizes; got {list(dims)}.")
        its, cs = list(cost_iterations), list(costs)
        if len(its) != len(cs) or not all(math.isfinite(float(c)) for c in cs):
            raise ValueError("The cost curve must have one finite cost per recorded iteration.")
        for acc in (train_acc, test_acc):
            if acc is not None and not 0.0 <= float(acc) <= 1.0:
                raise ValueError(f"An accuracy must be between 0 and 1; got {acc}.")
        if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError("learning_rate must be a positive finite number.")
        ci, c = _curve(its, cs)
        return cls(dims, str(hidden_activation), float(learning_rate), dnn.parameter_count(dims), int(iteration),
                   clean_text(dataset, "dataset name", 64), None if train_acc is None else float(train_acc),
                   None if test_acc is None else float(test_acc), ci, c)

    def to_json(self) -> str:
        return dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> EntrySummary:
        """Parse and re-check a stored summary; ValueError when it is damaged."""
        try:
            raw = json.loads(text)
            return cls.build(**{k: raw[k] for k in ("layer_dims", "hidden_activation", "learning_rate", "iteration",
                                                     "dataset", "train_acc", "test_acc", "cost_iterations", "costs")})
        except (TypeError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(f"the stored summary is damaged ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class Board:
    code: str
    title: str
    is_open: bool
    created_at: float


@dataclass(frozen=True)
class BoardEntry:
    """One submission; ``summary`` is None and ``problem`` says why when the stored row is damaged."""

    id: int
    display_name: str
    run_id: str | None
    created_at: float
    summary: EntrySummary | None
    problem: str = ""
