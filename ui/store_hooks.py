"""The run store in the app: every run saved as it goes, restored after a reload or a restart, opened by link.

- ``on_event`` is the controller observer: it saves the current run at most every SAVE_SECONDS while it
  trains, and at once when it pauses, steps, finishes, is reset or replaced;
- ``connect(ctl)`` runs on every script run from app.py: it subscribes the observer, and on a session's
  first run restores the browser's runs (the latest becomes the current run and continues if it was
  interrupted while training, unless the page was opened by a link carrying another setup: that setup
  wins and the latest run joins the history) or opens a ``?share=`` link, leaving a notice for
  ``render_notices``.

Everything but the accessors at the bottom takes the store and the session as arguments, so it is tested
without a server.  A store error never stops training: it becomes a notice and the run stays in the page.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import streamlit as st

import dnn
import store as store_lib
from store import LeaseLost, RunTooLarge, Store, StoreError
from store.database import is_disk_full
from store.errors import DISK_FULL_MESSAGE
from ui import datasets, logs, settings
from ui.controller import Controller, controller, current_label, dismiss_listener_notice, listener_problems
from ui.identity import identity
from ui.identity import origin as client_origin
from ui.session import STORE_DISMISS, RunRecord, Session
from ui.text import literal

SAVE_SECONDS = 5.0             # while training, a save at most this often (and on every pause, step, finish)
RESTORE_HISTORY = 10           # past runs whose curves come back into the run history
SHARE_PARAM = "share"
TRAINING_EVENTS = ("start", "tick", "step")
RETRY_SECONDS = 30.0           # a session whose store could not be opened tries again at most this often
SAVE_FAILED = ("Your run could not be saved because of a problem on the server (its log says what); it stays "
               "in this page, and saving is tried again as it trains.")
STORE_FAILED = ("The server cannot open its run store (its log says why), so runs are not saved; everything "
                "else works. Tell whoever runs the server.")


@dataclass
class StoreState:
    """This session's link to the store: who it is, its lease, and which stored row the current run is."""

    owner: str
    origin: str | None = None          # the client address's digest: new runs count against its hourly cap
    lease: str = field(default_factory=store_lib.new_token)
    run: dnn.Trainer | None = None     # the run being saved
    run_id: str | None = None          # its row (None: not stored yet)
    dirty: bool = False                # trained since it was adopted or last saved
    saved_at: float = float("-inf")    # clock() when the last save was handed to the writer
    pending: Future | None = None      # the save being written in the background
    incoming: tuple[dnn.Trainer, str | None] | None = None  # a stored run about to be adopted, and its row
    blocked: dnn.Trainer | None = None  # a run another tab took over: never saved from here again
    too_big: dnn.Trainer | None = None  # a run over the per-run cap: never encoded or sent again
    restored: bool = False
    offline: bool = False              # the store could not be opened for this session: do not retry per tick
    offline_at: float = float("-inf")  # clock() when it last failed to open
    notices: list[tuple[str, str]] = field(default_factory=list)  # (kind, plain text)
    stale: set[tuple[str, str]] = field(default_factory=set)  # notices a successful save makes untrue

    def notice(self, kind: str, text: str, *, until_saved: bool = False) -> None:
        if (kind, text) not in self.notices:
            self.notices.append((kind, text))
        if until_saved:
            self.stale.add((kind, text))

    def saved_ok(self) -> None:
        """A save went through: notices of failed saves and of an unreachable store no longer hold."""
        if self.stale:
            self.notices[:] = [n for n in self.notices if n not in self.stale]
            self.stale.clear()


@dataclass(frozen=True)
class Outcome:
    """What a background save did, applied to the StoreState by the session's own thread."""

    run: dnn.Trainer
    run_id: str | None
    evicted: tuple[str, ...] = ()
    lease_lost: bool = False
    problem: str | None = None
    too_big: bool = False               # refused for its size: the session stops saving this run


Submit = Callable[[Callable[[], Outcome]], Future]


def run_now(job: Callable[[], Outcome]) -> Future:
    """A Submit that writes in the caller's thread (tests, and a store with no writer)."""
    future: Future = Future()
    future.set_result(job())
    return future


# ----- saving ------------------------------------------------------------------------------
def _status(s: Session, run: dnn.Trainer) -> str:
    return "running" if s.running and not run.done else run.status.value


def problem_text(exc: BaseException) -> str:
    """What a student reads about a failed save: the store's own sentence (it names no host, port or user),
    "disk full" in plain words, or a plain sentence for anything unexpected (the log has the details)."""
    if isinstance(exc, StoreError):
        return str(exc)
    if is_disk_full(exc):
        return DISK_FULL_MESSAGE
    return SAVE_FAILED


def _write(store: Store, owner: str, lease: str, run: dnn.Trainer, run_id: str | None, snap: store_lib.RunSnapshot,
           fields: dict, classes: tuple, session_id: str = "") -> Outcome:
    """Encode and write one save (in the writer thread: no Streamlit, no session access).  Never raises:
    any failure, encoding included, becomes an Outcome with a problem the session shows once."""
    try:
        history = store_lib.history_to_json(snap.history)
        model = store_lib.model_bytes(snap, classes) if snap.iteration > 0 else None
        if run_id is None:
            saved = store.runs.create(owner, lease, history=history, model=model, iteration=snap.iteration,
                                      config=store_lib.config_to_json(snap.config), **fields)
        else:
            saved = store.runs.save(run_id, owner, lease, status=fields["status"], iteration=snap.iteration,
                                    history=history, model=model)
    except LeaseLost as exc:
        return Outcome(run, None, lease_lost=True, problem=str(exc))
    except RunTooLarge as exc:  # the estimate said it fits, the encoding did not: never encoded again
        logs.store_failure(session_id, exc)
        return Outcome(run, run_id, problem=str(exc), too_big=True)
    except Exception as exc:  # the store's refusals, a database fault, a bug in encoding: all the same here
        logs.store_failure(session_id, exc)
        return Outcome(run, run_id, problem=problem_text(exc))
    return Outcome(run, saved.run_id, saved.evicted)


def settle(store: Store, state: StoreState, wait: bool, session_id: str = "") -> None:
    """Apply a finished background save (waiting for it when ``wait``).  The future is taken off the state
    before its result is read, so a failure is reported once and never raised again."""
    if state.pending is None or not (wait or state.pending.done()):
        return
    future, state.pending = state.pending, None
    try:
        outcome: Outcome = future.result()
    except Exception as exc:  # the writer itself failed (a job that raised, a pool shut down)
        logs.store_failure(session_id, exc)
        state.notice("warning", problem_text(exc), until_saved=True)
        return
    if outcome.too_big:
        state.too_big = outcome.run
    if outcome.lease_lost:
        state.blocked = outcome.run
        if outcome.run is state.run:
            state.run_id = None
    elif outcome.run is state.run and outcome.run_id is not None:
        state.run_id = outcome.run_id
    if outcome.problem:
        state.notice("warning", outcome.problem, until_saved=not (outcome.lease_lost or outcome.too_big))
    elif not outcome.lease_lost:
        state.saved_ok()
    if outcome.evicted:
        state.notice("info", f"To make room, {len(outcome.evicted)} older unshared run(s) of this browser were "
                             f"removed (the store keeps at most {store.runs.limits.runs_per_owner} runs per browser, "
                             "and this server's store has a total size).")


def save(store: Store, state: StoreState, s: Session, run: dnn.Trainer, run_id: str | None,
         clock: Callable[[], float], submit: Submit) -> None:
    """Hand a save of ``run`` (a new row when ``run_id`` is None) to the writer."""
    if run is state.blocked or run is state.too_big or (run_id is None and (run.iteration == 0 or not state.dirty)):
        return  # nothing of the user's work yet, a shared run only viewed, or one the store cannot take
    try:  # the per-run cap, from the parameter count and history length: a run over it is never encoded
        store.runs.check_size(store_lib.estimate_bytes(run.config, run.history))
    except RunTooLarge as exc:
        state.too_big = run
        logs.store_failure(s.id, exc)
        state.notice("warning", str(exc))
        return
    fields: dict[str, Any] = {"status": _status(s, run)}
    if run_id is None:
        fields.update(label=current_label(s, run), dataset=s.data_key, origin=state.origin)
    snap, classes = store_lib.snapshot(run), tuple(s.dataset.class_names)
    state.dirty, state.saved_at = False, clock()
    state.pending = submit(partial(_write, store, state.owner, state.lease, run, run_id, snap, fields, classes, s.id))
    settle(store, state, wait=False, session_id=s.id)  # already written when the writer is synchronous


def observe(store: Store, state: StoreState, event: str, s: Session,
            clock: Callable[[], float] = time.monotonic, submit: Submit = run_now) -> None:
    """React to a controller event: flush a run that was replaced, then save the current one when due.

    Saves are encoded and written by ``submit``'s thread (about 0.2 s for the five-layer course net),
    so training never waits for them; a tick skips its save while the previous one is still being written,
    any other event waits for it (a pause, a reset, a finish must be on disk)."""
    settle(store, state, wait=event != "tick", session_id=s.id)
    if state.run is not s.run:
        if state.run is not None and (state.dirty or state.run_id is not None):
            save(store, state, s, state.run, state.run_id, clock, submit)
            settle(store, state, wait=True, session_id=s.id)
        incoming = state.incoming if state.incoming is not None and state.incoming[0] is s.run else (s.run, None)
        state.run, state.run_id, state.dirty, state.incoming = s.run, incoming[1], False, None
    run = s.run
    if run is None or event == "adopt":
        return
    if event in TRAINING_EVENTS:
        state.dirty = True
    if event == "start":
        return  # the first slice follows at once and saves
    if event == "tick" and not run.done and (clock() - state.saved_at < SAVE_SECONDS or state.pending is not None):
        return
    if state.run_id is None and state.pending is not None:
        settle(store, state, wait=True, session_id=s.id)  # the row is being created: this save updates it
    save(store, state, s, run, state.run_id, clock, submit)


# ----- restoring -----------------------------------------------------------------------------
def _last(values: list[float]) -> float:
    return float(values[-1]) if values else float("nan")


def _record(stored: store_lib.StoredRun) -> RunRecord:
    """A past run for the run history: its curves and last recorded accuracies (no network is rebuilt)."""
    try:
        config, history = store_lib.config_from_json(stored.config), store_lib.history_from_json(stored.history)
    except ValueError as exc:
        raise store_lib.CorruptRecord(f"The stored run “{stored.summary.label}” cannot be shown: {exc}.") from None
    return RunRecord(stored.summary.label, config, stored.summary.dataset, stored.summary.status, history,
                     _last(history.train_acc), _last(history.test_acc))


def _dataset_for(ctl: Controller, stored: store_lib.StoredRun):
    """The session's own dataset when the run was trained on it (it may carry a toy set's options), else the
    one its key names; StoreError when this server does not have it."""
    key = stored.summary.dataset
    ds = ctl.s.dataset if key == ctl.s.data_key else datasets.by_key(key)
    if ds is None:
        raise StoreError(f"The run “{stored.summary.label}” was trained on data this page no longer has "
                         f"({key}); load that data again to continue it.")
    return ds


def adopt_stored(ctl: Controller, store: Store, state: StoreState, stored: store_lib.StoredRun, *,
                 own: bool) -> dnn.Trainer:
    """Make a stored run the current run (switching to its dataset); ``own`` runs keep saving to their row."""
    ds = _dataset_for(ctl, stored)
    run = store_lib.restore_trainer(stored, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    key = stored.summary.dataset
    if key != ctl.s.data_key:
        ctl.switch_dataset(ds, key)
    if own:
        store.runs.adopt(stored.summary.id, state.owner, state.lease)
    state.incoming = (run, stored.summary.id if own else None)  # the observer flushes the current run first
    ctl.adopt(run)
    return run


def resumes(ctl: Controller, stored: store_lib.StoredRun, keep_setup: bool) -> bool:
    """Whether the browser's latest run becomes the current run: always on a bare address; under a link that
    carries a setup only when it is that setup (a reload: the address bar holds the current run's setup)."""
    if not keep_setup:
        return True
    try:
        config = store_lib.config_from_json(stored.config)
    except ValueError:
        return False  # it cannot be shown anyway: _record says why
    return stored.summary.dataset == ctl.s.data_key and settings.same_model(config, ctl.s.config)


def restore(ctl: Controller, store: Store, state: StoreState, keep_setup: bool = False) -> None:
    """A returning browser's runs: the latest becomes current (continuing if it was training), earlier
    ones come back as curves in the run history.  ``keep_setup`` (the page was opened by a link carrying a
    setup): the link's setup stays, and the latest run joins the history too unless it is that setup."""
    summaries = store.runs.list(state.owner)
    if not summaries:
        return
    current, latest, problems, restored = None, None, [], 0
    for summary in summaries[:RESTORE_HISTORY]:
        try:
            stored = store.runs.load(summary.id, state.owner)
            if latest is None:
                latest = stored
                if resumes(ctl, stored, keep_setup):
                    adopt_stored(ctl, store, state, stored, own=True)
                    current = stored
                else:
                    ctl.s.runs.insert(0, _record(stored))
            else:
                ctl.s.runs.insert(0, _record(stored))
            restored += 1
        except StoreError as exc:
            logs.store_failure(ctl.s.id, exc, "restore")
            problems.append(str(exc))
        except Exception as exc:  # one bad row must not stop the others
            logs.store_failure(ctl.s.id, exc, "restore")
            problems.append("One of your stored runs could not be brought back (the server's log says why).")
    interrupted = latest is not None and latest.summary.status == "running"
    if restored:
        logs.restored_runs(ctl.s.id, restored, interrupted)
        runs = "1 run was" if restored == 1 else f"{restored} runs were"
        if current is None and keep_setup:
            state.notice("info", f"Welcome back: {runs} restored into the run history (My runs lists them all). "
                                 "This page opened the setup in its link; open a stored run in My runs to continue it.")
        else:
            state.notice("info", f"Welcome back: {runs} restored from the store (My runs lists them all).")
    if interrupted and latest is not None:
        total = latest.config.get("num_iterations", "?")
        lost = (f"Your run “{latest.summary.label}” was training when this page lost its server (a reload, or the "
                f"server restarted) at iteration {latest.summary.iteration} of {total}.")
        if current is not None:
            state.notice("warning", f"{lost} It continues from its last saved state.")
            ctl.start()
        else:
            state.notice("warning", f"{lost} The link you opened asks for another setup, so that run waits in My "
                                    "runs: open it there to continue it.")
    for text in problems:
        state.notice("error", text)


def open_share(ctl: Controller, store: Store, state: StoreState, token: str) -> None:
    """Open someone's shared run read-only: it becomes this tab's current run; the owner's row is never written."""
    stored = store.runs.open_shared(token)
    adopt_stored(ctl, store, state, stored, own=False)
    state.notice("info", f"You are looking at a shared run, “{stored.summary.label}” (iteration "
                         f"{stored.summary.iteration}). Inspect, Results and Your photo use it. The owner's copy "
                         "stays as it is: if you train it further, that becomes a run of your own.")


def first_run(ctl: Controller, store: Store, state: StoreState, share_token: str | None, returning: bool,
              keep_setup: bool = False) -> None:
    """What a new session does once: open a share link, or bring a returning browser's runs back (keeping
    the setup of the link the page was opened with when ``keep_setup``)."""
    state.restored = True
    try:
        if share_token:
            open_share(ctl, store, state, share_token)
        elif returning:
            restore(ctl, store, state, keep_setup)
    except Exception as exc:  # a store that fails here leaves the page working, without what it would restore
        logs.store_failure(ctl.s.id, exc, "share link" if share_token else "restore")
        state.notice("error", problem_text(exc) if not isinstance(exc, StoreError) else str(exc))


# ----- Streamlit accessors ---------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def run_store() -> Store:
    """The process's store (DATABASE_URL, or SQLite in the data folder), migrated on first use."""
    return store_lib.open_store()


def open_or_why(opener: Callable[[], Store], session_id: str | None = None) -> tuple[Store | None, str | None]:
    """(the store, None), or (None, a plain sentence why not): ANY failure to open it (a folder that cannot be
    created, a database that is down, a full disk, a bad DATABASE_URL) is logged with its details, and the
    page's sentence names no host, port, user or path."""
    try:
        return opener(), None
    except Exception as exc:
        logs.store_offline(session_id, exc)
        if isinstance(exc, StoreError) or is_disk_full(exc):
            return None, problem_text(exc)
        if type(exc) is ValueError:  # a setting the operator wrote (DATABASE_URL, DNN_STORE_*): says which
            return None, str(exc)
        return None, STORE_FAILED


def current_store(session_id: str | None = None) -> tuple[Store | None, str | None]:
    """(the store, None), or (None, why it cannot be used): the app then works without saving."""
    return open_or_why(run_store, session_id)


def state_of(s: Session) -> StoreState:
    """This session's StoreState (created on first use, for this browser's identity)."""
    if s.store is None:
        s.store = StoreState(owner=identity(s).token, origin=client_origin())
    return s.store


@st.cache_resource(show_spinner=False)
def writer() -> ThreadPoolExecutor:
    """One writer thread per server process: saves are encoded and written off the training thread, in order."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="dnn-store-writer")


def retry_offline(state: StoreState, event: str, s: Session, opener: Callable[[], tuple[Store | None, str | None]],
                  clock: Callable[[], float] = time.monotonic) -> Store | None:
    """The store for a session that could not open it: tried again on a control (never a tick), at most every
    RETRY_SECONDS; once it opens, the "not saved" notice goes and saving resumes."""
    if event == "tick" or clock() - state.offline_at < RETRY_SECONDS:
        return None
    found, _ = opener()
    if found is None:
        state.offline_at = clock()
        return None
    state.offline = False
    state.saved_ok()
    return found


def on_event(event: str, s: Session) -> None:
    """The controller observer (subscribed by ``connect``)."""
    state = state_of(s)
    if state.offline:
        found = retry_offline(state, event, s, lambda: current_store(s.id))
    else:
        found, _ = current_store(s.id)
    if found is not None:
        observe(found, state, event, s, submit=writer().submit)


def connect(ctl: Controller, keep_setup: bool = False) -> None:
    """Every script run, from app.py: keep the browser's cookie, subscribe the saver, restore once.
    ``keep_setup``: this first run opened a link carrying a setup, which wins over the latest stored run."""
    with st.sidebar:  # the cookie script, if any, out of the page's flow
        me = identity(ctl.s)
    state = state_of(ctl.s)
    ctl.subscribe(on_event)
    if state.restored:
        return
    found, problem = current_store(ctl.s.id)
    if found is None:
        state.restored = state.offline = True
        state.offline_at = time.monotonic()
        state.notice("warning", f"Runs are not being saved: {problem}", until_saved=True)
        return
    first_run(ctl, found, state, st.query_params.get(SHARE_PARAM), me.returning, keep_setup)


def dismiss_notices() -> None:
    s = controller().s
    state_of(s).notices.clear()
    state_of(s).stale.clear()
    dismiss_listener_notice(s)


def render_notices(s: Session) -> None:
    """The store's notices (restored runs, an interrupted run, a refused save) and the controller's notice of
    a failing listener (``controller.listener_problems(s).notice``), until dismissed."""
    state = state_of(s)
    listener_notice = listener_problems(s).notice
    if not state.notices and not listener_notice:
        return
    show = {"info": st.info, "warning": st.warning, "error": st.error}
    for kind, text in state.notices:
        show[kind](literal(text, limit=600), icon=":material/cloud_done:" if kind == "info" else None)
    if listener_notice:
        st.warning(literal(listener_notice, limit=600))
    st.button("Dismiss", key=STORE_DISMISS, on_click=dismiss_notices)
