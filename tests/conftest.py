"""Shared test setup: the repo root on sys.path, the course data via DNN_DATA_DIR, and an AppTest factory."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from conftest_shared import DATA_DIR as SHARED_DATA, HAS_COURSE_DATA  # noqa: E402,F401  one place for ../shared

if SHARED_DATA.is_dir() and "DNN_DATA_DIR" not in os.environ:
    os.environ["DNN_DATA_DIR"] = str(SHARED_DATA)



def _clear_data_caches() -> None:
    import streamlit as st

    from ui import state

    state._course_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def v2_navigation(monkeypatch) -> None:
    """Make AppTest run app.py on every rerun, as the server does once st.navigation has run.

    AppTest resets ``PagesManager.uses_pages_directory`` before each run, and because a ``pages/``
    folder exists it then runs a switched-to page directly (multipage v1) and skips app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app_test(v2_navigation) -> Callable[..., "AppTest"]:
    """Factory: ``app_test(page=None, query=None, timeout=30)`` -> an AppTest of app.py, already run.

    ``page`` is e.g. "pages/train.py" (switched to after the first run); ``query`` sets query params
    before the first run. The course-data cache is cleared so each test sees its own environment.
    """
    from streamlit.testing.v1 import AppTest

    _clear_data_caches()

    def make(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 30) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    yield make
    _clear_data_caches()


@pytest.fixture
def no_course_data(monkeypatch, tmp_path) -> Path:
    """No course files anywhere: DNN_DATA_DIR points to an empty folder and ./data does not exist."""
    monkeypatch.setenv("DNN_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    _clear_data_caches()
    return tmp_path
