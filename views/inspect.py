"""Inspect: look inside the current network, one tab at a time (only the open tab is computed).

One example layer by layer (fixed axes), the whole batch (activations, dead units), the units as
pictures of what they compute (Playground style), gradients, and a gradient check.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

import dnn
from dnn.activations import LEAKY_SLOPE
from ui import learning, plots_graph, session
from ui import plots_inspect as pi
from ui.session import (
    GRAD_CHECK,
    INSPECT_ACT_HIST,
    INSPECT_BATCH_HEATMAP,
    INSPECT_DEAD,
    INSPECT_EXAMPLE,
    INSPECT_GRAD_HIST,
    INSPECT_GRAD_NORMS,
    INSPECT_INDEX,
    INSPECT_SPLIT,
    INSPECT_TAB,
    INSPECT_UNITS,
    SQRT_OVERLAY,
)
from ui.text import literal
from ui.theme import is_dark
from ui.widgets import lazy_tabs, no_model_yet

BATCH_CAP = 512          # examples in the batch views: all 209 course images
GRADCHECK_M, GRADCHECK_PER_LAYER = 8, 50
UNITS_SHOWN = 10         # per layer in the Units tab
TABS = ("One example", "Whole batch", "Units", "Gradients", "Gradient check")


def batch_snapshot(run: dnn.Trainer) -> dnn.Snapshot:
    """One forward and backward pass over the batch, kept per run and iteration (every tab uses it)."""
    s = session.session()
    key = (id(run), run.iteration)
    cached = s.inspect_batch
    if cached is None or cached[0] != key:
        m = min(BATCH_CAP, run.X.shape[1])
        cached = s.inspect_batch = (key, run.snapshot(run.X[:, :m], run.Y[:, :m]))
    return cached[1]


def example_view(run: dnn.Trainer, ds) -> None:
    left, right = st.columns([1, 3])
    split = left.radio("Example from", ["train", "test"] if run.X_test is not None else ["train"],
                       horizontal=True, key=INSPECT_SPLIT)
    X, Y = (run.X, run.Y) if split == "train" else (run.X_test, run.Y_test)
    assert X is not None and Y is not None, "the test split is offered only when there is a test set"
    i = left.slider("Index", 0, X.shape[1] - 1, 0, key=INSPECT_INDEX) if X.shape[1] > 1 else 0
    snap = run.snapshot(X[:, [i]], Y[:, [i]])
    p = float(snap.AL[0, 0])
    names = ds.class_names
    if ds.kind == "images":
        images = ds.train_x_orig if split == "train" else ds.test_x_orig
        label = literal(names[int(Y[0, i])], 60)
        left.image(images[i], width=160, caption=f"label: {label}",
                   alt=f"{split.capitalize()} example #{i}, labelled {label}")
    else:
        left.markdown(f"x = {np.round(X[:, i], 3).tolist()}, label: {literal(names[int(Y[0, i])])}")
    left.metric(f"P({literal(names[1])})", f"{p:.3f}")
    batch = batch_snapshot(run)
    ranges = pi.layer_ranges(*pi.layer_values(batch.AL, batch.caches))
    right.plotly_chart(pi.forward_pass_figure(*pi.layer_values(snap.AL, snap.caches), ranges=ranges),
                       key=INSPECT_EXAMPLE, alt=f"Bars of Z and A in every layer for {split} example #{i}; "
                                                f"the output P({literal(names[1], 60)}) is {p:.3f}.")
    right.caption("The y axes are fixed to each layer's range over the training batch, so bars compare "
                  "from one example to the next.")


def batch_view(run: dnn.Trainer) -> None:
    snap = batch_snapshot(run)
    m = snap.AL.shape[1]
    st.caption(f"The first {m} training examples at once: every column of A is one example.")
    Zs, As = pi.layer_values(snap.AL, snap.caches)
    st.plotly_chart(pi.batch_heatmap_figure(As), key=INSPECT_BATCH_HEATMAP,
                    alt=f"Heatmaps of every layer's activations A for {m} training examples, one column each.")
    layers = enumerate(zip(Zs, As, strict=True), 1)
    st.plotly_chart(pi.histograms_figure([{f"Z{l}": Z, f"A{l}": A} for l, (Z, A) in layers]),
                    key=INSPECT_ACT_HIST, alt=f"Histograms of Z and A in each of the {len(Zs)} layers over the batch.")
    act = run.config.hidden_activation
    below = {f"layer {l}": f"{pi.dead_fraction(Z):.0%}" for l, Z in enumerate(Zs[:-1], 1)}
    if act == "relu":
        st.markdown("**Dead units** (Z ≤ 0 for every example in the batch: the ReLU outputs 0 for all of them "
                    "and passes no gradient back, so the unit never recovers):")
        st.dataframe([below], hide_index=True, key=INSPECT_DEAD)
    elif act == "leaky_relu":
        st.markdown("**Units below zero** (Z ≤ 0 for every example in the batch). A ReLU unit like this would be "
                    f"dead; a leaky ReLU still passes {LEAKY_SLOPE:g} × the gradient through it, so it learns "
                    "slowly and can recover:")
        st.dataframe([below], hide_index=True, key=INSPECT_DEAD)
    else:
        st.caption(f"Dead units are a ReLU problem; this network uses {act}.")


def units_view(run: dnn.Trainer, ds) -> None:
    """Every layer's first units as pictures of what they compute: the Train page's graph, larger."""
    s = session.session()
    state = learning.view_state(s)
    probe = learning.probe_for(state, ds, s.data_key)
    cfg = run.config
    px = learning.graph_unit_px(cfg, 820, 560, UNITS_SHOWN, largest=90)
    layout = plots_graph.graph_layout(cfg.layer_dims, probe, max_units=UNITS_SHOWN, px_per_unit=px)
    tables = plots_graph.graph_data(run.parameters, cfg.hidden_activation, probe, layout)
    if probe.kind == "images":
        st.caption("Layer 1: each unit's weights as a 64×64 picture (orange < 0 < blue): the pattern it responds "
                   "to. Deeper units and the output: their activation on each of the input mosaic's images "
                   "(same places). Point at a unit to enlarge it and read its numbers.")
    else:
        st.caption("Each unit's activation over the input plane (orange < 0 < blue); the output is P over the "
                   "plane: the decision boundary. Point at a unit to enlarge it and read its numbers.")
    text = plots_graph.describe_graph(layout)
    st.vega_lite_chart(None, plots_graph.graph_spec(layout, tables, dark=is_dark(st.context.theme.type),
                                                    description=text),
                       key=INSPECT_UNITS, width="content")


REFERENCE_MAX_ITERATIONS = 3000       # the comparison run trains at most this many iterations


def sqrt_reference(run: dnn.Trainer) -> tuple[list[int], dict] | None:
    """(iterations, gradient norms) of the same network, data and settings with 1/√n initialisation, when the
    person asks for it (trained once per run state, up to REFERENCE_MAX_ITERATIONS)."""
    if not st.toggle("Compare with 1/√n initialisation", key=SQRT_OVERLAY,
                     help="Trains the same network with W ~ randn/√n_prev (a few seconds) and draws its ‖dW‖ "
                          "dashed: with ×0.01 the first layers' gradients vanish, with 1/√n they do not."):
        return None
    key = (id(run), run.iteration)
    s = session.session()
    saved = s.sqrt_reference
    if saved is None or saved[0] != key:
        iterations = max(1, min(run.iteration, REFERENCE_MAX_ITERATIONS))
        config = dataclasses.replace(run.config, init="sqrt", num_iterations=iterations)
        with st.spinner("Training the same network with 1/√n initialisation…"):
            other = dnn.Trainer(config, run.X, run.Y, run.X_test, run.Y_test)
            other.advance(iterations)
        saved = (key, (list(other.history.norm_iterations), dict(other.history.grad_norms)))
        s.sqrt_reference = saved
    return saved[1]


def gradient_view(run: dnn.Trainer) -> None:
    snap = batch_snapshot(run)
    g, L = snap.grads, run.config.L
    h = run.history
    # The gradient norms first (issue 20): vanishing gradients are read here, the histograms come after.
    if h.norm_iterations:
        reference = sqrt_reference(run) if run.config.init != "sqrt" else None
        st.plotly_chart(pi.grad_norms_figure(h.norm_iterations, h.grad_norms, reference), key=INSPECT_GRAD_NORMS,
                        alt=pi.describe_grad_norms(h.grad_norms))
    st.plotly_chart(pi.histograms_figure([{f"dW{l}": g[f"dW{l}"], f"db{l}": g[f"db{l}"], f"dA{l - 1}": g[f"dA{l - 1}"]}
                                          for l in range(1, L + 1)]), key=INSPECT_GRAD_HIST,
                    alt=f"Histograms of dW, db and dA in each of the {L} layers at iteration {run.iteration:,}.")
    st.caption("Norms over the iterations, on a log scale. Lines far below the others, or collapsing "
               "towards 0, are **vanishing** gradients; lines shooting up are **exploding** ones. Try it: "
               "the five-layer net [12288, 20, 7, 5, 1] with the course's ×0.01 initialisation has tiny "
               "gradients in the first layers and its cost barely moves from 0.693; 1/√n fixes it.")


def gradient_check_view(run: dnn.Trainer) -> None:
    st.caption(f"Backprop against centred finite differences on {GRADCHECK_M} training examples, "
               f"sampling at most {GRADCHECK_PER_LAYER} entries of each W and b. Relative error "
               "< 1e-7 great, < 1e-5 ok (ReLU kinks), otherwise suspicious.")
    s = session.session()
    if st.button("Run gradient check", key=GRAD_CHECK):
        with st.spinner("Checking gradients…"):
            m = min(GRADCHECK_M, run.X.shape[1])
            errors = dnn.gradient_check(run.parameters, run.X[:, :m], run.Y[:, :m], run.config.hidden_activation,
                                        max_per_layer=GRADCHECK_PER_LAYER)
        s.gradcheck = (run, run.iteration, errors)
    saved = s.gradcheck
    if saved and saved[0] is run and saved[1] == run.iteration:
        st.table(pi.gradcheck_table(saved[2]).style.format({"relative error": "{:.2e}"}))


def main() -> None:
    s = session.session()
    st.title("Inspect")
    run, ds = s.run, s.dataset
    if run is None:
        no_model_yet("There is no trained network yet. Train one first, then come back to look inside it.")
        return
    st.caption(f"Run at iteration {run.iteration:,} of {run.config.num_iterations:,}, layer_dims "
               f"{list(run.config.layer_dims)}, {run.config.hidden_activation}, init {run.config.init}."
               + (" Iteration 0: these are the initial weights." if run.iteration == 0 else ""))
    lazy_tabs(TABS, INSPECT_TAB, [lambda: example_view(run, ds), lambda: batch_view(run), lambda: units_view(run, ds),
                          lambda: gradient_view(run), lambda: gradient_check_view(run)])


main()  # no st.stop(): app.py draws the sidebar after the page
