"""A training run for live UIs: advance by slices, pause, step, reset, look inside.

    run = Trainer(TrainConfig(layer_dims=(12288, 20, 7, 5, 1)), X, Y, X_test, Y_test)
    while not run.done:
        run.advance(max_seconds=0.2)      # a UI redraws between slices
        plot(run.history.cost_iterations, run.history.costs)

Training never prints; everything it learns goes into ``run.history``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS
from .config import TrainConfig, check_memory
from .core import L_model_backward, L_model_forward, LayerCache, Parameters, check_input
from .first_layer import make_first_layer
from .init import initialize_parameters_deep

# The stable cost never reaches log(0), so an exploding run shows as a cost far above where it
# started (the course's own arithmetic would already give inf there): DIVERGED_FACTOR times the
# first cost, and at least DIVERGED_MIN_COST (a 50/50 guess costs 0.69).
DIVERGED_FACTOR = 10.0
DIVERGED_MIN_COST = 5.0


class Status(str, Enum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    DIVERGED = "diverged"


@dataclass
class History:
    """What a run has recorded; lists grow only at the record intervals."""

    cost_iterations: list[int] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    acc_iterations: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    norm_iterations: list[int] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)


class Snapshot(NamedTuple):
    """The course's view of one forward and backward pass on chosen examples."""

    AL: np.ndarray
    caches: list[LayerCache]
    grads: dict[str, np.ndarray]


def _as_labels(Y: np.ndarray, m: int, dtype: str) -> np.ndarray:
    Y = np.asarray(Y)
    if Y.size != m:
        raise ValueError(f"Y has {Y.size} labels but X has {m} examples (columns).")
    if not np.isin(Y, (0, 1)).all():
        raise ValueError("Labels must be 0 or 1.")
    return Y.reshape(1, m).astype(dtype)


def _sigmoid_cost(ZL: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy from the logits: log(1 + e^z) - y z, exact and free of log(0)."""
    softplus = np.logaddexp(0, ZL)
    return float(np.sum(softplus - Y * ZL) / Y.shape[1])


class Trainer:
    """Full-batch gradient descent on ``[LINEAR -> hidden] x (L-1) -> LINEAR -> SIGMOID``.

    X (n_x, m) and Y (1, m); optional X_test, Y_test for periodic test accuracy.
    Deterministic for a config: ``reset()`` replays the same run.  ``first_layer``
    forces 'gram' or 'direct' (see first_layer.py); by default the cheaper is chosen.
    """

    def __init__(self, config: TrainConfig, X: np.ndarray, Y: np.ndarray,
                 X_test: np.ndarray | None = None, Y_test: np.ndarray | None = None,
                 memory_budget: int | None = None, first_layer: str | None = None):
        if not isinstance(config, TrainConfig):
            raise ValueError("config must be a TrainConfig.")
        self.config, self._first_kind = config, first_layer
        self.X, self.Y = self._data(X, Y)
        self.X_test, self.Y_test = (None, None) if X_test is None else self._data(X_test, Y_test)
        self.memory_needed = check_memory(config.layer_dims, self.X.shape[1], config.dtype, memory_budget)
        self.reset()

    def _data(self, X: np.ndarray, Y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        n_x = self.config.layer_dims[0]
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != n_x or X.shape[1] < 1:
            shape = getattr(X, "shape", type(X).__name__)
            raise ValueError(
                f"The first layer has {n_x} inputs but the data is {shape}: "
                f"X must be ({n_x}, m), or set layer_dims[0] to the data's size."
            )
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values.")
        return np.ascontiguousarray(X, dtype=self.config.dtype), _as_labels(Y, X.shape[1], self.config.dtype)

    def reset(self) -> None:
        """Back to iteration 0 with the config's initial parameters; the history is emptied."""
        cfg = self.config
        params = initialize_parameters_deep(cfg.layer_dims, cfg.init, cfg.seed, cfg.dtype)
        self.first = make_first_layer(params.pop("W1"), self.X, cfg.num_iterations, self._first_kind)
        self._params = params  # b1 and W2.., bL; W1 lives in self.first
        self.iteration = 0
        self.status = Status.READY
        self.message = ""
        self.history = History()
        self._materialised: tuple[int, Parameters] | None = None
        self._cost_limit: float | None = None

    def load_state(self, parameters: Parameters, iteration: int, history: History | None = None) -> None:
        """Continue from given parameters (e.g. a saved model) as if ``iteration`` iterations were done."""
        cfg = self.config
        for l in range(1, cfg.L + 1):
            for key, shape in ((f"W{l}", (cfg.layer_dims[l], cfg.layer_dims[l - 1])), (f"b{l}", (cfg.layer_dims[l], 1))):
                value = parameters.get(key)
                if value is None or np.shape(value) != shape:
                    raise ValueError(f"{key} should be {shape} for layer_dims {list(cfg.layer_dims)}, "
                                     f"got {None if value is None else np.shape(value)}.")
        if not 0 <= iteration <= cfg.num_iterations:
            raise ValueError(f"iteration must be from 0 to {cfg.num_iterations}, got {iteration}.")
        params = {k: np.array(v, dtype=cfg.dtype) for k, v in parameters.items()}
        self.first = make_first_layer(params.pop("W1"), self.X, cfg.num_iterations - iteration, self._first_kind)
        self._params, self.iteration = params, iteration
        self.history = history or History()
        self.status, self.message, self._materialised = Status.PAUSED, "", None
        self._cost_limit = None
        self._settle()

    # ----- control -------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.status in (Status.DONE, Status.DIVERGED)

    def pause(self) -> None:
        if not self.done:
            self.status = Status.PAUSED

    def resume(self) -> None:
        if not self.done:
            self.status = Status.RUNNING

    def step(self) -> int:
        """Exactly one iteration (if the run is not over); a paused run stays paused."""
        return self.advance(1)

    def advance(self, n: int | None = None, max_seconds: float | None = None) -> int:
        """Run up to n iterations, or until max_seconds pass; returns how many were done."""
        if n is None and max_seconds is None:
            raise ValueError("Give advance() a number of iterations, a time budget, or both.")
        if n is not None and n < 0:
            raise ValueError("advance() needs a non-negative number of iterations.")
        todo = self.config.num_iterations - self.iteration
        todo = todo if n is None else min(n, todo)
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        done = 0
        while done < todo and not self.done:
            self._iterate()
            done += 1
            if deadline is not None and time.perf_counter() >= deadline:
                break
        self._settle()
        return done

    def _settle(self) -> None:
        if self.status == Status.DIVERGED:
            return
        if self.iteration >= self.config.num_iterations:
            self.status = Status.DONE
        elif self.status != Status.PAUSED and self.iteration > 0:
            self.status = Status.RUNNING

    # ----- one iteration -----------------------------------------------------
    def _forward(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Z{l} and A{l} for l = 1..L on the training set (A[0] is X)."""
        L, g = self.config.L, ACTIVATIONS[self.config.hidden_activation][0]
        Zs, As = [None], [self.X]
        for l in range(1, L + 1):
            if l == 1:
                Z = self.first.Z(self._params["b1"])
            else:
                Z = self._params[f"W{l}"] @ As[-1] + self._params[f"b{l}"]
            Zs.append(Z)
            As.append(ACTIVATIONS["sigmoid"][0](Z)[0] if l == L else g(Z)[0])
        return Zs, As

    def _iterate(self) -> None:
        i, cfg = self.iteration, self.config
        Zs, As = self._forward()
        cost = _sigmoid_cost(Zs[-1], self.Y)
        if self._cost_limit is None and np.isfinite(cost):
            self._cost_limit = max(DIVERGED_MIN_COST, DIVERGED_FACTOR * cost)
        if not np.isfinite(cost) or cost > self._cost_limit:
            return self._diverge(cost)
        if i % cfg.record_every == 0:
            self.history.cost_iterations.append(i)
            self.history.costs.append(cost)
        if i % cfg.accuracy_every == 0:
            self._record_accuracy(i, As[-1])
        grads = self._backward(Zs, As, record_norms=i % cfg.record_every == 0)
        if not all(np.isfinite(np.sum(v)) for v in grads.values()):
            return self._diverge(cost)
        self._update(grads)
        self.iteration += 1

    def _backward(self, Zs: list, As: list, record_norms: bool) -> dict[str, np.ndarray]:
        """dW{l}, db{l} for l >= 2, and dZ1 in place of dW1 (the first layer applies it)."""
        L, m = self.config.L, self.X.shape[1]
        g_back = ACTIVATIONS[self.config.hidden_activation][1]
        dZ = As[L] - self.Y  # sigmoid + cross-entropy: dAL * s'(ZL) simplifies exactly to AL - Y
        grads: dict[str, np.ndarray] = {}
        for l in range(L, 0, -1):
            grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
            if l == 1:
                grads["dZ1"] = dZ
                break
            grads[f"dW{l}"] = dZ @ As[l - 1].T / m
            dZ = g_back(self._params[f"W{l}"].T @ dZ, Zs[l - 1])
        if record_norms:
            self._record_norms(grads, m)
        return grads

    def _update(self, grads: dict[str, np.ndarray]) -> None:
        lr, m = self.config.learning_rate, self.X.shape[1]
        self.first.update(grads.pop("dZ1"), lr / m)
        for key, value in grads.items():
            self._params[key[1:]] -= lr * value
        self._materialised = None

    def _diverge(self, cost: float) -> None:
        self.status = Status.DIVERGED
        self.message = (
            f"Training diverged at iteration {self.iteration}: the cost jumped to {cost:.3g}"
            f"{'' if not self.history.costs else f' (it started at {self.history.costs[0]:.3g})'}. "
            f"The learning rate {self.config.learning_rate:g} is too large; try a smaller one "
            "(e.g. ten times smaller). The parameters from the last good iteration are kept."
        )

    # ----- records -------------------------------------------------------------
    def _record_accuracy(self, i: int, AL: np.ndarray) -> None:
        h = self.history
        h.acc_iterations.append(i)
        h.train_acc.append(float(np.mean((AL > 0.5) == (self.Y > 0.5))))
        h.test_acc.append(self.test_accuracy() if self.X_test is not None else float("nan"))

    def _record_norms(self, grads: dict[str, np.ndarray], m: int) -> None:
        h = self.history
        h.norm_iterations.append(self.iteration)
        norms = {"dW1": self.first.dW_norm(grads["dZ1"], m)}
        norms.update({k: float(np.linalg.norm(v)) for k, v in grads.items() if k != "dZ1"})
        for key in sorted(norms, key=lambda k: (int(k[2:]), k[:2])):
            h.grad_norms.setdefault(key, []).append(norms[key])

    # ----- looking at the current network --------------------------------------
    @property
    def parameters(self) -> Parameters:
        """A copy of the current W{l}, b{l} (W1 materialised on demand, once per iteration)."""
        if self._materialised is None or self._materialised[0] != self.iteration:
            params = {"W1": self.first.weights(), **self._params}
            ordered = {k: params[k] for k in sorted(params, key=lambda k: (int(k[1:]), k[0] == "b"))}
            self._materialised = (self.iteration, ordered)
        return {k: v.copy() for k, v in self._materialised[1].items()}

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """AL (1, m) for any X (n_x, m) with the current parameters."""
        check_input(X, {"W1": np.empty((1, self.config.layer_dims[0]))})
        return L_model_forward(X.astype(self.config.dtype, copy=False), self.parameters,
                               self.config.hidden_activation)[0]

    def _fast_proba(self, X_other: np.ndarray) -> np.ndarray:
        A = self.first.Z_other(X_other, self._params["b1"])
        g, L = ACTIVATIONS[self.config.hidden_activation][0], self.config.L
        for l in range(1, L + 1):
            Z = A if l == 1 else self._params[f"W{l}"] @ A + self._params[f"b{l}"]
            A = ACTIVATIONS["sigmoid"][0](Z)[0] if l == L else g(Z)[0]
        return A

    def train_accuracy(self) -> float:
        return float(np.mean((self._fast_proba(self.X) > 0.5) == (self.Y > 0.5)))

    def test_accuracy(self) -> float:
        if self.X_test is None:
            raise ValueError("This run has no test set.")
        return float(np.mean((self._fast_proba(self.X_test) > 0.5) == (self.Y_test > 0.5)))

    def cost(self) -> float:
        """The cost of the current parameters on the training set."""
        return _sigmoid_cost(self._forward()[0][-1], self.Y)

    def snapshot(self, X: np.ndarray, Y: np.ndarray | None = None) -> Snapshot:
        """Caches (A and Z of every layer) and, given Y, grads incl. dA0 for chosen examples.

        Computed fresh from the current parameters with the course functions, so
        nothing is kept per iteration.
        """
        X = np.asarray(X, dtype=self.config.dtype)
        params, act = self.parameters, self.config.hidden_activation
        check_input(X, params)
        AL, caches = L_model_forward(X, params, act)
        grads = {} if Y is None else L_model_backward(AL, _as_labels(Y, X.shape[1], self.config.dtype), caches, act)
        return Snapshot(AL, caches, grads)
