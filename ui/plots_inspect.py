"""Figures and small computations for the Inspect, Results and Your photo pages (no Streamlit).

Everything sent to the browser is kept small: histograms are computed here
(``np.histogram`` -> bars), big matrices are block-averaged and sent as float32.
"""
from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

CLASS_COLOURS = ("#1f77b4", "#e07a1f")  # label 0, label 1 (as on the Train page)
COLUMN_COLOURS = ("#1f77b4", "#e07a1f", "#2ca02c")
GRADCHECK_GREAT, GRADCHECK_OK = 1e-7, 1e-5
MAX_BARS = 200  # a layer wider than this is drawn as a block-averaged strip


# ----- numbers -----------------------------------------------------------------------
def downsample(M: np.ndarray, max_rows: int = 64, max_cols: int = 256) -> np.ndarray:
    """Block means so the result is at most (max_rows, max_cols), as float32."""
    M = np.asarray(M, dtype=np.float64)
    if M.ndim == 1:
        M = M[:, None]
    rows, cols = M.shape
    fr, fc = math.ceil(rows / max_rows), math.ceil(cols / max_cols)
    if fr > 1 or fc > 1:
        padded = np.full((math.ceil(rows / fr) * fr, math.ceil(cols / fc) * fc), np.nan)
        padded[:rows, :cols] = M
        M = np.nanmean(padded.reshape(padded.shape[0] // fr, fr, padded.shape[1] // fc, fc), axis=(1, 3))
    return M.astype(np.float32)


def histogram(values: np.ndarray, bins: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(bin centres, counts) of the finite values; one bin around the value if they are all equal."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return (edges[:-1] + edges[1:]) / 2, counts


def dead_fraction(Z: np.ndarray) -> float:
    """Share of units (rows of Z) that are <= 0 for every example (column): dead ReLUs."""
    Z = np.asarray(Z)
    return float(np.mean(np.all(Z <= 0, axis=1))) if Z.size else 0.0


def gradcheck_verdict(error: float) -> str:
    if not math.isfinite(error):
        return "❌ suspicious (not finite)"
    if error < GRADCHECK_GREAT:
        return "✅ great (< 1e-7)"
    if error < GRADCHECK_OK:
        return "🆗 ok (< 1e-5, ReLU kinks)"
    return "❌ suspicious (≥ 1e-5): backprop may be wrong"


def gradcheck_table(errors: Mapping[int, float]) -> pd.DataFrame:
    """One row per layer: its relative error and a verdict."""
    return pd.DataFrame({
        "layer": [int(l) for l in errors],
        "relative error": [float(e) for e in errors.values()],
        "verdict": [gradcheck_verdict(float(e)) for e in errors.values()],
    })


def weight_tiles(W1: np.ndarray, num_px: int, max_units: int = 50) -> list[np.ndarray]:
    """W1's rows as (num_px, num_px, 3) uint8 pictures, each min-max stretched to 0..255."""
    tiles = []
    for row in np.asarray(W1, dtype=np.float64)[:max_units]:
        lo, hi = row.min(), row.max()
        scaled = (row - lo) / (hi - lo) if hi > lo else np.full_like(row, 0.5)
        tiles.append(np.round(scaled * 255).astype(np.uint8).reshape(num_px, num_px, 3))
    return tiles


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """2x2 counts: rows are true labels 0/1, columns predicted labels 0/1."""
    t = np.asarray(y_true).ravel().astype(int)
    p = np.asarray(y_pred).ravel().astype(int)
    counts = np.zeros((2, 2), dtype=np.int64)
    np.add.at(counts, (t, p), 1)
    return counts


def mislabeled_order(probs: np.ndarray, y_true: np.ndarray) -> list[int]:
    """Indices of the wrong predictions, most confident mistake (largest |p - 0.5|) first."""
    p, y = np.asarray(probs).ravel(), np.asarray(y_true).ravel()
    wrong = np.flatnonzero((p > 0.5) != (y > 0.5))
    return [int(i) for i in wrong[np.argsort(-np.abs(p[wrong] - 0.5), kind="stable")]]


def saliency(dA0: np.ndarray, num_px: int, percentile: float = 99.0) -> np.ndarray:
    """|dA0| as a (num_px, num_px) map in [0, 1]: the largest colour channel per pixel.

    Scaled by a high percentile rather than the maximum, so a few extreme pixels do not
    leave the rest of the map black.
    """
    s = np.abs(np.asarray(dA0, dtype=np.float64)).reshape(num_px, num_px, 3).max(axis=2)
    top = float(np.percentile(s, percentile))
    top = top if top > 0 else float(s.max())
    return np.clip(s / top, 0, 1) if top > 0 else s


def overlay(image: np.ndarray, heat: np.ndarray, strength: float = 0.6) -> np.ndarray:
    """The picture darkened, with the heat map in red-yellow on top, as uint8 RGB."""
    img = np.asarray(image, dtype=np.float64) / 255.0
    h = np.clip(heat, 0, 1)[..., None]
    colour = np.concatenate([np.ones_like(h), h, np.zeros_like(h)], axis=2)  # red -> yellow
    alpha = strength * h
    out = (1 - alpha) * (0.55 * img) + alpha * colour
    return np.round(np.clip(out, 0, 1) * 255).astype(np.uint8)


# ----- figures -------------------------------------------------------------------------
def _unit_trace(values: np.ndarray, name: str, colour: str) -> go.BaseTraceType:
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size > MAX_BARS:
        strip = downsample(v[None, :], 1, MAX_BARS)
        return go.Heatmap(z=strip, colorscale="RdBu", zmid=0, showscale=False, name=name)
    return go.Bar(x=np.arange(1, v.size + 1), y=v.astype(np.float32), name=name, marker_color=colour,
                  showlegend=False, hovertemplate="unit %{x}: %{y:.4g}<extra></extra>")


def forward_pass_figure(Zs: Sequence[np.ndarray], As: Sequence[np.ndarray], height: int = 380,
                        ranges: Sequence[tuple[tuple[float, float], tuple[float, float]]] | None = None) -> go.Figure:
    """One example's Z (top row) and A (bottom row) for every layer l = 1..L as bars per unit.

    ``ranges`` fixes each layer's (Z, A) y-range (e.g. over the whole training set), so the axes stay
    put while you step through examples and heights compare.
    """
    L = len(As)
    fig = make_subplots(rows=2, cols=L, subplot_titles=[f"Z[{l}]" for l in range(1, L + 1)]
                        + [f"A[{l}]" for l in range(1, L + 1)], vertical_spacing=0.22)
    for l in range(L):
        fig.add_trace(_unit_trace(Zs[l], f"Z{l + 1}", CLASS_COLOURS[0]), row=1, col=l + 1)
        fig.add_trace(_unit_trace(As[l], f"A{l + 1}", CLASS_COLOURS[1]), row=2, col=l + 1)
        fig.update_xaxes(title_text="unit", title_standoff=2, row=2, col=l + 1)
        for row in (1, 2):
            if ranges is not None:
                lo, hi = ranges[l][row - 1]
                pad = 0.05 * (hi - lo) or 0.5
                fig.update_yaxes(range=[lo - pad, hi + pad], row=row, col=l + 1)
    fig.update_yaxes(title_text="Z = W·A_prev + b", row=1, col=1)
    fig.update_yaxes(title_text="A = g(Z)", row=2, col=1)
    fig.update_layout(height=height, margin={"t": 40, "b": 30, "l": 50, "r": 20}, showlegend=False)
    return fig


Range = tuple[float, float]


def layer_ranges(Zs: Sequence[np.ndarray], As: Sequence[np.ndarray]) -> list[tuple[Range, Range]]:
    """Per layer ((Z min, Z max), (A min, A max)) over a batch, 0 always included: the fixed axes above."""
    def span(M: np.ndarray) -> tuple[float, float]:
        v = np.asarray(M, dtype=np.float64)
        v = v[np.isfinite(v)]
        return (min(0.0, float(v.min())), max(0.0, float(v.max()))) if v.size else (0.0, 1.0)
    return [(span(Z), span(A)) for Z, A in zip(Zs, As, strict=True)]


def batch_heatmap_figure(As: Sequence[np.ndarray], height: int = 300) -> go.Figure:
    """Every layer's activations over the batch: units down, examples across, on one colour scale.

    Big matrices are block-averaged; the x axis still counts examples (block centres), so it reads
    0..m-1 whatever the downsampling, and the colour bar says what a colour means.
    """
    L = len(As)
    fig = make_subplots(rows=1, cols=L, subplot_titles=[f"A[{l}] ({a.shape[0]} units)"
                                                        for l, a in enumerate(As, start=1)])
    top = max((float(np.nanmax(a)) for a in As if np.size(a)), default=1.0)
    for l, A in enumerate(As, start=1):
        small = downsample(A)
        block = A.shape[1] / small.shape[1]
        x = (np.arange(small.shape[1]) + 0.5) * block - 0.5
        y = (np.arange(small.shape[0]) + 0.5) * (A.shape[0] / small.shape[0]) + 0.5
        fig.add_trace(go.Heatmap(z=small, x=x.astype(np.float32), y=y.astype(np.float32), coloraxis="coloraxis",
                                 hovertemplate="example %{x:.0f}, unit %{y:.0f}: %{z:.3g}<extra></extra>"),
                      row=1, col=l)
        fig.update_xaxes(title_text="example", range=[-0.5, A.shape[1] - 0.5], row=1, col=l)
    fig.update_yaxes(title_text="unit", row=1, col=1)
    fig.update_layout(height=height, margin={"t": 40, "b": 30, "l": 50, "r": 20},
                      coloraxis={"colorscale": "Viridis", "cmin": 0 if top > 0 else None,
                                 "colorbar": {"title": {"text": "A"}, "thickness": 12}})
    return fig


def histograms_figure(rows: Sequence[Mapping[str, np.ndarray]], bins: int = 40,
                      height_per_row: int = 200) -> go.Figure:
    """A grid of server-side histograms: one row per layer, one column per named array (its title)."""
    names = list(rows[0]) if rows else []
    height = max(220, height_per_row * len(rows))
    fig = make_subplots(rows=max(1, len(rows)), cols=max(1, len(names)), subplot_titles=[n for r in rows for n in r],
                        vertical_spacing=min(0.3, 75 / height) if len(rows) > 1 else 0.1)
    for i, row in enumerate(rows, start=1):
        for j, (name, values) in enumerate(row.items(), start=1):
            centres, counts = histogram(values, bins)
            fig.add_trace(go.Bar(x=centres.astype(np.float32), y=counts, name=name, showlegend=False,
                                 marker_color=COLUMN_COLOURS[(j - 1) % len(COLUMN_COLOURS)],
                                 hovertemplate="%{x:.3g}: %{y}<extra></extra>"), row=i, col=j)
    fig.update_xaxes(title_text="value", title_standoff=2, row=max(1, len(rows)))
    fig.update_yaxes(title_text="count", title_standoff=2, col=1)
    fig.update_layout(height=height, bargap=0.05,
                      margin={"t": 40, "b": 30, "l": 50, "r": 20})
    return fig


# One colour per layer, first to last, from dark to pale, so the layers do not look alike (and dW vs db by dash).
LAYER_COLOURS = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#8F6A00", "#5E3C99", "#56B4E9", "#E69F00")


def _layer_of(key: str) -> int:
    digits = "".join(ch for ch in key if ch.isdigit())
    return int(digits) if digits else 0


def _last_finite(values: Sequence[float]) -> float | None:
    for v in reversed(list(values)):
        if v is not None and math.isfinite(v) and v > 0:
            return float(v)
    return None


def norm_ratio(grad_norms: Mapping[str, Sequence[float]]) -> float | None:
    """||dW1|| / ||dWL|| at the last recorded iteration: far below 1 means the first layer barely learns
    (vanishing gradients); None when either is missing."""
    layers = sorted(_layer_of(k) for k in grad_norms if k.startswith("dW"))
    if len(layers) < 2:
        return None
    first, last = _last_finite(grad_norms[f"dW{layers[0]}"]), _last_finite(grad_norms[f"dW{layers[-1]}"])
    return None if first is None or last is None else first / last


def describe_grad_norms(grad_norms: Mapping[str, Sequence[float]]) -> str:
    """The gradient-norm chart in words (its accessible name): the layers, and the first-to-last ratio."""
    layers = sorted({_layer_of(k) for k in grad_norms if k.startswith("dW")})
    ratio = norm_ratio(grad_norms)
    text = f"Gradient norms of dW and db for layers {', '.join(map(str, layers))} over the iterations, log scale."
    if ratio is not None:
        text += f" At the last iteration ||dW1|| is {ratio:.2g} times ||dW{layers[-1]}||"
        text += " (vanishing gradients in the first layer)." if ratio < 0.01 else "."
    return text


def grad_norms_figure(iterations: Sequence[int], grad_norms: Mapping[str, Sequence[float]],
                      reference: tuple[Sequence[int], Mapping[str, Sequence[float]]] | None = None,
                      reference_name: str = "1/√n init") -> go.Figure:
    """||dW[l]|| and ||db[l]|| against iteration on a log scale: vanishing gradients sit far below.  A colour
    per layer; the title gives the first-to-last layer ratio.  ``reference`` (iterations, norms) of the same
    net trained another way (e.g. 1/√n initialisation) is drawn as thin dashed ||dW|| lines in the same colours."""
    fig = go.Figure()
    if reference is not None:
        ref_its, ref_norms = reference
        for key, norms in ref_norms.items():
            if not key.startswith("dW"):
                continue
            pts = [(i, n) for i, n in zip(ref_its, norms, strict=False) if n is not None and math.isfinite(n) and n > 0]
            colour = LAYER_COLOURS[(_layer_of(key) - 1) % len(LAYER_COLOURS)]
            fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines",
                                     name=f"‖{key}‖, {reference_name}", opacity=0.75,
                                     line={"dash": "dash", "width": 1.5, "color": colour}))
    for key, norms in grad_norms.items():
        pts = [(i, n) for i, n in zip(iterations, norms, strict=False) if n is not None and math.isfinite(n) and n > 0]
        colour = LAYER_COLOURS[(_layer_of(key) - 1) % len(LAYER_COLOURS)]
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines", name=f"‖{key}‖",
                                 line={"dash": "dot" if key.startswith("db") else "solid", "color": colour}))
    ratio = norm_ratio(grad_norms)
    title = None if ratio is None else f"‖dW1‖ / ‖dW{max(_layer_of(k) for k in grad_norms)}‖ = {ratio:.2g} at the end"
    fig.update_layout(height=340, xaxis_title="iteration", yaxis_title="gradient norm (log scale)",
                      yaxis_type="log", margin={"t": 40, "b": 20}, legend={"orientation": "h", "y": -0.25},
                      title={"text": title, "x": 0, "font": {"size": 14}} if title else None)
    return fig


def confusion_figure(counts: np.ndarray, class_names: Sequence[str]) -> go.Figure:
    """A 2x2 heatmap of counts with the numbers written in the cells, axis titles and a colour bar.

    Class names are HTML-escaped: plotly renders tags such as <a> in labels, and names come from files.
    """
    names = [html.escape(str(c)) for c in class_names]
    fig = go.Figure(go.Heatmap(
        z=np.asarray(counts), x=names, y=names, zmin=0,
        text=np.asarray(counts).astype(str), texttemplate="%{text}", textfont={"size": 22},
        colorscale="Oranges", showscale=True, colorbar={"title": {"text": "examples"}, "thickness": 12},
        hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_xaxes(title_text="predicted", side="top")
    fig.update_yaxes(title_text="true", autorange="reversed")
    fig.update_layout(height=300, margin={"t": 50, "b": 10, "l": 60, "r": 20})
    return fig


def layer_values(AL: np.ndarray, caches: Sequence) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Z[l] and A[l] for l = 1..L from L_model_forward's caches (A[l] is the next layer's A_prev)."""
    Zs = [c.activation_cache for c in caches]
    As = [c.linear_cache.A_prev for c in caches[1:]] + [AL]
    return Zs, As


def preview_image(data: bytes, size: int = 360) -> np.ndarray | None:
    """The upload as an upright RGB thumbnail for display, or None if Pillow cannot show it.

    Only called after dnn.photo.prepare_photo accepted the same bytes (size limits included).
    """
    from PIL import Image, ImageOps  # only the photo page needs Pillow

    try:
        with Image.open(io.BytesIO(data)) as im:
            upright = ImageOps.exif_transpose(im)
            upright.thumbnail((size, size))
            return np.asarray(upright.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def enlarge(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """Nearest-neighbour upscaling, so a 64×64 picture shows crisp pixels instead of browser blur."""
    return np.asarray(image).repeat(factor, axis=0).repeat(factor, axis=1)
