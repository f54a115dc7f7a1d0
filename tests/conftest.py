"""Shared test setup: the repo root on sys.path, the course data via DNN_DATA_DIR, and an AppTest factory."""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# One place for ../shared; its hooks make needs_data / needs_photos tests FAIL in CI and skip only outside it.
from hypothesis import HealthCheck, Phase  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from conftest_shared import DATA_DIR as SHARED_DATA  # noqa: E402
from conftest_shared import HAS_COURSE_DATA as HAS_COURSE_DATA  # noqa: E402  re-exported for tests
from conftest_shared import pytest_configure as pytest_configure  # noqa: E402  pytest's hooks
from conftest_shared import pytest_runtest_setup as pytest_runtest_setup  # noqa: E402

# Generated tests (tests/strategies.py): a fixed seed by default ("ci": the same examples on every run and
# machine, no example database written), a longer random search by DNN_HYPOTHESIS_PROFILE=long. A test's
# example count is strategies.examples(n): n under "ci", 10 n under "long". Nothing is timed (deadline None).
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# "ci" does not shrink a failure (shrinking a whole session can take minutes): it prints the example as found.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100, database=None,
                                     print_blob=True, suppress_health_check=_SLOW_OK,
                                     phases=(Phase.explicit, Phase.reuse, Phase.generate))
hypothesis_settings.register_profile("long", deadline=None, max_examples=1000, print_blob=True,
                                     suppress_health_check=_SLOW_OK)
hypothesis_settings.load_profile(os.environ.get("DNN_HYPOTHESIS_PROFILE", "ci"))  # an unknown name fails loudly

if SHARED_DATA.is_dir() and "DNN_DATA_DIR" not in os.environ:
    os.environ["DNN_DATA_DIR"] = str(SHARED_DATA)
# Every AppTest and e2e server saves runs: into a throwaway folder, never the clone's .dnn-explorer/.
os.environ.setdefault("DNN_DATA_HOME", tempfile.mkdtemp(prefix="dnn-test-home-"))


def _clear_data_caches() -> None:
    import streamlit as st

    from ui import datasets

    datasets.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_test() -> Callable[..., AppTest]:
    """Factory: ``app_test(page=None, query=None, timeout=60, setup=None)`` -> an AppTest of app.py, already run.

    ``page`` is e.g. "views/train.py" (switched to after the first run); ``query`` sets query params
    before the first run; ``setup(session)`` may change the new Session before the page is opened (e.g.
    ``max_iterations_per_tick``). The data caches are cleared so each test sees its own environment.
    """
    from streamlit.testing.v1 import AppTest

    from ui.session import SESSION_KEY

    _clear_data_caches()

    def make(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 60,
             setup: Callable | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if setup is not None:
            setup(at.session_state[SESSION_KEY])
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
