"""Presenter mode for a projector: no sidebar (the pages as a row of links instead), larger type,
high contrast, and the charts' larger fonts; plus the compact layout every learning page uses.

The choice lives in the Session's ``presenter`` field (a widget's own key is dropped on pages that do not
draw it), so it follows the teacher from page to page.  The row of links reaches every page of ui.nav.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui import nav
from ui.session import PRESENTER_TOGGLE, Session

if TYPE_CHECKING:  # for annotations only
    from streamlit.delta_generator import DeltaGenerator

# Less top padding (the page's controls and charts fit 720 px), buttons that wrap instead of
# truncating, metric values shown whole.
COMPACT_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-bottom: 2rem; }
[data-testid="stMetricValue"] { font-size: 1.9rem; }
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; }
[data-testid="stBaseButton-primary"] p, [data-testid="stBaseButton-secondary"] p { white-space: normal; }
@media (max-width: 900px) {  /* 1280 px at 150% zoom: smaller numbers, so the page needs less scrolling */
  [data-testid="stMetricValue"] { font-size: 1.35rem; }
  [data-testid="stMainBlockContainer"] { padding-top: 1.2rem; }
}
"""
PRESENTER_CSS = """
html { font-size: 19px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 0.8rem 1.5rem 1.5rem 1.5rem; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMetricValue"] { color: #000000; }
[data-testid="stBaseButton-primary"]:not(:disabled) { background-color: #0072B2 !important;
  border-color: #0072B2 !important; color: #ffffff !important; }
"""


def presenter_on(s: Session) -> bool:
    return s.presenter


def _remember(s: Session) -> None:
    s.presenter = bool(st.session_state.get(PRESENTER_TOGGLE))


def presenter_toggle(container: DeltaGenerator, s: Session) -> None:
    """The Presenter switch, drawn in ``container`` (e.g. a page's control row)."""
    if PRESENTER_TOGGLE not in st.session_state:
        st.session_state[PRESENTER_TOGGLE] = presenter_on(s)
    container.toggle("Presenter", key=PRESENTER_TOGGLE, on_change=_remember, args=(s,))


def apply_style(s: Session) -> None:
    """The compact layout, and in presenter mode the projector look plus a row of page links."""
    st.html(f"<style>{COMPACT_CSS}{PRESENTER_CSS if presenter_on(s) else ''}</style>")
    if presenter_on(s):
        row = st.container(horizontal=True, gap="small")
        for page in nav.PAGES:
            nav.link(page, container=row)
