"""The one home of a browser tab's state: a typed ``Session`` under ONE ``st.session_state`` key.

Every session-state key of the app is defined here, the widget keys too (as named constants), so no page
invents one.  ``session()`` creates the Session on a tab's first run.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

import dnn
from dnn.data import Dataset
from ui import datasets, pacing, settings

if TYPE_CHECKING:  # the owners of these types import this module: no import at run time, no cycle
    from ui.board_link import BoardLink
    from ui.controller import ListenerProblems
    from ui.identity import Identity
    from ui.learning import ViewState
    from ui.lessons_progress import LessonView
    from ui.photo_builder import BuilderState
    from ui.store_hooks import StoreState
    from ui.toy_link import ToyOptions
    from ui.train_view import Announcer, SpeedBucket

SESSION_KEY = "dnn_explorer"

# ----- dataset keys: stable names, never guessed from a display name ------------------
# Link names (settings.DATA_CHOICES) for built-in data; these for data the user brought.
COURSE_UPLOAD, ZIP_UPLOAD = "upload:course", "upload:zip"

# ----- widget keys -------------------------------------------------------------------
START, PAUSE, STEP, RESET = "start", "pause", "step", "reset"
HISTORY_RUNS, HISTORY_CHART, COST_CHART, COST_CHART_SPEC, BOUNDARY_CHART = (
    "history_runs", "history_chart", "cost_chart", "cost_chart_spec", "boundary_chart")
DATASET_CHOICE, TOY_NAME, UPLOAD_TRAIN_H5, UPLOAD_TEST_H5, UPLOAD_ZIP = (
    "dataset_choice", "toy_name", "upload_train_h5", "upload_test_h5", "upload_zip")
BROWSE_SPLIT, BROWSE_PAGE, TOY_SCATTER = "browse_split", "browse_page", "toy_scatter"
N_HIDDEN, NETWORK_CHART, CLIP_MODEL = "n_hidden", "network", "clip_model"
INSPECT_SPLIT, INSPECT_INDEX, GRAD_CHECK = "inspect_split", "inspect_index", "grad_check"
MODEL_UPLOAD, DOWNLOAD_MODEL, MISTAKE_CHOICE, MISLABELED = (
    "model_upload", "download_model", "mistake_choice", "mislabeled")
CAMERA_ON, PHOTO_CAMERA, PHOTO_UPLOAD, PHOTO_WHICH = "camera_on", "photo_camera", "photo_upload", "photo_which"


# ----- widget keys of the learning view: Train, Inspect, Results, Step by step, presenter mode -------
SPEED, LOG_Y, TEST_POINTS, DISCRETE, DELETE_RUNS, DELETE_CONFIRM, SHOW_GRAPH = (
    "speed", "log_y", "test_points", "discrete", "delete_runs", "delete_confirm", "show_graph")
GRAPH_CHART, ACCURACY_CHART = "graph_chart", "accuracy_chart"
INSPECT_TAB, INSPECT_EXAMPLE, INSPECT_BATCH_HEATMAP, INSPECT_ACT_HIST, INSPECT_DEAD = (
    "inspect_tab", "inspect_example", "inspect_batch_heatmap", "inspect_act_hist", "inspect_dead")
INSPECT_UNITS, INSPECT_GRAD_HIST, INSPECT_GRAD_NORMS = "inspect_units", "inspect_grad_hist", "inspect_grad_norms"
RESULTS_TAB, RESULTS_CELL, CONFUSION, MISLABELED_TABLE, MISTAKE_FORWARD = (
    "results_tab", "results_cell", "confusion", "mislabeled_table", "mistake_forward")
STEP_TAB, PRESENTER_TOGGLE = "step_tab", "presenter_toggle"
COMPARE_PRESETS, COMPARE_TRIO = "compare_presets", "compare_trio"
CURVES_TABLE, ENLARGE_UNIT, SQRT_OVERLAY = "curves_table", "enlarge_unit", "inspect_sqrt_overlay"

# ----- widget keys of your own data and sharing: the builder, toy options, the Share page --------------
BUILDER_CAMERA, BUILDER_CAMERA_ON, BUILDER_CAMERA_TARGET, BUILDER_POSITIVE, BUILDER_TEST_PCT, BUILDER_SEED = (
    "builder_camera", "builder_camera_on", "builder_camera_target", "builder_positive", "builder_test_pct",
    "builder_seed")
BUILDER_FLIP, BUILDER_CROP, BUILDER_USE, BUILDER_DOWNLOAD, ZIP_POSITIVE, ZIP_EDIT = (
    "builder_flip", "builder_crop", "builder_use", "builder_download", "zip_positive", "zip_edit")
TOY_POINTS, TOY_NOISE, TOY_TRAIN, TOY_REGENERATE = "toy_points", "toy_noise", "toy_train", "toy_regenerate"
SHARE_TARGET, SHARE_QR_DOWNLOAD, SHARE_PAGE_LINK = "share_target", "share_qr_download", "share-page"

# ----- widget keys of the run store: notices, My runs, Class board ----------------------------------
STORE_DISMISS = "store_notices_dismiss"
RUNS_CHOICE, RUNS_OPEN, RUNS_SHARE, RUNS_UNSHARE, RUNS_DELETE, RUNS_FORGET_CONFIRM, RUNS_FORGET = (
    "runs_choice", "runs_open", "runs_share", "runs_unshare", "runs_delete", "runs_forget_confirm", "runs_forget")
RUNS_TABLE, RUNS_SHARE_LINK = "runs_table", "run-share"
(BOARD_TITLE, BOARD_OPEN, BOARD_CODE, BOARD_JOIN, BOARD_NAME, BOARD_SUBMIT, BOARD_REMOVE_CHOICE, BOARD_REMOVE,
 BOARD_CLOSE, BOARD_REOPEN, BOARD_TABLE, BOARD_MINE, BOARD_LINK) = (
    "board_title", "board_open", "board_code_input", "board_join", "board_name", "board_submit",
    "board_remove_choice", "board_remove", "board_close", "board_reopen", "board_table", "board_mine", "board-link")


def units_key(layer: int) -> str:
    """The number input for the units of hidden layer ``layer`` (1-based)."""
    return f"units_{layer}"


def setting_key(row: settings.Setting) -> str:
    """The Model page widget of a settings row: its link key, one name for both."""
    return row.link


# The photo builder's per-class, per-photo and per-generation widgets.
def name_key(slot: int) -> str:
    return f"builder_name_{slot}"


def upload_key(slot: int, generation: int) -> str:
    return f"builder_upload_{slot}_{generation}"


def folder_key(slot: int, generation: int) -> str:
    return f"builder_folder_{slot}_{generation}"


def remove_key(photo_id: int) -> str:
    return f"builder_remove_{photo_id}"


def count_key(slot: int) -> str:
    return f"builder_count_{slot}"


def clear_key(slot: int) -> str:
    return f"builder_clear_{slot}"


def look_key(example: int) -> str:
    """Results' Look inside button under mislabeled example ``example``."""
    return f"look_{example}"


def preset_key(name: str) -> str:
    return f"preset_{name}"


Listener = Callable[[str, "Session"], None]


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


@dataclass(frozen=True)
class StepResult:
    """What Step shows: the iteration reached, the cost of the parameters there, and its change."""

    iteration: int
    cost: float
    change: float


@dataclass
class Session:
    """Everything one browser tab has.  The run lifecycle changes it through ui.controller only."""

    dataset: Dataset
    data_key: str                   # settings.DATA_CHOICES entry, or COURSE_UPLOAD / ZIP_UPLOAD
    config: dnn.TrainConfig
    run: dnn.Trainer | None = None
    running: bool = False
    runs: list[RunRecord] = field(default_factory=list)
    queue: list[dnn.TrainConfig] = field(default_factory=list)  # ui.controller: configs to train after this run
    archived: dnn.Trainer | None = None   # the run already in ``runs`` (each run goes there once)
    generation: int = 0             # bumped by every control; a live view drawn for another one does not train
    rate: float = 0.0               # iterations per second of the last slice
    error: str | None = None        # why the last Start could not make a run
    last_step: StepResult | None = None
    tick_seconds: float = pacing.SOLO_TICK_SECONDS  # the refresh interval the live view was drawn with
    max_iterations_per_tick: int | None = None      # None: as many as the time slice allows
    listeners: list[Listener] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    link_read: bool = False
    upload_ids: tuple[str, ...] | None = None  # which uploads (file ids) the active dataset came from
    loaded_upload: tuple[str, str | None] | None = None  # (file id, error) of the last model file handled
    gradcheck: tuple[dnn.Trainer, int, Any] | None = None  # (run, iteration, errors) of the last check
    photo_probability: float | None = None  # the last photo's exact P(class 1)
    # One typed field per feature; None until the owning module (named) first needs it.
    toy_options: ToyOptions | None = None     # ui.toy_link: the toy set's points, noise, split and seed
    store: StoreState | None = None           # ui.store_hooks: the run store's state for this tab
    identity: Identity | None = None          # ui.identity: this browser's token, read once per session
    view: ViewState | None = None             # ui.learning: what Train, Model and Inspect remember
    builder: BuilderState | None = None       # ui.photo_builder: the photo set being built
    presenter: bool = False                   # ui.presenter: presenter mode, kept from page to page
    board_code: str | None = None             # views/board.py: the class board this tab has open
    board_link: BoardLink | None = None       # ui.board_link: the name this tab submits under, PINs, admin secrets
    # views/inspect.py: ((run id, iteration), snapshot); views/results.py: ((run id, iteration, shape), P(class 1))
    inspect_batch: tuple[tuple[int, int], dnn.Snapshot] | None = None
    results_probs: tuple[tuple[int, int, tuple[int, ...]], np.ndarray] | None = None
    listener_problems: ListenerProblems | None = None  # ui.controller: listener failures, logged once each
    lesson: LessonView | None = None          # views/lesson.py: the lesson open in this tab, its step and answers
    speed_bucket: SpeedBucket | None = None   # views/train.py: the chosen speed, held by the clock
    announcer: Announcer | None = None        # views/train.py: what the live region said last, and when
    speed_kept: int | None = None             # views/train.py: the chosen speed (the widget's key goes with the page)
    # views/train.py: the session's own cap per slice (DNN_ITERATIONS_PER_TICK), taken before a speed changes
    # max_iterations_per_tick; a 1-tuple, because None is a cap too (no cap)
    base_cap: tuple[int | None] | None = None
    # views/inspect.py: ((run id, iteration), (iterations, gradient norms)) of the same net with 1/√n init
    sqrt_reference: tuple[tuple[int, int], tuple[list[int], dict[str, list[float]]]] | None = None
    # ui.controller: one control or slice at a time (Streamlit may run a click's script run in a new thread
    # while the previous run's thread still trains a slice).
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @property
    def link_data(self) -> str | None:
        """The dataset's name in a shareable link, or None for data the user brought."""
        return self.data_key if self.data_key in settings.DATA_CHOICES else None


# Caps every new session's iterations per tick (a positive whole number): the browser tests set it so a run
# is still in progress when they look, however fast the machine.
ITERATIONS_PER_TICK_ENV = "DNN_ITERATIONS_PER_TICK"


def iterations_per_tick_from_env() -> int | None:
    raw = os.environ.get(ITERATIONS_PER_TICK_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def new_session() -> Session:
    """A tab's first state: the default data and the course's five-layer net on it."""
    key, ds = datasets.default_choice()
    config = settings.make_config(ds.n_x, settings.hidden_units(settings.DEFAULT))
    return Session(dataset=ds, data_key=key, config=config, max_iterations_per_tick=iterations_per_tick_from_env())


def session() -> Session:
    """This tab's Session (created on its first run)."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = new_session()
    found: Session = st.session_state[SESSION_KEY]
    return found
