"""A training run for live UIs: advance by slices, pause, step, reset, look inside.

    run = Trainer(TrainConfig(layer_dims=(12288, 20, 7, 5, 1)), X, Y, X_test, Y_test)
    while not run.done:
        run.advance(max_seconds=0.2)      # a UI redraws between slices
        plot(run.history.cost_iterations, run.history.costs)

Training never prints; everything it learns goes into ``run.history``.
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, NamedTuple

import numpy as np

from .activations import ACTIVATIONS
from .config import LIVE_FIELDS, TrainConfig, check_memory
from .core import (
    L_model_backward,
    L_model_forward,
    LayerCache,
    LinearCache,
    Parameters,
    check_input,
    linear_backward,
    linear_forward,
)
from .dropout import dropout_backward, dropout_forward, dropout_rng
from .finite import has_finite_output
from .first_layer import FirstLayer, Settings, Shape, choose, make_first_layer
from .init import initialize_parameters_deep
from .optimizers import OPTIMIZERS
from .pixels import Pixels
from .regularizers import active_regularizers
from .schedules import DECAYS

# The stable cost never reaches log(0), so an exploding run shows as a cost far above where it
# started (the course's own arithmetic would already give inf there): DIVERGED_FACTOR times the
# first cost, and at least DIVERGED_MIN_COST (a 50/50 guess costs 0.69).
DIVERGED_FACTOR = 10.0
DIVERGED_MIN_COST = 5.0
# A diverged run falls back to parameters kept every max(KEEP_GOOD_EVERY, weights // KEEP_GOOD_VALUES)
# iterations, at most record_every (see _fresh_state): a copy and a bound check of 16,384 weights cost about
# what one small iteration does; their fixed cost (some 200 us) is spread over KEEP_GOOD_EVERY iterations (every
# 10 still made a Gram-layer update 6% slower; 25 is the app's record interval for a course-length run).
KEEP_GOOD_VALUES = 16_384
KEEP_GOOD_EVERY = 25


class Status(str, Enum):  # noqa: UP042 - StrEnum would change str(Status.DONE), which callers may show
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    DIVERGED = "diverged"


@dataclass
class History:
    """What a run has recorded; lists grow only at the record intervals.

    ``costs`` are training costs (penalties included; with mini-batches an epoch's cost averaged over
    its examples, recorded at the epoch's first iteration); ``test_costs`` the test set's
    cross-entropy beside each accuracy (NaN without a test set); ``changes`` the live config
    changes as (iteration, {field: new value}).
    """

    cost_iterations: list[int] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    acc_iterations: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    test_costs: list[float] = field(default_factory=list)
    norm_iterations: list[int] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    changes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


class Snapshot(NamedTuple):
    """The course's view of one forward and backward pass on chosen examples."""

    AL: np.ndarray
    caches: list[LayerCache]
    grads: dict[str, np.ndarray]


def _as_labels(labels: Any, m: int, dtype: str, binary: bool = True) -> np.ndarray:
    Y = np.asarray(labels)
    if Y.size != m:
        raise ValueError(f"Y has {Y.size} labels but X has {m} examples (columns).")
    if binary and not np.isin(Y, (0, 1)).all():
        raise ValueError("Labels must be 0 or 1.")
    if not binary and not np.isfinite(Y).all():
        raise ValueError("Y contains NaN or infinite values.")
    return Y.reshape(1, m).astype(dtype)


def _all_finite(X: np.ndarray, block: int = 1024) -> bool:
    """np.isfinite(X).all() a block of examples at a time: no boolean copy of a large X."""
    return all(np.isfinite(X[:, j:j + block]).all() for j in range(0, X.shape[1], block))


def _sigmoid_cost(ZL: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy from the logits: log(1 + e^z) - y z, exact for any real y and free of log(0)."""
    softplus = np.logaddexp(0, ZL)
    return float(np.sum(softplus - Y * ZL) / Y.shape[1])


class _Pass(NamedTuple):
    """One forward pass on a batch: Z{l}, A{l} (A[0] unused) and dropout masks D{l} (None when off)."""

    Zs: list[Any]
    As: list[Any]
    Ds: list[Any]


class Trainer:
    """Training of ``[LINEAR -> hidden] x (L-1) -> LINEAR -> SIGMOID`` with the config's optimiser,
    penalties, dropout, mini-batches and learning-rate decay.

    X (n_x, m) and Y (1, m) of 0/1 labels; optional X_test, Y_test for periodic test accuracy and cost.
    ``num_iterations`` counts updates (one per mini-batch); an epoch is ceil(m / batch_size) of them.
    Deterministic for a config: ``reset()`` replays the same run.  ``first_layer`` forces 'gram',
    'tracked' or 'direct' (see first_layer.py); by default the cheaper exact one is chosen.  ``binary_labels=False``
    accepts any real Y (the course's training functions do).
    """

    def __init__(self, config: TrainConfig, X: np.ndarray | Pixels, Y: np.ndarray,
                 X_test: np.ndarray | Pixels | None = None, Y_test: np.ndarray | None = None,
                 memory_budget: int | None = None, first_layer: str | None = None, *, binary_labels: bool = True):
        if not isinstance(config, TrainConfig):
            raise ValueError("config must be a TrainConfig.")
        self.config, self._first_kind, self._binary = config, first_layer, binary_labels
        self.X, self.Y = self._data(X, Y)
        self.X_test: np.ndarray | Pixels | None = None
        self.Y_test: np.ndarray | None = None
        if X_test is not None:
            self.X_test, self.Y_test = self._data(X_test, Y_test)
        m = self.X.shape[1]
        if config.batch_size is not None and config.batch_size > m:
            raise ValueError(f"batch_size {config.batch_size} is more than the {m} training examples: "
                             f"choose 1 to {m}, or no batch size for full-batch training.")
        self.memory_needed = check_memory(
            config.layer_dims, m, config.dtype, memory_budget,
            m_test=0 if self.X_test is None else self.X_test.shape[1], first_layer=first_layer,
            pixels=isinstance(self.X, Pixels), **config.memory_settings())
        self.reset()

    def _data(self, X: np.ndarray | Pixels, Y: Any) -> tuple[np.ndarray | Pixels, np.ndarray]:
        n_x = self.config.layer_dims[0]
        if isinstance(X, Pixels) and X.shape[0] == n_x:
            # A large image set stays uint8 (1 byte a value, not 8): layer 1 converts blocks of columns.
            return X, _as_labels(Y, X.shape[1], self.config.dtype, self._binary)
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != n_x or X.shape[1] < 1:
            shape = getattr(X, "shape", type(X).__name__)
            raise ValueError(
                f"The first layer has {n_x} inputs but the data is {shape}: "
                f"X must be ({n_x}, m), or set layer_dims[0] to the data's size."
            )
        if not _all_finite(X):
            raise ValueError("X contains NaN or infinite values.")
        # Direct layer and mini-batches want examples contiguous (a batch gathers whole columns, and W1 X
        # and dZ1 X^T run faster on this layout); the Gram layer uses X only to set up, in any layout.
        # A float64 X already laid out so (the app's datasets are) is shared, not copied: a copy held
        # 1.2 GB more for 13,000 images, and going through the other layout first held two.
        order: Literal["F", "K"] = "F" if self._direct_or_batched(X.shape[1]) else "K"
        X_own = np.asarray(X, dtype=np.dtype(self.config.dtype), order=order)
        return X_own, _as_labels(Y, X.shape[1], self.config.dtype, self._binary)

    def _direct_or_batched(self, m: int) -> bool:
        cfg = self.config
        shape = Shape(cfg.layer_dims[0], cfg.layer_dims[1], m, cfg.num_iterations, np.dtype(cfg.dtype).itemsize,
                      cfg.batch_size)
        return choose(Settings.of(cfg), shape, kind=self._first_kind).name != "gram" or cfg.batch_size is not None

    def _new_first_layer(self, W1: np.ndarray, iterations: int) -> None:
        self._optimizer = OPTIMIZERS[self.config.optimizer]
        self.first: FirstLayer = make_first_layer(W1, self.X, iterations, self._first_kind, self.config)

    def _fresh_state(self) -> None:
        """Optimiser state, mask stream and epoch accumulators as at the start of a run."""
        self._opt_state = {k: self._optimizer.init(v) for k, v in self._params.items()}
        self._t = 0
        self._rng = dropout_rng(self.config.seed)
        self._perm: tuple[int, np.ndarray] | None = None
        self._epoch_cost = 0.0
        self._epoch_whole = False  # True once an epoch's first batch was seen (not so after load_state mid-epoch)
        self._materialised: tuple[int, Parameters] | None = None
        self._cost_limit: float | None = None
        # The last parameters whose output is finite for every input (finite.py's rule, the one a model
        # file must pass to load), with their iteration: what a diverged run falls back to.  Copying and
        # checking them costs a few passes over what the layers hold, and some fixed overhead: every
        # KEEP_GOOD_EVERY iterations for a small network (and for the Gram layer, which holds n_1 x m
        # coordinates, not W1), about every KEEP_GOOD_VALUES values' worth of iterations for a larger one
        # (the cat net's W1 alone would say 15: it keeps every 25); never rarer than record_every.
        self._good: tuple[int, Any, Parameters] | None = None  # (iteration, first.keep(), the other parameters)
        n_values = self.first.kept_values + sum(v.size for v in self._params.values())
        self._good_every = min(max(KEEP_GOOD_EVERY, n_values // KEEP_GOOD_VALUES), self.config.record_every)
        self._keep_good()

    def reset(self) -> None:
        """Back to iteration 0 with the config's initial parameters; the history is emptied."""
        cfg = self.config
        params = initialize_parameters_deep(cfg.layer_dims, cfg.init, cfg.seed, cfg.dtype)
        self._new_first_layer(params.pop("W1"), cfg.num_iterations)
        self._params = params  # b1 and W2.., bL; W1 lives in self.first
        self.iteration = 0
        self._fresh_state()
        self.status = Status.READY
        self.message = ""
        self.history = History()

    def load_state(self, parameters: Parameters, iteration: int, history: History | None = None) -> None:
        """Continue from given parameters (e.g. a saved model) as if ``iteration`` iterations were done.

        Optimiser state (velocity, Adam moments) and the dropout mask stream start afresh; the
        mini-batch order follows the iteration, as in an uninterrupted run.
        """
        cfg = self.config
        for l in range(1, cfg.L + 1):
            n, n_prev = cfg.layer_dims[l], cfg.layer_dims[l - 1]
            for key, shape in ((f"W{l}", (n, n_prev)), (f"b{l}", (n, 1))):
                value = parameters.get(key)
                if value is None or np.shape(value) != shape:
                    raise ValueError(f"{key} should be {shape} for layer_dims {list(cfg.layer_dims)}, "
                                     f"got {None if value is None else np.shape(value)}.")
        if not 0 <= iteration <= cfg.num_iterations:
            raise ValueError(f"iteration must be from 0 to {cfg.num_iterations}, got {iteration}.")
        params = {k: np.array(v, dtype=cfg.dtype) for k, v in parameters.items()}
        self._new_first_layer(params.pop("W1"), cfg.num_iterations - iteration)
        self._params, self.iteration = params, iteration
        self._fresh_state()
        self.history = history or History()
        self.status, self.message = Status.PAUSED, ""
        self._settle()

    def update_config(self, **changes: Any) -> None:
        """Change LIVE_FIELDS (learning_rate, lambd, l1, keep_prob) of this run without a reset.

        The change applies from the next iteration and is recorded in ``history.changes``; a field
        that is not live, or an invalid value, raises ValueError and changes nothing.
        """
        not_live = sorted(set(changes) - set(LIVE_FIELDS))
        if not_live:
            raise ValueError(f"{', '.join(not_live)} cannot change during a run (only {', '.join(LIVE_FIELDS)} "
                             "can); reset the run with a new config instead.")
        if not changes:
            return
        self.config = dataclasses.replace(self.config, **changes)
        if not self.first.supports(Settings.of(self.config), self.X.shape[1], isinstance(self.X, Pixels)):
            self.first = self.first.to_direct()  # e.g. L1 on the Gram layer: the dense layer takes over
        self.history.changes.append((self.iteration, dict(changes)))
        self._materialised = None

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
        if not self._finite_parameters():  # whoever looks after a slice sees finite weights
            return self._diverge(math.nan)
        if self.iteration >= self.config.num_iterations:
            if self.status != Status.DONE and not self._finite_output():
                return self._diverge(math.nan, "the weights grew so large that some inputs give no finite output")
            self.status = Status.DONE
        elif self.status != Status.PAUSED and self.iteration > 0:
            self.status = Status.RUNNING

    # ----- one iteration -----------------------------------------------------
    @property
    def batches_per_epoch(self) -> int:
        """Iterations per pass over the training set: ceil(m / batch_size), 1 for full batches."""
        m, b = self.X.shape[1], self.config.batch_size
        return 1 if b is None else -(-m // b)

    def _batch(self, i: int) -> np.ndarray | None:
        """Iteration i's columns: the course's mini-batches, a permutation per epoch drawn with
        RandomState(seed + 1 + epoch) (the course adds 1 to its seed before each epoch), cut in
        batch_size pieces, the last one partial.  None for full-batch training."""
        b = self.config.batch_size
        if b is None:
            return None
        epoch, k = divmod(i, self.batches_per_epoch)
        if self._perm is None or self._perm[0] != epoch:
            rng = np.random.RandomState((self.config.seed + 1 + epoch) % 2**32)
            self._perm = (epoch, rng.permutation(self.X.shape[1]))
        return self._perm[1][k * b:(k + 1) * b]

    def _forward(self, cols: np.ndarray | None, dropout: bool, X_other: np.ndarray | Pixels | None = None) -> _Pass:
        """Z{l} and A{l} for l = 1..L on the batch (or on other examples), hidden layers with dropout when
        asked and on: the engine's one whole-network forward, for training and for its records.

        The course's ``L_model_forward`` does the same with ``linear_forward`` for every layer; here
        layer 1 is the first-layer strategy's Z1 (the Step by step page says so).
        """
        cfg = self.config
        L, g = cfg.L, ACTIVATIONS[cfg.hidden_activation][0]
        keep_prob = cfg.keep_prob if dropout else 1.0
        Zs: list[Any] = [None]
        As: list[Any] = [None]
        Ds: list[Any] = [None]
        for l in range(1, L + 1):
            if l == 1:
                b1 = self._params["b1"]
                Z = self.first.Z(b1, cols) if X_other is None else self.first.Z_other(X_other, b1)
            else:
                Z = linear_forward(As[-1], self._params[f"W{l}"], self._params[f"b{l}"])[0]
            A, D = (ACTIVATIONS["sigmoid"][0](Z)[0] if l == L else g(Z)[0]), None
            if l < L and keep_prob < 1:
                A, D = dropout_forward(A, keep_prob, self._rng)
            Zs.append(Z)
            As.append(A)
            Ds.append(D)
        return _Pass(Zs, As, Ds)

    def _penalty(self, m: int) -> float:
        """The config's weight penalties for a batch of m examples (0 when none is on)."""
        regs = active_regularizers(self.config)
        if not regs:
            return 0.0
        hidden = sum(reg.cost(self._params[f"W{l}"], s, m) for reg, s in regs for l in range(2, self.config.L + 1))
        return self.first.penalty(m, self.config) + hidden

    def _iterate(self) -> None:
        i, cfg = self.iteration, self.config
        cols = self._batch(i)
        Yb = self.Y if cols is None else self.Y[:, cols]
        fwd = self._forward(cols, dropout=True)
        cost = _sigmoid_cost(fwd.Zs[-1], Yb) + self._penalty(Yb.shape[1])
        if not np.isfinite(cost):
            return self._diverge(cost)
        epoch, k = divmod(i, self.batches_per_epoch)
        if k == 0:
            self._epoch_cost, self._epoch_whole = 0.0, True
        self._epoch_cost += cost * (Yb.shape[1] / self.X.shape[1])
        if k == self.batches_per_epoch - 1 and not self._end_epoch(epoch):
            return None
        if i % cfg.accuracy_every == 0:
            self._record_accuracy(i, fwd.As[-1] if cols is None and cfg.keep_prob == 1 else None)
        grads, finite = self._backward(fwd, Yb, record_norms=i % cfg.record_every == 0, cols=cols)
        if not finite:
            return self._diverge(cost)
        self._update(grads, DECAYS[cfg.decay](cfg.learning_rate, epoch, cfg))
        self.iteration += 1
        # Weights an update made NaN or infinite show in the next cost, or in _settle at the end of the slice.
        if self.iteration % self._good_every == 0:
            self._keep_good()
        return None

    def _end_epoch(self, epoch: int) -> bool:
        """Check and record the finished epoch's cost; False when the run diverged."""
        cost, nb, every = self._epoch_cost, self.batches_per_epoch, self.config.record_every
        if self._cost_limit is None:
            self._cost_limit = max(DIVERGED_MIN_COST, DIVERGED_FACTOR * cost)
        if cost > self._cost_limit:
            self._diverge(cost)
            return False
        first = epoch * nb
        if self._epoch_whole and -(-first // every) * every < first + nb:  # a multiple of record_every in it
            self.history.cost_iterations.append(first)
            self.history.costs.append(cost)
        return True

    def _backward(self, fwd: _Pass, Yb: np.ndarray, record_norms: bool,
                  cols: np.ndarray | None) -> tuple[dict[str, Any], bool]:
        """dW{l}, db{l} for every layer (penalties included), and whether they are finite.

        dW1 is in the first-layer strategy's form (``first.dense`` gives the array; the dense default
        returns the array itself).  The course's ``L_model_backward`` does the same for one example
        set; this loop reuses its ``linear_backward`` but starts from dZL = AL - Y, never forms dA0,
        and hands dZ1 to the first layer, for speed (the Step by step page says so).
        """
        cfg = self.config
        L, m = cfg.L, Yb.shape[1]
        g_back = ACTIVATIONS[cfg.hidden_activation][1]
        regs = active_regularizers(cfg)
        Zs, As, Ds = fwd
        dZ = As[L] - Yb  # sigmoid + cross-entropy: dAL * s'(ZL) simplifies exactly to AL - Y
        grads: dict[str, np.ndarray] = {}
        for l in range(L, 0, -1):
            if l == 1:
                grads["db1"] = np.sum(dZ, axis=1, keepdims=True) / m
                break
            W = self._params[f"W{l}"]
            cache = LinearCache(As[l - 1], W, self._params[f"b{l}"])
            dA_prev, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, cache)
            for reg, strength in regs:
                grads[f"dW{l}"] += reg.grad(W, strength, m)
            if Ds[l - 1] is not None:
                dA_prev = dropout_backward(dA_prev, Ds[l - 1], cfg.keep_prob)
            dZ = g_back(dA_prev, Zs[l - 1])
        finite = bool(np.isfinite(np.sum(dZ))) and all(np.isfinite(np.sum(v)) for v in grads.values())
        grads["dW1"] = self.first.gradient(dZ, cols, cfg)
        if record_norms:
            self._record_norms(grads)
        return grads, finite

    def _update(self, grads: dict[str, Any], lr: float) -> None:
        """One optimiser step of every parameter; W1 through its first-layer strategy."""
        self._t += 1
        self.first.apply(grads.pop("dW1"), lr, self._t, self.config)
        for key, value in grads.items():
            name = key[1:]
            self._optimizer.update(self._params[name], value, self._opt_state[name], lr, self._t, self.config)
        self._materialised = None

    def _diverge(self, cost: float, reason: str = "") -> None:
        """Mark the run diverged and keep the last parameters whose output is finite for every input."""
        at = self.iteration
        if not reason and not self._finite_parameters():  # e.g. Adam's 0 / 0 at an underflowing epsilon
            reason = "an update made some weights NaN or infinite"
        self.status = Status.DIVERGED
        if not self._finite_output() and self._good is not None:
            self._fall_back(*self._good)
        what = reason or f"the cost jumped to {cost:.3g}" + (
            "" if not self.history.costs else f" (it started at {self.history.costs[0]:.3g})")
        self.message = (
            f"Training diverged at iteration {at}: {what}. "
            f"The learning rate {self.config.learning_rate:g} is too large; try a smaller one "
            f"(e.g. ten times smaller). The parameters from the last good iteration ({self.iteration}) are kept."
        )
        return None

    def _finite_parameters(self) -> bool:
        return self.first.finite() and all(bool(np.isfinite(np.sum(v))) for v in self._params.values())

    def _finite_output(self) -> bool:
        """finite.py's rule on the current parameters (NaN or inf weights fail it too), with layer 1 bounded
        by its strategy (without forming W1)."""
        cfg = self.config
        return self._finite_parameters() and has_finite_output(
            self._params, cfg.layer_dims, cfg.hidden_activation, cfg.dtype, first=self.first.abs_bound)

    def _keep_good(self) -> None:
        if self._finite_output():
            self._good = (self.iteration, self.first.keep(), {k: v.copy() for k, v in self._params.items()})

    def _fall_back(self, iteration: int, kept: Any, params: Parameters) -> None:
        """Back to kept parameters; the dense first layer holds them (a diverged run trains no more)."""
        W1 = self.first.kept_weights(kept)
        self.first = make_first_layer(W1, self.X, 0, "direct", self.config)
        self._params = {k: v.copy() for k, v in params.items()}
        self.iteration, self._materialised = iteration, None

    # ----- records -------------------------------------------------------------
    def _record_accuracy(self, i: int, AL: np.ndarray | None) -> None:
        """Train and test accuracy (and test cost) of the network without dropout; AL when already known."""
        h = self.history
        AL = self._sigmoid(self._logits(None)) if AL is None else AL
        h.acc_iterations.append(i)
        h.train_acc.append(float(np.mean((AL > 0.5) == (self.Y > 0.5))))
        if self.X_test is None:
            h.test_acc.append(float("nan"))
            h.test_costs.append(float("nan"))
            return
        ZL = self._logits(self.X_test)
        assert self.Y_test is not None  # set with X_test
        h.test_acc.append(float(np.mean((self._sigmoid(ZL) > 0.5) == (self.Y_test > 0.5))))
        h.test_costs.append(_sigmoid_cost(ZL, self.Y_test))

    def _record_norms(self, grads: dict[str, Any]) -> None:
        h = self.history
        h.norm_iterations.append(self.iteration)
        norms = {"dW1": self.first.norm(grads["dW1"])}
        norms.update({k: float(np.linalg.norm(v)) for k, v in grads.items() if k != "dW1"})
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

    def predict_proba(self, X: np.ndarray | Pixels) -> np.ndarray:
        """AL (1, m) for any X (n_x, m) with the current parameters (Pixels: a block of columns at a time)."""
        if isinstance(X, Pixels):
            return np.concatenate([self.predict_proba(block) for _, block in X.blocks(self.config.dtype)], axis=1)
        check_input(X, {"W1": np.empty((1, self.config.layer_dims[0]))})
        return L_model_forward(X.astype(self.config.dtype, copy=False), self.parameters,
                               self.config.hidden_activation)[0]

    @staticmethod
    def _sigmoid(Z: np.ndarray) -> np.ndarray:
        A: np.ndarray = ACTIVATIONS["sigmoid"][0](Z)[0]
        return A

    def _logits(self, X_other: np.ndarray | Pixels | None) -> np.ndarray:
        """ZL of the network without dropout, for the training set (None) or other examples."""
        ZL: np.ndarray = self._forward(None, dropout=False, X_other=X_other).Zs[-1]
        return ZL

    def gradients(self) -> dict[str, np.ndarray]:
        """dW{l}, db{l} of ``cost()`` at the current parameters (the whole training set, no dropout,
        penalties included), dW1 made dense by the first-layer strategy: what gradient checks compare."""
        grads, _ = self._backward(self._forward(None, dropout=False), self.Y, record_norms=False, cols=None)
        grads["dW1"] = np.array(self.first.dense(grads["dW1"]))  # a copy: the dense layer reuses its buffer
        return {k: grads[k] for k in sorted(grads, key=lambda k: (int(k[2:]), k[:2] == "db"))}

    def train_accuracy(self) -> float:
        return float(np.mean((self._sigmoid(self._logits(None)) > 0.5) == (self.Y > 0.5)))

    def test_accuracy(self) -> float:
        if self.X_test is None:
            raise ValueError("This run has no test set.")
        assert self.Y_test is not None  # set with X_test
        return float(np.mean((self._sigmoid(self._logits(self.X_test)) > 0.5) == (self.Y_test > 0.5)))

    def cost(self) -> float:
        """The cost of the current parameters on the whole training set: cross-entropy of the network
        without dropout, plus the config's penalties with m = all examples."""
        return _sigmoid_cost(self._logits(None), self.Y) + self._penalty(self.X.shape[1])

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
