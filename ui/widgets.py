"""Small rendering helpers shared by the app shell and the pages."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import streamlit as st

from dnn.diagnose import ERROR, Diagnosis
from ui import nav
from ui.controller import Controller

if TYPE_CHECKING:  # for annotations only
    from streamlit.delta_generator import DeltaGenerator


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
    nav.link(nav.TRAIN, label="Go to Train")


def diagnosis_markdown(d: Diagnosis) -> str:
    """A diagnosis as the pages show it: the title in bold, what happened, and what to try next."""
    return f"**{d.title}.** {d.message}  \n**Try next:** {d.next_step}"


def show_diagnosis(d: Diagnosis, container: DeltaGenerator | None = None) -> None:
    """The one rendering of a diagnosis: an error box for a failed run, a warning box otherwise.

    Titles, messages and next steps are written by dnn.diagnose (names the user typed reach them through
    ui.text.literal), so they are rendered as Markdown."""
    where = container or st
    if d.severity == ERROR:
        where.error(diagnosis_markdown(d), icon=":material/error:")
    else:
        where.warning(diagnosis_markdown(d), icon=":material/timer:" if d.kind == "slow" else ":material/warning:")


def lazy_tabs(labels: Sequence[str], key: str, views: Sequence[Callable[[], None]]) -> None:
    """Tabs that draw only the open one: a tab change reruns the page, so the others cost nothing."""
    for tab, view in zip(st.tabs(list(labels), key=key, on_change="rerun"), views, strict=True):
        if tab.open:
            with tab:
                view()
