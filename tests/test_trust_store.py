"""Issue 22 item 3: a store one person cannot fill.  When the whole store is full, idle unshared runs of the
newest identities go first; one run over the per-run cap is refused from an estimate, before it is encoded;
``python -m store forget`` removes a flood by time or identity."""
from __future__ import annotations

import numpy as np
import pytest
from stores import Clock

import dnn
import store as store_lib
from store import Limits, QuotaExceeded, RunTooLarge, open_store
from store.__main__ import main as store_main
from store.__main__ import parse_time
from store.schema import identities
from store.tokens import digest
from ui import datasets, pacing, settings
from ui.controller import Controller
from ui.session import Session
from ui.store_hooks import StoreState, observe

from pg import pg_url, postgres_server  # noqa: F401  fixtures

HONEST = [f"student-browser-token-{i:03d}" for i in range(3)]
FLOOD = [f"flood-browser-token-{i:04d}" for i in range(12)]


def _run() -> dnn.Trainer:
    X = np.random.RandomState(0).randn(2, 40)
    cfg = dnn.TrainConfig(layer_dims=(2, 5, 1), num_iterations=20, record_every=5, accuracy_every=5)
    run = dnn.Trainer(cfg, X, (X[:1] > 0).astype(int))
    run.advance(20)
    return run


RUN = _run()
MODEL = store_lib.model_bytes(RUN, ("a", "b"))


def _save(s, owner: str, status: str = "done") -> str:
    return s.runs.create(owner, store_lib.new_token(), label="run", dataset="moons",
                         config=store_lib.config_to_json(RUN.config), history=store_lib.history_to_json(RUN.history),
                         status=status, iteration=RUN.iteration, model=MODEL).run_id


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def full(url):
    """A store holding at most 8 runs: 3 honest students' runs, then a flood of fresh identities."""
    clock = Clock()
    s = open_store(url, Limits(runs_total=8), clock=clock)
    for owner in HONEST:
        _save(s, owner)
        clock.now += 60
    yield s, clock
    s.close()


def _owners(s) -> dict[str, int]:
    return {o: len(s.runs.list(o)) for o in HONEST + FLOOD if s.runs.list(o)}


def test_a_flood_of_fresh_identities_removes_its_own_runs_not_the_class(full):
    s, clock = full
    for owner in FLOOD:  # 12 fresh identities, one run each, into a store of 8
        clock.now += 60
        _save(s, owner)
    kept = _owners(s)
    assert sum(kept.values()) == 8, "the store stays at its cap instead of refusing everyone"
    assert all(kept.get(o) == 1 for o in HONEST), "the class's earlier runs are all still there"
    # Each fresh identity's save removed the newest identity before it: the flood ate itself.
    assert [o for o in FLOOD if o in kept] == [*FLOOD[:4], FLOOD[-1]]
    clock.now += 60
    saved = s.runs.create(FLOOD[-1], store_lib.new_token(), label="again", dataset="moons",
                          config=store_lib.config_to_json(RUN.config), history=store_lib.history_to_json(RUN.history),
                          status="done", iteration=RUN.iteration, model=MODEL)
    assert len(saved.evicted) == 1 and len(s.runs.list(FLOOD[-1])) == 1, "its own run went, and it is told"
    clock.now += 60
    _save(s, HONEST[0])  # an honest save in a full store makes room from the newest identities
    assert s.runs.list(HONEST[0]) and len(s.runs.list(HONEST[0])) == 2
    assert all(s.runs.list(o) for o in HONEST)


def test_an_identity_is_as_old_as_the_server_minted_it(full):
    s, clock = full
    with s.engine.begin() as conn:  # the server minted HONEST[2] long ago; its first run came later
        conn.execute(identities.insert().values(owner=digest(HONEST[2]), origin=None, created_at=clock.now - 10**6))
        conn.execute(identities.insert().values(owner=digest(HONEST[0]), origin=None, created_at=clock.now + 30))
    for owner in FLOOD[:5]:
        clock.now += 60
        _save(s, owner)
    # 3 + 5 = 8: full.  The next save removes the newest identity's idle run: FLOOD[4]'s (created last).
    clock.now += 60
    _save(s, FLOOD[5])
    assert not s.runs.list(FLOOD[4]) and all(s.runs.list(o) for o in HONEST)


def test_shared_and_training_runs_are_never_removed_and_then_the_store_refuses(url):
    clock = Clock()
    s = open_store(url, Limits(runs_total=3), clock=clock)
    try:
        shared = _save(s, HONEST[0])
        s.runs.share(shared, HONEST[0])
        clock.now += 60
        _save(s, HONEST[1], status="running")
        clock.now += 60
        _save(s, HONEST[2], status="running")
        clock.now += 1  # the two running runs were saved within ACTIVE_SECONDS: someone is training them
        with pytest.raises(QuotaExceeded, match="run store of this server is full"):
            _save(s, FLOOD[0])
        assert all(s.runs.list(o) for o in HONEST)
    finally:
        s.close()


def test_the_global_cap_on_bytes_makes_room_the_same_way(tmp_path):
    clock = Clock()
    size = len(MODEL) + 2_000
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits(bytes_total=4 * size), clock=clock)
    try:
        for owner in HONEST + FLOOD[:4]:
            clock.now += 60
            _save(s, owner)
        total = sum(r.size for o in HONEST + FLOOD for r in s.runs.list(o))
        assert total <= 4 * size and all(s.runs.list(o) for o in HONEST[:3])
    finally:
        s.close()


def test_the_default_per_run_cap_fits_the_course_nets_and_its_estimate_is_close():
    limits = Limits()
    assert limits.bytes_per_run == 8 * 1024 * 1024
    X = np.random.RandomState(0).rand(12288, 20)
    Y = (np.random.RandomState(1).rand(1, 20) > 0.5).astype(int)
    for dtype in ("float64", "float32"):
        cfg = dnn.TrainConfig(layer_dims=(12288, 20, 7, 5, 1), init="sqrt", num_iterations=10, dtype=dtype,
                              record_every=1, accuracy_every=1)
        run = dnn.Trainer(cfg, X, Y)
        run.advance(10)
        actual = len(store_lib.model_bytes(run, ("non-cat", "cat")))
        estimate = store_lib.estimate_bytes(cfg, run.history)
        assert actual <= estimate <= 1.1 * actual + 10_000, (dtype, actual, estimate)
        assert estimate < limits.bytes_per_run / 4
    huge = dnn.TrainConfig(layer_dims=(12288, 100, 1))
    assert store_lib.estimate_bytes(huge, dnn.History()) > limits.bytes_per_run, "a 1.2M-parameter float64 net"


def test_a_run_over_the_cap_is_refused_before_encoding_and_never_encoded_again(tmp_path, monkeypatch):
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (60, 30), {"num_iterations": 80})  # 2,041 parameters: 16 kB
    cap = store_lib.estimate_bytes(cfg, dnn.History()) - 100  # its parameters alone are over the cap
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits(bytes_per_run=cap))
    encoded = []
    real = store_lib.model_bytes
    monkeypatch.setattr(store_lib, "model_bytes", lambda *a: encoded.append(1) or real(*a))
    try:
        sess = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=10)
        ctl, state = Controller(sess, pacing.TrainingBoard()), StoreState(owner=HONEST[0])
        ctl.subscribe(lambda e, x: observe(s, state, e, x, lambda: 0.0))
        ctl.start()
        for _ in range(10):
            ctl.pause()
            ctl.start()
        assert [kind for kind, _ in state.notices] == ["warning"] and "kept in this page only" in state.notices[0][1]
        assert state.too_big is sess.run and s.runs.list(HONEST[0]) == []
        assert encoded == [], "refused from the estimate: never encoded"
        ctl.reset()  # a new run of the same net: refused again, once, still without encoding
        ctl.start()
        ctl.pause()
        assert encoded == [] and len(state.notices) == 1
    finally:
        s.close()


def test_forget_by_time_and_identity_from_the_command_line(full, monkeypatch, capsys):
    s, clock = full
    flood_start = clock.now
    for owner in FLOOD[:4]:
        clock.now += 60
        _save(s, owner)
    monkeypatch.setenv("DATABASE_URL", s.engine.url.render_as_string(hide_password=False))
    assert store_main(["forget", "--since", str(flood_start + 1), "--dry-run"]) == 0
    assert "would forget 4 runs" in capsys.readouterr().out and len(_owners(s)) == 7
    assert store_main(["forget", "--since", str(flood_start + 1)]) == 0
    assert "forgot 4 runs" in capsys.readouterr().out and set(_owners(s)) == set(HONEST)
    assert store_main(["forget", "--owner", digest(HONEST[1]), "--owner", HONEST[2]]) == 0
    assert set(_owners(s)) == {HONEST[0]}
    with pytest.raises(SystemExit):
        store_main(["forget"])
    assert parse_time("2026-12-03T14:00") == parse_time("2026-12-03T15:00+01:00") == 1796306400.0
    with pytest.raises(ValueError):
        s.runs.forget_created()
    assert issubclass(RunTooLarge, QuotaExceeded)


def test_a_run_the_estimate_let_through_but_the_encoding_did_not_is_not_encoded_again(tmp_path, monkeypatch):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits(bytes_per_run=2_000))
    encoded = []
    real = store_lib.model_bytes
    monkeypatch.setattr(store_lib, "model_bytes", lambda *a: encoded.append(1) or real(*a))
    monkeypatch.setattr(store_lib, "estimate_bytes", lambda config, history: 0)  # an estimate that misses
    try:
        ds = datasets.by_key("moons")
        cfg = settings.make_config(ds.n_x, (60, 30), {"num_iterations": 80})
        sess = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=10)
        ctl, state = Controller(sess, pacing.TrainingBoard()), StoreState(owner=HONEST[0])
        ctl.subscribe(lambda e, x: observe(s, state, e, x, lambda: 0.0))
        ctl.start()
        assert len(encoded) == 1 and state.too_big is sess.run and "kept in this page only" in state.notices[0][1]
        ctl.pause()
        ctl.step()
        assert len(encoded) == 1, "refused once after encoding: never encoded again"
    finally:
        s.close()
