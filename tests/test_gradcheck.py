import numpy as np
import pytest

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
