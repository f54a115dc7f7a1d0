"""Per-browser-session state: the active dataset, the config, the current run and the run history.

Pages read and write state only through these functions, so the keys live in
one place.  Nothing here is shared between sessions except the read-only
datasets cached by ``st.cache_resource``.
"""
from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import streamlit as st

import dnn
from dnn.data import Dataset, catvnoncat_dataset, find_data_dir
from dnn.synthetic import synthetic_dataset

DATASET, CONFIG, RUN, RUNS, RUNNING, ARCHIVED = "dataset", "config", "run", "runs", "running", "archived"
SESSION_ID = "session_id"


@dataclass(frozen=True)
class RunRecord:
    """A finished (or abandoned) run, kept for overlaying cost curves."""

    label: str
    config: dnn.TrainConfig
    dataset: str
    status: str
    history: dnn.History
    train_acc: float
    test_acc: float


@st.cache_resource(show_spinner="Loading the course's cat images…")
def _course_data() -> Dataset | None:
    return catvnoncat_dataset() if find_data_dir() else None


@st.cache_resource(show_spinner="Drawing the synthetic cartoon cats…")
def _synthetic_data() -> Dataset:
    return synthetic_dataset(seed=0)


class TrainingBoard:
    """What the sessions of one server process share about training: a turn and a head count.

    All sessions share one Python process, and a training slice is many small NumPy calls that
    hold the GIL; eight at once starved the server's event loop (pages stopped updating, a new
    visitor waited over 30 s).  One slice at a time keeps the server responsive and shares the
    CPU between the sessions; a lone user never waits.  The head count lets each live view
    refresh less often when many people train, so their browsers (and a teacher's laptop
    running several) are not swamped either.
    """

    ACTIVE_SECONDS = 2.0

    def __init__(self) -> None:
        self._lock, self._count_lock = threading.Lock(), threading.Lock()
        self._last_tick: dict[str, float] = {}

    @contextmanager
    def turn(self, wait: float = 0.05) -> Iterator[bool]:
        """Yield True when this session may train a slice now, False when another one is training."""
        got = self._lock.acquire(timeout=wait)
        try:
            yield got
        finally:
            if got:
                self._lock.release()

    def tick(self, session: str, running: bool) -> int:
        """Note whether ``session`` is training now; return how many sessions trained recently."""
        now = time.monotonic()
        with self._count_lock:
            if running:
                self._last_tick[session] = now
            else:
                self._last_tick.pop(session, None)
            for key in [k for k, t in self._last_tick.items() if now - t > self.ACTIVE_SECONDS]:
                del self._last_tick[key]
            return len(self._last_tick)


@st.cache_resource
def training_board() -> TrainingBoard:
    """One board per server process, shared by all sessions."""
    return TrainingBoard()


def session_key() -> str:
    """A random id for this browser session (for the shared board only)."""
    return st.session_state.setdefault(SESSION_ID, uuid.uuid4().hex)


def course_data_found() -> bool:
    return _course_data() is not None


def course_dataset() -> Dataset | None:
    """The course's cat data found on disk (cached), or None."""
    return _course_data()


def synthetic_data() -> Dataset:
    """The embedded synthetic cat images (cached)."""
    return _synthetic_data()


def default_dataset() -> Dataset:
    """The course's cat data when found on disk, else the embedded synthetic images."""
    return _course_data() or _synthetic_data()


def get_dataset() -> Dataset:
    if DATASET not in st.session_state:
        st.session_state[DATASET] = default_dataset()
    return st.session_state[DATASET]


def set_dataset(dataset: Dataset) -> None:
    """Switch data; the current run no longer fits it, so it is archived and dropped."""
    archive_run()
    set_run(None)
    set_running(False)
    st.session_state[DATASET] = dataset
    cfg = get_config()
    dims = (dataset.n_x, *cfg.layer_dims[1:])
    set_config(dnn.TrainConfig(**{**_fields(cfg), "layer_dims": dims}))


def _fields(cfg: dnn.TrainConfig) -> dict:
    return {k: getattr(cfg, k) for k in cfg.__dataclass_fields__}


def get_config() -> dnn.TrainConfig:
    if CONFIG not in st.session_state:
        st.session_state[CONFIG] = dnn.TrainConfig(layer_dims=(get_dataset().n_x, 20, 7, 5, 1))
    return st.session_state[CONFIG]


def set_config(config: dnn.TrainConfig) -> None:
    st.session_state[CONFIG] = config


def get_run() -> dnn.Trainer | None:
    return st.session_state.get(RUN)


def new_run() -> dnn.Trainer:
    """A fresh run of the current config on the current data (ValueError if they do not fit)."""
    archive_run()
    ds, cfg = get_dataset(), get_config()
    run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    st.session_state[RUN] = run
    return run


def set_run(run: dnn.Trainer | None) -> None:
    st.session_state[RUN] = run


def is_running() -> bool:
    return bool(st.session_state.get(RUNNING, False))


def set_running(value: bool) -> None:
    st.session_state[RUNNING] = value


def run_history() -> list[RunRecord]:
    return st.session_state.setdefault(RUNS, [])


def archive_run() -> None:
    """Keep the current run's curve in the history if it did any work; at most once per run."""
    run = get_run()
    if run is None or run.iteration == 0 or st.session_state.get(ARCHIVED) is run:
        return
    test = run.test_accuracy() if run.X_test is not None else float("nan")
    cfg = run.config
    label = f"#{len(run_history()) + 1} {list(cfg.layer_dims[1:-1])} lr={cfg.learning_rate:g} {cfg.init}"
    run_history().append(RunRecord(label, cfg, get_dataset().name, run.status.value,
                                   run.history, run.train_accuracy(), test))
    st.session_state[ARCHIVED] = run
