"""store/identities.check_new_run wired into RunStore.create: DNN_RUNS_PER_ADDRESS_HOUR new runs per client
address an hour; past it the run stays in its page unsaved, with the store's message.  A real SQLite store."""
from __future__ import annotations

import pytest
from stores import Clock, sqlite_store

from store import QuotaExceeded
from ui import datasets, pacing, settings
from ui.controller import Controller
from ui.session import Session
from ui.store_hooks import StoreState, observe

ROOM = "a" * 32     # the digest of one classroom's address (store.identities.origin_of)
HOME = "b" * 32


@pytest.fixture
def clock():
    return Clock(1_000_000.0)


@pytest.fixture
def store(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("DNN_RUNS_PER_ADDRESS_HOUR", "2")
    with sqlite_store(tmp_path, clock=clock) as s:
        yield s


def _create(store, owner: str, origin: str | None):
    return store.runs.create(owner, "lease-token-000000000001", label="#1", dataset="moons", config={},
                             history={}, status="done", iteration=1, origin=origin)


def test_an_address_may_create_its_hourly_cap_of_runs_then_is_refused_until_the_hour_passes(store, clock):
    _create(store, "browser-token-00000000001", ROOM)
    _create(store, "browser-token-00000000002", ROOM)  # another browser, the same address: counted together
    with pytest.raises(QuotaExceeded, match="started 2 runs here in the last hour"):
        _create(store, "browser-token-00000000003", ROOM)
    _create(store, "browser-token-00000000003", HOME)  # another address has its own cap
    _create(store, "browser-token-00000000003", None)  # no address known (a script, a test): not counted
    clock.now += 3601
    _create(store, "browser-token-00000000003", ROOM)


def test_a_refused_run_stays_in_its_page_unsaved_with_the_stores_message(store):
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (5,), {"num_iterations": 5})
    ctl = Controller(Session(dataset=ds, data_key="moons", config=cfg), pacing.TrainingBoard())
    state = StoreState(owner="browser-token-00000000009", origin=ROOM)
    ctl.subscribe(lambda event, s: observe(store, state, event, s))
    for _ in range(3):
        ctl.reset()
        for _ in range(5):
            ctl.step()
    assert len(store.runs.list(state.owner)) == 2 and ctl.s.run.done and len(ctl.s.runs) == 3
    assert [t for k, t in state.notices if k == "warning"] == [
        "Your network started 2 runs here in the last hour, the most allowed: this run stays in this page but is "
        "not saved."]
