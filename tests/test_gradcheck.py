import numpy as np
import pytest
from numpy.testing import assert_allclose

import dnn


def small_problem(activation, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(4, 6)
    Y = (rng.rand(1, 6) > 0.5).astype(float)
    params = dnn.initialize_parameters_deep([4, 5, 3, 1], init="xavier", seed=seed)
    # non-zero biases so that no ReLU input sits at the kink
    params = {k: v + (0.1 * rng.randn(*v.shape) if k.startswith("b") else 0) for k, v in params.items()}
    return params, X, Y


@pytest.mark.parametrize("activation", dnn.HIDDEN_ACTIVATIONS)
def test_backprop_matches_finite_differences(activation):
    params, X, Y = small_problem(activation)
    errors = dnn.gradient_check(params, X, Y, hidden_activation=activation, max_per_layer=None)
    assert sorted(errors) == [1, 2, 3]
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    params, X, Y = small_problem("tanh")
    real = dnn.gradcheck.L_model_backward

    def broken(*args, **kwargs):
        grads = real(*args, **kwargs)
        grads["dW2"] = grads["dW2"] * 1.01
        return grads

    monkeypatch.setattr(dnn.gradcheck, "L_model_backward", broken)
    errors = dnn.gradient_check(params, X, Y, hidden_activation="tanh", max_per_layer=None)
    assert errors[2] > 1e-3 and errors[1] < 1e-7


def test_large_layers_are_sampled_and_parameters_untouched():
    rng = np.random.RandomState(1)
    params = dnn.initialize_parameters_deep([300, 4, 1], init="he", seed=2)
    before = {k: v.copy() for k, v in params.items()}
    X, Y = rng.randn(300, 5), np.array([[0, 1, 1, 0, 1]])
    errors = dnn.gradient_check(params, X, Y, hidden_activation="tanh", max_per_layer=20)
    assert max(errors.values()) < 1e-7
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


@pytest.mark.parametrize("activation", dnn.HIDDEN_ACTIVATIONS)
def test_backprop_with_l2_matches_finite_differences(activation):
    params, X, Y = small_problem(activation)
    errors = dnn.gradient_check(params, X, Y, hidden_activation=activation, max_per_layer=None, lambd=0.7)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("activation", dnn.HIDDEN_ACTIVATIONS)
def test_backprop_with_l1_away_from_zero_matches_finite_differences(activation):
    params, X, Y = small_problem(activation)
    # |W| >= 0.05 everywhere: the +-1e-6 steps never cross the kink of |w| at 0
    params = {k: (v + 0.05 * np.sign(v) if k.startswith("W") else v) for k, v in params.items()}
    errors = dnn.gradient_check(params, X, Y, hidden_activation=activation, max_per_layer=None, l1=0.3, lambd=0.2)
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_sees_a_missing_penalty_gradient():
    params, X, Y = small_problem("tanh")
    from dnn import regularizers
    broken = regularizers.REGULARIZERS["l2"]._replace(grad=lambda W, s, m: 0 * W)
    import unittest.mock
    with unittest.mock.patch.dict(regularizers.REGULARIZERS, {"l2": broken}):
        errors = dnn.gradient_check(params, X, Y, hidden_activation="tanh", max_per_layer=None, lambd=2.0)
    assert max(errors.values()) > 1e-3


@pytest.mark.parametrize("kind, penalty", [("gram", dict(lambd=0.7)), ("direct", dict(lambd=0.7)),
                                           ("direct", dict(l1=0.05))])  # L1 always runs on the direct layer
def test_the_engines_step_is_the_checked_gradient(kind, penalty):
    """One gd step of the engine moves every parameter by -alpha times the gradient that gradient_check verifies."""
    rng = np.random.RandomState(3)
    X = rng.randn(40, 12)
    Y = (rng.rand(1, 12) > 0.5).astype(float)
    cfg = dnn.TrainConfig((40, 5, 3, 1), hidden_activation="tanh", init="xavier", learning_rate=0.01,
                          num_iterations=1, **penalty)
    run = dnn.Trainer(cfg, X, Y, first_layer=kind)
    before = run.parameters
    run.step()
    after = run.parameters
    AL, caches = dnn.L_model_forward(X, before, "tanh")
    grads = dnn.L_model_backward(AL, Y, caches, "tanh")
    from dnn.regularizers import active_regularizers
    for reg, s in active_regularizers(cfg):
        for l in (1, 2, 3):
            grads[f"dW{l}"] = grads[f"dW{l}"] + reg.grad(before[f"W{l}"], s, 12)
    for k in before:
        assert_allclose((before[k] - after[k]) / 0.01, grads[f"d{k}"], rtol=1e-7, atol=1e-12, err_msg=k)
    assert max(dnn.gradient_check(before, X, Y, "tanh", max_per_layer=None, **penalty).values()) < 1e-7
