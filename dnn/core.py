"""The course's forward and backward propagation, one function per step.

Shapes follow the course: examples are columns, ``A_prev`` is (n_{l-1}, m),
``W`` is (n_l, n_{l-1}), ``b`` is (n_l, 1), ``Z`` and ``A`` are (n_l, m).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, check_activation

Parameters = dict[str, np.ndarray]


class LinearCache(NamedTuple):
    """``(A_prev, W, b)``, the course's linear_cache."""

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray


class LayerCache(NamedTuple):
    """``(linear_cache, activation_cache)`` where activation_cache is Z."""

    linear_cache: LinearCache
    activation_cache: np.ndarray


def num_layers(parameters: Parameters) -> int:
    """L, the number of layers with weights."""
    return len(parameters) // 2


def linear_forward(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, LinearCache]:
    """Z = W A + b.  A (n_prev, m), W (n, n_prev), b (n, 1) -> Z (n, m)."""
    if A.ndim != 2 or W.ndim != 2 or W.shape[1] != A.shape[0] or b.shape != (W.shape[0], 1):
        raise ValueError(
            f"Shapes do not chain: W {W.shape} @ A {A.shape} + b {b.shape}; "
            "W must be (n_l, n_prev), A (n_prev, m) and b (n_l, 1)."
        )
    return W @ A + b, LinearCache(A, W, b)


def linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, LayerCache]:
    """A = g(W A_prev + b) for g in relu, tanh, leaky_relu, sigmoid."""
    forward = ACTIVATIONS[check_activation(activation)][0]
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = forward(Z)
    return A, LayerCache(linear_cache, activation_cache)


def L_model_forward(
    X: np.ndarray, parameters: Parameters, hidden_activation: str = "relu"
) -> tuple[np.ndarray, list[LayerCache]]:
    """[LINEAR -> hidden] x (L-1) -> LINEAR -> SIGMOID.  X (n_x, m) -> AL (1, m), one cache per layer."""
    L = num_layers(parameters)
    A, caches = X, []
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else hidden_activation
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
    return A, caches


def compute_cost(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Cross-entropy J = -(1/m) sum(y log a + (1-y) log(1-a)) for AL, Y of shape (1, m), as the
    course returns it: ``np.squeeze(cost)``, a 0-d array (``float(cost)`` gives the number).

    AL is clipped a machine epsilon away from 0 and 1 so that a saturated
    sigmoid gives a large finite cost instead of log(0).  Y may be any real values, like the course's.
    """
    if AL.shape != Y.shape:
        raise ValueError(f"AL {AL.shape} and Y {Y.shape} must have the same shape (1, m).")
    eps = np.finfo(np.result_type(AL.dtype, np.float32)).eps
    a = np.clip(AL, eps, 1 - eps)
    m = Y.shape[1]
    cost = -(np.dot(np.log(a), Y.T) + np.dot(np.log(1 - a), (1 - Y).T)) / m
    squeezed: np.ndarray = np.squeeze(cost)
    return squeezed


def linear_backward(dZ: np.ndarray, cache: LinearCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dZ (n, m) -> dA_prev (n_prev, m), dW (n, n_prev), db (n, 1)."""
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_backward(
    dA: np.ndarray, cache: LayerCache, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dZ = dA * g'(Z), then linear_backward."""
    backward = ACTIVATIONS[check_activation(activation)][1]
    linear_cache, activation_cache = cache
    dZ = backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(
    AL: np.ndarray, Y: np.ndarray, caches: list[LayerCache], hidden_activation: str = "relu"
) -> dict[str, np.ndarray]:
    """Grads keyed dA{l-1}, dW{l}, db{l} for l = 1..L, starting from dAL = -(Y/AL - (1-Y)/(1-AL))."""
    Y = Y.reshape(AL.shape)
    L = len(caches)
    with np.errstate(divide="ignore", invalid="ignore"):
        dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads: dict[str, np.ndarray] = {}
    for l in reversed(range(1, L + 1)):
        activation = "sigmoid" if l == L else hidden_activation
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], activation)
        grads[f"dA{l - 1}"] = dA
    return grads


def update_parameters(parameters: Parameters, grads: dict[str, np.ndarray], learning_rate: float) -> Parameters:
    """One gradient-descent step, returning a new dict: W{l} - alpha dW{l}, b{l} - alpha db{l}."""
    return {
        key: value - learning_rate * grads[f"d{key}"]
        for key, value in parameters.items()
    }


def predict_proba(X: np.ndarray, parameters: Parameters, hidden_activation: str = "relu") -> np.ndarray:
    """AL (1, m): the network's probability of class 1 for each column of X."""
    check_input(X, parameters)
    return L_model_forward(X, parameters, hidden_activation)[0]


def predict(X: np.ndarray, y: np.ndarray | None, parameters: Parameters, hidden_activation: str = "relu") -> np.ndarray:
    """The course's ``predict(X, y, parameters)``: p (1, m) float64 of 0. and 1., AL > 0.5.

    ``y`` is taken for the course's signature; the course prints the accuracy against it, this
    prints nothing (compute ``np.mean(p == y)``).
    """
    if isinstance(y, dict):
        raise ValueError("predict takes (X, y, parameters) like the course: the parameters come third "
                         "(pass y=None when there are no labels).")
    return (predict_proba(X, parameters, hidden_activation) > 0.5).astype(np.float64)


def check_input(X: np.ndarray, parameters: Parameters) -> None:
    """Raise a ValueError unless X is (n_x, m) with n_x the width W1 expects."""
    n_x = parameters["W1"].shape[1]
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != n_x:
        shape = getattr(X, "shape", type(X).__name__)
        raise ValueError(f"X must be ({n_x}, m), one example per column; got {shape}.")
