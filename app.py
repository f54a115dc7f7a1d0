"""DNN Explorer: the entry point. Declares the pages, applies a shared link once, keeps the URL in sync."""
from __future__ import annotations

import streamlit as st

from ui import blas, params, state, widgets

blas.set_blas_threads(1)  # see ui/blas.py: several sessions and the browser share the cores

LINK_READ = "link_read"

st.set_page_config(layout="wide", page_title="DNN Explorer", page_icon=":material/pets:")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/image:", url_path="data"),
    st.Page("pages/model.py", title="Model", icon=":material/account_tree:", url_path="model"),
    st.Page("pages/train.py", title="Train", icon=":material/trending_down:", url_path="train"),
    st.Page("pages/inspect.py", title="Inspect", icon=":material/search:", url_path="inspect"),
    st.Page("pages/results.py", title="Results", icon=":material/fact_check:", url_path="results"),
    st.Page("pages/photo.py", title="Your photo", icon=":material/photo_camera:", url_path="photo"),
    st.Page("pages/step_by_step.py", title="Step by step", icon=":material/calculate:", url_path="step-by-step"),
]


def dataset_for(key: str):
    """The dataset a link names, or None (with a warning) when it is not available here."""
    if key == params.COURSE:
        ds = state.course_dataset()
        if ds is None:
            st.warning("The link asks for the course's cat data, which is not on this computer: "
                       "using the synthetic images instead (see Data to add the course files).")
            return state.synthetic_data(), params.SYNTHETIC
        return ds, key
    if key == params.SYNTHETIC:
        return state.synthetic_data(), key
    try:
        from dnn.toy import toy_dataset
        return toy_dataset(key), key
    except (ImportError, ValueError) as exc:
        st.warning(f"Could not make the toy dataset {key!r} ({exc}); keeping the current data.")
        return None, None


def apply_link_once() -> None:
    """Read the shareable query parameters on a session's first run only."""
    if st.session_state.get(LINK_READ):
        return
    st.session_state[LINK_READ] = True
    # The app's default: the course's five-layer net, recording about 100 cost points per run.
    state.set_config(params.build_config(state.get_dataset().n_x, params.DEFAULT.layer_dims[1:-1]))
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    if not params.has_link_settings(query):
        return
    link = params.parse_link(query, default_n_x=state.get_dataset().n_x)
    for warning in link.warnings:
        st.warning(warning, icon=":material/warning:")
    config = link.config
    if link.data is not None:
        ds, key = dataset_for(link.data)
        if ds is not None:
            widgets.use_dataset(ds, key)
    n_x = state.get_dataset().n_x
    if config.layer_dims[0] != n_x:
        config = params.build_config(n_x, config.layer_dims[1:-1], hidden_activation=config.hidden_activation,
                                     init=config.init, learning_rate=config.learning_rate,
                                     num_iterations=config.num_iterations, seed=config.seed, dtype=config.dtype)
    state.set_config(config)


def sync_link() -> None:
    """Keep the URL describing the current config, so copying it shares the setup."""
    wanted = params.to_link(state.get_config(), widgets.current_data_key())
    for key in params.LINK_KEYS:
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def sidebar_status(slot, page_title: str) -> None:
    cfg, run = state.get_config(), state.get_run()
    box = slot.container()
    box.caption(f"**Data:** {state.get_dataset().name}  \n**layer_dims:** {list(cfg.layer_dims)}  \n"
                       f"**Run:** {widgets.run_summary(run)}")
    if state.is_running() and page_title != "Train":
        box.caption("⏸ Training waits while you browse; it continues when you open Train again.")


page = st.navigation(PAGES)
apply_link_once()
status_slot = st.sidebar.empty()
page.run()
# Filled after the page so it shows what the page just changed.
sidebar_status(status_slot, page.title)
sync_link()
