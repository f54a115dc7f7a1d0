"""Model: choose the network and the training settings; see its shapes, size and memory."""
from __future__ import annotations

import streamlit as st

import dnn
from ui import params, plots_train, state, widgets

widgets.require_shell()

LR_OPTIONS = (1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
              20.0, 50.0, 100.0)  # the big ones show divergence
MAX_HIDDEN = params.MAX_HIDDEN_LAYERS
DEFAULT_UNITS = 5


def seed_widgets(cfg: dnn.TrainConfig) -> None:
    """Widgets start from the current config (their keys vanish while another page is open)."""
    hidden = widgets.hidden_units(cfg)
    st.session_state.setdefault("n_hidden", min(len(hidden), MAX_HIDDEN))
    for k in range(1, MAX_HIDDEN + 1):
        st.session_state.setdefault(f"units_{k}", hidden[k - 1] if k <= len(hidden) else DEFAULT_UNITS)
    for key, value in (("activation", cfg.hidden_activation), ("init", cfg.init), ("lr", cfg.learning_rate),
                       ("iterations", cfg.num_iterations), ("seed", cfg.seed), ("precision", cfg.dtype)):
        st.session_state.setdefault(key, value)


def layer_controls() -> list[int]:
    n_hidden = st.slider("Hidden layers", 0, MAX_HIDDEN, key="n_hidden",
                         help="0 hidden layers is logistic regression, the course's first model.")
    units = []
    cols = st.columns(3)
    for k in range(1, n_hidden + 1):
        units.append(cols[(k - 1) % 3].number_input(f"Units in layer {k}", 1, params.MAX_UNITS, step=1,
                                                    key=f"units_{k}"))
    return units


def training_controls() -> dict:
    lr_options = tuple(sorted({*LR_OPTIONS, float(st.session_state["lr"])}))
    return {
        "hidden_activation": st.selectbox("Hidden activation", dnn.HIDDEN_ACTIVATIONS, key="activation",
                                          help="The output layer is always a sigmoid: a probability of cat."),
        "init": st.radio("Initialisation", list(dnn.INITIALIZATIONS), key="init",
                         captions=list(dnn.INITIALIZATIONS.values())),
        "learning_rate": st.select_slider("Learning rate α", lr_options, key="lr", format_func=lambda v: f"{v:g}"),
        "num_iterations": st.number_input("Iterations", 1, params.MAX_ITERATIONS, step=100, key="iterations"),
        "seed": st.number_input("Random seed", 0, 2**32 - 1, step=1, key="seed"),
        "dtype": st.radio("Precision", dnn.DTYPES, key="precision", horizontal=True,
                          help="float32 halves the memory and is faster; float64 reproduces the course's digits."),
    }


def show_size(cfg: dnn.TrainConfig, m: int) -> bool:
    """Parameter count and memory; False (with an error) when the network would not fit."""
    need = dnn.estimate_memory_bytes(cfg.layer_dims, m, cfg.dtype)
    c1, c2 = st.columns(2)
    c1.metric("Parameters", f"{dnn.parameter_count(cfg.layer_dims):,}")
    c2.metric("Memory for training", widgets.fmt_bytes(need), help="X, W, dW and Z, A, dZ for all m examples.")
    try:
        dnn.check_memory(cfg.layer_dims, m, cfg.dtype)
    except ValueError as exc:
        st.error(f"Too big to train: {exc}")
        return False
    return True


st.title("Model")
ds, old = state.get_dataset(), state.get_config()
seed_widgets(old)
left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader("Layers")
    units = layer_controls()
with right:
    st.subheader("Training")
    settings = training_controls()
try:
    cfg = params.build_config(ds.n_x, units, **settings)
except ValueError as exc:
    st.error(f"These settings do not make a valid model: {exc} The previous model is kept.")
    cfg = old
if params.same_model(cfg, old):
    cfg = old  # only the recording intervals differ: keep the config a run may be using
else:
    state.set_config(cfg)

run = state.get_run()
if run is not None and not params.same_model(run.config, cfg):
    st.info("A run with the previous settings exists. Your changes apply when you press **Start** or **Reset** "
            "on the Train page; the old run then goes to the run history.")

with left:
    st.subheader(f"layer_dims = {list(cfg.layer_dims)}  (L = {cfg.L})")
    st.plotly_chart(plots_train.network_figure(cfg.layer_dims, cfg.hidden_activation), key="network")
    fits = show_size(cfg, ds.m_train)
st.markdown(f"**Shapes for the training set** (m = {ds.m_train}): `Z = W·A_prev + b`, one column per example.")
st.dataframe(plots_train.shape_table(cfg.layer_dims, ds.m_train), hide_index=True)
if fits:
    st.page_link("pages/train.py", label="Train this network", icon=":material/trending_down:")
