"""Data: choose the dataset, browse its examples, and see how an image becomes a vector."""
from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from dnn.builder import dataset_advice
from dnn.data import TEST_FILE, TRAIN_FILE, Dataset, load_catvnoncat_files
from dnn.toy import DEFAULT_NOISE
from ui import datasets, logs, photo_builder, plots_train, session, settings, toy_link
from ui.controller import controller
from ui.photo_builder import BUILT_KEY
from ui.session import (
    BROWSE_PAGE,
    BROWSE_SPLIT,
    COURSE_UPLOAD,
    DATASET_CHOICE,
    TOY_NAME,
    TOY_NOISE,
    TOY_POINTS,
    TOY_REGENERATE,
    TOY_SCATTER,
    TOY_TRAIN,
    UPLOAD_TEST_H5,
    UPLOAD_TRAIN_H5,
    UPLOAD_ZIP,
    ZIP_EDIT,
    ZIP_UPLOAD,
)
from ui.text import literal
from ui.theme import is_dark
from ui.toy_link import ToyOptions

CHOICES = {"course": "Course cat vs non-cat (h5 files)", "synthetic": "Synthetic cartoon cats (built in)",
           "toy": "2-D toy points (see the decision boundary)", "build": "Build your own photo set",
           "zip": "Your own labelled photos (zip)"}
PER_PAGE = 18


def current_choice(data_key: str) -> str:
    """The radio option of a dataset key."""
    if data_key in settings.TOY_NAMES:
        return "toy"
    return {settings.COURSE: "course", COURSE_UPLOAD: "course", settings.SYNTHETIC: "synthetic",
            BUILT_KEY: "build"}.get(data_key, "zip")


def switch(ds: Dataset, key: str) -> None:
    ctl = controller()
    ctl.s.upload_ids = None
    ctl.switch_dataset(ds, key)
    st.rerun()


def network_for_memory() -> dict:
    """The current network, so an upload is refused when it and its training would not fit in memory."""
    config = session.session().config
    return {"hidden": config.layer_dims[1:-1], "dtype": config.dtype}


def use_upload(ids: tuple, make, key: str, kind: str) -> None:
    """Load an upload once (``make`` raises ValueError for bad files) and switch to it; a refusal is logged as
    ``kind`` (the message names the file, so it stays on the page)."""
    ctl = controller()
    if ctl.s.upload_ids == ids:
        return
    try:
        ds = make()
    except ValueError as exc:
        logs.refused_upload(kind, "not a usable data file", ctl.s.id)
        st.error(f"Could not use these files: {literal(exc)}")
        return
    ctl.switch_dataset(ds, key)
    ctl.s.upload_ids = ids
    st.rerun()


def course_controls() -> None:
    found, problem = datasets.course_lookup()
    if problem is not None:
        st.warning(f"The course's files were found but cannot be used: {literal(problem, 2000)}")
    if found is not None and session.session().data_key not in (settings.COURSE, COURSE_UPLOAD):
        switch(found, settings.COURSE)
    if found is None:
        st.info(f"The course files were not found on disk. Upload `{TRAIN_FILE}` and `{TEST_FILE}` "
                "(or put them in `data/`, or set DNN_DATA_DIR, and reload).")
    with st.expander("Upload the two course files", expanded=found is None):
        c1, c2 = st.columns(2)
        train = c1.file_uploader(TRAIN_FILE, type=["h5"], key=UPLOAD_TRAIN_H5)
        test = c2.file_uploader(TEST_FILE, type=["h5"], key=UPLOAD_TEST_H5)
    if train is not None and test is not None:
        def make() -> Dataset:
            return Dataset("Course cat vs non-cat (uploaded)",
                           *load_catvnoncat_files(train.getvalue(), test.getvalue(), **network_for_memory()))
        use_upload((train.file_id, test.file_id), make, COURSE_UPLOAD, "h5")


def use_toy(name: str, options: ToyOptions) -> None:
    """Switch to toy set ``name`` drawn with ``options`` (kept in the session for the link)."""
    ctl = controller()
    ctl.s.upload_ids = None
    ctl.s.toy_options = options
    ctl.switch_dataset(toy_link.toy_data(name, options), name)


def _toy_changed(change: str) -> None:
    """Callback of the toy widgets: one changed value, the others kept."""
    state = st.session_state
    options = toy_link.options_of(session.session())
    name = state[TOY_NAME]
    if change == "points":
        options = dataclasses.replace(options, points=int(state[TOY_POINTS]))
    elif change == "noise":
        options = dataclasses.replace(options, noise=float(state[TOY_NOISE]))
    elif change == "train":
        options = dataclasses.replace(options, train_pct=int(state[TOY_TRAIN]))
    elif change == "regenerate":
        options = options.regenerated()
    use_toy(name, options)


def toy_controls() -> None:
    s = session.session()
    names = list(settings.TOY_NAMES)
    options = toy_link.options_of(s)
    if s.data_key not in names:
        use_toy(names[0], options)  # choosing the toy points shows them at once
    name = s.data_key
    # The widgets always start from the session's values (a link or another page may have changed them).
    st.session_state[TOY_NAME] = name
    st.session_state[TOY_POINTS] = options.points
    st.session_state[TOY_NOISE] = float(options.noise_for(name))
    st.session_state[TOY_TRAIN] = options.train_pct
    st.selectbox("Toy dataset", names, key=TOY_NAME, on_change=_toy_changed, args=("name",))
    cols = st.columns(4)
    cols[0].slider("Points", *toy_link.POINTS_RANGE, step=10, key=TOY_POINTS,
                   on_change=_toy_changed, args=("points",), help="How many points are drawn (train and test).")
    cols[1].slider("Noise", *toy_link.NOISE_RANGE, step=0.01, key=TOY_NOISE, on_change=_toy_changed,
                   args=("noise",), help=f"Gaussian scatter added to every point; {name} starts at "
                                         f"{DEFAULT_NOISE[name]:g}.")
    cols[2].slider("Training share (%)", *toy_link.TRAIN_PCT_RANGE, step=5, key=TOY_TRAIN,
                   on_change=_toy_changed, args=("train",), help="The rest of the points are the test set.")
    cols[3].button("Regenerate", key=TOY_REGENERATE, on_click=_toy_changed, args=("regenerate",),
                   icon=":material/refresh:", help="New points: the next data seed (the link keeps it).")
    cols[3].caption(f"data seed {options.seed}")


def zip_controls() -> None:
    st.caption("A zip with two folders, one per class (e.g. `cat/` and `not_cat/`), of JPEG or PNG photos. "
               "Each photo is resized to 64×64; 20 % are kept aside as the test set. "
               "A set built on this page and downloaded loads back here.")
    upload = st.file_uploader("Zip of labelled photos", type=["zip"], key=UPLOAD_ZIP)
    if upload is not None:
        from dnn.zipdata import load_photo_zip

        def make() -> Dataset:
            # Each photo updates the bar: Streamlit stops the loop there when the user leaves or reruns.
            bar = st.progress(0.0, text="Reading the photos…")
            def step(done: int, total: int) -> None:
                bar.progress(done / max(total, 1), text=f"Reading photo {done:,} of {total:,}…")

            ds = load_photo_zip(upload.getvalue(), progress=step, **network_for_memory())
            bar.empty()
            return ds
        use_upload((upload.file_id,), make, ZIP_UPLOAD, "zip")
    s = session.session()
    if s.data_key == ZIP_UPLOAD:
        photo_builder.zip_positive_choice(s.dataset, ZIP_UPLOAD)
        st.button("Edit these photos in the builder", key=ZIP_EDIT, on_click=photo_builder.edit,
                  args=(s.dataset,), help="Copies every photo of this set into the builder: add or remove "
                                          "photos, rename the classes, then use or download the result.")


def browse_images(ds: Dataset) -> None:
    split = st.radio("Examples from", ["train", "test"], horizontal=True, key=BROWSE_SPLIT)
    images, labels = (ds.train_x_orig, ds.train_y) if split == "train" else (ds.test_x_orig, ds.test_y)
    pages = max(1, -(-len(images) // PER_PAGE))
    page = st.slider("Page", 1, pages, 1, key=BROWSE_PAGE) if pages > 1 else 1
    idx = range((page - 1) * PER_PAGE, min(page * PER_PAGE, len(images)))
    names = ds.class_names
    st.image([images[i] for i in idx], caption=[f"#{i}: {literal(names[int(labels[0, i])], 60)}" for i in idx],
             alt=[f"{split.capitalize()} example #{i}, labelled {literal(names[int(labels[0, i])], 60)}" for i in idx],
             width=96)


def explain_flatten(ds: Dataset) -> None:
    st.subheader(f"From a {ds.num_px}×{ds.num_px}×3 image to a {ds.n_x:,}-vector")
    st.markdown(f"Each picture is {ds.num_px}×{ds.num_px} pixels with 3 colour values (red, green, blue) from 0 to "
                f"255. The network wants one column of numbers per example, so the image is *flattened* into "
                f"{ds.num_px}·{ds.num_px}·3 = **{ds.n_x:,}** values and divided by 255 to lie in [0, 1]. "
                f"Stacking the columns gives X of shape ({ds.n_x:,}, m).")
    st.code("train_x_flatten = train_x_orig.reshape(train_x_orig.shape[0], -1).T\n"
            "train_x = train_x_flatten / 255.   # shape (12288, 209) for the course data", language="python",
            wrap_lines=True)
    raw = ds.train_x_orig[0].reshape(-1)[:6]
    st.markdown(f"Example #0: first pixel values `{raw.tolist()}` → first entries of x `"
                f"{np.round(ds.X_train[:6, 0], 4).tolist()}` (R, G, B of pixel (0,0), then of pixel (0,1)).")


st.title("Data")
s = session.session()
st.session_state.setdefault(DATASET_CHOICE, current_choice(s.data_key))
choice = st.radio("Dataset", list(CHOICES), format_func=CHOICES.get, key=DATASET_CHOICE, horizontal=True)
if choice == "synthetic" and s.data_key != settings.SYNTHETIC:
    switch(datasets.synthetic_data(), settings.SYNTHETIC)
{"course": course_controls, "toy": toy_controls, "build": photo_builder.render,
 "zip": zip_controls}.get(choice, lambda: None)()
ds = s.dataset
st.caption("Switching data archives the current run (its curve stays in the Train page's history) and adapts "
           "the model's input size.")
for note in ds.notes:
    st.info(literal(note, limit=2000))

st.header(f"Active: {literal(ds.name)}")
if s.data_key == ZIP_UPLOAD:  # a built set got the same advice in the builder
    for advice in dataset_advice(ds):
        st.warning(literal(advice.text, limit=1000), icon=":material/warning:")
balance = lambda y: f"{np.mean(y):.0%} {ds.class_names[1]}"  # noqa: E731 - a metric's value is plain text
cols = st.columns(5)
cols[0].metric("m_train", ds.m_train)
cols[1].metric("m_test", ds.m_test)
cols[2].metric("num_px", ds.num_px if ds.num_px else "—", help="Image side in pixels (none for 2-D points)")
cols[3].metric("Train balance", balance(ds.train_y))
cols[4].metric("Test balance", balance(ds.test_y))

if ds.kind == "toy":
    names = [literal(c, 60) for c in ds.class_names]
    counts = [int((ds.train_y == k).sum()) for k in (0, 1)]
    st.plotly_chart(plots_train.toy_scatter_figure(np.asarray(ds.X_train), ds.train_y, ds.class_names,
                                                   dark=is_dark(st.context.theme.type)), key=TOY_SCATTER,
                    alt=f"Scatter plot of the {ds.m_train} training points in the plane (x1, x2): {counts[0]} "
                        f"{names[0]} as circles, {counts[1]} {names[1]} as triangles.")
    st.caption(f"Each example is a point (x1, x2): X has shape (2, {ds.m_train}). A straight line cannot "
               "separate the colours, so the hidden layers have to bend the boundary.")
else:
    browse_images(ds)
    explain_flatten(ds)
