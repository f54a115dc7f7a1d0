"""Activation functions g(Z) and their backward rules dZ = dA * g'(Z).

Every forward function returns ``(A, Z)`` like the course's ``sigmoid(Z)``
and ``relu(Z)``, so the Z can serve as the activation cache.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

LEAKY_SLOPE = 0.01


def sigmoid(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logistic sigmoid; written with exp(-|Z|) so that large |Z| never overflows."""
    E = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    return A, Z


def relu(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(Z, 0), Z


def tanh(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.tanh(Z), Z


def leaky_relu(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z), Z


def sigmoid_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    s = sigmoid(cache)[0]
    dZ: np.ndarray = dA * s * (1 - s)
    return dZ


def relu_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    return np.where(cache > 0, dA, 0).astype(dA.dtype, copy=False)


def tanh_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    t = np.tanh(cache)
    dZ: np.ndarray = dA * (1 - t * t)
    return dZ


def leaky_relu_backward(dA: np.ndarray, cache: np.ndarray) -> np.ndarray:
    return np.where(cache > 0, dA, LEAKY_SLOPE * dA).astype(dA.dtype, copy=False)


Forward = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
Backward = Callable[[np.ndarray, np.ndarray], np.ndarray]

ACTIVATIONS: dict[str, tuple[Forward, Backward]] = {
    "relu": (relu, relu_backward),
    "tanh": (tanh, tanh_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
}
HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation, else raise a ValueError that lists them."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}.")
    return name
