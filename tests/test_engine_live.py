"""Live config changes, the new history fields, mini-batch bookkeeping, dropout seeding and the memory estimate."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import dnn
from dnn.engine import Status


def toy(n_x=6, m=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (X[:1] + 0.5 * X[1:2] > 0).astype(np.int64)
    return X, Y


def make(dims=(6, 5, 3, 1), iters=40, X=None, Y=None, first_layer=None, test=True, **kw):
    X, Y = toy(dims[0]) if X is None else (X, Y)
    Xt, Yt = toy(dims[0], m=10, seed=1)
    cfg = dnn.TrainConfig(dims, num_iterations=iters, **{**dict(record_every=1, accuracy_every=5, learning_rate=0.1,
                                                                 init="xavier"), **kw})
    return dnn.Trainer(cfg, X, Y, Xt if test else None, Yt if test else None, first_layer=first_layer)


def test_a_change_at_iteration_zero_is_the_run_configured_so():
    a, b = make(), make(learning_rate=0.05)
    a.update_config(learning_rate=0.05)
    a.advance(40)
    b.advance(40)
    assert a.history.costs == b.history.costs and a.config == b.config
    assert a.history.changes == [(0, {"learning_rate": 0.05})] and b.history.changes == []


def test_a_live_change_continues_the_run_without_reset():
    run = make()
    run.advance(10)
    run.update_config(learning_rate=0.3, lambd=0.2)
    assert run.iteration == 10 and run.config.learning_rate == 0.3 and run.config.lambd == 0.2
    run.advance(30)
    # the same as stopping at 10 and continuing from those parameters with the new settings (gd has no state)
    first = make(iters=10)
    first.advance(10)
    rest = make(learning_rate=0.3, lambd=0.2)
    rest.load_state(first.parameters, 10)
    rest.advance(30)
    assert_allclose(run.history.costs[10:], rest.history.costs, rtol=1e-12)
    for k, v in rest.parameters.items():
        assert_allclose(run.parameters[k], v, rtol=1e-12, atol=1e-15)
    assert run.history.changes == [(10, {"learning_rate": 0.3, "lambd": 0.2})]


def test_refused_changes_change_nothing():
    run = make()
    run.advance(3)
    before = run.config
    with pytest.raises(ValueError, match="cannot change during a run"):
        run.update_config(optimizer="adam")
    with pytest.raises(ValueError, match="cannot change during a run"):
        run.update_config(learning_rate=0.2, batch_size=8)
    with pytest.raises(ValueError, match="keep_prob"):
        run.update_config(keep_prob=0.0)
    with pytest.raises(ValueError, match="learning rate"):
        run.update_config(learning_rate=float("nan"))
    with pytest.raises(ValueError, match="lambd"):
        run.update_config(lambd=-1.0)
    assert run.config is before and run.history.changes == []
    assert set(dnn.LIVE_FIELDS) == {"learning_rate", "lambd", "l1", "keep_prob"}


@pytest.mark.parametrize("optimizer", ["gd", "momentum"])
@pytest.mark.parametrize("change", [dict(l1=0.02), dict(lambd=0.5), dict(keep_prob=0.7), dict(learning_rate=0.02)])
def test_live_changes_on_the_gram_layer_equal_the_direct_layer(optimizer, change):
    X, Y = toy(n_x=300, m=24, seed=2)
    runs = [make((300, 6, 3, 1), 30, X, Y, first_layer=k, optimizer=optimizer) for k in ("gram", "direct")]
    for run in runs:
        run.advance(10)
        run.update_config(**change)
        run.advance(20)
    gram, direct = runs
    expected = "DirectLayer" if "l1" in change else "GramLayer"  # L1 cannot stay in span(X): Gram hands over
    assert type(gram.first).__name__ == expected
    assert_allclose(gram.history.costs, direct.history.costs, rtol=1e-10)
    for k, v in direct.parameters.items():
        assert_allclose(gram.parameters[k], v, rtol=1e-10, atol=1e-13)


def test_mini_batch_lambd_hands_gram_over_to_direct():
    X, Y = toy(n_x=300, m=24, seed=2)
    runs = [make((300, 6, 1), 30, X, Y, first_layer=k, optimizer="momentum", batch_size=8) for k in ("gram", "direct")]
    for run in runs:
        run.advance(7)
        run.update_config(lambd=0.3)
        run.advance(23)
    assert type(runs[0].first).__name__ == "DirectLayer"
    assert_allclose(runs[0].history.costs, runs[1].history.costs, rtol=1e-10)


def test_test_costs_are_recorded_with_accuracy():
    run = make(iters=12)
    snap_params = run.parameters
    run.advance(12)
    h = run.history
    assert h.acc_iterations == [0, 5, 10] and len(h.test_costs) == 3
    Xt, Yt = toy(6, m=10, seed=1)
    assert_allclose(h.test_costs[0], float(dnn.compute_cost(dnn.L_model_forward(Xt, snap_params)[0], Yt)), rtol=1e-12)
    alone = make(iters=12, test=False)
    alone.advance(12)
    assert np.isnan(alone.history.test_costs).all() and len(alone.history.test_costs) == 3


def test_mini_batches_count_iterations_and_record_epoch_costs():
    run = make(iters=23, batch_size=16, record_every=1)  # 40 examples: 3 updates per epoch, the last of 8
    assert run.batches_per_epoch == 3
    run.advance(23)
    assert run.iteration == 23 and run.status == Status.DONE
    assert run.history.cost_iterations == [0, 3, 6, 9, 12, 15, 18]  # complete epochs only, at their first update
    sparse = make(iters=23, batch_size=16, record_every=10)
    sparse.advance(23)
    assert sparse.history.cost_iterations == [0, 9, 18]  # the epochs holding iterations 0, 10 and 20
    assert_allclose(sparse.history.costs, [run.history.costs[i] for i in (0, 3, 6)], rtol=0)


def test_batch_size_is_checked_against_the_data():
    with pytest.raises(ValueError, match="batch_size 41 is more than the 40 training examples"):
        make(batch_size=41)
    make(batch_size=40).advance(3)


def test_dropout_and_batches_are_seeded_and_reset_replays_them():
    a, b, c = (make(keep_prob=0.7, batch_size=16, seed=s) for s in (4, 4, 5))
    for run in (a, b, c):
        run.advance(40)
    assert a.history.costs == b.history.costs and a.history.costs != c.history.costs
    final = a.parameters
    a.reset()
    a.advance(40)
    for k, v in final.items():
        assert_allclose(a.parameters[k], v, rtol=0, atol=0)


def test_cost_includes_penalties_and_ignores_dropout():
    run = make(lambd=0.7, keep_prob=0.5)
    run.advance(5)
    p = run.parameters
    X, Y = toy()
    ce = float(dnn.compute_cost(dnn.L_model_forward(X, p)[0], Y))
    l2 = 0.7 / (2 * 40) * sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))
    assert_allclose(run.cost(), ce + l2, rtol=1e-12)


def owned_bytes(run):
    """What the run actually holds: data, parameters, optimiser state, first-layer arrays."""
    arrays = [run.X, run.Y, *run._params.values()]
    arrays += [a for st in run._opt_state.values() for a in st.values()]
    if run.X_test is not None:
        arrays += [run.X_test, run.Y_test]
    first = run.first
    kind = type(first).__name__
    if kind == "GramLayer":
        arrays += [first.G, first.P0, first.W1_init, *first.coords.values()]
        arrays += [a for st in first.state.values() for a in st.values()]
    else:
        arrays += [first.W1, first._dW1, *first.state.values()]
    if kind == "TrackedLayer":
        arrays += [first.G, first.P, first.S, first.SX, *first.state_P.values(), first._S_next, first._changed]
    return sum(a.nbytes for a in arrays)


@pytest.mark.parametrize("settings", [{}, dict(optimizer="adam"), dict(optimizer="momentum"), dict(batch_size=8),
                                      dict(keep_prob=0.5, lambd=0.1), dict(l1=0.1)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_memory_estimate_covers_what_the_run_holds(settings, dtype):
    X, Y = toy(n_x=500, m=60, seed=3)
    Xt, Yt = toy(n_x=500, m=30, seed=4)
    cfg = dnn.TrainConfig((500, 16, 4, 1), dtype=dtype, num_iterations=500, **settings)
    run = dnn.Trainer(cfg, X, Y, Xt, Yt)  # float64 data: the run keeps its own copies in dtype
    run.advance(3)
    assert run.memory_needed >= owned_bytes(run)
    assert run.memory_needed == dnn.estimate_memory_bytes((500, 16, 4, 1), 60, dtype, m_test=30, num_iterations=500,
                                                          **settings)
    assert run.memory_needed == dnn.check_memory(cfg.layer_dims, 60, dtype, m_test=30, **cfg.memory_settings())


def test_load_state_mid_epoch_records_only_whole_epochs():
    run = make(iters=23, batch_size=16)
    run.advance(4)  # one epoch (3 updates) and one update of the next
    later = make(iters=23, batch_size=16)
    later.load_state(run.parameters, 4)
    later.advance(19)
    assert later.history.cost_iterations == [6, 9, 12, 15, 18]  # the epoch begun before loading is not recorded
