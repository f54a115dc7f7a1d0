"""Where the course data and photos live for tests (../shared beside the repo), and the one marker for them.

``@needs_data`` (the course's two .h5 files) and ``@needs_photos`` (the sample photos) mark tests that read
../shared.  When it is missing, such a test FAILS in CI (``CI`` set to anything but "", 0, false or no), so a CI
without the data cannot pass by skipping; outside CI it is skipped with the reason.  The decision is made
by ``pytest_runtest_setup`` below: tests/conftest.py imports it (and ``pytest_configure``, which registers
the markers), which is how pytest finds a conftest's hooks.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA_DIR = SHARED / "data"
PHOTOS_DIR = SHARED / "photos"
COURSE_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")

HAS_COURSE_DATA = all((DATA_DIR / name).is_file() for name in COURSE_FILES)
HAS_PHOTOS = PHOTOS_DIR.is_dir() and any(PHOTOS_DIR.iterdir())

needs_data = pytest.mark.needs_data      # reads the course's .h5 files in ../shared/data
needs_photos = pytest.mark.needs_photos  # reads the sample photos in ../shared/photos
MARKERS = {
    "needs_data": f"reads the course's {' and '.join(COURSE_FILES)} in {DATA_DIR}",
    "needs_photos": f"reads the sample photos in {PHOTOS_DIR}",
}


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when the tests run in CI: ``CI`` set to anything but "", "0", "false" or "no"."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in ("", "0", "false", "no")


def outcome(present: bool, ci: bool) -> str:
    """What a test that needs a piece of ../shared does: "run" when it is there, else "fail" in CI, "skip" outside."""
    if present:
        return "run"
    return "fail" if ci else "skip"


def present(marker: str) -> bool:
    return {"needs_data": HAS_COURSE_DATA, "needs_photos": HAS_PHOTOS}[marker]


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}; fails in CI when missing, skips outside CI")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name, meaning in MARKERS.items():
        if item.get_closest_marker(name) is None:
            continue
        verdict = outcome(present(name), in_ci())
        if verdict == "fail":
            pytest.fail(f"This test {meaning}, which is missing; CI must provide ../shared.", pytrace=False)
        if verdict == "skip":
            pytest.skip(f"This test {meaning}, which is missing here (in CI it fails instead).")
