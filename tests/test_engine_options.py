"""Every engine option and combination against bench/reference.py's plain loop from the course's formulas."""
import numpy as np
import pytest
from numpy.testing import assert_allclose
from options import OPTIONS

import dnn
from bench import reference


def toy(n_x=6, m=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (X[:1] + 0.5 * X[1:2] > 0).astype(np.int64)
    return X, Y


def run_both(dims, options, iters, first_layer=None, X=None, Y=None, **extra):
    X, Y = toy(dims[0]) if X is None else (X, Y)
    settings = dict(learning_rate=0.1, seed=3, init="xavier", hidden_activation="relu")
    settings.update(extra)
    settings.update(options)
    cfg = dnn.TrainConfig(dims, num_iterations=iters, record_every=1, accuracy_every=5, **settings)
    run = dnn.Trainer(cfg, X, Y, first_layer=first_layer)
    run.advance(iters)
    ref_kw = {k: v for k, v in settings.items() if k != "hidden_activation"}
    params, costs = reference.model(X, Y, dims, activation=settings["hidden_activation"], num_iterations=iters,
                                    record_every=1, **ref_kw)
    return run, params, costs


def assert_same(run, params, costs):
    assert len(costs) > 0 and len(run.history.costs) == len(costs)
    assert_allclose(run.history.costs, costs, rtol=1e-10)
    got = run.parameters
    for k in params:
        assert_allclose(got[k], params[k], rtol=1e-10, atol=1e-13, err_msg=k)


@pytest.mark.parametrize("activation", dnn.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("name", list(OPTIONS))
def test_every_option_equals_the_course_formulas(name, activation):
    run, params, costs = run_both((6, 5, 3, 1), OPTIONS[name], 30, hidden_activation=activation)
    assert run.status == dnn.Status.DONE
    assert_same(run, params, costs)


@pytest.mark.parametrize("name, kind", [("adam", "DirectLayer"), ("l1", "TrackedLayer"), ("default", "GramLayer"),
                                        ("l2", "GramLayer"), ("momentum", "GramLayer"), ("minibatch", "GramLayer"),
                                        ("dropout", "GramLayer")])
def test_gram_only_where_it_stays_exact(name, kind):
    X, Y = toy(n_x=3000, m=20, seed=2)
    cfg = dnn.TrainConfig((3000, 6, 1), num_iterations=500, **OPTIONS[name])
    assert type(dnn.Trainer(cfg, X, Y).first).__name__ == kind


@pytest.mark.parametrize("name", ["adam", "l1", "everything"])
def test_the_direct_layer_steps_w1_by_blocks_of_rows_as_the_course_does_in_one(name, monkeypatch):
    """W1 (40, 3000) is stepped in blocks of 16 rows (ROW_BLOCK_BYTES): the same numbers as the plain loop,
    and bit for bit the numbers of one block (the updates are elementwise)."""
    from dnn import first_layer
    X, Y = toy(n_x=3000, m=30, seed=4)
    dims, options = (3000, 40, 1), dict(OPTIONS[name], learning_rate=0.002)
    run, params, costs = run_both(dims, options, 12, first_layer="direct", X=X, Y=Y)
    assert type(run.first).__name__ == "DirectLayer" and len(run.first._blocks) == 3  # noqa: SLF001
    assert_same(run, params, costs)
    monkeypatch.setattr(first_layer, "ROW_BLOCK_BYTES", 2**40)
    whole, _, _ = run_both(dims, options, 12, first_layer="direct", X=X, Y=Y)
    assert len(whole.first._blocks) == 1  # noqa: SLF001
    np.testing.assert_array_equal(run.parameters["W1"], whole.parameters["W1"])  # bit for bit, by design


@pytest.mark.parametrize("name", ["l1", "l1+momentum", "l1+l2", "l1+l2+dropout+decay"])
def test_the_tracked_layer_follows_w1_x_through_sign_changes(name):
    """L1 with gd or momentum: one product with X per update, W1 X followed through every sign change
    of W1, equal to the plain loop; at the end W1 X and sign(W1) X equal their direct products."""
    options = {"l1": dict(l1=0.05), "l1+momentum": dict(l1=0.05, optimizer="momentum"),
               "l1+l2": dict(l1=0.05, lambd=0.3),
               "l1+l2+dropout+decay": dict(l1=0.05, lambd=0.3, keep_prob=0.9, decay="inverse", decay_rate=0.1)}[name]
    X, Y = toy(n_x=300, m=24, seed=5)
    run, params, costs = run_both((300, 6, 3, 1), options, 120, X=X, Y=Y)
    layer = run.first
    assert type(layer).__name__ == "TrackedLayer"
    assert_same(run, params, costs)
    W1, W1_start = run.parameters["W1"], dnn.Trainer(run.config, X, Y).parameters["W1"]
    assert np.count_nonzero(np.sign(W1) != np.sign(W1_start)) > 20, "too few sign changes to test"
    assert_allclose(layer.P, W1 @ run.X, rtol=1e-10, atol=1e-12)
    assert_allclose(layer.SX, np.sign(W1) @ run.X, rtol=1e-10, atol=1e-12)


def test_the_tracked_layer_only_where_it_stays_exact():
    X, Y = toy(n_x=300, m=20)
    for options in (dict(l1=0.05, optimizer="adam"), dict(l1=0.05, batch_size=8)):
        assert type(dnn.Trainer(dnn.TrainConfig((300, 4, 1), num_iterations=500, **options), X, Y).first) \
            .__name__ == "DirectLayer"
        with pytest.raises(ValueError, match="tracked first layer is exact only"):
            dnn.Trainer(dnn.TrainConfig((300, 4, 1), **options), X, Y, first_layer="tracked")


def test_gram_refused_when_forced_for_adam():
    X, Y = toy(n_x=300, m=20)
    with pytest.raises(ValueError, match="Gram first layer is exact only"):
        dnn.Trainer(dnn.TrainConfig((300, 4, 1), optimizer="adam"), X, Y, first_layer="gram")


def test_a_new_optimizer_without_the_declaration_gets_the_direct_layer(monkeypatch):
    from types import SimpleNamespace

    from dnn.optimizers import OPTIMIZERS
    sign_sgd = SimpleNamespace(init=lambda p: {}, update=lambda p, g, s, lr, t, c: p.__isub__(lr * np.sign(g)))
    monkeypatch.setitem(OPTIMIZERS, "signsgd", sign_sgd)
    X, Y = toy(n_x=3000, m=20, seed=2)
    run = dnn.Trainer(dnn.TrainConfig((3000, 6, 1), optimizer="signsgd", num_iterations=500), X, Y)
    assert type(run.first).__name__ == "DirectLayer"
    with pytest.raises(ValueError, match="Gram first layer is exact only"):
        dnn.Trainer(dnn.TrainConfig((3000, 6, 1), optimizer="signsgd"), X, Y, first_layer="gram")
    W1 = run.parameters["W1"]
    run.step()
    assert_allclose(np.abs(run.parameters["W1"] - W1), 0.0075)  # every entry moved by exactly lr


def test_zeros_init_never_breaks_symmetry():
    run, params, costs = run_both((6, 4, 3, 1), dict(init="zeros"), 20)
    assert_same(run, params, costs)
    W1 = run.parameters["W1"]
    assert_allclose(W1, np.broadcast_to(W1[:1], W1.shape), rtol=0, atol=0)


def test_large_init_is_randn_times_ten():
    rng = np.random.RandomState(5)
    p = dnn.initialize_parameters_deep([4, 3, 1], init="large", seed=5)
    assert_allclose(p["W1"], rng.randn(3, 4) * 10, rtol=0)
    assert_allclose(p["W2"], rng.randn(1, 3) * 10, rtol=0)
