"""Train: start, pause, step and reset gradient descent, watching the cost fall live."""
from __future__ import annotations

import math
import time

import streamlit as st

import dnn
from dnn.data import Dataset
from ui import params, plots_train, state, widgets

widgets.require_shell()

SOLO_TICK_SECONDS, SOLO_SLICE_SECONDS = 0.2, 0.15      # one person training: a slice plus a redraw
SHARED_TICK_SECONDS, SHARED_SLICE_SECONDS = 0.25, 0.2  # the base when several train at once
TICK = "train_tick"   # the refresh interval this page was drawn with; no widget uses this key


def tick_seconds(trainings: int) -> float:
    """Five refreshes a second for one person training; with more, four, halved per doubling, at least one per 2 s.

    Measured with 8 browsers training on one 2-core machine: at 1 refresh/s a new visitor's page
    took 4-4.7 s to load, at one per 2 s 3.2-4 s.  Alone, 0.15 s slices every 0.2 s redrew the
    cost curve 2.6 times a second in headless Chromium, 0.2 s slices every 0.25 s only 1.9 times.
    """
    if trainings <= 1:
        return SOLO_TICK_SECONDS
    return min(2.0, SHARED_TICK_SECONDS * 2 ** math.ceil(math.log2(trainings)))


def slice_seconds(trainings: int) -> float:
    """Training time per tick: most of it alone; when shared, half of it split between the sessions."""
    if trainings <= 1:
        return SOLO_SLICE_SECONDS
    return min(SHARED_SLICE_SECONDS, 0.5 * tick_seconds(trainings) / trainings)


def train_slice(run: dnn.Trainer, trainings: int) -> None:
    """Advance the run for one slice when it is this session's turn, noting the iterations per second."""
    with state.training_board().turn(wait=slice_seconds(trainings)) as my_turn:
        if my_turn:
            started = time.perf_counter()
            done = run.advance(max_seconds=slice_seconds(trainings))
            st.session_state[RATE] = done / max(time.perf_counter() - started, 1e-9)


RATE, ERROR = "train_rate", "train_error"  # no widget uses these keys


# ----- button callbacks (outside the fragment, so they run before any slice) -----------
def _current_run(fresh: bool = False) -> dnn.Trainer | None:
    """The run to act on; a new one when asked, when there is none, or when it is over or outdated."""
    run = state.get_run()
    if fresh or run is None or run.done or not params.same_model(run.config, state.get_config()):
        try:
            run = state.new_run()
        except ValueError as exc:
            st.session_state[ERROR] = str(exc)
            return None
        st.session_state[RATE] = 0.0
    return run


def on_start() -> None:
    run = _current_run()
    if run is not None:
        run.resume()
        state.set_running(True)
        # The first slice right away: the page then opens on progress instead of waiting a tick.
        train_slice(run, state.training_board().tick(state.session_key(), True))


def on_pause() -> None:
    state.set_running(False)
    if (run := state.get_run()) is not None:
        run.pause()


def on_step() -> None:
    state.set_running(False)
    if (run := _current_run()) is not None:
        run.pause()
        run.step()
        if run.done:
            state.archive_run()


def on_reset() -> None:
    state.set_running(False)
    state.archive_run()
    if (run := _current_run(fresh=True)) is not None:
        run.pause()


# ----- the live view -----------------------------------------------------------------
def _last(values: list[float]) -> float:
    return values[-1] if values and math.isfinite(values[-1]) else float("nan")


def _pct(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _figures(run: dnn.Trainer | None) -> tuple[float, float, float]:
    """Cost, train and test accuracy: the latest records while training, the final network's once done."""
    if run is None:
        return float("nan"), float("nan"), float("nan")
    if run.status == dnn.Status.DONE:
        test = run.test_accuracy() if run.X_test is not None else float("nan")
        return run.cost(), run.train_accuracy(), test
    h = run.history
    return _last(h.costs), _last(h.train_acc), _last(h.test_acc)


def show_run(run: dnn.Trainer | None, ds: Dataset) -> None:
    cfg = run.config if run is not None else state.get_config()
    h = run.history if run is not None else dnn.History()
    iteration = run.iteration if run is not None else 0
    status = run.status.value if run is not None else "no run yet"
    st.markdown(f"Status: **{status}**")
    st.progress(min(1.0, iteration / cfg.num_iterations), text=f"{iteration:,} / {cfg.num_iterations:,} iterations")
    cols = st.columns(5)
    cols[0].metric("Iteration", f"{iteration:,}")
    cost, train_acc, test_acc = _figures(run)
    cols[1].metric("Cost", "—" if math.isnan(cost) else f"{cost:.4f}")
    cols[2].metric("Train accuracy", _pct(train_acc))
    cols[3].metric("Test accuracy", _pct(test_acc))
    cols[4].metric("Iterations/s", f"{st.session_state.get(RATE, 0.0):,.0f}")
    # A keyed container gives the chart the .st-key-cost_chart class the browser tests look for.
    st.container(key="cost_chart").vega_lite_chart(
        plots_train.cost_chart_data(h.cost_iterations, h.costs), plots_train.cost_chart_spec(cfg.num_iterations),
        key="cost_chart_spec", width="stretch")
    if run is not None and ds.kind == "toy":
        data = plots_train.decision_boundary_data(run.X, run.Y, run.predict_proba, resolution=60)
        st.vega_lite_chart(data, plots_train.decision_boundary_spec(ds.class_names), key="boundary_chart",
                           width="stretch")
    if run is not None and run.status == dnn.Status.DIVERGED:
        st.error(run.message)
    elif run is not None and run.status == dnn.Status.DONE:
        st.success(f"Finished {run.iteration:,} iterations: cost {cost:.4f}, train accuracy "
                   f"{_pct(train_acc)}, test accuracy {_pct(test_acc)}. "
                   "See Results for the mistakes, or Inspect for what the layers learned.")


@st.fragment(run_every=st.session_state.get(TICK, SOLO_TICK_SECONDS) if state.is_running() else None)
def live(ds: Dataset) -> None:
    run = state.get_run()
    board = state.training_board()
    trainings = board.tick(state.session_key(), state.is_running() and run is not None and not run.done)
    if state.is_running() and tick_seconds(trainings) != st.session_state.get(TICK, SOLO_TICK_SECONDS):
        st.session_state[TICK] = tick_seconds(trainings)
        st.rerun()  # run_every is fixed when the page is drawn: redraw it with the new pace
    if run is not None and state.is_running():
        train_slice(run, trainings)
        if run.done:
            # A full rerun stops the timer and updates the buttons and the history.
            state.set_running(False)
            state.archive_run()
            st.rerun()
    show_run(run, ds)


def show_history() -> None:
    records = state.run_history()
    if not records:
        st.caption("Finished or reset runs appear here, so you can compare their cost curves "
                   "(for example the same network with learning rates 0.0075, 0.05 and 0.001).")
        return
    labels = [r.label for r in records]
    chosen = st.multiselect("Overlay the cost curves of", labels, default=labels[-3:], key="history_runs")
    picked = [r for r in records if r.label in chosen]
    if picked:
        curves = [(r.label, r.history.cost_iterations, r.history.costs) for r in picked]
        st.plotly_chart(plots_train.cost_overlay_figure(curves), key="history_chart")
    st.dataframe([{"run": r.label, "data": r.dataset, "status": r.status, "train acc": r.train_acc,
                   "test acc": None if math.isnan(r.test_acc) else r.test_acc} for r in records],
                 hide_index=True)


st.title("Train")
ds, cfg, run = state.get_dataset(), state.get_config(), state.get_run()
st.caption(f"**{ds.name}** · layer_dims {list(cfg.layer_dims)} · {cfg.hidden_activation} · init {cfg.init} · "
           f"α = {cfg.learning_rate:g} · {cfg.num_iterations:,} iterations · {cfg.dtype}")
running = state.is_running()
c = st.columns([1, 1, 1, 1, 4])
c[0].button("Start", key="start", on_click=on_start, type="primary", disabled=running, width="stretch")
c[1].button("Pause", key="pause", on_click=on_pause, disabled=not running, width="stretch")
c[2].button("Step", key="step", on_click=on_step, help="Exactly one iteration of gradient descent",
            width="stretch")
c[3].button("Reset", key="reset", on_click=on_reset, help="Keep this run in the history and start over",
            width="stretch")
c[4].caption("Training runs while this page is open; on another page it waits and continues when you come back.")
if (message := st.session_state.pop(ERROR, None)) is not None:
    st.error(f"Cannot start this run: {message}")
if run is not None and not params.same_model(run.config, cfg):
    st.info("The Model settings changed since this run started: press Start or Reset to train the new "
            "network. The current run then goes to the history.")
live(ds)
st.subheader("Run history")
show_history()
