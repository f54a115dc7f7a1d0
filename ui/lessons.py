"""Lessons as data: TOML files in ``lessons/`` read, validated, run and scored without Streamlit.

A lesson is a title, a goal and 3-8 steps.  A step sets the app up with a settings link (the keys
ui.settings.to_link and ui.toy_link.to_link write), asks for a prediction (a choice, a number with a
tolerance, or the shape of the cost curve), runs, shows the result beside the prediction, asks the student
for a one-line explanation, then reveals the expert note.  Every claim a step's text makes about a result is
a ``[[steps.checks]]`` entry: the test suite plays every step and verifies every check.

Errors in a lesson file are ``LessonError`` (a ValueError) naming the file and the line.
"""
from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import numpy as np

import dnn
from dnn.data import Dataset, catvnoncat_dataset, find_data_dir
from dnn.synthetic import synthetic_dataset
from dnn.toy import toy_dataset
from ui import settings
from ui.toy_link import TOY_LINK_KEYS, ToyOptions
from ui.toy_link import check as check_toy
from ui.toy_link import parse as parse_toy

LESSONS_DIR = Path(__file__).resolve().parents[1] / "lessons"
# A second folder of lesson files (a teacher's own), read after lessons/: DNN_LESSONS_DIR.
LESSONS_DIR_ENV = "DNN_LESSONS_DIR"
MIN_STEPS, MAX_STEPS = 3, 8
MAX_FILE_BYTES = 64 * 1024
MAX_TEXT = 2000          # characters of a step's text, a note or a question
MAX_OPTIONS = 6
MAX_LESSON_ITERATIONS = 5000  # a step must stay a few seconds' run in a classroom
LESSON_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
PAGES = ("train", "model", "data", "inspect", "results", "step-by-step")
KINDS = ("choice", "number", "curve")

# The shapes of a cost curve a student can pick from, in the order they are offered, and a picture of each
# (costs at 40 points, for a small sketch).
CURVE_SHAPES: dict[str, str] = {
    "smooth": "falls smoothly and keeps falling",
    "flat": "hardly moves: stays near where it started",
    "noisy": "falls, but zig-zags up and down on the way",
    "explodes": "climbs above where it started",
}


def curve_sketch(shape: str, points: int = 40) -> list[float]:
    """An idealised cost curve of ``shape`` (one of CURVE_SHAPES) for the prediction pictures."""
    t = np.linspace(0, 1, points)
    if shape == "smooth":
        y = 0.1 + 0.6 * np.exp(-4 * t)
    elif shape == "flat":
        y = 0.69 - 0.03 * t
    elif shape == "noisy":
        y = 0.15 + 0.5 * np.exp(-3 * t) + 0.06 * np.sin(37 * t) * (1 - 0.5 * t)
    elif shape == "explodes":
        y = 0.69 + 0.1 * np.sin(9 * t) + 1.5 * t ** 2
    else:
        raise ValueError(f"Unknown curve shape {shape!r}; the shapes are {', '.join(CURVE_SHAPES)}.")
    return [float(v) for v in y]


# ----- metrics: what a finished step's run is measured by --------------------------------------------
def cost_climb(costs: Sequence[float] | np.ndarray) -> float:
    """How much the recorded cost went up on its way, as a share of how far it came down: the sum of every
    rise over (first cost - lowest cost).  0 for a curve that only falls; above 1 for a zig-zag that climbs
    back more than it gained."""
    c = np.asarray(costs, dtype=float)
    if c.size < 2 or not np.all(np.isfinite(c)):
        return float("nan") if c.size >= 2 else 0.0
    rises = float(np.sum(np.clip(np.diff(c), 0, None)))
    fall = float(c[0] - c.min())
    return rises / fall if fall > 1e-12 else (0.0 if rises == 0 else float("inf"))


NOISY_CLIMB = 0.05  # a curve that climbs back more than 5% of its descent zig-zags visibly


def curve_shape(costs: Sequence[float], diverged: bool = False) -> str:
    """Which of CURVE_SHAPES a recorded cost curve is.

    explodes: the run diverged, or the cost rose more than 5% above its start; flat: it ends above 85% of
    its start; noisy: it climbed back more than NOISY_CLIMB of its descent (``cost_climb``); smooth otherwise."""
    c = np.asarray(costs, dtype=float)
    if diverged or c.size == 0 or not np.all(np.isfinite(c)):
        return "explodes"
    first = c[0]
    if c.max() > 1.05 * first:
        return "explodes"
    if c[-1] > 0.85 * first:
        return "flat"
    if cost_climb(c) > NOISY_CLIMB:
        return "noisy"
    return "smooth"


def _first_norm(history: dnn.History, key: str) -> float:
    values = history.grad_norms.get(key) or [float("nan")]
    return float(values[0])


def measure(run: dnn.Trainer) -> dict[str, Any]:
    """Every metric a lesson can check, from a run (finished or stopped)."""
    h = run.history
    costs = [float(c) for c in h.costs]
    diverged = run.status == dnn.Status.DIVERGED
    test = run.test_accuracy() if run.X_test is not None else float("nan")
    train = run.train_accuracy()
    dims = run.config.layer_dims
    last_hidden = f"dW{len(dims) - 1}"
    return {
        "test_accuracy": float(test),
        "train_accuracy": float(train),
        "accuracy_gap": float(train - test),
        "final_cost": float(run.cost()) if not diverged else float("inf"),
        "first_cost": costs[0] if costs else float("nan"),
        "max_cost": max(costs) if costs else float("nan"),
        "cost_climb": cost_climb(costs),
        "curve_shape": curve_shape(costs, diverged),
        "status": run.status.value,
        "iterations": int(run.iteration),
        "parameters": int(dnn.parameter_count(dims)),
        "n_x": int(dims[0]),
        "hidden_layers": len(dims) - 2,
        "updates_per_epoch": int(run.batches_per_epoch),
        "training_examples": int(run.X.shape[1]),
        "grad_dW1": _first_norm(h, "dW1"),
        "grad_dW_last": _first_norm(h, last_hidden),
    }


METRICS: dict[str, str] = {  # name -> what it is, for error messages and the page
    "test_accuracy": "test accuracy", "train_accuracy": "training accuracy",
    "accuracy_gap": "training minus test accuracy", "final_cost": "the final cost",
    "first_cost": "the first recorded cost", "max_cost": "the highest recorded cost",
    "cost_climb": "how much the cost climbed back, as a share of its descent", "curve_shape": "the cost curve's shape",
    "status": "the run's status", "iterations": "iterations trained", "parameters": "the number of parameters",
    "n_x": "numbers per input example", "hidden_layers": "hidden layers",
    "updates_per_epoch": "updates per pass over the training set", "training_examples": "training examples",
    "grad_dW1": "the size of dW1 at the first iteration",
    "grad_dW_last": "the size of the output layer's dW at the first iteration",
}
TEXT_METRICS = ("curve_shape", "status")
PERCENT_METRICS = ("test_accuracy", "train_accuracy", "accuracy_gap")


def format_metric(name: str, value: Any) -> str:
    """A metric as the page shows it (accuracies in percent)."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if name in PERCENT_METRICS:
        return f"{value:.0%}"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1):
        return f"{int(value):,}"
    return f"{value:.3g}"


# ----- the lesson file's structure ----------------------------------------------------------------------
class LessonError(ValueError):
    """A lesson file that cannot be used: the message names the file and the line."""


@dataclass(frozen=True)
class Check:
    """A claim about a step's result: ``metric`` within [at_least, at_most], or equal to ``equals``."""

    metric: str
    at_least: float | None = None
    at_most: float | None = None
    equals: Any = None
    line: int = 0

    def holds(self, metrics: Mapping[str, Any]) -> bool:
        value = metrics.get(self.metric)
        if self.equals is not None:
            return value == self.equals
        if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
            return False
        return ((self.at_least is None or value >= self.at_least)
                and (self.at_most is None or value <= self.at_most))

    def describe(self) -> str:
        if self.equals is not None:
            return f"{self.metric} = {self.equals}"
        low = "" if self.at_least is None else f"{self.at_least:g} ≤ "
        high = "" if self.at_most is None else f" ≤ {self.at_most:g}"
        return f"{low}{self.metric}{high}"


@dataclass(frozen=True)
class Prediction:
    """What the student commits to before the run.  ``choice``: one of ``options``, ``answer`` the right one's
    index; ``number``: a value of ``metric`` within ``tolerance`` counts as right (``unit`` "%" reads and shows
    a percentage); ``curve``: one of CURVE_SHAPES, compared with the run's own curve."""

    kind: str
    question: str
    options: tuple[str, ...] = ()
    answer: int | None = None
    metric: str = ""
    tolerance: float = 0.0
    unit: str = ""
    low: float = 0.0
    high: float = 1.0

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(CURVE_SHAPES) if self.kind == "curve" else self.options


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    setup: str                                  # a settings link: data=...&hidden=...&lr=...
    data: str                                   # the dataset key the setup names
    config: dnn.TrainConfig                     # the network, for the dataset's input size
    toy: ToyOptions | None
    prediction: Prediction
    checks: tuple[Check, ...]
    result: str                                 # the one line shown under the result (a claim: checked)
    explain: str                                # the question the student answers in one line
    note: str                                   # the expert note, revealed last
    page: str = "train"
    focus: tuple[str, ...] = ("test_accuracy",)
    line: int = 0

    def config_for(self, n_x: int) -> dnn.TrainConfig:
        return settings.with_inputs(self.config, n_x)


@dataclass(frozen=True)
class Challenge:
    """A target a student's own run must meet on the challenge's data (``checks``), judged by the server on the
    stored run's parameters; entries that meet it rank by ``rank`` (higher first)."""

    id: str                      # unique across lessons: <lesson id>/<challenge id>
    title: str
    text: str
    data: str
    checks: tuple[Check, ...]
    rank: str = "test_accuracy"


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    goal: str
    steps: tuple[Step, ...]
    path: Path
    challenges: tuple[Challenge, ...] = ()


# ----- locating lines -----------------------------------------------------------------------------
class _Lines:
    """Finds the line of a key in the raw TOML text: the n-th ``[[steps]]``, then a sub-table, then the key."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _headers(self, pattern: str, start: int, end: int) -> list[int]:
        rx = re.compile(pattern)
        return [i for i in range(start, end) if rx.match(self.lines[i].strip())]

    def span(self, name: str, index: int) -> tuple[int, int]:
        """The lines of the ``index``-th ``[[name]]`` table, up to the next top-level array table."""
        heads = self._headers(rf"^\[\[\s*{name}\s*\]\]", 0, len(self.lines))
        if index >= len(heads):
            return 0, len(self.lines)
        nxt = self._headers(r"^\[\[\s*(steps|challenges)\s*\]\]", heads[index] + 1, len(self.lines))
        return heads[index], nxt[0] if nxt else len(self.lines)

    def find(self, path: Sequence[Any]) -> int:
        """1-based line of ``path`` such as ("steps", 2, "checks", 0, "metric"); the nearest enclosing one."""
        start, end = 0, len(self.lines)
        rest = list(path)
        if rest[:1] in (["steps"], ["challenges"]) and len(rest) > 1 and isinstance(rest[1], int):
            top = rest[0]
            start, end = self.span(top, rest[1])
            rest = rest[2:]
            if rest and rest[0] in ("predict", "checks"):
                name = rest[0]
                if name == "checks" and len(rest) > 1 and isinstance(rest[1], int):
                    heads = self._headers(rf"^\[\[\s*{top}\.checks\s*\]\]", start, end)
                    if rest[1] < len(heads):
                        start = heads[rest[1]]
                        nxt = self._headers(r"^\[", start + 1, end)
                        end = nxt[0] if nxt else end
                    rest = rest[2:]
                else:
                    heads = self._headers(rf"^\[\s*{top}\.predict\s*\]", start, end)
                    if heads:
                        start = heads[0]
                        nxt = self._headers(r"^\[", start + 1, end)
                        end = nxt[0] if nxt else end
                    rest = rest[1:]
        key = next((p for p in reversed(rest) if isinstance(p, str)), None)
        if key is not None:
            rx = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for i in range(start, end):
                if rx.match(self.lines[i]):
                    return i + 1
        return start + 1


class _Reader:
    """Reads one lesson file's dict, raising LessonError with the file and line of the first problem."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.where = path, _Lines(text)

    def fail(self, at: Sequence[Any], message: str) -> LessonError:
        return LessonError(f"{self.path.name}, line {self.where.find(at)}: {message}")

    def get(self, table: Mapping[str, Any], at: Sequence[Any], key: str, kind: type | tuple, required: bool = True,
            default: Any = None) -> Any:
        if key not in table:
            if required:
                raise self.fail(at, f"missing {'.'.join(str(p) for p in (*at, key) if isinstance(p, str))} "
                                    f"(the {key!r} key is required here)")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            names = " or ".join(k.__name__.replace("str", "text").replace("float", "number") for k in kinds)
            raise self.fail((*at, key), f"{key} must be {names}, not {type(value).__name__}")
        return value

    def text(self, table: Mapping[str, Any], at: Sequence[Any], key: str, required: bool = True) -> str:
        value = self.get(table, at, key, str, required, "")
        if required and not value.strip():
            raise self.fail((*at, key), f"{key} must not be empty")
        if len(value) > MAX_TEXT:
            raise self.fail((*at, key), f"{key} is {len(value):,} characters; at most {MAX_TEXT:,}")
        return value.strip()

    def unknown(self, table: Mapping[str, Any], at: Sequence[Any], known: Sequence[str]) -> None:
        for key in table:
            if key not in known:
                raise self.fail((*at, key), f"unknown key {key!r} (expected one of: {', '.join(known)})")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_setup(setup: str) -> tuple[str, dnn.TrainConfig, ToyOptions | None, list[str]]:
    """(dataset key, config, toy options, problems) of a settings link such as ``data=xor&hidden=none&lr=0.5``."""
    query = {k: v for k, v in parse_qs(setup.lstrip("?"), keep_blank_values=True).items()}
    problems = []
    known = {*settings.link_keys(), *TOY_LINK_KEYS}
    problems += [f"unknown setting {k!r} (the link keys are {', '.join(sorted(known))})"
                 for k in query if k not in known]
    if settings.DATA_LINK not in query:
        problems.append("the setup must name its data (data=course, or a toy set such as data=xor)")
    link = settings.parse_link(query)
    problems += [f"{k}={raw!r} is not {wanted}" if k else f"{raw} ({wanted})" for k, raw, wanted in link.warnings]
    data = link.data or settings.COURSE
    toy = None
    if data in settings.TOY_NAMES:
        toy, toy_warnings = parse_toy(query)
        problems += [f"{k}={raw!r} is not {wanted}" for k, raw, wanted in toy_warnings]
    elif any(k in query for k in TOY_LINK_KEYS):
        problems.append(f"{', '.join(k for k in TOY_LINK_KEYS if k in query)} only apply to a toy data set")
    if link.config.num_iterations > MAX_LESSON_ITERATIONS:
        problems.append(f"iters={link.config.num_iterations} is more than a lesson step may run "
                        f"({MAX_LESSON_ITERATIONS:,})")
    return data, link.config, toy, problems


def _prediction(r: _Reader, table: Any, at: tuple) -> Prediction:
    if not isinstance(table, dict):
        raise r.fail(at, "predict must be a table: [steps.predict]")
    r.unknown(table, at, ("kind", "question", "options", "answer", "metric", "tolerance", "unit", "low", "high"))
    kind = r.get(table, at, "kind", str)
    if kind not in KINDS:
        raise r.fail((*at, "kind"), f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    question = r.text(table, at, "question")
    if kind == "choice":
        options = r.get(table, at, "options", list)
        if not 2 <= len(options) <= MAX_OPTIONS or not all(isinstance(o, str) and o.strip() for o in options):
            raise r.fail((*at, "options"), f"options must be 2 to {MAX_OPTIONS} non-empty texts")
        answer = r.get(table, at, "answer", str)
        if answer not in options:
            raise r.fail((*at, "answer"), f"answer {answer!r} is not one of the options")
        return Prediction(kind, question, tuple(options), options.index(answer))
    if kind == "curve":
        return Prediction(kind, question, metric="curve_shape")
    metric = r.get(table, at, "metric", str)
    if metric not in METRICS or metric in TEXT_METRICS:
        numbers = ", ".join(m for m in METRICS if m not in TEXT_METRICS)
        raise r.fail((*at, "metric"), f"metric must be a number metric: {numbers}")
    unit = r.get(table, at, "unit", str, False, "")
    if unit not in ("", "%"):
        raise r.fail((*at, "unit"), "unit must be \"%\" or left out")
    tolerance = r.get(table, at, "tolerance", (int, float))
    low = r.get(table, at, "low", (int, float), False, 0.0)
    high = r.get(table, at, "high", (int, float), False, 1.0 if unit == "%" else 1e6)
    if not (_number(tolerance) and tolerance >= 0):
        raise r.fail((*at, "tolerance"), "tolerance must be a number 0 or more")
    if not (_number(low) and _number(high) and low < high):
        raise r.fail((*at, "low"), "low must be a number below high")
    return Prediction(kind, question, metric=metric, tolerance=float(tolerance), unit=unit, low=float(low),
                      high=float(high))


def _check(r: _Reader, table: Any, at: tuple) -> Check:
    if not isinstance(table, dict):
        raise r.fail(at, "each check must be a table: [[steps.checks]]")
    r.unknown(table, at, ("metric", "at_least", "at_most", "equals"))
    metric = r.get(table, at, "metric", str)
    if metric not in METRICS:
        raise r.fail((*at, "metric"), f"unknown metric {metric!r}; the metrics are {', '.join(METRICS)}")
    line = r.where.find(at)
    if "equals" in table:
        if len(table) != 2:
            raise r.fail((*at, "equals"), "a check has either equals or at_least/at_most, not both")
        equals = table["equals"]
        if metric == "curve_shape" and equals not in CURVE_SHAPES:
            raise r.fail((*at, "equals"), f"a curve shape is one of {', '.join(CURVE_SHAPES)}")
        if metric == "status" and equals not in {s.value for s in dnn.Status}:
            raise r.fail((*at, "equals"), f"a status is one of {', '.join(s.value for s in dnn.Status)}")
        return Check(metric, equals=equals, line=line)
    if metric in TEXT_METRICS:
        raise r.fail((*at, "metric"), f"{metric} is checked with equals = \"...\"")
    low = r.get(table, at, "at_least", (int, float), False)
    high = r.get(table, at, "at_most", (int, float), False)
    if low is None and high is None:
        raise r.fail(at, "a check needs at_least, at_most (or both), or equals")
    if (low is not None and not _number(low)) or (high is not None and not _number(high)) or (
            low is not None and high is not None and low > high):
        raise r.fail((*at, "at_least"), "at_least and at_most must be finite numbers, at_least ≤ at_most")
    return Check(metric, None if low is None else float(low), None if high is None else float(high), line=line)


STEP_KEYS = ("title", "text", "setup", "page", "focus", "predict", "checks", "result", "explain", "note")


def _step(r: _Reader, table: Any, index: int) -> Step:
    at = ("steps", index)
    if not isinstance(table, dict):
        raise r.fail(at, "each step must be a table: [[steps]]")
    r.unknown(table, at, STEP_KEYS)
    setup = r.get(table, at, "setup", str)
    data, config, toy, problems = parse_setup(setup)
    if problems:
        raise r.fail((*at, "setup"), f"setup: {problems[0]}")
    page = r.get(table, at, "page", str, False, "train")
    if page not in PAGES:
        raise r.fail((*at, "page"), f"page must be one of {', '.join(PAGES)}")
    focus = r.get(table, at, "focus", list, False, ["test_accuracy"])
    for name in focus:
        if name not in METRICS and name != "curve":
            raise r.fail((*at, "focus"), f"focus names metrics (or \"curve\"); {name!r} is not one")
    prediction = _prediction(r, r.get(table, at, "predict", dict), (*at, "predict"))
    raw_checks = r.get(table, at, "checks", list)
    if not raw_checks:
        raise r.fail(at, "a step needs at least one [[steps.checks]]: every claim about a result is checked")
    checks = tuple(_check(r, c, (*at, "checks", i)) for i, c in enumerate(raw_checks))
    return Step(r.text(table, at, "title"), r.text(table, at, "text"), setup, data, config, toy, prediction,
                checks, r.text(table, at, "result"), r.text(table, at, "explain"), r.text(table, at, "note"),
                page, tuple(focus), r.where.find(at))


MAX_CHALLENGES = 4


def _challenge(r: _Reader, table: Any, index: int, lesson_id: str) -> Challenge:
    at = ("challenges", index)
    if not isinstance(table, dict):
        raise r.fail(at, "each challenge must be a table: [[challenges]]")
    r.unknown(table, at, ("id", "title", "text", "data", "checks", "rank"))
    ident = r.get(table, at, "id", str)
    if not LESSON_ID.fullmatch(ident):
        raise r.fail((*at, "id"), "a challenge id is lower-case letters, digits, - and _ (at most 40)")
    data = r.get(table, at, "data", str)
    if data not in settings.DATA_CHOICES:
        raise r.fail((*at, "data"), f"data must be one of {', '.join(settings.DATA_CHOICES)}")
    rank = r.get(table, at, "rank", str, False, "test_accuracy")
    if rank not in METRICS or rank in TEXT_METRICS:
        raise r.fail((*at, "rank"), "rank must be a number metric (higher ranks first)")
    raw_checks = r.get(table, at, "checks", list)
    if not raw_checks:
        raise r.fail(at, "a challenge needs at least one [[challenges.checks]]: its target")
    checks = tuple(_check(r, c, (*at, "checks", i)) for i, c in enumerate(raw_checks))
    return Challenge(f"{lesson_id}/{ident}", r.text(table, at, "title"), r.text(table, at, "text"), data, checks,
                     rank)


def parse_lesson(text: str, path: Path) -> Lesson:
    """The lesson in ``text`` (the file ``path``); LessonError naming the file and line of the first problem."""
    lesson_id = path.stem
    if not LESSON_ID.fullmatch(lesson_id):
        raise LessonError(f"{path.name}, line 1: a lesson file's name must be lower-case letters, digits, - and _ "
                          "(at most 40), ending in .toml")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise LessonError(f"{path.name}, line {found.group(1) if found else 1}: not valid TOML: {exc}") from None
    r = _Reader(path, text)
    r.unknown(raw, (), ("title", "goal", "steps", "challenges"))
    title, goal = r.text(raw, (), "title"), r.text(raw, (), "goal")
    if "steps" not in raw:
        raise r.fail((), f"a lesson has {MIN_STEPS} to {MAX_STEPS} steps ([[steps]] tables); this one has none")
    steps = r.get(raw, (), "steps", list)
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise r.fail(("steps", max(0, min(len(steps), MAX_STEPS + 1) - 1)),
                     f"a lesson has {MIN_STEPS} to {MAX_STEPS} steps; this one has {len(steps)}")
    parsed = tuple(_step(r, s, i) for i, s in enumerate(steps))
    raw_challenges = r.get(raw, (), "challenges", list, False, [])
    if len(raw_challenges) > MAX_CHALLENGES:
        raise r.fail(("challenges", MAX_CHALLENGES), f"a lesson has at most {MAX_CHALLENGES} challenges")
    challenges = tuple(_challenge(r, c, i, lesson_id) for i, c in enumerate(raw_challenges))
    if len({c.id for c in challenges}) != len(challenges):
        raise r.fail(("challenges", len(challenges) - 1, "id"), "two challenges of this lesson share an id")
    return Lesson(lesson_id, title, goal, parsed, path, challenges)


def load_lesson(path: Path) -> Lesson:
    """Read and validate one lesson file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LessonError(f"{path.name}, line 1: the file is {size:,} bytes; a lesson file is at most "
                              f"{MAX_FILE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LessonError(f"{path.name}, line 1: not UTF-8 text") from None
    except OSError as exc:
        raise LessonError(f"{path.name}, line 1: cannot be read ({exc.strerror})") from None
    return parse_lesson(text, path)


def lesson_dirs() -> list[Path]:
    extra = os.environ.get(LESSONS_DIR_ENV, "").strip()
    return [LESSONS_DIR] + ([Path(extra)] if extra else [])


def load_all(dirs: Sequence[Path] | None = None) -> tuple[list[Lesson], list[str]]:
    """(every valid lesson, sorted by file name; one message per broken file).  A broken file never hides the
    others; a lesson id seen twice keeps the first."""
    lessons: list[Lesson] = []
    problems: list[str] = []
    seen: set[str] = set()
    for folder in dirs if dirs is not None else lesson_dirs():
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                lesson = load_lesson(path)
            except LessonError as exc:
                problems.append(str(exc))
                continue
            if lesson.id in seen:
                problems.append(f"{path.name}, line 1: a lesson named {lesson.id!r} is already loaded; rename the file")
                continue
            seen.add(lesson.id)
            lessons.append(lesson)
    return lessons, problems


# ----- running a step ---------------------------------------------------------------------------------
def load_dataset(step: Step, data_dir: Path | None = None) -> Dataset:
    """The step's data, read directly (the page uses the server's cached copies instead)."""
    if step.data == settings.COURSE:
        directory = data_dir or find_data_dir()
        if directory is None:
            raise ValueError("This step needs the course's cat data (train_catvnoncat.h5, test_catvnoncat.h5).")
        return catvnoncat_dataset(str(directory))
    if step.data == settings.SYNTHETIC:
        return synthetic_dataset(seed=0)
    toy = check_toy(step.toy or ToyOptions())
    return toy_dataset(step.data, m=toy.points, seed=toy.seed, noise=toy.noise,
                       test_fraction=(100 - toy.train_pct) / 100)


def run_step(step: Step, dataset: Dataset) -> dict[str, Any]:
    """Train the step's network to the end on ``dataset`` (synchronously) and measure it."""
    config = step.config_for(dataset.n_x)
    run = dnn.Trainer(config, dataset.X_train, dataset.train_y, dataset.X_test, dataset.test_y)
    while not run.done:
        run.advance(config.num_iterations - run.iteration)
    return measure(run)


def failed_checks(step: Step, metrics: Mapping[str, Any]) -> list[str]:
    """The step's checks that the run's metrics break, one line each (empty: every claim holds)."""
    return [f"line {c.line}: {c.describe()}, but the run gave {c.metric} = {metrics.get(c.metric)!r}"
            for c in step.checks if not c.holds(metrics)]


# ----- scoring a prediction ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    right: bool
    said: str        # the prediction as shown back (already formatted, Markdown-safe)
    got: str         # the result as shown


def _show_number(p: Prediction, value: float) -> str:
    return f"{value:.0%}" if p.unit == "%" else f"{value:,.4g}"


def parse_number(p: Prediction, raw: Any) -> float:
    """A number prediction typed by a student (``"72"`` means 72% when the unit is %); ValueError if not one."""
    try:
        value = float(str(raw).strip().rstrip("%").replace(",", ""))
    except ValueError:
        raise ValueError("Type a number.") from None
    if not math.isfinite(value):
        raise ValueError("Type a finite number.")
    if p.unit == "%":
        value /= 100
    if not p.low <= value <= p.high:
        lo, hi = (_show_number(p, p.low), _show_number(p, p.high))
        raise ValueError(f"Type a number from {lo} to {hi}.")
    return value


def outcome(p: Prediction, metrics: Mapping[str, Any]) -> str:
    """The right answer to ``p`` for a run's metrics: the file's answer, the curve's shape, or the number."""
    if p.kind == "choice":
        assert p.answer is not None, "a choice prediction always has an answer (checked when its file is read)"
        return p.options[p.answer]
    if p.kind == "curve":
        return CURVE_SHAPES[metrics["curve_shape"]]
    return _show_number(p, float(metrics[p.metric]))


def verdict(p: Prediction, said: Any, metrics: Mapping[str, Any]) -> Verdict:
    """How the prediction ``said`` (an option index, a number, or a curve shape) compares with the run."""
    if p.kind == "choice":
        assert p.answer is not None, "a choice prediction always has an answer (checked when its file is read)"
        return Verdict(int(said) == p.answer, p.options[int(said)], p.options[p.answer])
    if p.kind == "curve":
        got = metrics["curve_shape"]
        return Verdict(said == got, CURVE_SHAPES[said], CURVE_SHAPES[got])
    got = float(metrics[p.metric])
    return Verdict(abs(float(said) - got) <= p.tolerance + 1e-12, _show_number(p, float(said)), _show_number(p, got))


def scripted_prediction(p: Prediction) -> Any:
    """A valid prediction for tests and demos: the first option, the middle of the range, a flat curve."""
    if p.kind == "choice":
        return 0
    if p.kind == "curve":
        return "flat"
    return (p.low + p.high) / 2
