"""The datasets every session can pick by key, cached read-only for the whole server.

Only a found dataset is cached: when the course files are missing, the next visit looks again, so files
copied into data/ (or a new DNN_DATA_DIR) are picked up without restarting the server.
"""
from __future__ import annotations

import streamlit as st

from dnn.data import Dataset, catvnoncat_dataset, find_data_dir
from dnn.synthetic import synthetic_dataset
from dnn.toy import toy_dataset
from ui.settings import COURSE, SYNTHETIC, TOY_NAMES


@st.cache_resource(show_spinner="Loading the course's cat images…")
def _course_at(directory: str) -> Dataset:
    return catvnoncat_dataset(directory)


@st.cache_resource(show_spinner="Drawing the synthetic cartoon cats…")
def _synthetic() -> Dataset:
    return synthetic_dataset(seed=0)


@st.cache_resource
def _toy(name: str) -> Dataset:
    return toy_dataset(name)


def course_lookup() -> tuple[Dataset | None, str | None]:
    """(the course's cat data found on disk, None), (None, why the files found cannot be used), or
    (None, None) when there are none.  Only a loaded dataset is cached."""
    directory = find_data_dir()
    if directory is None:
        return None, None
    try:
        return _course_at(str(directory)), None
    except ValueError as exc:
        return None, str(exc)


def course_dataset() -> Dataset | None:
    """The course's cat data found on disk (cached once found), or None."""
    return course_lookup()[0]


def synthetic_data() -> Dataset:
    """The embedded synthetic cat images (cached)."""
    return _synthetic()


def default_choice() -> tuple[str, Dataset]:
    """(key, dataset): the course's cat data when found on disk, else the embedded synthetic images."""
    course = course_dataset()
    return (COURSE, course) if course is not None else (SYNTHETIC, synthetic_data())


def by_key(key: str) -> Dataset | None:
    """The dataset a link key names (one of settings.DATA_CHOICES), or None when it is not available here."""
    if key == COURSE:
        return course_dataset()
    if key == SYNTHETIC:
        return synthetic_data()
    if key in TOY_NAMES:
        return _toy(key)
    return None


def clear() -> None:
    """Forget every cached dataset (tests change the data folder between cases)."""
    _course_at.clear()
    _synthetic.clear()
    _toy.clear()
