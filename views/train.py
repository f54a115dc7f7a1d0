"""Train: start, pause, step and reset gradient descent, watching the cost fall live.

The run lifecycle is ui.controller's; this page reads the buttons, calls it and renders.  The layout is a few
small functions (controls, status, metrics, curves, history) so more views can sit beside the cost curve.
"""
from __future__ import annotations

import math

import streamlit as st

import dnn
from dnn.data import Dataset
from ui import plots_train, session, settings
from ui.controller import Controller, controller, figures
from ui.text import literal


# ----- button callbacks (outside the fragment, so they run before any slice) -----------
def on_start() -> None:
    controller().start()


def on_pause() -> None:
    controller().pause()


def on_step() -> None:
    controller().step()


def on_reset() -> None:
    controller().reset()


def controls(ctl: Controller) -> None:
    running = ctl.s.running
    c = st.columns([1, 1, 1, 1, 4])
    c[0].button(ctl.start_label, key=session.START, on_click=on_start, type="primary", disabled=running,
                width="stretch")
    c[1].button("Pause", key=session.PAUSE, on_click=on_pause, disabled=not running, width="stretch")
    c[2].button("Step", key=session.STEP, on_click=on_step, help="Exactly one iteration of gradient descent",
                width="stretch")
    c[3].button("Reset", key=session.RESET, on_click=on_reset, help="Keep this run in the history and start over",
                width="stretch")
    c[4].caption("Training runs while this page is open; on another page it waits and continues when you come back.")


# ----- the live view -----------------------------------------------------------------
def _pct(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _cost(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.4f}"


def status_line(ctl: Controller, cfg: dnn.TrainConfig, iteration: int) -> None:
    st.markdown(f"Status: **{ctl.status}**")
    st.progress(min(1.0, iteration / cfg.num_iterations), text=f"{iteration:,} / {cfg.num_iterations:,} iterations")


def metrics_row(ctl: Controller, run: dnn.Trainer | None) -> tuple[float, float, float]:
    iteration = run.iteration if run is not None else 0
    cost, train_acc, test_acc = figures(run, ctl.s.running)
    step = ctl.s.last_step
    delta = f"{step.change:+.2e}" if step is not None and run is not None and step.iteration == iteration else None
    cols = st.columns(5)
    cols[0].metric("Iteration", f"{iteration:,}")
    cols[1].metric("Cost", _cost(cost), delta=delta, delta_color="inverse",
                   help="The cost of the network at this iteration; after Step, its change.")
    cols[2].metric("Train accuracy", _pct(train_acc))
    cols[3].metric("Test accuracy", _pct(test_acc))
    cols[4].metric("Iterations/s", f"{ctl.s.rate:,.0f}")
    return cost, train_acc, test_acc


def cost_curve(cfg: dnn.TrainConfig, history: dnn.History) -> None:
    # A keyed container gives the chart the .st-key-cost_chart class the browser tests look for.
    st.container(key=session.COST_CHART).vega_lite_chart(
        plots_train.cost_chart_data(history.cost_iterations, history.costs),
        plots_train.cost_chart_spec(cfg.num_iterations), key=session.COST_CHART_SPEC, width="stretch")


def boundary(run: dnn.Trainer, ds: Dataset) -> None:
    data = plots_train.decision_boundary_data(run.X, run.Y, run.predict_proba, resolution=60)
    st.vega_lite_chart(data, plots_train.decision_boundary_spec([literal(c) for c in ds.class_names]),
                       key=session.BOUNDARY_CHART, width="stretch")


def outcome(run: dnn.Trainer, cost: float, train_acc: float, test_acc: float) -> None:
    if run.status == dnn.Status.DIVERGED:
        st.error(run.message)
    elif run.status == dnn.Status.DONE:
        st.success(f"Finished {run.iteration:,} iterations: cost {cost:.4f}, train accuracy "
                   f"{_pct(train_acc)}, test accuracy {_pct(test_acc)}. "
                   "See Results for the mistakes, or Inspect for what the layers learned.")


def show_run(ctl: Controller) -> None:
    run, ds = ctl.s.run, ctl.s.dataset
    cfg = run.config if run is not None else ctl.s.config
    status_line(ctl, cfg, run.iteration if run is not None else 0)
    cost, train_acc, test_acc = metrics_row(ctl, run)
    cost_curve(cfg, run.history if run is not None else dnn.History())
    if run is not None and ds.kind == "toy":
        boundary(run, ds)
    if run is not None:
        outcome(run, cost, train_acc, test_acc)


def live(generation: int) -> None:
    """One tick: a slice of training (all of it before any st.* call), then the view."""
    ctl = controller()
    result = ctl.tick(generation)
    if result.repace or result.finished:
        st.rerun()  # a full rerun redraws the buttons, the history and the fragment's refresh interval
    show_run(ctl)


def show_history(ctl: Controller) -> None:
    records = ctl.s.runs
    if not records:
        st.caption("Finished or reset runs appear here, so you can compare their cost curves "
                   "(for example the same network with learning rates 0.0075, 0.05 and 0.001).")
        return
    labels = [r.label for r in records]
    chosen = st.multiselect("Overlay the cost curves of", labels, default=labels[-3:], key=session.HISTORY_RUNS)
    picked = [r for r in records if r.label in chosen]
    if picked:
        curves = [(r.label, r.history.cost_iterations, r.history.costs) for r in picked]
        st.plotly_chart(plots_train.cost_overlay_figure(curves), key=session.HISTORY_CHART)
    st.dataframe([{"run": r.label, "data": r.dataset, "status": r.status, "train acc": r.train_acc,
                   "test acc": None if math.isnan(r.test_acc) else r.test_acc} for r in records],
                 hide_index=True)


def main() -> None:
    st.title("Train")
    ctl = controller()
    cfg, ds = ctl.s.config, ctl.s.dataset
    st.caption(f"**{literal(ds.name)}** · layer_dims {list(cfg.layer_dims)} · {cfg.num_iterations:,} iterations · "
               f"{literal(settings.summary(cfg))}")
    controls(ctl)
    if ctl.s.error is not None:
        st.error(f"Cannot start this run: {ctl.s.error}")
    if ctl.outdated:
        st.info("The Model settings changed since this run started: press Start or Reset to train the new "
                "network. The current run then goes to the history.")
    every = ctl.s.tick_seconds if ctl.s.running else None
    st.fragment(live, run_every=every)(ctl.s.generation)
    st.subheader("Run history")
    show_history(ctl)


main()  # no st.stop(): app.py draws the sidebar after the page
