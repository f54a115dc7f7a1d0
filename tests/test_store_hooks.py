"""The app's store observer without Streamlit: saves while training, recovery after a reload or restart,
two tabs, share links and refusals, on a SQLite store in a temporary folder."""
from __future__ import annotations

from concurrent.futures import Future

import numpy as np
import pytest
from stores import Clock, sqlite_store

import store as store_lib
from store import Limits, open_store
from ui import datasets, pacing, settings
from ui.controller import Controller
from ui.session import Session
from ui.store_hooks import SAVE_SECONDS, StoreState, first_run, observe

ALICE, BOB = "alice-browser-token-0001", "bob-browser-token-000002"
CAP = 7


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path) as s:
        yield s


def session(store, owner: str, clock: Clock, iterations: int = 300) -> tuple[Controller, StoreState]:
    """A new tab: the moons toy set, a small net, a few iterations per tick, the observer subscribed."""
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (5, 3), {"num_iterations": iterations, "learning_rate": 0.3, "seed": 2})
    s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=CAP)
    ctl = Controller(s, pacing.TrainingBoard())
    state = StoreState(owner=owner)
    ctl.subscribe(lambda event, sess: observe(store, state, event, sess, clock))
    return ctl, state


def stored(store, owner: str = ALICE):
    return store.runs.list(owner)


def test_training_saves_at_once_then_every_few_seconds_and_on_pause(store):
    clock = Clock(100.0)
    ctl, state = session(store, ALICE, clock)
    ctl.start()  # start + its first slice
    [row] = stored(store)
    assert row.iteration == ctl.s.run.iteration == CAP and row.status == "running"
    ctl.tick()
    assert stored(store)[0].iteration == CAP, "no second save within SAVE_SECONDS"
    clock.now += SAVE_SECONDS
    ctl.tick()
    assert stored(store)[0].iteration == 3 * CAP
    ctl.tick()
    ctl.pause()
    [row] = stored(store)
    assert row.iteration == 4 * CAP and row.status == "paused" and row.id == state.run_id
    ctl.step()
    assert stored(store)[0].iteration == 4 * CAP + 1


def test_finish_and_reset_save_the_final_state_and_an_untrained_run_is_not_stored(store):
    clock = Clock(100.0)
    ctl, state = session(store, ALICE, clock, iterations=20)
    ctl.start()
    while ctl.s.running:
        ctl.tick()
    [row] = stored(store)
    assert row.status == "done" and row.iteration == 20
    ctl.reset()
    assert len(stored(store)) == 1, "Reset's fresh run at iteration 0 is not stored"
    ctl.start()
    ctl.tick()
    older = ctl.s.run
    ctl.reset()  # the replaced run is flushed at its final iteration, not its last timed save
    rows = stored(store)
    assert len(rows) == 2 and rows[0].iteration == older.iteration == 2 * CAP


def test_a_reload_or_restart_brings_the_runs_back_and_the_interrupted_run_continues(store):
    clock = Clock(100.0)
    first, _ = session(store, ALICE, clock, iterations=40)
    first.start()
    while first.s.running:
        first.tick()
    first.start()  # "Train again": a second run, interrupted while training
    for _ in range(3):
        clock.now += SAVE_SECONDS
        first.tick()
    interrupted = first.s.run
    saved_at = stored(store)[0].iteration
    assert saved_at == interrupted.iteration == 3 * CAP + CAP
    # ... the server dies; the browser comes back to a brand-new session with its cookie
    again, state = session(store, ALICE, clock, iterations=40)
    first_run(again, store, state, share_token=None, returning=True)
    s = again.s
    assert s.running, "the interrupted run continues"
    assert s.run.iteration == saved_at + CAP, "from its last saved state (plus the first new slice)"
    np.testing.assert_allclose(s.run.history.costs[: len(interrupted.history.costs)], interrupted.history.costs)
    assert [r.status for r in s.runs] == ["done"], "the finished run is back in the run history"
    kinds = [k for k, _ in state.notices]
    assert kinds == ["info", "warning"] and "iteration 28 of 40" in state.notices[1][1]
    while s.running:
        again.tick()
    assert stored(store)[0].iteration == 40 and len(stored(store)) == 2, "it keeps saving to the same row"


def test_a_new_browser_restores_nothing(store):
    ctl, state = session(store, BOB, Clock(100.0))
    first_run(ctl, store, state, share_token=None, returning=True)
    assert ctl.s.run is None and state.notices == []


def test_the_tab_that_took_a_run_over_saves_it_and_the_other_is_told(store):
    clock = Clock(100.0)
    one, state_one = session(store, ALICE, clock)
    one.start()
    one.pause()
    two, state_two = session(store, ALICE, clock)
    first_run(two, store, state_two, share_token=None, returning=True)
    two.step()
    one.step()
    assert "another tab" in state_one.notices[-1][1]
    one.step()
    assert stored(store)[0].iteration == two.s.run.iteration, "tab one no longer writes the row"


def test_a_shared_run_opens_read_only_and_training_it_makes_a_copy(store):
    clock = Clock(100.0)
    owner, owner_state = session(store, ALICE, clock)
    owner.start()
    owner.pause()
    token = store.runs.share(owner_state.run_id, ALICE)
    before = store.runs.open_shared(token).summary
    viewer, viewer_state = session(store, BOB, clock)
    first_run(viewer, store, viewer_state, share_token=token, returning=True)
    assert viewer.s.run.iteration == before.iteration and "shared run" in viewer_state.notices[0][1]
    for key, value in owner.s.run.parameters.items():
        np.testing.assert_allclose(viewer.s.run.parameters[key], value)
    viewer.pause()
    assert stored(store, BOB) == [], "only looking stores nothing"
    viewer.step()
    assert [r.iteration for r in stored(store, BOB)] == [before.iteration + 1]
    assert store.runs.open_shared(token).summary == before, "the owner's row is untouched"


def test_a_bad_share_link_or_a_damaged_run_is_a_notice(store):
    clock = Clock(100.0)
    ctl, state = session(store, BOB, clock)
    first_run(ctl, store, state, share_token="not-a-real-share-token-xx", returning=False)
    assert state.notices[0][0] == "error" and ctl.s.run is None
    owner, owner_state = session(store, ALICE, clock)
    owner.start()
    owner.pause()
    with store.engine.begin() as conn:
        conn.execute(store_lib.schema.runs.update().values(model=b"garbage"))
    back, back_state = session(store, ALICE, clock)
    first_run(back, store, back_state, share_token=None, returning=True)
    assert back.s.run is None and back_state.notices[0][0] == "error"
    assert "damaged" in back_state.notices[0][1]


def test_a_refused_save_is_a_notice_and_training_goes_on(tmp_path):
    small = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}", Limits(bytes_per_run=500))
    try:
        ctl, state = session(small, ALICE, Clock(100.0))
        ctl.start()
        ctl.tick()
        assert ctl.s.run.iteration == 2 * CAP and ctl.s.running
        assert state.notices and "kept in this page only" in state.notices[0][1]
        assert small.runs.list(ALICE) == []
    finally:
        small.close()


class LazyFuture(Future):
    """A save handed to a writer that has not run it yet; waiting for it runs it."""

    def __init__(self, job) -> None:
        super().__init__()
        self.job = job

    def result(self, timeout=None):
        if not self.done():
            self.set_result(self.job())
        return super().result(timeout)


class SlowWriter:
    def __init__(self) -> None:
        self.jobs: list[LazyFuture] = []

    def __call__(self, job) -> LazyFuture:
        self.jobs.append(LazyFuture(job))
        return self.jobs[-1]


def test_training_never_waits_for_the_writer_but_a_pause_does(store):
    clock, writer = Clock(100.0), SlowWriter()
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (5, 3), {"num_iterations": 300, "learning_rate": 0.3, "seed": 2})
    s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=CAP)
    ctl, state = Controller(s, pacing.TrainingBoard()), StoreState(owner=ALICE)
    ctl.subscribe(lambda event, sess: observe(store, state, event, sess, clock, submit=writer))
    ctl.start()
    for _ in range(4):
        clock.now += SAVE_SECONDS
        ctl.tick()
    assert s.run.iteration == 5 * CAP and len(writer.jobs) == 1, "ticks skip their save while one is pending"
    assert stored(store) == [], "nothing written yet: the writer has not run"
    ctl.pause()  # waits for the pending create, then hands over the pause's save
    assert len(writer.jobs) == 2 and stored(store)[0].iteration == CAP
    writer.jobs[-1].result()
    ctl.step()
    assert stored(store)[0].status == "paused" and stored(store)[0].iteration == 5 * CAP
    assert len(stored(store)) == 1, "one row: the pause's save updated the row the first save created"


def test_opening_a_stored_run_first_saves_the_current_one(store):
    clock = Clock(100.0)
    ctl, state = session(store, ALICE, clock)
    ctl.start()
    ctl.tick()
    ctl.pause()
    first_id = state.run_id
    ctl.reset()
    ctl.start()  # a second run, trained but not yet saved since its first slice
    ctl.tick()
    second = ctl.s.run
    from ui.store_hooks import adopt_stored
    adopt_stored(ctl, store, state, store.runs.load(first_id, ALICE), own=True)
    rows = {r.id: r for r in stored(store)}
    assert len(rows) == 2 and any(r.iteration == second.iteration for r in rows.values()), "the second run flushed"
    assert state.run is ctl.s.run and state.run_id == first_id
    ctl.step()
    assert store.runs.list(ALICE)[0].id == first_id and store.runs.list(ALICE)[0].iteration == 2 * CAP + 1
