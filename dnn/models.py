"""The course's two training functions, running on the fast engine."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .config import TrainConfig
from .core import Parameters
from .engine import Status, Trainer


def _train(X: np.ndarray, Y: np.ndarray, config: TrainConfig) -> tuple[Parameters, list[np.ndarray]]:
    """Full-batch gradient descent on the engine; any real Y, like the course; costs as 0-d arrays."""
    run = Trainer(config, X, Y, binary_labels=False)
    run.advance(config.num_iterations)
    if run.status == Status.DIVERGED:
        raise FloatingPointError(run.message)
    return run.parameters, [np.squeeze(np.array(c, dtype=np.float64)) for c in run.history.costs]


def L_layer_model(
    X: np.ndarray, Y: np.ndarray, layers_dims: Sequence[int], learning_rate: float = 0.0075,
    num_iterations: int = 3000, print_cost: bool = False, *, hidden_activation: str = "relu",
    init: str = "sqrt", seed: int = 1, dtype: str = "float64",
) -> tuple[Parameters, list[np.ndarray]]:
    """Train [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID; returns (parameters, cost every 100 iterations).

    X (n_x, m), Y (1, m) of any real values (the course's graded test trains on randn labels).
    The costs are 0-d arrays, as the course's ``np.squeeze(cost)``.  ``print_cost`` is accepted for
    the course's calls and ignored: nothing is printed, the costs are returned.  A diverging run
    raises FloatingPointError; use ``Trainer`` to keep its last parameters.
    """
    config = TrainConfig(tuple(layers_dims), hidden_activation, init, seed, dtype, learning_rate, num_iterations)
    return _train(X, Y, config)


def two_layer_model(
    X: np.ndarray, Y: np.ndarray, layers_dims: Sequence[int], learning_rate: float = 0.0075,
    num_iterations: int = 3000, print_cost: bool = False, *, seed: int = 1, dtype: str = "float64",
) -> tuple[Parameters, list[np.ndarray]]:
    """LINEAR -> RELU -> LINEAR -> SIGMOID with layers_dims = (n_x, n_h, n_y) and x0.01 init, seed 1."""
    if len(layers_dims) != 3:
        raise ValueError(f"two_layer_model needs layers_dims = (n_x, n_h, n_y), got {list(layers_dims)}.")
    config = TrainConfig(tuple(layers_dims), "relu", "course", seed, dtype, learning_rate, num_iterations)
    return _train(X, Y, config)
