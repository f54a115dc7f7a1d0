"""An image set's network input X = pixels / 255 kept as its uint8 pixels, converted a block at a time.

The course flattens images to X = images.reshape(m, -1).T / 255 in float64: 8 bytes per value.  The
largest legal upload (13,000 + 3,000 images of 64 x 64 x 3) is 197 MB of pixels but 1.57 GB of X, so a
large set keeps only its pixels and every product with X converts a block of columns on the fly:

    W1 X       = [W1 X_b for each block b]            (column blocks: each column is computed alone)
    dZ1 X^T    = sum over blocks of dZ1_b X_b^T       (a sum in a different order: equal to rounding)

A block holds the exact values the course computes (uint8 / 255.0 in float64, then the run's dtype), so
only the order of the sum over examples in dW1 differs from the one-piece product.  Small sets (the
course's, built photo sets) keep the one-piece float64 X: their numbers stay the course's to the last
digit.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# A float64 X of at most this many bytes (train and test together) is made once and kept; above it the
# set keeps its uint8 pixels only.  256 MiB holds 2,730 images of 64 x 64 x 3: every built or zipped
# photo set (at most 2,000 photos) and the course set stay one-piece.
FLOAT_COPY_MAX_BYTES = 256 * 2**20
# Columns converted at a time: a float64 block of about 32 MiB (341 images of 64 x 64 x 3).
BLOCK_BYTES = 32 * 2**20


class Pixels:
    """X (n_x, m) = pixels / 255 for uint8 images (m, px, px, 3), without a float copy.

    Indexing (``X[:, j]``, ``X[:, :k]``, ``X[:6, 0]``) returns the float64 values ``flatten_images``
    gives; ``np.asarray(X)`` makes the whole float64 X (a full copy: use it for small sets only).
    """

    ndim = 2
    dtype = np.dtype(np.float64)

    def __init__(self, images: np.ndarray):
        images = np.asarray(images)
        if images.dtype != np.uint8 or images.ndim < 2:
            raise ValueError(f"Pixels needs a stack of uint8 images (m, ...); got {images.dtype} {images.shape}.")
        n_x = int(np.prod(images.shape[1:]))
        self.u8 = images.reshape(images.shape[0], n_x).T  # (n_x, m), a view: examples contiguous (F order)
        self.u8.flags.writeable = False

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.u8.shape[0]), int(self.u8.shape[1]))

    @property
    def nbytes(self) -> int:
        """The pixels' bytes (1 per value)."""
        return int(self.u8.nbytes)

    def __getitem__(self, key: Any) -> np.ndarray:
        return np.asarray(self.u8[key] / 255.0)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.as_array(np.float64 if dtype is None else dtype)

    def __repr__(self) -> str:
        return f"Pixels(shape={self.shape}, uint8 / 255)"

    def block_columns(self, dtype: Any) -> int:
        """Columns per converted block for ``dtype``."""
        return max(1, BLOCK_BYTES // (self.shape[0] * 8))  # the division makes float64 first

    def columns(self, start: int, stop: int, dtype: Any) -> np.ndarray:
        """X[:, start:stop] in ``dtype``, examples contiguous, the course's values."""
        return _convert(self.u8[:, start:stop], dtype)

    def take(self, cols: np.ndarray, dtype: Any) -> np.ndarray:
        """X[:, cols] in ``dtype``: each example's pixels gathered in one piece, then converted."""
        return _convert(self.u8.T[cols].T, dtype)

    def as_array(self, dtype: Any = np.float64) -> np.ndarray:
        """The whole X in ``dtype`` (examples contiguous), converted a block at a time."""
        out = np.empty(self.shape, dtype=dtype, order="F")
        step = self.block_columns(dtype)
        for j in range(0, self.shape[1], step):
            out[:, j:j + step] = self.columns(j, j + step, dtype)
        return out

    def blocks(self, dtype: Any) -> Any:
        """(slice, X block) pairs covering every column in order."""
        step = self.block_columns(dtype)
        for j in range(0, self.shape[1], step):
            yield slice(j, j + step), self.columns(j, j + step, dtype)


def _convert(u8: np.ndarray, dtype: Any) -> np.ndarray:
    x = u8 / 255.0  # float64, as the course divides
    return x if np.dtype(dtype) == np.float64 else x.astype(dtype, order="K")


def float_copy_is_small(n_values: int) -> bool:
    """Whether a float64 X of ``n_values`` values is kept in one piece (see FLOAT_COPY_MAX_BYTES)."""
    return n_values * 8 <= FLOAT_COPY_MAX_BYTES


def W_times_X(W: np.ndarray, X: np.ndarray | Pixels, dtype: Any) -> np.ndarray:
    """W X for an array or Pixels X (by column blocks)."""
    if not isinstance(X, Pixels):
        WX: np.ndarray = W @ X
        return WX
    out = np.empty((W.shape[0], X.shape[1]), dtype=np.result_type(W.dtype, dtype))
    for cols, block in X.blocks(dtype):
        out[:, cols] = W @ block
    return out


def dZ_times_XT(dZ: np.ndarray, X: np.ndarray | Pixels, dtype: Any, out: np.ndarray | None = None) -> np.ndarray:
    """dZ X^T for an array or Pixels X (the sum over examples a block at a time)."""
    if not isinstance(X, Pixels):
        return np.matmul(dZ, X.T, out=out)
    out = np.zeros((dZ.shape[0], X.shape[0]), dtype=dZ.dtype) if out is None else out
    part = np.empty_like(out)
    first = True
    for cols, block in X.blocks(dtype):
        if first:
            np.matmul(dZ[:, cols], block.T, out=out)
            first = False
        else:
            np.matmul(dZ[:, cols], block.T, out=part)
            out += part
    return out


def max_abs(X: np.ndarray | Pixels) -> float:
    """max |X| (0 for an empty X), without a float copy of a Pixels X: its largest pixel / 255."""
    if isinstance(X, Pixels):
        return float(X.u8.max()) / 255.0 if X.u8.size else 0.0
    return float(np.max(np.abs(X))) if X.size else 0.0
