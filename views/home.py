"""Home: what DNN Explorer is and what a first-time student is about to see, which data is active, and
one-click course presets."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dnn.data import DATA_DIR_ENV, TEST_FILE, TRAIN_FILE
from ui import datasets, nav, session, settings
from ui.controller import controller
from ui.text import literal

ASSETS = Path(__file__).resolve().parents[1] / "assets"  # drawn by assets/make_assets.py


def apply_preset(name: str) -> None:
    ctl = controller()
    ctl.set_config(settings.preset_config(name, ctl.s.dataset.n_x))


st.title("DNN Explorer")
# The presets first: one click to a course network, above the fold at 1280x720 and on a projector at 150%;
# what the app is comes right after.
st.header("Start from the course's networks")
for column, (name, preset) in zip(st.columns(len(settings.PRESETS)), settings.PRESETS.items(), strict=True):
    with column.container(border=True):
        st.markdown(f"**{preset.title}**")
        st.caption(preset.blurb)
        if st.button("Use this preset", key=session.preset_key(name), type="primary"):
            apply_preset(name)
            st.switch_page(nav.TRAIN.script)
st.caption("Learning rate 0.0075, 2500 iterations, float64, full-batch gradient descent. "
           "A preset sets the model for the active data and opens Train; press Start there.")

st.markdown(
    "Train the deep neural network of the course *Deep Neural Network step by step* (cat vs non-cat) "
    "right here, and **watch it learn**: the cost going down, the accuracy going up, the activations and "
    "gradients inside each layer, the pictures it gets wrong, and what it thinks of your own photo. "
    "Everything is plain NumPy: forward propagation, the cost, backward propagation, gradient descent."
)
st.image(str(ASSETS / "home_overview.png"), width="stretch",
         alt="Three steps: 1. pick data (cat and non-cat pictures, or 2-D points, or your photos); 2. build a "
             "network and watch it learn (a graph of units and weights, and a falling cost curve, train and test); "
             "3. see what it learned (P(cat) = 0.93 for a cat, which pixels mattered, the mistakes).",
         caption="What you are about to see: pick the data, build a network and watch it learn, "
                 "then see what it learned.")
with st.expander("New here? What the Train page shows, and how a picture becomes numbers"):
    st.markdown(
        "- **The network itself**: one square per unit, each a little picture of what that unit computes. "
        "Layer-1 units of an image network are their 64×64 weights (orange below 0, blue above); deeper units "
        "light up on some of the example pictures. Lines are the weights: blue positive, orange negative, "
        "thicker for larger. It all moves while it trains.\n"
        "- **The curves**: the cost (how wrong the network is) and the accuracy, on the training set (solid) "
        "and on the test set (dashed). When the test curve turns up while training keeps falling, it is "
        "overfitting.\n"
        "- **What went wrong**: a run that blows up, gets worse, or answers the same thing for every picture "
        "is explained in plain words, with the next thing to try.")
    st.image(str(ASSETS / "image_to_vector.png"), width="stretch",
             alt="A 64×64 colour picture split into its red, green and blue channels, flattened into one column "
                 "of 12,288 numbers.",
             caption="A 64×64 colour picture is 12,288 numbers: its three colour channels, flattened into one "
                     "column x and divided by 255. The network reads m such columns at once: X is (12288, m).")

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

st.header("The pages")
st.markdown(
    "- **Data**: choose the dataset, browse the pictures, see how an image becomes a vector.\n"
    "- **Model**: layers, units, activation, initialisation, learning rate; the shapes of W, b, Z, A.\n"
    "- **Train**: start, pause, step and reset gradient descent; compare runs.\n"
    "- **Inspect**, **Results**, **Your photo**, **Step by step**: look inside the trained network, "
    "its mistakes, your own picture, and each course function with its formula."
)
