"""Layer 1's linear part behind one gradient contract: the dense layer, and two exact speed-ups.

The first layer dominates training: X is (n_x, m) with n_x = 12288 for the cat images and it never
changes.  ``DirectLayer`` is the default and the reference: Z1 = W1 X + b1, the dense dW1 = dZ1 X^T / m
(penalties included) formed by ``gradient`` and applied by the run's optimiser; any new option that
touches gradients is written once, there and in the engine, and the speed-ups below decline it.

With gradient descent or momentum every update to W1 is a linear combination of the columns of X
plus, with L2, a multiple of W1 itself, so

    W1 = s W1_init + C X^T        and        Z1 = s P0 + C G + b1,   P0 = W1_init X,  G = X^T X.

``GramLayer`` keeps the scalar s and C (n_1, m) as its coordinates and costs n_1 m^2 per full-batch
iteration (n_1 m |batch| per mini-batch) instead of the 2 n_1 n_x m of ``DirectLayer``.  The optimiser
updates the coordinates with the coordinates' gradient, which is exact when the optimiser declares
``keeps_span`` (linear and elementwise in the gradients: gd, momentum) and every penalty is weight
decay (L2).  With L1 as well, ``TrackedLayer`` keeps W1 itself and Z1 = W1 X up to date instead of
recomputing it: one product with X per update instead of two.

The contract every strategy keeps (``FirstLayer``):

    Z(b1, cols), Z_other(X', b1)        Z1 on the batch, on other examples
    gradient(dZ1, cols, config) -> g    layer 1's gradient, penalties included, in the strategy's form
    dense(g)                            that gradient as the (n_1, n_x) array dW1
    norm(g)                             ||dW1||_F
    apply(g, lr, t, config)             one optimiser update
    penalty(m, config), weights()       the penalties on W1; W1 itself

and each owns ``supports(settings, m, pixels)``, ``cost(shape)`` (flops for a run) and
``memory_values(shape, n_state)``.  ``STRATEGIES`` is the one table and ``choose`` the one place a
strategy is picked: the cheapest that supports the settings and fits, the dense layer by default.
"""
from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .optimizers import OPTIMIZERS, keeps_span
from .pixels import Pixels, W_times_X, dZ_times_XT
from .regularizers import Regularizer, active_regularizers

# Neither speed-up is chosen when its m x m matrix G = X^T X would pass this (13,000 images: 1.35 GB).
GRAM_MAX_BYTES = 256 * 2**20
# The optimiser steps W1 a block of rows at a time: W1, dW1 and the optimiser's state for one block
# (about five arrays) then stay in a core's cache between its passes instead of streaming 2 MB each.
ROW_BLOCK_BYTES = 384 * 2**10
Cols = np.ndarray | None  # the batch's column indices into X; None = every column, in order

# TrainConfig fields that change nothing in layer 1's algebra for any strategy: the hidden layers, the
# step size and its schedule (a scalar per update), dropout (hidden layers only), recording, the
# optimiser's constants.  A field outside this set and outside Settings (a new option) at a value other
# than its default is "unknown": only the dense layer runs it, so a new option is written once.
NEUTRAL_FIELDS = frozenset({
    "layer_dims", "hidden_activation", "init", "seed", "dtype", "learning_rate", "num_iterations", "record_every",
    "accuracy_every", "keep_prob", "beta", "beta1", "beta2", "epsilon", "decay", "decay_rate", "time_interval"})


@dataclass(frozen=True)
class Settings:
    """What decides which strategies are exact for a run: TrainConfig's names, and any other option on."""

    optimizer: str = "gd"
    lambd: float = 0.0
    l1: float = 0.0
    batch_size: int | None = None
    unknown: tuple[str, ...] = ()  # other options away from their defaults: only the dense layer has them

    @classmethod
    def of(cls, config: Any) -> Settings:
        """A TrainConfig's settings (any dataclass with its fields)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = tuple(f.name for f in dataclasses.fields(config)
                        if f.name not in known | NEUTRAL_FIELDS and getattr(config, f.name) != f.default)
        return cls(config.optimizer, config.lambd, config.l1, config.batch_size, unknown)

    def full_batch(self, m: int) -> bool:
        return self.batch_size is None or self.batch_size >= m


@dataclass(frozen=True)
class Shape:
    """A run's size as the cost and memory models see it."""

    n_x: int
    n_1: int
    m: int
    iterations: int = 2500
    itemsize: int = 8
    batch_size: int | None = None
    m_test: int = 0

    @property
    def mb(self) -> int:
        """Examples per update."""
        return self.m if self.batch_size is None else min(self.batch_size, self.m)


class FirstLayer(ABC):
    """Layer 1's linear part for the training set X (n_x, m), updated by the run's optimiser."""

    name: ClassVar[str]
    requires: ClassVar[str] = ""  # what supports() asks, said in a ValueError when the strategy is forced

    # ----- the strategy's own model: when it is exact, what it costs, what it holds ------------------
    @classmethod
    def supports(cls, settings: Settings, m: int, pixels: bool = False) -> bool:
        """Whether this strategy gives the dense layer's numbers (to rounding) for ``settings``."""
        return True

    @classmethod
    def fits(cls, shape: Shape) -> bool:
        """Whether it may be chosen without being asked for (its arrays stay small)."""
        return True

    @classmethod
    @abstractmethod
    def cost(cls, shape: Shape) -> float:
        """Flops of layer 1's products for the whole run, set-up included."""

    @classmethod
    def memory_values(cls, shape: Shape, n_state: int) -> int:
        """Values held beyond the dense layer's W1, dW1 and optimiser state (``n_state`` arrays like W1)."""
        return 0

    # ----- the run's use of it ------------------------------------------------------------------------
    @abstractmethod
    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        """Z1 (n_1, |cols|) = W1 X[:, cols] + b1."""

    @abstractmethod
    def gradient(self, dZ1: np.ndarray, cols: Cols, config: Any) -> Any:
        """Layer 1's gradient for dZ1 (n_1, |cols|), the config's penalties included, in this strategy's form."""

    @abstractmethod
    def dense(self, grad: Any) -> np.ndarray:
        """``grad`` as dW1 (n_1, n_x)."""

    @abstractmethod
    def norm(self, grad: Any) -> float:
        """||dW1||_F of ``grad``."""

    @abstractmethod
    def apply(self, grad: Any, lr: float, t: int, config: Any) -> None:
        """One optimiser update of W1 with ``grad``."""

    @abstractmethod
    def penalty(self, m: int, config: Any) -> float:
        """The config's penalties on W1 for a batch of m examples."""

    @abstractmethod
    def Z_other(self, X_other: np.ndarray | Pixels, b1: np.ndarray) -> np.ndarray:
        """Z1 for other examples (a test set)."""

    @abstractmethod
    def weights(self) -> np.ndarray:
        """W1 (n_1, n_x)."""

    @abstractmethod
    def to_direct(self) -> DirectLayer:
        """The same W1 and optimiser state as the dense layer (for a live change this one cannot follow)."""

    def finite(self) -> bool:
        """Whether what the layer learns is finite (a sum: one pass, no boolean copy; a sum that overflows
        means weights near the largest float, which count as not finite too)."""
        return bool(np.isfinite(np.sum(self.weights())))

    def abs_bound(self, c: float) -> np.ndarray:
        """An upper bound (n_1, 1) on |W1 x| for every x with |x_i| <= c: dnn/finite.py's first layer."""
        bound: np.ndarray = c * np.abs(self.weights()).sum(axis=1, keepdims=True, dtype=np.float64)
        return bound

    def keep(self) -> Any:
        """A copy of what the layer has learnt, for ``kept_weights`` (a diverged run falls back to it)."""
        return self.weights().copy()

    @property
    def kept_values(self) -> int:
        """How many numbers ``keep`` copies."""
        return int(self.weights().size)

    def kept_weights(self, kept: Any) -> np.ndarray:
        """W1 (n_1, n_x) of a copy made by ``keep``."""
        W1: np.ndarray = kept
        return W1


class DirectLayer(FirstLayer):
    """The dense layer: Z1 = W1 X + b1, dW1 = dZ1 X^T / m + penalties, W1 updated in place by the optimiser."""

    name = "direct"

    @classmethod
    def cost(cls, shape: Shape) -> float:
        return shape.iterations * 4.0 * shape.n_1 * shape.n_x * shape.mb  # W1 X and dZ1 X^T

    def __init__(self, W1: np.ndarray, X: np.ndarray | Pixels, optimizer: Any,
                 state: dict[str, np.ndarray] | None = None) -> None:
        self.W1, self.X, self.optimizer = W1.copy(), X, optimizer
        self.state = optimizer.init(self.W1) if state is None else state
        self._dW1 = np.empty_like(self.W1)  # dW1 is written here: no fresh n_1 x n_x array per step
        self._batch: tuple[np.ndarray | None, np.ndarray | Pixels] = (None, X)
        rows = max(1, ROW_BLOCK_BYTES // max(1, self.W1[:1].nbytes))
        self._blocks = [slice(r, r + rows) for r in range(0, self.W1.shape[0], rows)]

    def _x(self, cols: Cols) -> np.ndarray | Pixels:
        """X[:, cols], gathered once per batch (Z and gradient ask for the same one)."""
        if cols is None:
            return self.X
        if self._batch[0] is not cols and isinstance(self.X, Pixels):
            self._batch = (cols, self.X.take(cols, self.W1.dtype))
        elif self._batch[0] is not cols and isinstance(self.X, np.ndarray):
            # With examples contiguous (F order) each one is copied in one piece as a row of X^T: half
            # the time of X[:, cols], which reads the batch element by element.
            batch = self.X.T[cols].T if self.X.flags.f_contiguous else self.X[:, cols]
            self._batch = (cols, batch)
        return self._batch[1]

    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        Z1: np.ndarray = W_times_X(self.W1, self._x(cols), self.W1.dtype) + b1
        return Z1

    def gradient(self, dZ1: np.ndarray, cols: Cols, config: Any) -> np.ndarray:
        """dW1 (n_1, n_x), written into one buffer kept by the layer (valid until the next call)."""
        m = dZ1.shape[1]
        dW1 = dZ_times_XT(dZ1 / m, self._x(cols), self.W1.dtype, out=self._dW1)
        for reg, strength in active_regularizers(config):
            for r in self._blocks:
                dW1[r] += self._penalty_grad(reg, strength, m, r)
        return dW1

    def dense(self, grad: Any) -> np.ndarray:
        dW1: np.ndarray = grad
        return dW1

    def norm(self, grad: Any) -> float:
        return float(np.linalg.norm(self.dense(grad)))

    def _penalty_grad(self, reg: Regularizer, strength: float, m: int, rows: slice) -> np.ndarray:
        return reg.grad(self.W1[rows], strength, m)

    def _penalty_cost(self, reg: Regularizer, strength: float, m: int) -> float:
        return sum(reg.cost(self.W1[r], strength, m) for r in self._blocks)

    def apply(self, grad: Any, lr: float, t: int, config: Any) -> None:
        dW1 = self.dense(grad)
        for r in self._blocks:  # elementwise updates: by blocks of rows, the same numbers, in cache
            self._step_rows(r, dW1, lr, t, config)

    def _step_rows(self, rows: slice, dW1: np.ndarray, lr: float, t: int, config: Any) -> None:
        self.optimizer.update(self.W1[rows], dW1[rows], {k: v[rows] for k, v in self.state.items()}, lr, t, config)

    def penalty(self, m: int, config: Any) -> float:
        return sum(self._penalty_cost(reg, strength, m) for reg, strength in active_regularizers(config))

    def Z_other(self, X_other: np.ndarray | Pixels, b1: np.ndarray) -> np.ndarray:
        Z1: np.ndarray = W_times_X(self.W1, X_other, self.W1.dtype) + b1
        return Z1

    def weights(self) -> np.ndarray:
        return self.W1

    def to_direct(self) -> DirectLayer:
        return self


def _span_exact(settings: Settings, pixels: bool) -> bool:
    """What both speed-ups need: a span-keeping optimiser, no option they do not know, X as an array."""
    return keeps_span(OPTIMIZERS.get(settings.optimizer)) and not settings.unknown and not pixels


def _gram_fits(shape: Shape) -> bool:
    return shape.m * shape.m * shape.itemsize <= GRAM_MAX_BYTES


class TrackedLayer(DirectLayer):
    """W1 (n_1, n_x) as in DirectLayer, and P = W1 X kept up to date instead of recomputed.

    A span-keeping optimiser moves W1 by a fixed linear combination of past gradients, so it moves
    P = W1 X by the same combination of the gradients times X:

        dW1 X = dZ1 G / m + decay P + c S X,   G = X^T X,  S = sign(W1)

    and S X changes only in the columns of X whose weight changed sign in an update.  One product with
    X per update (dZ1 X^T, for W1 and its penalties) instead of two; W1 stays exact and P follows it to
    rounding (tests compare both with the plain loop).  Its gradient is (dW1, dW1 X).
    """

    name = "tracked"
    requires = ("The tracked first layer is exact only for an optimiser that keeps W1 in the span of X (gd, "
                "momentum) with L2 and L1 and full batches, and X held as an array (not as the pixels of a large "
                "image set); use first_layer='direct'.")

    @classmethod
    def supports(cls, settings: Settings, m: int, pixels: bool = False) -> bool:
        """Span-keeping optimiser, full batches, penalties whose gradient is a scalar times W or sign(W)."""
        regs = active_regularizers(settings)
        return (_span_exact(settings, pixels) and settings.full_batch(m)
                and all(r.decay is not None or r.sign is not None for r, _ in regs))

    @classmethod
    def fits(cls, shape: Shape) -> bool:
        return _gram_fits(shape)

    @classmethod
    def cost(cls, shape: Shape) -> float:
        n_x, n_1, m = shape.n_x, shape.n_1, shape.m
        setup = n_x * m * m + 4.0 * n_1 * n_x * m  # G (symmetric: half), W1 X and S X
        return setup + shape.iterations * 2.0 * n_1 * m * (n_x + m)  # dZ1 X^T and dZ1 G

    @classmethod
    def memory_values(cls, shape: Shape, n_state: int) -> int:
        n_1, m = shape.n_1, shape.m
        return m * m + (2 + n_state) * n_1 * m + 3 * n_1 * shape.n_x  # G; W1 X, S X, their state; signs, flags

    def __init__(self, W1: np.ndarray, X: np.ndarray, optimizer: Any):
        super().__init__(W1, X, optimizer)
        self.G = X.T @ X
        self.P = self.W1 @ X
        self.S = np.sign(self.W1)
        self.SX = self.S @ X
        self.state_P = optimizer.init(self.P)
        self._S_next, self._changed = np.empty_like(self.S), np.empty(self.S.shape, dtype=bool)

    def _penalty_grad(self, reg: Regularizer, strength: float, m: int, rows: slice) -> np.ndarray:
        if reg.sign is not None:  # sign(W1) is kept: no pass to find it again
            grad: np.ndarray = reg.sign(strength, m) * self.S[rows]
            return grad
        return super()._penalty_grad(reg, strength, m, rows)

    def _penalty_cost(self, reg: Regularizer, strength: float, m: int) -> float:
        if reg.sign is not None:  # sum |W1| = <W1, sign(W1)>: one pass, no |W1| array
            return reg.sign(strength, m) * float(np.vdot(self.W1, self.S))
        return super()._penalty_cost(reg, strength, m)

    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        Z1: np.ndarray = self.P + b1
        return Z1

    def gradient(self, dZ1: np.ndarray, cols: Cols, config: Any) -> Any:
        """(dW1, dW1 X)."""
        m = dZ1.shape[1]
        dWX: np.ndarray = (dZ1 / m) @ self.G  # P and S X are those of the W1 dZ1 was computed with
        for reg, strength in active_regularizers(config):
            if reg.decay is not None:
                dWX += reg.decay(strength, m) * self.P
            elif reg.sign is not None:
                dWX += reg.sign(strength, m) * self.SX
        return super().gradient(dZ1, cols, config), dWX

    def dense(self, grad: Any) -> np.ndarray:
        dW1: np.ndarray = grad[0]
        return dW1

    def apply(self, grad: Any, lr: float, t: int, config: Any) -> None:
        super().apply(grad, lr, t, config)
        self.optimizer.update(self.P, grad[1], self.state_P, lr, t, config)
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

    def to_direct(self) -> DirectLayer:
        return DirectLayer(self.W1, self.X, self.optimizer, self.state)


class GramLayer(FirstLayer):
    """Z1 = s P0 + C G + b1 with P0 = W1_init X and G = X^T X fixed; s (1, 1) and C (n_1, m) learn.

    Its gradient is ({"s": gs, "C": gC}, k) with dW1 = (gs W1_init + gC X^T) / k: never formed while training.
    """

    name = "gram"
    requires = ("The Gram first layer is exact only for an optimiser that keeps W1 in the span of X (gd, "
                "momentum) with at most L2 (full batch), and X held as an array (not as the pixels of a large "
                "image set); use first_layer='direct'.")

    @classmethod
    def supports(cls, settings: Settings, m: int, pixels: bool = False) -> bool:
        """Span-keeping optimiser and weight decay only, and penalties only with full batches (a
        mini-batch's L2 cost would need C G for all of C at every step, the direct layer's price)."""
        regs = active_regularizers(settings)
        return (_span_exact(settings, pixels) and all(r.decay is not None for r, _ in regs)
                and (settings.full_batch(m) or not regs))

    @classmethod
    def fits(cls, shape: Shape) -> bool:
        return _gram_fits(shape)

    @classmethod
    def cost(cls, shape: Shape) -> float:
        return shape.n_x * float(shape.m) * shape.m + shape.iterations * 2.0 * shape.n_1 * shape.m * shape.mb

    @classmethod
    def memory_values(cls, shape: Shape, n_state: int) -> int:
        n_1, m, m_test = shape.n_1, shape.m, shape.m_test
        return m * m + (3 + n_state) * n_1 * m + m * m_test + n_1 * m_test  # G; P0, C, C G, state; X^T X', W1 X'

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
        self._abs_sums: tuple[np.ndarray, np.ndarray] | None = None  # for abs_bound

    def Z(self, b1: np.ndarray, cols: Cols = None) -> np.ndarray:
        s, C = self.coords["s"], self.coords["C"]
        if cols is None:
            self._CG = C @ self.G
            Z1: np.ndarray = s * self.P0 + self._CG + b1
            return Z1
        Zb: np.ndarray = s * self.P0[:, cols] + C @ self.G[cols].T + b1  # G is symmetric: rows are columns
        return Zb

    def gradient(self, dZ1: np.ndarray, cols: Cols, config: Any) -> Any:
        """The coordinates' gradient times a constant k, and k: dW1 = (gs W1_init + gC X^T) / k.

        A full batch uses k = m (gC = dZ1 + m decay C, no division): a span-keeping optimiser is linear
        in its gradients, so k times the gradients at 1/k times the rate is the same run, and plain
        gradient descent does today's arithmetic, C -= (alpha / m) dZ1, bit for bit.  A mini-batch's
        size varies (the last one is partial), so there k = 1.
        """
        m = dZ1.shape[1]
        decay = sum(reg.decay(strength, m) for reg, strength in active_regularizers(config) if reg.decay is not None)
        s, C = self.coords["s"], self.coords["C"]
        if cols is None:
            gC = dZ1.copy() if decay else dZ1
            if decay:
                gC += (m * decay) * C
            return {"s": (m * decay) * s, "C": gC}, float(m)
        gC = decay * C if decay else np.zeros_like(C)
        gC[:, cols] += dZ1 / m
        return {"s": decay * s, "C": gC}, 1.0

    def dense(self, grad: Any) -> np.ndarray:
        g, k = grad
        return np.asarray((g["s"] * self.W1_init + g["C"] @ self.X.T) / k)

    def norm(self, grad: Any) -> float:
        g, k = grad
        return float(np.sqrt(self._sq_norm(g["s"], g["C"], g["C"] @ self.G)) / k)

    def apply(self, grad: Any, lr: float, t: int, config: Any) -> None:
        grads, k = grad
        self._state_scale = k  # the optimiser state holds k times the true one
        for key, value in grads.items():
            self.optimizer.update(self.coords[key], value, self.state[key], lr / k, t, config)
        self._CG = None

    def _sq_norm(self, s: np.ndarray, C: np.ndarray, CG: np.ndarray) -> float:
        """||s W1_init + C X^T||_F^2 = s^2 ||W1_init||^2 + 2 s <C, P0> + <C G, C>: no n_x-wide product."""
        s0 = float(s[0, 0])
        return max(s0 * s0 * self.init_sq + 2 * s0 * float(np.sum(C * self.P0)) + float(np.sum(CG * C)), 0.0)

    def penalty(self, m: int, config: Any) -> float:
        regs = active_regularizers(config)
        if not regs:
            return 0.0
        if self._CG is None:
            self._CG = self.coords["C"] @ self.G
        sq = self._sq_norm(self.coords["s"], self.coords["C"], self._CG)
        return sum(reg.decay(strength, m) / 2 * sq for reg, strength in regs if reg.decay is not None)  # d/dW: decay W

    def Z_other(self, X_other: np.ndarray | Pixels, b1: np.ndarray) -> np.ndarray:
        """Z1 for other examples (a test set), caching W1_init X' and X^T X' per array."""
        X_other = np.asarray(X_other)
        key = id(X_other)
        if key not in self._cross or self._cross[key][0] is not X_other:
            self._cross[key] = (X_other, self.W1_init @ X_other, self.X.T @ X_other)
        _, P0_other, H = self._cross[key]
        Z1: np.ndarray = self.coords["s"] * P0_other + self.coords["C"] @ H + b1
        return Z1

    def weights(self) -> np.ndarray:
        W1: np.ndarray = self.coords["s"] * self.W1_init + self.coords["C"] @ self.X.T
        return W1

    def finite(self) -> bool:
        return all(bool(np.isfinite(np.sum(v))) for v in self.coords.values())

    def abs_bound(self, c: float) -> np.ndarray:
        """|W1| 1 <= |s| |W1_init| 1 + |C| |X^T| 1 (the triangle inequality), times c: no n_x-wide product
        with C, so a run keeps its fall-back point without forming W1 (forming it every record_every
        updates made a full-batch update 1.6-1.9x as slow)."""
        if self._abs_sums is None:  # the row sums of |W1_init| and of |X^T|: fixed for the run
            self._abs_sums = (np.abs(self.W1_init).sum(axis=1, keepdims=True, dtype=np.float64),
                              np.abs(self.X).sum(axis=0, dtype=np.float64)[:, None])
        init_sums, x_sums = self._abs_sums
        s, C = self.coords["s"], self.coords["C"]
        bound: np.ndarray = c * (abs(float(s[0, 0])) * init_sums + np.abs(C).astype(np.float64, copy=False) @ x_sums)
        return bound

    def keep(self) -> Any:
        return {k: v.copy() for k, v in self.coords.items()}

    @property
    def kept_values(self) -> int:
        return sum(v.size for v in self.coords.values())

    def kept_weights(self, kept: Any) -> np.ndarray:
        W1: np.ndarray = kept["s"] * self.W1_init + kept["C"] @ self.X.T
        return W1

    def to_direct(self) -> DirectLayer:
        state = {k: (self.state["s"][k] * self.W1_init + self.state["C"][k] @ self.X.T) / self._state_scale
                 for k in self.state["C"]}
        state["scratch"] = np.empty_like(self.W1_init)
        return DirectLayer(self.weights(), self.X, self.optimizer, state)


# The one table of strategies, the dense default first (a tie in cost goes to it).
STRATEGIES: dict[str, type[FirstLayer]] = {"direct": DirectLayer, "tracked": TrackedLayer, "gram": GramLayer}


def choose(settings: Settings, shape: Shape, pixels: bool = False, kind: str | None = None) -> type[FirstLayer]:
    """The strategy for a run: ``kind`` if given (ValueError if it would not be exact), else the cheapest
    that supports the settings and fits.  The one place a strategy is picked."""
    if kind is not None:
        if kind not in STRATEGIES:
            raise ValueError(f"first_layer must be {', '.join(repr(k) for k in STRATEGIES)} or None (choose), "
                             f"not {kind!r}.")
        strategy = STRATEGIES[kind]
        if not strategy.supports(settings, shape.m, pixels):
            raise ValueError(strategy.requires)
        return strategy
    usable = [s for s in STRATEGIES.values() if s.supports(settings, shape.m, pixels) and s.fits(shape)]
    return min(usable, key=lambda s: s.cost(shape))


def chosen_cost(settings: Settings, shape: Shape, pixels: bool = False) -> float:
    """Flops of layer 1's products for the whole run with the strategy ``choose`` picks (for time estimates)."""
    return choose(settings, shape, pixels).cost(shape)


def flops_per_iteration(layer_dims: Sequence[int], m: int, num_iterations: int, config: Any = None,
                        pixels: bool = False) -> float:
    """Layer 1's flops per update, its set-up spread over the run, for the strategy the engine would
    choose for ``config`` (a TrainConfig; None = full-batch gradient descent in float64).  The time
    estimate of dnn/diagnose.py uses this so that it never keeps a second cost model."""
    settings = Settings() if config is None else Settings.of(config)
    itemsize = 8 if config is None else np.dtype(config.dtype).itemsize
    shape = Shape(int(layer_dims[0]), int(layer_dims[1]), int(m), int(num_iterations), itemsize, settings.batch_size)
    return chosen_cost(settings, shape, pixels) / max(1, int(num_iterations))


def make_first_layer(W1: np.ndarray, X: np.ndarray | Pixels, iterations: int, kind: str | None = None,
                     config: Any = None) -> FirstLayer:
    """The strategy ``choose`` picks, built for W1 (n_1, n_x) and the training set X (n_x, m)."""
    settings = Settings() if config is None else Settings.of(config)
    shape = Shape(X.shape[0], W1.shape[0], X.shape[1], iterations, W1.dtype.itemsize, settings.batch_size)
    strategy = choose(settings, shape, isinstance(X, Pixels), kind)
    return strategy(W1, X, OPTIMIZERS[settings.optimizer])  # type: ignore[call-arg]
