"""The live network graph (TensorFlow Playground style), as a vega-lite spec plus one table; no Streamlit.

Every drawn unit is a small picture of what it computes:
- 2-D data: the unit's activation over the input plane (the output unit's is the decision boundary);
- images: a layer-1 unit is its weights as a 64x64 picture; a deeper unit (and the output) is its
  activation on a fixed mosaic of example images, the mosaic the input node shows.
Edges are coloured by the weight's sign and as thick as |w|.  Hovering a unit enlarges it beside the
graph with its numbers.

Pictures are rects coloured on the server (a hex colour per cell), not images: vega updates them in
place when only the data changes, so the graph redraws without flicker and without loading images.
The spec depends only on the layout (``GraphLayout``), so it stays the same while a run trains.

    probe = image_probe(ds.test_x_orig[:9])           # or plane_probe(ds.X_train)
    layout = graph_layout(cfg.layer_dims, probe)
    st.vega_lite_chart(graph_data(run.parameters, cfg.hidden_activation, probe, layout), graph_spec(layout))
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

import dnn
from ui import theme

# Playground's convention on a colour-blind-safe pair: orange below zero, blue above, white at zero.
NEGATIVE, POSITIVE, NEUTRAL = (230, 97, 0), (0, 114, 178), (255, 255, 255)
EDGE_GREY = "#9a9a9a"
NODE = 0.72            # a node's side, in row heights
GAP = 1.45             # columns apart, in row heights: room for the layer names above them
TOP = 0.8              # the band above the nodes that holds the layer names (two lines)
MAX_EDGE_WIDTH = 4.0   # px
DETAIL = 2.2           # the enlarged unit's side, in column widths
WEIGHT_SIDE = 10      # layer-1 weight pictures pooled to 10x10 cells: every cell is an SVG rect the browser redraws
THUMB_SIDE = 5         # each example image in the input mosaic, in cells


def _palette() -> np.ndarray:
    """255 hex colours from NEGATIVE (index 0) through white (127, exactly 0) to POSITIVE (254)."""
    t = np.linspace(-1, 1, 255)[:, None]
    neg, pos, mid = (np.array(c, dtype=float) for c in (NEGATIVE, POSITIVE, NEUTRAL))
    rgb = np.where(t < 0, mid + (neg - mid) * -t, mid + (pos - mid) * t).round().astype(int)
    return np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb])


PALETTE = _palette()


def diverging_colours(values: np.ndarray, scale: float) -> np.ndarray:
    """Hex colours for values in [-scale, scale] (clipped): orange < 0 < blue; NaN is white."""
    scale = scale if scale > 0 and math.isfinite(scale) else 1.0
    t = np.nan_to_num(np.asarray(values, dtype=float) / scale, nan=0.0, posinf=1.0, neginf=-1.0)
    return PALETTE[np.clip(np.round((t + 1) * 127), 0, 254).astype(int)]


def rgb_hex(pixels: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 -> (...) hex strings."""
    p = np.asarray(pixels, dtype=np.int64)
    packed = (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]
    return np.char.add("#", np.char.zfill(np.char.mod("%x", packed), 6))


# ----- what the units are shown on -------------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    """The inputs every unit's picture is computed on.

    kind "plane": X (2, side*side) is a grid over the data's box, each picture side x side cells.
    kind "images": X (n_x, k) are k example images laid out as a rows x cols mosaic; ``thumbs``
    (k, THUMB_SIDE, THUMB_SIDE, 3) uint8 draw the input node; ``num_px`` is the images' side.
    """

    kind: str
    X: np.ndarray
    shape: tuple[int, int]
    thumbs: np.ndarray | None = None
    num_px: int = 0
    extent: tuple[float, float, float, float] = (0.0, 1.0, 0.0, 1.0)


def plane_probe(X: np.ndarray, side: int = 14, pad: float = 0.1) -> Probe:
    """A side x side grid over the 2-D data X (2, m) plus a margin; row 0 is the top (largest x2)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2 or X.shape[1] < 1:
        raise ValueError(f"plane_probe needs 2-D points X of shape (2, m), got {X.shape}.")
    lo, hi = X.min(axis=1), X.max(axis=1)
    margin = (hi - lo) * pad + 1e-9
    xs = np.linspace(lo[0] - margin[0], hi[0] + margin[0], side)
    ys = np.linspace(hi[1] + margin[1], lo[1] - margin[1], side)
    gx, gy = np.meshgrid(xs, ys)
    return Probe("plane", np.vstack([gx.ravel(), gy.ravel()]), (side, side),
                 extent=(xs[0], xs[-1], ys[-1], ys[0]))


def image_probe(images: np.ndarray) -> Probe:
    """k example images (k, px, px, 3) uint8 as a near-square mosaic; X is the course's flattening."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.shape[0] < 1:
        raise ValueError(f"image_probe needs images of shape (k, px, px, 3), got {images.shape}.")
    k, px = images.shape[0], images.shape[1]
    cols = math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    return Probe("images", dnn.flatten_images(images), (rows, cols), _pool(images, THUMB_SIDE).astype(np.uint8),
                 num_px=px)


def example_strip(Y: np.ndarray, k: int = 9) -> np.ndarray:
    """Indices of k examples alternating between the classes (first ones of each), for a fixed mosaic."""
    labels = np.asarray(Y).ravel()
    by_class = [np.flatnonzero(labels == c) for c in (1, 0)]
    order = [i for pair in zip(*by_class, strict=False) for i in pair]
    order += [i for i in range(labels.size) if i not in set(order)]
    return np.array(order[:k], dtype=int)


def _pool(images: np.ndarray, side: int) -> np.ndarray:
    """(k, px, px, c) -> (k, side, side, c) by averaging blocks (cropping px to a multiple of side)."""
    k, px = images.shape[0], images.shape[1]
    if px < side:
        reps = math.ceil(side / px)
        images = images.repeat(reps, axis=1).repeat(reps, axis=2)
        px = images.shape[1]
    block = px // side
    cut = images[:, :block * side, :block * side].astype(float)
    return cut.reshape(k, side, block, side, block, -1).mean(axis=(2, 4))


# ----- layout ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GraphLayout:
    """Which units are drawn and where: column l holds ``shown[l]`` units of ``layer_dims[l]``."""

    layer_dims: tuple[int, ...]
    shown: tuple[int, ...]
    rows: int
    probe_kind: str
    px_per_unit: int


def graph_layout(layer_dims: Sequence[int], probe: Probe, max_units: int = 6, px_per_unit: int = 78) -> GraphLayout:
    """At most ``max_units`` nodes per hidden layer (the first ones); one input node for images, two for 2-D."""
    dims = tuple(int(n) for n in layer_dims)
    if len(dims) < 2:
        raise ValueError("layer_dims needs at least an input size and an output size.")
    first = 1 if probe.kind == "images" else min(dims[0], max_units)
    shown = (first, *(min(n, max_units) for n in dims[1:]))
    return GraphLayout(dims, shown, max(shown), probe.kind, px_per_unit)


def _centre(layout: GraphLayout, l: int, k: int) -> tuple[float, float]:
    """Node k of column l: columns GAP apart, rows 1 apart, each column centred vertically."""
    return GAP * l, (layout.rows - layout.shown[l]) / 2 + k + 0.5


# ----- what each unit computes ------------------------------------------------------------------
def _activations(parameters: Mapping[str, np.ndarray], act: str, X: np.ndarray) -> list[np.ndarray]:
    """A0 = X, A1 .. AL on the probe's inputs."""
    AL, caches = dnn.L_model_forward(X, dict(parameters), act)
    return [c.linear_cache.A_prev for c in caches] + [AL]


def _scale(values: np.ndarray) -> float:
    finite = np.abs(values[np.isfinite(values)])
    # All-zero weights (init=zeros) have no scale: 1 keeps the drawing's divisions finite.
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def unit_pictures(parameters: Mapping[str, np.ndarray], hidden_activation: str, probe: Probe,
                  layout: GraphLayout) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Per column, per drawn unit: (values (h, w), hex colours (h, w)).

    Hidden units share one colour scale per layer (so they compare); the output is P - 0.5.
    """
    As = _activations(parameters, hidden_activation, probe.X)
    L = len(layout.layer_dims) - 1
    columns = [_input_pictures(probe, layout)]
    for l in range(1, L + 1):
        n = layout.shown[l]
        if l == 1 and probe.kind == "images":
            W = parameters["W1"][:n].reshape(n, probe.num_px, probe.num_px, 3).mean(axis=-1)
            grids = _pool(W[..., None], min(WEIGHT_SIDE, probe.num_px))[..., 0]
        else:
            grids = _mosaic(As[l][:n], probe.shape)
        if l == L:
            columns.append([(g, diverging_colours(g - 0.5, 0.5)) for g in grids])
        else:
            scale = _scale(grids)
            columns.append([(g, diverging_colours(g, scale)) for g in grids])
    return columns


def _mosaic(A: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(n, k) values -> (n, rows, cols), NaN where the mosaic has more cells than examples."""
    rows, cols = shape
    out = np.full((A.shape[0], rows * cols), np.nan)
    out[:, :A.shape[1]] = A
    return out.reshape(A.shape[0], rows, cols)


def _input_pictures(probe: Probe, layout: GraphLayout) -> list[tuple[np.ndarray, np.ndarray]]:
    if probe.kind == "plane":
        pics = []
        for i in range(layout.shown[0]):
            g = probe.X[i].reshape(probe.shape)
            pics.append((g, diverging_colours(g, _scale(g))))
        return pics
    rows, cols = probe.shape
    assert probe.thumbs is not None, "an image probe carries its thumbnails"
    k, t = probe.thumbs.shape[0], THUMB_SIDE
    canvas = np.full((rows * t, cols * t, 3), 255, dtype=np.uint8)
    for i in range(k):
        r, c = divmod(i, cols)
        canvas[r * t:(r + 1) * t, c * t:(c + 1) * t] = probe.thumbs[i]
    return [(canvas.mean(axis=-1), rgb_hex(canvas))]


# ----- the table ------------------------------------------------------------------------------------
def _node_name(layout: GraphLayout, l: int, k: int) -> str:
    L = len(layout.layer_dims) - 1
    if l == 0:
        return "input: the example images" if layout.probe_kind == "images" else f"input x{k + 1}"
    return "output: P(y=1)" if l == L else f"layer {l}, unit {k + 1}"


def _info(layout: GraphLayout, params: Mapping[str, np.ndarray], l: int, k: int, values: np.ndarray,
          hidden_activation: str) -> str:
    finite = values[np.isfinite(values)]
    if l == 0:
        return ("the mosaic every unit below is drawn on" if layout.probe_kind == "images"
                else f"x{k + 1} over the plane")
    b = float(params[f"b{l}"][k, 0])
    w = params[f"W{l}"][k]
    shown = "weights as a picture" if (l == 1 and layout.probe_kind == "images") else "activation"
    text = (f"b = {b:.3g}; |w| = {np.linalg.norm(w):.3g}; {shown} from {finite.min():.3g} "
            f"to {finite.max():.3g}" if finite.size else f"b = {b:.3g}")
    if l < len(layout.layer_dims) - 1 and hidden_activation == "relu" and shown == "activation" \
            and finite.size and np.all(finite <= 0):
        text += " (dead on these inputs)"
    return text


def graph_data(parameters: Mapping[str, np.ndarray], hidden_activation: str, probe: Probe,
               layout: GraphLayout) -> dict[str, pd.DataFrame]:
    """The named tables :func:`graph_spec` draws, each sent to the browser as its own Arrow table.

    cells: node, x, y (its node's centre), u, v, du, dv (its place inside the node, 0..1), fill;
    frames: node, x, y, title, info (one per node, what hovering shows); edges: x, y, x2, y2, fill,
    width, info; labels: x, y, title.  Never NaN in a position or colour.
    """
    pictures = unit_pictures(parameters, hidden_activation, probe, layout)
    return {"cells": _compact(pd.DataFrame(_cells(layout, pictures))),
            "frames": pd.DataFrame(_frames(layout, pictures, parameters, hidden_activation)),
            "edges": _compact(pd.DataFrame(_edges(layout, parameters))),
            "labels": pd.DataFrame(_labels(layout))}


def _compact(df: pd.DataFrame) -> pd.DataFrame:
    """float32 numbers and dictionary-encoded strings: the cells table is most of what a redraw sends."""
    for name in df.columns:
        if df[name].dtype == np.float64:
            df[name] = df[name].astype(np.float32)
        elif name in ("node", "fill"):
            df[name] = df[name].astype("category")
    return df


def _cells(layout: GraphLayout, pictures: list) -> dict:
    cols: dict[str, list] = {k: [] for k in ("node", "x", "y", "u", "v", "du", "dv", "fill")}
    for l, column in enumerate(pictures):
        for k, (values, colours) in enumerate(column):
            h, w = values.shape
            cx, cy = _centre(layout, l, k)
            vv, uu = np.meshgrid(np.arange(h) / h, np.arange(w) / w, indexing="ij")
            cols["node"].append(np.full(h * w, f"{l}:{k}"))
            cols["x"].append(np.full(h * w, cx))
            cols["y"].append(np.full(h * w, cy))
            cols["u"].append(uu.ravel())
            cols["v"].append(vv.ravel())
            cols["du"].append(np.full(h * w, 1 / w))
            cols["dv"].append(np.full(h * w, 1 / h))
            cols["fill"].append(colours.ravel())
    return {k: np.concatenate(v) for k, v in cols.items()}


def _frames(layout: GraphLayout, pictures: list, params: Mapping[str, np.ndarray], act: str) -> dict:
    rows = []
    for l, column in enumerate(pictures):
        for k, (values, _) in enumerate(column):
            cx, cy = _centre(layout, l, k)
            rows.append({"node": f"{l}:{k}", "x": cx, "y": cy,
                         "title": _node_name(layout, l, k), "info": _info(layout, params, l, k, values, act)})
    return {key: [r[key] for r in rows] for key in rows[0]}


def _edges(layout: GraphLayout, params: Mapping[str, np.ndarray]) -> dict:
    cols: dict[str, list] = {k: [] for k in ("x", "y", "x2", "y2", "fill", "width", "info")}
    half = NODE / 2
    for l in range(1, len(layout.layer_dims)):
        W = params[f"W{l}"]
        image_input = l == 1 and layout.probe_kind == "images"
        sources = 1 if image_input else layout.shown[l - 1]
        w = (np.linalg.norm(W[:layout.shown[l]], axis=1, keepdims=True) if image_input
             else W[:layout.shown[l], :sources])
        scale = _scale(w)
        for j in range(layout.shown[l]):
            for i in range(sources):
                x0, y0 = _centre(layout, l - 1, i)
                x1, y1 = _centre(layout, l, j)
                value = float(w[j, i])
                cols["x"].append(x0 + half)
                cols["y"].append(y0)
                cols["x2"].append(x1 - half)
                cols["y2"].append(y1)
                cols["fill"].append(EDGE_GREY if image_input else
                                    (_hex(POSITIVE) if value >= 0 else _hex(NEGATIVE)))
                cols["width"].append(0.4 + (MAX_EDGE_WIDTH - 0.4) * min(1.0, abs(value) / scale)
                                     if math.isfinite(value) else 0.4)
                cols["info"].append(f"|W1[{j + 1}, :]| = {value:.3g}" if image_input
                                    else f"W{l}[{j + 1}, {i + 1}] = {value:.3g}")
    return cols


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _labels(layout: GraphLayout) -> dict:
    L = len(layout.layer_dims) - 1
    rows = []
    for l, n in enumerate(layout.layer_dims):
        head = ("input" if l == 0 else "output" if l == L else f"layer {l}") + f"\n{n:,}"
        rows.append({"x": GAP * l, "y": -TOP / 2 - 0.05, "title": head})
        more = n - layout.shown[l] if not (l == 0 and layout.probe_kind == "images") else 0
        if more > 0:
            rows.append({"x": GAP * l, "y": layout.rows + 0.15, "title": f"+{more:,} more"})
    return {key: [r[key] for r in rows] for key in rows[0]}


# ----- the spec -----------------------------------------------------------------------------------
def graph_size(layout: GraphLayout) -> tuple[int, int]:
    """(width, height) in px: one unit of x and of y is the same number of px, so pictures stay square."""
    px = layout.px_per_unit
    return int(round(graph_columns(layout.layer_dims) * px)), int(round((layout.rows + TOP + 0.2) * px))


def graph_columns(layer_dims: Sequence[int]) -> float:
    """The graph's width in row heights: its columns, the enlarged unit and margins."""
    return GAP * (len(layer_dims) - 1) + 1 + DETAIL + 0.3


def label_font_size(layout: GraphLayout, largest: int = 15) -> int:
    """The largest font (px, at most ``largest``) whose "layer 1" fits between two columns."""
    return int(max(9, min(largest, GAP * layout.px_per_unit / 5.2)))


HINT = "Point at a unit\nor tap it\nto enlarge it here"


def describe_graph(layout: GraphLayout) -> str:
    """The graph's accessible name and description: what is drawn, and how to enlarge a unit."""
    dims = list(layout.layer_dims)
    cut = [f"{shown} of {n}" for shown, n in zip(layout.shown[1:], dims[1:], strict=True) if shown < n]
    drawn = f" ({', '.join(cut)} units drawn)" if cut else ""
    return (f"Network graph of layer_dims {dims}{drawn}: the input, then each layer's units, each a small "
            "picture of what it computes; lines are the weights, blue "
            "positive, orange negative, thicker for larger. Point at or tap a unit to enlarge it with its "
            "numbers.")


def graph_spec(layout: GraphLayout, datasets: Mapping[str, pd.DataFrame] | None = None,
               font_size: int | None = None, dark: bool = False, description: str | None = None,
               selected: str | None = None) -> dict:
    """The vega-lite spec drawing :func:`graph_data`'s tables (passed as ``datasets``).

    Apart from the datasets it depends only on the layout, never on the weights, so a chart
    keeps its identity (and its hovered unit) while the run trains.  A unit is enlarged by pointing at it,
    tapping it (phones), or by ``selected`` (a node name from the tables, e.g. chosen with the keyboard).
    """
    ink, hint_ink = ("#ffffff", "#b0b0b0") if dark else ("#000000", "#595959")
    width, height = graph_size(layout)
    font_size = label_font_size(layout) if font_size is None else font_size
    right = GAP * (len(layout.layer_dims) - 1) + 0.5
    x_dom, y_dom = [-0.5, right + 0.3 + DETAIL], [-TOP, layout.rows + 0.2]
    x = {"field": "x", "type": "quantitative", "scale": {"domain": x_dom, "nice": False, "zero": False}, "axis": None}
    y = {"field": "y", "type": "quantitative", "scale": {"domain": y_dom, "nice": False, "zero": False,
                                                          "reverse": True}, "axis": None}
    qx, qy = {**x, "field": "px"}, {**y, "field": "py"}
    qx2, qy2 = {"field": "px2"}, {"field": "py2"}
    dx0, dy0 = right + 0.2, 0.35  # the enlarged unit's top-left corner
    fill = {"field": "fill", "type": "nominal", "scale": None, "legend": None}
    cell_pos = [{"calculate": f"datum.x - {NODE / 2} + datum.u * {NODE}", "as": "px"},
                {"calculate": f"datum.x - {NODE / 2} + (datum.u + datum.du) * {NODE}", "as": "px2"},
                {"calculate": f"datum.y - {NODE / 2} + datum.v * {NODE}", "as": "py"},
                {"calculate": f"datum.y - {NODE / 2} + (datum.v + datum.dv) * {NODE}", "as": "py2"}]
    big_pos = [{"calculate": f"{dx0} + datum.u * {DETAIL}", "as": "px"},
               {"calculate": f"{dx0} + (datum.u + datum.du) * {DETAIL}", "as": "px2"},
               {"calculate": f"{dy0} + datum.v * {DETAIL}", "as": "py"},
               {"calculate": f"{dy0} + (datum.v + datum.dv) * {DETAIL}", "as": "py2"}]
    frame_pos = [{"calculate": f"datum.x - {NODE / 2}", "as": "px"},
                 {"calculate": f"datum.x + {NODE / 2}", "as": "px2"},
                 {"calculate": f"datum.y - {NODE / 2}", "as": "py"},
                 {"calculate": f"datum.y + {NODE / 2}", "as": "py2"}]
    # pointerdown as well as pointerover: a tap enlarges a unit on a touch screen.
    hover = {"name": "unit", "select": {"type": "point", "on": "pointerover, pointerdown", "fields": ["node"],
                                        "clear": "dblclick", "nearest": False},
             **({"value": [{"node": selected}]} if selected else {})}
    cells, frames = {"name": "cells"}, {"name": "frames"}
    return theme.quiet_marks({
        "width": width, "height": height,
        **({"datasets": dict(datasets)} if datasets is not None else {}),
        **({"description": description} if description else {}),
        # The units are hidden from screen readers (hundreds of rects); the description speaks for them.
        "config": {"view": {"stroke": None}, "text": {"fontSize": font_size}, "aria": False},
        "layer": [
            {"data": {"name": "edges"},
             "mark": {"type": "rule", "opacity": 0.85, "strokeCap": "round"},
             "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                          "color": fill, "strokeWidth": {"field": "width", "type": "quantitative", "scale": None,
                                                         "legend": None},
                          "tooltip": [{"field": "info", "title": "weight"}]}},
            {"data": cells, "transform": cell_pos,
             "mark": {"type": "rect", "strokeWidth": 0},
             "encoding": {"x": qx, "x2": qx2, "y": qy, "y2": qy2, "color": fill}},
            {"data": frames, "transform": frame_pos, "params": [hover],
             "mark": {"type": "rect", "fill": "#ffffff", "fillOpacity": 0.01, "cursor": "pointer"},
             "encoding": {"x": qx, "x2": qx2, "y": qy, "y2": qy2,
                          "stroke": {"condition": {"param": "unit", "empty": False, "value": ink},
                                     "value": "#555555"},
                          "strokeWidth": {"condition": {"param": "unit", "empty": False, "value": 3}, "value": 0.8},
                          "tooltip": [{"field": "title", "title": "unit"}, {"field": "info", "title": "numbers"}]}},
            {"data": {"name": "labels"},
             "mark": {"type": "text", "fontWeight": "bold", "baseline": "middle", "lineBreak": "\n"},
             "encoding": {"x": x, "y": y, "text": {"field": "title"}}},
            {"data": cells, "transform": [{"filter": {"param": "unit", "empty": False}}, *big_pos],
             "mark": {"type": "rect", "strokeWidth": 0},
             "encoding": {"x": qx, "x2": qx2, "y": qy, "y2": qy2, "color": fill}},
            {"data": frames, "transform": [{"filter": {"param": "unit", "empty": False}},
                           {"calculate": f"{dx0}", "as": "px"}, {"calculate": f"{dy0 - 0.12}", "as": "py"}],
             "mark": {"type": "text", "align": "left", "baseline": "bottom", "fontWeight": "bold",
                      "limit": DETAIL * layout.px_per_unit},
             "encoding": {"x": qx, "y": qy, "text": {"field": "title"}}},
            {"data": frames, "transform": [{"filter": {"param": "unit", "empty": False}},
                           {"calculate": f"{dx0}", "as": "px"}, {"calculate": f"{dy0 + DETAIL + 0.1}", "as": "py"}],
             "mark": {"type": "text", "align": "left", "baseline": "top", "lineBreak": "; ",
                      "limit": DETAIL * layout.px_per_unit},
             "encoding": {"x": qx, "y": qy, "text": {"field": "info"}}},
            {"data": {"values": [{"hint": HINT}]},
             "transform": [{"calculate": f"{dx0}", "as": "px"}, {"calculate": f"{dy0 + DETAIL / 2}", "as": "py"}],
             "mark": {"type": "text", "align": "left", "color": hint_ink, "fontStyle": "italic", "lineBreak": "\n",
                      "baseline": "middle"},
             "encoding": {"x": qx, "y": qy, "text": {"field": "hint"},
                          "opacity": {"condition": {"test": "length(data('unit_store')) > 0", "value": 0},
                                      "value": 1}}},
        ],
    })


# ----- pace -------------------------------------------------------------------------------------
GRAPH_SHARE = 0.15  # the graph may take this share of a training session's server time


def redraw_due(seconds_since_last: float, last_cost_seconds: float, share: float = GRAPH_SHARE) -> bool:
    """Redraw the graph now?  Only as often as keeps its cost under ``share`` of the time.

    A graph that took 80 ms to build is redrawn at most every 0.45 s at share 0.15, so a run
    with the graph finishes within 1 / (1 - share) = 1.18x of its time without it.
    """
    if last_cost_seconds <= 0:
        return True
    return seconds_since_last >= last_cost_seconds * (1 - share) / share
