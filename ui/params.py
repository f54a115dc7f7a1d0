"""Shareable links: query parameters <-> a TrainConfig and a dataset choice.

Pure functions (no Streamlit), so a tampered link can be tested directly. Each
value is checked on its own: a bad one falls back to its default and is named
in a warning, the good ones are kept.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import dnn

COURSE, SYNTHETIC = "course", "synthetic"
TOY_NAMES = ("flower", "moons", "circles", "xor", "spiral")
DATA_CHOICES = (COURSE, SYNTHETIC, *TOY_NAMES)
LINK_KEYS = ("data", "hidden", "act", "init", "lr", "iters", "seed", "dtype")
IMAGE_N_X = 64 * 64 * 3
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 1_000_000
MAX_ITERATIONS = 10_000
DEFAULT = dnn.TrainConfig()


def recording_intervals(num_iterations: int) -> tuple[int, int]:
    """(record_every, accuracy_every): about 100 cost points and 25 accuracy points per run,
    never sparser than the course's every 100 iterations."""
    return max(1, min(100, num_iterations // 100)), max(1, min(100, num_iterations // 25))


def build_config(n_x: int, hidden: Sequence[int], *, hidden_activation: str = DEFAULT.hidden_activation,
                 init: str = DEFAULT.init, learning_rate: float = DEFAULT.learning_rate,
                 num_iterations: int = DEFAULT.num_iterations, seed: int = DEFAULT.seed,
                 dtype: str = DEFAULT.dtype) -> dnn.TrainConfig:
    """The app's one way to make a config (ValueError with the TrainConfig's message)."""
    record_every, accuracy_every = recording_intervals(int(num_iterations))
    return dnn.TrainConfig(
        layer_dims=(int(n_x), *(int(u) for u in hidden), 1), hidden_activation=hidden_activation, init=init,
        seed=int(seed), dtype=dtype, learning_rate=float(learning_rate), num_iterations=int(num_iterations),
        record_every=record_every, accuracy_every=accuracy_every,
    )


def same_model(a: dnn.TrainConfig | None, b: dnn.TrainConfig | None) -> bool:
    """Equal apart from how often the history records: a run of ``a`` is a run of ``b``."""
    if a is None or b is None:
        return a is b
    return replace(a, record_every=b.record_every, accuracy_every=b.accuracy_every) == b


@dataclass(frozen=True)
class LinkSettings:
    """What a link asks for: a config, a dataset key (None = keep the current data) and warnings."""

    config: dnn.TrainConfig
    data: str | None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _first(value: object) -> str:
    # st.query_params gives the last value of a repeated key; a plain dict may give a list.
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip()


def _parse_hidden(raw: str) -> tuple[int, ...]:
    if raw.lower() in ("", "none"):
        return ()
    units = tuple(int(part) for part in raw.split(","))
    if len(units) > MAX_HIDDEN_LAYERS or not all(1 <= u <= MAX_UNITS for u in units):
        raise ValueError
    return units


def _parse_lr(raw: str) -> float:
    lr = float(raw)
    if not math.isfinite(lr) or not 0 < lr <= 100:
        raise ValueError
    return lr


def _parse_whole(low: int, high: int):
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError
        return value
    return parse


def _parse_choice(options: Sequence[str]):
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError
        return raw
    return parse


# link key -> (build_config argument, parser, what the user reads in the warning)
_FIELDS = {
    "hidden": ("hidden", _parse_hidden, "hidden units"),
    "act": ("hidden_activation", _parse_choice(dnn.HIDDEN_ACTIVATIONS), "activation"),
    "init": ("init", _parse_choice(tuple(dnn.INITIALIZATIONS)), "initialisation"),
    "lr": ("learning_rate", _parse_lr, "learning rate"),
    "iters": ("num_iterations", _parse_whole(1, MAX_ITERATIONS), "iterations"),
    "seed": ("seed", _parse_whole(0, 2**32 - 1), "seed"),
    "dtype": ("dtype", _parse_choice(dnn.DTYPES), "precision"),
}


def has_link_settings(params: Mapping[str, object]) -> bool:
    return any(key in params for key in LINK_KEYS)


def parse_link(params: Mapping[str, object], default_n_x: int = IMAGE_N_X) -> LinkSettings:
    """Read the link's values; anything invalid keeps its default and is reported."""
    warnings: list[str] = []
    data = None
    if "data" in params:
        raw = _first(params["data"])
        if raw in DATA_CHOICES:
            data = raw
        else:
            warnings.append(f"Ignored data={raw[:40]!r} from the link (choose one of {', '.join(DATA_CHOICES)}).")
    n_x = 2 if data in TOY_NAMES else IMAGE_N_X if data else default_n_x
    kwargs: dict[str, object] = {"hidden": DEFAULT.layer_dims[1:-1]}
    for key, (arg, parse, label) in _FIELDS.items():
        if key not in params:
            continue
        raw = _first(params[key])
        try:
            kwargs[arg] = parse(raw)
        except ValueError:
            warnings.append(f"Ignored {key}={raw[:40]!r} from the link: not a valid {label}; using the default.")
    try:
        config = build_config(n_x, **kwargs)
    except ValueError as exc:
        warnings.append(f"The link's settings do not fit together ({exc}); using the defaults.")
        config = build_config(n_x, DEFAULT.layer_dims[1:-1])
    return LinkSettings(config, data, tuple(warnings))


def to_link(config: dnn.TrainConfig, data: str | None) -> dict[str, str]:
    """Query parameters that reproduce ``config`` (and the dataset when it has a shareable name)."""
    link = {
        "hidden": ",".join(str(u) for u in config.layer_dims[1:-1]),
        "act": config.hidden_activation,
        "init": config.init,
        "lr": f"{config.learning_rate:g}",
        "iters": str(config.num_iterations),
        "seed": str(config.seed),
        "dtype": config.dtype,
    }
    if data is not None:
        link = {"data": data, **link}
    return link
