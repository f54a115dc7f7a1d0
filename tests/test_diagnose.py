"""Failure explanations, each from a run that really fails that way (tiny budgets, real data)."""
import numpy as np
import pytest

import dnn
from dnn import TrainConfig, Trainer
from dnn.diagnose import (
    ERROR,
    KINDS,
    WARNING,
    check_collapsed,
    check_data,
    check_dead_layers,
    check_overfitting,
    check_rising_cost,
    check_saliency,
    check_saturated,
    check_vanishing,
    dead_unit_shares,
    diagnose,
    divergence_trace,
    gradient_ratio,
    saturated_shares,
    signal_spreads,
)

from conftest_shared import DATA_DIR, needs_data

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


def test_pixels_are_finite_by_construction_and_never_copied_as_floats(monkeypatch):
    from dnn.diagnose import _diverged
    images = np.random.RandomState(0).randint(0, 256, size=(6, 4, 4, 3), dtype=np.uint8)
    X = dnn.Pixels(images)

    def no_float_copy(*args, **kwargs):
        raise AssertionError("a float copy of the pixels")

    monkeypatch.setattr(dnn.Pixels, "__array__", no_float_copy)
    assert check_data(X) is None
    Y = np.array([[0, 1, 0, 1, 1, 0]])
    run = Trainer(TrainConfig(layer_dims=(48, 10, 10, 1), learning_rate=100.0, num_iterations=50, init="he"), X, Y)
    run.advance(50)
    assert run.status == dnn.Status.DIVERGED
    found = _diverged(run, CLASSES)
    assert found and found[0] is not None and found[0].kind == "diverged"
    assert found[0].evidence["input_scale"] == images.max() / 255


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
                          "saturated", "vanishing", "overfitting", "zero_saliency", "slow"}


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
    # Many examples: the direct first layer is the cheaper one (G = X^T X would not fit), and it grows
    # linearly in m: its two products W1 X and dZ1 X^T (the engine never forms dA0), as first_layer counts.
    np.testing.assert_allclose(estimate_seconds((12288, 7, 1), 100_000, 1, flops_per_second=1.0) - 2 * 25e-6,
                               4 * 7 * 12288 * 100_000 + 6 * 7 * 100_000, rtol=1e-9)
    # A few examples: the Gram layer, its set-up n_x m^2 spread over the run, as first_layer counts.
    np.testing.assert_allclose(estimate_seconds((12288, 20, 1), 209, 10, flops_per_second=1.0) - 10 * 2 * 25e-6,
                               12288 * 209**2 + 10 * (2 * 20 * 209**2 + 6 * 20 * 209), rtol=1e-9)
    # Adam has no Gram form: the dense layer's cost, whatever m.
    adam = dnn.TrainConfig((12288, 20, 1), optimizer="adam")
    np.testing.assert_allclose(estimate_seconds((12288, 20, 1), 209, 10, 1.0, config=adam) - 10 * 2 * 25e-6,
                               10 * (4 * 20 * 12288 * 209 + 6 * 20 * 209), rtol=1e-9)


# ----- the right cause, never what the run already uses ------------------------------------------
@needs_data
def test_x001_init_on_five_layers_blames_the_initialisation_not_the_learning_rate(cats):
    run = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.0075, init="course")
    found = diagnose(run, CLASSES)
    assert _kinds(found)[0] == "vanishing", _kinds(found)
    vanishing = found[0]
    assert vanishing.severity == ERROR and vanishing.evidence["ratio"] < 1e-2
    assert "init=sqrt" in vanishing.next_step and "He" in vanishing.next_step
    assert "0.01" in vanishing.message and "stuck" in vanishing.message
    for d in found:  # the collapse it causes must not send the student to the learning rate
        assert "learning rate ten times smaller" not in d.next_step and "smaller learning rate" not in d.next_step
    # The same net with the course's 1/sqrt(n) initialisation keeps its signal: no such diagnosis.
    healthy = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.0075, init="sqrt")
    assert "vanishing" not in _kinds(diagnose(healthy, CLASSES))


@needs_data
def test_a_saturated_tanh_run_with_xavier_is_not_told_to_try_xavier(cats):
    run = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.5, hidden_activation="tanh",
                   init="xavier")
    found = diagnose(run, CLASSES)
    sat = next(d for d in found if d.kind == "saturated")
    assert "Xavier" not in sat.next_step and "relu" in sat.next_step
    assert all("Xavier" not in d.next_step for d in found)


def test_suggestions_leave_out_what_the_run_uses():
    assert "Xavier" in check_saturated([0.95], "tanh", init="sqrt").next_step
    assert "Xavier" not in check_saturated([0.95], "tanh", init="xavier").next_step
    Y, AL = np.array([[0, 1, 1, 0]]), np.array([[0.1, 0.2, 0.3, 0.4]])
    plain = check_collapsed(AL, Y, 0.1).next_step
    assert "He initialisation" in plain and "leaky_relu" in plain
    he = check_collapsed(AL, Y, 0.1, init="he", hidden_activation="leaky_relu").next_step
    assert he == "Try a learning rate ten times smaller (0.01).", he
    assert check_collapsed(AL, Y, 0.1, cause="Use init=sqrt.").next_step == "Use init=sqrt."


def test_vanishing_needs_a_faded_signal_and_a_stuck_cost():
    faded, kept = [0.2, 4e-3, 7e-5], [0.25, 0.09, 0.19]
    assert check_vanishing(faded, [0.693, 0.66], FIVE, "course", "relu") is not None
    assert check_vanishing(kept, [0.693, 0.66], FIVE, "course", "relu") is None
    assert check_vanishing(faded, [0.9, 0.4], FIVE, "course", "relu") is None        # it is learning
    assert check_vanishing([0.2, 0.0, 0.0], [0.693, 0.69], FIVE, "he", "relu") is None  # dead, not faded
    other = check_vanishing(faded, [0.693, 0.69], FIVE, "he", "relu")
    assert "He" not in other.next_step and "Xavier" in other.next_step and "relu" not in other.next_step


def test_signal_spreads_and_gradient_ratio():
    Z1 = np.array([[1.0, 3.0], [-1.0, -2.0]])
    caches = [dnn.LayerCache(None, Z1), dnn.LayerCache(None, np.zeros((1, 2)))]
    np.testing.assert_allclose(signal_spreads(caches, "relu"), [0.5])  # std of (1, 3) is 1, of (0, 0) is 0
    np.testing.assert_allclose(gradient_ratio({"dW1": [1.0, 0.01], "dW2": [1.0, 2.0], "db2": [9.0]}), 0.005)
    assert gradient_ratio({"dW1": [1.0]}) is None


# ----- overfitting ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def moons_overfit():
    """The issue's run: moons, 100 points, noise 0.35, [2, 50, 50, 1], lr 0.1, 5,000 iterations."""
    data = dnn.toy_dataset("moons", m=100, noise=0.35)
    run = Trainer(TrainConfig(layer_dims=(2, 50, 50, 1), learning_rate=0.1, num_iterations=5000),
                  data.X_train, data.train_y, data.X_test, data.test_y)
    run.advance(5000)
    return data, run


def test_overfitting_on_moons_is_named(moons_overfit):
    data, run = moons_overfit
    found = diagnose(run, data.class_names)
    over = next(d for d in found if d.kind == "overfitting")
    h = run.history
    best = int(over.evidence["best_iteration"])
    assert 0 < best < 5000 and h.test_costs[h.acc_iterations.index(best)] == min(h.test_costs)
    assert over.evidence["end_test_cost"] > 1.15 * over.evidence["best_test_cost"]
    assert over.evidence["end_train_cost"] < over.evidence["best_test_cost"]
    assert over.severity == WARNING and f"iteration {best:,}" in over.title
    assert "L2" in over.next_step and "dropout" in over.next_step


def test_overfitting_advice_goes_beyond_what_the_run_uses():
    its = [0, 100, 200, 300, 400, 500]
    test, train = [0.7, 0.4, 0.5, 0.6, 0.7, 0.8], [0.7, 0.5, 0.4, 0.3, 0.2, 0.1]
    d = check_overfitting(its, test, its, train, lambd=0.7, keep_prob=0.86)
    assert "larger L2 λ than 0.7" in d.next_step and "smaller keep_prob than 0.86" in d.next_step
    assert "iteration 100" in d.next_step
    # A minimum at the start (nothing learnt), a small rise, or a training cost that rose too: no warning.
    assert check_overfitting(its, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8], its, train) is None
    assert check_overfitting(its, [0.7, 0.40, 0.41, 0.42, 0.41, 0.42], its, train) is None
    assert check_overfitting(its, test, its, [0.7, 0.5, 0.6, 0.7, 0.8, 0.9]) is None
    assert check_overfitting(its[:4], test[:4], its[:4], train[:4]) is None


# ----- saliency: about this picture -----------------------------------------------------------------
@needs_data
def test_an_empty_saliency_speaks_of_this_picture_and_names_its_layer(cats):
    run = _trained(cats.X_train, cats.train_y, 300, layer_dims=FIVE, learning_rate=0.5)
    snap = run.snapshot(cats.X_test[:, :1], cats.test_y[:, :1])
    found = check_saliency(snap.grads["dA0"], snap.AL, snap.caches)
    assert found is not None and "this picture" in found.message and "any picture" not in found.message
    dead = int(found.evidence["dead_layer"])
    assert np.all(snap.caches[dead - 1].activation_cache <= 0) and f"layer {dead}" in found.message
