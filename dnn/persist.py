"""Save a training run as a model file and bring it back as a run, on top of modelio.

Every TrainConfig field but ``layer_dims`` and ``hidden_activation`` (which modelio stores
on their own) is saved as a hyperparameter, so a field added to TrainConfig is saved and
loaded with no change here. On loading, each value's JSON type must match the field's
annotation before the config is built; keys that are neither a field nor ``iteration`` are
refused (a file from another app or a newer format), never silently ignored.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Iterable
from typing import IO, Any

import numpy as np

from .config import TrainConfig
from .engine import History, Trainer
from .modelio import ModelSource, SavedModel, load_model, save_model
from .pixels import Pixels

_STORED_APART = ("layer_dims", "hidden_activation")


def _all_fields() -> dict[str, Any]:
    """TrainConfig field name -> its resolved type annotation."""
    hints = typing.get_type_hints(TrainConfig)
    return {f.name: hints[f.name] for f in dataclasses.fields(TrainConfig)}


def _hyper_fields() -> dict[str, Any]:
    """TrainConfig field name -> its resolved type annotation, for the fields saved as hyperparameters."""
    return {name: hint for name, hint in _all_fields().items() if name not in _STORED_APART}


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """Every TrainConfig field as plain JSON values (tuples as lists): the one encoding of a run's settings,
    used by the model file (as hyperparameters) and by the run store (as its config column)."""
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in ((f.name, getattr(config, f.name)) for f in dataclasses.fields(TrainConfig))}


def config_from_dict(values: dict[str, Any], what: str = "model file") -> TrainConfig:
    """A validated TrainConfig from JSON values: unknown keys refused, each value's JSON type checked against
    its field's annotation before the config is built, then TrainConfig's own checks (ValueError)."""
    fields = _all_fields()
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"The {what} has settings this app does not know: {', '.join(unknown)}.")
    checked = {}
    for name, value in values.items():
        ok, checked[name] = _convert(value, fields[name])
        if not ok:
            raise ValueError(f"The {what}'s setting {name!r} = {value!r} is not of the expected type "
                             f"({_type_name(fields[name])}).")
    try:
        return TrainConfig(**checked)
    except TypeError as err:
        raise ValueError(f"The {what}'s settings are malformed: {err}.") from None


def save_run(target: str | IO[bytes], run: Trainer, classes: Iterable[Any]) -> None:
    """Write the run's parameters, config, classes and cost history to an .npz (no pickle)."""
    cfg = run.config
    hyper = {name: value for name, value in config_to_dict(cfg).items() if name not in _STORED_APART}
    hyper["iteration"] = run.iteration
    names = [c.decode() if isinstance(c, bytes) else str(c) for c in classes]
    save_model(target, run.parameters, layer_dims=list(cfg.layer_dims), hidden_activation=cfg.hidden_activation,
               hyperparameters=hyper, classes=names, cost_iterations=run.history.cost_iterations,
               costs=run.history.costs)


def _convert(value: Any, hint: Any) -> tuple[bool, Any]:
    """(matches, value as the field wants it) for a JSON value against a type annotation."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return True, value
    if origin in (typing.Union, types.UnionType):
        for option in args:
            ok, converted = _convert(value, option)
            if ok:
                return True, converted
        return False, value
    if origin is typing.Literal:
        return value in args and type(value) in {type(a) for a in args}, value
    if origin in (tuple, list):
        if not isinstance(value, list):
            return False, value
        item_hints = args[:1] * len(value) if (len(args) == 2 and args[1] is Ellipsis) or origin is list else args
        if len(item_hints) != len(value):
            return False, value
        pairs = [_convert(v, h) for v, h in zip(value, item_hints, strict=True)]
        return all(ok for ok, _ in pairs), origin(v for _, v in pairs)
    return _scalar(value, hint)


def _scalar(value: Any, hint: Any) -> tuple[bool, Any]:
    if hint is type(None):
        return value is None, value
    if hint is bool or isinstance(value, bool):
        return hint is bool and isinstance(value, bool), value
    if hint is int:
        return isinstance(value, int), value
    if hint is float:
        number = isinstance(value, (int, float))
        return number and math.isfinite(value), float(value) if number else value
    if hint is str:
        return isinstance(value, str), value
    return False, value


def _config(saved: SavedModel) -> TrainConfig:
    values = {k: v for k, v in saved.hyperparameters.items() if k != "iteration"}
    apart = sorted(set(values) & set(_STORED_APART))
    if apart:  # stored on their own in the file: a second copy in the settings would be ambiguous
        raise ValueError(f"The model file has settings this app does not know: {', '.join(apart)}.")
    values.update(layer_dims=list(saved.layer_dims), hidden_activation=saved.hidden_activation)
    return config_from_dict(values)


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _iteration(saved: SavedModel, config: TrainConfig) -> int:
    iteration = saved.hyperparameters.get("iteration", config.num_iterations)
    if isinstance(iteration, bool) or not isinstance(iteration, int) or not 0 <= iteration <= config.num_iterations:
        raise ValueError(f"The model file's iteration must be a whole number from 0 to {config.num_iterations:,}; "
                         f"got {iteration!r}.")
    return iteration


def load_run(source: ModelSource, X: np.ndarray | Pixels, Y: np.ndarray, X_test: np.ndarray | Pixels | None = None,
             Y_test: np.ndarray | None = None) -> Trainer:
    """A run at the saved parameters and iteration, on the given data (ValueError if they do not fit)."""
    saved = load_model(source)
    config = _config(saved)
    iteration = _iteration(saved, config)
    if config.layer_dims[0] != X.shape[0]:
        raise ValueError(f"This model expects inputs of size {config.layer_dims[0]}, but the active dataset "
                         f"has {X.shape[0]}: choose a matching dataset first.")
    run = Trainer(config, X, Y, X_test, Y_test)
    history = History(cost_iterations=[int(i) for i in saved.cost_iterations],
                      costs=[float(c) for c in saved.costs])
    run.load_state(saved.parameters, iteration, history)
    return run
