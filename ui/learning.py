"""The learning view's app layer: what the Train page shows beside the controls, without Streamlit.

- the run's diagnoses (dnn.diagnose), computed once per run state;
- the curves of the current run and every earlier one, labelled by what differs;
- the live network graph, rebuilt only as often as keeps it under its share of the training time;
- pace: the speed choices and the estimated time left, from what the page saw (not the slice's rate).

Its state is one ``ViewState`` per session, in the Session's ``view`` field (``view_state`` makes it).
"""
from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

import dnn
from dnn.data import Dataset
from dnn.diagnose import Diagnosis, check_data, diagnose, divergence_trace
from ui import plots_curves, plots_graph, settings

if TYPE_CHECKING:  # ui.session imports Streamlit; this module stays testable without it
    from ui.session import Session

# Iterations per second for narrating; 0 trains as fast as the slices allow.
FULL_SPEED = 0
SPEEDS: tuple[int, ...] = (FULL_SPEED, 500, 100, 20, 5, 1)
GRAPH_EXAMPLES = 9       # the image mosaic every deeper unit is drawn on
ETA_WINDOW_SECONDS = 3.0  # time left from the pace over the last few seconds
FINISHING_SECONDS = 1.5   # a run with less time left than this gets no more graph redraws before its end


def speed_label(speed: int) -> str:
    return "Full speed" if speed == FULL_SPEED else f"{speed:,} it/s"


def speed_cap(speed: int | None) -> float | None:
    """The iterations-per-second cap of a speed choice (None: full speed)."""
    return None if not speed else float(speed)


@dataclass
class ViewState:
    """What the learning view remembers between reruns of one session."""

    samples: deque = field(default_factory=lambda: deque(maxlen=64))   # (seconds, iteration) as seen
    graph_key: tuple | None = None
    graph_tables: dict | None = None
    graph_built_at: float = -math.inf
    graph_cost: float = 0.0
    probe_key: tuple | None = None
    probe: plots_graph.Probe | None = None
    diagnosis_key: tuple | None = None
    diagnoses: list[Diagnosis] = field(default_factory=list)
    trace_key: tuple | None = None
    trace: tuple[list[int], list[float]] = ([], [])
    data_key: tuple | None = None
    data_check: Diagnosis | None = None
    hidden_runs: set = field(default_factory=set)      # history labels taken off the charts (ui/compare.py)


def view_state(s: Session) -> ViewState:
    """Session ``s``'s ViewState, made on first use."""
    if s.view is None:
        s.view = ViewState()
    return s.view


# ----- pace ------------------------------------------------------------------------------------
def note_progress(state: ViewState, iteration: int, now: float) -> None:
    """Remember that the page showed ``iteration`` at ``now`` (a fresh run restarts the record)."""
    if state.samples and iteration < state.samples[-1][1]:
        state.samples.clear()
    state.samples.append((now, iteration))


def eta_seconds(samples: Sequence[tuple[float, int]], remaining: int,
                window: float = ETA_WINDOW_SECONDS) -> float | None:
    """Seconds left at the pace of the last ``window`` seconds of samples, or None before two differ."""
    if remaining <= 0:
        return 0.0
    if len(samples) < 2:
        return None
    end_t, end_i = samples[-1]
    recent = [(t, i) for t, i in samples if end_t - t <= window]
    t0, i0 = recent[0] if len(recent) > 1 else samples[-2]
    if end_i <= i0 or end_t <= t0:
        return None
    return remaining * (end_t - t0) / (end_i - i0)


def format_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return "< 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# ----- diagnoses -------------------------------------------------------------------------------------
def _run_key(run: dnn.Trainer) -> tuple:
    return id(run), run.iteration, run.status.value


def run_diagnoses(state: ViewState, run: dnn.Trainer | None, classes: Sequence[str]) -> list[Diagnosis]:
    """What is wrong with a finished or diverged run (cached per run state); nothing while it trains."""
    if run is None or not run.done:
        return []
    key = _run_key(run)
    if state.diagnosis_key != key:
        state.diagnoses, state.diagnosis_key = diagnose(run, tuple(classes)), key
    return state.diagnoses


def explosion(state: ViewState, run: dnn.Trainer | None) -> tuple[list[int], list[float]]:
    """A diverged run's cost iteration by iteration up to the blow-up (replayed once)."""
    if run is None or run.status != dnn.Status.DIVERGED:
        return [], []
    key = _run_key(run)
    if state.trace_key != key:
        state.trace, state.trace_key = divergence_trace(run), key
    return state.trace


def data_diagnosis(state: ViewState, ds: Dataset, data_key: str) -> Diagnosis | None:
    """NaN or inf in the training data, checked once per dataset (before any run can blame the learning rate)."""
    key = (data_key, ds.name, ds.m_train)
    if state.data_key != key:
        state.data_check, state.data_key = check_data(ds.X_train, "the training data"), key
    return state.data_check


# ----- curves ------------------------------------------------------------------------------------------
def curve_runs(current: tuple[dnn.Trainer, str] | None, records: Sequence[Any],
               hidden: Sequence[int] = ()) -> tuple[list[str], list[plots_curves.CurveRun], list[str]]:
    """(names of the drawn runs, their curves, the name of every history record), the current run first.

    ``records`` are the session's RunRecords (label, config, dataset, history); ``hidden`` their indices
    left out of the chart.  A finished current run is also in the history: it is drawn once, first.  One
    name per run everywhere (the legend, the history's table and tags, the store): its label
    (``settings.run_label``; the current run's is ``controller.current_label``'s)."""
    mine = current[0].history if current is not None else None
    names = [r.label for r in records]
    drawn_labels, curves = [], []
    if current is not None:
        archived = [r.label for r in records if r.history is mine]
        name = archived[0] if archived else settings.run_label(settings.next_run_number(names), current[0].config)
        drawn_labels.append(name)
        curves.append(plots_curves.CurveRun(name, current[0].history))
    skip = set(hidden)
    for k, record in enumerate(records):
        if record.history is not mine and k not in skip:
            drawn_labels.append(record.label)
            curves.append(plots_curves.CurveRun(record.label, record.history))
    return drawn_labels, curves, names



# ----- the network graph -----------------------------------------------------------------------------
def probe_for(state: ViewState, ds: Dataset, data_key: str) -> plots_graph.Probe:
    """The inputs the graph draws units on: the data's plane, or a fixed mosaic of test images."""
    key = (data_key, ds.name, ds.m_train)
    if state.probe_key != key:
        if ds.kind == "toy":
            state.probe = plots_graph.plane_probe(np.asarray(ds.X_train))  # a toy set's X is a small array
        else:
            source, labels = (ds.test_x_orig, ds.test_y) if ds.m_test else (ds.train_x_orig, ds.train_y)
            state.probe = plots_graph.image_probe(source[plots_graph.example_strip(labels, GRAPH_EXAMPLES)])
        state.probe_key = key
    assert state.probe is not None
    return state.probe


def graph_key(run: dnn.Trainer | None, config: dnn.TrainConfig) -> tuple:
    """What a graph shows: (the run, or None for the initial network of ``config``; its iteration; the config)."""
    return (None, 0, config) if run is None else (id(run), run.iteration, run.config)


def _other_network(old: tuple | None, new: tuple) -> bool:
    """A graph of ``old`` must not stand in for ``new``: another run, unless old was the same network
    before Start (a new run's first iterations look just like its initial network)."""
    if old is None or old[0] == new[0]:
        return False
    return not (old[0] is None and old[2] == new[2])


def graph_tables(state: ViewState, layout: plots_graph.GraphLayout, key: tuple,
                 parameters: Callable[[], dict], hidden_activation: str, training: bool,
                 clock: Callable[[], float] = time.perf_counter, hold: bool = False) -> dict:
    """The graph's tables for ``key`` (from :func:`graph_key`): rebuilt when due, else the last ones.

    While training it is rebuilt only as often as ``plots_graph.redraw_due`` allows, and not at all
    with ``hold`` (a run about to finish: its final picture comes with the end); otherwise whenever
    the key changes (a Step, a new run, the end of a run).
    """
    now = clock()
    stale = state.graph_key != key or state.graph_tables is None
    if state.graph_tables is None or _other_network(state.graph_key, key):
        due = True  # never show another run's weights
    elif training:
        due = stale and not hold and plots_graph.redraw_due(now - state.graph_built_at, state.graph_cost)
    else:
        due = stale
    if due:
        assert state.probe is not None, "probe_for runs before the graph is drawn"
        tables = plots_graph.graph_data(parameters(), hidden_activation, state.probe, layout)
        state.graph_cost = clock() - now
        state.graph_tables, state.graph_key, state.graph_built_at = tables, key, now
    assert state.graph_tables is not None
    return state.graph_tables


def graph_unit_px(config: dnn.TrainConfig, width_px: int, height_px: int, max_units: int, largest: int = 78) -> int:
    """px per graph unit so the whole graph (layers plus the enlarged unit) fits ``width_px`` x ``height_px``."""
    columns = plots_graph.graph_columns(config.layer_dims)
    rows = min(max_units, max(config.layer_dims[1:])) + plots_graph.TOP + 0.2
    return max(24, min(largest, int(width_px / columns), int(height_px / rows)))


# Drawing a network before Start initialises all its weights; above this many (1.6 GB in float64 beyond
# that), only training builds them, after the memory check.
MAX_PREVIEW_PARAMETERS = 20_000_000


# The most points a drawing before Start passes forward at once: Train's decision boundary, a 50 x 50 grid
# (views/train.py's BOUNDARY_RESOLUTION); the graph's probe is smaller.
PREVIEW_POINTS = 50 * 50


def preview_refusal(config: dnn.TrainConfig) -> str | None:
    """Why the untrained network of ``config`` is not drawn before Start (a plain sentence), or None.

    The drawing builds all the weights and passes PREVIEW_POINTS points forward: the same memory check as
    a run (dnn.check_memory, DNN_MEMORY_BUDGET_MB), so [2, 1000000, 1] (about 19 GiB over the grid) is
    refused here as Start refuses it."""
    if dnn.parameter_count(config.layer_dims) > MAX_PREVIEW_PARAMETERS:
        return (f"This network has {dnn.parameter_count(config.layer_dims):,} parameters, too many to draw before "
                "training.")
    try:
        dnn.check_memory(config.layer_dims, PREVIEW_POINTS, config.dtype, num_iterations=1)
    except ValueError as exc:
        return f"This network is too big to draw before training. {exc}"
    return None


def can_preview(config: dnn.TrainConfig) -> bool:
    """Whether the page may draw ``config``'s untrained network (``preview_refusal`` says why not)."""
    return preview_refusal(config) is None


def initial_parameters(config: dnn.TrainConfig) -> dict[str, np.ndarray]:
    """The parameters a run of ``config`` starts from (for the graph and boundary before Start)."""
    refusal = preview_refusal(config)
    if refusal is not None:
        raise ValueError(refusal)
    return dnn.initialize_parameters_deep(config.layer_dims, config.init, config.seed, config.dtype)
