"""The Train page: start and live ticks, pause, step, reset, history, divergence, toy boundary.

Runs that must still be in progress after a tick cap the iterations per tick (``max_iterations_per_tick``),
so no assert depends on how fast the machine is.
"""
from __future__ import annotations

import json
import math

import pytest

from ui import train_view
from ui.settings import LIVE_FIELDS

from app_helpers import metric, sess
from conftest_shared import needs_data

SMALL = {"hidden": "7", "iters": "300", "lr": "0.0075", "init": "sqrt"}
CAP = 10  # iterations per tick in the tests that need a run still in progress


def _rows(chart) -> list[dict]:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    proto = chart.proto
    data = proto.data.data if proto.HasField("data") else proto.datasets[0].data.data
    return convert_arrow_bytes_to_pandas_df(data).to_dict("records")


def _chart(at, metric_name: str = "cost"):
    """The curves chart (cost first, then accuracy): both draw one long table of run/metric/split rows."""
    return at.get("vega_lite_chart")[0 if metric_name == "cost" else 1]


def _cost_rows(at, split: str = "train", run: str | None = None) -> list[dict]:
    rows = [r for r in _rows(_chart(at)) if r["metric"] == "cost" and r["split"] == split]
    return [r for r in rows if run is None or r["run"].startswith(run)]


def _capped(cap: int | None):
    def setup(session) -> None:
        session.max_iterations_per_tick = cap
    return setup


def _start(app_test, check: bool = True, cap: int | None = CAP, **query):
    at = app_test("views/train.py", query={**SMALL, **query}, setup=_capped(cap))
    hidden = tuple(int(u) for u in query.get("hidden", "7").split(","))
    assert sess(at).config.layer_dims[1:] == (*hidden, 1)
    at.button(key="start").click().run()
    assert not at.exception
    if check:
        assert not at.error, [e.value for e in at.error]
    return at


def _status(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Status:"))


def _points(at) -> int:
    return len(_cost_rows(at))


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
    assert {m.label for m in at.metric} >= {"Iteration", "Cost", "Train accuracy", "Test accuracy", "Time left"}
    # Start and Pause are never disabled (a button disabled by its own click drops the keyboard focus).
    assert not at.button(key="start").disabled and not at.button(key="pause").disabled


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
    assert _picker(at).value == [s.runs[0].label]
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
    old_curve = _cost_rows(at, run="#1")
    assert [r["iteration"] for r in old_curve] == old.history.cost_iterations, "the old run joins the chart"


@needs_data
def test_a_huge_learning_rate_diverges_without_nan_in_the_chart(app_test):
    # With its numerically stable cost the engine survives lr=10; lr=100 blows the relu net up at once.
    at = _start(app_test, check=False, cap=None, lr="100", init="he", data="course")
    s = sess(at)
    _finish(at)
    assert s.run.status.value == "diverged" and s.running is False
    assert any("Diverged at iteration" in e.value and "learning rate" in e.value for e in at.error)
    rows = _rows(_chart(at))
    assert all(math.isfinite(r["value"]) for r in rows)
    boom = [r for r in rows if r["metric"] == "explosion"]
    assert boom and boom[-1]["iteration"] == s.run.iteration and boom[-1]["note"], "the explosion is drawn"
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


def test_a_live_setting_reaches_the_paused_run_without_a_restart(app_test):
    assert "learning_rate" in LIVE_FIELDS, "dnn must export LIVE_FIELDS with the learning rate in it"
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
    assert iteration < s.run.iteration <= iteration + CAP and _cost_rows(at)


def test_toy_data_shows_the_data_and_initial_boundary_before_start(app_test):
    at = app_test("views/train.py", query={"data": "moons", "hidden": "8", "iters": "300", "lr": "0.5"})
    s = sess(at)
    assert s.config.layer_dims == (2, 8, 1) and s.run is None
    boundary = _rows(at.get("vega_lite_chart")[2])
    grid = [r for r in boundary if r["layer"] == "grid"]
    assert len(grid) == 50 * 50 and all(0 <= r["p"] <= 1 for r in grid)
    assert sum(r["layer"] == "train" for r in boundary) == s.dataset.m_train
    assert sum(r["layer"] == "test" for r in boundary) == s.dataset.m_test
    spec = json.loads(at.get("vega_lite_chart")[2].proto.spec)
    x_dom = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    y_dom = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    # 1:1: one data unit is as many px across as up; the axes span exactly the grid (no blank band).
    assert spec["width"] / (x_dom[1] - x_dom[0]) == pytest.approx(spec["height"] / (y_dom[1] - y_dom[0]), rel=0.01)
    assert min(r["x"] for r in grid) == pytest.approx(x_dom[0], abs=0.05 * (x_dom[1] - x_dom[0]) / 50)
    at.toggle(key="test_points").set_value(False).run()
    at.toggle(key="discrete").set_value(True).run()
    boundary = _rows(at.get("vega_lite_chart")[2])
    assert not any(r["layer"] == "test" for r in boundary)
    assert {r["p"] for r in boundary if r["layer"] == "grid"} <= {0.0, 1.0}
    at.button(key="start").click().run()
    assert s.run is not None and not at.exception


def test_the_network_graph_is_drawn_before_start_and_follows_the_run(app_test):
    at = app_test("views/train.py", query=SMALL, setup=_capped(CAP))
    graph = next(c for c in at.get("vega_lite_chart") if "graph" in c.proto.id or c.proto.datasets)
    names = {d.name for d in graph.proto.datasets}
    assert names == {"cells", "frames", "edges", "labels"}
    at.button(key="step").click().run()
    at.button(key="step").click().run()
    s = sess(at)
    state = s.view
    assert state.graph_key[:2] == (id(s.run), 2), "a Step redraws the graph at once"


# ----- runs that really fail, explained where they happen ------------------------------------------------
def _diagnosed(at) -> str:
    """The diagnoses as the reader sees them (class names are escaped Markdown)."""
    from app_helpers import rendered
    return " ".join(rendered(e.value) for e in [*at.error, *at.warning])


@needs_data
def test_a_collapsed_run_is_explained_not_a_green_finished(app_test):
    at = _start(app_test, check=False, cap=None, data="course", hidden="20,7,5", lr="0.5", iters="300")
    _finish(at)
    text = _diagnosed(at)
    assert "answers \u201cnon-cat\u201d for everything" in text and "66%" in text
    assert "Dead ReLUs" in text and "layer 2: 7 of 7 (100%)" in text
    assert "Try next:" in text
    assert not at.success, "no green Finished for a network that answers one class"


@needs_data
def test_a_saturated_tanh_run_is_explained(app_test):
    at = _start(app_test, check=False, cap=None, data="course", hidden="20,7,5", lr="0.5", iters="300", act="tanh")
    _finish(at)
    text = _diagnosed(at)
    assert "Saturated tanh" in text and "-1 or +1" in text


def test_a_rising_cost_is_explained(app_test):
    at = _start(app_test, check=False, cap=None, data="flower", hidden="8,8", lr="10", init="xavier", iters="500")
    _finish(at)
    assert sess(at).run.status.value == "done"
    text = _diagnosed(at)
    assert "The cost went up, not down" in text and "above where it started" in text
    assert not at.success


def test_a_diverged_toy_run_shows_its_explosion_zoomed_in(app_test):
    at = _start(app_test, check=False, cap=None, data="flower", hidden="8,8", lr="10", init="he", iters="500")
    _finish(at)
    s = sess(at)
    assert s.run.status.value == "diverged"
    assert any("Diverged at iteration 2" in e.value and "ten times smaller (1)" in e.value for e in at.error)
    spec = json.loads(_chart(at).proto.spec)
    lines = spec["layer"][0]["encoding"]
    assert lines["y"]["scale"] == {"type": "log"}, "a diverged run's cost is on a log scale"
    assert lines["x"]["scale"]["domain"] == [0, 10], "zoomed in on the explosion"


def test_non_finite_data_is_blamed_on_the_data(app_test):
    import numpy as np

    import dnn

    from app_helpers import use_data
    at = app_test("views/train.py", query={"data": "moons", "hidden": "4"})
    ds = sess(at).dataset
    bad_x = np.array(ds.train_x_orig, copy=True)
    bad_x[0, :3] = np.nan
    bad = dnn.Dataset("moons with holes", bad_x, ds.train_y, ds.test_x_orig, ds.test_y, ds.classes, kind="toy")
    use_data(at, bad, "moons")
    at.run()
    text = _diagnosed(at)
    assert "The data is not finite" in text and "3 NaN or infinite values in 3" in text
    assert "not the learning rate" in text


def test_speed_caps_the_iterations_per_tick_and_time_left_is_shown(app_test):
    at = _start(app_test, iters="5000")
    s = sess(at)
    at.selectbox(key="speed").set_value(5).run()
    # The speed holds by the clock (ui/train_view.SpeedBucket, tested there with an injected clock): here,
    # whatever the machine's speed, a slice never trains more than the bucket's most (5 it/s x 1 s + 1).
    most = 5 * train_view.MAX_CREDIT_SECONDS + 1
    for _ in range(3):
        before = s.run.iteration
        at.run()
        assert 0 <= s.run.iteration - before <= most
    assert metric(at, "Time left") != "—"
    at.selectbox(key="speed").set_value(0).run()
    assert s.max_iterations_per_tick == CAP, "full speed: back to the session's own cap (the tests' CAP)"


def _picker(at):
    """The history's "Earlier runs on the charts" tags (ui/compare.py's render_picker)."""
    from ui.session import HISTORY_RUNS
    return at.multiselect(key=HISTORY_RUNS)


def test_every_new_run_joins_the_chart_with_a_label_that_says_what_differs(app_test):
    at = app_test("views/train.py", query=SMALL)
    at.button(key="step").click().run()
    at.switch_page("views/model.py").run()
    at.radio(key="init").set_value("he").run()  # not a live setting: the next Step makes a new run
    at.switch_page("views/train.py").run()
    at.button(key="step").click().run()
    s = sess(at)
    from ui.controller import current_label
    runs = {r["run"] for r in _rows(_chart(at))}
    first, now = s.runs[0].label, current_label(s)
    assert first.startswith("#1 ") and "init=sqrt" in first and now.startswith("#2 ") and "init=he" in now
    assert runs == {first, now}, "the legend names each run by its one label"
    assert _picker(at).value == [first]
    _picker(at).set_value([]).run()
    assert not any(r["run"].startswith("#1") for r in _rows(_chart(at))), "an unticked run leaves the chart"
    at.multiselect(key="delete_runs").set_value([s.runs[0].label]).run()
    at.button(key="delete_confirm").click().run()
    assert s.runs == [] and not at.exception


def test_presenter_mode_follows_the_session_and_shows_page_links(app_test):
    at = app_test("views/train.py", query=SMALL)
    at.toggle(key="presenter_toggle").set_value(True).run()
    s = sess(at)
    assert s.presenter is True
    from ui import nav
    links = {link.proto.page for link in at.get("page_link")}
    assert links == {page.url_path for page in nav.PAGES}, "presenter mode's row of links reaches every page"
    at.switch_page("views/inspect.py").run()
    at.switch_page("views/train.py").run()
    assert at.toggle(key="presenter_toggle").value is True


def test_the_graph_can_be_switched_off(app_test):
    at = app_test("views/train.py", query=SMALL)
    charts = len(at.get("vega_lite_chart"))
    at.toggle(key="show_graph").set_value(False).run()
    assert len(at.get("vega_lite_chart")) == charts - 1
    assert not any(c.proto.datasets for c in at.get("vega_lite_chart"))


def test_a_network_too_big_to_draw_before_start_is_not_built(app_test):
    at = app_test("views/train.py", query={"hidden": "20000,2000"})
    s = sess(at)
    assert s.config.layer_dims[1:] == (20000, 2000, 1) and s.run is None
    assert not at.exception
    assert any("too big to draw before training" in c.value for c in at.caption)


def test_a_network_that_needs_minutes_says_so_before_start(app_test):
    at = app_test("views/train.py", query={"data": "course", "hidden": "1000,1000,1000,1000,1000,1000"})
    assert any("minutes to train" in w.value and "ms each" in w.value for w in at.warning)
    at = app_test("views/train.py", query=SMALL)
    assert not any("to train" in w.value for w in at.warning)
