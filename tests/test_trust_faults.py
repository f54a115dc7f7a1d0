"""Issue 22 item 8: store faults leave the app running; "disk full" says so; no host, port, user or path
reaches a student; stale notices clear once a save succeeds."""
from __future__ import annotations

import errno
import logging
import socket

from sqlalchemy import event

from store import DiskFull, Limits, StoreUnavailable, open_store
from store.errors import DISK_FULL_MESSAGE, UNAVAILABLE_MESSAGE
from ui import datasets, pacing, settings, store_hooks
from ui.controller import Controller
from ui.session import Session
from ui.store_hooks import StoreState, observe, open_or_why

ALICE = "alice-browser-token-0001"


def tab(store, clock=lambda: 0.0) -> tuple[Controller, StoreState]:
    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (5,), {"num_iterations": 60})
    s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=10)
    ctl, state = Controller(s, pacing.TrainingBoard()), StoreState(owner=ALICE)
    ctl.subscribe(lambda e, sess: observe(store, state, e, sess, clock))
    return ctl, state


def _uncreatable(tmp_path) -> str:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return str(blocker / "data-home")


def test_an_uncreatable_data_folder_is_a_plain_sentence_and_logged(tmp_path, caplog):
    home = _uncreatable(tmp_path)
    with caplog.at_level(logging.INFO, logger="dnn_explorer"):
        found, why = open_or_why(lambda: open_store(f"sqlite:///{home}/store.sqlite3"), "0123abcd99")
    assert found is None and "cannot create the folder" in why and "DNN_DATA_HOME" in why
    assert str(tmp_path) not in why, "no path on the page"
    assert "session 0123abcd" in caplog.text and "data-home" in caplog.text, "the log has the details"


def test_any_exception_opening_the_store_leaves_the_app_without_saving(caplog):
    def broken():
        raise PermissionError(errno.EACCES, "Permission denied", "/home/teacher/.dnn-explorer")

    with caplog.at_level(logging.INFO, logger="dnn_explorer"):
        found, why = open_or_why(broken)
    assert found is None and why == store_hooks.STORE_FAILED and "teacher" not in why
    assert "errno 13" in caplog.text


def test_the_app_runs_without_saving_when_the_data_folder_cannot_be_created(app_test, monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DNN_DATA_HOME", _uncreatable(tmp_path))
    # The cookie-signing secret also lives in the data folder unless given: given here, so this test is about
    # the store (ui/identity.secret() falling back without the folder is reported to its owner).
    monkeypatch.setenv("DNN_SECRET_KEY", "k" * 64)
    at = app_test("views/train.py", query={"hidden": "5", "iters": "50", "data": "moons"})
    assert not at.exception
    texts = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert "Runs are not being saved" in texts and str(tmp_path) not in texts
    at.button(key="start").click().run()
    s = at.session_state["dnn_explorer"]
    for _ in range(60):
        if s.run.done:
            break
        at.run()
    assert s.run.done and not at.exception
    at.switch_page("views/runs.py").run()
    assert not at.exception


def _fill_up(store):
    """SQLite's own "database or disk is full" (SQLITE_FULL): no page may be added to the file."""
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _cap(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    return _cap


def _make_room(store, cap) -> None:
    event.remove(store.engine, "connect", cap)
    store.engine.dispose()


def test_a_full_disk_says_so_and_the_notice_clears_once_a_save_succeeds(tmp_path, caplog):
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits())
    try:
        cap = _fill_up(store)
        ctl, state = tab(store)
        with caplog.at_level(logging.INFO, logger="dnn_explorer"):
            ctl.start()
            ctl.pause()
        assert state.notices == [("warning", DISK_FULL_MESSAGE)] and "disk is full" in DISK_FULL_MESSAGE
        assert "DiskFull" in caplog.text and "database or disk is full" in caplog.text
        assert ctl.s.run.iteration > 0 and store.runs.list(ALICE) == []
        _make_room(store, cap)
        ctl.step()
        assert store.runs.list(ALICE) and state.notices == [], "the stale notice went with the first good save"
    finally:
        store.close()


def test_enospc_from_the_os_is_disk_full_too(tmp_path, monkeypatch):
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits())
    try:
        def no_space(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(store.runs, "create", no_space)
        ctl, state = tab(store)
        ctl.start()
        assert state.notices == [("warning", DISK_FULL_MESSAGE)]
    finally:
        store.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_postgresql_never_shows_its_host_port_or_user(caplog):
    port = _closed_port()
    url = f"postgresql+psycopg://classroom_admin:s3cret@127.0.0.1:{port}/dnn"
    with caplog.at_level(logging.INFO, logger="dnn_explorer"):
        found, why = open_or_why(lambda: open_store(url), "abcdef12")
    assert found is None and "cannot be reached" in why
    for secret in ("127.0.0.1", str(port), "classroom_admin", "s3cret", "dnn"):
        assert secret not in why, secret
    assert str(port) in caplog.text and "s3cret" not in caplog.text, "the log has the host, never the password"


def test_a_store_going_down_mid_session_is_plain_and_then_clears(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}", Limits())
    try:
        ctl, state = tab(store)
        ctl.start()
        assert store.runs.list(ALICE)
        real = store.runs.save

        def down(*args, **kwargs):
            raise StoreUnavailable(UNAVAILABLE_MESSAGE, detail="connection to 10.0.0.5:5432 refused")

        store.runs.save = down
        ctl.pause()
        [(kind, text)] = state.notices
        assert kind == "warning" and "cannot be reached" in text and "10.0.0.5" not in text
        store.runs.save = real
        ctl.step()
        assert state.notices == []
    finally:
        store.close()


def test_disk_full_is_a_store_unavailable():
    assert issubclass(DiskFull, StoreUnavailable)
