"""Optimisers as table entries, like ACTIVATIONS: ``init`` makes one parameter's state, ``update`` steps it.

    state = OPTIMIZERS["adam"].init(W)                          # {"v": zeros, "s": zeros}
    OPTIMIZERS["adam"].update(W, dW, state, learning_rate, t, config)   # W changed in place

``t`` counts updates from 1 (Adam's bias correction); ``config`` carries beta, beta1, beta2 and epsilon.
Every state array is shaped like its parameter and ``update`` is elementwise, so the direct first layer
steps W1 a block of rows at a time with row views of W1, dW1 and the state (first_layer.py).
``keeps_span`` declares that an update is a fixed linear, elementwise combination of past gradients:
then every W1 stays in span(W1_init, X's columns) and the Gram first layer stays exact
(see first_layer.py).  An optimiser that does not declare it gets the direct first layer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

State = dict[str, np.ndarray]


class Optimizer(NamedTuple):
    init: Callable[[np.ndarray], State]
    update: Callable[[np.ndarray, np.ndarray, State, float, int, Any], None]
    keeps_span: bool


# Each state holds a scratch array like the parameter: the updates write their temporaries there
# instead of allocating (for W1 that is 2 MB per temporary, and fresh pages cost more than the arithmetic).

def _scratch(param: np.ndarray) -> State:
    return {"scratch": np.empty_like(param)}


def _gd_update(param: np.ndarray, grad: np.ndarray, state: State, lr: float, t: int, config: Any) -> None:
    """W -= alpha dW."""
    step = np.multiply(grad, lr, out=state["scratch"])
    param -= step


def _velocity(param: np.ndarray) -> State:
    return {"v": np.zeros_like(param), **_scratch(param)}


def _momentum_update(param: np.ndarray, grad: np.ndarray, state: State, lr: float, t: int, config: Any) -> None:
    """v = beta v + (1 - beta) dW;  W -= alpha v."""
    v, tmp = state["v"], state["scratch"]
    v *= config.beta
    v += np.multiply(grad, 1 - config.beta, out=tmp)
    param -= np.multiply(v, lr, out=tmp)


def _moments(param: np.ndarray) -> State:
    return {"v": np.zeros_like(param), "s": np.zeros_like(param), **_scratch(param)}


def _adam_update(param: np.ndarray, grad: np.ndarray, state: State, lr: float, t: int, config: Any) -> None:
    """v = b1 v + (1-b1) dW;  s = b2 s + (1-b2) dW^2;  W -= alpha v_corr / (sqrt(s_corr) + epsilon)
    with v_corr = v / (1 - b1^t) and s_corr = s / (1 - b2^t)."""
    v, s, tmp = state["v"], state["s"], state["scratch"]
    v *= config.beta1
    v += np.multiply(grad, 1 - config.beta1, out=tmp)
    s *= config.beta2
    np.multiply(grad, grad, out=tmp)
    tmp *= 1 - config.beta2
    s += tmp
    # sqrt(s_corr) + eps = (sqrt(s) + eps c) / c with c = sqrt(1 - b2^t): one pass fewer over W
    c = np.sqrt(1 - config.beta2 ** t)
    np.sqrt(s, out=tmp)
    # eps c underflows to 0 for the smallest epsilons (5e-324 c == 0), and a zero gradient then gives 0 / 0:
    # the floor keeps the denominator positive and changes nothing for any eps c above it (the course's 1e-8)
    tmp += max(config.epsilon * c, float(np.finfo(tmp.dtype).tiny))
    np.divide(v, tmp, out=tmp)
    tmp *= lr * c / (1 - config.beta1 ** t)
    param -= tmp


OPTIMIZERS: dict[str, Optimizer] = {
    "gd": Optimizer(_scratch, _gd_update, keeps_span=True),
    "momentum": Optimizer(_velocity, _momentum_update, keeps_span=True),
    "adam": Optimizer(_moments, _adam_update, keeps_span=False),  # divides by sqrt(s): not linear
}


def keeps_span(optimizer: object) -> bool:
    """True only for an optimiser that declares ``keeps_span = True``; undeclared means no."""
    return getattr(optimizer, "keeps_span", False) is True
