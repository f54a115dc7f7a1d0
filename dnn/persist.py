"""Save a training run as a model file and bring it back as a run, on top of modelio."""
from __future__ import annotations

from typing import IO, Sequence

import numpy as np

from .config import TrainConfig
from .engine import History, Trainer
from .modelio import load_model, save_model

HYPERPARAMETERS = ("init", "seed", "dtype", "learning_rate", "num_iterations", "record_every", "accuracy_every")


def save_run(target: str | IO[bytes], run: Trainer, classes: Sequence) -> None:
    """Write the run's parameters, config, classes and cost history to an .npz (no pickle)."""
    cfg = run.config
    hyper = {k: getattr(cfg, k) for k in HYPERPARAMETERS}
    hyper["iteration"] = run.iteration
    names = [c.decode() if isinstance(c, bytes) else str(c) for c in classes]
    save_model(target, run.parameters, layer_dims=list(cfg.layer_dims), hidden_activation=cfg.hidden_activation,
               hyperparameters=hyper, classes=names, cost_iterations=run.history.cost_iterations,
               costs=run.history.costs)


def _config(saved) -> TrainConfig:
    hyper = saved.hyperparameters
    known = {k: hyper[k] for k in HYPERPARAMETERS if k in hyper}
    try:
        return TrainConfig(layer_dims=tuple(saved.layer_dims), hidden_activation=saved.hidden_activation, **known)
    except TypeError as err:
        raise ValueError(f"The model file's hyperparameters are malformed: {err}.") from None


def load_run(source, X: np.ndarray, Y: np.ndarray, X_test: np.ndarray | None = None,
             Y_test: np.ndarray | None = None) -> Trainer:
    """A run at the saved parameters and iteration, on the given data (ValueError if they do not fit)."""
    saved = load_model(source)
    config = _config(saved)
    if config.layer_dims[0] != X.shape[0]:
        raise ValueError(f"This model expects inputs of size {config.layer_dims[0]}, but the active dataset "
                         f"has {X.shape[0]}: choose a matching dataset first.")
    run = Trainer(config, X, Y, X_test, Y_test)
    iteration = int(saved.hyperparameters.get("iteration", config.num_iterations))
    history = History(cost_iterations=[int(i) for i in saved.cost_iterations],
                      costs=[float(c) for c in saved.costs])
    run.load_state(saved.parameters, min(iteration, config.num_iterations), history)
    return run
