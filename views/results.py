"""Results: accuracies, the confusion matrix, the mistakes (most confident first), one example looked into
(its forward pass and saliency), save and load a model.  Sections are lazy tabs: only the open one is computed.

Clicking a confusion-matrix cell lists that cell's examples; clicking "Look inside" under a picture
opens its forward pass and saliency.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np
import streamlit as st

import dnn
from dnn.data import Dataset
from dnn.diagnose import check_saliency
from ui import logs, session
from ui import plots_inspect as pi
from ui.controller import controller
from ui.session import (
    CONFUSION,
    DOWNLOAD_MODEL,
    MISLABELED,
    MISLABELED_TABLE,
    MISTAKE_CHOICE,
    MISTAKE_FORWARD,
    MODEL_UPLOAD,
    RESULTS_CELL,
    RESULTS_TAB,
    look_key,
)
from ui.text import literal
from ui.widgets import lazy_tabs, no_model_yet, show_diagnosis

GRID_COLUMNS, MAX_SHOWN = 5, 50
TABS = ("Mistakes", "Look inside one", "Save or load")
MISTAKES = "mistakes"  # the RESULTS_CELL value that lists every wrong prediction


def _evaluation_set(run: dnn.Trainer) -> tuple[str, Any, Any]:  # X may be a big set's Pixels; Y is there
    return ("test", run.X_test, run.Y_test) if run.X_test is not None else ("training", run.X, run.Y)


def _caption(ds: Dataset, y: int, p: float) -> str:
    names = ds.class_names
    return (f"true: {literal(names[y], 60)} · predicted: {literal(names[int(p > 0.5)], 60)} · "
            f"P({literal(names[1], 60)}) = {p:.3f}")


def _probs(run: dnn.Trainer, X: np.ndarray) -> np.ndarray:
    s = session.session()
    key = (id(run), run.iteration, X.shape)
    cached = s.results_probs
    if cached is None or cached[0] != key:
        cached = s.results_probs = (key, run.predict_proba(X)[0])
    return cached[1]


def cell_examples(Y: np.ndarray, probs: np.ndarray, cell: str) -> list[int]:
    """The examples of a confusion cell "t,p" (true t, predicted p), or every mistake; most confident first."""
    if cell == MISTAKES:
        return pi.mislabeled_order(probs, Y)
    t, p = (int(c) for c in cell.split(","))
    y, pred = np.asarray(Y).ravel().astype(int), (np.asarray(probs).ravel() > 0.5).astype(int)
    idx = np.flatnonzero((y == t) & (pred == p))
    return [int(i) for i in idx[np.argsort(-np.abs(probs[idx] - 0.5), kind="stable")]]


def look_inside(i: int) -> None:
    """Open example i in the "Look inside one" tab."""
    st.session_state[MISTAKE_CHOICE] = i
    st.session_state[RESULTS_TAB] = TABS[1]


def confusion_view(run: dnn.Trainer, ds: Dataset, split: str, Y: np.ndarray, probs: np.ndarray) -> None:
    counts = pi.confusion_counts(Y, probs > 0.5)
    left, right = st.columns([3, 2], gap="medium", vertical_alignment="center")
    left.markdown(f"**Confusion matrix** ({split} set, {Y.shape[1]} examples)")
    names = ds.class_names
    cells = "; ".join(f"true {literal(names[t], 60)}, predicted {literal(names[p], 60)}: {int(counts[t, p])}"
                      for t in (0, 1) for p in (0, 1))
    left.plotly_chart(pi.confusion_figure(counts, ds.class_names), key=CONFUSION,
                      alt=f"Confusion matrix of the {split} set: {cells}.")
    options = [MISTAKES] + [f"{t},{p}" for t in (0, 1) for p in (0, 1)]

    def label(cell: str) -> str:
        if cell == MISTAKES:
            return f"All mistakes ({int(counts[0, 1] + counts[1, 0])})"
        t, p = (int(c) for c in cell.split(","))
        return f"true {names[t]} → {names[p]} ({int(counts[t, p])})"
    right.radio("Show the pictures of", options, format_func=label, key=RESULTS_CELL,
                help="A cell of the matrix: its examples, most confident first.")


def examples_view(run: dnn.Trainer, ds: Dataset, split: str, X: np.ndarray, Y: np.ndarray, probs: np.ndarray) -> None:
    cell = st.session_state.get(RESULTS_CELL, MISTAKES)
    order = cell_examples(Y, probs, cell)
    title = "Mislabeled" if cell == MISTAKES else "These"
    st.markdown(f"**{title} {split} examples ({len(order)})**, most confident first (|P − 0.5| largest)")
    box = st.container(key=MISLABELED)
    shown = order[:MAX_SHOWN]
    if not shown:
        box.success(f"No mistakes on the {split} set." if cell == MISTAKES else "No examples in this cell.")
        return
    if ds.kind == "images":
        images = ds.test_x_orig if split == "test" else ds.train_x_orig
        for start in range(0, len(shown), GRID_COLUMNS):
            for col, i in zip(box.columns(GRID_COLUMNS), shown[start:start + GRID_COLUMNS], strict=False):
                col.image(images[i], caption=f"#{i} · {_caption(ds, int(Y[0, i]), float(probs[i]))}",
                          width="stretch", alt=f"{split.capitalize()} example #{i}: "
                                               f"{_caption(ds, int(Y[0, i]), float(probs[i]))}")
                col.button("Look inside", key=look_key(i), on_click=look_inside, args=(i,),
                           icon=":material/zoom_in:")
    else:
        box.dataframe([{"example": i, "x1": float(X[0, i]), "x2": float(X[1, i]),
                        "details": _caption(ds, int(Y[0, i]), float(probs[i]))} for i in shown],
                      hide_index=True, key=MISLABELED_TABLE)
    st.caption("The course lists what trips the network: unusual poses, a background the colour of the cat, "
               "odd colours or breeds, camera angle, brightness, and scale.")


def one_example_view(run: dnn.Trainer, ds: Dataset, split: str, X: np.ndarray, Y: np.ndarray,
                     probs: np.ndarray) -> None:
    order = pi.mislabeled_order(probs, Y)
    everything = order + [i for i in range(X.shape[1]) if i not in set(order)]
    if st.session_state.get(MISTAKE_CHOICE) not in everything:
        st.session_state[MISTAKE_CHOICE] = everything[0]
    pick = st.selectbox(f"Example ({split} set; the mistakes first)", everything, key=MISTAKE_CHOICE,
                        format_func=lambda i: f"#{i}: {_caption(ds, int(Y[0, i]), float(probs[i]))}")
    snap = run.snapshot(X[:, [pick]], Y[:, [pick]])
    left, right = st.columns([1, 3])
    p = float(snap.AL[0, 0])
    if ds.kind == "images":
        image = (ds.test_x_orig if split == "test" else ds.train_x_orig)[pick]
        assert ds.num_px is not None, "an image set has a picture side"
        heat = pi.saliency(snap.grads["dA0"], ds.num_px)
        said = _caption(ds, int(Y[0, pick]), p)
        left.image([image, pi.overlay(image, heat)], width=150, caption=["the picture", "saliency: |dA0|"],
                   alt=[f"{split.capitalize()} example #{pick}: {said}",
                        f"Saliency of {split} example #{pick}: the pixels that change the cost most, brighter"])
    left.metric(f"P({literal(ds.class_names[1])})", f"{p:.3f}")
    if (empty := check_saliency(snap.grads["dA0"], snap.AL, snap.caches)) is not None:
        show_diagnosis(empty, left)
    right.plotly_chart(pi.forward_pass_figure(*pi.layer_values(snap.AL, snap.caches)), key=MISTAKE_FORWARD,
                       alt=f"Bars of Z and A in every layer for {split} example #{pick}; the output "
                           f"P({literal(ds.class_names[1], 60)}) is {p:.3f}.")
    right.caption("Saliency: how much each pixel's change would change the cost (|dA0|, the largest colour "
                  "channel), brighter = more.")


def download_view(run: dnn.Trainer, ds: Dataset) -> None:
    def npz() -> bytes:  # built only when the button is clicked
        buf = io.BytesIO()
        dnn.save_run(buf, run, ds.classes)
        return buf.getvalue()
    st.download_button("Download the trained model (.npz)", npz, file_name="dnn_model.npz",
                       mime="application/octet-stream", key=DOWNLOAD_MODEL, icon=":material/download:")


def load_model_view(ds: Dataset) -> None:
    upload = st.file_uploader("Load a model (.npz saved by this app)", type=["npz"], key=MODEL_UPLOAD)
    if upload is None:
        return
    ctl = controller()
    done = ctl.s.loaded_upload
    if done is None or done[0] != upload.file_id:
        try:
            loaded = dnn.load_run(io.BytesIO(upload.getvalue()), ds.X_train, ds.train_y, ds.X_test, ds.test_y)
        except ValueError as exc:
            logs.refused_upload("model", "not a model file of this app", ctl.s.id)
            ctl.s.loaded_upload = (upload.file_id, f"Could not load {literal(upload.name)}: {literal(exc, 2000)} "
                                                   "The current model is kept.")
        else:
            ctl.adopt(loaded)
            ctl.s.loaded_upload = (upload.file_id, None)
            st.rerun()  # redraw the whole page with the loaded model
        done = ctl.s.loaded_upload
    if done[1]:
        st.error(done[1])
    else:
        st.success(f"Loaded {literal(upload.name)}: this model is now the current run.")


def main() -> None:
    s = session.session()
    st.title("Results")
    ds, run = s.dataset, s.run
    if run is None:
        no_model_yet("No model yet: train one on the Train page, or load a saved model (.npz) below.")
        load_model_view(ds)
        return
    split, X, Y = _evaluation_set(run)
    probs = _probs(run, X)
    row = st.container(horizontal=True, gap="large")
    row.metric("Train accuracy", f"{run.train_accuracy():.1%}", width="content")
    row.metric("Test accuracy", f"{run.test_accuracy():.1%}" if run.X_test is not None else "—", width="content")
    row.metric("Iteration", f"{run.iteration:,}", width="content")
    def mistakes() -> None:
        confusion_view(run, ds, split, Y, probs)
        examples_view(run, ds, split, X, Y, probs)

    def files() -> None:
        download_view(run, ds)
        load_model_view(ds)
    lazy_tabs(TABS, RESULTS_TAB, [mistakes, lambda: one_example_view(run, ds, split, X, Y, probs), files])


main()  # no st.stop(): app.py draws the sidebar after the page
