"""The app shell and the Home, Data and Model pages, with and without the course data; shareable links."""
from __future__ import annotations

import re

import pytest

import dnn
from ui import settings

from app_helpers import autolinkable, rendered, sess, unescaped_syntax
from conftest import HAS_COURSE_DATA, ROOT
from conftest_shared import needs_data

MY_PAGES = ("views/home.py", "views/data.py", "views/model.py", "views/train.py")


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _render_all(at):
    for page in MY_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not _errors(at), (page, _errors(at))
        assert at.main.children, page


@needs_data
def test_every_page_renders_with_the_course_data(app_test):
    at = app_test()
    assert "Course cat vs non-cat" in sess(at).dataset.name
    assert any("Active data" in s.value and "Course" in s.value for s in at.success)
    _render_all(at)


def test_every_page_renders_without_the_course_data(app_test, no_course_data):
    at = app_test()
    assert sess(at).dataset.name == "Synthetic cartoon cats"
    assert any("DNN_DATA_DIR" in m.value for m in at.markdown), "Home explains how to add the course files"
    _render_all(at)


def test_the_navigation_is_the_nav_registry(app_test):
    """app.py declares its pages from ui.nav, and every registered page opens without an exception."""
    from ui import nav
    assert "st.navigation(nav.st_pages())" in (ROOT / "app.py").read_text()
    assert [(p.url_path, p.title) for p in nav.PAGES[:8]] == [
        ("", "Home"), ("data", "Data"), ("model", "Model"), ("train", "Train"), ("inspect", "Inspect"),
        ("results", "Results"), ("photo", "Your photo"), ("step-by-step", "Step by step")]
    at = app_test()
    for page in nav.PAGES:
        at.switch_page(page.script).run()
        assert not at.exception, (page.script, [e.message for e in at.exception])


@pytest.mark.parametrize("button,hidden,init", [("preset_two_layer", (7,), "course"),
                                                ("preset_five_layer", (20, 7, 5), "sqrt")])
def test_presets_set_the_course_config_and_open_train(app_test, button, hidden, init):
    at = app_test()
    at.button(key=button).click().run()
    cfg = sess(at).config
    n_x = sess(at).dataset.n_x
    assert cfg.layer_dims == (n_x, *hidden, 1)
    assert (cfg.init, cfg.seed, cfg.learning_rate, cfg.num_iterations) == (init, 1, 0.0075, 2500)
    assert at.button(key="start") and at.button(key="pause"), "the Train page"


def test_data_page_widgets_and_switch_to_synthetic(app_test):
    at = app_test("views/data.py")
    radio = at.radio(key="dataset_choice")
    assert len(radio.options) >= 4 and "Synthetic cartoon cats (built in)" in radio.options
    radio.set_value("synthetic").run()
    assert not at.exception
    assert sess(at).dataset.name == "Synthetic cartoon cats"
    assert {m.label for m in at.metric} >= {"m_train", "m_test", "num_px"}
    assert at.image, "an image grid of examples"
    assert any("12,288" in c.value for c in [*at.markdown, *at.subheader])
    assert sess(at).config.layer_dims[0] == 12288


def test_switching_data_drops_the_run_but_keeps_its_curve(app_test):
    at = app_test("views/train.py")
    at.button(key="step").click().run()
    assert sess(at).run.iteration == 1
    at.switch_page("views/data.py").run()
    at.radio(key="dataset_choice").set_value("synthetic").run()
    at.radio(key="dataset_choice").set_value("course" if HAS_COURSE_DATA else "zip").run()
    assert sess(at).run is None and len(sess(at).runs) >= 1


def test_model_page_widgets_build_the_config(app_test):
    at = app_test("views/model.py")
    for key in ("n_hidden", "act", "init", "lr", "iters", "seed", "dtype"):
        assert key in at.session_state, key
    at.slider(key="n_hidden").set_value(1).run()
    at.number_input(key="units_1").set_value(7).run()
    at.select_slider(key="lr").set_value(0.05).run()
    at.selectbox(key="act").set_value("tanh").run()
    at.number_input(key="iters").set_value(300).run()
    cfg = sess(at).config
    assert cfg.layer_dims[1:] == (7, 1) and cfg.learning_rate == 0.05 and cfg.hidden_activation == "tanh"
    assert cfg.num_iterations == 300
    assert any("W1 (7, " in str(v) for v in at.dataframe[0].value["W"])
    assert {m.label for m in at.metric} >= {"Parameters", "Memory for training"}
    assert not _errors(at)


def test_model_page_refuses_a_too_big_network(app_test):
    at = app_test("views/model.py")
    at.number_input(key="units_1").set_value(500_000).run()
    assert any("Too big to train" in e for e in _errors(at))
    assert not at.exception
    at.switch_page("views/train.py").run()
    at.button(key="start").click().run()
    assert any("Cannot start" in e for e in _errors(at))
    assert sess(at).run is None


def test_model_page_small_memory_budget(app_test, monkeypatch):
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "1")
    at = app_test("views/model.py")
    assert any(re.search(r"more than the 1 Mi?B allowed", e) for e in _errors(at)), _errors(at)


def test_model_page_bad_config_keeps_the_old_one(app_test, monkeypatch):
    at = app_test("views/model.py")
    old = sess(at).config

    def refuse(*args, **kwargs):
        raise ValueError("The learning rate must be a positive finite number.")

    monkeypatch.setattr(settings, "make_config", refuse)
    at.select_slider(key="lr").set_value(0.1).run()
    assert any("do not make a valid model" in e and "learning rate" in e for e in _errors(at))
    assert sess(at).config == old and not at.exception


# ----- shareable links ----------------------------------------------------------------
def test_a_good_link_sets_the_config(app_test):
    at = app_test(query={"data": "synthetic", "hidden": "7", "act": "tanh", "init": "he", "lr": "0.02",
                         "iters": "300", "seed": "5", "dtype": "float32"})
    assert not at.warning
    cfg = sess(at).config
    assert cfg.layer_dims == (12288, 7, 1)
    assert (cfg.hidden_activation, cfg.init, cfg.learning_rate, cfg.num_iterations, cfg.seed, cfg.dtype) == \
        ("tanh", "he", 0.02, 300, 5, "float32")
    assert sess(at).dataset.name == "Synthetic cartoon cats"
    assert at.query_params["lr"] == "0.02" and at.query_params["hidden"] == "7"


def test_a_tampered_link_warns_and_uses_defaults(app_test):
    at = app_test(query={"lr": "abc", "hidden": "0,-3", "iters": "-5", "data": "../../etc"})
    text = " ".join(rendered(w.value) for w in at.warning)
    for bad in ("lr=“abc”", "hidden=“0,-3”", "iters=“-5”", "data=“../../etc”"):
        assert bad in text, bad
    cfg, default = sess(at).config, dnn.TrainConfig()
    assert cfg.layer_dims[1:] == default.layer_dims[1:]
    assert (cfg.learning_rate, cfg.num_iterations) == (default.learning_rate, default.num_iterations)
    assert not at.exception


HOSTILE = {"data": "[Session expired: log in](https://evil.example)", "act": "![](https://evil.example/p.png)",
           "init": "<img src=x onerror=alert(1)>", "lr": ":red[**0.1**] :material/warning:"}


def test_link_values_are_shown_literally_never_as_markdown_or_html(app_test):
    at = app_test(query=HOSTILE)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == len(HOSTILE)
    for (key, raw), shown in zip(HOSTILE.items(), warnings, strict=True):
        assert f"{key}=“{raw}”" in rendered(shown), (key, shown)
        quoted = shown[shown.index("“") + 1:shown.index("”")]
        assert unescaped_syntax(quoted) == [] and autolinkable(quoted) == [], (key, quoted)
    assert not at.exception


def test_the_url_follows_the_model_page(app_test):
    at = app_test("views/model.py")
    at.slider(key="n_hidden").set_value(2).run()
    at.number_input(key="units_1").set_value(12).run()
    assert at.query_params["hidden"] == f"12,{sess(at).config.layer_dims[2]}"




def test_a_loaded_model_outside_the_widgets_ranges_is_shown_as_it_is(app_test):
    at = app_test("views/train.py")
    s = sess(at)
    from ui.controller import Controller
    huge = dnn.TrainConfig(layer_dims=(s.dataset.n_x, *([3] * 8), 1), num_iterations=10_000_000,
                           learning_rate=0.0123)
    run = dnn.Trainer(huge, s.dataset.X_train, s.dataset.train_y)
    Controller(s).adopt(run)
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert s.config is huge and s.run is run, "opening Model changes nothing"
    notice = at.warning[0].value
    assert "8 hidden layers" in notice and "10000000" in notice
    assert not at.get("slider"), "no editable widgets for it"
    assert any(row["value"] == "10000000" for row in at.dataframe[0].value.to_dict("records"))
    at.button(key="clip_model").click().run()
    assert s.run is run and s.config.num_iterations == settings.MAX_ITERATIONS
    assert settings.hidden_units(s.config) == (3,) * settings.MAX_HIDDEN_LAYERS
    assert s.config.learning_rate == 0.0123, "in range: kept"
    assert at.slider(key="n_hidden").value == settings.MAX_HIDDEN_LAYERS


@needs_data
def test_course_files_copied_later_are_found_on_the_next_visit(app_test, no_course_data):
    import shutil

    from conftest_shared import DATA_DIR
    at = app_test()
    assert sess(at).data_key == "synthetic"
    for name in ("train_catvnoncat.h5", "test_catvnoncat.h5"):
        shutil.copy(DATA_DIR / name, no_course_data / name)
    fresh = app_test()  # a new visit, same server process (the caches are not cleared in between)
    assert sess(fresh).data_key == "course" and "Course" in sess(fresh).dataset.name


def test_regularisation_and_optimiser_widgets_come_from_the_table(app_test):
    at = app_test("views/model.py")
    assert not at.exception
    at.select_slider(key="keep").set_value(0.8).run()
    at.select_slider(key="lambd").set_value(0.7).run()
    assert "beta1" not in [w.key for w in at.select_slider], "Adam's settings only for Adam"
    at.selectbox(key="opt").set_value("adam").run()
    at.select_slider(key="beta1").set_value(0.8).run()
    at.selectbox(key="batch").set_value(64).run()
    cfg = sess(at).config
    assert (cfg.keep_prob, cfg.lambd, cfg.optimizer, cfg.beta1, cfg.batch_size) == (0.8, 0.7, "adam", 0.8, 64)
    assert at.query_params["keep"] == "0.8" and at.query_params["opt"] == "adam" and at.query_params["batch"] == "64"
    assert not _errors(at)


def test_a_link_with_the_new_settings(app_test):
    at = app_test("views/train.py", query={"data": "moons", "hidden": "8", "lambd": "0.1", "keep": "0.9",
                                           "opt": "momentum", "beta": "0.95", "batch": "32", "iters": "100",
                                           "decay": "inverse", "decay_rate": "0.3"})
    assert not at.warning, [w.value for w in at.warning]
    cfg = sess(at).config
    assert (cfg.lambd, cfg.keep_prob, cfg.optimizer, cfg.beta, cfg.batch_size, cfg.decay, cfg.decay_rate) == \
        (0.1, 0.9, "momentum", 0.95, 32, "inverse", 0.3)
    at.button(key="step").click().run()
    assert sess(at).run.iteration == 1 and not at.error
    assert "opt=momentum beta=0.95" in settings.summary(cfg), "run labels name them"


def test_a_page_that_fails_still_gets_the_sidebar_status_and_the_link_sync(app_test, monkeypatch):
    """app.py runs the page inside try/finally: the status and the URL follow the session even when it raises."""
    from ui import widgets

    at = app_test("views/inspect.py")
    sess(at).config = dnn.TrainConfig(layer_dims=(sess(at).dataset.n_x, 3, 1), learning_rate=0.05)

    def broken(message):
        raise RuntimeError("a page failed")
    monkeypatch.setattr(widgets, "no_model_yet", broken)  # Inspect calls it when there is no run yet
    at.run()
    assert len(at.exception) == 1, "the page's error is shown (its text is redacted by the server's config)"
    assert any("layer_dims" in c.value and "[12288, 3, 1]" in c.value for c in at.sidebar.caption)
    assert at.query_params["hidden"] == "3" and at.query_params["lr"] == "0.05"
