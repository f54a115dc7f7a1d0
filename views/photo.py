"""Your photo: classify an uploaded or camera picture with the current model, and show where it looked."""
from __future__ import annotations

from typing import TypeGuard

import numpy as np
import streamlit as st

import dnn
from dnn.data import Dataset
from dnn.diagnose import check_saliency
from dnn.photo import load_photo
from ui import logs, nav, session
from ui import plots_inspect as pi
from ui.photo_builder import PHOTO_TYPES
from ui.session import CAMERA_ON, PHOTO_CAMERA, PHOTO_UPLOAD, PHOTO_WHICH
from ui.text import literal
from ui.widgets import no_model_yet, show_diagnosis

PREVIEW_PX = 240  # the longest side of "your photo" as shown


def photo_source():
    """The camera shot or the upload; when there are both, the person picks which (a shot never silently
    replaces a listed upload)."""
    shot = None
    if st.toggle("Use the camera", key=CAMERA_ON,
                 help="Off by default so the browser does not ask for the camera until you want it. On a phone, "
                      "the button at the top right of the picture switches to the back camera."):
        shot = st.camera_input("Take a picture", key=PHOTO_CAMERA)
    upload = st.file_uploader("Upload a photo", type=PHOTO_TYPES, key=PHOTO_UPLOAD)
    if shot is not None and upload is not None:
        which = st.radio("Classify", ["the camera shot", f"the upload ({literal(upload.name, 80)})"],
                         key=PHOTO_WHICH, horizontal=True)
        return shot if which == "the camera shot" else upload
    return shot or upload


def trained(run: dnn.Trainer | None) -> TypeGuard[dnn.Trainer]:
    if run is None or run.iteration == 0:
        no_model_yet("There is no trained model yet: train one on the Train page (or load one on "
                     "Results), then come back. You can already see above what the network would see.")
        return False
    return True


def classify(run: dnn.Trainer, ds: Dataset, image, x, col) -> None:
    names = ds.class_names
    p = float(run.predict_proba(x)[0, 0])
    label = int(p > 0.5)
    session.session().photo_probability = p
    col.metric(f"P({literal(names[1])})", f"{p:.3f}")
    col.markdown(f"The network says: **{literal(names[label])}**")
    col.caption(f"Model at iteration {run.iteration:,}, train accuracy {run.train_accuracy():.0%}. "
                "64×64 pixels is very little: framing, background and lighting matter a lot.")
    snap = run.snapshot(x, np.array([[label]]))
    dA0 = snap.grads["dA0"]
    st.header("Where the network looked")
    if (empty := check_saliency(dA0, np.array([[p]]), snap.caches)) is not None:
        show_diagnosis(empty)
    assert ds.num_px is not None, "Your photo runs on image sets only"
    heat = pi.saliency(dA0, ds.num_px)
    left, right = st.columns(2)
    left.image(pi.enlarge(pi.overlay(image, heat)), width=320, caption="saliency over the picture",
               alt=f"Your photo with the saliency for the answer {literal(names[label], 60)} over it: the "
                   "pixels that would move the prediction most, brighter")
    right.image(pi.enlarge(pi.overlay(np.zeros_like(image), heat, strength=1.0)), width=320,
                caption="saliency alone", alt=f"The saliency alone for the answer {literal(names[label], 60)}")
    st.caption(f"Saliency: |∂cost/∂pixel| for the answer “{literal(names[label])}” (largest colour channel per pixel). "
               "Bright pixels are where a small change would move the prediction most. A fully connected "
               "network has no notion of shapes or neighbouring pixels, so the map is often speckled rather "
               "than outlining the cat.")


def main() -> None:
    st.title("Your photo")
    s = session.session()
    s.photo_probability = None
    ds, run = s.dataset, s.run
    if ds.kind != "images":
        st.info(f"The active data, **{literal(ds.name)}**, is 2-D points, so the network takes two numbers, not a "
                "picture. To classify photos, pick an image dataset (the course's cats, the synthetic "
                "ones, or a set of your own photos) on the Data page and train a model on it.")
        nav.link(nav.DATA, label="Go to Data")
        return
    source = photo_source()
    if source is None:
        st.caption(f"Any photo works; it is cropped to a square and shrunk to {ds.num_px}×{ds.num_px} "
                   "pixels, like the training pictures.")
        return
    data = source.getvalue()
    try:
        # One bounded decode gives both the network's input and the preview.
        assert ds.num_px is not None, "Your photo runs on image sets only"
        image, x, preview, _ = load_photo(data, num_px=ds.num_px, preview_px=PREVIEW_PX)
        assert preview is not None, "load_photo gives a preview when preview_px is set"
    except ValueError as exc:
        logs.refused_upload("photo", "not a usable photo", s.id)
        st.error(f"Could not use {literal(source.name)}: {literal(exc, 2000)}")
        return
    cols = st.columns(3)
    cols[0].image(preview, caption="your photo", width=min(PREVIEW_PX, preview.shape[1]),
                  alt=f"Your photo, {literal(source.name, 80)}")
    cols[1].image(pi.enlarge(image), caption=f"what the network sees ({ds.num_px}×{ds.num_px})", width=240,
                  alt=f"Your photo as the network sees it: {ds.num_px}×{ds.num_px} pixels")
    if trained(run):
        classify(run, ds, image, x, cols[2])


main()  # no st.stop(): app.py draws the sidebar after the page
