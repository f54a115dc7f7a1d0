"""2-D toy datasets for decision-boundary demos.

Every generator returns ``X`` float64 (2, m) and ``Y`` int64 (1, m) with labels 0/1
("red"/"blue", as in the course's planar data). ``"flower"`` with m=400, seed=1 and the
default noise reproduces the course's ``load_planar_dataset()`` exactly.
"""

from __future__ import annotations

import numpy as np

from dnn.data import Dataset
from dnn.split import TEST_FRACTION, split_sizes

TOY_DATASETS = ("flower", "moons", "circles", "xor", "spiral")
TOY_CLASSES = np.array([b"red", b"blue"])
# Gaussian noise (std, in data units) used when ``noise`` is None.
DEFAULT_NOISE = {"flower": 0.2, "moons": 0.1, "circles": 0.08, "xor": 0.1, "spiral": 0.2}
MIN_TOY_POINTS, MAX_TOY_POINTS = 4, 100_000
MAX_NOISE = 10.0
MAX_SEED = 2**32 - 1  # what np.random.RandomState accepts


def _flower(rng: np.random.RandomState, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Same draws, in the same order, as the course's planar_utils.load_planar_dataset.
    half, a = m // 2, 4
    X, Y = np.zeros((m, 2)), np.zeros((m, 1), dtype=np.int64)
    for j in range(2):
        ix = range(half * j, half * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, half) + rng.randn(half) * noise
        r = a * np.sin(4 * t) + rng.randn(half) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    if m % 2:
        # The course only uses even m; give an odd extra point a label instead of leaving a stray (0, 0).
        X[-1], Y[-1] = X[0], Y[0]
    return X.T, Y.T


def _moons(rng: np.random.RandomState, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(m) % 2
    t = rng.uniform(0, np.pi, m)
    x0 = np.where(y == 0, np.cos(t), 1 - np.cos(t))
    x1 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t))
    return np.vstack([x0, x1]) + rng.randn(2, m) * noise, y


def _circles(rng: np.random.RandomState, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(m) % 2
    t = rng.uniform(0, 2 * np.pi, m)
    radius = np.where(y == 1, 0.5, 1.0)  # label 1 is the inner ring
    return np.vstack([radius * np.cos(t), radius * np.sin(t)]) + rng.randn(2, m) * noise, y


def _xor(rng: np.random.RandomState, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    clean = rng.uniform(-1, 1, (2, m))
    y = (clean[0] * clean[1] < 0).astype(np.int64)  # label 1 in the 2nd and 4th quadrants
    return clean + rng.randn(2, m) * noise, y


def _spiral(rng: np.random.RandomState, m: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(m) % 2
    t = rng.uniform(0.25, 1, m) * 3 * np.pi  # about 1.5 turns per arm
    angle = t + np.pi * y
    r = t / (3 * np.pi)
    return np.vstack([r * np.cos(angle), r * np.sin(angle)]) + rng.randn(2, m) * noise * r, y


_GENERATORS = {"flower": _flower, "moons": _moons, "circles": _circles, "xor": _xor, "spiral": _spiral}


def _check_name(name: str) -> None:
    if name not in _GENERATORS:
        raise ValueError(f"Unknown toy dataset {name!r}; choose one of: {', '.join(TOY_DATASETS)}.")


def _check_whole(value: object, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{label} must be a whole number from {low:,} to {high:,}; got {value!r}.")
    return int(value)


def _check_noise(name: str, noise: float | None) -> float:
    if noise is None:
        return DEFAULT_NOISE[name]
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE:g}; got {noise!r}.") from None
    if not 0 <= value <= MAX_NOISE:  # also refuses NaN
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE:g}; got {noise!r}.")
    return value


def make_toy_dataset(name: str, m: int = 400, seed: int = 1,
                     noise: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generate toy data ``name``: X float64 (2, m), Y int64 (1, m) of 0/1.

    ``noise`` is a Gaussian std in data units (0 to MAX_NOISE); None picks the dataset's default
    (DEFAULT_NOISE). ``seed`` (0 to 2**32 - 1) drives a local RandomState: same arguments, same points.
    """
    _check_name(name)
    m = _check_whole(m, "m (the number of points)", MIN_TOY_POINTS, MAX_TOY_POINTS)
    seed = _check_whole(seed, "seed", 0, MAX_SEED)
    noise = _check_noise(name, noise)
    X, Y = _GENERATORS[name](np.random.RandomState(seed), m, noise)
    return np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.int64).reshape(1, m)


def toy_dataset(
    name: str, m: int = 400, seed: int = 1, noise: float | None = None, test_fraction: float = TEST_FRACTION
) -> Dataset:
    """Toy data as a ``Dataset`` (kind "toy"), split train/test by a seeded shuffle.

    train_x_orig is (2, m_train) float64, already in network layout; ``test_fraction`` of the
    points (at least one, at most m - 1) are the test set. The defaults give the 80/20 split of
    the course's 400-point flower.
    """
    X, Y = make_toy_dataset(name, m, seed, noise)
    _, n_test = split_sizes(m, test_fraction)
    order = np.random.RandomState(seed).permutation(m)
    test, train = order[:n_test], order[n_test:]
    return Dataset(
        f"Toy: {name}", X[:, train], Y[:, train], X[:, test], Y[:, test], TOY_CLASSES.copy(), kind="toy"
    )
