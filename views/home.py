"""Home: what DNN Explorer is, which data is active, and one-click course presets."""
from __future__ import annotations

import streamlit as st

from dnn.data import DATA_DIR_ENV, TEST_FILE, TRAIN_FILE
from ui import datasets, session, settings
from ui.controller import controller
from ui.text import literal


def apply_preset(name: str) -> None:
    ctl = controller()
    ctl.set_config(settings.preset_config(name, ctl.s.dataset.n_x))


st.title("DNN Explorer")
st.markdown(
    "Train the deep neural network of the course *Deep Neural Network step by step* (cat vs non-cat) "
    "right here, and **watch it learn**: the cost going down, the accuracy going up, the activations and "
    "gradients inside each layer, the pictures it gets wrong, and what it thinks of your own photo. "
    "Everything is plain NumPy: forward propagation, the cost, backward propagation, gradient descent."
)

s = session.session()
ds = s.dataset
if s.data_key == settings.COURSE:
    st.success(f"Active data: **{literal(ds.name)}** ({ds.m_train} training and {ds.m_test} test images).")
else:
    st.info(f"Active data: **{literal(ds.name)}** ({ds.m_train} training and {ds.m_test} test examples).")
found, problem = datasets.course_lookup()
if problem is not None:
    st.warning(f"The course's files were found but cannot be used: {literal(problem, 2000)}")
if found is None:
    st.markdown(
        f"The course's cat pictures were not found, so the app uses embedded **synthetic cartoon cats**. "
        f"To use the real ones, put `{TRAIN_FILE}` and `{TEST_FILE}` in a `data/` folder, or set the "
        f"`{DATA_DIR_ENV}` environment variable to the folder that holds them, or upload both files on the "
        "**Data** page."
    )

st.subheader("Start from the course's networks")
st.caption("Learning rate 0.0075, 2500 iterations, float64, full-batch gradient descent. "
           "A preset sets the model for the active data and opens Train; press Start there.")
for column, (name, preset) in zip(st.columns(len(settings.PRESETS)), settings.PRESETS.items()):
    with column.container(border=True):
        st.markdown(f"**{preset.title}**")
        st.caption(preset.blurb)
        if st.button("Use this preset", key=session.preset_key(name), type="primary"):
            apply_preset(name)
            st.switch_page("views/train.py")

st.subheader("The pages")
st.markdown(
    "- **Data**: choose the dataset, browse the pictures, see how an image becomes a vector.\n"
    "- **Model**: layers, units, activation, initialisation, learning rate; the shapes of W, b, Z, A.\n"
    "- **Train**: start, pause, step and reset gradient descent; compare runs.\n"
    "- **Inspect**, **Results**, **Your photo**, **Step by step**: look inside the trained network, "
    "its mistakes, your own picture, and each course function with its formula."
)
