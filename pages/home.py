"""Home: what DNN Explorer is, which data is active, and one-click course presets."""
from __future__ import annotations

import streamlit as st

from dnn.data import DATA_DIR_ENV, TEST_FILE, TRAIN_FILE
from ui import params, state, widgets

widgets.require_shell()

PRESETS = {
    "two_layer": ("Course two-layer net [n_x, 7, 1]", (7,), "course",
                  "LINEAR→RELU→LINEAR→SIGMOID, init randn×0.01, seed 1. The course reaches test accuracy 0.72."),
    "five_layer": ("Course five-layer net [n_x, 20, 7, 5, 1]", (20, 7, 5), "sqrt",
                   "[LINEAR→RELU]×4→LINEAR→SIGMOID, init randn/√n_prev, seed 1. The course reaches 0.80."),
}


def apply_preset(name: str) -> None:
    _, hidden, init, _ = PRESETS[name]
    state.set_config(params.build_config(state.get_dataset().n_x, hidden, hidden_activation="relu", init=init,
                                         learning_rate=0.0075, num_iterations=2500, seed=1, dtype="float64"))


st.title("DNN Explorer")
st.markdown(
    "Train the deep neural network of the course *Deep Neural Network step by step* (cat vs non-cat) "
    "right here, and **watch it learn**: the cost going down, the accuracy going up, the activations and "
    "gradients inside each layer, the pictures it gets wrong, and what it thinks of your own photo. "
    "Everything is plain NumPy: forward propagation, the cost, backward propagation, gradient descent."
)

ds = state.get_dataset()
if state.course_data_found() and ds.name == state.course_dataset().name:
    st.success(f"Active data: **{ds.name}** ({ds.m_train} training and {ds.m_test} test images).")
else:
    st.info(f"Active data: **{ds.name}** ({ds.m_train} training and {ds.m_test} test examples).")
if not state.course_data_found():
    st.markdown(
        f"The course's cat pictures were not found, so the app uses embedded **synthetic cartoon cats**. "
        f"To use the real ones, put `{TRAIN_FILE}` and `{TEST_FILE}` in a `data/` folder, or set the "
        f"`{DATA_DIR_ENV}` environment variable to the folder that holds them, or upload both files on the "
        "**Data** page."
    )

st.subheader("Start from the course's networks")
st.caption("Learning rate 0.0075, 2500 iterations, float64, full-batch gradient descent. "
           "A preset sets the model for the active data and opens Train; press Start there.")
for column, (name, (title, _, _, blurb)) in zip(st.columns(len(PRESETS)), PRESETS.items()):
    with column.container(border=True):
        st.markdown(f"**{title}**")
        st.caption(blurb)
        if st.button("Use this preset", key=f"preset_{name}", type="primary"):
            apply_preset(name)
            st.switch_page("pages/train.py")

st.subheader("The pages")
st.markdown(
    "- **Data**: choose the dataset, browse the pictures, see how an image becomes a vector.\n"
    "- **Model**: layers, units, activation, initialisation, learning rate; the shapes of W, b, Z, A.\n"
    "- **Train**: start, pause, step and reset gradient descent; compare runs.\n"
    "- **Inspect**, **Results**, **Your photo**, **Step by step**: look inside the trained network, "
    "its mistakes, your own picture, and each course function with its formula."
)
