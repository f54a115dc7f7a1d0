"""Figures for the Data, Model and Train pages: plotly figures and vega-lite specs, no Streamlit.

The live decision boundary is a vega-lite spec because a
redrawn vega-lite chart does not flicker; the static ones are plotly figures.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import theme

CLASS_COLOURS = theme.CLASS_COLOURS_LIGHT  # label 0, label 1 (the dark theme's are in ui/theme.py)
# Named classes drawn in their own colour, a shade readable on white and on the dark theme's black (3:1).
NAMED_COLOURS = {"red": "#d62728", "blue": "#1f77b4", "green": "#2ca02c", "orange": "#c8620a", "purple": "#9467bd"}


def class_colours(classes: Sequence[str], dark: bool = False) -> tuple[str, str]:
    """Colours for label 0 and 1: the class names themselves when they are colours (the toy sets' red/blue)."""
    if len(classes) == 2 and all(str(c).lower() in NAMED_COLOURS for c in classes):
        return NAMED_COLOURS[str(classes[0]).lower()], NAMED_COLOURS[str(classes[1]).lower()]
    return theme.class_colours(dark)


# ----- 2-D toy data ------------------------------------------------------------------
def boundary_grid(X: np.ndarray, resolution: int = 80, pad: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres covering the data's box (plus a margin): xs (resolution,), ys (resolution,)."""
    lo, hi = X.min(axis=1), X.max(axis=1)
    margin = (hi - lo) * pad + 1e-9
    return (np.linspace(lo[0] - margin[0], hi[0] + margin[0], resolution),
            np.linspace(lo[1] - margin[1], hi[1] + margin[1], resolution))


def boundary_extent(X: np.ndarray, resolution: int = 80) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the grid's outer cell edges: the chart's exact domain, no blank band."""
    xs, ys = boundary_grid(X, resolution)
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    return float(xs[0] - dx), float(xs[-1] + dx), float(ys[0] - dy), float(ys[-1] + dy)


def decision_boundary_data(X: np.ndarray, Y: np.ndarray, proba: Callable[[np.ndarray], np.ndarray],
                           resolution: int = 80, X_test: np.ndarray | None = None,
                           Y_test: np.ndarray | None = None, discrete: bool = False) -> pd.DataFrame:
    """Rows for :func:`decision_boundary_spec`: grid cells with P(y=1), the training points, the test points.

    ``discrete`` shows the decision (P > 0.5 as 1, else 0) instead of the probability.  Cells overlap
    their neighbours by 2% so no hairline shows between rows.
    """
    xs, ys = boundary_grid(X, resolution)
    gx, gy = np.meshgrid(xs, ys)
    p = np.nan_to_num(np.asarray(proba(np.vstack([gx.ravel(), gy.ravel()]))).ravel(), nan=0.5)
    if discrete:
        p = (p > 0.5).astype(float)
    dx, dy = (xs[1] - xs[0]) * 0.51, (ys[1] - ys[0]) * 0.51
    grid = pd.DataFrame({"layer": "grid", "x": gx.ravel() - dx, "x2": gx.ravel() + dx,
                         "y": gy.ravel() - dy, "y2": gy.ravel() + dy, "p": p, "label": ""})
    parts = [grid, _points("train", X, Y)]
    if X_test is not None and Y_test is not None:
        parts.append(_points("test", X_test, Y_test))
    return pd.concat(parts, ignore_index=True)


MAX_POINTS = 2000  # drawn per set: a 100,000-point toy set would otherwise be 100,000 SVG circles per redraw


def _points(layer: str, X: np.ndarray, Y: np.ndarray) -> pd.DataFrame:
    """The points of one set (every k-th when there are more than MAX_POINTS: the same ones on every redraw)."""
    step = -(-X.shape[1] // MAX_POINTS)
    X, Y = X[:, ::step], np.asarray(Y).reshape(1, -1)[:, ::step]
    return pd.DataFrame({"layer": layer, "x": X[0], "x2": X[0], "y": X[1], "y2": X[1],
                         "p": np.nan_to_num(Y.ravel().astype(float)), "label": Y.ravel().astype(int).astype(str)})


def boundary_size(extent: Sequence[float], side: int = 420) -> tuple[int, int]:
    """(width, height) px with one data unit the same length on both axes; the longer side is ``side``."""
    x_range, y_range = extent[1] - extent[0], extent[3] - extent[2]
    if x_range >= y_range:
        return side, max(1, round(side * y_range / x_range))
    return max(1, round(side * x_range / y_range)), side


def decision_boundary_spec(classes: Sequence[str] = ("0", "1"), extent: Sequence[float] | None = None,
                           side: int = 420, dark: bool = False, description: str | None = None) -> dict:
    """P(y=1) as a two-colour field with the training points (filled) and test points (hollow) on top.

    A class is told by its shape as well as its colour (label 0 circles, label 1 triangles), so the chart
    reads without colour vision.  With ``extent`` (from :func:`boundary_extent`) the axes span exactly the
    grid at a 1:1 aspect.  ``description`` names the chart for screen readers (see :func:`describe_boundary`).
    """
    colours = class_colours(classes, dark)
    # "pad": width and height are the plot itself (axes and legends come on top), so 1:1 is exact.
    size = {} if extent is None else {**dict(zip(("width", "height"), boundary_size(extent, side), strict=True)),
                                      "autosize": {"type": "pad"}}

    def axis(field: str, title: str, lo_hi: Sequence[float] | None) -> dict:
        scale = {"nice": False, "zero": False, **({"domain": list(lo_hi)} if lo_hi is not None else {})}
        return {"field": field, "type": "quantitative", "title": title, "axis": {"grid": False}, "scale": scale}

    x = axis("x", "x1", None if extent is None else extent[:2])
    y = axis("y", "x2", None if extent is None else extent[2:])
    names = f"datum.label == '1' ? '{_js(classes[-1])}' : '{_js(classes[0])}'"
    legend = {"labelExpr": names, "orient": "right", "title": "label"}
    by_label = {"field": "label", "type": "nominal", "title": "label", "scale": {"domain": ["0", "1"]}}
    colour = {**by_label, "scale": {"domain": ["0", "1"], "range": list(colours)}}
    shape = {**by_label, "scale": {"domain": ["0", "1"], "range": list(theme.CLASS_SHAPES)}}
    edge = "#ffffff" if dark else "#000000"
    middle = "#1c1c1c" if dark else "#ffffff"
    points = {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}
    return theme.quiet_marks({
        **size,
        **({"description": description} if description else {}),
        "config": {"aria": False},
        "layer": [
            {"transform": [{"filter": "datum.layer == 'grid'"}],
             "mark": {"type": "rect", "opacity": 0.8, "strokeWidth": 0},
             "encoding": {
                 "x": x, "x2": {"field": "x2"}, "y": y, "y2": {"field": "y2"},
                 "color": {"field": "p", "type": "quantitative", "title": f"P({classes[-1]})",
                           "scale": {"domain": [0, 1], "range": [_tint(colours[0], dark=dark), middle,
                                                                  _tint(colours[1], dark=dark)]},
                           "legend": {"orient": "right", "format": ".1f"}},
             }},
            {"transform": [{"filter": "datum.layer == 'train'"}],
             "mark": {"type": "point", "filled": True, "size": 34, "opacity": 0.95, "stroke": edge,
                      "strokeWidth": 0.5},
             "encoding": {**points, "fill": {**colour, "legend": legend}, "shape": {**shape, "legend": legend}}},
            {"transform": [{"filter": "datum.layer == 'test'"}],
             "mark": {"type": "point", "filled": False, "size": 52, "opacity": 1, "strokeWidth": 2},
             "encoding": {**points, "stroke": {**colour, "legend": None}, "shape": {**shape, "legend": None}}},
        ],
        "resolve": {"scale": {"color": "independent"}},
    })


def _js(text: str) -> str:
    """A class name inside a Vega expression's single-quoted string."""
    return str(text).replace("\\", "\\\\").replace("'", "\\'")


def describe_boundary(data: pd.DataFrame, classes: Sequence[str]) -> str:
    """What the boundary chart shows now, in words: how much of the plane each class gets, and the points."""
    grid = data[data.layer == "grid"]
    share = float((grid.p > 0.5).mean()) if len(grid) else 0.0
    counts = {layer: int((data.layer == layer).sum()) for layer in ("train", "test")}
    text = (f"Decision boundary: the plane coloured by the network's probability of {classes[-1]}; "
            f"{share:.0%} of it is predicted {classes[-1]}, {1 - share:.0%} {classes[0]}. "
            f"{counts['train']} training points drawn filled")
    text += f", {counts['test']} test points hollow" if counts["test"] else ""
    return text + f"; {classes[0]} as circles, {classes[-1]} as triangles."


def _tint(hex_colour: str, amount: float = 0.55, dark: bool = False) -> str:
    """A paler (on the dark theme: darker) version of a colour, for the probability field under the points."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    towards = 0 if dark else 255
    return "#" + "".join(f"{round(c + (towards - c) * amount):02x}" for c in rgb)


def toy_scatter_figure(X: np.ndarray, Y: np.ndarray, classes: Sequence[str] = ("0", "1"),
                       dark: bool = False) -> go.Figure:
    """The 2-D points by label: colour and shape (circles and triangles), so colour is never the only cue."""
    fig = go.Figure()
    labels = Y.ravel().astype(int)
    colours = class_colours(classes, dark)
    for k in (0, 1):
        pts = X[:, labels == k]
        fig.add_trace(go.Scatter(x=pts[0], y=pts[1], mode="markers", name=f"{k}: {classes[k]}",
                                 marker={"color": colours[k], "size": 7, "symbol": theme.CLASS_SYMBOLS[k],
                                         "line": {"width": 0.3}}))
    fig.update_layout(xaxis_title="x1", yaxis_title="x2", height=420, margin={"t": 30},
                      yaxis={"scaleanchor": "x"})
    return fig


# ----- the network's shapes ------------------------------------------------------------
def shape_table(layer_dims: Sequence[int], m: int) -> pd.DataFrame:
    """The course's shape table: W, b, Z, A of every layer for m examples."""
    rows = [{"layer": "0 (input)", "W": "", "b": "", "Z": "", "A": f"A0 = X {(layer_dims[0], m)}", "parameters": 0}]
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        rows.append({"layer": str(l), "W": f"W{l} {(n, n_prev)}", "b": f"b{l} {(n, 1)}", "Z": f"Z{l} {(n, m)}",
                     "A": f"A{l} {(n, m)}", "parameters": n * n_prev + n})
    return pd.DataFrame(rows)
