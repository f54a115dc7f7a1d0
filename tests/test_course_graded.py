"""The course's public graded tests, reproduced as faithfully as the formulas allow.

Application notebook: ``two_layer_model_test`` and ``L_layer_model_test`` draw X and a REAL-valued Y with
``np.random.seed(1)``, train for 2 iterations and check, like the course's ``multiple_test``, the data types
(parameters are arrays, costs a list of 0-d arrays), the shapes and the values.  The expected values come
from bench/reference.py's plain loop written from the course's formulas; the first row of W1 of the
two-layer case is also the course's published expected value.  Step-by-step notebook: the values are
in test_core_golden.py; the types the course's tests check are here.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import dnn
from bench import reference


def course_draw(n_x=10, m=10):
    np.random.seed(1)  # the course's own global-seed style, on purpose (restored below)
    X = np.random.randn(n_x, m)
    Y = np.random.randn(1, m)
    return X, Y


@pytest.fixture(autouse=True)
def keep_global_seed():
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def check_like_multiple_test(result, expected):
    """datatype_check, shape_check and equation_output_check of the course's test_utils."""
    parameters, costs = result
    exp_parameters, exp_costs = expected
    assert isinstance(parameters, dict) and sorted(parameters) == sorted(exp_parameters)
    assert isinstance(costs, list) and len(costs) == len(exp_costs)
    for c, e in zip(costs, exp_costs, strict=True):
        assert type(c) is np.ndarray and c.shape == () and c.dtype == np.float64
        assert_allclose(c, e, rtol=1e-10)
    for k, v in exp_parameters.items():
        assert type(parameters[k]) is np.ndarray and parameters[k].shape == v.shape, k
        assert_allclose(parameters[k], v, rtol=1e-10, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("learning_rate, num_iterations", [(0.0075, 2), (0.1, 3)])
def test_two_layer_model_test(learning_rate, num_iterations):
    X, Y = course_draw()
    assert not np.isin(Y, (0, 1)).all()  # real-valued labels, as in the course's test
    result = dnn.two_layer_model(X, Y, (10, 4, 1), learning_rate=learning_rate, num_iterations=num_iterations,
                                 print_cost=False)
    expected = reference.model(X, Y, (10, 4, 1), init="course", seed=1, learning_rate=learning_rate,
                               num_iterations=num_iterations)
    check_like_multiple_test(result, expected)


def test_two_layer_model_matches_the_courses_published_w1():
    X, Y = course_draw()
    parameters, costs = dnn.two_layer_model(X, Y, (10, 4, 1), 0.0075, 2)
    assert_allclose(parameters["W1"][0], [0.01624965, -0.00610741, -0.00528734, -0.01072836, 0.008664,
                                          -0.02301103, 0.01745639, -0.00760949, 0.0031934, -0.00248971], atol=5e-9)
    assert len(costs) == 1


@pytest.mark.parametrize("learning_rate, num_iterations", [(0.0075, 2), (0.1, 3)])
def test_L_layer_model_test(learning_rate, num_iterations):
    X, Y = course_draw()
    layers_dims = (10, 5, 6, 1)
    result = dnn.L_layer_model(X, Y, layers_dims, learning_rate=learning_rate, num_iterations=num_iterations,
                               print_cost=False)
    expected = reference.model(X, Y, layers_dims, init="sqrt", seed=1, learning_rate=learning_rate,
                               num_iterations=num_iterations)
    check_like_multiple_test(result, expected)


def test_costs_every_hundred_iterations_are_zero_d_arrays():
    X, Y = course_draw()
    _, costs = dnn.L_layer_model(X, Y, (10, 5, 6, 1), num_iterations=250)
    assert len(costs) == 3 and all(type(c) is np.ndarray and c.ndim == 0 for c in costs)
    expected = reference.model(X, Y, (10, 5, 6, 1), init="sqrt", seed=1, num_iterations=250)[1]
    assert_allclose(np.array(costs), expected, rtol=1e-10)


def test_step_by_step_types():
    AL, Y = np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 1]])
    cost = dnn.compute_cost(AL, Y)
    assert type(cost) is np.ndarray and cost.shape == ()
    params = dnn.initialize_parameters_deep([5, 4, 3])
    assert all(type(v) is np.ndarray for v in params.values())
    rng = np.random.RandomState(6)
    X = rng.randn(5, 4)
    p = {k: rng.randn(*s) for k, s in (("W1", (4, 5)), ("b1", (4, 1)), ("W2", (3, 4)), ("b2", (3, 1)),
                                       ("W3", (1, 3)), ("b3", (1, 1)))}
    AL, caches = dnn.L_model_forward(X, p)
    assert isinstance(caches, list) and len(caches) == 3
    (A_prev, W, b), Z = caches[0]  # the course's tuple layout
    assert A_prev is X and W is p["W1"] and Z.shape == (4, 4)
    grads = dnn.L_model_backward(AL, np.array([[1, 0, 1, 0]]), caches)
    assert sorted(grads) == sorted([f"dA{l - 1}" for l in (1, 2, 3)] + [f"d{n}{l}" for l in (1, 2, 3) for n in "Wb"])
    pred = dnn.predict(X, np.array([[1, 0, 1, 0]]), p)
    assert pred.dtype == np.float64 and pred.shape == (1, 4) and set(np.unique(pred)) <= {0.0, 1.0}


def test_the_app_engine_still_insists_on_zero_one_labels():
    X, Y = course_draw()
    with pytest.raises(ValueError, match="0 or 1"):
        dnn.Trainer(dnn.TrainConfig((10, 4, 1)), X, Y)
