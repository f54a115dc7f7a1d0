"""Inspect: look inside the current network: activations, dead ReLUs, gradients, a gradient check, W1."""
from __future__ import annotations

import numpy as np
import streamlit as st

import dnn
from ui import plots_inspect as pi
from ui import session
from ui.text import literal
from ui.widgets import no_model_yet

BATCH_CAP = 512          # examples in the batch views: all 209 course images
GRADCHECK_M, GRADCHECK_PER_LAYER = 8, 50


def example_view(run: dnn.Trainer, ds) -> None:
    st.subheader("One example, layer by layer")
    left, right = st.columns([1, 3])
    split = left.radio("Example from", ["train", "test"] if run.X_test is not None else ["train"],
                       horizontal=True, key=session.INSPECT_SPLIT)
    X, Y = (run.X, run.Y) if split == "train" else (run.X_test, run.Y_test)
    i = left.slider("Index", 0, X.shape[1] - 1, 0, key=session.INSPECT_INDEX) if X.shape[1] > 1 else 0
    snap = run.snapshot(X[:, [i]], Y[:, [i]])
    p = float(snap.AL[0, 0])
    names = ds.class_names
    if ds.kind == "images":
        images = ds.train_x_orig if split == "train" else ds.test_x_orig
        left.image(images[i], width=160, caption=f"label: {names[int(Y[0, i])]}")
    else:
        left.markdown(f"x = {np.round(X[:, i], 3).tolist()}, label: {literal(names[int(Y[0, i])])}")
    left.metric(f"P({literal(names[1])})", f"{p:.3f}")
    right.plotly_chart(pi.forward_pass_figure(*pi.layer_values(snap.AL, snap.caches)), key="inspect_example")


def batch_view(run: dnn.Trainer) -> None:
    m = min(BATCH_CAP, run.X.shape[1])
    st.subheader(f"The whole batch: the first {m} training examples")
    snap = run.snapshot(run.X[:, :m], run.Y[:, :m])
    Zs, As = pi.layer_values(snap.AL, snap.caches)
    st.plotly_chart(pi.batch_heatmap_figure(As), key="inspect_batch_heatmap")
    st.plotly_chart(pi.histograms_figure([{f"Z{l}": Z, f"A{l}": A} for l, (Z, A) in enumerate(zip(Zs, As), 1)]),
                    key="inspect_act_hist")
    act = run.config.hidden_activation
    if act in ("relu", "leaky_relu"):
        dead = {f"layer {l}": f"{pi.dead_fraction(Z):.0%}" for l, Z in enumerate(Zs[:-1], 1)}
        st.markdown("**Dead units** (Z ≤ 0 for every example in the batch, so "
                    f"{act} passes no gradient through them):")
        st.dataframe([dead], hide_index=True, key="inspect_dead")
    else:
        st.caption(f"Dead units are a ReLU problem; this network uses {act}.")
    gradient_view(run, snap)


def gradient_view(run: dnn.Trainer, snap: dnn.Snapshot) -> None:
    st.subheader("Gradients")
    g, L = snap.grads, run.config.L
    st.plotly_chart(pi.histograms_figure([{f"dW{l}": g[f"dW{l}"], f"db{l}": g[f"db{l}"], f"dA{l - 1}": g[f"dA{l - 1}"]}
                                          for l in range(1, L + 1)]), key="inspect_grad_hist")
    h = run.history
    if h.norm_iterations:
        st.plotly_chart(pi.grad_norms_figure(h.norm_iterations, h.grad_norms), key="inspect_grad_norms")
    st.caption("Norms over the iterations, on a log scale. Lines far below the others, or collapsing "
               "towards 0, are **vanishing** gradients; lines shooting up are **exploding** ones. Try it: "
               "the five-layer net [12288, 20, 7, 5, 1] with the course's ×0.01 initialisation has tiny "
               "gradients in the first layers and its cost barely moves from 0.693; 1/√n fixes it.")


def gradient_check_view(run: dnn.Trainer) -> None:
    st.subheader("Gradient check")
    st.caption(f"Backprop against centred finite differences on {GRADCHECK_M} training examples, "
               f"sampling at most {GRADCHECK_PER_LAYER} entries of each W and b. Relative error "
               "< 1e-7 great, < 1e-5 ok (ReLU kinks), otherwise suspicious.")
    s = session.session()
    if st.button("Run gradient check", key=session.GRAD_CHECK):
        with st.spinner("Checking gradients…"):
            m = min(GRADCHECK_M, run.X.shape[1])
            errors = dnn.gradient_check(run.parameters, run.X[:, :m], run.Y[:, :m], run.config.hidden_activation,
                                        max_per_layer=GRADCHECK_PER_LAYER)
        s.gradcheck = (run, run.iteration, errors)
    saved = s.gradcheck
    if saved and saved[0] is run and saved[1] == run.iteration:
        st.table(pi.gradcheck_table(saved[2]).style.format({"relative error": "{:.2e}"}))


def weights_view(run: dnn.Trainer, ds) -> None:
    st.subheader("First-layer weights")
    W1 = run.parameters["W1"]
    if ds.kind == "images" and ds.num_px and W1.shape[1] == ds.num_px ** 2 * 3:
        tiles = pi.weight_tiles(W1, ds.num_px)
        st.caption(f"Each hidden unit of layer 1 as a {ds.num_px}×{ds.num_px} picture: the pattern it "
                   f"responds to (each stretched to its own min..max). Showing {len(tiles)} of {W1.shape[0]}.")
        st.image(tiles, caption=[f"unit {k}" for k in range(1, len(tiles) + 1)], width=96)
    else:
        st.caption("With 2-D points each unit of layer 1 is a direction (w₁, w₂) plus a bias: "
                   "it splits the plane along the line w₁x₁ + w₂x₂ + b = 0.")
        b1 = run.parameters["b1"]
        st.dataframe([{"unit": k + 1, **{f"w{j + 1}": float(w) for j, w in enumerate(row)}, "b": float(b1[k, 0])}
                      for k, row in enumerate(W1[:50])], hide_index=True, key="inspect_w1_table")


def main() -> None:
    st.title("Inspect")
    s = session.session()
    run, ds = s.run, s.dataset
    if run is None:
        no_model_yet("There is no trained network yet. Train one first, then come back to look inside it.")
        return
    st.caption(f"Run at iteration {run.iteration:,} of {run.config.num_iterations:,}, layer_dims "
               f"{list(run.config.layer_dims)}, {run.config.hidden_activation}, init {run.config.init}."
               + (" Iteration 0: these are the initial weights." if run.iteration == 0 else ""))
    example_view(run, ds)
    batch_view(run)
    gradient_check_view(run)
    weights_view(run, ds)


main()  # no st.stop(): app.py draws the sidebar after the page
