"""DNN Explorer: the entry point. Declares the pages, applies a shared link once, keeps the URL in sync."""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui import blas, datasets, nav, settings, store_hooks, theme, toy_link
from ui.controller import Controller, controller
from ui.presenter import apply_style
from ui.text import literal
from ui.widgets import run_summary

if TYPE_CHECKING:  # for annotations only
    from streamlit.delta_generator import DeltaGenerator

store_hooks.logs.configure()  # the server's log, once per process (ui/logs.py: DNN_LOG_LEVEL, DNN_LOG_FILE)
blas.one_blas_thread()  # see ui/blas.py: several sessions and the browser share the cores

# An emoji favicon is drawn in the page; a :material/...: one is fetched from fonts.gstatic.com, a request
# to a third party from every student's browser (and a failed one on a LAN without internet).
st.set_page_config(layout="wide", page_title="DNN Explorer", page_icon="🐈")

def link_warning(key: str, raw: str, wanted: str) -> str:
    """A warning about a link value, quoting it literally (a link may carry Markdown or HTML)."""
    if not key:
        return f"The link's settings do not fit together ({literal(raw)}); using the defaults."
    return f"Ignored {key}=“{literal(raw)}” from the link: not {wanted}; using the default."


def use_link_data(ctl: Controller, key: str, query: dict[str, list[str]]) -> None:
    """Switch to the dataset a link names (a toy set with the link's points, noise, split and seed), or say
    why not."""
    if key in settings.TOY_NAMES:
        options, dataset, warnings = toy_link.from_link(key, query)
        for warning in warnings:
            st.warning(link_warning(*warning), icon=":material/warning:")
        ctl.s.toy_options = options
        ctl.switch_dataset(dataset, key)
        return
    found = datasets.by_key(key)
    if found is None and key == settings.COURSE:
        st.warning("The link asks for the course's cat data, which is not on this computer: "
                   "using the synthetic images instead (see Data to add the course files).")
        key, found = settings.SYNTHETIC, datasets.synthetic_data()
    if found is not None and key != ctl.s.data_key:
        ctl.switch_dataset(found, key)


def apply_link_once(ctl: Controller) -> bool:
    """Read the shareable query parameters on a session's first run only; True when they carried a setup
    (which then wins over the browser's latest stored run)."""
    if ctl.s.link_read:
        return False
    ctl.s.link_read = True
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    if not settings.has_link_settings(query):
        return False
    link = settings.parse_link(query, default_n_x=ctl.s.dataset.n_x)
    for warning in link.warnings:
        st.warning(link_warning(*warning), icon=":material/warning:")
    if link.data is not None:
        use_link_data(ctl, link.data, query)
    ctl.set_config(settings.with_inputs(link.config, ctl.s.dataset.n_x))
    return True


def sync_link(ctl: Controller) -> None:
    """Keep the URL describing the current config, so copying it shares the setup."""
    wanted = {**settings.to_link(ctl.s.config, ctl.s.link_data), **toy_link.link_for(ctl.s)}
    for key in (*settings.link_keys(), *toy_link.TOY_LINK_KEYS):
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def sidebar_status(slot: DeltaGenerator, ctl: Controller, page_title: str) -> None:
    s = ctl.s
    box = slot.container()
    box.caption(f"**Data:** {literal(s.dataset.name)}  \n**layer_dims:** {list(s.config.layer_dims)}  \n"
                f"**Run:** {run_summary(ctl)}")
    if s.running and page_title != nav.TRAIN.title:
        box.caption("⏸ Training waits while you browse; it continues when you open Train again.")


page = st.navigation(nav.st_pages())
ctl = controller()
linked = apply_link_once(ctl)
store_hooks.connect(ctl, keep_setup=linked)  # a link's setup wins; a bare address resumes the latest run
store_hooks.render_notices(ctl.s)
status_slot = st.sidebar.empty()
# Every page alike: the compact layout (the projector look and the page row in presenter mode) and the screen
# rules (44 px targets, no sideways scroll), set here once rather than by each page.
apply_style(ctl.s)
st.html(theme.SCREEN_STYLE)
try:
    page.run()
finally:
    # Filled after the page so it shows what the page just changed; also when the page raised or stopped
    # (st.stop, st.rerun and st.switch_page end the page with an exception).
    sidebar_status(status_slot, controller(), page.title)
    sync_link(controller())
