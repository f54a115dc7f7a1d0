"""One home per concept, checked: settings rows for every TrainConfig field, the page registry, the byte
formatter, the diagnosis rendering, the toy names, the typed session, and the ../shared marker."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import dnn
from dnn import toy
from dnn.diagnose import ERROR, WARNING, Diagnosis
from dnn.units import fmt_bytes
from ui import nav, settings
from ui.session import Session
from ui.widgets import diagnosis_markdown

import conftest_shared

ROOT = Path(__file__).resolve().parents[1]
# Set by ui.settings itself (about 100 cost and 25 accuracy points a run), so no widget and no link key.
NOT_SETTINGS = {"layer_dims", "record_every", "accuracy_every"}  # layer_dims: the Model page's layer widgets


# ----- every hyperparameter is one settings row -----------------------------------------------------------
def test_every_train_config_field_has_a_settings_row():
    fields = {f.name for f in dataclasses.fields(dnn.TrainConfig)}
    rows = {row.name for row in settings.SETTINGS}
    assert fields - NOT_SETTINGS - rows == set(), "a TrainConfig field without a settings row (ui/settings.py)"
    assert rows - fields == set(), "a settings row for a field dnn.TrainConfig does not have"
    assert settings.available() == settings.SETTINGS, "no row is dropped silently"


def test_live_fields_are_exported_and_are_settings():
    assert settings.LIVE_FIELDS, "dnn.LIVE_FIELDS is missing or empty"
    assert set(settings.LIVE_FIELDS) <= {row.name for row in settings.SETTINGS}


def test_link_keys_are_unique():
    keys = settings.link_keys()
    assert len(keys) == len(set(keys))


# ----- the page registry ---------------------------------------------------------------------------------
def test_pages_are_declared_once_with_unique_paths_titles_and_existing_scripts():
    paths = [p.url_path for p in nav.PAGES]
    assert len(paths) == len(set(paths)) and len({p.title for p in nav.PAGES}) == len(nav.PAGES)
    assert paths[0] == "" and nav.HOME is nav.PAGES[0]
    for page in nav.PAGES:
        assert (ROOT / page.script).is_file(), page.script
        assert page.icon.startswith(":material/"), "an icon Streamlit ships, never fetched from outside"
    assert nav.by_path("lesson") is nav.LESSON and nav.by_path("/train/") is nav.TRAIN
    with pytest.raises(ValueError, match="no page at 'nope'"):
        nav.by_path("nope")
    assert set(nav.SHARE_TARGETS) <= set(nav.PAGES) and nav.SHARE_TARGETS[0] is nav.TRAIN


# Files whose owners have yet to move to the shared home (reported to them); remove an entry once they have.
PATHS_PENDING = {"views/lesson.py"}      # LESSONS: page links through ui.nav (nav.LESSON, nav.link, nav.by_path)
MARKERS_PENDING = {"tests/e2e/test_browser_flows.py", "tests/e2e/test_learning_view.py"}  # SCREENS


def _grep(pattern: str, *paths: str) -> set[str]:
    """The Python files under ``paths`` (relative to the repo) where ``pattern`` (a regex) occurs."""
    files = [p for path in paths for p in ((ROOT / path).rglob("*.py") if (ROOT / path).is_dir() else [ROOT / path])]
    return {f.relative_to(ROOT).as_posix() for f in files if re.search(pattern, f.read_text(encoding="utf-8"))}


def test_no_page_path_is_spelled_outside_the_registry():
    """Links go through ui.nav: no "views/x.py" string in the app's code but the registry's."""
    assert _grep(r"[\"']views/[a-z_]+\.py", "app.py", "ui", "views") - PATHS_PENDING == {"ui/nav.py"}


@pytest.mark.parametrize("url,base,expected", [
    ("http://10.0.0.5:8501/", "", ""),
    ("http://10.0.0.5:8501", "", ""),
    ("http://10.0.0.5:8501/share", "", "share"),
    ("http://h/dnn/step-by-step?x=1", "dnn", "step-by-step"),
    ("http://h/dnn/", "/dnn/", ""),
    ("http://h/data/", "data", ""),          # served under /data: its root is Home, not the Data page
    ("http://h/proxy/runs", "", "runs"),     # a prefix the server does not know: read by the last segment
    ("http://h/proxy/nothing", "", ""),
])
def test_current_path(url, base, expected):
    assert nav.current_path(url, base) == expected


def test_url_from_keeps_the_host_and_base_path_and_falls_back_to_the_server_address():
    assert nav.url_from("https://class.example/dnn/share?hidden=3", nav.TRAIN, address=None, port=8501,
                        base_path="dnn") == "https://class.example/dnn/train"
    assert nav.url_from("http://h:8501/train", nav.HOME, address=None, port=8501) == "http://h:8501/"
    assert nav.url_from("http://h:8501/", nav.BOARD, address=None, port=8501) == "http://h:8501/board"
    assert nav.url_from(None, nav.RUNS, address="0.0.0.0", port=8502, base_path="/x/") == "http://localhost:8502/x/runs"


# ----- one byte formatter, one diagnosis rendering, one list of toy names -----------------------------------
def test_bytes_are_formatted_in_one_place():
    """dnn/units.fmt_bytes (tested in tests/test_bounded.py) is the only code that divides bytes into a unit for
    a message; uploads are read whole in one place, dnn/bounded.py."""
    by_hand = r"\{[^{}]*/ *(2 *\*\* *(10|20|30)|KiB|MB|MiB|GiB|1024)\b"  # {n / 2**20:...} in an f-string
    assert _grep(by_hand, "app.py", "dnn", "ui", "views", "store") == set()
    assert _grep(r"\.read\((MAX_\w+|limit) *\+ *1\)", "dnn", "ui", "views") == {"dnn/bounded.py", "dnn/zipdata.py"}
    assert fmt_bytes(150 * 2**20) == "150 MiB"


def test_a_diagnosis_reads_title_message_and_next_step():
    d = Diagnosis("slow", WARNING, "About 3 minutes to train", "It is big.", "Use fewer units.", {})
    assert diagnosis_markdown(d) == "**About 3 minutes to train.** It is big.  \n**Try next:** Use fewer units."
    assert ERROR != WARNING


def test_no_page_renders_a_diagnosis_by_hand():
    assert _grep("Try next", "app.py", "ui", "views") == {"ui/widgets.py"}


def test_the_toy_names_agree():
    assert settings.TOY_NAMES == toy.TOY_DATASETS
    assert tuple(toy.DEFAULT_NOISE) == toy.TOY_DATASETS


# ----- the typed session ----------------------------------------------------------------------------------
def test_the_session_has_no_untyped_bag():
    names = {f.name for f in dataclasses.fields(Session)}
    assert "extras" not in names
    assert {"toy_options", "store", "identity", "view", "builder", "presenter", "board_code", "inspect_batch",
            "results_probs", "listener_problems"} <= names
    assert _grep("extras", "app.py", "ui", "views") == set()


# ----- the ../shared marker -------------------------------------------------------------------------------
@pytest.mark.parametrize("value,ci", [("true", True), ("1", True), ("yes", True), ("", False), ("0", False),
                                      ("false", False), ("No", False)])
def test_ci_is_read_from_the_environment(value, ci):
    assert conftest_shared.in_ci({"CI": value}) is ci
    assert conftest_shared.in_ci({}) is False


def test_missing_shared_data_fails_in_ci_and_skips_outside():
    assert conftest_shared.outcome(True, ci=True) == conftest_shared.outcome(True, ci=False) == "run"
    assert conftest_shared.outcome(False, ci=True) == "fail"
    assert conftest_shared.outcome(False, ci=False) == "skip"


class _Item:
    def __init__(self, *marks: str) -> None:
        self.marks = marks

    def get_closest_marker(self, name: str):
        return name if name in self.marks else None


def test_the_hook_fails_a_marked_test_in_ci_when_the_data_is_missing(monkeypatch):
    monkeypatch.setattr(conftest_shared, "HAS_COURSE_DATA", False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must provide"):
        conftest_shared.pytest_runtest_setup(_Item("needs_data"))
    conftest_shared.pytest_runtest_setup(_Item())  # unmarked tests are not concerned
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="in CI it fails instead"):
        conftest_shared.pytest_runtest_setup(_Item("needs_data"))
    monkeypatch.setattr(conftest_shared, "HAS_COURSE_DATA", True)
    conftest_shared.pytest_runtest_setup(_Item("needs_data"))


def test_one_needs_data_marker():
    """Every test that reads ../shared takes the marker from conftest_shared; nobody defines another."""
    assert _grep(r"needs_data\s*=", "tests") - MARKERS_PENDING == {"tests/conftest_shared.py"}
