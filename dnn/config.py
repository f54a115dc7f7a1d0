"""A training run's configuration, validated once, and the memory estimate that guards it."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Sequence

from .activations import check_activation
from .init import INITIALIZATIONS, check_layer_dims

DTYPES = ("float64", "float32")
# Safe on a 2-core, 8 GB laptop shared with a browser; DNN_MEMORY_BUDGET_MB overrides it.
DEFAULT_MEMORY_BUDGET_MB = 2048


def memory_budget_bytes() -> int:
    """The memory a run may plan to use: DNN_MEMORY_BUDGET_MB (in MB) or the default."""
    raw = os.environ.get("DNN_MEMORY_BUDGET_MB", "")
    try:
        mb = float(raw) if raw else DEFAULT_MEMORY_BUDGET_MB
    except ValueError:
        mb = DEFAULT_MEMORY_BUDGET_MB
    return int(mb * 2**20)


def parameter_count(layer_dims: Sequence[int]) -> int:
    """Number of weights and biases: sum of n_l * n_{l-1} + n_l."""
    return sum(layer_dims[l] * layer_dims[l - 1] + layer_dims[l] for l in range(1, len(layer_dims)))


def estimate_memory_bytes(layer_dims: Sequence[int], m: int, dtype: str = "float64") -> int:
    """Bytes for a full-batch run: X, W and dW (plus the initial W1), and Z, A, dZ per layer."""
    itemsize = 4 if dtype == "float32" else 8
    units = sum(layer_dims[1:])
    values = layer_dims[0] * m + 3 * parameter_count(layer_dims) + 3 * units * m
    return values * itemsize


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f} MB"


def check_memory(layer_dims: Sequence[int], m: int, dtype: str, budget: int | None = None) -> int:
    """Return the estimate, or raise a ValueError when it does not fit the budget."""
    budget = memory_budget_bytes() if budget is None else budget
    need = estimate_memory_bytes(layer_dims, m, dtype)
    if need > budget:
        raise ValueError(
            f"This network needs about {_mb(need)} for {m} examples, more than the {_mb(budget)} "
            "allowed: use fewer or smaller hidden layers, or float32."
        )
    return need


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run; invalid values raise ValueError on construction."""

    layer_dims: tuple[int, ...] = (12288, 20, 7, 5, 1)
    hidden_activation: str = "relu"
    init: str = "sqrt"
    seed: int = 1
    dtype: str = "float64"
    learning_rate: float = 0.0075
    num_iterations: int = 2500
    record_every: int = 100
    accuracy_every: int = 100

    def __post_init__(self) -> None:
        object.__setattr__(self, "layer_dims", check_layer_dims(self.layer_dims))
        if self.layer_dims[-1] != 1:
            raise ValueError(f"The output layer must have 1 unit (a probability), not {self.layer_dims[-1]}.")
        check_activation(self.hidden_activation)
        if self.init not in INITIALIZATIONS:
            raise ValueError(f"Unknown initialisation {self.init!r}: choose one of {', '.join(INITIALIZATIONS)}.")
        if self.dtype not in DTYPES:
            raise ValueError(f"Unknown precision {self.dtype!r}: choose float64 or float32.")
        _check_whole(self.seed, "seed", 0, 2**32 - 1)
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"The learning rate must be a positive finite number, got {lr!r}; try 0.0075.")
        _check_whole(self.num_iterations, "num_iterations", 1, 10**7)
        _check_whole(self.record_every, "record_every", 1, 10**7)
        _check_whole(self.accuracy_every, "accuracy_every", 1, 10**7)

    @property
    def L(self) -> int:
        return len(self.layer_dims) - 1


def _check_whole(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}.")
