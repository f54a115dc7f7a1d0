"""The pages of the app, declared once: title, icon, url path and script.

app.py builds the navigation from ``PAGES``; presenter mode draws its row of links from it; the Share page
offers ``SHARE_TARGETS``; every link between pages goes through ``link`` or ``page_url``.  Everything but
``st_pages``, ``link`` and ``page_url`` is pure, so it is tested without Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import streamlit as st

from ui.share import fallback_page_url, sibling_url

if TYPE_CHECKING:  # for annotations only
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.navigation.page import StreamlitPage


@dataclass(frozen=True)
class Page:
    """One page. ``url_path`` is "" for the default page (the app's root URL)."""

    title: str
    icon: str      # a :material/...: icon: Streamlit ships these fonts, nothing is fetched from outside
    url_path: str
    script: str    # the page's file, relative to the repo root


HOME = Page("Home", ":material/home:", "", "views/home.py")
DATA = Page("Data", ":material/image:", "data", "views/data.py")
MODEL = Page("Model", ":material/account_tree:", "model", "views/model.py")
TRAIN = Page("Train", ":material/trending_down:", "train", "views/train.py")
INSPECT = Page("Inspect", ":material/search:", "inspect", "views/inspect.py")
RESULTS = Page("Results", ":material/fact_check:", "results", "views/results.py")
PHOTO = Page("Your photo", ":material/photo_camera:", "photo", "views/photo.py")
STEP_BY_STEP = Page("Step by step", ":material/calculate:", "step-by-step", "views/step_by_step.py")
LESSON = Page("Lesson", ":material/school:", "lesson", "views/lesson.py")
SHARE = Page("Share", ":material/qr_code_2:", "share", "views/share.py")
RUNS = Page("My runs", ":material/cloud:", "runs", "views/runs.py")
BOARD = Page("Class board", ":material/leaderboard:", "board", "views/board.py")

PAGES: tuple[Page, ...] = (HOME, DATA, MODEL, TRAIN, INSPECT, RESULTS, PHOTO, STEP_BY_STEP, LESSON, SHARE, RUNS,
                           BOARD)
# The pages a shared setup can open, the default first (My runs and the board carry their own tokens).
SHARE_TARGETS: tuple[Page, ...] = (TRAIN, MODEL, DATA, HOME, INSPECT, RESULTS, PHOTO, STEP_BY_STEP, LESSON)


def by_path(url_path: str) -> Page:
    """The page whose url path is ``url_path`` (ValueError for an unknown one)."""
    for page in PAGES:
        if page.url_path == url_path.strip("/"):
            return page
    raise ValueError(f"There is no page at {url_path!r}; the pages are {[p.url_path for p in PAGES]}.")


def current_path(url: str, base_path: str = "") -> str:
    """The url path of the page at ``url`` ("" for the default page), with the server mounted at ``base_path``.

    A path that is not the base path plus a known page is read by its last segment (a proxy may add a prefix
    the server does not know); anything else is the default page.
    """
    segments = [p for p in urlsplit(url).path.split("/") if p]
    base = [p for p in base_path.split("/") if p]
    known = {page.url_path for page in PAGES}
    if segments[:len(base)] == base:
        rest = "/".join(segments[len(base):])
        if rest in known:
            return rest
    return segments[-1] if segments and segments[-1] in known else ""


def url_from(current_url: str | None, target: Page, *, address: str | None, port: int, base_path: str = "") -> str:
    """The absolute URL of ``target``: beside ``current_url`` (the browser's address of the page shown), or
    from the server's address and port when the browser has not told it (tests, the first run)."""
    if current_url:
        return sibling_url(current_url, current_path(current_url, base_path), target.url_path)
    return fallback_page_url(address, port, target.url_path, base_path)


def st_pages() -> list[StreamlitPage]:
    """The ``st.Page`` objects for ``st.navigation``, Home the default."""
    return [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path or None, default=p is HOME)
            for p in PAGES]


def page_url(target: Page) -> str:
    """The absolute URL of page ``target`` as the browser reaches this server."""
    return url_from(st.context.url, target, address=st.get_option("server.address"),
                    port=st.get_option("server.port"), base_path=st.get_option("server.baseUrlPath") or "")


def link(target: Page, label: str | None = None, container: DeltaGenerator | None = None) -> None:
    """A link to ``target`` (with its icon), in ``container`` or the current one."""
    (container or st).page_link(target.script, label=label or target.title, icon=target.icon)
