"""The app shell and the Home, Data and Model pages, with and without the course data; shareable links."""
from __future__ import annotations

import pytest

import dnn
from tests.conftest import HAS_COURSE_DATA, ROOT
from ui import params

MY_PAGES = ("pages/home.py", "pages/data.py", "pages/model.py", "pages/train.py")
from conftest_shared import needs_data


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _render_all(at):
    for page in MY_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not _errors(at), (page, _errors(at))
        assert at.title, page


@needs_data
def test_every_page_renders_with_the_course_data(app_test):
    at = app_test()
    assert "Course cat vs non-cat" in at.session_state["dataset"].name
    assert any("Active data" in s.value and "Course" in s.value for s in at.success)
    _render_all(at)


def test_every_page_renders_without_the_course_data(app_test, no_course_data):
    at = app_test()
    assert at.session_state["dataset"].name == "Synthetic cartoon cats"
    assert any("DNN_DATA_DIR" in m.value for m in at.markdown), "Home explains how to add the course files"
    _render_all(at)


def test_the_navigation_lists_all_eight_pages_with_their_urls():
    # The other pages are tested by their own suites; here only their place in st.navigation.
    source = (ROOT / "app.py").read_text()
    for path, url in (("data", "data"), ("model", "model"), ("train", "train"), ("inspect", "inspect"),
                      ("results", "results"), ("photo", "photo"), ("step_by_step", "step-by-step")):
        assert f'st.Page("pages/{path}.py"' in source and f'url_path="{url}"' in source, path
    assert 'st.Page("pages/home.py", title="Home"' in source and "default=True)" in source
    assert 'title="Your photo"' in source


@pytest.mark.parametrize("button,hidden,init", [("preset_two_layer", (7,), "course"),
                                                ("preset_five_layer", (20, 7, 5), "sqrt")])
def test_presets_set_the_course_config_and_open_train(app_test, button, hidden, init):
    at = app_test()
    at.button(key=button).click().run()
    cfg = at.session_state["config"]
    n_x = at.session_state["dataset"].n_x
    assert cfg.layer_dims == (n_x, *hidden, 1)
    assert (cfg.init, cfg.seed, cfg.learning_rate, cfg.num_iterations) == (init, 1, 0.0075, 2500)
    assert at.title[0].value == "Train" and at.button(key="start")


def test_data_page_widgets_and_switch_to_synthetic(app_test):
    at = app_test("pages/data.py")
    radio = at.radio(key="dataset_choice")
    assert set(radio.options) >= {"course", "synthetic", "toy", "zip"} or len(radio.options) == 4
    radio.set_value("synthetic").run()
    assert not at.exception
    assert at.session_state["dataset"].name == "Synthetic cartoon cats"
    assert {m.label for m in at.metric} >= {"m_train", "m_test", "num_px"}
    assert at.image, "an image grid of examples"
    assert any("12,288" in c.value for c in [*at.markdown, *at.subheader])
    assert at.session_state["config"].layer_dims[0] == 12288


def test_switching_data_drops_the_run_but_keeps_its_curve(app_test):
    at = app_test("pages/train.py")
    at.button(key="step").click().run()
    assert at.session_state["run"].iteration == 1
    at.switch_page("pages/data.py").run()
    at.radio(key="dataset_choice").set_value("synthetic").run()
    at.radio(key="dataset_choice").set_value("course" if HAS_COURSE_DATA else "zip").run()
    assert at.session_state["run"] is None and len(at.session_state["runs"]) >= 1


def test_model_page_widgets_build_the_config(app_test):
    at = app_test("pages/model.py")
    for key in ("n_hidden", "activation", "init", "lr", "iterations", "seed", "precision"):
        assert at.get("slider") or True
        assert key in at.session_state, key
    at.slider(key="n_hidden").set_value(1).run()
    at.number_input(key="units_1").set_value(7).run()
    at.select_slider(key="lr").set_value(0.05).run()
    at.selectbox(key="activation").set_value("tanh").run()
    at.number_input(key="iterations").set_value(300).run()
    cfg = at.session_state["config"]
    assert cfg.layer_dims[1:] == (7, 1) and cfg.learning_rate == 0.05 and cfg.hidden_activation == "tanh"
    assert cfg.num_iterations == 300
    assert any("W1 (7, " in str(v) for v in at.dataframe[0].value["W"])
    assert {m.label for m in at.metric} >= {"Parameters", "Memory for training"}
    assert not _errors(at)


def test_model_page_refuses_a_too_big_network(app_test):
    at = app_test("pages/model.py")
    at.number_input(key="units_1").set_value(500_000).run()
    assert any("Too big to train" in e for e in _errors(at))
    assert not at.exception
    at.switch_page("pages/train.py").run()
    at.button(key="start").click().run()
    assert any("Cannot start" in e for e in _errors(at))
    assert "run" not in at.session_state or at.session_state["run"] is None


def test_model_page_small_memory_budget(app_test, monkeypatch):
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "1")
    at = app_test("pages/model.py")
    assert any("more than the 1 MB allowed" in e for e in _errors(at))


def test_model_page_bad_config_keeps_the_old_one(app_test, monkeypatch):
    at = app_test("pages/model.py")
    old = at.session_state["config"]

    def refuse(*args, **kwargs):
        raise ValueError("The learning rate must be a positive finite number.")

    monkeypatch.setattr(params, "build_config", refuse)
    at.select_slider(key="lr").set_value(0.1).run()
    assert any("do not make a valid model" in e and "learning rate" in e for e in _errors(at))
    assert at.session_state["config"] == old and not at.exception


# ----- shareable links ----------------------------------------------------------------
def test_a_good_link_sets_the_config(app_test):
    at = app_test(query={"data": "synthetic", "hidden": "7", "act": "tanh", "init": "he", "lr": "0.02",
                         "iters": "300", "seed": "5", "dtype": "float32"})
    assert not at.warning
    cfg = at.session_state["config"]
    assert cfg.layer_dims == (12288, 7, 1)
    assert (cfg.hidden_activation, cfg.init, cfg.learning_rate, cfg.num_iterations, cfg.seed, cfg.dtype) == \
        ("tanh", "he", 0.02, 300, 5, "float32")
    assert at.session_state["dataset"].name == "Synthetic cartoon cats"
    assert at.query_params["lr"] == "0.02" and at.query_params["hidden"] == "7"


def test_a_tampered_link_warns_and_uses_defaults(app_test):
    at = app_test(query={"lr": "abc", "hidden": "0,-3", "iters": "-5", "data": "../../etc"})
    text = " ".join(w.value for w in at.warning)
    for bad in ("lr='abc'", "hidden='0,-3'", "iters='-5'", "data='../../etc'"):
        assert bad in text, bad
    cfg, default = at.session_state["config"], dnn.TrainConfig()
    assert cfg.layer_dims[1:] == default.layer_dims[1:]
    assert (cfg.learning_rate, cfg.num_iterations) == (default.learning_rate, default.num_iterations)
    assert not at.exception


def test_the_url_follows_the_model_page(app_test):
    at = app_test("pages/model.py")
    at.slider(key="n_hidden").set_value(2).run()
    at.number_input(key="units_1").set_value(12).run()
    assert at.query_params["hidden"] == f"12,{at.session_state['config'].layer_dims[2]}"


def test_parse_link_keeps_good_values_and_names_bad_ones():
    link = params.parse_link({"hidden": "20,7", "lr": "1e400", "seed": "x", "act": "relu"})
    assert link.config.layer_dims == (12288, 20, 7, 1)
    assert link.config.learning_rate == dnn.TrainConfig().learning_rate
    assert len(link.warnings) == 2 and "lr=" in link.warnings[0] and "seed=" in link.warnings[1]
    assert params.parse_link({"data": "moons", "hidden": "none"}).config.layer_dims == (2, 1)


def test_link_round_trip():
    cfg = params.build_config(12288, (20, 7, 5), init="he", learning_rate=0.0075, num_iterations=2500)
    link = params.parse_link(params.to_link(cfg, "course"))
    assert link.warnings == () and link.data == "course" and link.config == cfg
