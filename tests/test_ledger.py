"""The server's memory ledger (issue 22.4): live sessions' runs held under DNN_MEMORY_TOTAL_MB together."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field

import numpy as np
import pytest

import dnn
from dnn.config import memory_budget_bytes
from ui import ledger, settings
from ui.ledger import MB, MemoryLedger


@dataclass
class FakeSession:
    id: str
    junk: list = field(default_factory=list)


def test_three_sessions_at_the_per_session_budget_are_held_under_the_total():
    budget = memory_budget_bytes()
    book = MemoryLedger(int(2.5 * budget))
    book.reserve("a", budget)
    book.reserve("b", budget)
    with pytest.raises(ValueError, match="short of memory") as refused:
        book.reserve("c", budget)
    assert "Try a smaller network" in str(refused.value)
    assert book.held() == 2 * budget <= book.total and book.held("c") == 0
    book.reserve("a", budget // 4)  # a's next run replaces its reservation
    book.reserve("c", budget)
    book.release("b")
    assert book.held() == budget // 4 + budget


def test_a_session_that_ends_frees_its_reservation():
    book = MemoryLedger(100 * MB)
    session = FakeSession("gone")
    book.reserve(session.id, 80 * MB)
    book.watch(session, session.id)
    book.watch(session, session.id)  # once per key
    with pytest.raises(ValueError):
        book.reserve("next", 30 * MB)
    del session
    gc.collect()
    assert book.held() == 0
    book.reserve("next", 30 * MB)


def test_admit_counts_the_trainer_and_the_drawing():
    config = settings.make_config(12288, (20, 7, 5))
    X, X_test = np.zeros((12288, 209)), np.zeros((12288, 50))
    need = ledger.run_bytes(config, 209, 50, settings.memory_settings(config))
    trainer = dnn.estimate_memory_bytes(config.layer_dims, 209, config.dtype, 50, **settings.memory_settings(config))
    assert need == trainer + ledger.drawing_bytes(config.layer_dims)
    assert ledger.drawing_bytes((12288, 20, 7, 5, 1)) == 4 * 8 * dnn.parameter_count((12288, 20, 7, 5, 1))
    book = MemoryLedger(need + 1)
    s1, s2 = FakeSession("one"), FakeSession("two")
    ledger.admit(book, s1, config, X, X_test)
    with pytest.raises(ValueError, match="short of memory"):
        ledger.admit(book, s2, config, X, None)
    ledger.admit(book, s1, config, X, X_test)  # the same session again: replaced, not added
    assert book.held() == need


def test_the_total_from_the_environment_and_the_machine(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        8000000 kB\nMemFree:         100 kB\n")
    assert ledger.total_bytes({}, meminfo) == (8000000 // 1024 // 2) * MB
    assert ledger.total_bytes({}, tmp_path / "missing") == ledger.FALLBACK_TOTAL_MB * MB
    assert ledger.total_bytes({"DNN_MEMORY_TOTAL_MB": "3000"}, meminfo) == 3000 * MB
    for bad in ("0", "-5", "lots", "nan"):
        with pytest.raises(ValueError, match="DNN_MEMORY_TOTAL_MB"):
            ledger.total_bytes({"DNN_MEMORY_TOTAL_MB": bad}, meminfo)
    with pytest.raises(ValueError):
        MemoryLedger(0)


def test_a_bad_total_is_logged_once_and_the_default_used(monkeypatch, caplog):
    """An operator's typo in DNN_MEMORY_TOTAL_MB must not fail every page: the process ledger logs it and keeps
    the machine's default."""
    monkeypatch.setenv("DNN_MEMORY_TOTAL_MB", "lots")
    ledger.process_ledger.clear()
    with caplog.at_level("ERROR", logger="dnn_explorer"):
        book = ledger.process_ledger()
    assert book.total == ledger.total_bytes({})
    assert any("DNN_MEMORY_TOTAL_MB='lots'" in r.getMessage() for r in caplog.records)
    ledger.process_ledger.clear()
