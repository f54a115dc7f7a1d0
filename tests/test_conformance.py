"""Every first-layer strategy keeps the one gradient contract (issue 19 item 1): for every option and both
precisions, a strategy that says it supports the settings gives the plain loop's costs and parameters
(bench/reference.py, the course's formulas) and a gradient that finite differences confirm; one that
does not is refused when forced and never chosen.  New strategies and options join these tables."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose
from options import OPTIONS

import dnn
from bench import reference
from dnn.first_layer import STRATEGIES, Settings, Shape, choose
from dnn.gradcheck import compare_gradients

DIMS, M, ITERS = (300, 6, 3, 1), 24, 25
TOLERANCE = {"float64": 1e-10, "float32": 2e-4}


def _data(seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    X = rng.randn(DIMS[0], M)
    return X, (X[:1] + 0.5 * X[1:2] > 0).astype(np.int64)


def _settings(option: str) -> dict:
    return dict(dict(learning_rate=0.1, seed=3, init="xavier"), **OPTIONS[option])


def _config(option: str, dtype: str) -> dnn.TrainConfig:
    return dnn.TrainConfig(DIMS, num_iterations=ITERS, record_every=1, accuracy_every=5, dtype=dtype,
                           **_settings(option))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_each_strategy_gives_the_plain_loop_or_is_refused(strategy, option, dtype):
    X, Y = _data()
    config = _config(option, dtype)
    settings = Settings.of(config)
    if not STRATEGIES[strategy].supports(settings, M):
        with pytest.raises(ValueError, match="exact only"):
            dnn.Trainer(config, X, Y, first_layer=strategy)
        assert choose(settings, Shape(DIMS[0], DIMS[1], M, ITERS, batch_size=config.batch_size)).name != strategy
        return
    run = dnn.Trainer(config, X, Y, first_layer=strategy)
    assert run.first.name == strategy
    run.advance(ITERS)
    params, costs = reference.model(X, Y, DIMS, num_iterations=ITERS, record_every=1, **_settings(option))
    rtol = TOLERANCE[dtype]
    assert len(costs) > 0 and len(run.history.costs) == len(costs)
    assert_allclose(run.history.costs, costs, rtol=rtol)
    got = run.parameters
    for key in params:
        assert got[key].dtype == np.dtype(dtype)
        assert_allclose(got[key], params[key], rtol=rtol, atol=1e-13 if dtype == "float64" else 1e-5, err_msg=key)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("option", ["default", "l2", "l1", "momentum", "adam", "l2+momentum+scheduled"])
@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_each_strategy_s_gradient_passes_finite_differences(strategy, option, dtype):
    """After 10 updates, the engine's gradient through the strategy (dW1 made dense) against centred
    differences of its cost, on the whole set without dropout."""
    X, Y = _data()
    config = _config(option, dtype)
    if not STRATEGIES[strategy].supports(Settings.of(config), M):
        return  # refused: the test above proves it
    run = dnn.Trainer(config, X, Y, first_layer=strategy)
    run.advance(10)
    grads = run.gradients()
    assert grads["dW1"].shape == (DIMS[1], DIMS[0])
    errors = compare_gradients(run.parameters, grads, X, Y, lambd=config.lambd, l1=config.l1, max_per_layer=60)
    assert max(errors.values()) < (1e-7 if dtype == "float64" else 2e-3), errors
    dense = dnn.Trainer(config, X, Y, first_layer="direct")
    dense.advance(10)
    for key, value in dense.gradients().items():
        assert_allclose(grads[key], value, rtol=TOLERANCE[dtype] * 100, atol=1e-12 if dtype == "float64" else 1e-5,
                        err_msg=key)


def test_the_gradient_norms_are_the_dense_gradient_s():
    """Recorded ||dW1|| is the same for every strategy that supports the run."""
    X, Y = _data()
    config = _config("l2", "float64")
    norms = {}
    for name in STRATEGIES:
        run = dnn.Trainer(config, X, Y, first_layer=name)
        run.advance(ITERS)
        norms[name] = run.history.grad_norms["dW1"]
    for name in STRATEGIES:
        assert_allclose(norms[name], norms["direct"], rtol=1e-9)


def test_a_new_option_runs_on_the_dense_layer_only():
    """An option the speed-ups do not know (a TrainConfig field outside first_layer's tables, away from its
    default) leaves only the dense layer: a new gradient feature is written once."""
    @dataclasses.dataclass(frozen=True)
    class WithClipping(dnn.TrainConfig):
        clip_norm: float = 0.0

    X, Y = _data()
    on, off = WithClipping(DIMS, clip_norm=1.0), WithClipping(DIMS)
    assert Settings.of(on).unknown == ("clip_norm",) and Settings.of(off).unknown == ()
    assert {name for name, s in STRATEGIES.items() if s.supports(Settings.of(on), M)} == {"direct"}
    assert dnn.Trainer(on, X, Y).first.name == "direct" and dnn.Trainer(off, X, Y).first.name == "gram"
    for name in ("gram", "tracked"):
        with pytest.raises(ValueError, match="exact only"):
            dnn.Trainer(on, X, Y, first_layer=name)


def test_the_choice_is_the_cheapest_strategy_that_supports_the_run():
    shape = Shape(12288, 20, 209, 2500)
    for settings, expected in ((Settings(), "gram"), (Settings(lambd=0.7), "gram"), (Settings(l1=0.01), "tracked"),
                               (Settings(optimizer="adam"), "direct"), (Settings(batch_size=64), "gram"),
                               (Settings(batch_size=64, l1=0.01), "direct")):
        usable = {n: s.cost(shape) for n, s in STRATEGIES.items() if s.supports(settings, 209) and s.fits(shape)}
        assert choose(settings, shape).name == expected == min(usable, key=usable.__getitem__), settings
    big = Shape(12288, 20, 13_000, 2500)
    assert not STRATEGIES["gram"].fits(big) and choose(Settings(), big).name == "direct"
    with pytest.raises(ValueError, match="first_layer must be"):
        choose(Settings(), shape, kind="fast")


def test_the_time_estimate_s_flops_come_from_the_chosen_strategy():
    from dnn.first_layer import flops_per_iteration
    dims, m, iters = (12288, 20, 7, 5, 1), 209, 2500
    gram = (12288 * 209 * 209 + iters * 2 * 20 * 209 * 209) / iters
    assert flops_per_iteration(dims, m, iters) == pytest.approx(gram)
    adam = dnn.TrainConfig(dims, optimizer="adam")
    assert flops_per_iteration(dims, m, iters, adam) == pytest.approx(4 * 20 * 12288 * 209)
    assert flops_per_iteration(dims, m, iters, pixels=True) == pytest.approx(4 * 20 * 12288 * 209)
