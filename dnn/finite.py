"""The one rule for "this network's output is a finite number for every input": model files are loaded only
when it holds (modelio), and a run that diverges keeps the last parameters for which it holds (engine).

A network passes when interval arithmetic bounds |Z| of every layer, for ANY input whose values lie in
[-INPUT_BOUND, INPUT_BOUND], under the largest float of its precision divided by OUTPUT_MARGIN.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

# The app's data are pixels in [0, 1] (raw, up to 255) and 2-D points within a few units of 0: 1,000 leaves
# a wide margin.  OUTPUT_MARGIN keeps the bound well under the largest float, so rounding in a real forward
# pass cannot reach it.
INPUT_BOUND = 1_000.0
OUTPUT_MARGIN = 1e6

# c -> an upper bound (n_1, 1) on |W1 x| for every x with |x_i| <= c (a first-layer strategy's abs_bound)
FirstBound = Callable[[float], np.ndarray]


def output_bound(parameters: Mapping[str, np.ndarray], layer_dims: Sequence[int], hidden_activation: str,
                 input_bound: float = INPUT_BOUND, first: FirstBound | None = None) -> float:
    """An upper bound on |Z| of every layer for ANY input whose values lie in [-input_bound, input_bound].

    Interval arithmetic: |Z_l| <= |W_l| a_{l-1} + |b_l|, where a_l = that bound for relu and leaky ReLU
    (|g(z)| <= |z|) and 1 for tanh and sigmoid.  Sums of non-negative numbers cannot cancel, so the
    result is inf exactly when such an input could overflow some Z (where NaN comes from: inf - inf).
    ``first(input_bound)``, when given, stands for |W1| a_0 (``parameters`` then need no W1): any upper
    bound of it keeps the rule sound (a network it passes passes the exact rule too)."""
    bounded = hidden_activation in ("tanh", "sigmoid")
    a = np.full((int(layer_dims[0]), 1), float(input_bound))
    worst = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(1, len(layer_dims)):
            spread = (first(float(input_bound)) if l == 1 and first is not None
                      else np.abs(parameters[f"W{l}"]).astype(np.float64, copy=False) @ a)
            z = spread + np.abs(parameters[f"b{l}"]).astype(np.float64, copy=False)
            top = float(np.max(z))
            if not math.isfinite(top):  # inf, or NaN from a NaN weight (max() would skip a NaN)
                return math.inf
            worst = max(worst, top)
            a = np.ones_like(z) if bounded else z
    return worst


def precision_of(parameters: Mapping[str, np.ndarray], precision: str = "float64") -> np.dtype:
    """The precision a network runs in: float32 when its settings or any parameter say so."""
    narrow = precision == "float32" or any(np.asarray(v).dtype.itemsize < 8 for v in parameters.values())
    return np.dtype(np.float32 if narrow else np.float64)


def output_limit(dtype: np.dtype) -> float:
    """The largest |Z| the rule accepts in ``dtype``."""
    return float(np.finfo(dtype).max) / OUTPUT_MARGIN


def has_finite_output(parameters: Mapping[str, np.ndarray], layer_dims: Sequence[int], hidden_activation: str,
                      precision: str = "float64", first: FirstBound | None = None) -> bool:
    """Whether every input in [-INPUT_BOUND, INPUT_BOUND] gives a finite Z in the network's precision
    (``first``: as in output_bound)."""
    limit = output_limit(precision_of(parameters, precision))
    return output_bound(parameters, layer_dims, hidden_activation, first=first) <= limit
