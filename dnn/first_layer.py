"""Two exact ways to compute the first layer, behind one interface, chosen by shape and settings.

The first layer dominates training: X is (n_x, m) with n_x = 12288 for the cat images and it never
changes.  With gradient descent or momentum every update to W1 is a linear combination of the
columns of X (dW1 = dZ1 X^T / m) plus, with L2, a multiple of W1 itself, so

    W1 = s W1_init + C X^T        and        Z1 = s P0 + C G + b1,   P0 = W1_init X,  G = X^T X.

``GramLayer`` keeps the scalar s and C (n_1, m) as its coordinates and costs n_1 m^2 per full-batch
iteration (n_1 m |batch| per mini-batch) instead of the 2 n_1 n_x m of ``DirectLayer``.  The optimiser
updates the coordinates with the coordinates' gradient, which is exact when the optimiser declares
``keeps_span`` (linear and elementwise in the gradients: gd, momentum) and every penalty is weight
decay (L2).  With L1 as well, ``TrackedLayer`` keeps W1 itself and Z1 = W1 X up to date instead of
recomputing it: one product with X per update instead of two.  Adam, mini-batches with L1, or an
optimiser without the declaration get ``DirectLayer``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import SimpleNamespace
from typing import Any

import numpy as np

from .optimizers import keeps_span
from .pixels import Pixels, W_times_X, dZ_times_XT
from .regularizers import active_regularizers

GRAM_MAX_BYTES = 256 * 2**20
# The optimiser steps W1 a block of rows at a time: W1, dW1 and the optimiser's state for one block
# (about five arrays) then stay in a core's cache between its passes instead of streaming 2 MB each.
ROW_BLOCK_BYTES = 384 * 2**10
Cols = np.ndarray | None  # the batch's column indices into X; None = every column, in order


class FirstLayer(ABC):
    """Layer 1's linear part for the training set X (n_x, m), updated by the run's optimiser."""

    @abstractmethod
    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        """Z1 (n_1, |cols|) = W1 X[:, cols] + b1."""

    @abstractmethod
    def step(self, dZ1: np.ndarray, cols: Cols, lr: float, t: int, config: Any) -> None:
        """One optimiser update of W1 from dZ1 (n_1, |cols|), with the config's penalties."""

    @abstractmethod
    def penalty(self, m: int, config: Any) -> float:
        """The config's penalties on W1 for a batch of m examples."""

    @abstractmethod
    def dW_norm(self, dZ1: np.ndarray, cols: Cols, config: Any) -> float:
        """||dW1||_F, penalties included."""

    @abstractmethod
    def Z_other(self, X_other: np.ndarray, b1: np.ndarray) -> np.ndarray:
        """Z1 for other examples (a test set)."""

    @abstractmethod
    def weights(self) -> np.ndarray:
        """W1 (n_1, n_x)."""


def gram_supported(optimizer: object, settings: Any, m: int) -> bool:
    """Whether the Gram coordinates stay exact for ``settings`` (lambd, l1, batch_size): a span-keeping
    optimiser and weight decay only, and penalties only with full batches (a mini-batch's L2 cost
    would need C G for all of C at every step, the direct layer's price)."""
    regs = active_regularizers(settings)
    full_batch = settings.batch_size is None or settings.batch_size >= m
    return keeps_span(optimizer) and all(r.decay is not None for r, _ in regs) and (full_batch or not regs)


def tracked_supported(optimizer: object, settings: Any, m: int) -> bool:
    """Whether ``TrackedLayer`` stays exact for ``settings``: a span-keeping optimiser, full batches, and
    penalties whose gradient is a scalar times W or times sign(W) (L2, L1)."""
    regs = active_regularizers(settings)
    full_batch = settings.batch_size is None or settings.batch_size >= m
    return keeps_span(optimizer) and full_batch and all(r.decay is not None or r.sign is not None for r, _ in regs)


def choose_first_layer(n_x: int, n_1: int, m: int, iterations: int, itemsize: int = 8,
                       batch_size: int | None = None) -> str:
    """'gram' when its set-up plus per-iteration cost beats the direct products, else 'direct'."""
    if m * m * itemsize > GRAM_MAX_BYTES:
        return "direct"
    mb = m if batch_size is None else min(batch_size, m)
    gram = n_x * m * m / 2 + iterations * n_1 * m * mb
    direct = iterations * 2 * n_1 * n_x * mb
    return "gram" if gram < direct else "direct"


class DirectLayer(FirstLayer):
    """Z1 = W1 X + b1 with W1 (n_1, n_x) updated in place by the optimiser."""

    def __init__(self, W1: np.ndarray, X: np.ndarray | Pixels, optimizer: Any, state: dict | None = None):
        self.W1, self.X, self.optimizer = W1.copy(), X, optimizer
        self.state = optimizer.init(self.W1) if state is None else state
        self._dW1 = np.empty_like(self.W1)  # dW1 is written here: no fresh n_1 x n_x array per step
        self._dW_of: tuple[np.ndarray, Cols] | None = None  # the (dZ1, cols) self._dW1 holds the gradient of
        self._batch: tuple[np.ndarray | None, np.ndarray] = (None, X)
        rows = max(1, ROW_BLOCK_BYTES // max(1, self.W1[:1].nbytes))
        self._blocks = [slice(r, r + rows) for r in range(0, self.W1.shape[0], rows)]

    def _x(self, cols: Cols) -> np.ndarray | Pixels:
        """X[:, cols], gathered once per batch (Z and step ask for the same one)."""
        if cols is None:
            return self.X
        if self._batch[0] is not cols and isinstance(self.X, Pixels):
            self._batch = (cols, self.X.take(cols, self.W1.dtype))
        elif self._batch[0] is not cols:
            # With examples contiguous (F order) each one is copied in one piece as a row of X^T: half
            # the time of X[:, cols], which reads the batch element by element.
            batch = self.X.T[cols].T if self.X.flags.f_contiguous else self.X[:, cols]
            self._batch = (cols, batch)
        return self._batch[1]

    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        return W_times_X(self.W1, self._x(cols), self.W1.dtype) + b1

    def _dW(self, dZ1: np.ndarray, cols: Cols, config: Any) -> np.ndarray:
        """dW1 for this dZ1, computed once: recording its norm and then stepping cost one product, not two."""
        if self._dW_of is not None and self._dW_of[0] is dZ1 and self._dW_of[1] is cols:
            return self._dW1
        m = dZ1.shape[1]
        dW1 = dZ_times_XT(dZ1 / m, self._x(cols), self.W1.dtype, out=self._dW1)
        for reg, strength in active_regularizers(config):
            for r in self._blocks:
                dW1[r] += self._penalty_grad(reg, strength, m, r)
        self._dW_of = (dZ1, cols)
        return dW1

    def _penalty_grad(self, reg: Any, strength: float, m: int, rows: slice) -> np.ndarray:
        return reg.grad(self.W1[rows], strength, m)

    def _penalty_cost(self, reg: Any, strength: float, m: int) -> float:
        return sum(reg.cost(self.W1[r], strength, m) for r in self._blocks)

    def step(self, dZ1: np.ndarray, cols: Cols, lr: float, t: int, config: Any) -> None:
        dW1 = self._dW(dZ1, cols, config)
        for r in self._blocks:  # elementwise updates: by blocks of rows, the same numbers, in cache
            self._step_rows(r, dW1, lr, t, config)
        self._dW_of = None

    def _step_rows(self, rows: slice, dW1: np.ndarray, lr: float, t: int, config: Any) -> None:
        self.optimizer.update(self.W1[rows], dW1[rows], {k: v[rows] for k, v in self.state.items()}, lr, t, config)

    def penalty(self, m: int, config: Any) -> float:
        return sum(self._penalty_cost(reg, strength, m) for reg, strength in active_regularizers(config))

    def dW_norm(self, dZ1: np.ndarray, cols: Cols, config: Any) -> float:
        return float(np.linalg.norm(self._dW(dZ1, cols, config)))

    def Z_other(self, X_other: np.ndarray | Pixels, b1: np.ndarray) -> np.ndarray:
        return W_times_X(self.W1, X_other, self.W1.dtype) + b1

    def weights(self) -> np.ndarray:
        return self.W1


class TrackedLayer(DirectLayer):
    """W1 (n_1, n_x) as in DirectLayer, and P = W1 X kept up to date instead of recomputed.

    A span-keeping optimiser moves W1 by a fixed linear combination of past gradients, so it moves
    P = W1 X by the same combination of the gradients times X:

        dW1 X = dZ1 G / m + decay P + c S X,   G = X^T X,  S = sign(W1)

    and S X changes only in the columns of X whose weight changed sign in an update.  One product with
    X per update (dZ1 X^T, for W1 and its penalties) instead of two; W1 stays exact and P follows it to
    rounding (tests compare both with the plain loop).
    """

    def __init__(self, W1: np.ndarray, X: np.ndarray, optimizer: Any):
        super().__init__(W1, X, optimizer)
        self.G = X.T @ X
        self.P = self.W1 @ X
        self.S = np.sign(self.W1)
        self.SX = self.S @ X
        self.state_P = optimizer.init(self.P)
        self._S_next, self._changed = np.empty_like(self.S), np.empty(self.S.shape, dtype=bool)

    def _penalty_grad(self, reg: Any, strength: float, m: int, rows: slice) -> np.ndarray:
        if reg.sign is not None:  # sign(W1) is kept: no pass to find it again
            return reg.sign(strength, m) * self.S[rows]
        return super()._penalty_grad(reg, strength, m, rows)

    def _penalty_cost(self, reg: Any, strength: float, m: int) -> float:
        if reg.sign is not None:  # sum |W1| = <W1, sign(W1)>: one pass, no |W1| array
            return reg.sign(strength, m) * float(np.vdot(self.W1, self.S))
        return super()._penalty_cost(reg, strength, m)

    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        return self.P + b1

    def step(self, dZ1: np.ndarray, cols: Cols, lr: float, t: int, config: Any) -> None:
        m = dZ1.shape[1]
        dWX = (dZ1 / m) @ self.G  # before the step: P and S X are those of the W1 dZ1 was computed with
        for reg, strength in active_regularizers(config):
            dWX += reg.decay(strength, m) * self.P if reg.decay is not None else reg.sign(strength, m) * self.SX
        super().step(dZ1, cols, lr, t, config)
        self.optimizer.update(self.P, dWX, self.state_P, lr, t, config)
        self._follow_signs()

    def _step_rows(self, rows: slice, dW1: np.ndarray, lr: float, t: int, config: Any) -> None:
        super()._step_rows(rows, dW1, lr, t, config)
        np.sign(self.W1[rows], out=self._S_next[rows])  # while the rows are in cache
        np.not_equal(self._S_next[rows], self.S[rows], out=self._changed[rows])

    def _follow_signs(self) -> None:
        """S X after the step: add (S_new - S) X over the columns whose sign changed."""
        S = self._S_next
        flat = np.flatnonzero(self._changed)
        if flat.size:
            rows, cols = np.divmod(flat, S.shape[1])
            changed, where = np.unique(cols, return_inverse=True)
            D = np.zeros((S.shape[0], changed.size), dtype=S.dtype)
            D[rows, where] = S[rows, cols] - self.S[rows, cols]
            self.SX += D @ self.X[changed]
        self.S, self._S_next = S, self.S


class GramLayer(FirstLayer):
    """Z1 = s P0 + C G + b1 with P0 = W1_init X and G = X^T X fixed; s (1, 1) and C (n_1, m) learn."""

    def __init__(self, W1: np.ndarray, X: np.ndarray, optimizer: Any):
        self.W1_init, self.X, self.optimizer = W1, X, optimizer
        self.P0 = W1 @ X
        self.G = X.T @ X
        self.init_sq = float(np.sum(W1 * W1))
        self.coords = {"s": np.ones((1, 1), dtype=X.dtype), "C": np.zeros_like(self.P0)}
        self.state = {k: optimizer.init(v) for k, v in self.coords.items()}
        self._state_scale = 1.0
        self._CG: np.ndarray | None = None  # C G, kept while C is unchanged (the L2 cost reuses it)
        self._cross: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        s, C = self.coords["s"], self.coords["C"]
        if cols is None:
            self._CG = C @ self.G
            return s * self.P0 + self._CG + b1
        return s * self.P0[:, cols] + C @ self.G[cols].T + b1  # G is symmetric: its rows are its columns

    def _grads(self, dZ1: np.ndarray, cols: Cols, config: Any) -> tuple[dict[str, np.ndarray], float]:
        """The coordinates' gradient times a constant k, and k: dW1 = (gs W1_init + gC X^T) / k.

        A full batch uses k = m (gC = dZ1 + m decay C, no division): a span-keeping optimiser is linear
        in its gradients, so k times the gradients at 1/k times the rate is the same run, and plain
        gradient descent does today's arithmetic, C -= (alpha / m) dZ1, bit for bit.  A mini-batch's
        size varies (the last one is partial), so there k = 1.
        """
        m = dZ1.shape[1]
        decay = sum(reg.decay(strength, m) for reg, strength in active_regularizers(config))
        s, C = self.coords["s"], self.coords["C"]
        if cols is None:
            gC = dZ1.copy() if decay else dZ1
            if decay:
                gC += (m * decay) * C
            return {"s": (m * decay) * s, "C": gC}, float(m)
        gC = decay * C if decay else np.zeros_like(C)
        gC[:, cols] += dZ1 / m
        return {"s": decay * s, "C": gC}, 1.0

    def step(self, dZ1: np.ndarray, cols: Cols, lr: float, t: int, config: Any) -> None:
        grads, k = self._grads(dZ1, cols, config)
        self._state_scale = k  # the optimiser state holds k times the true one
        for key, grad in grads.items():
            self.optimizer.update(self.coords[key], grad, self.state[key], lr / k, t, config)
        self._CG = None

    def _sq_norm(self, s: np.ndarray, C: np.ndarray, CG: np.ndarray) -> float:
        """||s W1_init + C X^T||_F^2 = s^2 ||W1_init||^2 + 2 s <C, P0> + <C G, C>: no n_x-wide product."""
        s = float(s[0, 0])
        return max(s * s * self.init_sq + 2 * s * float(np.sum(C * self.P0)) + float(np.sum(CG * C)), 0.0)

    def penalty(self, m: int, config: Any) -> float:
        regs = active_regularizers(config)
        if not regs:
            return 0.0
        if self._CG is None:
            self._CG = self.coords["C"] @ self.G
        sq = self._sq_norm(self.coords["s"], self.coords["C"], self._CG)
        return sum(reg.decay(strength, m) / 2 * sq for reg, strength in regs)  # decay * W is d/dW of this

    def dW_norm(self, dZ1: np.ndarray, cols: Cols, config: Any) -> float:
        g, k = self._grads(dZ1, cols, config)
        return float(np.sqrt(self._sq_norm(g["s"], g["C"], g["C"] @ self.G)) / k)

    def Z_other(self, X_other: np.ndarray, b1: np.ndarray) -> np.ndarray:
        """Z1 for other examples (a test set), caching W1_init X' and X^T X' per array."""
        key = id(X_other)
        if key not in self._cross or self._cross[key][0] is not X_other:
            self._cross[key] = (X_other, self.W1_init @ X_other, self.X.T @ X_other)
        _, P0_other, H = self._cross[key]
        return self.coords["s"] * P0_other + self.coords["C"] @ H + b1

    def weights(self) -> np.ndarray:
        return self.coords["s"] * self.W1_init + self.coords["C"] @ self.X.T

    def to_direct(self) -> DirectLayer:
        """The same W1 and optimiser state as a DirectLayer (for a live change Gram cannot follow)."""
        state = {k: (self.state["s"][k] * self.W1_init + self.state["C"][k] @ self.X.T) / self._state_scale
                 for k in self.state["C"]}
        state["scratch"] = np.empty_like(self.W1_init)
        return DirectLayer(self.weights(), self.X, self.optimizer, state)


def first_layer_kind(n_x: int, n_1: int, m: int, iterations: int, itemsize: int = 8, optimizer: Any = None,
                     config: Any = None, kind: str | None = None, pixels: bool = False) -> str:
    """'gram' or 'direct': ``kind`` if given (ValueError if Gram would not be exact), else the cheaper
    exact one for this shape, run length and settings.  ``optimizer`` defaults to gradient descent and
    ``config`` (penalties, batch_size) to none.  A large image set kept as pixels (``pixels``) gets the
    direct layer: the others' m x m matrix is what keeping pixels saves memory against."""
    from .optimizers import OPTIMIZERS
    if kind not in (None, "gram", "tracked", "direct"):
        raise ValueError(f"first_layer must be 'gram', 'tracked', 'direct' or None (choose), not {kind!r}.")
    optimizer = OPTIMIZERS["gd"] if optimizer is None else optimizer
    config = SimpleNamespace(lambd=0.0, l1=0.0, batch_size=None) if config is None else config
    if kind == "gram" and not gram_supported(optimizer, config, m):
        raise ValueError("The Gram first layer is exact only for an optimiser that keeps W1 in the span of "
                         "X (gd, momentum) with at most L2 (full batch); use first_layer='direct'.")
    if kind == "tracked" and not tracked_supported(optimizer, config, m):
        raise ValueError("The tracked first layer is exact only for an optimiser that keeps W1 in the span of "
                         "X (gd, momentum) with L2 and L1 and full batches; use first_layer='direct'.")
    if pixels and kind in ("gram", "tracked"):
        raise ValueError(f"The {kind} first layer needs X as an array; this large image set is kept as its "
                         "pixels: use first_layer='direct'.")
    if kind is not None:
        return kind
    if pixels:
        return "direct"
    if gram_supported(optimizer, config, m):
        return choose_first_layer(n_x, n_1, m, iterations, itemsize, config.batch_size)
    if tracked_supported(optimizer, config, m) and m * m * itemsize <= GRAM_MAX_BYTES:
        # set-up (G, W1 X, S X) against the product with X an update saves
        return "tracked" if n_x * m * m / 2 + 2 * n_1 * n_x * m < iterations * n_1 * n_x * m else "direct"
    return "direct"


def make_first_layer(W1: np.ndarray, X: np.ndarray | Pixels, iterations: int, kind: str | None = None,
                     optimizer: Any = None, config: Any = None) -> FirstLayer:
    """The first layer ``first_layer_kind`` picks, for W1 (n_1, n_x) and the training set X (n_x, m)."""
    from .optimizers import OPTIMIZERS
    optimizer = OPTIMIZERS["gd"] if optimizer is None else optimizer
    kind = first_layer_kind(X.shape[0], W1.shape[0], X.shape[1], iterations, W1.dtype.itemsize, optimizer, config, kind,
                            pixels=isinstance(X, Pixels))
    layers = {"gram": GramLayer, "tracked": TrackedLayer, "direct": DirectLayer}
    return layers[kind](W1, X, optimizer)
