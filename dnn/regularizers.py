"""Weight penalties as table entries: {cost, grad} per W{l}, with m the number of examples in the batch.

    L2 (lambd):  cost += lambd / (2m) sum ||W||^2,   dW += lambd / m W
    L1 (l1):     cost += l1 / m sum |W|,             dW += l1 / m sign(W)

Biases are not penalised (the course's convention).  ``decay`` is set for a penalty whose gradient is
a scalar times W (weight decay): the Gram first layer keeps those exact.  ``sign`` is set for a penalty
whose gradient is a scalar times sign(W): the tracked first layer keeps those (and weight decay) exact;
any other penalty makes the engine use the direct first layer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np


class Regularizer(NamedTuple):
    field: str                                                   # the TrainConfig field with its strength
    cost: Callable[[np.ndarray, float, int], float]
    grad: Callable[[np.ndarray, float, int], np.ndarray]
    decay: Callable[[float, int], float] | None                  # grad == decay(strength, m) * W, if so
    sign: Callable[[float, int], float] | None = None            # grad == sign(strength, m) * sign(W), if so


def _l2_cost(W: np.ndarray, lambd: float, m: int) -> float:
    return float(lambd / (2 * m) * np.sum(W * W))


def _l2_grad(W: np.ndarray, lambd: float, m: int) -> np.ndarray:
    return (lambd / m) * W


def _l2_decay(lambd: float, m: int) -> float:
    return lambd / m


def _l1_cost(W: np.ndarray, l1: float, m: int) -> float:
    return float(l1 / m * np.sum(np.abs(W)))


def _l1_grad(W: np.ndarray, l1: float, m: int) -> np.ndarray:
    g: np.ndarray = np.sign(W)
    g *= l1 / m  # in place: W1's sign is 2 MB for the cat net, one fresh array is enough
    return g


def _l1_sign(l1: float, m: int) -> float:
    return l1 / m


REGULARIZERS: dict[str, Regularizer] = {
    "l2": Regularizer("lambd", _l2_cost, _l2_grad, _l2_decay),
    "l1": Regularizer("l1", _l1_cost, _l1_grad, None, _l1_sign),
}


def active_regularizers(config: Any) -> list[tuple[Regularizer, float]]:
    """The penalties whose strength in ``config`` is above 0, with that strength."""
    return [(reg, float(getattr(config, reg.field))) for reg in REGULARIZERS.values()
            if getattr(config, reg.field) > 0]
