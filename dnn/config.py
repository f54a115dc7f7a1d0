"""A training run's configuration, validated once, and the memory estimate that guards it."""
from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .activations import check_activation
from .first_layer import Settings, Shape, choose
from .init import INITIALIZATIONS, check_layer_dims
from .optimizers import OPTIMIZERS
from .pixels import BLOCK_BYTES
from .schedules import DECAYS
from .units import MiB, fmt_bytes

DTYPES = ("float64", "float32")
# The settings a running Trainer may change without a reset (Trainer.update_config).
LIVE_FIELDS = ("learning_rate", "lambd", "l1", "keep_prob")
# Safe on a 2-core, 8 GB laptop shared with a browser; DNN_MEMORY_BUDGET_MB overrides it.
DEFAULT_MEMORY_BUDGET_MB = 2048


def memory_budget_bytes() -> int:
    """The memory a run may plan to use: DNN_MEMORY_BUDGET_MB (in MB) or the default."""
    raw = os.environ.get("DNN_MEMORY_BUDGET_MB", "")
    try:
        mb = float(raw) if raw else DEFAULT_MEMORY_BUDGET_MB
    except ValueError:
        mb = DEFAULT_MEMORY_BUDGET_MB
    return int(mb * MiB)


def parameter_count(layer_dims: Sequence[int]) -> int:
    """Number of weights and biases: sum of n_l * n_{l-1} + n_l."""
    return sum(layer_dims[l] * layer_dims[l - 1] + layer_dims[l] for l in range(1, len(layer_dims)))


def estimate_memory_bytes(layer_dims: Sequence[int], m: int, dtype: str = "float64", m_test: int = 0, *,
                          batch_size: int | None = None, optimizer: str = "gd", keep_prob: float = 1.0,
                          lambd: float = 0.0, l1: float = 0.0, num_iterations: int = 2500,
                          first_layer: str | None = None, pixels: bool = False) -> int:
    """Bytes a Trainer holds for this run: its own copies of X and X_test in the working dtype (also
    when the caller passes float64), W, dW and the initial W1, optimizer state (velocity, Adam moments),
    Z, A, dZ and dropout masks per layer for a batch, the full-set forward for accuracy, and, when the
    Gram first layer is chosen (or named by ``first_layer``), the m x m Gram matrix, P0 and C with
    their optimizer state and the test set's cross products.  The settings are TrainConfig's names.
    With ``pixels`` (a large image set kept as dnn.pixels.Pixels) X and X_test are the dataset's uint8
    pixels, counted by dnn.memory, and the trainer holds converted blocks of columns instead.
    """
    itemsize = 4 if dtype == "float32" else 8
    n_x, n_1 = layer_dims[0], layer_dims[1]
    units, hidden = sum(layer_dims[1:]), sum(layer_dims[1:-1])
    mb = m if batch_size is None else min(batch_size, m)
    n_state = {"gd": 1, "momentum": 2, "adam": 3}.get(optimizer, 3)  # velocity, moments and a scratch array
    params = parameter_count(layer_dims)
    values = (1 if pixels else n_x + 1) * (m + m_test)  # Y, Y_test; X, X_test unless kept as pixels
    if pixels:  # a float64 block as divided and its copy in the run's dtype; W1 times it, a partial dW1
        values += 2 * BLOCK_BYTES // itemsize + n_1 * BLOCK_BYTES // (8 * n_x) + n_1 * n_x
    values += (3 + n_state) * params                    # W and b, grads, initial W1 (<= params), state
    values += 3 * units * mb + 2 * units * (m + m_test)  # Z, A, dZ per batch; a full forward for accuracy
    if mb < m:
        values += n_x * mb                              # the batch's columns of X
    if keep_prob < 1:
        values += hidden * mb + hidden * mb * 8 // itemsize  # masks, and the float64 rand draw behind them
    shape = Shape(n_x, n_1, m, num_iterations, itemsize, batch_size, m_test)
    strategy = choose(Settings(optimizer, lambd, l1, batch_size), shape, pixels, first_layer)
    values += strategy.memory_values(shape, n_state)  # the first-layer strategy's own arrays
    return values * itemsize


def check_memory(layer_dims: Sequence[int], m: int, dtype: str, budget: int | None = None, **settings: Any) -> int:
    """Return the estimate (``settings`` as for estimate_memory_bytes), or raise a ValueError over the budget."""
    budget = memory_budget_bytes() if budget is None else budget
    need = estimate_memory_bytes(layer_dims, m, dtype, **settings)
    if need > budget:
        raise ValueError(
            f"This network needs about {fmt_bytes(need)} for {m} examples, more than the {fmt_bytes(budget)} "
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
    lambd: float = 0.0               # L2: cost += lambd/(2m) sum ||W||^2
    l1: float = 0.0                  # L1: cost += l1/m sum |W|
    keep_prob: float = 1.0           # inverted dropout on the hidden layers; 1 = off
    batch_size: int | None = None    # None = full batch; else mini-batches of a seeded permutation per epoch
    optimizer: str = "gd"            # a key of OPTIMIZERS: gd, momentum, adam
    beta: float = 0.9                # momentum
    beta1: float = 0.9               # Adam's first moment
    beta2: float = 0.999             # Adam's second moment
    epsilon: float = 1e-8            # Adam
    decay: str = "none"              # a key of DECAYS: none, inverse, scheduled
    decay_rate: float = 1.0
    time_interval: int = 1000        # epochs per step of the scheduled decay

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
        for name in ("lambd", "l1", "decay_rate"):
            _check_real(getattr(self, name), name, "a finite number >= 0", lambda v: v >= 0)
        _check_real(self.keep_prob, "keep_prob", "in (0, 1] (1 keeps every unit)", lambda v: 0 < v <= 1)
        if self.batch_size is not None:
            _check_whole(self.batch_size, "batch_size", 1, 10**9)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}: choose one of {', '.join(OPTIMIZERS)}.")
        for name in ("beta", "beta1", "beta2"):
            _check_real(getattr(self, name), name, "in [0, 1)", lambda v: 0 <= v < 1)
        _check_real(self.epsilon, "epsilon", "a positive finite number", lambda v: v > 0)
        if self.decay not in DECAYS:
            raise ValueError(f"Unknown learning-rate decay {self.decay!r}: choose one of {', '.join(DECAYS)}.")
        _check_whole(self.time_interval, "time_interval", 1, 10**9)

    @property
    def L(self) -> int:
        return len(self.layer_dims) - 1

    def memory_settings(self) -> dict[str, Any]:
        """The settings estimate_memory_bytes / check_memory take from this config, as keyword arguments."""
        return {k: getattr(self, k) for k in ("batch_size", "optimizer", "keep_prob", "lambd", "l1", "num_iterations")}


def _check_real(value: object, name: str, wanted: str, ok: Callable[[float], bool]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not ok(value):
        raise ValueError(f"{name} must be {wanted}, got {value!r}.")


def _check_whole(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}.")
