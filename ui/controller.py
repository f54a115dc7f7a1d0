"""The run controller: start, pause, step, reset, tick, adopt a loaded model, switch dataset.

Plain methods on a ``Session``; no Streamlit calls here except in the accessors at the bottom, so the
whole lifecycle is unit-tested directly.  Listeners (``subscribe``) hear every event as
``fn(event, session)``; the event names are ``EVENTS``.
"""
from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st

import dnn
from dnn.data import Dataset
from ui import ledger as ledger_lib
from ui import logs, pacing, settings
from ui.session import Listener, RunRecord, Session, StepResult, session

EVENTS = ("start", "tick", "pause", "step", "reset", "finish", "adopt", "switch")
LISTENER_NOTICE = ("Something behind this page failed (saving your runs, or another helper), so it may not "
                   "have done its part. Your run goes on in this page. If this keeps happening, tell whoever "
                   "runs the server: the server's log says what failed.")


@dataclass
class ListenerProblems:
    """Listener failures of one session: the notice the pages show once (until dismissed) and which
    (listener, exception type) pairs were already logged, so a listener failing every tick logs once."""

    notice: str | None = None
    logged: set[tuple[str, str]] = field(default_factory=set)
    count: int = 0


def listener_problems(s: Session) -> ListenerProblems:
    """This session's ListenerProblems (``Session.listener_problems``, created on first use)."""
    if s.listener_problems is None:
        s.listener_problems = ListenerProblems()
    return s.listener_problems


def listener_failed(s: Session, event: str, listener: Listener, exc: Exception) -> None:
    """Log a failing listener (once per listener and kind of failure) and leave the page one plain notice."""
    problems = listener_problems(s)
    problems.count += 1
    name = getattr(listener, "__qualname__", None) or type(listener).__name__
    if (name, type(exc).__name__) not in problems.logged:
        problems.logged.add((name, type(exc).__name__))
        logs.listener_failure(s.id, event, listener, exc)
        problems.notice = LISTENER_NOTICE


def dismiss_listener_notice(s: Session) -> None:
    """The user has read the notice; a later failure of a listener not yet logged brings it back."""
    listener_problems(s).notice = None


F = TypeVar("F", bound=Callable[..., Any])


def exclusive(method: F) -> F:
    """One control or slice at a time per session (``Session.lock``).

    Streamlit's fast reruns (``runner.fastReruns``, on by default) answer a click with a new script thread
    while the thread of the run before may still be inside a slice of training: without the lock, Pause
    drew the iteration reached before that slice ended (the sidebar, drawn later, showed the newer one),
    and Step or Reset could change a network the slice was still updating.  A slice is short (its time
    slice, then the listeners), so a click waits at most that long."""
    @functools.wraps(method)
    def locked(self: Controller, *args: Any, **kwargs: Any) -> Any:
        with self.s.lock:
            return method(self, *args, **kwargs)
    return locked  # type: ignore[return-value]


@dataclass(frozen=True)
class TickResult:
    """What one tick did: iterations trained, whether the run just ended, whether the pace changed
    (the live view must then be redrawn with the new refresh interval)."""

    trained: int = 0
    finished: bool = False
    repace: bool = False


class Controller:
    """The run lifecycle of one session.  ``board`` is the server's shared TrainingBoard; ``clock`` measures
    the iterations per second (injected so tests control it); ``ledger`` holds the server's sessions' memory
    under one total (ui/ledger.py: a run that would cross DNN_MEMORY_TOTAL_MB is refused; None: no total)."""

    def __init__(self, session: Session, board: pacing.TrainingBoard | None = None,
                 clock: Callable[[], float] = time.perf_counter,
                 ledger: ledger_lib.MemoryLedger | None = None) -> None:
        self.s = session
        self.board = board if board is not None else pacing.TrainingBoard()
        self.clock = clock
        self.ledger = ledger

    # ----- observers ---------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event, session)`` after every event of this session (once, however often added)."""
        if listener not in self.s.listeners:
            self.s.listeners.append(listener)

    def _emit(self, event: str) -> None:
        """Tell every listener; one that raises is logged and noted, never stops training or the page."""
        for listener in list(self.s.listeners):
            try:
                listener(event, self.s)
            except Exception as exc:  # any listener, the store's or a future one: isolate it
                listener_failed(self.s, event, listener, exc)

    # ----- what the page shows -------------------------------------------------------
    @property
    def status(self) -> str:
        """ready / running / paused / done / diverged, or "no run yet"."""
        if self.s.run is None:
            return "no run yet"
        return "running" if self.s.running else self.s.run.status.value

    @property
    def start_label(self) -> str:
        """Start, Resume on a paused run, Train again on a finished one."""
        run = self.s.run
        if run is None or self.s.running or not settings.same_model(run.config, self.s.config):
            return "Start"
        if run.done:
            return "Train again"
        return "Resume" if run.iteration > 0 else "Start"

    @property
    def outdated(self) -> bool:
        """The Model settings changed since the current run started."""
        return self.s.run is not None and not settings.same_model(self.s.run.config, self.s.config)

    # ----- controls ----------------------------------------------------------------
    @exclusive
    def set_config(self, config: dnn.TrainConfig) -> None:
        """The Model page's new settings; a run that can take the change live takes it."""
        s = self.s
        if settings.same_model(config, s.config):
            return
        run = s.run
        changes = None if run is None or run.done else settings.live_changes(run.config, config)
        if changes and run is not None:
            run.update_config(**changes)
            config = run.config
        s.config = config

    @exclusive
    def start(self) -> bool:
        """Train (a new run when there is none, it is over or the settings changed); False with
        ``session.error`` set when the settings cannot make a run."""
        s = self.s
        run = s.run
        if run is None or run.done or self.outdated:
            run = self._new_run()
            if run is None:
                return False
        self._control()
        run.resume()
        s.running = True
        self._emit("start")
        self.tick()  # the first slice right away: the page then opens on progress instead of waiting a tick
        return True

    @exclusive
    def queue(self, configs: Sequence[dnn.TrainConfig]) -> bool:
        """Train ``configs`` one after the other, each from iteration 0: the first now, each next one as
        the run before it finishes (a comparison that ends with every run on the charts).  False, with
        ``session.error`` set and nothing queued, when the first cannot make a run."""
        configs = list(configs)
        if not configs:
            raise ValueError("A queue needs at least one config.")
        s = self.s
        self._control()
        s.running = False
        s.queue = []
        s.config = configs[0]
        run = self._new_run()
        if run is None:
            return False
        s.queue = configs[1:]
        run.resume()
        s.running = True
        self._emit("start")
        return True

    @exclusive
    def pause(self) -> None:
        s = self.s
        self._control()
        s.running = False
        if s.run is not None:
            s.run.pause()
        self._emit("pause")

    @exclusive
    def step(self) -> StepResult | None:
        """Exactly one iteration; the run stays paused.  None when the settings cannot make a run."""
        s = self.s
        self._control()
        s.running = False
        run = s.run
        if run is None or run.done or self.outdated:
            run = self._new_run()
            if run is None:
                return None
        run.pause()
        before = run.cost()
        run.step()
        after = run.cost()
        s.last_step = StepResult(run.iteration, after, after - before)
        self._emit("step")
        if run.done:
            self._finish()
        return s.last_step

    @exclusive
    def reset(self) -> None:
        """Keep the current run in the history and start over at iteration 0 (status ready)."""
        s = self.s
        self._control()
        s.running, s.queue = False, []
        self.archive()
        self._new_run()
        self._emit("reset")

    @exclusive
    def tick(self, generation: int | None = None) -> TickResult:
        """One live-view tick: train a slice if this session is running and it is its turn.

        ``generation`` is the one the live view was drawn with: a view drawn before the last control
        (a stale timer) does not train."""
        s, run = self.s, self.s.run
        if generation is not None and generation != s.generation:
            return TickResult()
        active = s.running and run is not None and not run.done
        trainings = self.board.tick(s.id, active)
        if not active or run is None:
            return TickResult()
        pace = pacing.tick_seconds(trainings)
        if pace != s.tick_seconds:
            s.tick_seconds = pace
            return TickResult(repace=True)
        seconds = pacing.slice_seconds(trainings)
        trained = 0
        with self.board.turn(wait=seconds) as mine:
            if mine:
                cap = pacing.slice_iterations(run.config.num_iterations - run.iteration, s.max_iterations_per_tick)
                started = self.clock()
                trained = run.advance(cap, max_seconds=seconds)
                s.rate = trained / max(self.clock() - started, 1e-9)
        self._emit("tick")
        if run.done:
            self._finish()
            return TickResult(trained, finished=True)
        return TickResult(trained)

    @exclusive
    def adopt(self, run: dnn.Trainer) -> None:
        """Make a loaded model the current run (the current one goes to the history); its config is taken
        as it is, even outside the widgets' ranges."""
        s = self.s
        self._control()
        s.running, s.queue = False, []
        self.archive()
        s.run, s.config, s.rate = run, run.config, 0.0
        self._emit("adopt")

    @exclusive
    def switch_dataset(self, dataset: Dataset, key: str) -> None:
        """Use other data; the current run no longer fits it, so it goes to the history and is dropped."""
        s = self.s
        self._control()
        s.running, s.queue = False, []
        self.archive()
        s.run = None
        s.dataset, s.data_key = dataset, key
        s.config = settings.with_inputs(s.config, dataset.n_x)
        self._emit("switch")

    # ----- history -------------------------------------------------------------------
    @exclusive
    def archive(self) -> None:
        """Keep the current run's curve in the history if it did any work; at most once per run."""
        s, run = self.s, self.s.run
        if run is None or run.iteration == 0 or s.archived is run:
            return
        test = run.test_accuracy() if run.X_test is not None else float("nan")
        label = current_label(s)
        s.runs.append(RunRecord(label, run.config, s.dataset.name, run.status.value, run.history,
                                run.train_accuracy(), test))
        s.archived = run

    @exclusive
    def delete_runs(self, labels: Collection[str]) -> int:
        """Drop the history's runs with these labels (the current run is not in the history); how many went."""
        s, doomed = self.s, set(labels)
        before = len(s.runs)
        s.runs[:] = [r for r in s.runs if r.label not in doomed]
        return before - len(s.runs)

    # ----- internals -------------------------------------------------------------------
    def _control(self) -> None:
        self.s.generation += 1
        self.s.error = None

    def _new_run(self) -> dnn.Trainer | None:
        s = self.s
        self.archive()
        try:
            if self.ledger is not None:  # before the trainer allocates: its reservation replaces the last run's
                ledger_lib.admit(self.ledger, s, s.config, s.dataset.X_train, s.dataset.X_test)
            run = dnn.Trainer(s.config, s.dataset.X_train, s.dataset.train_y, s.dataset.X_test, s.dataset.test_y)
            # After the memory checks (their message says more): one iteration holds the training turn, so a
            # network too slow for one would freeze classmates' runs.
            pacing.check_iteration_seconds(s.config.layer_dims, s.dataset.X_train.shape[1], s.config.batch_size)
        except ValueError as exc:
            if self.ledger is not None:  # no run: the reservation made for it goes (the previous run is archived)
                self.ledger.release(s.id)
            s.error = str(exc)
            return None
        s.run, s.rate, s.last_step = run, 0.0, None
        return run

    def _finish(self) -> None:
        s = self.s
        queued = s.running and bool(s.queue)  # a run stepped to its end does not start the next one
        s.running = False
        self.archive()
        self._emit("finish")
        if queued:
            self._next_in_queue()

    def _next_in_queue(self) -> None:
        """Start the queue's next config (the next tick trains it); a config that cannot make a run ends
        the queue with its reason in ``session.error``."""
        s = self.s
        s.config = s.queue.pop(0)
        run = self._new_run()
        if run is None:
            s.queue = []
            return
        run.resume()
        s.running = True
        self._emit("start")


def current_label(s: Session, run: dnn.Trainer | None = None) -> str:
    """The one name of ``run`` (default: session ``s``'s current run), the same in the run history's table
    and tags, the charts' legend and the store: its history record's label once archived, before that
    ``settings.run_label`` with the next free number (the label archive() will give it)."""
    run = s.run if run is None else run
    for record in s.runs:
        if run is not None and record.history is run.history:
            return record.label
    config = run.config if run is not None else s.config
    return settings.run_label(settings.next_run_number([r.label for r in s.runs]), config)


def figures(run: dnn.Trainer | None, running: bool) -> tuple[float, float, float]:
    """Cost, train and test accuracy to show: the latest records while running, the current network's
    otherwise (so a paused page, the sidebar and the next Step agree)."""
    nan = float("nan")
    if run is None:
        return nan, nan, nan
    if running:
        h = run.history
        return _last(h.costs), _last(h.train_acc), _last(h.test_acc)
    if run.iteration == 0:
        return run.cost(), nan, nan
    test = run.test_accuracy() if run.X_test is not None else nan
    return run.cost(), run.train_accuracy(), test


def _last(values: list[float]) -> float:
    return values[-1] if values and math.isfinite(values[-1]) else float("nan")


@st.cache_resource
def shared_board() -> pacing.TrainingBoard:
    """One board per server process, shared by all sessions."""
    return pacing.TrainingBoard()


def controller() -> Controller:
    """This tab's controller, on the server's shared training board and memory ledger."""
    return Controller(session(), shared_board(), ledger=ledger_lib.process_ledger())
