"""Tests for dnn.synthetic: the embedded cartoon-cat dataset."""

from __future__ import annotations

import numpy as np
import pytest

from dnn.synthetic import make_synthetic_cats, synthetic_dataset


@pytest.fixture(scope="module")
def default_data():
    return make_synthetic_cats(seed=0)


def test_formats_match_course_loader(default_data):
    train_x, train_y, test_x, test_y, classes = default_data
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (1, 209) and train_y.dtype == np.int64
    assert test_y.shape == (1, 50) and test_y.dtype == np.int64
    assert list(classes) == [b"non-cat", b"cat"]
    assert set(np.unique(train_y)) == {0, 1}


def test_balanced_classes(default_data):
    _, train_y, _, test_y, _ = default_data
    assert int(train_y.sum()) == 105 and int(test_y.sum()) == 25


def test_images_are_varied_pictures(default_data):
    train_x = default_data[0].astype(np.float64)
    assert train_x.std(axis=(1, 2, 3)).min() > 5  # no blank images
    assert train_x.min() == 0 or train_x.max() == 255 or np.ptp(train_x) > 150
    # No two images are the same, and the mean cat differs from the mean non-cat.
    flat = train_x.reshape(209, -1)
    assert len(np.unique(flat, axis=0)) == 209
    y = default_data[1][0]
    assert np.abs(flat[y == 1].mean(axis=0) - flat[y == 0].mean(axis=0)).max() > 10


def test_deterministic_per_seed_and_seeds_differ(default_data):
    again = make_synthetic_cats(seed=0, m_train=12, m_test=4)
    for got, expected in zip(make_synthetic_cats(seed=0, m_train=12, m_test=4), again, strict=True):
        np.testing.assert_array_equal(got, expected)
    other = make_synthetic_cats(seed=1, m_train=12, m_test=4)
    assert not np.array_equal(other[0], again[0])


def test_other_sizes_and_bad_sizes():
    train_x, train_y, test_x, test_y, _ = make_synthetic_cats(seed=3, m_train=7, m_test=3, num_px=32)
    assert train_x.shape == (7, 32, 32, 3) and test_y.shape == (1, 3)
    with pytest.raises(ValueError, match="at least 2"):
        make_synthetic_cats(m_train=1)
    with pytest.raises(ValueError, match="num_px"):
        make_synthetic_cats(num_px=4)


def test_synthetic_dataset_wrapper():
    d = synthetic_dataset(seed=0)
    assert d.name == "Synthetic cartoon cats" and d.kind == "images"
    assert (d.m_train, d.m_test, d.num_px, d.n_x) == (209, 50, 64, 12288)


def test_course_network_learns_it_but_not_perfectly(default_data):
    """The course's five-layer net should land in the 75%-95% test accuracy band."""
    from dnn import L_layer_model, predict

    train_x, train_y, test_x, test_y, _ = default_data
    X_train = train_x.reshape(209, -1).T / 255.0
    X_test = test_x.reshape(50, -1).T / 255.0
    parameters, _ = L_layer_model(
        X_train, train_y, [12288, 20, 7, 5, 1], learning_rate=0.0075, num_iterations=2500,
        hidden_activation="relu", init="sqrt", seed=1, dtype="float64",
    )
    test_accuracy = float(np.mean(predict(X_test, test_y, parameters) == test_y))
    train_accuracy = float(np.mean(predict(X_train, train_y, parameters) == train_y))
    assert train_accuracy > 0.95
    assert 0.75 <= test_accuracy <= 0.95, test_accuracy
