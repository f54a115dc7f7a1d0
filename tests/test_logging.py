"""Issue 18 item 2: the server logs with ``logging``, configured once, with short session ids and no user data."""
from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest

from store import Limits, open_store
from ui import datasets, logs, pacing, settings, store_hooks
from ui.controller import Controller
from ui.session import Session
from ui.store_hooks import StoreState, observe

ALICE = "alice-browser-token-0001"
NAME = "Ada Lovelace's tabby"  # a class name a student typed in the photo builder


@pytest.fixture
def fresh_logger():
    """The app's logger without handlers, restored afterwards (configure() is once per process)."""
    root = logs.logger()
    saved = (root.handlers[:], root.level)
    root.handlers[:] = [h for h in root.handlers if not getattr(h, logs._HANDLER_MARK, False)]
    yield root
    for handler in root.handlers:
        if getattr(handler, logs._HANDLER_MARK, False) and handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved


def test_configure_is_idempotent_and_reads_the_level(fresh_logger, tmp_path):
    path = tmp_path / "server.log"
    env = {logs.LEVEL_ENV: "warning", logs.FILE_ENV: str(path)}
    logs.configure(env)
    logs.configure(env)
    logs.configure({})
    ours = [h for h in fresh_logger.handlers if getattr(h, logs._HANDLER_MARK, False)]
    assert len(ours) == 2, "one terminal handler and one file handler, however often called"
    assert fresh_logger.level == logging.WARNING
    logs.restored_runs("0123456789abcdef", 2, False)  # INFO: below the level
    logs.store_failure("0123456789abcdef", OSError(28, "No space left on device"))
    for handler in ours:
        handler.flush()
    text = path.read_text()
    assert "session 01234567:" in text and "restored" not in text and "errno 28" in text


def test_an_unknown_level_falls_back_to_info(fresh_logger):
    logs.configure({logs.LEVEL_ENV: "chatty"})
    assert fresh_logger.level == logging.INFO


def test_a_store_failure_is_logged_with_a_short_id_and_no_user_data(tmp_path, caplog):
    small = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}", Limits(bytes_per_run=500))
    try:
        ds = datasets.by_key("moons")
        ds = dataclasses.replace(ds, classes=np.array([NAME, "not " + NAME]))
        cfg = settings.make_config(ds.n_x, (5,), {"num_iterations": 50})
        s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=10)
        ctl, state = Controller(s, pacing.TrainingBoard()), StoreState(owner=ALICE)
        ctl.subscribe(lambda event, sess: observe(small, state, event, sess, lambda: 0.0))
        with caplog.at_level(logging.INFO, logger="dnn_explorer"):
            ctl.start()
            ctl.pause()
    finally:
        small.close()
    records = [r for r in caplog.records if r.name == "dnn_explorer.store"]
    assert records and all(f"session {s.id[:8]}:" in r.getMessage() for r in records)
    assert "RunTooLarge" in records[0].getMessage(), "refused from its estimate, before encoding"
    assert s.id not in caplog.text, "the short id only"
    assert "Ada" not in caplog.text and ALICE not in caplog.text


def test_a_foreign_exception_is_logged_by_where_it_was_raised_not_its_message(caplog):
    try:
        raise KeyError(NAME)
    except KeyError as exc:
        with caplog.at_level(logging.INFO, logger="dnn_explorer"):
            logs.store_failure("feedfacecafe", exc)
    assert "KeyError: at test_logging.py" in caplog.text and "Ada" not in caplog.text


def test_refused_uploads_and_restored_runs_have_one_call_helpers(caplog):
    with caplog.at_level(logging.INFO, logger="dnn_explorer"):
        logs.refused_upload("zip", "over 200 MB", "abcdef0123456789")
        logs.restored_runs("abcdef0123456789", 3, True)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["session abcdef01: refused zip upload: over 200 MB",
                     "session abcdef01: restored 3 run(s), the latest continues training"]
    assert logs.short_id(None) == "-" and logs.short_id("<script>") == "c", "only hex digits pass"


def test_a_restore_is_logged(tmp_path, caplog):
    st_ = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}", Limits())
    try:
        ds = datasets.by_key("moons")
        cfg = settings.make_config(ds.n_x, (5,), {"num_iterations": 50})

        def tab():
            s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=10)
            ctl, state = Controller(s, pacing.TrainingBoard()), StoreState(owner=ALICE)
            ctl.subscribe(lambda event, sess: observe(st_, state, event, sess, lambda: 0.0))
            return ctl, state

        ctl, _ = tab()
        ctl.start()
        ctl.pause()
        again, state = tab()
        with caplog.at_level(logging.INFO, logger="dnn_explorer"):
            store_hooks.first_run(again, st_, state, None, returning=True)
    finally:
        st_.close()
    assert f"session {again.s.id[:8]}: restored 1 run(s)" in caplog.text
