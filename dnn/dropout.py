"""Inverted dropout on hidden activations, exactly the course's: D = rand < keep_prob, A * D / keep_prob.

The same mask D scales dA in the backward pass.  Masks come from a RandomState the caller owns
(the engine seeds one per run), so a run is reproducible.
"""
from __future__ import annotations

import numpy as np


def dropout_forward(A: np.ndarray, keep_prob: float, rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """A (n, m) -> (A * D / keep_prob, D) with D = rng.rand(n, m) < keep_prob."""
    D = rng.rand(*A.shape) < keep_prob
    return A * D / keep_prob, D


def dropout_backward(dA: np.ndarray, D: np.ndarray, keep_prob: float) -> np.ndarray:
    """dA * D / keep_prob: only the kept units pass gradient back."""
    dA_prev: np.ndarray = dA * D / keep_prob
    return dA_prev


def dropout_rng(seed: int) -> np.random.RandomState:
    """The run's mask stream: RandomState([seed, 1]), apart from the initialisation's RandomState(seed)."""
    return np.random.RandomState([seed, 1])
