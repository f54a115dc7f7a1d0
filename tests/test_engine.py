"""The live training engine: control, records, snapshots, determinism, divergence."""
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


def make_run(iters=50, dims=(6, 5, 3, 1), X_test=True, **kw):
    X, Y = toy(dims[0])
    Xt, Yt = toy(dims[0], m=10, seed=1)
    cfg = dnn.TrainConfig(dims, num_iterations=iters, record_every=10, accuracy_every=10, **kw)
    return dnn.Trainer(cfg, X, Y, Xt if X_test else None, Yt if X_test else None)


def course_loop(X, Y, cfg):
    """Plain course-style loop: the reference the engine must equal."""
    params = dnn.initialize_parameters_deep(cfg.layer_dims, cfg.init, cfg.seed)
    costs = []
    for i in range(cfg.num_iterations):
        AL, caches = dnn.L_model_forward(X, params, cfg.hidden_activation)
        if i % cfg.record_every == 0:
            costs.append(dnn.compute_cost(AL, Y))
        grads = dnn.L_model_backward(AL, Y, caches, cfg.hidden_activation)
        params = dnn.update_parameters(params, grads, cfg.learning_rate)
    return params, costs


@pytest.mark.parametrize("activation", dnn.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("init", ["course", "sqrt", "he", "xavier", "zeros"])
def test_engine_equals_the_course_loop(activation, init):
    run = make_run(iters=60, hidden_activation=activation, init=init, learning_rate=0.1, seed=3)
    run.advance(60)
    params, costs = course_loop(run.X, run.Y, run.config)
    assert_allclose(run.history.costs, costs, rtol=1e-10)
    for k in params:
        assert_allclose(run.parameters[k], params[k], rtol=1e-9, atol=1e-12)


def test_gram_first_layer_equals_direct_on_wide_inputs():
    X, Y = toy(n_x=400, m=30)
    cfg = dnn.TrainConfig((400, 8, 1), num_iterations=100, learning_rate=0.05, record_every=1)
    runs = [dnn.Trainer(cfg, X, Y, first_layer=k) for k in ("gram", "direct")]
    for run in runs:
        run.advance(100)
    assert type(runs[0].first).__name__ == "GramLayer"
    assert_allclose(runs[0].history.costs, runs[1].history.costs, rtol=1e-11)
    assert_allclose(runs[0].parameters["W1"], runs[1].parameters["W1"], rtol=1e-9, atol=1e-13)
    for key in runs[0].history.grad_norms:
        assert_allclose(runs[0].history.grad_norms[key], runs[1].history.grad_norms[key], rtol=1e-9)


def test_auto_choice_uses_gram_for_the_cat_shape_and_direct_for_tall_data():
    from dnn.first_layer import Settings, Shape, choose
    assert choose(Settings(), Shape(12288, 20, 209, 2500)).name == "gram"
    assert choose(Settings(), Shape(2, 20, 320, 2500)).name == "direct"
    assert choose(Settings(), Shape(12288, 20, 20900, 2500)).name == "direct"  # G would be 3.5 GB
    assert choose(Settings(l1=0.01), Shape(12288, 20, 209, 2500)).name == "tracked"
    assert choose(Settings(optimizer="adam"), Shape(12288, 20, 209, 2500)).name == "direct"
    assert choose(Settings(), Shape(12288, 20, 209, 2500), pixels=True).name == "direct"


def test_advance_step_pause_resume_reset():
    run = make_run(iters=50)
    assert run.status == Status.READY and run.iteration == 0
    assert run.advance(7) == 7 and run.iteration == 7 and run.status == Status.RUNNING
    run.pause()
    assert run.step() == 1 and run.iteration == 8 and run.status == Status.PAUSED
    run.resume()
    assert run.advance(1000) == 42 and run.status == Status.DONE and run.done
    assert run.advance(5) == 0 and run.iteration == 50
    final = run.parameters
    run.reset()
    assert run.iteration == 0 and run.history.costs == [] and run.status == Status.READY
    run.advance(50)
    for k in final:
        assert_allclose(run.parameters[k], final[k], rtol=0, atol=0)


def test_advance_by_time_budget_stops_early():
    run = make_run(iters=10**6)
    done = run.advance(max_seconds=0.05)
    assert 0 < done < 10**6 and run.iteration == done
    with pytest.raises(ValueError):
        run.advance()


def test_records_at_intervals():
    run = make_run(iters=35)
    run.advance(35)
    h = run.history
    assert h.cost_iterations == [0, 10, 20, 30] and len(h.costs) == 4
    assert h.acc_iterations == [0, 10, 20, 30]
    assert all(0 <= a <= 1 for a in h.train_acc + h.test_acc)
    assert sorted(h.grad_norms) == ["dW1", "dW2", "dW3", "db1", "db2", "db3"]
    assert h.norm_iterations == [0, 10, 20, 30] and all(len(v) == 4 for v in h.grad_norms.values())


def test_grad_norms_match_the_course_backward():
    run = make_run(iters=1)
    snap = run.snapshot(run.X, run.Y)
    run.step()
    for key, values in run.history.grad_norms.items():
        assert_allclose(values[0], np.linalg.norm(snap.grads[key]), rtol=1e-10)


def test_no_test_set_records_nan_test_accuracy():
    run = make_run(iters=10, X_test=False)
    run.advance(10)
    assert np.isnan(run.history.test_acc[0])
    with pytest.raises(ValueError, match="no test set"):
        run.test_accuracy()


def test_snapshot_shows_the_current_network():
    run = make_run(iters=20)
    run.advance(20)
    snap = run.snapshot(run.X[:, :3], run.Y[:, :3])
    assert snap.AL.shape == (1, 3) and len(snap.caches) == 3
    (A_prev, W, b), Z = snap.caches[1]
    assert A_prev.shape == (5, 3) and Z.shape == (3, 3)
    assert snap.grads["dA0"].shape == (6, 3)
    assert_allclose(snap.AL, run.predict_proba(run.X[:, :3]))
    assert dnn.Trainer.snapshot(run, run.X[:, :1]).grads == {}


def test_parameters_are_copies():
    run = make_run(iters=5)
    p = run.parameters
    p["W2"][:] = 99
    assert not np.any(run.parameters["W2"] == 99)


def test_same_seed_same_run_and_seeds_differ():
    a, b, c = make_run(seed=4), make_run(seed=4), make_run(seed=5)
    for run in (a, b, c):
        run.advance(50)
    assert a.history.costs == b.history.costs
    assert a.history.costs != c.history.costs


def test_float32_runs_in_float32_and_stays_close():
    r64, r32 = make_run(iters=50), make_run(iters=50, dtype="float32")
    r64.advance(50)
    r32.advance(50)
    assert r32.parameters["W1"].dtype == np.float32 and r32.X.dtype == np.float32
    assert_allclose(r32.history.costs, r64.history.costs, rtol=1e-4)


@pytest.mark.parametrize("lr", [50.0, 1e6])
def test_divergence_stops_with_a_named_status(lr):
    run = make_run(iters=200, dims=(6, 20, 20, 1), learning_rate=lr, init="he")
    run.advance(5)  # the first iterations are fine
    before = run.history.costs[:]
    run.advance(200)
    assert run.status == Status.DIVERGED and run.done
    assert "learning rate" in run.message and "smaller" in run.message
    assert all(np.isfinite(run.history.costs)) and run.history.costs[: len(before)] == before
    assert all(np.isfinite(v).all() for v in run.parameters.values())
    assert np.isfinite(run.predict_proba(run.X)).all()
    it = run.iteration
    assert run.advance(10) == 0 and run.iteration == it


def test_bad_data_is_refused_before_any_work(monkeypatch):
    X, Y = toy()
    cfg = dnn.TrainConfig((5, 3, 1))
    with pytest.raises(ValueError, match="first layer has 5 inputs"):
        dnn.Trainer(cfg, X, Y)
    with pytest.raises(ValueError, match="labels"):
        dnn.Trainer(dnn.TrainConfig((6, 3, 1)), X, Y[:, :5])
    with pytest.raises(ValueError, match="0 or 1"):
        dnn.Trainer(dnn.TrainConfig((6, 3, 1)), X, Y * 2)
    with pytest.raises(ValueError, match="more than the"):
        dnn.Trainer(dnn.TrainConfig((6, 3, 1)), X, Y, memory_budget=100)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        dnn.Trainer(dnn.TrainConfig((6, 3, 1)), X, Y)


def test_memory_does_not_grow_with_iterations():
    import tracemalloc
    run = make_run(iters=3000)
    run.advance(200)
    tracemalloc.start()
    run.advance(400)
    first = tracemalloc.get_traced_memory()[0]
    run.advance(2000)
    grown = tracemalloc.get_traced_memory()[0] - first
    tracemalloc.stop()
    # only the history lists grow: 200 records of a few floats
    assert grown < 200_000, grown
