"""Small helpers shared by the app shell and the pages."""
from __future__ import annotations

import streamlit as st

import dnn
from dnn.data import Dataset
from ui import params, state

# The shareable name of the active dataset (None for uploads); no widget uses this key.
DATA_KEY = "data_key"


def use_dataset(dataset: Dataset, key: str | None) -> None:
    """Switch to ``dataset``; ``key`` is its link name (one of params.DATA_CHOICES) or None."""
    state.set_dataset(dataset)
    st.session_state[DATA_KEY] = key


def current_data_key() -> str | None:
    if DATA_KEY not in st.session_state:
        # Nobody switched yet, so the data is the default one.
        st.session_state[DATA_KEY] = params.COURSE if state.course_data_found() else params.SYNTHETIC
    return st.session_state[DATA_KEY]


def hidden_units(config: dnn.TrainConfig) -> list[int]:
    return list(config.layer_dims[1:-1])


def run_summary(run: dnn.Trainer | None) -> str:
    if run is None:
        return "no run yet"
    if state.is_running():
        return "running (live on the Train page)"  # the sidebar is not redrawn by the training fragment
    return f"{run.status.value}, iteration {run.iteration:,}/{run.config.num_iterations:,}"


def no_model_yet(message: str) -> None:
    """The note a page shows instead of its content when there is no run, with a way to make one."""
    st.info(message)
    st.page_link("pages/train.py", label="Go to Train", icon=":material/trending_down:")


def fmt_bytes(n_bytes: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.1f} {unit}"
    return f"{n_bytes} bytes"


def require_shell() -> None:
    """Rerun through app.py when Streamlit ran this page on its own.

    A server's very first script run treats the ``pages/`` folder as an old-style
    multipage app: a deep link such as /train?lr=0.01 then runs pages/train.py
    without app.py (no page config, no link settings, a different sidebar) until
    app.py's st.navigation has run once in the process.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
