"""Every unit golden value of ../shared/course-reference.md, with the course's inputs."""
import numpy as np
from numpy.testing import assert_allclose

import dnn


def draw(seed, *shapes):
    rng = np.random.RandomState(seed)
    return [rng.randn(*s) for s in shapes]


def test_initialize_parameters():
    p = dnn.initialize_parameters(3, 2, 1)
    assert_allclose(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                              [-0.01072969, 0.00865408, -0.02301539]], atol=1e-8)
    assert_allclose(p["W2"], [[0.01744812, -0.00761207]], atol=1e-8)
    assert p["b1"].shape == (2, 1) and p["b2"].shape == (1, 1)
    assert not p["b1"].any() and not p["b2"].any()


def test_initialize_parameters_deep():
    p = dnn.initialize_parameters_deep([5, 4, 3])
    assert_allclose(p["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], atol=1e-8)
    assert_allclose(p["W2"][0], [-0.01185047, -0.0020565, 0.01486148, 0.00236716], atol=1e-8)
    assert p["W1"].shape == (4, 5) and p["W2"].shape == (3, 4)
    assert p["b1"].shape == (4, 1) and not p["b2"].any()


def test_random_state_reproduces_global_seed():
    np.random.seed(7)
    expected = np.random.randn(4, 3) / np.sqrt(3)
    assert_allclose(dnn.initialize_parameters_deep([3, 4], init="sqrt", seed=7)["W1"], expected, rtol=0, atol=0)


def test_linear_forward():
    A, W, b = draw(1, (3, 2), (1, 3), (1, 1))
    Z, cache = dnn.linear_forward(A, W, b)
    assert_allclose(Z, [[3.26295337, -1.23429987]], atol=1e-8)
    A_prev, W_c, b_c = cache
    assert A_prev is A and W_c is W and b_c is b


def test_linear_activation_forward():
    A_prev, W, b = draw(2, (3, 2), (1, 3), (1, 1))
    A, cache = dnn.linear_activation_forward(A_prev, W, b, "sigmoid")
    assert_allclose(A, [[0.96890023, 0.11013289]], atol=1e-8)
    (linear_cache, Z) = cache
    assert_allclose(Z, W @ A_prev + b)
    A, _ = dnn.linear_activation_forward(A_prev, W, b, "relu")
    assert_allclose(A, [[3.43896131, 0.0]], atol=1e-8)


def test_L_model_forward():
    X, W1, b1, W2, b2, W3, b3 = draw(6, (5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1))
    AL, caches = dnn.L_model_forward(X, dict(W1=W1, b1=b1, W2=W2, b2=b2, W3=W3, b3=b3))
    assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], atol=1e-8)
    assert len(caches) == 3
    assert caches[0].linear_cache.A_prev is X


def test_compute_cost():
    cost = dnn.compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 1]]))
    assert_allclose(cost, 0.41493159961539694, rtol=1e-15)
    assert isinstance(cost, np.ndarray) and cost.shape == () and cost.dtype == np.float64  # np.squeeze(cost)


def test_compute_cost_is_finite_when_saturated():
    cost = dnn.compute_cost(np.array([[1.0, 0.0]]), np.array([[0, 1]]))
    assert np.isfinite(cost) and cost > 30


def test_linear_backward():
    dZ, A, W, b = draw(1, (1, 2), (3, 2), (1, 3), (1, 1))
    dA_prev, dW, db = dnn.linear_backward(dZ, (A, W, b))
    assert_allclose(dA_prev, [[0.51822968, -0.19517421], [-0.40506361, 0.15255393],
                              [2.37496825, -0.89445391]], atol=1e-8)
    assert_allclose(dW, [[-0.10076895, 1.40685096, 1.64992505]], atol=1e-8)
    assert_allclose(db, [[0.50629448]], atol=1e-8)


def test_linear_activation_backward():
    dA, A, W, b, Z = draw(2, (1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    cache = ((A, W, b), Z)
    dA_prev, dW, db = dnn.linear_activation_backward(dA, cache, "sigmoid")
    assert_allclose(dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723],
                              [-0.05743092, -0.00576154]], atol=1e-8)
    assert_allclose(dW, [[0.10266786, 0.09778551, -0.01968084]], atol=1e-8)
    assert_allclose(db, [[-0.05729622]], atol=1e-8)
    dA_prev, dW, db = dnn.linear_activation_backward(dA, cache, "relu")
    assert_allclose(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]], atol=1e-8)
    assert_allclose(dW, [[0.44513824, 0.37371418, -0.10478989]], atol=1e-8)
    assert_allclose(db, [[-0.20837892]], atol=1e-8)


def test_L_model_backward():
    rng = np.random.RandomState(3)
    AL = rng.randn(1, 2)
    Y = np.array([[1, 0]])
    A1, W1, b1, Z1 = rng.randn(4, 2), rng.randn(3, 4), rng.randn(3, 1), rng.randn(3, 2)
    A2, W2, b2, Z2 = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2)
    grads = dnn.L_model_backward(AL, Y, [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)])
    assert_allclose(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0, 0, 0, 0],
                                   [0.05283652, 0.01005865, 0.01777766, 0.0135308]], atol=1e-8)
    assert_allclose(grads["db1"], [[-0.22007063], [0], [-0.02835349]], atol=1e-8)
    assert_allclose(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296],
                                   [0.01663708, -0.05670698]], atol=1e-8)
    assert set(grads) == {"dA0", "dW1", "db1", "dA1", "dW2", "db2"}


def test_update_parameters():
    W1, b1, W2, b2 = draw(2, (3, 4), (3, 1), (1, 3), (1, 1))
    dW1, db1, dW2, db2 = draw(3, (3, 4), (3, 1), (1, 3), (1, 1))
    params = dict(W1=W1, b1=b1, W2=W2, b2=b2)
    new = dnn.update_parameters(params, dict(dW1=dW1, db1=db1, dW2=dW2, db2=db2), 0.1)
    assert_allclose(new["W1"], [[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                                [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                                [-1.0535704, -0.86128581, 0.68284052, 2.20374577]], atol=1e-8)
    assert_allclose(new["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], atol=1e-8)
    assert_allclose(new["W2"], [[-0.55569196, 0.0354055, 1.32964895]], atol=1e-8)
    assert_allclose(new["b2"], [[-0.84610769]], atol=1e-8)
    assert params["W1"] is W1 and not np.shares_memory(new["W1"], W1)


def test_step_cases_match_their_printed_outputs():
    from dnn.testcases import STEP_CASES, matches
    assert [c.name for c in STEP_CASES][:3] == ["initialize_parameters", "initialize_parameters_deep", "linear_forward"]
    for case in STEP_CASES:
        assert matches(case.call(case.inputs()), case.expected), case.name


def test_predict_is_the_courses_float_zero_one_array():
    X, W1, b1, W2, b2, W3, b3 = draw(6, (5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1))
    y = np.array([[0, 1, 1, 0]])
    p = dnn.predict(X, y, dict(W1=W1, b1=b1, W2=W2, b2=b2, W3=W3, b3=b3))
    assert p.dtype == np.float64 and p.shape == (1, 4)
    np.testing.assert_array_equal(p, [[0.0, 1.0, 0.0, 0.0]])
    assert_allclose(np.mean(p == y), 0.75)


def test_predict_prints_nothing_and_names_the_course_order(capsys):
    import pytest
    params = {"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))}
    dnn.predict(np.ones((2, 3)), None, params)
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match=r"\(X, y, parameters\)"):
        dnn.predict(np.ones((2, 3)), params, np.ones((1, 3)))


def test_shape_errors_are_clear():
    import pytest
    with pytest.raises(ValueError, match="Shapes do not chain"):
        dnn.linear_forward(np.ones((3, 2)), np.ones((1, 4)), np.ones((1, 1)))
    with pytest.raises(ValueError, match=r"X must be \(5, m\)"):
        dnn.predict(np.ones((4, 2)), None, {"W1": np.ones((1, 5)), "b1": np.ones((1, 1))})
    with pytest.raises(ValueError, match="Unknown activation"):
        dnn.linear_activation_forward(np.ones((3, 2)), np.ones((1, 3)), np.ones((1, 1)), "softmax")
    with pytest.raises(ValueError, match="at least 1 unit"):
        dnn.initialize_parameters_deep([5, 0, 1])


def test_import_dnn_does_not_import_ui():
    import subprocess
    import sys
    code = "import sys, dnn; print([m for m in ('streamlit', 'plotly') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=__import__('pathlib').Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"
