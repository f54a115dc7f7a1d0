"""Two exact ways to compute the first layer, chosen by shape.

The first layer dominates training: X is (n_x, m) with n_x = 12288 for the
cat images and it never changes.  In full-batch gradient descent every update
to W1 is -(alpha/m) dZ1 X^T, a combination of the columns of X, so

    W1 = W1_init + C X^T        and        Z1 = W1_init X + C G + b1,   G = X^T X.

``GramLayer`` keeps C (n_1, m) and the (m, m) Gram matrix, and costs n_1 m^2
per iteration instead of the 2 n_1 n_x m of ``DirectLayer``.  W1 is only
materialised when someone wants to see it.
"""
from __future__ import annotations

import numpy as np

GRAM_MAX_BYTES = 256 * 2**20


def choose_first_layer(n_x: int, n_1: int, m: int, iterations: int, itemsize: int = 8) -> str:
    """'gram' when its set-up plus per-iteration cost beats the direct products, else 'direct'."""
    if m * m * itemsize > GRAM_MAX_BYTES:
        return "direct"
    gram = n_x * m * m / 2 + iterations * n_1 * m * m
    direct = iterations * 2 * n_1 * n_x * m
    return "gram" if gram < direct else "direct"


class DirectLayer:
    """Z1 = W1 X + b1 with W1 (n_1, n_x) updated in place."""

    def __init__(self, W1: np.ndarray, X: np.ndarray):
        self.W1, self.X = W1.copy(), X

    def Z(self, b1: np.ndarray) -> np.ndarray:
        return self.W1 @ self.X + b1

    def update(self, dZ1: np.ndarray, step: float) -> None:
        """W1 -= step * dZ1 X^T, where step = alpha / m."""
        self.W1 -= (step * dZ1) @ self.X.T

    def dW_norm(self, dZ1: np.ndarray, m: int) -> float:
        return float(np.linalg.norm(dZ1 @ self.X.T) / m)

    def Z_other(self, X_other: np.ndarray, b1: np.ndarray) -> np.ndarray:
        return self.W1 @ X_other + b1

    def weights(self) -> np.ndarray:
        return self.W1


class GramLayer:
    """Z1 = P0 + C G + b1 with P0 = W1_init X and G = X^T X, both fixed."""

    def __init__(self, W1: np.ndarray, X: np.ndarray):
        self.W1_init, self.X = W1, X
        self.P0 = W1 @ X
        self.G = X.T @ X
        self.C = np.zeros_like(self.P0)
        self._cross: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def Z(self, b1: np.ndarray) -> np.ndarray:
        return self.P0 + self.C @ self.G + b1

    def update(self, dZ1: np.ndarray, step: float) -> None:
        self.C -= step * dZ1

    def dW_norm(self, dZ1: np.ndarray, m: int) -> float:
        # ||dZ1 X^T||_F^2 = sum((dZ1 G) * dZ1): no n_x-wide product needed
        return float(np.sqrt(max(np.sum((dZ1 @ self.G) * dZ1), 0.0)) / m)

    def Z_other(self, X_other: np.ndarray, b1: np.ndarray) -> np.ndarray:
        """Z1 for other examples (a test set), caching W1_init X' and X^T X' per array."""
        key = id(X_other)
        if key not in self._cross or self._cross[key][0] is not X_other:
            self._cross[key] = (X_other, self.W1_init @ X_other, self.X.T @ X_other)
        _, P0_other, H = self._cross[key]
        return P0_other + self.C @ H + b1

    def weights(self) -> np.ndarray:
        return self.W1_init + self.C @ self.X.T


def make_first_layer(W1: np.ndarray, X: np.ndarray, iterations: int, kind: str | None = None) -> DirectLayer | GramLayer:
    """The cheaper exact first layer for this shape and run length, unless ``kind`` names one."""
    if kind not in (None, "gram", "direct"):
        raise ValueError(f"first_layer must be 'gram', 'direct' or None (choose), not {kind!r}.")
    kind = kind or choose_first_layer(X.shape[0], W1.shape[0], X.shape[1], iterations, X.dtype.itemsize)
    return GramLayer(W1, X) if kind == "gram" else DirectLayer(W1, X)
