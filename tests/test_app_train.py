"""The Train page: start and live ticks, pause, step, reset, history, divergence, toy boundary.

Runs that must still be in progress after a tick cap the iterations per tick (``max_iterations_per_tick``),
so no assert depends on how fast the machine is.
"""
from __future__ import annotations

import math

import pytest

from app_helpers import metric, sess
from conftest_shared import needs_data
from ui.settings import LIVE_FIELDS

SMALL = {"hidden": "7", "iters": "300", "lr": "0.0075", "init": "sqrt"}
CAP = 10  # iterations per tick in the tests that need a run still in progress


def _rows(chart) -> list[dict]:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    proto = chart.proto
    data = proto.data.data if proto.HasField("data") else proto.datasets[0].data.data
    return convert_arrow_bytes_to_pandas_df(data).to_dict("records")


def _capped(cap: int | None):
    def setup(session) -> None:
        session.max_iterations_per_tick = cap
    return setup


def _start(app_test, check: bool = True, cap: int | None = CAP, **query):
    at = app_test("views/train.py", query={**SMALL, **query}, setup=_capped(cap))
    assert sess(at).config.layer_dims[1:] == (int(query.get("hidden", "7")), 1)
    at.button(key="start").click().run()
    assert not at.exception
    if check:
        assert not at.error, [e.value for e in at.error]
    return at


def _status(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Status:"))


def _points(at) -> int:
    return len(_rows(at.get("vega_lite_chart")[0]))


def _finish(at) -> None:
    """Tick until the run is over: every tick trains at least one iteration, so this ends."""
    s = sess(at)
    s.max_iterations_per_tick = None
    for _ in range(s.run.config.num_iterations + 1):
        if s.run.done:
            return
        at.run()


def test_start_then_ticks_train_and_grow_the_curve(app_test):
    at = _start(app_test)
    s = sess(at)
    every = s.run.config.record_every
    # The Start callback trains one slice and the page's live view another: each 1 to CAP iterations.
    assert s.running is True and 2 <= s.run.iteration <= 2 * CAP < s.run.config.num_iterations
    assert _points(at) == math.ceil(s.run.iteration / every), "the curve shows every recorded cost"
    first, points = s.run.iteration, _points(at)
    for _ in range(every):
        at.run()
    assert first + every <= s.run.iteration <= first + every * CAP
    assert _points(at) == math.ceil(s.run.iteration / every) > points
    assert metric(at, "Iteration") == f"{s.run.iteration:,}"
    assert _status(at) == "Status: **running**"
    assert {m.label for m in at.metric} >= {"Iteration", "Cost", "Train accuracy", "Test accuracy", "Iterations/s"}
    assert at.button(key="start").disabled and not at.button(key="pause").disabled


def test_pause_stops_where_the_page_shows_and_the_run_finishes_into_history(app_test):
    at = _start(app_test)
    s = sess(at)
    at.button(key="pause").click().run()
    paused_at = s.run.iteration
    assert metric(at, "Iteration") == f"{paused_at:,}" and s.running is False
    at.run()
    assert s.run.iteration == paused_at, "no slice after Pause"
    assert _status(at) == "Status: **paused**"
    assert at.button(key="start").label == "Resume"
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert f"iteration {paused_at:,}/300" in sidebar, "the sidebar agrees with the page"
    at.button(key="step").click().run()
    assert s.run.iteration == paused_at + 1 and metric(at, "Iteration") == f"{paused_at + 1:,}"
    at.button(key="start").click().run()
    _finish(at)
    assert s.run.iteration == 300 and s.running is False
    assert at.success and "Finished 300 iterations" in at.success[0].value
    assert len(s.runs) == 1 and s.runs[0].status == "done"
    assert at.multiselect(key="history_runs").value == [s.runs[0].label]
    assert at.button(key="start").label == "Train again"
    at.run()
    assert len(s.runs) == 1, "a finished run goes to the history once"


def test_step_does_exactly_one_iteration_and_shows_its_cost_and_change(app_test):
    at = app_test("views/train.py", query=SMALL)
    s = sess(at)
    costs = []
    for expected in (1, 2, 3):
        at.button(key="step").click().run()
        assert s.run.iteration == expected and s.running is False
        assert metric(at, "Iteration") == f"{expected:,}"
        cost = next(m for m in at.metric if m.label == "Cost")
        assert cost.value == f"{s.run.cost():.4f}" and cost.delta == f"{s.last_step.change:+.2e}"
        costs.append(s.last_step.cost)
    assert costs[0] > costs[1] > costs[2], "each Step shows the cost of its own iteration"
    assert _status(at) == "Status: **paused**"


def test_reset_starts_over_ready_and_keeps_the_old_run(app_test):
    at = _start(app_test)
    at.run()
    s = sess(at)
    old = s.run
    assert old.iteration > 0
    at.button(key="reset").click().run()
    assert s.run is not old and s.run.iteration == 0 and s.running is False
    assert metric(at, "Iteration") == "0"
    assert _status(at) == "Status: **ready**" and at.button(key="start").label == "Start"
    assert len(s.runs) == 1 and s.runs[0].history.cost_iterations == old.history.cost_iterations
    assert at.get("plotly_chart"), "the history overlay"


@needs_data
def test_a_huge_learning_rate_diverges_without_nan_in_the_chart(app_test):
    # With its numerically stable cost the engine survives lr=10; lr=100 blows the relu net up at once.
    at = _start(app_test, check=False, cap=None, lr="100", init="he", data="course")
    s = sess(at)
    _finish(at)
    assert s.run.status.value == "diverged" and s.running is False
    assert any("diverged" in e.value and "learning rate" in e.value for e in at.error)
    rows = _rows(at.get("vega_lite_chart")[0])
    assert all(math.isfinite(r["cost"]) for r in rows)
    assert s.runs[-1].status == "diverged"
    assert not at.exception


def test_changing_the_model_applies_at_start(app_test):
    at = app_test("views/train.py", query=SMALL)
    s = sess(at)
    at.button(key="step").click().run()
    at.switch_page("views/model.py").run()
    at.number_input(key="iters").set_value(400).run()
    assert any("Start" in i.value for i in at.info)
    at.switch_page("views/train.py").run()
    assert s.run.config.num_iterations == 300, "the old run is untouched"
    assert at.button(key="start").label == "Start"
    at.button(key="start").click().run()
    assert s.run.config.num_iterations == 400
    assert s.runs[0].config.num_iterations == 300, "the old run went to the history"


@pytest.mark.skipif(not LIVE_FIELDS, reason="this dnn has no live settings yet")
def test_a_live_setting_reaches_the_paused_run_without_a_restart(app_test):
    at = app_test("views/train.py", query=SMALL)
    s = sess(at)
    at.button(key="step").click().run()
    run = s.run
    at.switch_page("views/model.py").run()
    at.select_slider(key="lr").set_value(0.05).run()
    assert s.run is run and run.config.learning_rate == 0.05 and run.iteration == 1
    assert not any("Start" in i.value for i in at.info)


def test_leaving_the_page_keeps_the_run_and_its_curve(app_test):
    at = _start(app_test)
    at.run()
    s = sess(at)
    iteration = s.run.iteration
    at.switch_page("views/data.py").run()
    assert s.run.iteration == iteration
    assert any("waits while you browse" in c.value for c in at.sidebar.caption)
    at.switch_page("views/train.py").run()
    assert iteration < s.run.iteration <= iteration + CAP and _rows(at.get("vega_lite_chart")[0])


def test_toy_data_shows_a_decision_boundary(app_test):
    at = app_test("views/train.py", query={"data": "moons", "hidden": "8", "iters": "300", "lr": "0.5"})
    assert sess(at).config.layer_dims == (2, 8, 1)
    at.button(key="start").click().run()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    rows = _rows(charts[1])
    assert len(rows) == 60 * 60 + sess(at).dataset.m_train
    assert all(0 <= r["p"] <= 1 for r in rows)
