"""The course's headline training results, reproduced from the real dataset in float64."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import dnn

from conftest_shared import DATA_DIR, needs_data

pytestmark = needs_data


@pytest.fixture(scope="module")
def cat_data():
    train_x_orig, train_y, test_x_orig, test_y, classes = dnn.load_catvnoncat(DATA_DIR)
    return dnn.flatten_images(train_x_orig), train_y, dnn.flatten_images(test_x_orig), test_y


def accuracy(X, Y, params):
    return np.mean(dnn.predict(X, Y, params) == Y)


def test_two_layer_model(cat_data):
    X, Y, Xt, Yt = cat_data
    params, costs = dnn.two_layer_model(X, Y, (12288, 7, 1), num_iterations=2500, print_cost=True)
    assert len(costs) == 25
    assert all(isinstance(c, np.ndarray) and c.shape == () for c in costs)
    assert_allclose(costs[0], 0.693049735659989, rtol=1e-12)
    assert_allclose(costs[24], 0.048554785628770226, rtol=1e-10)
    assert_allclose(accuracy(X, Y, params), 1.0)
    assert_allclose(accuracy(Xt, Yt, params), 0.72)


def test_five_layer_model(cat_data):
    X, Y, Xt, Yt = cat_data
    params, costs = dnn.L_layer_model(X, Y, (12288, 20, 7, 5, 1), num_iterations=2500)
    assert_allclose(costs[0], 0.771749, atol=5e-7)
    assert_allclose(costs[24], 0.092878, atol=5e-7)
    assert_allclose(accuracy(X, Y, params), 0.985645933014, atol=1e-12)
    assert_allclose(accuracy(Xt, Yt, params), 0.8)


@pytest.mark.parametrize("kind", ["gram", "direct"])
def test_both_first_layers_give_the_course_costs(cat_data, kind):
    X, Y, Xt, Yt = cat_data
    config = dnn.TrainConfig((12288, 20, 7, 5, 1), num_iterations=300)
    run = dnn.Trainer(config, X, Y, Xt, Yt, first_layer=kind)
    run.advance(300)
    assert type(run.first).__name__.lower().startswith(kind)
    reference = dnn.Trainer(config, X, Y, first_layer="direct" if kind == "gram" else "gram")
    reference.advance(300)
    assert_allclose(run.history.costs, reference.history.costs, rtol=1e-10)
    assert_allclose(run.parameters["W1"], reference.parameters["W1"], rtol=1e-8, atol=1e-12)
    assert_allclose(run.history.costs[0], 0.771749, atol=5e-7)
