"""Issue 20 item 2: a link's setup wins over a returning browser's latest run; a bare address resumes it.

Through app.py (AppTest) with a real SQLite store in a temporary folder.  The browser's cookie is the one
thing AppTest cannot send, so the identity store_hooks reads is replaced by a returning browser's.
"""
from __future__ import annotations

import pytest

from ui import settings, store_hooks
from ui.identity import Identity
from ui.session import SESSION_KEY

TOKEN = "returning-browser-token-0001"
FIRST = {"data": "moons", "hidden": "5", "iters": "60"}
OTHER = {"data": "moons", "hidden": "9,4", "iters": "80", "lr": "0.05"}


@pytest.fixture
def returning(monkeypatch, tmp_path):
    """Runs saved into tmp_path's store, every session the same returning browser."""
    monkeypatch.setenv("DNN_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(store_hooks, "identity", lambda s: Identity(TOKEN, returning=True))


def _fast(session) -> None:
    session.max_iterations_per_tick = None


def _train_once(app_test):
    """A first visit: train FIRST's setup to the end (saved on finish); its config."""
    at = app_test("views/train.py", query=FIRST, setup=_fast)
    s = at.session_state[SESSION_KEY]
    at.button(key="start").click().run()
    for _ in range(100):
        if s.run.done:
            break
        at.run()
    assert s.run.done and not at.exception
    found, why = store_hooks.current_store()
    assert found is not None, why
    assert len(found.runs.list(store_hooks.state_of(s).owner)) == 1
    return s.run.config


def test_a_bare_address_resumes_the_latest_run(app_test, returning):
    config = _train_once(app_test)
    at = app_test()
    s = at.session_state[SESSION_KEY]
    assert not at.exception
    assert s.run is not None and s.run.iteration == 60 and settings.same_model(s.run.config, config)
    assert s.config == s.run.config and s.data_key == "moons"


def test_a_link_with_another_setup_gives_that_setup_and_keeps_the_run_in_the_history(app_test, returning):
    config = _train_once(app_test)
    at = app_test(query=OTHER)
    s = at.session_state[SESSION_KEY]
    assert not at.exception
    assert s.run is None, "the link's setup is ready to train, not the old run"
    assert settings.hidden_units(s.config) == (9, 4) and s.config.num_iterations == 80
    assert s.config.learning_rate == 0.05 and s.data_key == "moons"
    [record] = s.runs
    assert settings.same_model(record.config, config) and record.label == settings.run_label(1, config)
    assert any("restored into the run history" in n[1] for n in store_hooks.state_of(s).notices)
    found, _ = store_hooks.current_store()
    assert len(found.runs.list(store_hooks.state_of(s).owner)) == 1, "My runs still lists it"
    at.switch_page("views/runs.py").run()
    assert not at.exception and any(record.label in str(o) for o in at.selectbox(key="runs_choice").options)


def test_a_reload_whose_address_holds_the_runs_own_setup_resumes_it(app_test, returning):
    config = _train_once(app_test)
    at = app_test(query=settings.to_link(config, "moons"))  # what sync_link left in the address bar
    s = at.session_state[SESSION_KEY]
    assert not at.exception
    assert s.run is not None and s.run.iteration == 60 and s.runs == []


def test_an_interrupted_run_waits_in_my_runs_when_a_link_asks_for_another_setup(tmp_path):
    """Without Streamlit: the interrupted run is neither adopted nor continued; it is in the history, the
    store row is untouched, and the notice says where to continue it."""
    import dnn
    from store import Limits, open_store
    from ui import datasets, pacing
    from ui.controller import Controller
    from ui.session import Session
    from ui.store_hooks import SAVE_SECONDS, StoreState, first_run, observe

    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits())
    ds = datasets.by_key("moons")
    now = [100.0]

    def tab(hidden: tuple[int, ...]) -> tuple[Controller, StoreState]:
        cfg = settings.make_config(ds.n_x, hidden, {"num_iterations": 40, "seed": 2})
        ctl = Controller(Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=7),
                         pacing.TrainingBoard())
        state = StoreState(owner=TOKEN)
        ctl.subscribe(lambda event, sess: observe(store, state, event, sess, lambda: now[0]))
        return ctl, state

    first, _ = tab((5, 3))
    first.start()
    for _ in range(2):  # the server dies while it trains: the row says "running"
        now[0] += SAVE_SECONDS
        first.tick()
    [row] = store.runs.list(TOKEN)
    assert row.status == "running"
    linked, state = tab((9,))
    first_run(linked, store, state, share_token=None, returning=True, keep_setup=True)
    assert linked.s.run is None and not linked.s.running and settings.hidden_units(linked.s.config) == (9,)
    assert [r.status for r in linked.s.runs] == ["running"]
    assert [k for k, _ in state.notices] == ["info", "warning"] and "open it there" in state.notices[1][1]
    assert store.runs.list(TOKEN)[0].iteration == row.iteration
    back, state = tab((9,))  # the same browser on a bare address: the run continues
    first_run(back, store, state, share_token=None, returning=True)
    assert back.s.running and settings.hidden_units(back.s.run.config) == (5, 3)
    assert isinstance(back.s.run, dnn.Trainer)
    store.close()
