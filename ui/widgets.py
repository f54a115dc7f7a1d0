"""Small rendering helpers shared by the app shell and the pages."""
from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

from ui.controller import Controller


def run_summary(ctl: Controller) -> str:
    run = ctl.s.run
    if run is None:
        return "no run yet"
    if ctl.s.running:
        return "running (live on the Train page)"  # the sidebar is not redrawn by the training fragment
    return f"{ctl.status}, iteration {run.iteration:,}/{run.config.num_iterations:,}"


def no_model_yet(message: str) -> None:
    """The note a page shows instead of its content when there is no run, with a way to make one."""
    st.info(message)
    st.page_link("views/train.py", label="Go to Train", icon=":material/trending_down:")


def fmt_bytes(n_bytes: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.1f} {unit}"
    return f"{n_bytes} bytes"


def lazy_tabs(labels: Sequence[str], key: str, views: Sequence[Callable[[], None]]) -> None:
    """Tabs that draw only the open one: a tab change reruns the page, so the others cost nothing."""
    for tab, view in zip(st.tabs(list(labels), key=key, on_change="rerun"), views):
        if tab.open:
            with tab:
                view()
