"""The run controller without Streamlit: every control, the events, the iteration cap and the stale-view guard."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import dnn
from dnn.data import Dataset
from ui import pacing, settings
from ui.controller import EVENTS, Controller, TickResult, figures
from ui.session import Session

CAP = 5


def _points(seed: int = 0, m: int = 40) -> Dataset:
    rng = np.random.RandomState(seed)
    X = rng.randn(2, m)
    y = (X[0] * X[1] > 0).astype(np.int64).reshape(1, m)
    return Dataset("points", X, y, X[:, :10].copy(), y[:, :10].copy(), np.array([b"a", b"b"]), kind="toy")


class Clock:
    """Each call half a second later: every slice measures 0.5 s."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


def make(iterations: int = 200, cap: int | None = CAP, **values) -> tuple[Controller, list[str]]:
    ds = _points()
    cfg = settings.make_config(2, (4,), {"num_iterations": iterations, "learning_rate": 0.5, **values})
    s = Session(dataset=ds, data_key="moons", config=cfg, max_iterations_per_tick=cap)
    ctl = Controller(s, pacing.TrainingBoard(), clock=Clock())
    events: list[str] = []
    ctl.subscribe(lambda event, session: events.append(event))
    return ctl, events


def test_start_trains_one_capped_slice_and_says_so():
    ctl, events = make()
    assert ctl.status == "no run yet" and ctl.start_label == "Start"
    assert ctl.start() is True
    s = ctl.s
    assert s.running and 1 <= s.run.iteration <= CAP and ctl.status == "running"
    assert events == ["start", "tick"]
    assert s.rate == pytest.approx(s.run.iteration / 0.5), "the rate comes from the injected clock"


def test_ticks_advance_by_at_most_the_cap_until_done_then_archive_once():
    ctl, events = make(iterations=40)
    ctl.start()
    s = ctl.s
    ticks = 0
    while s.running:
        before = s.run.iteration
        result = ctl.tick()
        ticks += 1
        assert 1 <= result.trained == s.run.iteration - before <= CAP
        assert ticks <= 40
    assert s.run.iteration == 40 and s.run.status == dnn.Status.DONE and result.finished
    assert events[-1] == "finish" and events.count("finish") == 1
    assert len(s.runs) == 1 and s.runs[0].status == "done"
    assert ctl.start_label == "Train again" and ctl.status == "done"
    assert ctl.tick() == TickResult(), "a finished run does not train"
    ctl.archive()
    assert len(s.runs) == 1, "each run goes to the history once"


def test_pause_stops_exactly_and_a_stale_view_cannot_train():
    ctl, events = make()
    ctl.start()
    s = ctl.s
    drawn_for = s.generation
    ctl.pause()
    at = s.run.iteration
    assert ctl.tick(drawn_for).trained == 0 and ctl.tick().trained == 0
    assert s.run.iteration == at and ctl.status == "paused" and ctl.start_label == "Resume"
    assert events[-1] == "pause"
    ctl.start()
    assert s.run.iteration > at, "Resume continues the same run"
    assert ctl.tick(drawn_for).trained == 0, "a view drawn before Pause and Resume stays idle"


def test_step_is_exactly_one_iteration_with_its_cost_and_change():
    ctl, events = make()
    s = ctl.s
    costs = []
    for k in range(1, 4):
        result = ctl.step()
        assert s.run.iteration == k and not s.running and ctl.status == "paused"
        assert result.iteration == k and result.cost == s.run.cost()
        costs.append(result.cost)
    assert s.last_step.change == pytest.approx(costs[2] - costs[1], rel=1e-12)
    assert events == ["step"] * 3
    cost, train_acc, _ = figures(s.run, s.running)
    assert cost == s.last_step.cost, "the page shows the cost Step computed"


def test_step_after_pause_moves_one_iteration_from_where_it_stopped():
    ctl, _ = make()
    ctl.start()
    ctl.tick()
    ctl.pause()
    at = ctl.s.run.iteration
    ctl.step()
    assert ctl.s.run.iteration == at + 1


def test_reset_keeps_the_run_in_the_history_and_reads_ready():
    ctl, events = make()
    ctl.start()
    old = ctl.s.run
    ctl.reset()
    s = ctl.s
    assert s.run is not old and s.run.iteration == 0 and not s.running
    assert ctl.status == "ready" and ctl.start_label == "Start"
    assert [r.history for r in s.runs] == [old.history] and events[-1] == "reset"
    ctl.reset()
    assert len(s.runs) == 1, "an untrained run is not archived"


def test_delete_runs_drops_only_the_named_history_runs():
    ctl, _ = make()
    for _ in range(3):
        ctl.start()
        ctl.reset()
    labels = [r.label for r in ctl.s.runs]
    assert len(labels) == 3
    current = ctl.s.run
    assert ctl.delete_runs([labels[1], "#9 no such run"]) == 1
    assert [r.label for r in ctl.s.runs] == [labels[0], labels[2]] and ctl.s.run is current
    assert ctl.delete_runs([]) == 0 and len(ctl.s.runs) == 2


def test_a_run_that_cannot_be_made_explains_why():
    ctl, events = make()
    ctl.s.config = dataclasses.replace(ctl.s.config, layer_dims=(3, 4, 1))  # the data has 2 inputs
    assert ctl.start() is False and ctl.s.run is None and not ctl.s.running
    assert "The first layer has 3 inputs" in ctl.s.error and events == []
    assert ctl.step() is None and "3 inputs" in ctl.s.error


def test_changed_settings_start_a_new_run_and_keep_the_old_one():
    ctl, _ = make()
    ctl.step()
    old = ctl.s.run
    ctl.set_config(dataclasses.replace(ctl.s.config, seed=7))
    assert ctl.outdated and ctl.s.run is old and ctl.start_label == "Start"
    ctl.start()
    assert ctl.s.run is not old and ctl.s.run.config.seed == 7
    assert ctl.s.runs[0].config.seed == 1


def test_recording_intervals_alone_are_not_a_new_model():
    ctl, _ = make()
    ctl.step()
    config = ctl.s.config
    ctl.set_config(dataclasses.replace(config, record_every=config.record_every + 1))
    assert ctl.s.config is config and not ctl.outdated


def test_a_live_setting_changes_the_running_run():
    assert settings.LIVE_FIELDS, "dnn.config.LIVE_FIELDS names the settings a running run takes"
    ctl, _ = make()
    ctl.start()
    run = ctl.s.run
    ctl.set_config(dataclasses.replace(ctl.s.config, learning_rate=0.05))
    assert ctl.s.run is run and run.config.learning_rate == 0.05 and not ctl.outdated


def test_adopt_takes_a_loaded_model_as_it_is():
    ctl, events = make()
    ctl.step()
    huge = dnn.TrainConfig(layer_dims=(2, 3, 1), num_iterations=10_000_000)
    loaded = dnn.Trainer(huge, ctl.s.dataset.X_train, ctl.s.dataset.train_y)
    ctl.adopt(loaded)
    s = ctl.s
    assert s.run is loaded and s.config is huge and len(s.runs) == 1 and events[-1] == "adopt"
    assert ctl.start_label == "Start"


def test_switching_data_drops_the_run_and_adapts_the_inputs():
    ctl, events = make()
    ctl.start()
    images = Dataset("imgs", np.zeros((4, 8, 8, 3), np.uint8), np.array([[0, 1, 0, 1]]),
                     np.zeros((2, 8, 8, 3), np.uint8), np.array([[0, 1]]), np.array([b"x", b"y"]))
    ctl.switch_dataset(images, "upload:zip")
    s = ctl.s
    assert s.run is None and not s.running and len(s.runs) == 1 and events[-1] == "switch"
    assert s.config.layer_dims == (192, 4, 1) and s.data_key == "upload:zip" and s.link_data is None


def test_every_event_reaches_every_listener_once():
    ctl, events = make(iterations=10, cap=None)
    ctl.subscribe(ctl.s.listeners[0])  # subscribing twice does not double the calls
    heard = []
    ctl.subscribe(lambda event, session: heard.append((event, session is ctl.s)))
    ctl.start()
    while ctl.s.running:
        ctl.tick()
    ctl.step()  # a finished run: Step starts a new one
    ctl.pause()
    ctl.reset()
    ctl.adopt(dnn.Trainer(ctl.s.config, ctl.s.dataset.X_train, ctl.s.dataset.train_y))
    ctl.switch_dataset(ctl.s.dataset, "moons")
    assert set(events) == set(EVENTS) and [e for e, _ in heard] == events
    assert all(same for _, same in heard)


def test_the_pace_follows_the_head_count():
    ctl, _ = make()
    board = ctl.board = pacing.TrainingBoard(clock=lambda: 0.0)  # everyone ticked at the same instant
    board.tick("someone else", True)
    ctl.start()
    s = ctl.s
    assert s.tick_seconds == pacing.tick_seconds(2)
    assert s.run.iteration == 0, "the first tick only re-paces the view"
    assert ctl.tick().trained >= 1


def test_a_run_that_would_cross_the_servers_memory_total_is_refused_with_the_ledgers_message():
    """ui/ledger.py wired in Controller._new_run: two sessions share one total; the second run is refused
    (no trainer, a plain message), and a first session's new run replaces its own reservation."""
    from ui import datasets, ledger, settings
    from ui.session import Session

    ds = datasets.by_key("moons")
    cfg = settings.make_config(ds.n_x, (50, 50), {"num_iterations": 20})
    need = ledger.run_bytes(cfg, ds.X_train.shape[1], ds.X_test.shape[1], settings.memory_settings(cfg))
    book = ledger.MemoryLedger(int(need * 1.5))
    one = Controller(Session(dataset=ds, data_key="moons", config=cfg), pacing.TrainingBoard(), ledger=book)
    two = Controller(Session(dataset=ds, data_key="moons", config=cfg), pacing.TrainingBoard(), ledger=book)
    assert one.step() is not None and book.held(one.s.id) == need
    assert two.step() is None and two.s.run is None
    assert two.s.error.startswith("The server is short of memory") and book.held(two.s.id) == 0
    one.reset()  # a new run of the same session: its reservation is replaced, not added
    assert book.held() == need
    assert not two.start() and "short of memory" in two.s.error
    one.s = None  # the first session goes: once collected, its memory is the second's
    import gc

    del one
    gc.collect()
    assert two.start() and two.s.run is not None and book.held() == need


def test_a_network_whose_one_iteration_is_too_slow_for_a_shared_server_is_refused(monkeypatch):
    """pacing.check_iteration_seconds guards every new run: the turn is held for a whole iteration."""
    import dnn
    from ui.controller import Controller
    from ui.session import new_session

    s = new_session()
    ctl = Controller(s)
    s.config = dnn.TrainConfig(layer_dims=(s.dataset.n_x, 3, 1), num_iterations=5)
    monkeypatch.setenv("DNN_FLOPS_PER_SECOND", "1000")  # a very slow machine: any image net is too slow
    assert not ctl.start() and s.run is None
    assert "too big for a shared server" in s.error
    monkeypatch.setenv("DNN_MAX_ITERATION_SECONDS", "0")  # 0 turns the check off
    assert ctl.start() and s.run is not None


def test_a_click_in_a_new_script_thread_waits_for_the_slice_being_trained():
    """Streamlit answers a click with a new script thread while the last run's thread may still be inside
    a slice (runner.fastReruns).  Pause must then wait for that slice, so that the page it draws shows the
    iteration the run really stopped at (the browser once showed 816 while the run was at 829), and Step
    never updates a network a slice is updating.  Events, not timings: the slice is held open until the
    test lets it go, and Pause cannot finish before that."""
    import threading

    ctl, _ = make(iterations=1000, cap=20)
    ctl.start()
    run, inside, release = ctl.s.run, threading.Event(), threading.Event()
    real_advance = run.advance

    def held_advance(*args, **kwargs):
        inside.set()
        assert release.wait(timeout=60), "the test lets the slice go"
        return real_advance(*args, **kwargs)

    run.advance = held_advance
    slice_thread = threading.Thread(target=ctl.tick)
    slice_thread.start()
    assert inside.wait(timeout=60)
    seen: list[int] = []
    paused = threading.Event()

    def click_pause() -> None:
        Controller(ctl.s, ctl.board, clock=Clock()).pause()  # the new thread's own controller, same session
        seen.append(ctl.s.run.iteration)
        paused.set()

    click_thread = threading.Thread(target=click_pause)
    click_thread.start()
    assert not paused.wait(timeout=0.5), "Pause went ahead while a slice was still training"
    before = run.iteration
    release.set()
    slice_thread.join(timeout=60)
    click_thread.join(timeout=60)
    assert paused.is_set() and not ctl.s.running
    assert seen == [run.iteration] and run.iteration > before, "Pause shows where the slice left the run"
