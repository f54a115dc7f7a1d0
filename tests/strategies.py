"""Hypothesis strategies over the app's whole settings space, built from ``ui/settings.SETTINGS`` itself.

Every row of the table gives one strategy: its whole range, its extremes (an open end as the nearest value
inside it), every option of its widget and None when it is nullable.  A new row is covered with no edit here;
a row whose field ``dnn.TrainConfig`` lacks fails loudly (``check_rows``), it is never skipped.

The settings are crossed with every dataset kind: the course's cat images (../shared/data, loaded as the app
loads them), the synthetic images, each 2-D toy set with its options (points, noise, train share, seed), and a
photo set built with ``dnn.builder`` from ../shared/photos.

Examples stay cheap: the hidden layers are small (the 1,000,000-unit extreme is its own case, which the app
must refuse with a plain ValueError), and a run trains ``run_config``'s few iterations; the drawn iteration
count is still checked for what it produces (label, link, limits).
"""
from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import dnn
from ui import settings, toy_link
from ui.settings import COURSE, SYNTHETIC, TOY_NAMES

from conftest_shared import DATA_DIR, HAS_COURSE_DATA, PHOTOS_DIR

BUILT = "upload:built"           # ui.photo_builder.BUILT_KEY (not imported: that module needs a Streamlit session)
RUN_ITERATIONS = 12              # a run trains at most this many iterations
TICK_ITERATIONS = 3              # ... a few per tick, so start, tick, pause and resume all do something
IMAGES_PER_CLASS = 24           # training images per class of the course and synthetic sets in a generated run
SMALL_UNITS = 12                 # hidden units per layer in a run (the architecture's extremes are separate cases)
PROFILE_ENV = "DNN_HYPOTHESIS_PROFILE"
# The photos of ../shared/photos by class (the builder's positive class is slot 1).
PHOTO_CLASSES = (("not a cat", ("bird.jpg", "puppy.jpg")),
                 ("cat", ("kittens.jpg", "white_kitten.jpg", "tiger.jpg", "lion.jpg")))


# ----- the profile's scale ----------------------------------------------------------------
def examples(ci: int) -> int:
    """``ci`` examples under the CI profile, proportionally more under a longer one (its max_examples / 100)."""
    return max(1, round(ci * hsettings.default.max_examples / 100))


# ----- one strategy per settings row ---------------------------------------------------------
_FIELDS = {f.name for f in fields(dnn.TrainConfig)}


def check_rows() -> None:
    """Every row of SETTINGS names a TrainConfig field (settings.available() would silently drop it)."""
    missing = [s.name for s in settings.SETTINGS if s.name not in _FIELDS]
    if missing:
        raise AssertionError(f"ui/settings.SETTINGS rows without a dnn.TrainConfig field: {missing}. "
                             "The generated tests cover every row; add the field to dnn.TrainConfig.")


def _above(value: float, towards: float, integer: bool) -> float:
    if integer:
        return value + (1 if towards > value else -1)
    return math.nextafter(value, towards)


def extremes(row: settings.Setting) -> list[Any]:
    """The smallest and largest values the row accepts (an open end: the nearest value inside it)."""
    if row.kind == "choice":
        return list(row.options)
    integer = row.kind == "int"
    cast = int if integer else float
    low = _above(row.low, row.high, integer) if row.low_open else row.low
    high = _above(row.high, row.low, integer) if row.high_open else row.high
    found = [cast(low), cast(high)]
    assert all(row.in_range(v) for v in found), (row.name, found)
    return found


def row_values(row: settings.Setting) -> st.SearchStrategy:
    """Every value a row accepts, its extremes and widget stops drawn often."""
    if row.kind == "choice":
        values = st.sampled_from(row.options)
    else:
        stops = [v for v in row.options if v is not None and row.in_range(v)]
        special = st.sampled_from(extremes(row) + stops)
        if row.kind == "int":
            anywhere = st.integers(int(row.low), int(row.high)).filter(row.in_range)
        else:
            anywhere = st.floats(row.low, row.high, exclude_min=row.low_open, exclude_max=row.high_open,
                                 allow_nan=False, allow_infinity=False, allow_subnormal=True)
        values = st.one_of(special, special, anywhere)
    if row.nullable:
        values = st.one_of(st.none(), values)
    return values


def row_strategies() -> dict[str, st.SearchStrategy]:
    """Every row of SETTINGS and its strategy (a row whose field is missing fails loudly)."""
    check_rows()
    return {row.name: row_values(row) for row in settings.SETTINGS}


def setting_values() -> st.SearchStrategy[dict[str, Any]]:
    """A value for every row of SETTINGS."""
    return st.fixed_dictionaries(row_strategies())


def defaults_with_some() -> st.SearchStrategy[dict[str, Any]]:
    """Mostly-default settings with a few rows changed: a label and a link that differ by a little."""
    check_rows()
    return st.lists(st.sampled_from(settings.SETTINGS), max_size=4, unique_by=lambda r: r.name).flatmap(
        lambda rows: st.fixed_dictionaries({r.name: row_values(r) for r in rows}))


def any_values() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(setting_values(), defaults_with_some())


def hidden_layers(max_units: int = SMALL_UNITS) -> st.SearchStrategy[tuple[int, ...]]:
    """0 to MAX_HIDDEN_LAYERS hidden layers of 1 to ``max_units`` units (the deepest net drawn often)."""
    sizes = st.integers(1, max_units)
    return st.one_of(st.lists(sizes, min_size=0, max_size=settings.MAX_HIDDEN_LAYERS),
                     st.lists(sizes, min_size=settings.MAX_HIDDEN_LAYERS, max_size=settings.MAX_HIDDEN_LAYERS),
                     st.sampled_from([[7], [20, 7, 5]])).map(tuple)


def huge_hidden_layers() -> st.SearchStrategy[tuple[int, ...]]:
    """At least one layer at the widgets' largest unit count (settings.MAX_UNITS)."""
    return st.tuples(st.lists(st.integers(1, SMALL_UNITS), max_size=settings.MAX_HIDDEN_LAYERS - 1),
                     st.integers(0, settings.MAX_HIDDEN_LAYERS - 1)).map(
        lambda t: tuple(t[0][:t[1]] + [settings.MAX_UNITS] + t[0][t[1]:]))


# ----- datasets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataChoice:
    """A dataset as the app keys it: ``key`` is a link name or BUILT; ``toy`` the toy set's options."""

    key: str
    toy: toy_link.ToyOptions | None = None

    @property
    def kind(self) -> str:
        return "built" if self.key == BUILT else "toy" if self.key in TOY_NAMES else self.key

    def load(self) -> dnn.Dataset:
        return _load(self)

    @property
    def link_data(self) -> str | None:
        """The dataset's name in a shareable link (None for data the user brought)."""
        return None if self.key == BUILT else self.key


def subset(ds: dnn.Dataset, per_class_train: int = IMAGES_PER_CLASS, per_class_test: int = IMAGES_PER_CLASS // 3
           ) -> dnn.Dataset:
    """The first images of each class of an image set (its real pixels and shapes, fewer examples): every
    new run computes the first layer's cross products over the training set, so m sets an example's cost."""
    def pick(Y) -> list[int]:
        y = Y.ravel()
        n = per_class_train if Y is ds.train_y else per_class_test
        return sorted([*np.flatnonzero(y == 0)[:n], *np.flatnonzero(y == 1)[:n]])
    train, test = pick(ds.train_y), pick(ds.test_y)
    return dnn.Dataset(ds.name, ds.train_x_orig[train], ds.train_y[:, train], ds.test_x_orig[test],
                       ds.test_y[:, test], ds.classes, kind=ds.kind, notes=ds.notes)


@functools.cache
def _load(choice: DataChoice) -> dnn.Dataset:
    if choice.key == COURSE:
        if not HAS_COURSE_DATA:  # never a skip: the course kind is part of the space
            raise AssertionError("The course data is missing from ../shared/data: the generated tests need it.")
        return subset(dnn.catvnoncat_dataset(str(DATA_DIR)))  # loaded as ui.datasets loads it
    if choice.key == SYNTHETIC:
        return subset(dnn.synthetic_dataset(seed=0))
    if choice.key == BUILT:
        return built_photo_set()
    return toy_link.make(choice.key, choice.toy)


@functools.lru_cache(maxsize=1)
def built_photo_set() -> dnn.Dataset:
    """The shared photos as a two-class set, built as the Data page's builder does."""
    from dnn.builder import DatasetDraft
    draft = DatasetDraft()
    for slot, (name, files) in enumerate(PHOTO_CLASSES):
        draft = draft.rename(slot, name)
        for file in files:
            path = PHOTOS_DIR / file
            if not path.is_file():
                raise AssertionError(f"{path} is missing: the generated tests build a photo set from ../shared/photos.")
            draft = draft.add(slot, file, path.read_bytes())
    return draft.build(seed=0, test_fraction=0.3)


def toy_options() -> st.SearchStrategy[toy_link.ToyOptions]:
    """Every toy option's range and extremes (the widgets' ranges in ui.toy_link)."""
    def whole(lo_hi: tuple[int, int]) -> st.SearchStrategy[int]:
        return st.one_of(st.sampled_from(lo_hi), st.integers(*lo_hi))
    noise = st.one_of(st.none(), st.sampled_from(toy_link.NOISE_RANGE), st.floats(*toy_link.NOISE_RANGE))
    return st.builds(toy_link.ToyOptions, points=whole(toy_link.POINTS_RANGE), noise=noise,
                     train_pct=whole(toy_link.TRAIN_PCT_RANGE), seed=whole(toy_link.SEED_RANGE))


def data_choices() -> st.SearchStrategy[DataChoice]:
    """Every dataset kind: course, synthetic, each toy set (with its options) and a built photo set."""
    fixed = st.sampled_from([DataChoice(COURSE), DataChoice(SYNTHETIC), DataChoice(BUILT)])
    toys = st.builds(DataChoice, st.sampled_from(TOY_NAMES),
                     st.one_of(st.just(toy_link.DEFAULT_OPTIONS), toy_options()))
    return st.one_of(fixed, toys)


# ----- configs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One generated example: the data, the hidden layers and a value for (some) settings rows."""

    data: DataChoice
    hidden: tuple[int, ...]
    values: dict

    def config(self, ds: dnn.Dataset) -> dnn.TrainConfig:
        """The config the Model page would make of these values (its recording intervals included)."""
        return settings.make_config(ds.n_x, self.hidden, self.values)


def cases(hidden: st.SearchStrategy | None = None) -> st.SearchStrategy[Case]:
    return st.builds(Case, data_choices(), hidden if hidden is not None else hidden_layers(), any_values())


def run_config(config: dnn.TrainConfig, iterations: int = RUN_ITERATIONS) -> dnn.TrainConfig:
    """``config`` with at most ``iterations`` iterations (the app's recording intervals for that length)."""
    return settings.with_recording(replace(config, num_iterations=min(config.num_iterations, iterations)))


def refusal(config: dnn.TrainConfig, ds: dnn.Dataset) -> str | None:
    """Why the app must refuse to train ``config`` on ``ds`` (a limit named in its message), or None.

    The oracle is written from the documented limits, not from the Trainer's code: a mini-batch larger than
    the training set, and the memory budget (dnn.check_memory, DNN_MEMORY_BUDGET_MB)."""
    m = ds.train_y.shape[1]
    if config.batch_size is not None and config.batch_size > m:
        return "batch_size"
    try:
        dnn.check_memory(config.layer_dims, m, config.dtype, m_test=ds.test_y.shape[1],
                         **config.memory_settings())
    except ValueError:
        return "memory"
    return None


def profile_name() -> str:
    return os.environ.get(PROFILE_ENV, "ci")
