"""The run store: the same tests against SQLite and a real PostgreSQL server (tests/pg.py)."""
from __future__ import annotations

import io
import os
import threading

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from stores import Clock

import dnn
import store
from store import (
    BoardClosed,
    CorruptRecord,
    LeaseLost,
    Limits,
    NotFound,
    QuotaExceeded,
    StoreUnavailable,
    open_store,
)
from store.database import database_url
from store.limits import DAY
from store.migrate import head_revision, upgrade
from store.schema import board_entries, metadata, runs

from pg import pg_url, postgres_server  # noqa: F401  fixtures

ALICE, BOB = "alice-browser-token-0001", "bob-browser-token-000002"
TAB1, TAB2 = "lease-of-tab-one-000001", "lease-of-tab-two-000002"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'store.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_store(url, clock):
    opened = []

    def make(limits: Limits | None = None, **kwargs) -> store.Store:
        s = open_store(url, limits or Limits(**kwargs), clock=clock)
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def st_(make_store) -> store.Store:
    return make_store()


def _toy_run(iterations: int = 60, seed: int = 3) -> tuple[dnn.Trainer, tuple]:
    X, Y = dnn.make_toy_dataset("moons", m=80, seed=seed)
    config = dnn.TrainConfig(layer_dims=(2, 5, 3, 1), init="he", seed=seed, learning_rate=0.3,
                             num_iterations=200, record_every=10, accuracy_every=20)
    run = dnn.Trainer(config, X, Y, X[:, :20], Y[:, :20])
    run.resume()
    run.advance(iterations)
    return run, (X, Y, X[:, :20], Y[:, :20])


def _save_new(s: store.Store, run: dnn.Trainer, owner: str = ALICE, lease: str = TAB1, label: str = "moons run",
              status: str | None = None) -> str:
    return s.runs.create(owner, lease, label=label, dataset="toy:moons", config=store.config_to_json(run.config),
                         history=store.history_to_json(run.history), status=status or run.status.value,
                         iteration=run.iteration, model=store.model_bytes(run, ("a", "b"))).run_id


# ----- schema and migrations ------------------------------------------------------------
def test_migrations_create_exactly_the_schema(st_):
    with st_.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, metadata) == []


def test_upgrade_is_idempotent_and_safe_from_many_processes_at_once(url):
    engines = [sa.create_engine(url) if url.startswith("postgresql") else store.make_engine(url) for _ in range(4)]
    errors: list[BaseException] = []

    def migrate(engine):
        try:
            upgrade(engine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    upgrade(engines[0])
    assert errors == []
    with engines[0].connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    for e in engines:
        e.dispose()


# ----- runs: save, reload, continue ----------------------------------------------------------
def test_a_restored_run_continues_exactly_like_an_uninterrupted_one(st_):
    run, data = _toy_run(60)
    run_id = _save_new(st_, run)
    stored = st_.runs.load(run_id, ALICE)
    assert stored.summary.iteration == 60 and stored.summary.dataset == "toy:moons"
    restored = store.restore_trainer(stored, *data)
    for key, value in run.parameters.items():
        np.testing.assert_allclose(restored.parameters[key], value, rtol=0, atol=0)
    assert restored.history == run.history and restored.iteration == 60
    straight, _ = _toy_run(200)
    restored.resume()
    restored.advance(140)
    np.testing.assert_allclose(restored.history.costs, straight.history.costs, rtol=1e-12)
    for key, value in straight.parameters.items():
        np.testing.assert_allclose(restored.parameters[key], value, rtol=1e-10, atol=1e-12)
    assert restored.status == dnn.Status.DONE


def test_progress_saves_update_the_same_row(st_, clock):
    run, data = _toy_run(20)
    run_id = _save_new(st_, run)
    run.advance(40)
    clock.now += 5
    saved = st_.runs.save(run_id, ALICE, TAB1, status=run.status.value, iteration=run.iteration,
                          history=store.history_to_json(run.history), model=store.model_bytes(run, ("a", "b")))
    assert saved.run_id == run_id and saved.evicted == ()
    [summary] = st_.runs.list(ALICE)
    assert summary.iteration == 60 and summary.updated_at == clock.now and summary.status == "running"
    assert store.restore_trainer(st_.runs.load(run_id, ALICE), *data).history == run.history


def test_a_run_without_parameters_yet_restores_at_iteration_zero(st_):
    run, data = _toy_run(0)
    run_id = st_.runs.create(ALICE, TAB1, label="fresh", dataset="toy:moons", config=store.config_to_json(run.config),
                             history=store.history_to_json(run.history), status="ready", iteration=0).run_id
    restored = store.restore_trainer(st_.runs.load(run_id, ALICE), *data)
    assert restored.iteration == 0 and restored.status == dnn.Status.READY


def test_runs_belong_to_their_browser(st_, clock):
    run, _ = _toy_run(10)
    first = _save_new(st_, run, label="first")
    clock.now += 1
    second = _save_new(st_, run, label="second")
    _save_new(st_, run, owner=BOB, lease=TAB2, label="bob's")
    assert [r.id for r in st_.runs.list(ALICE)] == [second, first]
    assert [r.label for r in st_.runs.list(BOB)] == ["bob's"]
    with pytest.raises(NotFound):
        st_.runs.load(first, BOB)
    st_.runs.delete(first, BOB)  # not Bob's: nothing happens
    assert len(st_.runs.list(ALICE)) == 2
    st_.runs.delete(first, ALICE)
    assert [r.id for r in st_.runs.list(ALICE)] == [second]


def test_a_second_tab_that_adopts_a_run_stops_the_first_from_overwriting_it(st_):
    run, _ = _toy_run(10)
    run_id = _save_new(st_, run, lease=TAB1)
    st_.runs.adopt(run_id, ALICE, TAB2)
    history = store.history_to_json(run.history)
    with pytest.raises(LeaseLost, match="another tab"):
        st_.runs.save(run_id, ALICE, TAB1, status="paused", iteration=10, history=history, model=None)
    st_.runs.save(run_id, ALICE, TAB2, status="paused", iteration=10, history=history, model=None)
    assert st_.runs.list(ALICE)[0].status == "paused"
    st_.runs.delete(run_id, ALICE)
    with pytest.raises(NotFound):
        st_.runs.save(run_id, ALICE, TAB2, status="paused", iteration=10, history=history, model=None)
    with pytest.raises(NotFound):
        st_.runs.adopt(run_id, ALICE, TAB2)


def test_bad_tokens_and_texts_are_refused_before_any_write(st_):
    run, _ = _toy_run(5)
    for owner in ("", "short", "x" * 65, "has space in it 12345", None):
        with pytest.raises(ValueError, match="not valid"):
            _save_new(st_, run, owner=owner)
    for label, message in (("", "empty"), ("x" * 81, "81 characters"), ("bell\x07", "control")):
        with pytest.raises(ValueError, match=message):
            _save_new(st_, run, label=label)
    with pytest.raises(ValueError, match="status"):
        st_.runs.create(ALICE, TAB1, label="x", dataset="d", config={}, history={}, status="flying", iteration=0)
    with pytest.raises(ValueError, match="finite JSON"):
        st_.runs.create(ALICE, TAB1, label="x", dataset="d", config={}, history={"c": [float("nan")]},
                        status="ready", iteration=0)
    assert st_.runs.list(ALICE) == []


# ----- sharing -----------------------------------------------------------------------------------
def test_a_share_link_opens_the_run_read_only_until_unshared(st_):
    run, data = _toy_run(30)
    run_id = _save_new(st_, run)
    token = st_.runs.share(run_id, ALICE)
    assert st_.runs.share(run_id, ALICE) == token  # one link per run
    shared = st_.runs.open_shared(token)
    assert shared.summary.id == run_id and shared.summary.shared
    np.testing.assert_allclose(store.restore_trainer(shared, *data).parameters["W2"], run.parameters["W2"])
    with pytest.raises(NotFound):
        st_.runs.share(run_id, BOB)
    for bad in ("nope", token[:-1] + ("A" if token[-1] != "A" else "B"), "../../etc/passwd"):
        with pytest.raises(NotFound):
            st_.runs.open_shared(bad)
    st_.runs.unshare(run_id, ALICE)
    with pytest.raises(NotFound):
        st_.runs.open_shared(token)


# ----- limits and expiry -----------------------------------------------------------------------
def test_the_oldest_idle_unshared_runs_make_room_and_shared_ones_are_kept(make_store, clock):
    s = make_store(runs_per_owner=3)
    run, _ = _toy_run(5)
    ids = []
    for i in range(3):
        ids.append(_save_new(s, run, label=f"r{i}", status="paused" if i < 2 else "running"))
        clock.now += 1
    s.runs.share(ids[0], ALICE)
    fourth = s.runs.create(ALICE, TAB1, label="r3", dataset="toy:moons", config=store.config_to_json(run.config),
                           history={}, status="done", iteration=5)
    assert fourth.evicted == (ids[1],)
    assert {r.label for r in s.runs.list(ALICE)} == {"r0", "r2", "r3"}
    s.runs.share(fourth.run_id, ALICE)
    with pytest.raises(QuotaExceeded, match="3 runs"):  # r2 is training right now
        _save_new(s, run, label="r4")
    clock.now += 600  # ... and then its session went away without a word
    assert s.runs.create(ALICE, TAB1, label="r5", dataset="toy:moons", config={}, history={}, status="ready",
                         iteration=0).evicted == (ids[2],)
    s.runs.share(s.runs.list(ALICE)[0].id, ALICE)
    with pytest.raises(QuotaExceeded, match="3 runs"):  # all shared now
        _save_new(s, run, label="r6")
    _save_new(s, run, owner=BOB, lease=TAB2)  # another browser has its own allowance


def test_byte_caps_per_run_per_browser_and_in_total(make_store, clock):
    run, _ = _toy_run(5)
    model = store.model_bytes(run, ("a", "b"))
    small = make_store(bytes_per_run=len(model) // 2)
    with pytest.raises(QuotaExceeded, match="kept in this page only"):
        _save_new(small, run)
    per_owner = make_store(bytes_per_owner=int(len(model) * 2.5))
    first = _save_new(per_owner, run, status="running")
    clock.now += 1
    _save_new(per_owner, run, status="running")
    with pytest.raises(QuotaExceeded, match="This browser already keeps 2 runs"):
        _save_new(per_owner, run, status="running")
    per_owner.runs.save(first, ALICE, TAB1, status="done", iteration=5, history={}, model=model)
    assert per_owner.runs.create(ALICE, TAB1, label="third", dataset="toy:moons", config={}, history={},
                                 status="running", iteration=5, model=model).evicted == (first,)
    total = make_store(runs_total=2)  # the same database, which holds 2 runs now
    with pytest.raises(QuotaExceeded, match="full"):
        _save_new(total, run, owner=BOB)
    with pytest.raises(QuotaExceeded, match="full"):
        _save_new(make_store(bytes_total=3 * len(model)), run, owner=BOB)


def test_old_unshared_runs_and_old_boards_expire(make_store, clock):
    s = make_store(run_ttl_days=30, shared_ttl_days=90, board_ttl_days=60)
    run, _ = _toy_run(5)
    old, shared = _save_new(s, run), _save_new(s, run)
    s.runs.share(shared, ALICE)
    board = s.boards.open(BOB, "Lab 1")
    clock.now += 31 * DAY
    fresh = _save_new(s, run)  # creating a run purges what expired
    listed = {r.id for r in s.runs.list(ALICE)}
    assert listed == {shared, fresh} and old not in listed
    clock.now += 60 * DAY
    assert s.runs.purge_expired() == 2
    assert s.boards.purge_expired() == 1
    with pytest.raises(NotFound):
        s.boards.get(board.code)


def test_forget_my_runs_deletes_this_browsers_runs_and_board_entries_only(st_):
    run, _ = _toy_run(20)
    mine = [_save_new(st_, run) for _ in range(2)]
    st_.runs.share(mine[0], ALICE)
    theirs = _save_new(st_, run, owner=BOB, lease=TAB2)
    board = st_.boards.open(BOB, "Lab")
    summary = store.entry_summary(run, "toy:moons")
    st_.boards.submit(board.code, ALICE, "Ada", summary, run_id=mine[0])
    st_.boards.submit(board.code, BOB, "Bo", summary, run_id=theirs)
    token = st_.runs.share(mine[0], ALICE)
    assert st_.runs.forget(ALICE) == 2
    assert st_.runs.list(ALICE) == [] and st_.runs.usage(ALICE) == (0, 0)
    with pytest.raises(NotFound):
        st_.runs.open_shared(token)
    assert [e.display_name for e in st_.boards.entries(board.code)] == ["Bo"]
    assert [r.id for r in st_.runs.list(BOB)] == [theirs]


# ----- what a damaged store gives ----------------------------------------------------------------
def _tamper(s: store.Store, run_id: str, **values) -> None:
    with s.engine.begin() as conn:
        conn.execute(runs.update().where(runs.c.id == run_id).values(**values))


def _pickled_npz(run: dnn.Trainer) -> bytes:
    """A real model whose layer_dims is a pickled object array (pickles can run code on load)."""
    with np.load(io.BytesIO(store.model_bytes(run, ("a", "b")))) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["layer_dims"] = np.array([2, 5, 3, {"evil": 1}], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _nan_model(run: dnn.Trainer) -> bytes:
    buffer = io.BytesIO()
    parameters = run.parameters
    with np.load(io.BytesIO(store.model_bytes(run, ("a", "b")))) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["W2"] = np.full_like(parameters["W2"], np.nan)
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("damage, message", [
    (lambda run: {"model": b"\x00not a zip at all"}, "not a saved model"),
    (lambda run: {"model": store.model_bytes(run, ("a", "b"))[:900]}, "damaged"),
    (lambda run: {"model": _pickled_npz(run)}, "pickled"),
    (lambda run: {"model": _nan_model(run)}, "finite"),
    (lambda run: {"history": "{not json"}, "damaged"),
    (lambda run: {"config": "[1, 2]"}, "JSON objects"),
    (lambda run: {"status": "exploded"}, "status"),
])
def test_a_damaged_row_is_refused_with_a_message(st_, damage, message):
    run, _ = _toy_run(10)
    good, bad = _save_new(st_, run, label="good"), _save_new(st_, run, label="bad one")
    _tamper(st_, bad, **damage(run))
    with pytest.raises(CorruptRecord, match=message) as info:
        st_.runs.load(bad, ALICE)
    assert "'bad one'" in str(info.value)
    assert {r.label for r in st_.runs.list(ALICE)} == {"good", "bad one"}  # listing still works
    assert st_.runs.load(good, ALICE).model is not None


def test_an_inconsistent_row_is_refused_when_restored(st_):
    run, data = _toy_run(10)
    run_id = _save_new(st_, run)
    other, _ = _toy_run(10)
    _tamper(st_, run_id, config=store.records.dumps({**store.config_to_json(run.config), "layer_dims": [2, 4, 1]}))
    with pytest.raises(CorruptRecord, match="inconsistent"):
        store.restore_trainer(st_.runs.load(run_id, ALICE), *data)
    _tamper(st_, run_id, config=store.records.dumps({**store.config_to_json(run.config), "learning_rate": -1}),
            history=store.records.dumps({"costs": [1.0], "cost_iterations": []}))
    with pytest.raises(CorruptRecord, match="cannot be restored"):
        store.restore_trainer(st_.runs.load(run_id, ALICE), *data)
    _tamper(st_, run_id, config=store.records.dumps(store.config_to_json(run.config)), iteration=10_000)
    with pytest.raises(CorruptRecord, match="iteration"):
        store.restore_trainer(st_.runs.load(run_id, ALICE), *data)


def test_an_oversized_row_is_refused_before_its_blob_is_read(url, clock, monkeypatch):
    monkeypatch.setattr(store.runs, "LOAD_MAX_BYTES", 0)  # rows of an earlier, larger cap load: not this one
    big = open_store(url, Limits(), clock=clock)
    run, _ = _toy_run(10)
    run_id = _save_new(big, run, label="huge")
    _tamper(big, run_id, model=os.urandom(300_000))
    strict = open_store(url, Limits(bytes_per_run=200_000), clock=clock)
    try:
        with pytest.raises(CorruptRecord, match="'huge' is 293.7 KiB, over the 195.3 KiB"):
            strict.runs.load(run_id, ALICE)
    finally:
        big.close()
        strict.close()


def test_an_unreachable_database_is_a_message_not_a_crash():
    from pg import free_port

    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        open_store(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none?connect_timeout=3")


# ----- class boards ------------------------------------------------------------------------------
def test_the_class_board_flow(st_):
    run, _ = _toy_run(60)
    board, admin = st_.boards.open_class(BOB, "  Lab 3: best test accuracy  ")
    assert board.title == "Lab 3: best test accuracy" and board.is_open and len(board.code) == 6
    assert st_.boards.get(board.code.lower()) == board  # codes are typed in any case
    summary = store.entry_summary(run, "toy:moons")
    assert summary.parameter_count == dnn.parameter_count((2, 5, 3, 1)) and summary.iteration == 60
    assert summary.train_acc == run.history.train_acc[-1] and len(summary.costs) == 6
    name = "**Ada** <script>alert(1)</script>"
    entry_id = st_.boards.submit(board.code, ALICE, name, summary, run_id="r1")
    [entry] = st_.boards.entries(board.code)
    assert entry.id == entry_id and entry.display_name == name and entry.summary == summary
    again = st_.boards.submit(board.code, ALICE, "Ada", summary, run_id="r1")  # the same run replaces its entry
    assert [e.id for e in st_.boards.entries(board.code)] == [again]
    with pytest.raises(NotFound, match="Only the teacher"):
        st_.boards.remove(board.code, ALICE, again)
    with pytest.raises(NotFound, match="Only the teacher"):
        st_.boards.set_open(board.code, BOB, False)  # the teacher's browser cookie alone is not the admin secret
    assert not st_.boards.is_teacher(board.code, ALICE) and not st_.boards.is_teacher(board.code, BOB)
    assert st_.boards.is_teacher(board.code, admin)
    st_.boards.remove(board.code, admin, again)
    assert st_.boards.entries(board.code) == []
    assert not st_.boards.set_open(board.code, admin, False).is_open
    with pytest.raises(BoardClosed, match="closed"):
        st_.boards.submit(board.code, ALICE, "Ada", summary)
    assert st_.boards.set_open(board.code, admin, True).is_open
    assert [b.code for b in st_.boards.of_teacher(BOB)] == [board.code]


def test_board_names_codes_and_caps(make_store):
    s = make_store(entries_per_student=2, entries_per_board=3)
    run, _ = _toy_run(20)
    summary = store.entry_summary(run, "toy:moons")
    board = s.boards.open(BOB, "Lab")
    for bad, message in (("", "empty"), ("n" * 41, "41 characters"), ("evil\u202egnp.exe", "direction"),
                         ("tab\there", "control")):
        with pytest.raises(ValueError, match=message):
            s.boards.submit(board.code, ALICE, bad, summary)
    assert len("😀" * 40) == 40
    s.boards.submit(board.code, ALICE, "😀" * 40, summary)
    s.boards.submit(board.code, ALICE, "Ada 2", summary)
    with pytest.raises(QuotaExceeded, match="2 entries"):
        s.boards.submit(board.code, ALICE, "Ada 3", summary)
    s.boards.submit(board.code, BOB, "Teacher", summary)
    with pytest.raises(QuotaExceeded, match="full"):
        s.boards.submit(board.code, "carol-browser-token-003", "Carol", summary)
    for code in ("", "ABC", "O0O0O0", "../../x", 123):
        with pytest.raises(NotFound):
            s.boards.get(code)
    with pytest.raises(ValueError, match="empty"):
        s.boards.open(BOB, "   ")


def test_a_damaged_board_entry_is_shown_as_damaged(st_):
    run, _ = _toy_run(20)
    board = st_.boards.open(BOB, "Lab")
    good = st_.boards.submit(board.code, ALICE, "Ada", store.entry_summary(run, "toy:moons"))
    bad = st_.boards.submit(board.code, BOB, "Bo", store.entry_summary(run, "toy:moons"))
    with st_.engine.begin() as conn:
        conn.execute(board_entries.update().where(board_entries.c.id == bad)
                     .values(summary='{"layer_dims": [2, 0, 1]}'))
    entries = {e.id: e for e in st_.boards.entries(board.code)}
    assert entries[good].summary is not None and entries[good].problem == ""
    assert entries[bad].summary is None and "damaged" in entries[bad].problem


# ----- where the store lives ---------------------------------------------------------------------
def test_database_url_from_the_environment(tmp_path):
    assert database_url({"DNN_DATA_HOME": str(tmp_path)}) == f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert database_url({}).endswith("/.dnn-explorer/store.sqlite3")
    assert database_url({"DATABASE_URL": "postgres://u:p@db:5432/x"}) == "postgresql+psycopg://u:p@db:5432/x"
    assert database_url({"DATABASE_URL": "postgresql://u@db/x"}) == "postgresql+psycopg://u@db/x"
    for bad in ("mysql://u@db/x", "not a url"):
        with pytest.raises(ValueError, match="DATABASE_URL"):
            database_url({"DATABASE_URL": bad})
    assert store.redact("postgresql+psycopg://u:secret@db/x") == "postgresql+psycopg://u:***@db/x"


def test_limits_from_the_environment():
    limits = Limits.from_env({"DNN_STORE_RUN_TTL_DAYS": "7", "DNN_STORE_RUNS_PER_OWNER": "5"})
    assert limits.run_ttl_days == 7.0 and limits.runs_per_owner == 5 and limits.bytes_per_run == Limits().bytes_per_run
    for bad in ("-1", "lots"):
        with pytest.raises(ValueError, match="DNN_STORE_RUNS_PER_OWNER"):
            Limits.from_env({"DNN_STORE_RUNS_PER_OWNER": bad})


def test_nothing_is_written_outside_the_data_folder(tmp_path, monkeypatch):
    work, home = tmp_path / "cwd", tmp_path / "home"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("DNN_DATA_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    s = open_store()
    run, _ = _toy_run(5)
    _save_new(s, run)
    s.close()
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "home"]
    assert {p.name for p in home.iterdir()} <= {"store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm"}
