"""Curves that teach: train and test cost, train and test accuracy, earlier runs overlaid, the explosion drawn.

Vega-lite specs (a redrawn vega-lite chart does not flicker), no Streamlit.  One long table feeds
both charts: the current run and any earlier runs share one style, colour = run, dash = train/test,
so an overlaid earlier run looks exactly like the live one did.

    data = curves_data([CurveRun("this run", run.history, explosion=divergence_trace(run))])
    st.vega_lite_chart(data, cost_spec(2500, log_y=True))
    st.vega_lite_chart(data, accuracy_spec(2500))
"""
from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ui import theme

# Okabe-Ito where it is readable on the background (ui/theme.py): the light theme's; the dark one's in theme.
RUN_COLOURS = theme.RUN_COLOURS_LIGHT
EXPLOSION_COLOUR = theme.EXPLOSION
SPLITS = ("train", "test")
# Log scales cannot show 0; a cost this small is a perfect fit for any picture on screen.
MIN_COST = 1e-6
INFINITE_NOTE = "\u221e (overflow)"


@dataclass(frozen=True)
class CurveRun:
    """One run's curves: its label and engine History; ``explosion`` is (iterations, costs) up to the blow-up."""

    label: str
    history: Any
    explosion: tuple[Sequence[int], Sequence[float]] = ((), ())


def _rows(run: str, metric: str, split: str, its: Sequence[int], values: Sequence[float]) -> list[dict]:
    return [{"run": run, "metric": metric, "split": split, "iteration": int(i), "value": float(v), "note": ""}
            for i, v in zip(its, values, strict=False) if v is not None and math.isfinite(v)]


def _explosion_rows(run: str, its: Sequence[int], costs: Sequence[float]) -> list[dict]:
    """The cost iteration by iteration up to the blow-up; an infinite last cost is drawn above the rest."""
    finite = [c for c in costs if math.isfinite(c)]
    top = max(finite, default=1.0) * 10
    rows = []
    for k, (i, c) in enumerate(zip(its, costs, strict=False)):
        last = k == len(costs) - 1
        value = c if math.isfinite(c) else top
        note = (INFINITE_NOTE if not math.isfinite(c) else f"diverged: {c:.3g}") if last else ""
        rows.append({"run": run, "metric": "explosion", "split": "train", "iteration": int(i),
                     "value": max(float(value), MIN_COST), "note": note})
    return rows


def _change_rows(run: str, changes: Sequence[tuple[int, dict]]) -> list[dict]:
    """A settings change made while the run trained (e.g. the learning rate), as a marked iteration."""
    return [{"run": run, "metric": "change", "split": "train", "iteration": int(i), "value": MIN_COST,
             "note": ", ".join(_show(k, v) for k, v in changed.items())} for i, changed in changes]


def _test_costs(history: Any) -> list[float]:
    # History.test_costs arrives with the engine's issue 11 work; older histories have none.
    return list(getattr(history, "test_costs", None) or [])


def curves_data(runs: Sequence[CurveRun]) -> pd.DataFrame:
    """Long table: run, metric (cost, accuracy, explosion), split (train, test), iteration, value, note.

    Never holds NaN or inf: unrecorded test values are left out, an infinite cost becomes a marked point; a
    live settings change (metric "change") is drawn by its iteration and note (its value is not used).
    """
    rows: list[dict] = []
    for r in runs:
        h = r.history
        rows += _rows(r.label, "cost", "train", h.cost_iterations, [max(c, MIN_COST) for c in h.costs])
        rows += _rows(r.label, "cost", "test", h.acc_iterations[:len(_test_costs(h))],
                      [max(c, MIN_COST) for c in _test_costs(h)])
        rows += _rows(r.label, "accuracy", "train", h.acc_iterations, h.train_acc)
        rows += _rows(r.label, "accuracy", "test", h.acc_iterations, h.test_acc)
        rows += _explosion_rows(r.label, *r.explosion)
        rows += _change_rows(r.label, getattr(h, "changes", None) or [])
    columns = ["run", "metric", "split", "iteration", "value", "note"]
    return pd.DataFrame(rows, columns=columns).astype({"iteration": np.int64, "value": np.float64})


def legend_columns(labels: Sequence[str], chars_per_row: int = 90) -> int:
    """Columns of the legend below a plot: as many whole labels as fit a row (one per row when they are long)."""
    longest = max((len(lab) for lab in labels), default=1) + 4  # the symbol and the gap
    return max(1, min(len(labels), chars_per_row // longest))


def _colour(labels: Sequence[str], dark: bool = False) -> dict:
    """Colour = run, with a legend below the plot: full labels (no cut), in as many rows as they need.  Below,
    not above: the legend's rows add to the chart's height instead of taking it from the plot."""
    colours = theme.run_colours(dark)
    return {"field": "run", "type": "nominal", "title": "run", "sort": list(labels),
            "scale": {"domain": list(labels), "range": [colours[k % len(colours)] for k in range(len(labels))]},
            "legend": {"orient": "bottom", "direction": "horizontal", "title": None, "labelLimit": 0,
                       "columns": legend_columns(labels), "symbolType": "stroke", "symbolStrokeWidth": 3}
            if len(labels) > 1 else None}


def _dash() -> dict:
    return {"field": "split", "type": "nominal", "title": None, "sort": list(SPLITS),
            "scale": {"domain": list(SPLITS), "range": [[1, 0], [6, 4]]}, "legend": None}


def _x(num_iterations: int, title: str | None = "iteration") -> dict:
    return {"field": "iteration", "type": "quantitative", "title": title,
            "scale": {"domain": [0, max(1, int(num_iterations))], "nice": False}, "axis": {"format": ",d"}}


def _tooltip(value_format: str) -> list[dict]:
    return [{"field": "run", "type": "nominal"}, {"field": "split", "type": "nominal"},
            {"field": "iteration", "type": "quantitative"},
            {"field": "value", "type": "quantitative", "format": value_format}]


def _lines(metric: str, x: dict, y: dict, labels: Sequence[str], value_format: str, dark: bool = False) -> dict:
    return {"transform": [{"filter": f"datum.metric == '{metric}'"}],
            "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
            "encoding": {"x": x, "y": y, "color": _colour(labels, dark), "strokeDash": _dash(),
                         "detail": {"field": "split"}, "tooltip": _tooltip(value_format)}}


# The plot keeps its height whatever the legend below it: "pad" grows the chart instead of shrinking the plot
# (a legend of four long run labels once left a 30-45 px cost plot); the width still fits the column.
AUTOSIZE = {"type": "fit-x", "contains": "padding"}


def cost_spec(num_iterations: int, labels: Sequence[str] = ("this run",), log_y: bool = False,
              height: int = 260, dark: bool = False, empty: bool = False) -> dict:
    """Train (solid) and test (dashed) cost per run; a diverged run's blow-up in vermillion, labelled.

    ``labels`` are the runs in the data, the current one first (it keeps the first colour).  ``empty``:
    no cost yet, so the axis shows 0 to 1 with plain ticks (an empty log axis printed "0.000000").
    """
    scale: dict[str, object] = {"type": "log"} if log_y and not empty else {"zero": True}
    if empty:
        scale["domain"] = [0, 1]
    y = {"field": "value", "type": "quantitative", "title": "cost J" + (" (log scale)" if log_y else ""),
         "scale": scale, "axis": {"format": "~g", "tickCount": 4}}
    grey = theme.muted(dark)
    x = _x(num_iterations, title=None)  # the accuracy chart below names the shared axis
    explosion = {"transform": [{"filter": "datum.metric == 'explosion'"}],
                 "mark": {"type": "line", "color": EXPLOSION_COLOUR, "strokeWidth": 2.5, "clip": True,
                          "point": {"filled": True, "size": 30, "color": EXPLOSION_COLOUR}},
                 "encoding": {"x": x, "y": y, "detail": {"field": "run"}, "tooltip": _tooltip(".4g")}}
    note = {"transform": [{"filter": "datum.note != ''"}],
            "mark": {"type": "text", "align": "left", "dx": 8, "dy": 4, "fontWeight": "bold",
                     "color": EXPLOSION_COLOUR, "fontSize": 13},
            "encoding": {"x": x, "y": y, "text": {"field": "note"}}}
    changed = {"transform": [{"filter": "datum.metric == 'change'"}],
               "mark": {"type": "rule", "strokeDash": [2, 3], "color": grey, "clip": True},
               "encoding": {"x": x, "tooltip": [{"field": "note", "title": "changed"},
                                                 {"field": "iteration", "type": "quantitative"}]}}
    changed_note = {"transform": [{"filter": "datum.metric == 'change'"}],
                    "mark": {"type": "text", "align": "left", "dx": 3, "y": 6, "baseline": "top",
                             "color": grey, "fontSize": 11},
                    "encoding": {"x": x, "text": {"field": "note"}}}
    return {"height": height, "autosize": AUTOSIZE,
            "title": {"text": "Cost: train (solid) and test (dashed)", "anchor": "start"},
            "layer": [_lines("cost", x, y, labels, ".4f", dark), explosion, note, changed, changed_note]}


def accuracy_spec(num_iterations: int, labels: Sequence[str] = ("this run",), height: int = 260,
                  dark: bool = False) -> dict:
    """Train (solid) and test (dashed) accuracy in percent, 0-100% fixed so runs compare at a glance."""
    y = {"field": "value", "type": "quantitative", "title": "accuracy",
         "scale": {"domain": [0, 1]}, "axis": {"format": ".0%", "tickCount": 3}}
    return {"height": height, "autosize": AUTOSIZE,
            "layer": [_lines("accuracy", _x(num_iterations), y, labels, ".1%", dark)]}


# ----- what the charts show, in words ----------------------------------------------------------
def _trend(rows: pd.DataFrame, fmt: str) -> str:
    first, last = rows.iloc[0], rows.iloc[-1]
    if len(rows) == 1:
        return f"{format(first.value, fmt)} at iteration {first.iteration:,}"
    return (f"{format(first.value, fmt)} at iteration {first.iteration:,} to {format(last.value, fmt)} "
            f"at iteration {last.iteration:,}")


def describe(data: pd.DataFrame, metric: str, labels: Sequence[str] = ("this run",)) -> str:
    """A short description of what a curves chart shows now, for screen readers (the chart's accessible
    name and Vega-Lite ``description``): each split of the first run, and how many runs are drawn."""
    name = "Cost" if metric == "cost" else "Accuracy"
    fmt = ".4f" if metric == "cost" else ".1%"
    rows = data[data.metric == metric] if len(data) else data
    if not len(rows):
        return f"{name} chart: no run yet, nothing drawn."
    first = labels[0] if labels else rows.run.iloc[0]
    parts = []
    for split in SPLITS:
        mine = rows[(rows.run == first) & (rows.split == split)].sort_values("iteration")
        if len(mine):
            parts.append(f"{split} {name.lower()} from {_trend(mine, fmt)}")
    text = f"{name} per iteration, {first}: " + ("; ".join(parts) if parts else "nothing recorded yet") + "."
    others = len(set(rows.run)) - 1
    if others > 0:
        text += f" {others} earlier run{'s' if others > 1 else ''} drawn for comparison."
    if metric == "cost" and (data.metric == "explosion").any():
        text += " The cost blew up (diverged): drawn in vermillion."
    return text


def curves_table(data: pd.DataFrame) -> pd.DataFrame:
    """The curves as a table (the "show as table" alternative): one row per run and recorded iteration."""
    rows = data[data.metric.isin(["cost", "accuracy"])]
    if not len(rows):
        return pd.DataFrame(columns=["run", "iteration", "train cost", "test cost", "train accuracy",
                                     "test accuracy"])
    wide = rows.pivot_table(index=["run", "iteration"], columns=["split", "metric"], values="value",
                            aggfunc="last")
    wide.columns = [f"{split} {metric}" for split, metric in wide.columns]
    order = [c for c in ("train cost", "test cost", "train accuracy", "test accuracy") if c in wide.columns]
    runs = list(dict.fromkeys(rows.run))
    table = wide[order].reset_index()
    table["run"] = pd.Categorical(table["run"], categories=runs, ordered=True)
    return table.sort_values(["run", "iteration"]).reset_index(drop=True).astype({"run": str})


def presenter_config(presenter: bool) -> dict:
    """Vega-lite ``config`` for the charts: larger type and thicker lines on a projector; marks and axes
    hidden from screen readers (the chart's description speaks for them)."""
    size = 16 if presenter else 12
    return {"aria": False, "axis": {"labelFontSize": size, "titleFontSize": size + 1},
            "legend": {"labelFontSize": size, "titleFontSize": size},
            "title": {"fontSize": size + 2}, "line": {"strokeWidth": 3.5 if presenter else 2.5}}


def with_config(spec: dict, presenter: bool = False, description: str | None = None) -> dict:
    """The spec with the shared look applied (a new dict; the input is not changed).

    ``description`` names the chart for screen readers (Vega's aria-label); the marks and axes themselves
    are hidden from them (``aria: false``), or every line and tick would be read out as a "graphic".
    """
    described = {"description": description} if description else {}
    return {**theme.quiet_marks(spec), "config": presenter_config(presenter), **described}


# ----- labels that say what differs -----------------------------------------------------------
SHORT_NAMES = {"learning_rate": "\u03b1", "layer_dims": "layers", "hidden_activation": "", "init": "init",
               "seed": "seed", "dtype": "", "num_iterations": "its", "data": ""}
# The most telling differences first: what was learned from, then how fast, then the network's shape.
LABEL_ORDER = ("data", "learning_rate", "layer_dims", "hidden_activation", "init", "num_iterations", "seed", "dtype")
# How often the history records never makes two runs different to a student.
IGNORED_FIELDS = ("record_every", "accuracy_every")


def _as_mapping(config: Any) -> Mapping[str, Any]:
    if dataclasses.is_dataclass(config):
        return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    return dict(config)


def _show(name: str, value: Any) -> str:
    if name == "layer_dims":
        value = list(value)
    elif name == "num_iterations":
        value = f"{value:,}"
    elif isinstance(value, float):
        value = f"{value:g}"
    short = SHORT_NAMES.get(name, name.replace("_", " "))
    return f"{short} {value}".strip() if short != "\u03b1" else f"\u03b1={value}"


def run_labels(configs: Sequence[Any]) -> list[str]:
    """A label per run naming only what differs between the runs: ["α=0.0075", "α=0.05", ...].

    Configs are TrainConfigs or mappings (add e.g. {"data": name} to compare datasets); runs
    that differ in nothing are told apart by number ("#1", "#2").
    """
    maps = [_as_mapping(c) for c in configs]
    names = [n for n in dict.fromkeys(k for m in maps for k in m) if n not in IGNORED_FIELDS]
    names.sort(key=lambda n: LABEL_ORDER.index(n) if n in LABEL_ORDER else len(LABEL_ORDER))
    differing = [n for n in names if len({repr(m.get(n)) for m in maps}) > 1]
    labels = [", ".join(_show(n, m.get(n)) for n in differing) for m in maps]
    counts = Counter(labels)
    return [lab if lab and counts[lab] == 1 else f"#{k + 1} {lab}".strip() for k, lab in enumerate(labels)]
