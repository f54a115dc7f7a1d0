"""The Inspect page through AppTest: activations, dead units, gradients, gradient check, W1 pictures."""
from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import dnn
from conftest_shared import needs_data
from app_helpers import put_run, sess, use_data

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


@needs_data
def test_trained_run_layers_gradients_check_and_weight_pictures(request):
    at = open_app(request, course=True)
    run = put_run(at, hidden=(7, 5), iterations=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 5  # example, batch heatmap, activation/gradient histograms, norms
    norms = [s for s in plot_specs(at) if s["layout"].get("yaxis", {}).get("type") == "log"]
    assert len(norms) == 1
    assert {t["name"] for t in norms[0]["data"]} == {f"‖d{p}{l}‖" for p in "Wb" for l in (1, 2, 3)}
    assert any("vanishing" in c.value for c in at.caption)
    # 7 units in layer 1 -> 7 pictures with captions "unit k"
    tiles = [img for img in at.image if img.captions and img.captions[0] == "unit 1"][0]
    assert tiles.captions == [f"unit {k}" for k in range(1, 8)]
    # dead units: one column per hidden layer, computed over the batch
    dead = at.dataframe[0].value
    Z1 = run.snapshot(run.X).caches[0].activation_cache
    assert list(dead.columns) == ["layer 1", "layer 2"]
    assert dead.iloc[0, 0] == f"{np.mean(np.all(Z1 <= 0, axis=1)):.0%}"
    # choosing a test example shows its probability
    at.radio(key="inspect_split").set_value("test").run()
    at.slider(key="inspect_index").set_value(7).run()
    assert not at.exception
    assert at.metric[0].label == "P(cat)"
    assert at.metric[0].value == f"{float(run.predict_proba(run.X_test[:, [7]])[0, 0]):.3f}"
    # the gradient check: one row per layer, all within the ReLU-kink tolerance
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
    tiles = [img for img in at.image if img.captions and img.captions[0] == "unit 1"][0]
    assert len(tiles.captions) == 20
    # the gradient histograms: 4 layers x (dW, db, dA_prev), counts only
    grads = [s for s in plot_specs(at) if any(t.get("name") == "dW1" for t in s["data"])][0]
    assert len(grads["data"]) == 12 and all(t["type"] == "bar" for t in grads["data"])


def test_toy_data_shows_w1_as_a_table(request):
    toy = pytest.importorskip("dnn.toy")
    at = open_app(request, course=False)
    use_data(at, toy.toy_dataset("moons"), "moons")
    put_run(at, hidden=(4,), init="he", iterations=30)
    at.switch_page(PAGE).run()
    assert not at.exception
    w1 = [df.value for df in at.dataframe if "w1" in df.value.columns][0]
    assert list(w1.columns) == ["unit", "w1", "w2", "b"] and len(w1) == 4
