"""Why a run failed, in plain words, with the next thing to try.

Every check is a small pure function over arrays (a cost history, a snapshot's caches, a dataset,
a saliency map) that returns a :class:`Diagnosis` or ``None``; :func:`diagnose` runs the run-level
ones on a :class:`~dnn.engine.Trainer`.  Nothing here trains, prints or keeps state, except
:func:`divergence_trace`, which replays a diverged run on its own copy to draw the explosion.

    for d in diagnose(run, classes=("non-cat", "cat")):
        print(d.severity, d.title, d.message, d.next_step)
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .core import LayerCache
from .engine import Status, Trainer
from .first_layer import flops_per_iteration
from .pixels import Pixels, max_abs

ERROR, WARNING = "error", "warning"
# A ReLU unit is dead when its Z is <= 0 for every training example: it outputs 0 and passes no
# gradient, so gradient descent can never revive it.  The course's trained five-layer net has 2 of 7
# dead in layer 2 and works, so only a majority is worth a warning; a whole layer cuts the network.
DEAD_SHARE_WARNING = 0.5
# tanh beyond +-0.99 (sigmoid beyond 0.01/0.99) has a slope under 0.02: the unit barely learns.
SATURATION_LEVEL = 0.99
SATURATED_SHARE_WARNING = 0.5
# Inputs this large make the first layer's Z huge whatever the learning rate (pixels 0-255, not 0-1).
LARGE_INPUT = 10.0
# A diverged run is replayed (to draw its explosion) only when that is cheap.
MAX_REPLAY_ITERATIONS = 3000


@dataclass(frozen=True)
class Diagnosis:
    """One thing that went wrong: what (``title``), why in plain words, and what to try next.

    ``kind`` is one of :data:`KINDS`; ``severity`` is "error" when the run failed and "warning"
    when it works but something is wrong; ``evidence`` holds the numbers behind the message.
    """

    kind: str
    severity: str
    title: str
    message: str
    next_step: str
    evidence: dict[str, float] = field(default_factory=dict, compare=False)


KINDS = ("data_not_finite", "diverged", "rising_cost", "collapsed", "dead_layers", "saturated", "vanishing",
         "overfitting", "zero_saliency", "slow")
# The signal reaching the last hidden layer is this small a share of the first's: it has faded away.
VANISHING_RATIO = 1e-2
# ...and the cost fell by less than this share of its start: the run is stuck, not just slow.
STUCK_SHARE = 0.1
# Overfitting: the test cost ends this much above its minimum (relative, and at least OVERFIT_RISE_ABS)
# while the training cost kept falling.  The test set of the course has 50 pictures, so its cost is
# noisy: the last three records are averaged, and the minimum must be below the starting test cost.
OVERFIT_RISE = 0.15
OVERFIT_RISE_ABS = 0.05


def _alternatives(options: Sequence[tuple[str, str]], used: set[str]) -> list[str]:
    """The suggestions whose setting (first item) the run does not use already, as text (second item)."""
    return [text for name, text in options if name not in used]


def _either(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _pct(x: float) -> str:
    return f"{x:.0%}"


# ----- data ----------------------------------------------------------------------------
def check_data(X: np.ndarray | Pixels, name: str = "the training data") -> Diagnosis | None:
    """NaN or infinite values in X (n_x, m): gradient descent cannot start, whatever the learning rate."""
    if isinstance(X, Pixels):  # uint8 / 255 is always finite, and np.asarray would copy it as floats
        return None
    X = np.asarray(X)
    bad = ~np.isfinite(X)
    if not bad.any():
        return None
    n_bad, columns = int(bad.sum()), int(bad.any(axis=0).sum()) if X.ndim == 2 else int(bad.any())
    m = X.shape[1] if X.ndim == 2 else 1
    return Diagnosis(
        "data_not_finite", ERROR, "The data is not finite",
        f"{name.capitalize()} holds {n_bad:,} NaN or infinite value{'s' if n_bad != 1 else ''} in {columns:,} "
        f"of its {m:,} examples. Every cost and gradient that touches them becomes NaN, so no learning "
        "rate can train on it: this is not the learning rate's fault.",
        "Fix or drop those examples (for pictures: re-export the files), then train again.",
        {"non_finite_values": float(n_bad), "examples": float(columns)},
    )


# ----- the cost ----------------------------------------------------------------------------
def check_diverged(iteration: int, costs: Sequence[float], exploded_cost: float, learning_rate: float,
                   input_scale: float = 1.0) -> Diagnosis:
    """The run stopped because the cost exploded at ``iteration`` (NaN, inf or 10x its start).

    ``input_scale`` is max |X|: inputs far above 1 (pixels not divided by 255) are the cause then.
    """
    start = costs[0] if costs else float("nan")
    jumped = "became infinite" if not math.isfinite(exploded_cost) else f"jumped to {exploded_cost:.3g}"
    started = "" if math.isnan(start) else f" (it started at {start:.3g})"
    if input_scale > LARGE_INPUT:
        cause = (f"The inputs go up to {input_scale:.3g}: with values that large every step overshoots, "
                 "whatever the learning rate.")
        next_step = "Scale the inputs to [0, 1] (divide pixels by 255), then train again."
    else:
        cause = (f"The learning rate {learning_rate:g} is too large: each step overshoots the valley "
                 "and lands higher up the other side.")
        next_step = f"Try a learning rate ten times smaller ({learning_rate / 10:g})."
    return Diagnosis(
        "diverged", ERROR, f"Diverged at iteration {iteration:,}",
        f"The cost {jumped}{started} at iteration {iteration:,}, so training stopped (the last good "
        f"parameters are kept). {cause}",
        next_step,
        {"iteration": float(iteration), "start_cost": float(start), "exploded_cost": float(exploded_cost),
         "input_scale": float(input_scale)},
    )


def check_rising_cost(costs: Sequence[float], learning_rate: float) -> Diagnosis | None:
    """A run that ended (or is) above its starting cost: slowly diverging, though it never exploded."""
    finite = [c for c in costs if math.isfinite(c)]
    if len(finite) < 2 or finite[-1] <= finite[0]:
        return None
    start, end, peak = finite[0], finite[-1], max(finite)
    return Diagnosis(
        "rising_cost", ERROR, "The cost went up, not down",
        f"The cost rose to {peak / start:.1f}x its start ({start:.3g} -> {peak:.3g}) and ends at {end:.3g}, "
        "above where it started: the network got worse. The steps are too large to settle, "
        "not large enough to blow up.",
        f"Try a smaller learning rate ({learning_rate / 3:.2g} or {learning_rate / 10:.2g}).",
        {"start_cost": start, "peak_cost": peak, "end_cost": end, "rise": peak / start},
    )


# ----- the output ----------------------------------------------------------------------------
def check_collapsed(AL: np.ndarray, Y: np.ndarray, learning_rate: float,
                    classes: Sequence[str] = ("0", "1"), *, init: str | None = None,
                    hidden_activation: str | None = None, cause: str | None = None) -> Diagnosis | None:
    """Every example predicted as the same class: AL (1, m) all on one side of 0.5; Y (1, m) 0/1.

    ``init`` and ``hidden_activation`` are the run's: what it uses is never suggested.  ``cause`` is the
    next step of a diagnosis that explains the collapse (a fading signal): it replaces the learning-rate
    advice, which would then be wrong."""
    AL, Y = np.asarray(AL).ravel(), np.asarray(Y).ravel()
    predicted = AL > 0.5
    if AL.size < 2 or predicted.all() != predicted.any():
        return None
    label = int(predicted[0])
    share = float(np.mean(Y == label))
    lo, hi = float(AL.min()), float(AL.max())
    same = hi - lo < 1e-3
    spread = f"the same P = {lo:.3f} for all of them" if same else f"P between {lo:.3f} and {hi:.3f}"
    return Diagnosis(
        "collapsed", ERROR, f"It answers \u201c{classes[label]}\u201d for everything",
        f"It predicts \u201c{classes[label]}\u201d for all {AL.size:,} training examples ({spread}), so its "
        f"{_pct(share)} accuracy is just the share of \u201c{classes[label]}\u201d examples"
        + (": it ignores its input." if same else ": it has collapsed to one class."),
        cause or _collapse_advice(learning_rate, init, hidden_activation),
        {"predicted_class": float(label), "share_of_that_class": share, "p_min": lo, "p_max": hi},
    )


def _collapse_advice(learning_rate: float, init: str | None, hidden_activation: str | None) -> str:
    used = {x for x in (init, hidden_activation) if x is not None}
    rest = _alternatives((("he", "the He initialisation"), ("leaky_relu", "leaky_relu")), used)
    tail = f"; if it still collapses, {_either(rest)}" if rest else ""
    return f"Try a learning rate ten times smaller ({learning_rate / 10:g}){tail}."


def dead_unit_shares(caches: Sequence[LayerCache], hidden_activation: str) -> list[float]:
    """Per hidden layer, the share of ReLU units whose Z <= 0 for every example (empty for other activations)."""
    if hidden_activation != "relu":
        return []
    return [float(np.mean(np.all(c.activation_cache <= 0, axis=1))) for c in caches[:-1]]


def check_dead_layers(shares: Sequence[float], layer_dims: Sequence[int], init: str | None = None,
                      cause: str | None = None) -> Diagnosis | None:
    """Hidden layers where most ReLUs are dead; one fully dead layer cuts the network in two.  The He
    initialisation is suggested only to a run that does not use it already (``init``); ``cause``, the
    next step of a diagnosis that explains the dead units, replaces the learning-rate advice."""
    flagged = [(l, s) for l, s in enumerate(shares, start=1) if s >= DEAD_SHARE_WARNING]
    if not flagged:
        return None
    parts = [f"layer {l}: {round(s * layer_dims[l])} of {layer_dims[l]} ({_pct(s)})" for l, s in flagged]
    cut = [l for l, s in flagged if s >= 1.0]
    why = (f"With layer {cut[0]} all dead, no input reaches the output and no gradient flows back: "
           "training is stuck for good." if cut
           else "A dead unit outputs 0 and gets no gradient, so it never recovers.")
    return Diagnosis(
        "dead_layers", ERROR if cut else WARNING, "Dead ReLUs",
        f"ReLUs with Z <= 0 for every training example: {', '.join(parts)}. {why}",
        cause or ("Try a smaller learning rate" + ("" if init == "he" else ", the He initialisation,")
                  + " or leaky_relu (which keeps a small slope below 0)."),
        {f"layer_{l}": s for l, s in enumerate(shares, start=1)},
    )


def saturated_shares(caches: Sequence[LayerCache], hidden_activation: str) -> list[float]:
    """Per hidden layer, the share of tanh/sigmoid outputs within 0.01 of their limits (empty otherwise)."""
    if hidden_activation not in ("tanh", "sigmoid"):
        return []
    shares = []
    for c in caches[:-1]:
        Z = c.activation_cache
        A = np.tanh(Z) if hidden_activation == "tanh" else 2 / (1 + np.exp(-np.clip(Z, -500, 500))) - 1
        shares.append(float(np.mean(np.abs(A) > SATURATION_LEVEL)))
    return shares


def check_saturated(shares: Sequence[float], hidden_activation: str, init: str | None = None) -> Diagnosis | None:
    """Hidden layers whose tanh/sigmoid units sit on their flat ends most of the time.  The Xavier
    initialisation is suggested only to a run that does not use it already (``init``)."""
    flagged = [(l, s) for l, s in enumerate(shares, start=1) if s >= SATURATED_SHARE_WARNING]
    if not flagged:
        return None
    limits = "-1 or +1" if hidden_activation == "tanh" else "0 or 1"
    parts = ", ".join(f"layer {l}: {_pct(s)}" for l, s in flagged)
    return Diagnosis(
        "saturated", WARNING if max(s for _, s in flagged) < 0.9 else ERROR, f"Saturated {hidden_activation}",
        f"Most {hidden_activation} outputs sit at {limits} ({parts} of them over the training set), where the "
        "curve is flat: its slope is almost 0, so almost no gradient flows back and the units stop learning.",
        "Try a smaller learning rate" + (", or relu." if init == "xavier" else
                                         ", the Xavier initialisation (smaller starting weights), or relu."),
        {f"layer_{l}": s for l, s in enumerate(shares, start=1)},
    )


def _hidden_outputs(Z: np.ndarray, hidden_activation: str) -> np.ndarray:
    if hidden_activation == "relu":
        A: np.ndarray = np.maximum(Z, 0)
        return A
    if hidden_activation == "leaky_relu":
        return np.where(Z > 0, Z, 0.01 * Z)
    if hidden_activation == "tanh":
        A = np.tanh(Z)
        return A
    A = 1 / (1 + np.exp(-np.clip(Z, -500, 500)))
    return A


def signal_spreads(caches: Sequence[LayerCache], hidden_activation: str) -> list[float]:
    """Per hidden layer, how much its outputs A vary with the input: the mean over units of A's standard
    deviation over the examples.  It shrinks layer by layer when the weights are too small."""
    return [float(np.mean(np.std(_hidden_outputs(c.activation_cache, hidden_activation), axis=1)))
            for c in caches[:-1]]


def check_vanishing(spreads: Sequence[float], costs: Sequence[float], layer_dims: Sequence[int],
                    init: str, hidden_activation: str) -> Diagnosis | None:
    """The input's signal fades away before the output (and the gradients with it), and the cost is stuck.

    ``spreads`` from :func:`signal_spreads`; a layer with no spread at all is dead (check_dead_layers),
    not faded."""
    finite = [c for c in costs if math.isfinite(c)]
    if len(spreads) < 2 or len(finite) < 2 or min(spreads) <= 0 or spreads[0] <= 0:
        return None
    ratio = spreads[-1] / spreads[0]
    if ratio >= VANISHING_RATIO or finite[0] - finite[-1] >= STUCK_SHARE * finite[0]:
        return None
    last = len(spreads)
    if init == "course":
        why = (f"Its weights start at randn x 0.01: each layer multiplies what it receives by about "
               f"0.01 x sqrt(n_prev) ({0.01 * math.sqrt(layer_dims[1]):.2g} for layer 2), so ")
        fix = ("Use the 1/sqrt(n_prev) initialisation (init=sqrt, as the course's deep model does) or He: "
               "the learning rate is not the cause.")
    else:
        why = "Each layer makes what it receives smaller, so "
        options = (("he", "the He initialisation"), ("xavier", "the Xavier initialisation"), ("relu", "relu"))
        used = {x for x in (init, hidden_activation) if x is not None}
        fix = f"Try {_either(_alternatives(options, used))}: the learning rate is not the cause."
    return Diagnosis(
        "vanishing", ERROR, "Vanishing signal and gradients",
        f"How much the hidden outputs vary with the input falls from {spreads[0]:.3g} in layer 1 to "
        f"{spreads[-1]:.2g} in layer {last} ({1 / ratio:,.0f} times less). {why}the output hardly depends on "
        f"the picture, and the gradients flowing back are just as small: the cost is stuck near {finite[-1]:.3f} "
        f"(it started at {finite[0]:.3f}).",
        fix,
        {"ratio": ratio, **{f"layer_{l}": s for l, s in enumerate(spreads, start=1)}},
    )


def gradient_ratio(grad_norms: dict[str, Sequence[float]]) -> float | None:
    """||dW1|| / ||dWL|| at the last record of a run's gradient norms (None without them): far below 1,
    the first layer learns far more slowly than the last (vanishing gradients)."""
    layers = sorted(int(k[2:]) for k in grad_norms if k.startswith("dW") and grad_norms[k])
    if len(layers) < 2:
        return None
    last = grad_norms[f"dW{layers[-1]}"][-1]
    return float(grad_norms["dW1"][-1] / last) if last > 0 else None


# ----- the test set --------------------------------------------------------------------------
def check_overfitting(acc_iterations: Sequence[int], test_costs: Sequence[float], cost_iterations: Sequence[int],
                      costs: Sequence[float], *, lambd: float = 0.0, keep_prob: float = 1.0) -> Diagnosis | None:
    """The test cost rose from its minimum at iteration N while the training cost kept falling.

    ``test_costs`` beside ``acc_iterations``, ``costs`` beside ``cost_iterations`` (a run's History).
    ``lambd`` and ``keep_prob`` are the run's: the advice goes further than what it already uses."""
    pairs = [(i, c) for i, c in zip(acc_iterations, test_costs, strict=True) if math.isfinite(c)]
    if len(pairs) < 5:
        return None
    best = min(range(len(pairs)), key=lambda k: pairs[k][1])
    n_best, low = pairs[best]
    start, end = pairs[0][1], float(np.mean([c for _, c in pairs[-3:]]))
    if best == 0 or low >= start or end - low < max(OVERFIT_RISE * low, OVERFIT_RISE_ABS):
        return None
    train = [(i, c) for i, c in zip(cost_iterations, costs, strict=True) if math.isfinite(c)]
    at_best = [c for i, c in train if i <= n_best]
    if not at_best or train[-1][1] >= at_best[-1]:
        return None
    l2 = f"a larger L2 λ than {lambd:g}" if lambd > 0 else "L2 regularisation (λ = 0.7 in the course's notebook)"
    drop = f"a smaller keep_prob than {keep_prob:g}" if keep_prob < 1 else "dropout (keep_prob = 0.86)"
    return Diagnosis(
        "overfitting", WARNING, f"Overfitting from iteration {n_best:,}",
        f"The test cost was lowest at iteration {n_best:,} ({low:.3f}) and has risen to {end:.3f} since, while "
        f"the training cost kept falling (to {train[-1][1]:.3f}): the network is learning its training examples "
        "by heart rather than what tells the classes apart, so it does worse on examples it has not seen.",
        f"Try {l2} or {drop}, or stop near iteration {n_best:,}.",
        {"best_iteration": float(n_best), "best_test_cost": low, "end_test_cost": end,
         "end_train_cost": train[-1][1]},
    )


# ----- saliency ----------------------------------------------------------------------------
def check_saliency(dA0: np.ndarray, AL: np.ndarray | None = None,
                   caches: Sequence[LayerCache] | None = None) -> Diagnosis | None:
    """A saliency map dA0 that is zero everywhere: no pixel of THIS picture changes the answer.

    ``caches`` (the picture's forward pass) name the layer that passes nothing for it: other pictures
    may keep a unit of that layer active and get other answers."""
    dA0 = np.asarray(dA0)
    if dA0.size == 0 or np.max(np.abs(np.nan_to_num(dA0))) > 0:
        return None
    p = "" if AL is None else (f" The network's P = {float(np.asarray(AL).ravel()[0]):.3f} for this picture comes "
                               "from the biases after that layer alone.")
    dead = None if caches is None else next(
        (l for l, c in enumerate(caches[:-1], start=1) if np.all(np.asarray(c.activation_cache) <= 0)), None)
    where = (f"every unit of layer {dead} is dead (outputs 0)" if dead
             else "a whole layer outputs 0 (every unit is dead)")
    return Diagnosis(
        "zero_saliency", ERROR, "The saliency map is empty for this picture",
        f"The gradient of the output with respect to every pixel of this picture is exactly 0, so its map is "
        f"black: for this picture {where}, which cuts the picture off from the output.{p} Another picture that "
        "keeps one of those units active can get another answer.",
        "If many pictures give an empty map, retrain with a smaller learning rate (e.g. 0.0075) and check the "
        "Train page's diagnosis.",
        {"max_abs_gradient": 0.0} | ({"dead_layer": float(dead)} if dead else {}),
    )


# ----- time ----------------------------------------------------------------------------------
# One core of this project's machine, measured with one BLAS thread (training's matrix products):
# 40 GFLOP/s on large products, plus about 25 us of fixed work per layer and iteration.
# (12288, 20, 7, 5, 1) on 209 examples: estimated 0.15 ms/iteration, measured 0.16;
# six hidden layers of 1,000: estimated 0.16 s, measured 0.15 s.
FLOPS_PER_SECOND = 40e9
SECONDS_PER_LAYER = 25e-6
SLOW_SECONDS = 60.0


def estimate_seconds(layer_dims: Sequence[int], m: int, num_iterations: int,
                     flops_per_second: float = FLOPS_PER_SECOND, *, config: Any = None,
                     pixels: bool = False) -> float:
    """About how long training takes: 6 n_l n_(l-1) m flops per deeper layer and iteration.

    The first layer costs what the engine's own cost model says for the strategy it would choose for
    ``config`` (``first_layer.flops_per_iteration``; None = full-batch gradient descent): one cost model,
    not two.  An estimate for warnings, good to a factor of about 2.
    """
    dims = [int(n) for n in layer_dims]
    deeper = sum(6 * dims[l] * dims[l - 1] * m for l in range(2, len(dims)))
    first = flops_per_iteration(dims, m, num_iterations, config, pixels)
    per_iteration = (deeper + first) / flops_per_second + SECONDS_PER_LAYER * (len(dims) - 1)
    return per_iteration * num_iterations


def check_duration(seconds: float, num_iterations: int) -> Diagnosis | None:
    """A run expected to take more than a minute: say so before Start, with what would speed it up."""
    if seconds <= SLOW_SECONDS:
        return None
    minutes = seconds / 60
    return Diagnosis(
        "slow", WARNING, f"About {minutes:.0f} minute{'s' if round(minutes) != 1 else ''} to train",
        f"This network needs about {minutes:.1f} minutes for {num_iterations:,} iterations on this machine "
        f"({1000 * seconds / num_iterations:.0f} ms each): most of it is multiplying its large hidden layers.",
        "Use fewer or narrower hidden layers (a few dozen units learn the cat images well), fewer iterations, "
        "or float32.",
        {"seconds": seconds},
    )


# ----- a whole run -------------------------------------------------------------------------
MAX_DIAGNOSED_EXAMPLES = 2000  # the layer checks look at this many training examples at most


def _diverged(run: Trainer, classes: Sequence[str]) -> list[Diagnosis | None]:
    if run.status != Status.DIVERGED:
        return []
    return [check_diverged(run.iteration, run.history.costs, run.cost(), run.config.learning_rate,
                           max_abs(run.X))]


def _rising(run: Trainer, classes: Sequence[str]) -> list[Diagnosis | None]:
    if run.status == Status.DIVERGED:
        return []
    return [check_rising_cost([*run.history.costs, run.cost()], run.config.learning_rate)]


def _layers(run: Trainer, classes: Sequence[str]) -> list[Diagnosis | None]:
    """The checks that look at the network's output and hidden layers: one forward pass for all.

    A fading signal explains a collapse and dead units: their learning-rate advice is replaced by its."""
    X, Y = run.X[:, :MAX_DIAGNOSED_EXAMPLES], run.Y[:, :MAX_DIAGNOSED_EXAMPLES]
    snap = run.snapshot(X)
    cfg = run.config
    act, dims = cfg.hidden_activation, cfg.layer_dims
    vanishing = check_vanishing(signal_spreads(snap.caches, act), [*run.history.costs, run.cost()], dims,
                                cfg.init, act)
    cause = vanishing.next_step if vanishing is not None else None
    return [vanishing,
            check_collapsed(snap.AL, Y, cfg.learning_rate, classes, init=cfg.init, hidden_activation=act,
                            cause=cause),
            check_dead_layers(dead_unit_shares(snap.caches, act), dims, cfg.init, cause=cause),
            check_saturated(saturated_shares(snap.caches, act), act, cfg.init)]


def _overfitting(run: Trainer, classes: Sequence[str]) -> list[Diagnosis | None]:
    if run.status == Status.DIVERGED:
        return []
    h, cfg = run.history, run.config
    return [check_overfitting(h.acc_iterations, h.test_costs, h.cost_iterations, h.costs,
                              lambd=cfg.lambd, keep_prob=cfg.keep_prob)]


RunCheck = Callable[[Trainer, Sequence[str]], "list[Diagnosis | None]"]
# The run-level checks diagnose() runs, in order; a new failure explanation is one more entry.
RUN_CHECKS: tuple[RunCheck, ...] = (_diverged, _rising, _layers, _overfitting)


def diagnose(run: Trainer, classes: Sequence[str] = ("0", "1")) -> list[Diagnosis]:
    """Everything wrong with a run after at least one iteration, errors first (empty when healthy).

    One forward pass over (up to 2,000) training examples; call it when a run finishes or
    diverges, not on every redraw.
    """
    if run.iteration == 0 and run.status != Status.DIVERGED:
        return []
    found = [d for check in RUN_CHECKS for d in check(run, classes) if d is not None]
    return sorted(found, key=lambda d: d.severity != ERROR)


def divergence_trace(run: Trainer) -> tuple[list[int], list[float]]:
    """Cost at every iteration of a diverged run up to and including the explosion, for drawing it.

    Replays the run on a copy (the engine is deterministic) recording every iteration, then adds
    the cost that made it stop (inf when it overflowed).  Empty lists when the run did not diverge
    or its replay would be long (over MAX_REPLAY_ITERATIONS iterations).
    """
    if run.status != Status.DIVERGED or run.iteration > MAX_REPLAY_ITERATIONS:
        return [], []
    cfg = run.config
    replay = Trainer(replace(cfg, record_every=1, accuracy_every=cfg.num_iterations), run.X, run.Y)
    replay.advance(run.iteration)
    return ([*replay.history.cost_iterations, run.iteration], [*replay.history.costs, run.cost()])
