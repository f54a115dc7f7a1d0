"""Failure explanations, each from a run that really fails that way (tiny budgets, real data)."""
import numpy as np
import pytest

import dnn
from conftest_shared import DATA_DIR, needs_data
from dnn import TrainConfig, Trainer
from dnn.diagnose import (
    ERROR, KINDS, WARNING, check_collapsed, check_data, check_dead_layers, check_rising_cost, check_saliency,
    check_saturated, dead_unit_shares, diagnose, divergence_trace, saturated_shares,
)

FIVE = (12288, 20, 7, 5, 1)
CLASSES = ("non-cat", "cat")


@pytest.fixture(scope="module")
def cats():
    return dnn.catvnoncat_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def flower():
    return dnn.toy_dataset("flower")


def _trained(X, Y, iterations, **kw):
    run = Trainer(TrainConfig(num_iterations=iterations, **kw), X, Y)
    run.advance(iterations)
    return run


def _kinds(found):
    return [d.kind for d in found]


# ----- runs that really fail ------------------------------------------------------------
@needs_data
def test_lr_half_on_cats_collapses_to_non_cat_with_a_dead_layer(cats):
    run = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.5)
    assert run.status == dnn.Status.DONE  # the engine calls this a success: the diagnosis must not
    found = diagnose(run, CLASSES)
    assert set(_kinds(found)) == {"collapsed", "dead_layers"}
    collapsed = next(d for d in found if d.kind == "collapsed")
    assert collapsed.severity == ERROR and "non-cat" in collapsed.title
    # Its accuracy is exactly the share of non-cats: 137 of 209.
    np.testing.assert_allclose(collapsed.evidence["share_of_that_class"], 137 / 209)
    np.testing.assert_allclose(run.train_accuracy(), 137 / 209)
    assert "66%" in collapsed.message and "0.05" in collapsed.next_step
    dead = next(d for d in found if d.kind == "dead_layers")
    assert dead.severity == ERROR and dead.evidence["layer_2"] == 1.0
    assert "layer 2: 7 of 7 (100%)" in dead.message and "leaky_relu" in dead.next_step


@needs_data
def test_collapsed_network_gives_an_all_zero_saliency(cats):
    run = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.5)
    snap = run.snapshot(cats.X_test[:, :1], cats.test_y[:, :1])
    found = check_saliency(snap.grads["dA0"], snap.AL)
    assert found is not None and found.kind == "zero_saliency"
    assert f"P = {float(snap.AL[0, 0]):.3f}" in found.message and "dead" in found.message


@needs_data
def test_tanh_at_lr_half_saturates_the_first_layer(cats):
    run = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.5, hidden_activation="tanh")
    found = diagnose(run, CLASSES)
    assert "saturated" in _kinds(found) and "dead_layers" not in _kinds(found)
    sat = next(d for d in found if d.kind == "saturated")
    assert sat.evidence["layer_1"] > 0.9 and sat.severity == ERROR
    assert "-1 or +1" in sat.message


@needs_data
def test_the_course_run_is_healthy_and_has_a_real_saliency(cats):
    run = _trained(cats.X_train, cats.train_y, 600, layer_dims=FIVE, learning_rate=0.0075)
    assert diagnose(run, CLASSES) == []
    snap = run.snapshot(cats.X_test[:, :1], cats.test_y[:, :1])
    assert check_saliency(snap.grads["dA0"], snap.AL) is None


def test_lr_10_on_flower_diverges_and_the_explosion_is_traced(flower):
    run = _trained(flower.X_train, flower.train_y, 500, layer_dims=(2, 8, 8, 1), learning_rate=10.0, init="he")
    assert run.status == dnn.Status.DIVERGED
    found = diagnose(run, flower.class_names)
    assert found[0].kind == "diverged" and found[0].severity == ERROR
    assert "learning rate 10 is too large" in found[0].message and "(1)" in found[0].next_step
    its, costs = divergence_trace(run)
    assert its == list(range(run.iteration + 1))
    np.testing.assert_allclose(costs[0], run.history.costs[0])
    assert costs[-1] > 10 * costs[0]  # the explosion is in the trace, not only the healthy start
    np.testing.assert_allclose(costs[-1], found[0].evidence["exploded_cost"])


def test_lr_10_xavier_on_flower_ends_above_its_start(flower):
    run = _trained(flower.X_train, flower.train_y, 500, layer_dims=(2, 8, 8, 1), learning_rate=10.0, init="xavier")
    assert run.status == dnn.Status.DONE
    found = diagnose(run, flower.class_names)
    assert found[0].kind == "rising_cost"
    ev = found[0].evidence
    assert ev["end_cost"] > ev["start_cost"] and ev["rise"] > 1.2
    assert "above where it started" in found[0].message


def test_unscaled_inputs_are_blamed_not_the_learning_rate(flower):
    X = flower.X_train * 100  # like pixels left in 0-255
    run = _trained(X, flower.train_y, 200, layer_dims=(2, 8, 1), learning_rate=0.5, init="he")
    assert run.status == dnn.Status.DIVERGED
    d = diagnose(run, flower.class_names)[0]
    assert d.kind == "diverged" and "Scale the inputs" in d.next_step and "learning rate" not in d.next_step


def test_not_diverged_runs_have_no_trace(flower):
    run = _trained(flower.X_train, flower.train_y, 50, layer_dims=(2, 4, 1), learning_rate=0.1)
    assert divergence_trace(run) == ([], [])


def test_a_fresh_run_has_nothing_to_report(flower):
    run = Trainer(TrainConfig(layer_dims=(2, 4, 1), learning_rate=50.0), flower.X_train, flower.train_y)
    assert diagnose(run) == []


# ----- the data --------------------------------------------------------------------------
def test_non_finite_data_is_found_before_training(flower):
    X = np.array(flower.X_train, copy=True)
    X[0, 3], X[1, 3], X[0, 10] = np.nan, np.inf, -np.inf
    d = check_data(X)
    assert d is not None and d.kind == "data_not_finite" and d.severity == ERROR
    assert d.evidence == {"non_finite_values": 3.0, "examples": 2.0}
    assert "not the learning rate" in d.message
    with pytest.raises(ValueError):  # the trainer would refuse it: so the check runs before training
        Trainer(TrainConfig(layer_dims=(2, 4, 1)), X, flower.train_y)
    assert check_data(flower.X_train) is None


# ----- the pure checks on their own ----------------------------------------------------------
def test_rising_cost_ignores_non_finite_and_falling_curves():
    assert check_rising_cost([0.7, 0.5, 0.3], 0.1) is None
    assert check_rising_cost([0.7], 0.1) is None
    d = check_rising_cost([0.7, float("nan"), 5.39, 0.9], 0.1)
    np.testing.assert_allclose(d.evidence["rise"], 5.39 / 0.7)
    assert "7.7x" in d.message


def test_collapse_needs_every_prediction_on_one_side():
    Y = np.array([[0, 1, 1, 0]])
    assert check_collapsed(np.array([[0.2, 0.7, 0.6, 0.1]]), Y, 0.1) is None
    d = check_collapsed(np.array([[0.8, 0.7, 0.6, 0.9]]), Y, 0.1, ("dog", "cat"))
    assert d.title.endswith("\u201ccat\u201d for everything")
    np.testing.assert_allclose(d.evidence["share_of_that_class"], 0.5)


def test_dead_and_saturated_shares_per_layer():
    Z1 = np.array([[-1.0, -3.0], [1.0, -1.0], [-0.5, -0.1]])  # units 0 and 2 dead; tanh(-3) saturated
    Z2 = np.array([[3.0, -4.0]])
    caches = [dnn.LayerCache(None, Z1), dnn.LayerCache(None, Z2), dnn.LayerCache(None, np.zeros((1, 2)))]
    np.testing.assert_allclose(dead_unit_shares(caches, "relu"), [2 / 3, 0.0])
    assert dead_unit_shares(caches, "tanh") == []
    np.testing.assert_allclose(saturated_shares(caches, "tanh"), [1 / 6, 1.0])
    np.testing.assert_allclose(saturated_shares(caches, "sigmoid"), [0.0, 0.0])
    assert check_dead_layers([0.4, 0.2], (5, 5, 5, 1)) is None
    assert check_dead_layers([0.6, 0.2], (5, 5, 5, 1)).severity == WARNING
    assert "He initialisation" in check_dead_layers([0.6, 0.2], (5, 5, 5, 1), init="sqrt").next_step
    he = check_dead_layers([0.6, 0.2], (5, 5, 5, 1), init="he").next_step
    assert he == "Try a smaller learning rate or leaky_relu (which keeps a small slope below 0).", he
    assert check_saturated([0.3], "tanh") is None
    assert check_saturated([0.6], "tanh").severity == WARNING


def test_saliency_check_needs_an_exact_zero_map():
    assert check_saliency(np.full((12, 1), 1e-12)) is None
    assert check_saliency(np.zeros((12, 1))).kind == "zero_saliency"


def test_every_kind_is_listed():
    assert set(KINDS) == {"data_not_finite", "diverged", "rising_cost", "collapsed", "dead_layers",
                          "saturated", "zero_saliency", "slow"}


# ----- time ------------------------------------------------------------------------------------
def test_time_estimate_matches_the_measured_networks():
    from dnn.diagnose import check_duration, estimate_seconds
    five = estimate_seconds(FIVE, 209, 2500)
    wide = estimate_seconds((12288, *(1000,) * 6, 1), 209, 2500)
    assert 0.2 < five < 1.0          # measured 0.16 ms/iteration: 0.4 s
    assert 200 < wide < 800          # measured 0.15 s/iteration: about 6 minutes
    assert check_duration(five, 2500) is None
    slow = check_duration(wide, 2500)
    assert slow.kind == "slow" and slow.severity == WARNING and "minutes" in slow.title
    # Many examples: the direct first layer is the cheaper one, and it grows linearly in m.
    np.testing.assert_allclose(estimate_seconds((12288, 7, 1), 100_000, 1, flops_per_second=1.0) - 2 * 25e-6,
                               6 * 7 * 12288 * 100_000 + 6 * 7 * 100_000, rtol=1e-9)
