"""The Inspect page through AppTest: activations, dead units, gradients, gradient check, W1 pictures."""
from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_helpers import put_run, sess, use_data
from conftest_shared import needs_data

PAGE = "views/inspect.py"


def open_app(request, course: bool) -> AppTest:
    """app.py run once, on the course data (conftest points DNN_DATA_DIR at it) or the synthetic fallback."""
    if not course:
        request.getfixturevalue("no_course_data")
    return request.getfixturevalue("app_test")(timeout=60)



def plot_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


@pytest.mark.parametrize("course", [pytest.param(True, marks=needs_data), False])
def test_no_run_shows_a_friendly_note_and_a_link_to_train(request, course):
    at = open_app(request, course)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "no trained network" in at.info[0].value
    assert at.get("page_link")[0].proto.page.endswith("train")


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open one of Inspect's lazy tabs (only the open one is computed)."""
    at.session_state["inspect_tab"] = tab
    return at.run()


def chart_datasets(el) -> dict:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    return {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}


@needs_data
def test_trained_run_tabs_layers_gradients_check_and_unit_pictures(request):
    at = open_app(request, course=True)
    run = put_run(at, hidden=(7, 5), iterations=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    # Only the open tab is drawn: the first one, one example with fixed axes.
    specs = plot_specs(at)
    assert len(specs) == 1
    layout = specs[0]["layout"]
    assert layout["yaxis"]["title"]["text"].startswith("Z") and "range" in layout["yaxis"]
    assert layout["xaxis4"]["title"]["text"] == "unit"  # the bottom row of 3 layers
    at.radio(key="inspect_split").set_value("test").run()
    at.slider(key="inspect_index").set_value(7).run()
    assert not at.exception
    assert at.metric[0].label == "P(cat)"
    assert at.metric[0].value == f"{float(run.predict_proba(run.X_test[:, [7]])[0, 0]):.3f}"
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["yaxis"]["range"] == layout["yaxis"]["range"], \
        "the axes stay put from one example to the next"

    open_tab(at, "Whole batch")
    heat = [s for s in plot_specs(at) if any(t["type"] == "heatmap" for t in s["data"])][0]
    assert heat["layout"]["xaxis"]["range"] == [-0.5, 208.5], "the axis counts all 209 examples"
    assert heat["layout"]["coloraxis"]["colorbar"]["title"]["text"] == "A"
    dead = at.dataframe[0].value
    Z1 = run.snapshot(run.X).caches[0].activation_cache
    assert list(dead.columns) == ["layer 1", "layer 2"]
    assert dead.iloc[0, 0] == f"{np.mean(np.all(Z1 <= 0, axis=1)):.0%}"

    open_tab(at, "Units")
    units = chart_datasets(at.get("vega_lite_chart")[0])
    assert set(units) == {"cells", "frames", "edges", "labels"}
    assert list(units["frames"]["title"]).count("layer 1, unit 1") == 1
    assert sum(t.startswith("layer 1,") for t in units["frames"]["title"]) == 7

    open_tab(at, "Gradients")
    norms = [s for s in plot_specs(at) if s["layout"].get("yaxis", {}).get("type") == "log"]
    assert len(norms) == 1
    assert {t["name"] for t in norms[0]["data"]} == {f"‖d{p}{l}‖" for p in "Wb" for l in (1, 2, 3)}
    assert any("vanishing" in c.value for c in at.caption)

    # The same net with 1/√n initialisation, dashed beside it: trained once per run state, kept in the Session.
    at.toggle(key="inspect_sqrt_overlay").set_value(True).run()
    assert not at.exception
    saved = sess(at).sqrt_reference
    assert saved is not None and saved[0] == (id(run), 60) and saved[1][0][-1] <= 60
    reference = [s for s in plot_specs(at) if s["layout"].get("yaxis", {}).get("type") == "log"][0]
    assert any(t.get("line", {}).get("dash") for t in reference["data"]), "the 1/√n norms are drawn dashed"
    at.run()
    assert sess(at).sqrt_reference is saved, "not trained again while the run has not moved on"

    open_tab(at, "Gradient check")
    at.button(key="grad_check").click().run()
    assert not at.exception
    table = at.table[0].value
    assert list(table["layer"]) == [1, 2, 3]
    errors = [float(e) for e in table["relative error"]]
    assert all(e < 1e-5 for e in errors), errors
    assert all(("great" in v) or ("ok" in v) for v in table["verdict"])
    at.run()  # the result stays while the run has not moved on
    assert at.table
    assert run.iteration == 60


def test_synthetic_five_layer_x001_init_at_iteration_zero(request):
    at = open_app(request, course=False)
    assert sess(at).dataset.name != "Course cat vs non-cat"
    put_run(at, hidden=(20, 7, 5), init="course", train=0)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("Iteration 0" in c.value for c in at.caption)
    open_tab(at, "Units")
    frames = chart_datasets(at.get("vega_lite_chart")[0])["frames"]
    assert sum(t.startswith("layer 1,") for t in frames["title"]) == 10  # 20 units: the first 10 drawn
    open_tab(at, "Gradients")
    # the gradient histograms: 4 layers x (dW, db, dA_prev), counts only
    grads = [s for s in plot_specs(at) if any(t.get("name") == "dW1" for t in s["data"])][0]
    assert len(grads["data"]) == 12 and all(t["type"] == "bar" for t in grads["data"])


def test_toy_data_units_are_pictures_over_the_plane(request):
    from dnn import toy
    at = open_app(request, course=False)
    use_data(at, toy.toy_dataset("moons"), "moons")
    run = put_run(at, hidden=(4,), init="he", iterations=30)
    at.switch_page(PAGE).run()
    open_tab(at, "Units")
    assert not at.exception
    tables = chart_datasets(at.get("vega_lite_chart")[0])
    titles = list(tables["frames"]["title"])
    assert titles == ["input x1", "input x2"] + [f"layer 1, unit {k}" for k in range(1, 5)] + ["output: P(y=1)"]
    assert not any(df.value is not None and "w1" in getattr(df.value, "columns", []) for df in at.dataframe)
    assert run.iteration == 30


def test_a_leaky_relu_unit_below_zero_is_not_called_dead(request):
    """One meaning of "dead unit" (dnn.diagnose's): a ReLU with Z <= 0 for every example gets no gradient; a
    leaky ReLU there still passes 0.01 x the gradient, and the page says so."""
    at = open_app(request, course=False)
    put_run(at, hidden=(7,), act="leaky_relu", iterations=5)
    at.switch_page(PAGE).run()
    open_tab(at, "Whole batch")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "0.01 × the gradient" in text and "passes no gradient" not in text
    assert "Dead units" not in text
    assert list(at.dataframe[0].value.columns) == ["layer 1"]
