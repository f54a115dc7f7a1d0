"""The Train page: start and live ticks, pause, step, reset, history, divergence, toy boundary."""
from __future__ import annotations

import math

import pytest
from conftest_shared import needs_data


SMALL = {"hidden": "7", "iters": "300", "lr": "0.0075", "init": "sqrt"}


def _rows(chart) -> list[dict]:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    proto = chart.proto
    data = proto.data.data if proto.HasField("data") else proto.datasets[0].data.data
    return convert_arrow_bytes_to_pandas_df(data).to_dict("records")


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _start(app_test, check: bool = True, **query):
    at = app_test("pages/train.py", query={**SMALL, **query}, timeout=60)
    assert at.session_state["config"].layer_dims[1:] == (int(query.get("hidden", "7")), 1)
    at.button(key="start").click().run()
    assert not at.exception
    if check:
        assert not at.error, [e.value for e in at.error]
    return at


def test_start_then_ticks_train_and_grow_the_curve(app_test):
    at = _start(app_test, iters="3000")  # long enough to still be running after two slices
    assert at.session_state["running"] is True
    first = at.session_state["run"].iteration
    points = len(_rows(at.get("vega_lite_chart")[0]))
    at.run()
    run = at.session_state["run"]
    assert run.iteration > first
    assert len(_rows(at.get("vega_lite_chart")[0])) > points
    assert _metric(at, "Iteration") == f"{run.iteration:,}"
    assert "running" in " ".join(m.value for m in at.markdown)
    assert {m.label for m in at.metric} >= {"Iteration", "Cost", "Train accuracy", "Test accuracy", "Iterations/s"}


def test_pause_stops_and_the_run_finishes_into_history(app_test):
    at = _start(app_test, iters="3000")
    at.button(key="pause").click().run()
    paused_at = at.session_state["run"].iteration
    at.run()
    assert at.session_state["run"].iteration == paused_at and at.session_state["running"] is False
    assert "paused" in " ".join(m.value for m in at.markdown)
    at.button(key="start").click().run()
    for _ in range(100):
        if at.session_state["run"].done:
            break
        at.run()
    run = at.session_state["run"]
    assert run.iteration == 3000 and at.session_state["running"] is False
    assert at.success and "Finished 3,000 iterations" in at.success[0].value
    assert len(at.session_state["runs"]) == 1 and at.session_state["runs"][0].status == "done"
    assert at.multiselect(key="history_runs").value == [at.session_state["runs"][0].label]


def test_step_does_exactly_one_iteration(app_test):
    at = app_test("pages/train.py", query=SMALL)
    at.button(key="step").click().run()
    assert at.session_state["run"].iteration == 1
    at.button(key="step").click().run()
    assert at.session_state["run"].iteration == 2 and at.session_state["running"] is False
    assert _metric(at, "Iteration") == "2"


def test_reset_starts_over_and_keeps_the_old_run(app_test):
    at = _start(app_test)
    at.run()
    old = at.session_state["run"]
    assert old.iteration > 0
    at.button(key="reset").click().run()
    new = at.session_state["run"]
    assert new is not old and new.iteration == 0 and at.session_state["running"] is False
    assert _metric(at, "Iteration") == "0"
    history = at.session_state["runs"]
    assert len(history) == 1 and history[0].history.cost_iterations == old.history.cost_iterations
    assert at.get("plotly_chart"), "the history overlay"


@needs_data
def test_a_huge_learning_rate_diverges_without_nan_in_the_chart(app_test):
    # With its numerically stable cost the engine survives lr=10; lr=100 blows the relu net up at once.
    at = _start(app_test, check=False, lr="100", init="he", data="course")
    for _ in range(20):
        if at.session_state["run"].done:
            break
        at.run()
    run = at.session_state["run"]
    assert run.status.value == "diverged" and at.session_state["running"] is False
    assert any("diverged" in e.value and "learning rate" in e.value for e in at.error)
    rows = _rows(at.get("vega_lite_chart")[0])
    assert all(math.isfinite(r["cost"]) for r in rows)
    assert at.session_state["runs"][-1].status == "diverged"
    assert not at.exception


def test_changing_the_model_applies_at_start(app_test):
    at = app_test("pages/train.py", query=SMALL)
    at.button(key="step").click().run()
    at.switch_page("pages/model.py").run()
    at.select_slider(key="lr").set_value(0.05).run()
    assert any("Start" in i.value for i in at.info)
    at.switch_page("pages/train.py").run()
    assert at.session_state["run"].config.learning_rate == 0.0075, "the old run is untouched"
    at.button(key="start").click().run()
    assert at.session_state["run"].config.learning_rate == 0.05
    assert at.session_state["runs"][0].config.learning_rate == 0.0075, "the old run went to the history"


def test_leaving_the_page_keeps_the_run_and_its_curve(app_test):
    at = _start(app_test)
    at.run()
    iteration = at.session_state["run"].iteration
    at.switch_page("pages/data.py").run()
    assert at.session_state["run"].iteration == iteration
    at.switch_page("pages/train.py").run()
    assert at.session_state["run"].iteration >= iteration and _rows(at.get("vega_lite_chart")[0])


def test_toy_data_shows_a_decision_boundary(app_test):
    at = app_test("pages/train.py", query={"data": "moons", "hidden": "8", "iters": "300", "lr": "0.5"})
    assert at.session_state["config"].layer_dims == (2, 8, 1)
    at.button(key="start").click().run()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    rows = _rows(charts[1])
    assert len(rows) == 60 * 60 + at.session_state["dataset"].m_train
    assert all(0 <= r["p"] <= 1 for r in rows)
