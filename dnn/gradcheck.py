"""Gradient checking: centred finite differences against L_model_backward."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .core import L_model_backward, L_model_forward, Parameters, compute_cost, num_layers
from .regularizers import active_regularizers


class _Strengths(NamedTuple):
    lambd: float
    l1: float


def _cost(X: np.ndarray, Y: np.ndarray, parameters: Parameters, activation: str, penalties: _Strengths) -> float:
    """Cross-entropy plus the penalties on every W{l}, with m = X's columns (the engine's full-batch cost)."""
    m = X.shape[1]
    penalty = sum(reg.cost(parameters[f"W{l}"], s, m)
                  for reg, s in active_regularizers(penalties) for l in range(1, num_layers(parameters) + 1))
    return float(compute_cost(L_model_forward(X, parameters, activation)[0], Y)) + penalty


def _sample(size: int, max_per_layer: int | None, rng: np.random.RandomState) -> np.ndarray:
    if max_per_layer is None or size <= max_per_layer:
        return np.arange(size)
    return np.sort(rng.choice(size, max_per_layer, replace=False))


def gradient_check(
    parameters: Parameters, X: np.ndarray, Y: np.ndarray, hidden_activation: str = "relu",
    epsilon: float = 1e-6, max_per_layer: int | None = 200, seed: int = 0, lambd: float = 0.0, l1: float = 0.0,
) -> dict[int, float]:
    """Relative error ||grad - approx|| / (||grad|| + ||approx||) per layer l = 1..L.

    Each layer's W{l} and b{l} entries are perturbed by +-epsilon in float64 (1e-6 balances
    the O(eps^2) truncation error against the cost's rounding error / eps);
    large arrays are sampled: at most ``max_per_layer`` entries of each, chosen by ``seed``.
    ``lambd`` and ``l1`` add the engine's penalties (regularizers.py) to the cost and the gradients;
    L1 has a kink at 0, so check it with weights away from 0.  Dropout is off (its mask is random).
    """
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X64 = np.asarray(X, dtype=np.float64)
    AL, caches = L_model_forward(X64, params, hidden_activation)
    grads = L_model_backward(AL, np.asarray(Y, dtype=np.float64), caches, hidden_activation)
    for reg, strength in active_regularizers(_Strengths(lambd, l1)):
        for l in range(1, num_layers(params) + 1):
            grads[f"dW{l}"] = grads[f"dW{l}"] + reg.grad(params[f"W{l}"], strength, X64.shape[1])
    return compare_gradients(params, grads, X, Y, hidden_activation, epsilon, max_per_layer, seed, lambd, l1)


def compare_gradients(
    parameters: Parameters, grads: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
    hidden_activation: str = "relu", epsilon: float = 1e-6, max_per_layer: int | None = 200, seed: int = 0,
    lambd: float = 0.0, l1: float = 0.0,
) -> dict[int, float]:
    """``gradient_check``'s relative error per layer for any ``grads`` (dW{l}, db{l}): e.g. a Trainer's
    ``gradients()``, which every first-layer strategy gives through its own arithmetic."""
    penalties = _Strengths(lambd, l1)
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    rng = np.random.RandomState(seed)
    errors = {}
    for l in range(1, num_layers(params) + 1):
        exact, approx = [], []
        for name in (f"W{l}", f"b{l}"):
            flat = params[name].reshape(-1)  # a view: perturbing it perturbs params
            for i in _sample(flat.size, max_per_layer, rng):
                old = flat[i]
                flat[i] = old + epsilon
                plus = _cost(X, Y, params, hidden_activation, penalties)
                flat[i] = old - epsilon
                minus = _cost(X, Y, params, hidden_activation, penalties)
                flat[i] = old
                approx.append((plus - minus) / (2 * epsilon))
                exact.append(float(np.asarray(grads[f"d{name}"]).reshape(-1)[i]))
        e, a = np.array(exact), np.array(approx)
        denom = np.linalg.norm(e) + np.linalg.norm(a)
        errors[l] = float(np.linalg.norm(e - a) / denom) if denom > 0 else 0.0
    return errors
