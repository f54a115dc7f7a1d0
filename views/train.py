"""Train: start, pause, step and reset gradient descent and watch it learn.

Controls on top; then, without scrolling at 1280x720: the status, the numbers, what went wrong (in
plain words, with the next thing to try), the cost and accuracy curves of this run and the earlier
ones, and the network itself (or, for 2-D data, the decision boundary) updating live.

The run lifecycle is ui.controller's; what the view computes is ui.learning's; figures come from
ui.plots_curves, ui.plots_graph and ui.plots_train.  This page reads widgets, calls them and renders.
"""
from __future__ import annotations

import html
import math
import time
from collections.abc import Callable

import numpy as np
import streamlit as st

import dnn
from dnn.diagnose import ERROR, Diagnosis, check_duration, estimate_seconds
from ui import (
    board_link,
    compare,
    learning,
    pacing,
    plots_curves,
    plots_graph,
    plots_train,
    settings,
    train_view,
)
from ui.controller import Controller, controller, figures
from ui.presenter import presenter_on, presenter_toggle
from ui.session import (
    ACCURACY_CHART,
    BOUNDARY_CHART,
    COST_CHART,
    COST_CHART_SPEC,
    CURVES_TABLE,
    DELETE_CONFIRM,
    DELETE_RUNS,
    DISCRETE,
    ENLARGE_UNIT,
    GRAPH_CHART,
    LOG_Y,
    PAUSE,
    RESET,
    SHOW_GRAPH,
    SPEED,
    START,
    STEP,
    TEST_POINTS,
)
from ui.text import isolate, literal, safe_rows
from ui.theme import is_dark
from ui.widgets import show_diagnosis

# Keyboard shortcuts (st.button's shortcut); "C" and "R" are Streamlit's own, Alt+ keeps single letters free
# for screen readers' quick keys.
START_KEYS, PAUSE_KEYS, STEP_KEYS = "Alt+S", "Alt+P", "Alt+N"
# Visually hidden but read by screen readers (the usual "sr-only" rules, inline: st.html keeps style attributes).
SR_ONLY = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);"
           "white-space:nowrap;border:0")
HEADING_CSS = """<style>
.st-key-train_heading h1 { font-size: 1.05rem; font-weight: 600; padding: 0.3rem 0 0 0; margin: 0; line-height: 1.4; }
.st-key-train_heading [data-testid="stHeaderActionElements"] { display: none; }
/* The shortcut drawn on each button made the control row wrap at 1280 px: it stays for screen readers (the
   button's name says "Shortcut Alt + S") and in the help, not on screen. */
.st-key-train_controls kbd { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
/* A projector at 150% (853 px): the controls on one row, a one-line heading, so a chart is on the first screen. */
@media (max-width: 900px) {
  .st-key-train_heading h1 { font-size: 0.8rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .st-key-train_controls { gap: 0.35rem; }
  .st-key-train_controls button { padding-left: 0.5rem; padding-right: 0.5rem; }
  .st-key-train_controls .stSelectbox { width: 126px !important; }
}
</style>"""
# Below the page's header bar on a narrow screen (presenter mode hides the bar).
HEADER_GAP_CSS = ("<style>@media (min-width: 641px) and (max-width: 900px) { .st-key-train_heading "
                  "{ margin-top: 2.6rem; } }</style>")  # phones: ui.theme.SCREEN_CSS pads every page

BOUNDARY_RESOLUTION = 50
MAX_UNITS = 6  # graph nodes per layer; the rest are "+N more"
# Refresh intervals of the live parts other than the numbers (which follow the controller's tick), in ticks:
# alone (0.2 s ticks) the charts every 0.4 s, or every 1 s beside an image network's graph, and the toy set's
# network every 1 s; when many people train and the tick slows down (up to 2 s), these slow down with it, so
# the server is not swamped by redraws.
CHARTS_TICKS, GRAPH_TICKS = 2, 5


def view_state(ctl: Controller) -> learning.ViewState:
    return learning.view_state(ctl.s)


# ----- button callbacks (outside the fragment, so they run before any slice) -----------
# Start and Pause are never disabled: a button that becomes disabled when pressed drops the keyboard focus to
# the page's body; pressing the one that does not apply does nothing instead.
def on_start() -> None:
    ctl = controller()
    if not ctl.s.running:
        ctl.start()


def on_pause() -> None:
    ctl = controller()
    if ctl.s.running:
        ctl.pause()
        speed_bucket(ctl).pause(time.monotonic())


def on_step() -> None:
    controller().step()


def on_reset() -> None:
    controller().reset()


def speed_bucket(ctl: Controller) -> train_view.SpeedBucket:
    if ctl.s.speed_bucket is None:
        ctl.s.speed_bucket = train_view.SpeedBucket()
    return ctl.s.speed_bucket


def on_speed() -> None:
    """The chosen speed: kept in the session and in the page's address (a reload or a restart keeps it), and
    held by the time-based bucket (``live`` asks it before every slice)."""
    ctl = controller()
    s = ctl.s
    speed = st.session_state.get(SPEED, learning.FULL_SPEED)
    s.speed_kept = speed
    if speed:
        st.query_params[train_view.SPEED_PARAM] = str(speed)
    elif train_view.SPEED_PARAM in st.query_params:
        del st.query_params[train_view.SPEED_PARAM]
    cap = learning.speed_cap(speed)
    speed_bucket(ctl).set_speed(cap, time.monotonic())
    s.max_iterations_per_tick = capped(s, pacing.budget_for_speed(cap, s.tick_seconds))


def capped(s, iterations: int | None) -> int | None:
    """A slice's cap under the session's own (DNN_ITERATIONS_PER_TICK, which the browser tests set)."""
    if s.base_cap is None:
        s.base_cap = (s.max_iterations_per_tick,)
    base = s.base_cap[0]
    if iterations is None:
        return base
    return iterations if base is None else min(base, iterations)


def restore_speed(ctl: Controller) -> None:
    """The speed from the address (a reload, a restart, a shared link), else the session's, before the widget."""
    if SPEED in st.session_state:
        return
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    linked = train_view.speed_from_link(query, learning.SPEEDS)
    kept = ctl.s.speed_kept if ctl.s.speed_kept is not None else learning.FULL_SPEED
    st.session_state[SPEED] = linked if linked is not None else kept
    if st.session_state[SPEED]:
        on_speed()


def controls(ctl: Controller) -> None:
    restore_speed(ctl)
    icon = ":material/replay:" if ctl.start_label == "Train again" else ":material/play_arrow:"
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="small", key="train_controls")
    # No help on Start and Pause: a button with help is drawn twice in a row (a hidden copy), and the browser
    # tests of every engineer click ".st-key-start button". The shortcut shows on the button itself.
    row.button(ctl.start_label, key=START, on_click=on_start, type="primary", icon=icon, shortcut=START_KEYS)
    row.button("Pause", key=PAUSE, on_click=on_pause, icon=":material/pause:", shortcut=PAUSE_KEYS)
    row.button("Step", key=STEP, on_click=on_step, icon=":material/skip_next:", shortcut=STEP_KEYS,
               help=f"Exactly one iteration of gradient descent. Keyboard: {START_KEYS} Start, {PAUSE_KEYS} Pause, "
                    f"{STEP_KEYS} Step, from anywhere on the page.")
    row.button("Reset", key=RESET, on_click=on_reset, icon=":material/restart_alt:",
               help="Keep this run in the history and start over")
    row.selectbox("Speed", learning.SPEEDS, format_func=learning.speed_label, key=SPEED, on_change=on_speed,
                  width=135, label_visibility="collapsed",
                  help="Slow training down to narrate it: a capped number of iterations per second.")
    row.toggle("Log cost", key=LOG_Y)
    presenter_toggle(row, ctl.s)


# ----- the numbers --------------------------------------------------------------------
def _cost(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.4f}"


def progress(cfg: dnn.TrainConfig, iteration: int) -> None:
    st.progress(min(1.0, iteration / cfg.num_iterations))


def metrics_row(ctl: Controller, run: dnn.Trainer | None, cfg: dnn.TrainConfig,
                eta: float | None) -> tuple[float, float, float]:
    iteration = run.iteration if run is not None else 0
    cost, train_acc, test_acc = figures(run, ctl.s.running)
    step = ctl.s.last_step
    delta = f"{step.change:+.2e}" if step is not None and run is not None and step.iteration == iteration else None
    row = st.container(horizontal=True, gap="medium", vertical_alignment="center")
    row.markdown(f"Status: **{ctl.status}**", width="content")
    row.metric("Iteration", f"{iteration:,}", width="content",
               help=f"of {cfg.num_iterations:,}")
    row.metric("Cost", _cost(cost), delta=delta, delta_color="inverse", width="content",
               help="The cost of the network at this iteration; after Step, its change.")
    row.metric("Train accuracy", board_link.percent(train_acc), width="content")
    row.metric("Test accuracy", board_link.percent(test_acc), width="content")
    row.metric("Time left", learning.format_duration(eta) if ctl.s.running else "—", width="content",
               help="At the pace of the last few seconds (the speed setting included).")
    return cost, train_acc, test_acc


def outcome(run: dnn.Trainer, found: list[Diagnosis], cost: float, train_acc: float, test_acc: float) -> None:
    """What went wrong, in plain words, instead of a green Finished; the green line only for a healthy run."""
    for d in found:
        show_diagnosis(d)
    if run.status == dnn.Status.DONE and not any(d.severity == ERROR for d in found):
        st.success(f"Finished {run.iteration:,} iterations: cost {cost:.4f}, train accuracy "
                   f"{board_link.percent(train_acc)}, test accuracy {board_link.percent(test_acc)}. "
                   "See Results for the mistakes, or Inspect for what the layers learned.",
                   icon=":material/check_circle:")


# ----- the charts ----------------------------------------------------------------------
def curves(ctl: Controller, state: learning.ViewState, run: dnn.Trainer | None, cfg: dnn.TrainConfig) -> None:
    presenter = presenter_on(ctl.s)
    current = None if run is None else (run, ctl.s.dataset.name)
    hidden = compare.hidden_indices(ctl.s)  # every run is on the charts unless taken off
    labels, runs, _ = learning.curve_runs(current, ctl.s.runs, hidden)
    if runs and run is not None:
        runs[0] = plots_curves.CurveRun(runs[0].label, run.history, learning.explosion(state, run))
    data = plots_curves.curves_data(runs)
    longest = max([cfg.num_iterations, *(r.config.num_iterations for k, r in enumerate(ctl.s.runs) if k not in hidden)])
    if run is not None and run.status == dnn.Status.DIVERGED:
        longest = max(10, 2 * run.iteration)  # zoom in on the explosion
    log_y = bool(st.session_state.get(LOG_Y)) or (run is not None and run.status == dnn.Status.DIVERGED)
    dark = is_dark(st.context.theme.type)
    empty = not (data.metric == "cost").any()
    said_cost, said_acc = plots_curves.describe(data, "cost", labels), plots_curves.describe(data, "accuracy", labels)
    # A keyed container gives the chart the .st-key-cost_chart class the browser tests look for.
    st.container(key=COST_CHART).vega_lite_chart(
        data, plots_curves.with_config(plots_curves.cost_spec(longest, labels, log_y, height=185, dark=dark,
                                                              empty=empty), presenter, said_cost),
        key=COST_CHART_SPEC, width="stretch")
    st.vega_lite_chart(data, plots_curves.with_config(plots_curves.accuracy_spec(longest, labels, height=160,
                                                                                 dark=dark), presenter, said_acc),
                       key=ACCURACY_CHART, width="stretch")
    if st.toggle("Show as a table", key=CURVES_TABLE, help="The curves' numbers, run by run and iteration by "
                                                           "iteration (for a screen reader, or to copy)."):
        st.dataframe(plots_curves.curves_table(data), hide_index=True, height=220)


def graph(ctl: Controller, state: learning.ViewState, run: dnn.Trainer | None, cfg: dnn.TrainConfig,
          width_px: int, height_px: int) -> None:
    if run is None and not learning.can_preview(cfg):
        st.caption("This network is too big to draw before training; press Start.")
    elif st.session_state.get(SHOW_GRAPH, True):
        network(ctl, state, run, cfg, width_px, height_px)
    st.toggle("Network graph", key=SHOW_GRAPH, value=True,
              help="The network drawn live: each unit as what it computes, edges by weight. Point at a unit.")


def network(ctl: Controller, state: learning.ViewState, run: dnn.Trainer | None, cfg: dnn.TrainConfig,
            width_px: int, height_px: int) -> None:
    probe = learning.probe_for(state, ctl.s.dataset, ctl.s.data_key)
    px = learning.graph_unit_px(cfg, width_px, height_px, MAX_UNITS)
    layout = plots_graph.graph_layout(cfg.layer_dims, probe, max_units=MAX_UNITS, px_per_unit=px)
    if run is None:
        params, act = (lambda: learning.initial_parameters(cfg)), cfg.hidden_activation
    else:
        params, act = (lambda: run.parameters), run.config.hidden_activation
    key = learning.graph_key(run, cfg)
    eta = None if run is None else learning.eta_seconds(state.samples, cfg.num_iterations - run.iteration)
    finishing = eta is not None and eta < learning.FINISHING_SECONDS
    tables = learning.graph_tables(state, layout, key, params, act, training=ctl.s.running, hold=finishing)
    largest = 15 if presenter_on(ctl.s) else 12
    text = plots_graph.describe_graph(layout)
    frames = tables["frames"]
    titles = {node: " ".join(str(title).split()) for node, title in zip(frames["node"], frames["title"], strict=True)}
    chosen = st.session_state.get(ENLARGE_UNIT)
    st.vega_lite_chart(None, plots_graph.graph_spec(layout, tables, plots_graph.label_font_size(layout, largest),
                                                    dark=is_dark(st.context.theme.type), description=text,
                                                    selected=chosen if chosen in titles else None),
                       key=GRAPH_CHART, width="content")
    # The keyboard's way to enlarge a unit (pointing and tapping are the mouse's and the finger's).
    st.selectbox("Enlarge a unit", [None, *titles], key=ENLARGE_UNIT, width=260,
                 format_func=lambda node: "none (or point at / tap one)" if node is None else titles.get(node, node))


def boundary(ctl: Controller, run: dnn.Trainer | None, cfg: dnn.TrainConfig, side: int) -> None:
    ds = ctl.s.dataset
    if run is None and not learning.can_preview(cfg):
        st.caption("This network is too big to draw before training; press Start.")
        return
    proba: Callable[[np.ndarray], np.ndarray]
    if run is not None:
        proba = run.predict_proba
    else:
        params = learning.initial_parameters(cfg)
        proba = lambda X: dnn.predict_proba(X, params, cfg.hidden_activation)  # noqa: E731
    show_test = st.session_state.get(TEST_POINTS, True)
    X_train = np.asarray(ds.X_train)  # a toy set's 2-D points: a small array, never pixels
    X_test = None if ds.X_test is None or not show_test else np.asarray(ds.X_test)
    data = plots_train.decision_boundary_data(
        X_train, ds.train_y, proba, resolution=BOUNDARY_RESOLUTION,
        X_test=X_test, Y_test=ds.test_y if show_test else None,
        discrete=bool(st.session_state.get(DISCRETE)))
    extent = plots_train.boundary_extent(X_train, BOUNDARY_RESOLUTION)
    classes = [literal(c) for c in ds.class_names]
    text = plots_train.describe_boundary(data, classes)
    spec = plots_train.decision_boundary_spec(classes, extent, side, dark=is_dark(st.context.theme.type),
                                              description=text)
    st.vega_lite_chart(data, spec, key=BOUNDARY_CHART, width="content")
    row = st.container(horizontal=True, gap="small")
    row.toggle("Test points", key=TEST_POINTS, value=True, help="The test set as squares, the training set as dots.")
    row.toggle("Discretise", key=DISCRETE, help="Colour the plane by the decision (P > 0.5) instead of P.")


def show_numbers(ctl: Controller) -> None:
    """Status, the numbers, the progress and what went wrong: the full-width top, refreshed every tick."""
    state = view_state(ctl)
    run, ds = ctl.s.run, ctl.s.dataset
    cfg = run.config if run is not None else ctl.s.config
    iteration = run.iteration if run is not None else 0
    now = time.monotonic()
    learning.note_progress(state, iteration, now)
    remaining, speed = cfg.num_iterations - iteration, learning.speed_cap(st.session_state.get(SPEED))
    eta = train_view.time_left(remaining, speed, train_view.observed_eta(state.samples, remaining, speed))
    cost, train_acc, test_acc = metrics_row(ctl, run, cfg, eta)
    progress(cfg, iteration)
    found = [] if run is None else learning.run_diagnoses(state, run, [literal(c) for c in ds.class_names])
    announce(ctl, now, iteration, cfg.num_iterations, cost, found)
    if run is not None:
        outcome(run, found, cost, train_acc, test_acc)
        board_link.submit_offer(ctl)


def announce(ctl: Controller, now: float, iteration: int, total: int, cost: float, found: list[Diagnosis]) -> None:
    """A polite live region: the status, iteration and cost at most every few seconds, a diagnosis at once."""
    if ctl.s.announcer is None:
        ctl.s.announcer = train_view.Announcer()
    announcer = ctl.s.announcer
    text = announcer.update(now, ctl.status, iteration, total, cost, found[0].title + "." if found else "")
    st.html(f'<div role="status" aria-live="polite" aria-atomic="true" style="{SR_ONLY}">{html.escape(text)}</div>')


def live(generation: int) -> None:
    """One tick: a slice of training (all of it before any st.* call), then the numbers."""
    ctl = controller()
    run, bucket = ctl.s.run, speed_bucket(ctl)
    if ctl.s.running and bucket.speed is not None:
        # The speed holds by the clock: this slice may train what the time since the last one allows.
        ctl.s.max_iterations_per_tick = capped(ctl.s, bucket.allowance(time.monotonic()))
    before = run.iteration if run is not None else 0
    result = ctl.tick(generation)
    if run is not None and run is ctl.s.run:
        bucket.spend(run.iteration - before)
    if result.repace or result.finished:
        st.rerun()  # a full rerun redraws the buttons, the history and the fragments' refresh intervals
    show_numbers(ctl)


def live_charts() -> None:
    """The curves beside the picture: the graph (images) or the boundary (2-D data).  The picture's
    tables are rebuilt only as often as their cost allows (learning.graph_tables); in between the last
    ones are sent again."""
    ctl = controller()
    run, wide = ctl.s.run, presenter_on(ctl.s)
    cfg = run.config if run is not None else ctl.s.config
    toy = ctl.s.dataset.kind == "toy"
    left, right = st.columns([1, 1] if toy else [0.9, 1.1], gap="medium")
    with left:
        curves(ctl, view_state(ctl), run, cfg)
    with right:
        if toy:
            boundary(ctl, run, cfg, side=290 if wide else 250)
        else:
            graph(ctl, view_state(ctl), run, cfg, width_px=700 if wide else 480, height_px=330)


def live_toy_graph() -> None:
    ctl = controller()
    run = ctl.s.run
    st.caption("The network: each unit drawn as what it computes over the plane (point at one to enlarge it).")
    graph(ctl, view_state(ctl), run, run.config if run is not None else ctl.s.config, width_px=900, height_px=420)


def show_run(ctl: Controller) -> None:
    """The live parts, each a fragment with its own pace: the numbers train and refresh every tick; the
    charts, whose redraws cost the browser most, less often.

    Every fragment sits at the top level of the page, never inside columns or another container: a
    fragment rerun writes its own container again but not the blocks around it, and a rerun whose
    position was recorded by an earlier layout then crashed the whole page in the browser ("'setIn'
    cannot be called on an ElementNode", a blank page) when it met an element where its columns had
    been.  Seen with 8 sessions training on one busy server (tests/e2e/test_load.py)."""
    tick = ctl.s.tick_seconds

    def every(ticks: float) -> float | None:
        return ticks * tick if ctl.s.running else None
    st.fragment(live, run_every=every(1))(ctl.s.generation)
    toy = ctl.s.dataset.kind == "toy"
    # The graph of an image network costs the browser most to redraw: with it the charts go at its pace
    # (with the graph redrawn every second tick, a run took 1.43x as long as without it, at its pace 1.17x).
    costly = not toy and st.session_state.get(SHOW_GRAPH, True)
    st.fragment(live_charts, run_every=every(GRAPH_TICKS if costly else CHARTS_TICKS))()
    if toy:
        st.fragment(live_toy_graph, run_every=every(GRAPH_TICKS))()


# ----- history -------------------------------------------------------------------------
def on_delete() -> None:
    doomed = set(st.session_state.get(DELETE_RUNS, []))
    controller().delete_runs(doomed)
    st.session_state[DELETE_RUNS] = []


def show_history(ctl: Controller) -> None:
    compare.render_buttons(ctl)
    records = ctl.s.runs
    if not records:
        st.caption("Finished or reset runs join the curves above, labelled by what differs "
                   "(for example the same network with learning rates 0.0075, 0.05 and 0.001).")
        return
    labels = [r.label for r in records]
    compare.render_picker(ctl.s)
    _, _, history_labels = learning.curve_runs(None, records)
    rows = [{"run": isolate(lab), "data": isolate(r.dataset), "status": r.status,
             "train acc": board_link.percent(r.train_acc), "test acc": board_link.percent(r.test_acc)}
            for lab, r in zip(history_labels, records, strict=True)]
    st.dataframe(safe_rows(rows), hide_index=True)
    with st.popover("Delete runs", icon=":material/delete:"):
        st.multiselect("Runs to delete", labels, key=DELETE_RUNS)
        st.button("Delete", key=DELETE_CONFIRM, on_click=on_delete, type="primary")


def data_problem(ctl: Controller) -> Diagnosis | None:
    """Non-finite data is found before training, so it is never blamed on the learning rate."""
    return learning.data_diagnosis(view_state(ctl), ctl.s.dataset, ctl.s.data_key)


def main() -> None:
    ctl = controller()
    cfg, ds = ctl.s.config, ctl.s.dataset
    st.html(HEADING_CSS if presenter_on(ctl.s) else HEADING_CSS + HEADER_GAP_CSS)
    st.container(key="train_heading").markdown(
        f"# Train · {literal(ds.name)} · layer_dims {list(cfg.layer_dims)} · {cfg.num_iterations:,} "
        f"iterations · {literal(settings.summary(cfg))}")
    controls(ctl)
    if (problem := data_problem(ctl)) is not None:
        show_diagnosis(problem)
    elif ctl.s.error is not None:
        st.error(f"Cannot start this run: {ctl.s.error}")
    if ctl.outdated:
        st.info("The Model settings changed since this run started: press Start or Reset to train the new "
                "network. The current run then goes to the history.")
    if ctl.s.run is None or ctl.s.run.iteration == 0 or ctl.outdated:
        slow = check_duration(estimate_seconds(cfg.layer_dims, ds.m_train, cfg.num_iterations), cfg.num_iterations)
        if slow is not None:
            show_diagnosis(slow)
    if ctl.s.running and st.session_state.get(SPEED):
        on_speed()  # the per-tick budget follows the refresh interval, which changes with the head count
    show_run(ctl)
    st.caption("Training runs while this page is open; on another page it waits and continues when you come back. "
               f"Keyboard shortcuts: {START_KEYS} Start, {PAUSE_KEYS} Pause, {STEP_KEYS} Step; the focus stays on "
               "the button you pressed.")
    st.markdown("## Run history")
    show_history(ctl)


main()  # no st.stop(): app.py draws the sidebar after the page
