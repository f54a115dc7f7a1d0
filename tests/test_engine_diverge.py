"""A run that goes wrong stops as DIVERGED with parameters that save and load: Adam's epsilon floor,
non-finite updates, and the fall-back to the last parameters whose output is finite for every input."""
import io

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import dnn
from dnn.engine import Status
from dnn.finite import has_finite_output
from dnn.first_layer import STRATEGIES
from dnn.optimizers import OPTIMIZERS, Optimizer
from ui.settings import make_config

# record_every=1: the fall-back point is kept every iteration (never rarer than the records), so these tests
# can name the exact iteration a run falls back to.
EPS_RUN = dict(layer_dims=(2, 7, 9, 11, 11, 3, 3, 1), init="course", optimizer="adam", num_iterations=1,
               record_every=1)
XOR_CHOICES = {"hidden_activation": "leaky_relu", "init": "large", "seed": 4294967295, "learning_rate": 0.1,
               "lambd": 0.1, "l1": 1e-4, "keep_prob": 0.6, "batch_size": 3, "decay": "scheduled",
               "decay_rate": 0.01, "time_interval": 1000000, "num_iterations": 12}


def _run(config, data):
    return dnn.Trainer(config, data.X_train, data.train_y, data.X_test, data.test_y)


def _adam_config(epsilon):
    return dnn.TrainConfig((3, 1), optimizer="adam", epsilon=epsilon)


def test_adam_with_the_smallest_epsilon_leaves_a_zero_gradient_weight_where_it_was():
    W, dW = np.array([[0.5, -2.0, 0.0]]), np.array([[0.0, 0.3, 0.0]])
    state = OPTIMIZERS["adam"].init(W)
    with np.errstate(invalid="raise", divide="raise"):  # no 0 / 0 anywhere
        OPTIMIZERS["adam"].update(W, dW, state, 0.01, 1, _adam_config(5e-324))
    assert W[0, 0] == 0.5 and W[0, 2] == 0.0, "a zero gradient moves nothing"
    assert_allclose(W[0, 1], -2.0 - 0.01, rtol=1e-12), "Adam's first step is lr * sign(dW)"


@pytest.mark.parametrize("epsilon", [1e-8, 1e-3])
def test_the_floor_changes_nothing_for_ordinary_epsilons(epsilon):
    rng = np.random.RandomState(0)
    W, cfg = rng.randn(4, 5), _adam_config(epsilon)
    v, s, W_ref = np.zeros_like(W), np.zeros_like(W), W.copy()
    state = OPTIMIZERS["adam"].init(W)
    for t in range(1, 6):
        dW = rng.randn(4, 5)
        dW[0] = 0.0
        OPTIMIZERS["adam"].update(W, dW, state, 0.1, t, cfg)
        v = cfg.beta1 * v + (1 - cfg.beta1) * dW
        s = cfg.beta2 * s + (1 - cfg.beta2) * dW**2
        W_ref -= 0.1 * (v / (1 - cfg.beta1**t)) / (np.sqrt(s / (1 - cfg.beta2**t)) + epsilon)
    assert_allclose(W, W_ref, rtol=1e-13, atol=1e-15)


def test_adam_at_the_smallest_epsilon_trains_to_finite_weights():
    run = _run(dnn.TrainConfig(epsilon=5e-324, **EPS_RUN), dnn.toy_dataset("circles"))
    run.advance(5)
    assert run.status == Status.DONE
    assert all(np.isfinite(v).all() for v in run.parameters.values())


def _poison(monkeypatch, name: str, at: int, harm) -> None:
    """Optimiser ``name`` as usual, then ``harm(param)`` on every parameter at update ``at``."""
    plain = OPTIMIZERS[name]

    def poisoned(param, grad, state, lr, t, config):
        plain.update(param, grad, state, lr, t, config)
        if t == at:
            harm(param)

    monkeypatch.setitem(OPTIMIZERS, name, Optimizer(plain.init, poisoned, plain.keeps_span))


def _make_nan(param) -> None:
    param.flat[0] = np.nan


def test_an_update_that_makes_weights_nan_diverges_and_keeps_the_weights_before_it(monkeypatch):
    _poison(monkeypatch, "adam", 3, _make_nan)
    data = dnn.toy_dataset("circles")
    run = _run(dnn.TrainConfig(**{**EPS_RUN, "num_iterations": 10}), data)
    run.advance(2)
    after_two = run.parameters
    run.advance(1)  # the slice ends with the poisoned update: no next cost shows it, the slice's end does
    assert run.status == Status.DIVERGED and run.done
    assert "NaN or infinite" in run.message and run.iteration == 2
    for key, value in run.parameters.items():
        assert_array_equal(value, after_two[key], err_msg=key)
    assert run.advance(5) == 0


def _xor_run():
    data = dnn.toy_dataset("xor")
    run = _run(make_config(2, (4, 8, 3, 10, 1, 7), XOR_CHOICES), data)
    run.advance(100)
    return run, data


def test_a_diverged_run_keeps_parameters_whose_output_is_finite_for_every_input():
    run, _ = _xor_run()
    assert run.status == Status.DIVERGED
    cfg = run.config
    assert has_finite_output(run.parameters, cfg.layer_dims, cfg.hidden_activation, cfg.dtype)
    assert 0 < run.iteration < 12 and f"({run.iteration}) are kept" in run.message


def test_a_diverged_run_saves_and_loads_back_with_the_same_parameters():
    run, data = _xor_run()
    buffer = io.BytesIO()
    dnn.save_run(buffer, run, data.classes)
    back = dnn.load_run(buffer.getvalue(), data.X_train, data.train_y, data.X_test, data.test_y)
    assert back.iteration == run.iteration and back.config == run.config
    for key, value in run.parameters.items():
        assert_array_equal(back.parameters[key], value, err_msg=key)
    assert_allclose(back.predict_proba(data.X_test), run.predict_proba(data.X_test))


@pytest.mark.parametrize("first_layer", sorted(STRATEGIES))
def test_a_run_whose_weights_outgrow_the_rule_without_a_cost_jump_falls_back(monkeypatch, first_layer):
    """Weights multiplied by 1e200 at the last update: the cost may stay finite, the rule fails, so the run
    ends DIVERGED at the update before, not DONE with a model that could not be loaded.  Every first-layer
    strategy keeps its fall-back point in its own form (the Gram layer: its coordinates, not W1)."""
    def blow_up(param) -> None:
        param *= 1e200

    _poison(monkeypatch, "gd", 4, blow_up)
    data = dnn.toy_dataset("moons")
    run = dnn.Trainer(dnn.TrainConfig((2, 5, 1), num_iterations=4, learning_rate=0.1, record_every=1), data.X_train,
                      data.train_y, data.X_test, data.test_y, first_layer=first_layer)
    assert run.first.name == first_layer
    run.advance(3)
    good = run.parameters
    run.advance(1)
    assert run.status == Status.DIVERGED and run.iteration == 3
    for key, value in run.parameters.items():
        assert_array_equal(value, good[key], err_msg=key)
    buffer = io.BytesIO()
    dnn.save_run(buffer, run, data.classes)
    assert dnn.load_model(buffer.getvalue()).hyperparameters["iteration"] == 3


@pytest.mark.parametrize("first_layer", sorted(STRATEGIES))
@pytest.mark.parametrize("scale", [1.0, 1e150, 1e300])
def test_each_strategys_first_layer_bound_is_never_below_the_exact_one(first_layer, scale):
    """The engine checks the rule with the strategy's bound on |W1| a (no W1 formed): a bound at least the
    exact one, so a network it passes passes the exact rule that model files must pass."""
    data = dnn.toy_dataset("moons")
    run = dnn.Trainer(dnn.TrainConfig((2, 5, 3, 1), num_iterations=20, learning_rate=0.3, lambd=0.1),
                      data.X_train, data.train_y, first_layer=first_layer)
    run.advance(7)
    W1 = run.first.weights()
    exact = np.abs(W1) @ np.full((2, 1), 1000.0)
    bound = run.first.abs_bound(1000.0)
    assert bound.shape == exact.shape and np.all(bound >= exact * (1 - 1e-12)), (bound, exact)
    if first_layer == "gram":  # grow W1 towards the rule's limit
        run.first.coords["s"] *= scale
        run.first.coords["C"] *= scale
    else:  # the exact bound itself
        assert_allclose(bound, exact, rtol=1e-12)
        run.first.W1 *= scale
    cfg, params = run.config, run.parameters
    if run._finite_output():  # the engine's check passing implies the exact rule on the formed W1
        assert has_finite_output(params, cfg.layer_dims, cfg.hidden_activation, cfg.dtype)
    if not has_finite_output(params, cfg.layer_dims, cfg.hidden_activation, cfg.dtype):
        assert not run._finite_output()


def test_without_records_every_update_the_fall_back_point_is_kept_every_25_updates(monkeypatch):
    """The copy and the check cost some 200 us whatever the size: a small network keeps its fall-back point
    every KEEP_GOOD_EVERY updates (recording every update keeps it every update, as above)."""
    from dnn.engine import KEEP_GOOD_EVERY

    _poison(monkeypatch, "gd", 60, _make_nan)
    data = dnn.toy_dataset("moons")
    run = _run(dnn.TrainConfig((2, 5, 1), num_iterations=100, learning_rate=0.1), data)
    run.advance(50)
    after_fifty = run.parameters
    run.advance(100)
    assert KEEP_GOOD_EVERY == 25 and run.status == Status.DIVERGED and run.iteration == 50
    for key, value in run.parameters.items():
        assert_array_equal(value, after_fifty[key], err_msg=key)
