"""Results: accuracies, the confusion matrix, the mistakes (most confident first), save and load a model."""
from __future__ import annotations

import io

import numpy as np
import streamlit as st

import dnn
from dnn.data import Dataset
from ui import plots_inspect as pi
from ui import session
from ui.controller import controller
from ui.text import literal
from ui.widgets import no_model_yet

GRID_COLUMNS, MAX_SHOWN = 5, 50


def _evaluation_set(run: dnn.Trainer) -> tuple[str, np.ndarray, np.ndarray]:
    return ("test", run.X_test, run.Y_test) if run.X_test is not None else ("training", run.X, run.Y)


def _caption(ds: Dataset, y: int, p: float) -> str:
    names = ds.class_names
    return f"true: {names[y]} · predicted: {names[int(p > 0.5)]} · P({names[1]}) = {p:.3f}"


def mislabeled_view(run: dnn.Trainer, ds: Dataset) -> None:
    split, X, Y = _evaluation_set(run)
    probs = run.predict_proba(X)[0]
    order = pi.mislabeled_order(probs, Y)
    st.subheader(f"Mislabeled {split} examples ({len(order)})")
    st.caption("Most confident mistakes first (|P − 0.5| largest). The course lists what trips the "
               "network: unusual poses, a background the colour of the cat, odd colours or breeds, "
               "camera angle, brightness, and scale.")
    box = st.container(key=session.MISLABELED)
    shown = order[:MAX_SHOWN]
    if not shown:
        box.success(f"No mistakes on the {split} set.")
        return
    if ds.kind == "images":
        images = ds.test_x_orig if split == "test" else ds.train_x_orig
        for start in range(0, len(shown), GRID_COLUMNS):
            for col, i in zip(box.columns(GRID_COLUMNS), shown[start:start + GRID_COLUMNS]):
                col.image(images[i], caption=f"#{i} · {_caption(ds, int(Y[0, i]), float(probs[i]))}",
                          width="stretch")
    else:
        box.dataframe([{"example": i, "x1": float(X[0, i]), "x2": float(X[1, i]),
                        "details": _caption(ds, int(Y[0, i]), float(probs[i]))} for i in shown],
                      hide_index=True, key="mislabeled_table")
    pick = st.selectbox("Look inside a mistake", shown, key=session.MISTAKE_CHOICE,
                        format_func=lambda i: f"#{i}: {_caption(ds, int(Y[0, i]), float(probs[i]))}")
    snap = run.snapshot(X[:, [pick]])
    left, right = st.columns([1, 4])
    if ds.kind == "images":
        left.image((ds.test_x_orig if split == "test" else ds.train_x_orig)[pick], width=140)
    left.metric(f"P({literal(ds.class_names[1])})", f"{float(snap.AL[0, 0]):.3f}")
    right.plotly_chart(pi.forward_pass_figure(*pi.layer_values(snap.AL, snap.caches)), key="mistake_forward")


def download_view(run: dnn.Trainer, ds: Dataset) -> None:
    st.subheader("Save or load the model")

    def npz() -> bytes:  # built only when the button is clicked
        buf = io.BytesIO()
        dnn.save_run(buf, run, ds.classes)
        return buf.getvalue()
    st.download_button("⬇️ Download the trained model (.npz)", npz, file_name="dnn_model.npz",
                       mime="application/octet-stream", key=session.DOWNLOAD_MODEL)


def load_model_view(ds: Dataset) -> None:
    upload = st.file_uploader("Load a model (.npz saved by this app)", type=["npz"], key=session.MODEL_UPLOAD)
    if upload is None:
        return
    ctl = controller()
    done = ctl.s.loaded_upload
    if done is None or done[0] != upload.file_id:
        try:
            loaded = dnn.load_run(io.BytesIO(upload.getvalue()), ds.X_train, ds.train_y, ds.X_test, ds.test_y)
        except ValueError as exc:
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
    st.title("Results")
    s = session.session()
    ds, run = s.dataset, s.run
    if run is None:
        no_model_yet("No model yet: train one on the Train page, or load a saved model (.npz) below.")
        load_model_view(ds)
        return
    split, X, Y = _evaluation_set(run)
    cols = st.columns(3)
    cols[0].metric("Train accuracy", f"{run.train_accuracy():.1%}")
    cols[1].metric("Test accuracy", f"{run.test_accuracy():.1%}" if run.X_test is not None else "—")
    cols[2].metric("Iteration", f"{run.iteration:,}")
    st.subheader(f"Confusion matrix ({split} set, {X.shape[1]} examples)")
    counts = pi.confusion_counts(Y, run.predict_proba(X) > 0.5)
    st.plotly_chart(pi.confusion_figure(counts, ds.class_names), key="confusion")
    mislabeled_view(run, ds)
    download_view(run, ds)
    load_model_view(ds)


main()  # no st.stop(): app.py draws the sidebar after the page
