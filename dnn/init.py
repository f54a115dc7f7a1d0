"""Parameter initialisation: the course's two functions plus the schemes the app offers."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Parameters = dict[str, np.ndarray]

# name -> how the randn draw for W{l} (shape n_l x n_prev) is scaled
INITIALIZATIONS: dict[str, str] = {
    "course": "randn * 0.01 (step-by-step course)",
    "sqrt": "randn / sqrt(n_prev) (the cat application)",
    "he": "randn * sqrt(2 / n_prev) (He)",
    "xavier": "randn * sqrt(2 / (n_prev + n_l)) (Xavier/Glorot)",
    "zeros": "all zeros (every unit of a layer stays the same: symmetry is never broken)",
    "large": "randn * 10 (too large: saturated sigmoids and exploding costs)",
}


def _scaled(draw: np.ndarray, init: str) -> np.ndarray:
    n_l, n_prev = draw.shape
    if init == "course":
        return draw * 0.01
    if init == "sqrt":
        W: np.ndarray = draw / np.sqrt(n_prev)  # divide, as the course does, to match it bit for bit
        return W
    if init == "he":
        W = draw * np.sqrt(2.0 / n_prev)
        return W
    if init == "zeros":
        return np.zeros_like(draw)  # still drawn, so every other scheme's numbers stay the same per seed
    if init == "large":
        return draw * 10
    W = draw * np.sqrt(2.0 / (n_prev + n_l))
    return W


def check_layer_dims(layer_dims: Sequence[int]) -> tuple[int, ...]:
    """Return ``layer_dims`` as a tuple of ints, or raise a ValueError saying what to change."""
    dims = tuple(layer_dims)
    if len(dims) < 2:
        raise ValueError(
            f"layer_dims needs at least an input size and an output size, got {list(dims)}: "
            "for example [12288, 7, 1]."
        )
    for l, n in enumerate(dims):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"layer_dims[{l}] = {n!r} is not a whole number of units.")
        if n < 1:
            raise ValueError(f"layer_dims[{l}] = {n}: every layer needs at least 1 unit.")
    return tuple(int(n) for n in dims)


def initialize_parameters_deep(
    layer_dims: Sequence[int], init: str = "course", seed: int = 3, dtype: str = "float64"
) -> Parameters:
    """W{l} (n_l, n_{l-1}) drawn in layer order from RandomState(seed), b{l} (n_l, 1) zeros.

    The defaults are the course's: x0.01 and seed 3, as in its test case.
    """
    dims = check_layer_dims(layer_dims)
    if init not in INITIALIZATIONS:
        raise ValueError(f"Unknown initialisation {init!r}: choose one of {', '.join(INITIALIZATIONS)}.")
    rng = np.random.RandomState(seed)
    parameters: Parameters = {}
    for l in range(1, len(dims)):
        W = _scaled(rng.randn(dims[l], dims[l - 1]), init)
        parameters[f"W{l}"] = W.astype(dtype, copy=False)
        parameters[f"b{l}"] = np.zeros((dims[l], 1), dtype=dtype)
    return parameters


def initialize_parameters(n_x: int, n_h: int, n_y: int, seed: int = 1) -> Parameters:
    """The two-layer course initialisation: W1 (n_h, n_x), W2 (n_y, n_h) as randn * 0.01 with seed 1."""
    return initialize_parameters_deep([n_x, n_h, n_y], init="course", seed=seed)
