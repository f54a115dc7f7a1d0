"""The 2-D toy sets' controls (points, noise, train share, data seed) and their place in the link.

Like TensorFlow Playground, a toy set is made from four values besides its name. They live in the
Session's ``toy_options`` field (a ``ToyOptions``; None until one is changed), travel in the link as ``TOY_LINK_KEYS``
next to ``data=<name>``, and every value read from a link is checked on its own: a bad one keeps its
default and is reported as a (key, raw value, what it should be) warning, like ui.settings.parse_link.
Pure Python except ``toy_data`` (cached, read-only datasets shared by every session).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dnn.data import Dataset
from dnn.toy import DEFAULT_NOISE, toy_dataset
from ui.session import Session
from ui.settings import TOY_NAMES, float_text

POINTS_LINK, NOISE_LINK, TRAIN_LINK, SEED_LINK = "points", "noise", "train", "dseed"
TOY_LINK_KEYS = (POINTS_LINK, NOISE_LINK, TRAIN_LINK, SEED_LINK)
POINTS_RANGE = (20, 2000)  # the widget's range: enough to see a boundary, small enough to train live
NOISE_RANGE = (0.0, 1.0)
TRAIN_PCT_RANGE = (10, 90)  # share of the points used for training, in percent (Playground's ratio slider)
SEED_RANGE = (0, 2**32 - 1)


@dataclass(frozen=True)
class ToyOptions:
    """How a toy set is drawn. ``noise`` None means the dataset's own default (DEFAULT_NOISE)."""

    points: int = 400
    noise: float | None = None
    train_pct: int = 80
    seed: int = 1

    def noise_for(self, name: str) -> float:
        return DEFAULT_NOISE[name] if self.noise is None else self.noise

    def regenerated(self) -> ToyOptions:
        """The same options with the next seed: new points, still reproducible from the link."""
        return ToyOptions(self.points, self.noise, self.train_pct, (self.seed + 1) % (SEED_RANGE[1] + 1))


DEFAULT_OPTIONS = ToyOptions()


def check(options: ToyOptions) -> ToyOptions:
    """``options`` if every value is in its widget's range, else ValueError naming the first bad one."""
    for label, value, (low, high), whole in (
        ("points", options.points, POINTS_RANGE, True),
        ("noise", options.noise, NOISE_RANGE, False),
        ("train share (%)", options.train_pct, TRAIN_PCT_RANGE, True),
        ("data seed", options.seed, SEED_RANGE, True),
    ):
        if value is None and label == "noise":
            continue
        if not _in_range(value, low, high, whole):
            raise ValueError(f"The toy set's {label} must be {'a whole number ' if whole else ''}from {low:g} "
                             f"to {high:g}; got {value!r}.")
    return options


def _in_range(value: Any, low: float, high: float, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if whole and value != int(value):
        return False
    return low <= value <= high


def _first(value: object) -> str:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip()


def parse(query: Mapping[str, object]) -> tuple[ToyOptions, tuple[tuple[str, str, str], ...]]:
    """The toy options a link asks for, and a (key, raw, wanted) warning for each value it got wrong."""
    values: dict[str, Any] = {}
    warnings = []
    for key, field, (low, high), kind in (
        (POINTS_LINK, "points", POINTS_RANGE, int),
        (NOISE_LINK, "noise", NOISE_RANGE, float),
        (TRAIN_LINK, "train_pct", TRAIN_PCT_RANGE, int),
        (SEED_LINK, "seed", SEED_RANGE, int),
    ):
        if key not in query:
            continue
        raw = _first(query[key])
        try:
            value = kind(raw)
        except ValueError:
            value = None
        if value is None or not _in_range(value, low, high, kind is int):
            warnings.append((key, raw, f"a {'whole ' if kind is int else ''}number from {low:g} to {high:g}"))
            continue
        values[field] = value
    return ToyOptions(**values), tuple(warnings)


def to_link(options: ToyOptions) -> dict[str, str]:
    """Query parameters for ``options`` (the noise only when it is not the dataset's default)."""
    link = {POINTS_LINK: str(options.points), TRAIN_LINK: str(options.train_pct), SEED_LINK: str(options.seed)}
    if options.noise is not None:
        link[NOISE_LINK] = float_text(options.noise)
    return link


def link_for(s: Session) -> dict[str, str]:
    """The toy options' query parameters for session ``s`` (none unless its data is a toy set)."""
    return to_link(options_of(s)) if s.link_data in TOY_NAMES else {}


def from_link(name: str, query: Mapping[str, object]) -> tuple[ToyOptions, Dataset, tuple[tuple[str, str, str], ...]]:
    """(options, dataset, warnings) for a link naming toy set ``name``: what app.py applies on a first visit."""
    options, warnings = parse(query)
    return options, toy_data(name, options), warnings


def options_of(s: Session) -> ToyOptions:
    """Session ``s``'s toy options (the defaults until the user changes one)."""
    return s.toy_options if s.toy_options is not None else DEFAULT_OPTIONS


def make(name: str, options: ToyOptions) -> Dataset:
    """The toy Dataset ``name`` drawn with ``options`` (ValueError for values out of range)."""
    check(options)
    return toy_dataset(name, m=options.points, seed=options.seed, noise=options.noise,
                       test_fraction=(100 - options.train_pct) / 100)


@st.cache_resource(max_entries=64, show_spinner=False)
def toy_data(name: str, options: ToyOptions) -> Dataset:
    """``make`` cached for the server: the same options give the same read-only points to everyone."""
    return make(name, options)
