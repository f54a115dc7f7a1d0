"""The one table of hyperparameters: name, type, range, default, link key, widget, help, live flag.

It drives the Model page's widgets, the shareable link (parse and write), the run labels, the presets and the
out-of-range check for loaded models.  Adding a hyperparameter is one ``Setting`` row here plus its use in
``dnn`` (a ``TrainConfig`` field).  Rows whose field this ``dnn`` does not have yet are left out by
``available()``, so a row may land before its engine code.  Pure Python (no Streamlit): testable directly.
"""
from __future__ import annotations

import inspect
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import dnn
from store.records import LABEL_MAX  # the store's limit on a run's name: labels are made to fit it

COURSE, SYNTHETIC = "course", "synthetic"
TOY_NAMES = tuple(dnn.TOY_DATASETS)  # one list of toy sets: dnn/toy.py's
DATA_CHOICES = (COURSE, SYNTHETIC, *TOY_NAMES)  # the datasets a link can name
IMAGE_N_X = 64 * 64 * 3
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 1_000_000
MAX_ITERATIONS = 10_000
DATA_LINK, HIDDEN_LINK = "data", "hidden"
LR_OPTIONS = (1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
              20.0, 50.0, 100.0)  # the big ones show divergence
TRAINING, REGULARISATION = "Training", "Regularisation & optimiser"
_CONFIG_FIELDS = {f.name: f for f in fields(dnn.TrainConfig)}
DEFAULT = dnn.TrainConfig()
# The fields a running run can change without a reset (dnn exports them once its engine supports it).
LIVE_FIELDS: tuple[str, ...] = tuple(getattr(dnn, "LIVE_FIELDS", ()))


@dataclass(frozen=True)
class Setting:
    """One hyperparameter.  ``kind`` is "int", "float" or "choice"; ``low``/``high`` bound numbers (inclusive,
    except ``low_open``); ``options`` lists choices (or a slider's stops for a number)."""

    name: str                       # the TrainConfig field
    label: str                      # what the user reads
    kind: str
    link: str                       # the query-parameter key
    widget: str                     # "select_slider", "number_input", "selectbox", "radio"
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    options: tuple = ()
    captions: tuple[str, ...] = ()
    step: float | None = None
    section: str = TRAINING
    in_label: bool = False          # always named in a run's label (others only when not the default)
    nullable: bool = False          # None is a valid value (e.g. batch_size: None = full batch)
    none_label: str = ""            # how a widget shows None
    high_open: bool = False
    shown_if: tuple[str, tuple] | None = None  # (other setting, its values) for which this one matters

    @property
    def default(self) -> Any:
        return getattr(DEFAULT, self.name)

    @property
    def live(self) -> bool:
        """Whether a running run can take a new value without a reset."""
        return self.name in LIVE_FIELDS

    def parse(self, raw: str) -> Any:
        """The value a link's text stands for; ValueError when it is not a valid one."""
        if self.nullable and raw.lower() in ("", "none"):
            return None
        if self.kind == "choice":
            if raw not in self.options:
                raise ValueError(raw)
            return raw
        value: Any = int(raw) if self.kind == "int" else float(raw)
        if not self.in_range(value):
            raise ValueError(raw)
        return value

    def format(self, value: Any) -> str:
        """The link's text for ``value`` (parse(format(v)) == v)."""
        if value is None:
            return "none"
        if self.kind != "float":
            return str(value)
        return float_text(value)

    def in_range(self, value: Any) -> bool:
        """Whether the widget can show ``value`` as it is."""
        if value is None:
            return self.nullable
        if self.kind == "choice":
            return value in self.options
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.kind == "int" and value != int(value):
            return False
        assert self.low is not None and self.high is not None, f"{self.name}: a numeric row has its bounds"
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def display(self, value: Any) -> str:
        """``value`` as a widget shows it."""
        if value is None:
            return self.none_label
        return f"{value:g}" if self.kind == "float" else str(value)

    def short(self, value: Any) -> str:
        """``value`` as it appears in a run's label."""
        return f"{self.link}={self.format(value)}"


SETTINGS: tuple[Setting, ...] = (
    Setting("hidden_activation", "Hidden activation", "choice", "act", "selectbox", in_label=True,
            options=tuple(dnn.HIDDEN_ACTIVATIONS), help="The output layer is always a sigmoid: a probability."),
    Setting("init", "Initialisation", "choice", "init", "radio", in_label=True, options=tuple(dnn.INITIALIZATIONS),
            captions=tuple(dnn.INITIALIZATIONS.values())),
    Setting("learning_rate", "Learning rate α", "float", "lr", "select_slider", low=0.0, high=100.0, low_open=True,
            options=LR_OPTIONS, in_label=True, help="The step of gradient descent: W := W − α·dW."),
    Setting("num_iterations", "Iterations", "int", "iters", "number_input", low=1, high=MAX_ITERATIONS, step=100),
    Setting("seed", "Random seed", "int", "seed", "number_input", low=0, high=2**32 - 1, step=1),
    Setting("dtype", "Precision", "choice", "dtype", "radio", options=tuple(dnn.DTYPES),
            help="float32 halves the memory and is faster; float64 reproduces the course's digits."),
    # ----- the course's next chapter: regularisation, dropout, mini-batches, optimisers, decay -----
    Setting("lambd", "L2 regularisation λ", "float", "lambd", "select_slider", low=0.0, high=100.0,
            options=(0.0, 0.001, 0.01, 0.03, 0.1, 0.3, 0.7, 1.0, 3.0, 10.0), section=REGULARISATION,
            help="cost += λ/(2m)·Σ‖W‖²: large weights cost more, which fights overfitting."),
    Setting("l1", "L1 regularisation", "float", "l1", "select_slider", low=0.0, high=100.0,
            options=(0.0, 0.0001, 0.001, 0.01, 0.1, 1.0), section=REGULARISATION,
            help="cost += l1/m·Σ|W|: pushes weights to exactly 0."),
    Setting("keep_prob", "Dropout keep_prob", "float", "keep", "select_slider", low=0.0, high=1.0, low_open=True,
            options=(0.5, 0.6, 0.7, 0.8, 0.86, 0.9, 0.95, 1.0), section=REGULARISATION,
            help="Each hidden unit is kept with this probability in every iteration (1 = no dropout)."),
    Setting("batch_size", "Mini-batch size", "int", "batch", "selectbox", low=1, high=10**6, nullable=True,
            none_label="full batch", options=(None, 16, 32, 64, 128, 256, 512, 1024), section=REGULARISATION,
            help="Examples per update; the course's mini-batches are a seeded shuffle per epoch."),
    Setting("optimizer", "Optimiser", "choice", "opt", "selectbox", options=tuple(dnn.OPTIMIZERS),
            section=REGULARISATION, help="gd: plain gradient descent; momentum; adam."),
    Setting("beta", "Momentum β", "float", "beta", "select_slider", low=0.0, high=1.0, high_open=True,
            options=(0.0, 0.5, 0.8, 0.9, 0.95, 0.99), section=REGULARISATION, shown_if=("optimizer", ("momentum",))),
    Setting("beta1", "Adam β1", "float", "beta1", "select_slider", low=0.0, high=1.0, high_open=True,
            options=(0.0, 0.5, 0.8, 0.9, 0.95, 0.99), section=REGULARISATION, shown_if=("optimizer", ("adam",))),
    Setting("beta2", "Adam β2", "float", "beta2", "select_slider", low=0.0, high=1.0, high_open=True,
            options=(0.9, 0.99, 0.999, 0.9999), section=REGULARISATION, shown_if=("optimizer", ("adam",))),
    Setting("epsilon", "Adam ε", "float", "eps", "select_slider", low=0.0, high=1.0, low_open=True,
            options=(1e-10, 1e-8, 1e-6, 1e-4), section=REGULARISATION, shown_if=("optimizer", ("adam",))),
    Setting("decay", "Learning-rate decay", "choice", "decay", "selectbox", options=tuple(dnn.DECAYS),
            section=REGULARISATION, help="inverse: α₀/(1 + rate·epoch); scheduled: the same every time interval."),
    Setting("decay_rate", "Decay rate", "float", "decay_rate", "select_slider", low=0.0, high=1000.0,
            options=(0.0, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0), section=REGULARISATION,
            shown_if=("decay", ("inverse", "scheduled"))),
    Setting("time_interval", "Decay time interval (epochs)", "int", "interval", "number_input", low=1, high=10**6,
            step=100, section=REGULARISATION, shown_if=("decay", ("scheduled",))),
)


def available() -> tuple[Setting, ...]:
    """The rows whose field this version of dnn.TrainConfig has."""
    return tuple(s for s in SETTINGS if s.name in _CONFIG_FIELDS)


def setting(name: str) -> Setting:
    return next(s for s in SETTINGS if s.name == name)


def memory_settings(config: dnn.TrainConfig) -> dict[str, Any]:
    """The config's values for every setting dnn's memory estimate takes (its keyword-only parameters)."""
    params = inspect.signature(dnn.estimate_memory_bytes).parameters.values()
    return {p.name: getattr(config, p.name) for p in params
            if p.kind is inspect.Parameter.KEYWORD_ONLY and hasattr(config, p.name)}


def link_keys() -> tuple[str, ...]:
    """Every query-parameter key the app reads and writes."""
    return (DATA_LINK, HIDDEN_LINK, *(s.link for s in available()))


# ----- configs ----------------------------------------------------------------------
def recording_intervals(num_iterations: int) -> tuple[int, int]:
    """(record_every, accuracy_every): about 100 cost points and 25 accuracy points per run,
    never sparser than the course's every 100 iterations."""
    return max(1, min(100, num_iterations // 100)), max(1, min(100, num_iterations // 25))


def with_recording(config: dnn.TrainConfig) -> dnn.TrainConfig:
    """``config`` recording at the app's intervals for its run length."""
    record_every, accuracy_every = recording_intervals(config.num_iterations)
    return replace(config, record_every=record_every, accuracy_every=accuracy_every)


def make_config(n_x: int, hidden: Sequence[int], values: Mapping[str, Any] | None = None,
                base: dnn.TrainConfig | None = None) -> dnn.TrainConfig:
    """``base`` (default: the defaults) with this input size, these hidden units and these setting values
    (ValueError with the TrainConfig's message when they do not make a valid model)."""
    dims = (int(n_x), *(int(u) for u in hidden), 1)
    return with_recording(replace(base or DEFAULT, layer_dims=dims, **dict(values or {})))


def with_inputs(config: dnn.TrainConfig, n_x: int) -> dnn.TrainConfig:
    """The same model for data with ``n_x`` inputs."""
    return replace(config, layer_dims=(int(n_x), *config.layer_dims[1:]))


def values(config: dnn.TrainConfig) -> dict[str, Any]:
    """Every table setting's value in ``config``."""
    return {s.name: getattr(config, s.name) for s in available()}


def same_model(a: dnn.TrainConfig | None, b: dnn.TrainConfig | None) -> bool:
    """Equal apart from how often the history records: a run of ``a`` is a run of ``b``."""
    if a is None or b is None:
        return a is b
    return replace(a, record_every=b.record_every, accuracy_every=b.accuracy_every) == b


def live_changes(old: dnn.TrainConfig, new: dnn.TrainConfig) -> dict[str, Any] | None:
    """The changes from ``old`` to ``new`` if a running run can take them all live, else None."""
    changed = {f: getattr(new, f) for f in _CONFIG_FIELDS if getattr(old, f) != getattr(new, f)}
    changed.pop("record_every", None), changed.pop("accuracy_every", None)
    if not changed or not set(changed) <= set(LIVE_FIELDS):
        return None
    return changed


# ----- hidden layers (the architecture: one list, not a scalar row) -----------------
def hidden_units(config: dnn.TrainConfig) -> tuple[int, ...]:
    return tuple(config.layer_dims[1:-1])


def parse_hidden(raw: str) -> tuple[int, ...]:
    if raw.lower() in ("", "none"):
        return ()
    units = tuple(int(part) for part in raw.split(","))
    if not hidden_in_range(units):
        raise ValueError(raw)
    return units


def format_hidden(units: Sequence[int]) -> str:
    return ",".join(str(u) for u in units) or "none"


def hidden_in_range(units: Sequence[int]) -> bool:
    return len(units) <= MAX_HIDDEN_LAYERS and all(1 <= u <= MAX_UNITS for u in units)


def out_of_range(config: dnn.TrainConfig) -> list[str]:
    """What in ``config`` the Model page's widgets cannot show (a loaded model may have it): one line each."""
    problems = []
    units = hidden_units(config)
    if not hidden_in_range(units):
        problems.append(f"{len(units)} hidden layers {list(units)} (the widgets offer up to {MAX_HIDDEN_LAYERS} "
                        f"layers of 1 to {MAX_UNITS:,} units)")
    for s in available():
        value = getattr(config, s.name)
        if not s.in_range(value):
            problems.append(f"{s.label} = {s.format(value)} (the widget offers "
                            + (", ".join(map(str, s.options)) if s.kind == "choice"
                               else f"{s.low:g} to {s.high:,.0f}") + ")")
    return problems


def _nearest(row: Setting, value: Any) -> Any:
    """The value in the widget's range nearest to ``value``, else the default."""
    if (row.kind != "choice" and isinstance(value, (int, float)) and math.isfinite(value)
            and row.low is not None and row.high is not None):
        near = type(value)(min(max(value, row.low), row.high))
        if row.in_range(near):
            return near
    return row.default


def clip(config: dnn.TrainConfig) -> dnn.TrainConfig:
    """The nearest config the widgets can show (only on the user's explicit request)."""
    units = [min(max(1, u), MAX_UNITS) for u in hidden_units(config)][:MAX_HIDDEN_LAYERS]
    changes = {}
    for s in available():
        value = getattr(config, s.name)
        if s.in_range(value):
            continue
        changes[s.name] = _nearest(s, value)
    return make_config(config.layer_dims[0], units, changes, base=config)


# ----- links -------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkSettings:
    """What a link asks for: a config, a dataset key (None = keep the current data) and warnings.
    Warnings quote the link's text as given: show them with ui.text.literal."""

    config: dnn.TrainConfig
    data: str | None
    warnings: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (key, raw value, what it should be)


def _first(value: object) -> str:
    # st.query_params gives the last value of a repeated key; a plain dict may give a list.
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip()


def has_link_settings(query: Mapping[str, object]) -> bool:
    return any(key in query for key in link_keys())


def parse_link(query: Mapping[str, object], default_n_x: int = IMAGE_N_X) -> LinkSettings:
    """Read the link's values; anything invalid keeps its default and is reported."""
    warnings: list[tuple[str, str, str]] = []
    data = None
    if DATA_LINK in query:
        raw = _first(query[DATA_LINK])
        if raw in DATA_CHOICES:
            data = raw
        else:
            warnings.append((DATA_LINK, raw, f"one of {', '.join(DATA_CHOICES)}"))
    n_x = 2 if data in TOY_NAMES else IMAGE_N_X if data else default_n_x
    hidden = hidden_units(DEFAULT)
    if HIDDEN_LINK in query:
        raw = _first(query[HIDDEN_LINK])
        try:
            hidden = parse_hidden(raw)
        except ValueError:
            warnings.append((HIDDEN_LINK, raw, "hidden units"))
    chosen: dict[str, Any] = {}
    for s in available():
        if s.link in query:
            raw = _first(query[s.link])
            try:
                chosen[s.name] = s.parse(raw)
            except ValueError:
                warnings.append((s.link, raw, f"a valid {s.label.lower()}"))
    try:
        config = make_config(n_x, hidden, chosen)
    except ValueError as exc:
        warnings.append(("", str(exc), "settings that fit together"))
        config = make_config(n_x, hidden_units(DEFAULT))
    return LinkSettings(config, data, tuple(warnings))


def to_link(config: dnn.TrainConfig, data: str | None) -> dict[str, str]:
    """Query parameters that reproduce ``config`` (and the dataset when it has a shareable name): the data
    and the hidden layers always, every other setting only where it differs from its default (parse_link
    fills in the defaults), so a link, and the QR code drawn from it, stays short."""
    link = {HIDDEN_LINK: format_hidden(hidden_units(config))}
    link.update({s.link: s.format(getattr(config, s.name)) for s in available()
                 if getattr(config, s.name) != s.default})
    return {DATA_LINK: data, **link} if data is not None else link


def float_text(value: float) -> str:
    """``value`` as a link writes it: 12 digits, short and readable, or the exact shortest form when those
    would round (0.9999999999999999), so ``float(float_text(v)) == v``."""
    text = f"{value:.12g}"
    return text if float(text) == value else repr(float(value))


# ----- labels and presets -------------------------------------------------------------
def summary(config: dnn.TrainConfig) -> str:
    """``act=relu init=sqrt lr=0.0075`` plus every setting that differs from its default."""
    return " ".join(s.short(getattr(config, s.name)) for s in available()
                    if s.in_label or getattr(config, s.name) != s.default)


def run_description(number: int, config: dnn.TrainConfig) -> str:
    """``#3 [20, 7, 5] act=relu init=sqrt lr=0.0075`` plus every setting that differs from its default,
    however long (for display; ``run_label`` is the bounded name a run is kept under)."""
    return f"#{number} {list(hidden_units(config))} {summary(config)}"


def run_label(number: int, config: dnn.TrainConfig) -> str:
    """``run_description`` cut to LABEL_MAX characters at a word, ending in "…" when cut: the name a run is
    kept under in the history and the store, which refuses longer ones (the same constant)."""
    return bounded_label(run_description(number, config))


def next_run_number(labels: Sequence[str]) -> int:
    """The number the next run is labelled with: one more than the highest "#n" among ``labels`` (so a
    deleted run's number is never given again while a later one is kept)."""
    numbers = [int(m.group(1)) for label in labels if (m := re.match(r"#(\d+)\b", label))]
    return max(numbers, default=0) + 1


def bounded_label(text: str, limit: int = LABEL_MAX) -> str:
    """``text`` if it fits in ``limit`` characters, else its longest prefix ending at a space, plus "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


@dataclass(frozen=True)
class Preset:
    title: str
    blurb: str
    hidden: tuple[int, ...]
    values: dict[str, Any]


_COURSE_TRAINING = {"hidden_activation": "relu", "learning_rate": 0.0075, "num_iterations": 2500, "seed": 1,
                    "dtype": "float64"}
PRESETS: dict[str, Preset] = {
    "two_layer": Preset("Course two-layer net [n_x, 7, 1]",
                        "LINEAR→RELU→LINEAR→SIGMOID, init randn×0.01, seed 1. The course reaches test accuracy 0.72.",
                        (7,), {**_COURSE_TRAINING, "init": "course"}),
    "five_layer": Preset("Course five-layer net [n_x, 20, 7, 5, 1]",
                         "[LINEAR→RELU]×4→LINEAR→SIGMOID, init randn/√n_prev, seed 1. The course reaches 0.80.",
                         (20, 7, 5), {**_COURSE_TRAINING, "init": "sqrt"}),
}


def preset_config(name: str, n_x: int) -> dnn.TrainConfig:
    """The preset's model for data with ``n_x`` inputs; every other setting at its default (full-batch
    gradient descent, as in the course)."""
    preset = PRESETS[name]
    return make_config(n_x, preset.hidden, preset.values)

