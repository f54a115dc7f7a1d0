"""Curves: train/test cost and accuracy, the explosion drawn, run labels that say what differs."""
import json

import altair as alt
import numpy as np
import pytest

import dnn
from dnn import TrainConfig, Trainer
from dnn.diagnose import divergence_trace
from ui import plots_curves as pc
from ui import theme


@pytest.fixture(scope="module")
def flower():
    return dnn.toy_dataset("flower")


def _run(ds, lr, iterations=300, **kw):
    cfg = TrainConfig(layer_dims=(2, 8, 8, 1), learning_rate=lr, init="he", num_iterations=iterations,
                      record_every=10, accuracy_every=10, **kw)
    run = Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    run.advance(iterations)
    return run


def _valid(spec, df):
    """Altair validates the spec against the vega-lite schema (raises on a bad one)."""
    values = json.loads(df.to_json(orient="records"))
    return alt.Chart.from_dict(pc.with_config({**spec, "data": {"values": values}}, presenter=True))


def test_curves_data_has_train_and_test_accuracy_and_cost(flower):
    run = _run(flower, 0.5)
    df = pc.curves_data([pc.CurveRun("this run", run.history)])
    acc = df[df.metric == "accuracy"]
    assert set(acc.split) == {"train", "test"}
    assert len(acc[acc.split == "test"]) == len(run.history.acc_iterations)
    np.testing.assert_allclose(acc[acc.split == "train"].value, run.history.train_acc)
    cost = df[(df.metric == "cost") & (df.split == "train")]
    np.testing.assert_allclose(cost.value, run.history.costs)
    assert np.isfinite(df.value).all()


def test_test_costs_are_drawn_when_the_history_has_them():
    h = dnn.History(cost_iterations=[0, 10], costs=[0.7, 0.5], acc_iterations=[0, 10], train_acc=[0.5, 0.6],
                    test_acc=[0.4, float("nan")])
    h.test_costs = [0.71, float("nan")]  # the engine's issue-11 field; NaN = not recorded
    df = pc.curves_data([pc.CurveRun("r", h)])
    test_cost = df[(df.metric == "cost") & (df.split == "test")]
    assert list(test_cost.iteration) == [0] and list(test_cost.value) == [0.71]
    assert len(df[(df.metric == "accuracy") & (df.split == "test")]) == 1


def test_a_diverged_run_draws_its_explosion_with_a_note(flower):
    run = _run(flower, 10.0)
    assert run.status == dnn.Status.DIVERGED
    df = pc.curves_data([pc.CurveRun("this run", run.history, divergence_trace(run))])
    boom = df[df.metric == "explosion"]
    assert list(boom.iteration) == list(range(run.iteration + 1))
    assert boom.value.iloc[-1] > 10 * boom.value.iloc[0]   # the blow-up is on the chart
    assert boom.note.iloc[-1].startswith("diverged:") and (boom.note.iloc[:-1] == "").all()
    spec = pc.cost_spec(300, log_y=True)
    assert spec["layer"][1]["mark"]["color"] == pc.EXPLOSION_COLOUR
    assert spec["layer"][0]["encoding"]["y"]["scale"] == {"type": "log"}
    _valid(spec, df)


def test_an_infinite_cost_is_drawn_above_the_rest_not_dropped():
    df = pc.curves_data([pc.CurveRun("r", dnn.History(), ([0, 1, 2], [0.7, 40.0, float("inf")]))])
    boom = df[df.metric == "explosion"]
    np.testing.assert_allclose(boom.value, [0.7, 40.0, 400.0])
    assert boom.note.iloc[-1] == pc.INFINITE_NOTE


def test_zero_cost_stays_on_a_log_scale():
    df = pc.curves_data([pc.CurveRun("r", dnn.History(cost_iterations=[0, 1], costs=[0.7, 0.0]))])
    assert df.value.min() == pc.MIN_COST


def test_history_runs_share_the_live_style_and_the_current_run_keeps_its_colour(flower):
    runs = [_run(flower, 0.5), _run(flower, 0.05)]
    labels = pc.run_labels([r.config for r in runs])
    df = pc.curves_data([pc.CurveRun(lab, r.history) for lab, r in zip(labels, runs, strict=True)])
    for spec in (pc.cost_spec(300, labels), pc.accuracy_spec(300, labels)):
        lines = spec["layer"][0]
        assert lines["encoding"]["color"]["scale"]["range"][0] == pc.RUN_COLOURS[0]
        assert lines["encoding"]["color"]["scale"]["domain"] == labels
        assert lines["encoding"]["strokeDash"]["field"] == "split"
        _valid(spec, df)
    assert pc.accuracy_spec(300)["layer"][0]["encoding"]["y"]["axis"]["format"] == ".0%"
    assert pc.cost_spec(300, labels)["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 300]


def test_presenter_mode_makes_type_larger():
    assert pc.presenter_config(True)["axis"]["labelFontSize"] > pc.presenter_config(False)["axis"]["labelFontSize"]
    spec = pc.cost_spec(10)
    assert "config" not in spec and pc.with_config(spec, True)["config"] == pc.presenter_config(True)


# ----- run labels -------------------------------------------------------------------------------
def test_run_labels_name_only_what_differs():
    a = TrainConfig(learning_rate=0.0075)
    b = TrainConfig(learning_rate=0.05)
    c = TrainConfig(learning_rate=0.05, init="he")
    assert pc.run_labels([a, b, c]) == ["\u03b1=0.0075, init sqrt", "\u03b1=0.05, init sqrt", "\u03b1=0.05, init he"]
    assert pc.run_labels([a, b]) == ["\u03b1=0.0075", "\u03b1=0.05"]


def test_identical_runs_get_different_labels():
    a = TrainConfig()
    assert pc.run_labels([a, a]) == ["#1", "#2"]
    assert pc.run_labels([a]) == ["#1"]
    b = TrainConfig(seed=2)
    assert pc.run_labels([a, b, a]) == ["#1 seed 1", "seed 2", "#3 seed 1"]


def test_run_labels_compare_data_and_architecture_and_ignore_recording():
    a = {**TrainConfig().__dict__, "data": "flower"}
    b = {**TrainConfig(layer_dims=(12288, 7, 1), record_every=5).__dict__, "data": "moons"}
    assert pc.run_labels([a, b]) == ["flower, layers [12288, 20, 7, 5, 1]", "moons, layers [12288, 7, 1]"]


def test_a_live_learning_rate_change_is_marked_where_it_happened(flower):
    run = _run(flower, 0.5, iterations=100)
    run.update_config(learning_rate=0.05)
    run.advance(0)
    h = run.history
    assert h.changes and h.changes[0][0] == 100
    df = pc.curves_data([pc.CurveRun("this run", h)])
    marks = df[df.metric == "change"]
    assert list(marks.iteration) == [100] and list(marks.note) == ["\u03b1=0.05"]
    spec = pc.cost_spec(300)
    assert [layer["mark"]["type"] for layer in spec["layer"]][-2:] == ["rule", "text"]
    assert np.isfinite(df.value).all()
    _valid(spec, df)


# ----- charts that speak, legends that fit, both themes ---------------------------------------------------
def test_the_description_says_what_the_curves_show_now(flower):
    runs = [_run(flower, 0.5), _run(flower, 0.05)]
    labels = ["this run", "#1: \u03b1=0.05"]
    df = pc.curves_data([pc.CurveRun(lab, r.history) for lab, r in zip(labels, runs, strict=True)])
    h = runs[0].history
    text = pc.describe(df, "cost", labels)
    assert text.startswith("Cost per iteration, this run: train cost from ")
    assert f"{h.costs[0]:.4f} at iteration 0 to {h.costs[-1]:.4f} at iteration {h.cost_iterations[-1]:,}" in text
    assert "1 earlier run drawn for comparison." in text
    acc = pc.describe(df, "accuracy", labels)
    assert f"test accuracy from {h.test_acc[0]:.1%}" in acc and f"to {h.test_acc[-1]:.1%}" in acc
    empty = pc.curves_data([])
    assert pc.describe(empty, "cost") == "Cost chart: no run yet, nothing drawn."
    spec = pc.with_config(pc.cost_spec(300, labels), description=text)
    assert spec["description"] == text and spec["config"]["aria"] is False
    _valid(spec, df)


def test_a_diverged_run_is_described_as_such(flower):
    run = _run(flower, 10.0)
    df = pc.curves_data([pc.CurveRun("this run", run.history, divergence_trace(run))])
    assert pc.describe(df, "cost").endswith("The cost blew up (diverged): drawn in vermillion.")


def test_the_table_alternative_holds_every_recorded_value(flower):
    runs = [_run(flower, 0.5), _run(flower, 0.05)]
    df = pc.curves_data([pc.CurveRun(lab, r.history) for lab, r in zip(["a", "b"], runs, strict=True)])
    table = pc.curves_table(df)
    assert list(table.columns) == ["run", "iteration", "train cost", "test cost", "train accuracy", "test accuracy"]
    assert list(dict.fromkeys(table.run)) == ["a", "b"]
    mine = table[table.run == "a"].set_index("iteration")
    h = runs[0].history
    np.testing.assert_allclose(mine.loc[h.cost_iterations, "train cost"], h.costs)
    np.testing.assert_allclose(mine.loc[h.acc_iterations, "test accuracy"], h.test_acc)
    assert list(pc.curves_table(pc.curves_data([])).columns)[:2] == ["run", "iteration"]


def test_the_plot_keeps_its_height_and_the_legend_its_full_labels_below():
    labels = ["this run (\u03b1=0.0075, layers [12288, 20, 7, 5, 1], init sqrt)",
              "#1: \u03b1=0.05, layers [12288, 7, 1]",
              "#2: \u03b1=0.001, layers [12288, 7, 1], init he", "#3: l2 0.7"]
    for spec in (pc.cost_spec(300, labels, height=185), pc.accuracy_spec(300, labels, height=160)):
        legend = spec["layer"][0]["encoding"]["color"]["legend"]
        assert legend["orient"] == "bottom" and legend["labelLimit"] == 0  # 0: never cut
        assert legend["columns"] == 1  # long labels: one per row, each whole
        # fit-x: the width follows the column; the height is the plot's own, the legend comes on top of it.
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert pc.cost_spec(300, labels, height=185)["height"] == 185
    assert pc.legend_columns(["a", "b", "c"]) == 3
    assert pc.legend_columns(["x" * 40, "y"]) == 2
    assert pc.legend_columns([]) == 1


def test_dark_charts_use_the_dark_palette(flower):
    labels = ["this run", "#1"]
    light = pc.cost_spec(300, labels)["layer"][0]["encoding"]["color"]["scale"]["range"]
    dark = pc.cost_spec(300, labels, dark=True)
    assert light == list(theme.RUN_COLOURS_LIGHT[:2])
    assert dark["layer"][0]["encoding"]["color"]["scale"]["range"] == list(theme.RUN_COLOURS_DARK[:2])
    assert dark["layer"][3]["mark"]["color"] == theme.MUTED_DARK
    assert pc.accuracy_spec(300, labels, dark=True)["layer"][0]["encoding"]["color"]["scale"]["range"][0] == \
        theme.RUN_COLOURS_DARK[0]


def test_an_empty_chart_has_a_plain_zero_to_one_axis():
    spec = pc.cost_spec(300, log_y=True, empty=True)
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"] == {"zero": True, "domain": [0, 1]} and y["axis"]["format"] == "~g"
    _valid(spec, pc.curves_data([]))
