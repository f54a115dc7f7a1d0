"""The Results page: accuracies, confusion matrix, mistakes by confidence, model download/upload."""
from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import dnn

from app_helpers import put_collapsed_run, put_run, rendered, sess, use_data
from conftest_shared import needs_data

PAGE = "views/results.py"


def open_app(request, course: bool) -> AppTest:
    if not course:
        request.getfixturevalue("no_course_data")
    return request.getfixturevalue("app_test")(timeout=60)



def mislabeled_block(at: AppTest):
    blocks = [b for b in at.main if getattr(b.proto, "id", "").endswith("-mislabeled")]
    assert len(blocks) == 1, "the mislabeled grid lives in st.container(key='mislabeled')"
    return blocks[0]


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open one of the page's lazy tabs (only the open one is computed)."""
    at.session_state["results_tab"] = tab
    return at.run()


def caption_probability(caption: str) -> float:
    return float(re.search(r"P\(cat\) = ([0-9.]+)", caption).group(1))


def model_bytes(run: dnn.Trainer, classes) -> bytes:
    buf = io.BytesIO()
    dnn.save_run(buf, run, classes)
    return buf.getvalue()


@pytest.mark.parametrize("course", [pytest.param(True, marks=needs_data), False])
def test_no_run_explains_and_offers_upload(request, course):
    at = open_app(request, course)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "No model yet" in at.info[0].value
    assert at.get("page_link")[0].proto.page.endswith("train")
    assert at.get("file_uploader")[0].proto.id.endswith("-model_upload")


@needs_data
def test_trained_model_results(request):
    at = open_app(request, course=True)
    run = put_run(at)
    at.switch_page(PAGE).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train accuracy"] == f"{run.train_accuracy():.1%}"
    assert metrics["Test accuracy"] == f"{run.test_accuracy():.1%}"
    # confusion matrix: counts over the 50 test images, class names from the dataset
    spec = [json.loads(p.proto.spec) for p in at.get("plotly_chart") if p.proto.id.endswith("-confusion")][0]
    heat = spec["data"][0]
    counts = np.array([[int(v) for v in row] for row in heat["text"]])
    assert counts.sum() == run.Y_test.shape[1] == 50
    assert heat["y"] == ["non-cat", "cat"] and spec["layout"]["yaxis"]["title"]["text"] == "true"
    wrong = int(counts[0, 1] + counts[1, 0])
    # the mistakes, most confident first, each with true/predicted labels and P(cat)
    captions = [c for img in mislabeled_block(at).image for c in img.captions]
    assert len(captions) == wrong > 0
    probs = [caption_probability(c) for c in captions]
    confidence = [abs(p - 0.5) for p in probs]
    assert confidence == sorted(confidence, reverse=True)
    p_test = run.predict_proba(run.X_test)[0]
    for caption in captions:
        i = int(re.match(r"#(\d+)", caption).group(1))
        assert f"true: {'cat' if run.Y_test[0, i] else 'non-cat'}" in caption
        assert f"P(cat) = {p_test[i]:.3f}" in caption
        assert (p_test[i] > 0.5) != (run.Y_test[0, i] > 0.5)
    # clicking a mistake opens its forward pass, its probability and its saliency
    last = int(re.match(r"#(\d+)", captions[-1]).group(1))
    at.button(key=f"look_{last}").click().run()
    assert at.session_state["results_tab"] == "Look inside one"
    assert at.selectbox(key="mistake_choice").value == last
    assert at.metric[-1].label == "P(cat)" and at.metric[-1].value == f"{p_test[last]:.3f}"
    assert any(p.proto.id.endswith("-mistake_forward") for p in at.get("plotly_chart"))
    assert [c for img in at.image for c in img.captions] == ["the picture", "saliency: |dA0|"]
    assert not at.error, "a working network has a real saliency map"
    # a confusion cell lists its own examples: the correctly classified cats
    open_tab(at, "Mistakes")
    at.radio(key="results_cell").set_value("1,1").run()
    captions = [c for img in mislabeled_block(at).image for c in img.captions]
    assert len(captions) == min(50, int(counts[1, 1])) and all("true: cat · predicted: cat" in c for c in captions)
    open_tab(at, "Save or load")
    assert at.get("download_button")[0].proto.id.endswith("-download_model")


@needs_data
def test_a_collapsed_network_explains_its_black_saliency(request):
    at = open_app(request, course=True)
    put_collapsed_run(at)
    at.switch_page(PAGE).run()
    open_tab(at, "Look inside one")
    assert not at.exception
    assert any("The saliency map is empty" in e.value and "dead" in e.value for e in at.error)


@needs_data
def test_model_download_upload_round_trip_keeps_predictions(request):
    at = open_app(request, course=True)
    run = put_run(at, hidden=(5, 3), iterations=30)
    ds = sess(at).dataset
    data = model_bytes(run, ds.classes)
    at.switch_page(PAGE).run()
    open_tab(at, "Save or load")
    at.file_uploader(key="model_upload").set_value(("model.npz", data, "application/octet-stream")).run()
    assert not at.exception and not at.error
    loaded = sess(at).run
    assert loaded is not run and loaded.iteration == run.iteration == 30
    assert loaded.config.layer_dims == run.config.layer_dims
    np.testing.assert_allclose(loaded.predict_proba(ds.X_test), run.predict_proba(ds.X_test), rtol=0, atol=1e-12)
    assert sess(at).config == loaded.config
    assert any("Loaded model.npz" in rendered(s.value) for s in at.success)
    at.run()  # the same upload is not loaded again on the next rerun
    assert sess(at).run is loaded


BROKEN_FILES = [b"", b"PK\x03\x04 not really a zip", b"\x00" * 100, np.random.RandomState(0).bytes(4096)]


def test_malformed_model_file_shows_error_and_keeps_the_model(request):
    at = open_app(request, course=False)
    run = put_run(at, iterations=20)
    at.switch_page(PAGE).run()
    open_tab(at, "Save or load")
    for k, content in enumerate(BROKEN_FILES):
        name = f"broken{k}.npz"
        at.file_uploader(key="model_upload").set_value((name, content, "application/octet-stream")).run()
        assert not at.exception
        assert len(at.error) == 1 and name in rendered(at.error[0].value) and "kept" in at.error[0].value
        assert sess(at).run is run and run.iteration == 20
        assert at.metric[0].label == "Train accuracy"  # the results of the kept model are still shown


def test_model_for_other_inputs_is_refused(request):
    at = open_app(request, course=False)
    run = put_run(at, iterations=20)
    X = np.random.RandomState(0).randn(2, 30)
    Y = (X[:1] > 0).astype(int)
    toy = dnn.Trainer(dnn.TrainConfig(layer_dims=(2, 3, 1), num_iterations=5, record_every=1, accuracy_every=1), X, Y)
    toy.advance(5)
    at.switch_page(PAGE).run()
    open_tab(at, "Save or load")
    upload = ("toy.npz", model_bytes(toy, [b"a", b"b"]), "application/octet-stream")
    at.file_uploader(key="model_upload").set_value(upload).run()
    assert not at.exception
    assert "12288" in at.error[0].value
    assert sess(at).run is run


def test_toy_data_lists_mistakes_as_a_table(request):
    from dnn import toy
    at = open_app(request, course=False)
    use_data(at, toy.toy_dataset("moons"), "moons")
    run = put_run(at, hidden=(3,), iterations=30)
    at.switch_page(PAGE).run()
    assert not at.exception
    p = run.predict_proba(run.X_test)[0]
    wrong = int(np.sum((p > 0.5) != (run.Y_test[0] > 0.5)))
    spec = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("-confusion")][0]
    assert sum(int(v) for row in spec["data"][0]["text"] for v in row) == run.Y_test.shape[1]
    if wrong:
        table = mislabeled_block(at).dataframe[0].value
        assert len(table) == min(wrong, 50) and list(table.columns) == ["example", "x1", "x2", "details"]
