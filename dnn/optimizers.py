"""Optimisers as table entries, like ACTIVATIONS: ``init`` makes one parameter's state, ``update`` steps it.

    state = OPTIMIZERS["adam"].init(W)                          # {"v": zeros, "s": zeros}
    OPTIMIZERS["adam"].update(W, dW, state, learning_rate, t, config)   # W changed in place

``t`` counts updates from 1 (Adam's bias correction); ``config`` carries beta, beta1, beta2 and epsilon.
``keeps_span`` declares that an update is a fixed linear, elementwise combination of past gradients:
then every W1 stays in span(W1_init, X's columns) and the Gram first layer stays exact
(see first_layer.py).  An optimiser that does not declare it gets the direct first layer.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

State = dict[str, np.ndarray]


class Optimizer(NamedTuple):
    init: Callable[[np.ndarray], State]
    update: Callable[[np.ndarray, np.ndarray, State, float, int, Any], None]
    keeps_span: bool


def _no_state(param: np.ndarray) -> State:
    return {}


def _gd_update(param: np.ndarray, grad: np.ndarray, state: State, lr: float, t: int, config: Any) -> None:
    """W -= alpha dW."""
    param -= lr * grad


def _velocity(param: np.ndarray) -> State:
    return {"v": np.zeros_like(param)}


def _momentum_update(param: np.ndarray, grad: np.ndarray, state: State, lr: float, t: int, config: Any) -> None:
    """v = beta v + (1 - beta) dW;  W -= alpha v."""
    v = state["v"]
    v *= config.beta
    v += (1 - config.beta) * grad
    param -= lr * v


def _moments(param: np.ndarray) -> State:
    return {"v": np.zeros_like(param), "s": np.zeros_like(param)}


def _adam_update(param: np.ndarray, grad: np.ndarray, state: State, lr: float, t: int, config: Any) -> None:
    """v = b1 v + (1-b1) dW;  s = b2 s + (1-b2) dW^2;  W -= alpha v_corr / (sqrt(s_corr) + epsilon)."""
    v, s = state["v"], state["s"]
    v *= config.beta1
    v += (1 - config.beta1) * grad
    s *= config.beta2
    s += (1 - config.beta2) * (grad * grad)
    denominator = np.sqrt(s / (1 - config.beta2 ** t))
    denominator += config.epsilon
    param -= lr * (v / (1 - config.beta1 ** t)) / denominator


OPTIMIZERS: dict[str, Optimizer] = {
    "gd": Optimizer(_no_state, _gd_update, keeps_span=True),
    "momentum": Optimizer(_velocity, _momentum_update, keeps_span=True),
    "adam": Optimizer(_moments, _adam_update, keeps_span=False),  # divides by sqrt(s): not linear
}


def keeps_span(optimizer: object) -> bool:
    """True only for an optimiser that declares ``keeps_span = True``; undeclared means no."""
    return getattr(optimizer, "keeps_span", False) is True
