"""Tests for dnn.toy: 2-D datasets for decision-boundary demos."""

from __future__ import annotations

import numpy as np
import pytest

from dnn.toy import DEFAULT_NOISE, TOY_DATASETS, make_toy_dataset, split_sizes, toy_dataset


def _course_planar(m=400):
    """The course's planar_utils.load_planar_dataset, verbatim (global seed on purpose)."""
    state = np.random.get_state()
    np.random.seed(1)
    N, a = m // 2, 4
    X, Y = np.zeros((m, 2)), np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    np.random.set_state(state)
    return X.T, Y.T


def test_flower_reproduces_course_planar_dataset():
    X, Y = make_toy_dataset("flower")
    X_ref, Y_ref = _course_planar()
    np.testing.assert_allclose(X, X_ref, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(Y, Y_ref)
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)


@pytest.mark.parametrize("name", TOY_DATASETS)
def test_shapes_dtypes_balance_and_determinism(name):
    X, Y = make_toy_dataset(name, m=301, seed=3)
    assert X.shape == (2, 301) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert Y.shape == (1, 301) and Y.dtype == np.int64 and set(np.unique(Y)) == {0, 1}
    assert 0.4 < Y.mean() < 0.6
    X2, Y2 = make_toy_dataset(name, m=301, seed=3)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, make_toy_dataset(name, m=301, seed=4)[0])


def test_noise_zero_gives_clean_geometry():
    X, Y = make_toy_dataset("circles", m=200, noise=0.0)
    radius = np.hypot(*X)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.5)
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0)
    X, Y = make_toy_dataset("xor", m=200, noise=0.0)
    np.testing.assert_array_equal(Y[0], (X[0] * X[1] < 0).astype(int))


def test_toy_dataset_split():
    d = toy_dataset("moons", m=400, seed=1)
    assert d.kind == "toy" and (d.m_train, d.m_test) == (320, 80) and d.n_x == 2
    assert d.X_train.shape == (2, 320) and d.num_px is None
    X, Y = make_toy_dataset("moons", m=400, seed=1)
    # The split is a partition of the generated points.
    merged = np.hstack([d.X_train, d.X_test])
    assert sorted(map(tuple, merged.T)) == sorted(map(tuple, X.T))
    np.testing.assert_array_equal(toy_dataset("moons", m=400, seed=1).X_test, d.X_test)
    assert len(d.classes) == 2


def test_bad_arguments():
    with pytest.raises(ValueError, match="flower, moons"):
        make_toy_dataset("banana")
    with pytest.raises(ValueError, match="from 4"):
        make_toy_dataset("xor", m=1)
    with pytest.raises(ValueError, match="noise"):
        make_toy_dataset("xor", noise=-1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"m": 3}, "number of points"),
        ({"m": 100_001}, "number of points"),
        ({"m": 40.5}, "whole number"),
        ({"m": True}, "whole number"),
        ({"m": "400"}, "whole number"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": float("inf")}, "noise"),
        ({"noise": 10.5}, "noise"),
        ({"noise": "lots"}, "noise"),
        ({"test_fraction": 0.0}, "test_fraction"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"test_fraction": float("nan")}, "test_fraction"),
        ({"test_fraction": "half"}, "test_fraction"),
    ],
)
def test_toy_controls_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        toy_dataset("moons", **kwargs)


def test_defaults_are_unchanged_by_the_new_controls():
    d = toy_dataset("flower")
    explicit = toy_dataset("flower", m=400, seed=1, noise=DEFAULT_NOISE["flower"], test_fraction=0.2)
    np.testing.assert_array_equal(d.X_train, explicit.X_train)
    np.testing.assert_array_equal(d.test_y, explicit.test_y)
    X, Y = _course_planar()
    merged = np.hstack([d.X_train, d.X_test])
    assert sorted(map(tuple, merged.T)) == sorted(map(tuple, X.T))


@pytest.mark.parametrize("m, fraction, expected", [(400, 0.2, (320, 80)), (400, 0.5, (200, 200)),
                                                   (400, 0.1, (360, 40)), (4, 0.05, (3, 1)), (4, 0.95, (1, 3)),
                                                   (101, 0.3, (71, 30))])
def test_split_sizes_follow_the_ratio(m, fraction, expected):
    assert split_sizes(m, fraction) == expected
    d = toy_dataset("xor", m=m, seed=5, test_fraction=fraction)
    assert (d.m_train, d.m_test) == expected
    assert d.X_train.shape == (2, expected[0]) and d.test_y.shape == (1, expected[1])


@pytest.mark.parametrize("name", TOY_DATASETS)
def test_points_and_seed_controls(name):
    assert toy_dataset(name, m=1000, seed=7).m_train + toy_dataset(name, m=1000, seed=7).m_test == 1000
    a, b = toy_dataset(name, m=200, seed=7), toy_dataset(name, m=200, seed=8)  # "regenerate" = a new seed
    assert not np.array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.X_train, toy_dataset(name, m=200, seed=7).X_train)


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral", "flower"])
def test_noise_control_moves_points_by_its_amount(name):
    # Same seed, same clean geometry: the displacement between two noise levels grows with the noise.
    clean, _ = make_toy_dataset(name, m=2000, seed=3, noise=0.0)
    small, _ = make_toy_dataset(name, m=2000, seed=3, noise=0.05)
    large, _ = make_toy_dataset(name, m=2000, seed=3, noise=0.5)
    if name == "flower":  # noise enters the angle and radius, not the position: just compare spreads
        assert np.abs(large - clean).mean() > 3 * np.abs(small - clean).mean() > 0
        return
    scale = 0.5 if name == "spiral" else 1.0  # the spiral's noise shrinks towards its centre
    np.testing.assert_allclose(np.abs(small - clean).mean(), 0.05 * np.sqrt(2 / np.pi), rtol=0.4 / scale)
    np.testing.assert_allclose(np.abs(large - clean).mean(), 0.5 * np.sqrt(2 / np.pi), rtol=0.4 / scale)
