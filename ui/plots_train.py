"""Figures for the Data, Model and Train pages: plotly figures and vega-lite specs, no Streamlit.

The live views (cost curve, decision boundary) are vega-lite specs because a
redrawn vega-lite chart does not flicker; the static ones are plotly figures.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

CLASS_COLOURS = ("#1f77b4", "#e07a1f")  # label 0, label 1


def class_colours(classes: Sequence[str]) -> tuple[str, str]:
    """Colours for label 0 and 1: the class names themselves when they are colours (the toy sets' red/blue)."""
    named = {"red": "#d62728", "blue": "#1f77b4", "green": "#2ca02c", "orange": "#e07a1f", "purple": "#9467bd"}
    if len(classes) == 2 and all(str(c).lower() in named for c in classes):
        return named[str(classes[0]).lower()], named[str(classes[1]).lower()]
    return CLASS_COLOURS


def finite_points(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """Drop the pairs whose y is NaN or infinite: charts must never show NaN."""
    pairs = [(x, y) for x, y in zip(xs, ys) if y is not None and math.isfinite(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


# ----- live cost curve (vega-lite) ------------------------------------------------
def cost_chart_data(iterations: Sequence[int], costs: Sequence[float]) -> pd.DataFrame:
    its, cs = finite_points(iterations, costs)
    return pd.DataFrame({"iteration": np.asarray(its, dtype=np.int64), "cost": np.asarray(cs, dtype=np.float64)})


def cost_chart_spec(num_iterations: int) -> dict:
    """A line of cost against iteration, x fixed to the whole run so the curve grows left to right."""
    return {
        "mark": {"type": "line", "point": {"size": 14, "filled": True, "color": CLASS_COLOURS[1]},
                 "color": CLASS_COLOURS[1]},
        "encoding": {
            "x": {"field": "iteration", "type": "quantitative", "title": "iteration",
                  "scale": {"domain": [0, max(1, int(num_iterations))]}},
            "y": {"field": "cost", "type": "quantitative", "title": "cost J", "scale": {"zero": True}},
            "tooltip": [{"field": "iteration", "type": "quantitative"},
                        {"field": "cost", "type": "quantitative", "format": ".4f"}],
        },
        "height": 300,
    }


# ----- run history (plotly, static) ------------------------------------------------
def cost_overlay_figure(curves: Sequence[tuple[str, Sequence[int], Sequence[float]]]) -> go.Figure:
    """One line per (label, iterations, costs): e.g. the course's learning-rate comparison."""
    fig = go.Figure()
    for label, iterations, costs in curves:
        its, cs = finite_points(iterations, costs)
        fig.add_trace(go.Scatter(x=its, y=cs, mode="lines", name=label))
    fig.update_layout(xaxis_title="iteration", yaxis_title="cost J", height=360,
                      legend={"orientation": "h", "y": -0.25}, margin={"t": 30})
    return fig


# ----- 2-D toy data ------------------------------------------------------------------
def boundary_grid(X: np.ndarray, resolution: int = 80, pad: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres covering the data's box (plus a margin): xs (resolution,), ys (resolution,)."""
    lo, hi = X.min(axis=1), X.max(axis=1)
    margin = (hi - lo) * pad + 1e-9
    return (np.linspace(lo[0] - margin[0], hi[0] + margin[0], resolution),
            np.linspace(lo[1] - margin[1], hi[1] + margin[1], resolution))


def decision_boundary_data(X: np.ndarray, Y: np.ndarray, proba: Callable[[np.ndarray], np.ndarray],
                           resolution: int = 80) -> pd.DataFrame:
    """Rows for :func:`decision_boundary_spec`: grid cells with P(y=1), then the training points."""
    xs, ys = boundary_grid(X, resolution)
    gx, gy = np.meshgrid(xs, ys)
    p = np.nan_to_num(np.asarray(proba(np.vstack([gx.ravel(), gy.ravel()]))).ravel(), nan=0.5)
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    grid = pd.DataFrame({"layer": "grid", "x": gx.ravel() - dx, "x2": gx.ravel() + dx,
                         "y": gy.ravel() - dy, "y2": gy.ravel() + dy, "p": p, "label": ""})
    points = pd.DataFrame({"layer": "point", "x": X[0], "x2": X[0], "y": X[1], "y2": X[1],
                           "p": np.nan_to_num(Y.ravel().astype(float)), "label": Y.ravel().astype(int).astype(str)})
    return pd.concat([grid, points], ignore_index=True)


def decision_boundary_spec(classes: Sequence[str] = ("0", "1")) -> dict:
    """P(y=1) as a blue-orange field with the training points on top; 0.5 is the boundary."""
    return {
        "height": 380,
        "layer": [
            {"transform": [{"filter": "datum.layer == 'grid'"}],
             "mark": {"type": "rect", "opacity": 0.75},
             "encoding": {
                 "x": {"field": "x", "type": "quantitative", "title": "x1", "axis": {"grid": False}},
                 "x2": {"field": "x2"},
                 "y": {"field": "y", "type": "quantitative", "title": "x2", "axis": {"grid": False}},
                 "y2": {"field": "y2"},
                 "color": {"field": "p", "type": "quantitative", "title": "P(y=1)",
                           "scale": {"domain": [0, 1], "range": [
                               *(_tint(c) for c in class_colours(classes)[:1]), "#ffffff",
                               *(_tint(c) for c in class_colours(classes)[1:])]}},
             }},
            {"transform": [{"filter": "datum.layer == 'point'"}],
             "mark": {"type": "circle", "size": 22, "opacity": 0.9, "stroke": "black", "strokeWidth": 0.3},
             "encoding": {
                 "x": {"field": "x", "type": "quantitative"},
                 "y": {"field": "y", "type": "quantitative"},
                 "fill": {"field": "label", "type": "nominal", "title": "label",
                          "scale": {"domain": ["0", "1"], "range": list(class_colours(classes))},
                          "legend": {"labelExpr": f"datum.label == '1' ? '{classes[-1]}' : '{classes[0]}'"}},
             }},
        ],
        "resolve": {"scale": {"color": "independent"}},
    }


def _tint(hex_colour: str, amount: float = 0.55) -> str:
    """A paler version of a colour, for the probability field under the points."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def toy_scatter_figure(X: np.ndarray, Y: np.ndarray, classes: Sequence[str] = ("0", "1")) -> go.Figure:
    """The 2-D points coloured by label."""
    fig = go.Figure()
    labels = Y.ravel().astype(int)
    colours = class_colours(classes)
    for k in (0, 1):
        pts = X[:, labels == k]
        fig.add_trace(go.Scatter(x=pts[0], y=pts[1], mode="markers", name=f"{k}: {classes[k]}",
                                 marker={"color": colours[k], "size": 6, "line": {"width": 0.3}}))
    fig.update_layout(xaxis_title="x1", yaxis_title="x2", height=420, margin={"t": 30},
                      yaxis={"scaleanchor": "x"})
    return fig


# ----- the network ------------------------------------------------------------------
def network_figure(layer_dims: Sequence[int], hidden_activation: str = "relu", max_drawn: int = 8) -> go.Figure:
    """Circles per layer (at most ``max_drawn`` each, the rest as a "…+N" label) and the weights between."""
    L = len(layer_dims) - 1
    columns = []
    for l, n in enumerate(layer_dims):
        shown = n if n <= max_drawn else max_drawn - 1
        columns.append((np.linspace(-(shown - 1) / 2, (shown - 1) / 2, shown) if shown > 1 else np.zeros(1), n - shown))
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for l in range(L):
        for y0 in columns[l][0]:
            for y1 in columns[l + 1][0]:
                edge_x += [l, l + 1, None]
                edge_y += [y0, y1, None]
    fig = go.Figure(go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#bbbbbb", "width": 0.6},
                               hoverinfo="skip", showlegend=False))
    for l, (ys, hidden_more) in enumerate(columns):
        name = "input x" if l == 0 else "output: sigmoid" if l == L else f"layer {l}: {hidden_activation}"
        colour = "#7f7f7f" if l == 0 else CLASS_COLOURS[1] if l == L else CLASS_COLOURS[0]
        fig.add_trace(go.Scatter(x=[l] * len(ys), y=ys, mode="markers", name=name, showlegend=False,
                                 marker={"size": 18, "color": colour, "line": {"color": "white", "width": 1}},
                                 hovertemplate=f"{name}<br>{layer_dims[l]:,} units<extra></extra>"))
        label = f"<b>{name}</b><br>n[{l}] = {layer_dims[l]:,}"
        fig.add_annotation(x=l, y=max_drawn / 2 + 0.6, text=label, showarrow=False, font={"size": 11})
        if hidden_more:
            fig.add_annotation(x=l, y=ys.min() - 0.9, text=f"…+{hidden_more:,}", showarrow=False, font={"size": 12})
    fig.update_layout(height=360, margin={"t": 20, "b": 10, "l": 10, "r": 10}, plot_bgcolor="white",
                      xaxis={"visible": False, "range": [-0.5, L + 0.5]},
                      yaxis={"visible": False, "range": [-max_drawn / 2 - 1.3, max_drawn / 2 + 1.3]})
    return fig


def shape_table(layer_dims: Sequence[int], m: int) -> pd.DataFrame:
    """The course's shape table: W, b, Z, A of every layer for m examples."""
    rows = [{"layer": "0 (input)", "W": "", "b": "", "Z": "", "A": f"A0 = X {(layer_dims[0], m)}", "parameters": 0}]
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        rows.append({"layer": str(l), "W": f"W{l} {(n, n_prev)}", "b": f"b{l} {(n, 1)}", "Z": f"Z{l} {(n, m)}",
                     "A": f"A{l} {(n, m)}", "parameters": n * n_prev + n})
    return pd.DataFrame(rows)
