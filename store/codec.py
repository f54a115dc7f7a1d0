"""Between the engine's objects and what the store keeps: TrainConfig and History as JSON, a run's model as .npz.

A stored run comes back as a Trainer only through :func:`restore_trainer`, which re-validates the config,
the history and the model (already checked by dnn.load_model) against each other and the data.
"""
from __future__ import annotations

import copy
import io
import math
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, NamedTuple

import numpy as np

import dnn
from dnn.persist import config_from_dict, config_to_dict

from .errors import CorruptRecord
from .records import EntrySummary, StoredRun

# Which iteration list each recorded series pairs with (a series may also be empty: no test set).
_PAIRS = {"costs": "cost_iterations", "train_acc": "acc_iterations", "test_acc": "acc_iterations",
          "test_costs": "acc_iterations"}


def config_to_json(config: dnn.TrainConfig) -> dict[str, Any]:
    """The run's settings as JSON: the same encoding as a downloaded model file's (dnn.persist)."""
    return config_to_dict(config)


def config_from_json(data: dict[str, Any]) -> dnn.TrainConfig:
    """A validated TrainConfig (the model file's decoder: unknown keys and wrong JSON types are refused);
    ValueError when a key is unknown or a value is invalid."""
    if not isinstance(data, dict):
        raise ValueError("the config must be a JSON object")
    return config_from_dict(data, what="stored run")


def _number(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None  # JSON has no NaN; null comes back as NaN


def _is_iterations(name: str) -> bool:
    return name.endswith("iterations")


def history_to_json(history: dnn.History) -> dict[str, Any]:
    """Every field of the engine's History as plain lists (dicts of lists for per-layer series)."""
    data: dict[str, Any] = {}
    for f in fields(history):
        value = getattr(history, f.name)
        if isinstance(value, dict):
            data[f.name] = {str(k): [_number(v) for v in vs] for k, vs in value.items()}
        else:
            data[f.name] = [int(v) if _is_iterations(f.name) else _number(v) for v in value]
    return data


def _numbers(values: Any, name: str) -> list:
    whole = _is_iterations(name)
    ok = (lambda v: isinstance(v, int)) if whole else (lambda v: v is None or isinstance(v, (int, float)))
    if not isinstance(values, list) or not all(ok(v) and not isinstance(v, bool) for v in values):
        raise ValueError(f"the history's {name} must be a list of {'whole ' if whole else ''}numbers")
    return [int(v) for v in values] if whole else [math.nan if v is None else float(v) for v in values]


def history_from_json(data: dict[str, Any]) -> dnn.History:
    """A History with every series checked: numbers only, and each paired with its iterations."""
    known = {f.name: f for f in fields(dnn.History)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"the history has unknown series {unknown}")
    values: dict[str, Any] = {}
    for name, raw in data.items():
        if isinstance(getattr(dnn.History(), name), dict):
            if not isinstance(raw, dict):
                raise ValueError(f"the history's {name} must be an object of lists")
            values[name] = {str(k): _numbers(v, name) for k, v in raw.items()}
        else:
            values[name] = _numbers(raw, name)
    for series, iterations in _PAIRS.items():
        n, expected = len(values.get(series, [])), len(values.get(iterations, []))
        if series in known and n not in (0, expected):
            raise ValueError(f"the history's {series} ({n}) do not pair with its {iterations} ({expected})")
    steps = len(values.get("norm_iterations", []))
    if any(len(v) != steps for v in values.get("grad_norms", {}).values()):
        raise ValueError("the history's gradient norms do not pair with their iterations")
    return dnn.History(**values)


class RunSnapshot(NamedTuple):
    """A run frozen at one iteration: what dnn.save_run reads of a Trainer (config, iteration,
    parameters, history), copied so it can be encoded in another thread while the run trains on."""

    config: dnn.TrainConfig
    iteration: int
    parameters: dict[str, np.ndarray]
    history: dnn.History


def snapshot(run: dnn.Trainer) -> RunSnapshot:
    """Copies of the run's parameters and history (milliseconds; the encoding is the slow part)."""
    return RunSnapshot(run.config, run.iteration, run.parameters, copy.deepcopy(run.history))


def model_bytes(run: dnn.Trainer | RunSnapshot, classes: Sequence) -> bytes:
    """The run as an .npz (dnn.save_run: parameters, config, iteration, cost history; no pickle)."""
    buffer = io.BytesIO()
    dnn.save_run(buffer, run, classes)  # type: ignore[arg-type]  # a RunSnapshot has every field save_run reads
    return buffer.getvalue()


def estimate_bytes(config: dnn.TrainConfig, history: dnn.History) -> int:
    """About what a save of this run will need, from its parameter count and history length, WITHOUT encoding
    it: the parameters at their precision (a trained network's .npz hardly compresses), 24 bytes per
    recorded number (JSON of a float and its separator) and a few kilobytes of config and archive headers."""
    itemsize = np.dtype(config.dtype).itemsize
    numbers = 0
    for f in fields(history):
        value = getattr(history, f.name)
        numbers += sum(len(v) for v in value.values()) if isinstance(value, dict) else len(value)
    return dnn.parameter_count(config.layer_dims) * itemsize + 24 * numbers + 8192


def restore_trainer(stored: StoredRun, X: np.ndarray | dnn.Pixels, Y: np.ndarray,
                    X_test: np.ndarray | dnn.Pixels | None = None, Y_test: np.ndarray | None = None) -> dnn.Trainer:
    """A Trainer at the stored parameters, iteration and history; CorruptRecord when they do not agree.

    X (n_x, m), Y (1, m): the run's dataset, which the caller finds by ``stored.summary.dataset``.
    A run stored before its first save of parameters (no model) comes back at iteration 0.
    """
    name = stored.summary.label
    try:
        config = config_from_json(stored.config)
        history = history_from_json(stored.history)
        run = dnn.Trainer(config, X, Y, X_test, Y_test)
    except ValueError as exc:
        raise CorruptRecord(f"The stored run '{name}' cannot be restored: {exc}.") from None
    if stored.model is None:
        return run
    saved = stored.model
    if tuple(saved.layer_dims) != config.layer_dims or saved.hidden_activation != config.hidden_activation:
        raise CorruptRecord(f"The stored run '{name}' is inconsistent: its model is {list(saved.layer_dims)} "
                            f"{saved.hidden_activation} but its config says {list(config.layer_dims)} "
                            f"{config.hidden_activation}.")
    iteration = stored.summary.iteration
    try:
        run.load_state(saved.parameters, iteration, history)
    except ValueError as exc:
        raise CorruptRecord(f"The stored run '{name}' cannot be restored: {exc}") from None
    if stored.summary.status == dnn.Status.DIVERGED.value:
        run.status = dnn.Status.DIVERGED
        run.message = "This run diverged before it was saved; its last finite parameters were kept."
    return run


def entry_summary(run: dnn.Trainer, dataset: str) -> EntrySummary:
    """What a class board shows of a run: the latest recorded accuracies and a thinned cost curve."""
    cfg, h = run.config, run.history
    return EntrySummary.build(
        layer_dims=cfg.layer_dims, hidden_activation=cfg.hidden_activation, learning_rate=cfg.learning_rate,
        iteration=run.iteration, dataset=dataset, train_acc=_last(h.train_acc), test_acc=_last(h.test_acc),
        cost_iterations=h.cost_iterations, costs=h.costs)


def _last(series: Sequence[float]) -> float | None:
    """The latest recorded value; None when nothing (or NaN, e.g. no test set) was recorded."""
    return _number(series[-1]) if len(series) else None
