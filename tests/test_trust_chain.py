"""Issue 18 item 1: the chain that broke 15 of 16 option combinations, fixed at every depth.

A label with many options differing from the defaults was unbounded; the store refused it with a plain
ValueError; the writer caught only StoreError; settle() re-raised the stored exception on every later event,
inside Controller._emit.  Each depth is tested here on a real SQLite store in a temporary folder.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future

import pytest
from stores import Clock, sqlite_store

import store as store_lib
from store.records import LABEL_MAX
from ui import controller as controller_mod
from ui import datasets, pacing, settings, store_hooks
from ui.controller import LISTENER_NOTICE, Controller, listener_problems
from ui.session import Session
from ui.store_hooks import StoreState, first_run, observe, settle

ALICE = "alice-browser-token-0001"
CAP = 40

# Every option the course's next chapter teaches, away from its default: the label would be ~160 characters.
EVERYTHING = {"hidden_activation": "tanh", "init": "he", "learning_rate": 0.01, "num_iterations": 120, "seed": 7,
              "dtype": "float32", "lambd": 0.7, "l1": 0.0001, "keep_prob": 0.86, "batch_size": 64,
              "optimizer": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-06, "decay": "scheduled",
              "decay_rate": 0.3, "time_interval": 1000}


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path) as s:
        yield s


def _values() -> dict:
    names = {row.name for row in settings.available()}
    return {k: v for k, v in EVERYTHING.items() if k in names}


def tab(store, clock: Clock, hidden=(20, 15, 10, 7, 5, 3), values=None) -> tuple[Controller, StoreState]:
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, hidden, _values() if values is None else values)
    s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=CAP)
    ctl = Controller(s, pacing.TrainingBoard())
    state = StoreState(owner=ALICE)
    ctl.subscribe(lambda event, sess: observe(store, state, event, sess, clock))
    return ctl, state


def finish(ctl: Controller, clock: Clock) -> None:
    ctl.start()
    for _ in range(ctl.s.run.config.num_iterations + 1):
        if ctl.s.run.done:
            return
        clock.now += store_hooks.SAVE_SECONDS
        ctl.tick()
    raise AssertionError("the run did not finish")


def test_a_label_is_bounded_where_it_is_made_and_the_description_stays_whole():
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (20, 15, 10, 7, 5, 3), _values())
    description = settings.run_description(12, cfg)
    assert len(description) >= 150, "the case of the issue: many options differ from their defaults"
    label = settings.run_label(12, cfg)
    assert len(label) <= LABEL_MAX and label.endswith("…") and description.startswith(label[:-1])
    assert label.startswith("#12 [20, 15, 10, 7, 5, 3] act=tanh")
    short = settings.make_config(ds.n_x, (7,))
    assert settings.run_label(3, short) == settings.run_description(3, short), "short labels are not cut"
    assert settings.bounded_label("x" * 200).startswith("x" * (LABEL_MAX - 1)) and \
        len(settings.bounded_label("x" * 200)) == LABEL_MAX, "a text with no space is cut too"


def test_the_chain_a_run_with_a_160_character_description_finishes_is_saved_and_restored(store):
    clock = Clock(100.0)
    ctl, state = tab(store, clock)
    assert len(settings.run_description(1, ctl.s.config)) >= 150
    finish(ctl, clock)
    assert ctl.s.run.status.value in ("done", "diverged") and not ctl.s.running
    assert not [n for n in state.notices if n[0] != "info"], state.notices
    assert listener_problems(ctl.s).notice is None, "no listener failed"
    [row] = store.runs.list(ALICE)
    assert row.iteration == ctl.s.run.iteration == 120 and row.status == ctl.s.run.status.value
    assert len(row.label) <= LABEL_MAX and row.label == settings.run_label(1, ctl.s.config)
    # A reload: a new tab of the same browser gets the run back, at its iteration, with its settings.
    again, state2 = tab(store, Clock(100.0), hidden=(5,), values={})
    first_run(again, store, state2, None, returning=True)
    run = again.s.run
    assert run is not None and run.iteration == 120 and run.config == ctl.s.run.config
    assert any("restored" in text for _, text in state2.notices)


def test_an_over_long_label_no_longer_breaks_anything_below_it(store, monkeypatch):
    """Even with the bound removed, every later depth holds: one notice, training goes on and finishes."""
    monkeypatch.setattr(settings, "run_label", settings.run_description)
    clock = Clock(100.0)
    ctl, state = tab(store, clock)
    finish(ctl, clock)
    assert ctl.s.run.iteration == 120 and not ctl.s.running
    problems = [text for kind, text in state.notices if kind == "warning"]
    assert len(problems) == 1, state.notices
    assert listener_problems(ctl.s).notice is None, "the store's observer itself never raised"
    assert store.runs.list(ALICE) == []


def test_any_exception_in_the_writer_becomes_one_outcome(store, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("a bug in encoding")

    monkeypatch.setattr(store_lib, "model_bytes", explode)
    clock = Clock(100.0)
    ctl, state = tab(store, clock, hidden=(5,), values={"num_iterations": 120})
    finish(ctl, clock)
    assert ctl.s.run.iteration == 120
    assert state.notices == [("warning", store_hooks.SAVE_FAILED)], "one plain notice, not the bug's text"


def test_settle_consumes_a_failed_future_once(store):
    clock = Clock(100.0)
    ctl, state = tab(store, clock, hidden=(5,), values={"num_iterations": 120})
    failed: Future = Future()
    failed.set_exception(RuntimeError("the writer died"))
    state.pending = failed
    settle(store, state, wait=True)
    assert state.pending is None and state.notices == [("warning", store_hooks.SAVE_FAILED)]
    settle(store, state, wait=True)  # nothing left to raise
    finish(ctl, clock)
    assert ctl.s.run.iteration == 120 and store.runs.list(ALICE), "later saves go through"
    assert state.notices == [], "the stale notice cleared once a save succeeded"


def test_a_listener_that_raises_is_logged_once_and_training_goes_on(store, caplog):
    calls = []

    def broken(event, session):
        calls.append(event)
        raise KeyError("always")

    clock = Clock(100.0)
    ctl, state = tab(store, clock, hidden=(5,), values={"num_iterations": 120})
    ctl.subscribe(broken)
    with caplog.at_level(logging.INFO, logger="dnn_explorer"):
        finish(ctl, clock)
    assert ctl.s.run.iteration == 120 and not ctl.s.running and "finish" in calls
    assert store.runs.list(ALICE)[0].iteration == 120, "the other listener (the store) still heard every event"
    assert listener_problems(ctl.s).notice == LISTENER_NOTICE
    failures = [r for r in caplog.records if r.name == "dnn_explorer.controller"]
    assert len(failures) == 1 and ctl.s.id[:8] in failures[0].getMessage() and "KeyError" in failures[0].getMessage()
    controller_mod.dismiss_listener_notice(ctl.s)
    ctl.pause()
    assert listener_problems(ctl.s).notice is None, "the same failure does not bring the notice back"


def test_in_the_app_a_raising_listener_lets_the_run_finish_and_the_page_render(app_test):
    def broken(event, session):
        raise RuntimeError("a listener bug")

    def setup(session) -> None:
        session.listeners.append(broken)
        session.max_iterations_per_tick = None

    at = app_test("views/train.py", query={"hidden": "5", "iters": "200", "data": "moons"}, setup=setup)
    at.button(key="start").click().run()
    s = at.session_state["dnn_explorer"]
    for _ in range(201):
        if s.run.done:
            break
        at.run()
    at.run()
    assert s.run.done and not s.running and not at.exception
    assert [w for w in at.warning if w.value.replace("\\", "") == LISTENER_NOTICE], "one plain notice"
    assert any("Finished" in x.value for x in at.success)


def test_in_the_app_every_option_at_once_finishes_is_saved_and_listed_in_my_runs(app_test):
    """The issue's reproduction through app.py: a link with every option away from its default, the store on
    (the tests' DNN_DATA_HOME), Start, the run ends, no error box, and My runs lists it."""
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (20, 15, 10, 7, 5, 3), _values())
    query = settings.to_link(cfg, "moons")
    assert len(settings.run_description(1, cfg)) >= 150

    def setup(session) -> None:
        session.max_iterations_per_tick = None

    at = app_test("views/train.py", query=query, setup=setup)
    s = at.session_state["dnn_explorer"]
    assert s.config == cfg
    at.button(key="start").click().run()
    for _ in range(cfg.num_iterations + 1):
        if s.run.done:
            break
        at.run()
    at.run()
    assert s.run.done and not s.running and not at.exception and not at.error, [e.value for e in at.error]
    assert listener_problems(s).notice is None
    found, why = store_hooks.current_store()
    assert found is not None, why
    [row] = found.runs.list(store_hooks.state_of(s).owner)
    assert row.iteration == s.run.iteration and row.label == settings.run_label(1, cfg)
    at.switch_page("views/runs.py").run()
    assert not at.exception and not at.error
    assert any(row.label in str(o) for o in at.selectbox(key="runs_choice").options)
