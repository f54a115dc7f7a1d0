"""The lesson page's small figures as Vega-Lite specs (drawn in the browser, nothing fetched): the curve
shapes a student picks from, a step's cost curve, and the class's predictions.  Pure Python."""
from __future__ import annotations

from collections.abc import Sequence

from ui.lessons import curve_sketch

SKETCH_HEIGHT, CURVE_HEIGHT, HISTOGRAM_HEIGHT = 70, 200, 220


def _axis_off() -> dict:
    return {"axis": None}


def sketch_spec(shape: str) -> dict:
    """A tiny picture of a cost curve of ``shape`` (no axes: only its shape matters)."""
    values = [{"t": i, "cost": c} for i, c in enumerate(curve_sketch(shape))]
    return {"height": SKETCH_HEIGHT, "autosize": {"type": "fit-x", "contains": "padding"},
            "data": {"values": values}, "mark": {"type": "line", "strokeWidth": 2.5},
            "encoding": {"x": {"field": "t", "type": "quantitative", **_axis_off()},
                         "y": {"field": "cost", "type": "quantitative", "scale": {"zero": True}, **_axis_off()}}}


def curve_spec(points: Sequence[tuple[int, float]], title: str = "Cost of this step's run") -> dict:
    """A step's recorded cost against the iteration."""
    values = [{"iteration": int(i), "cost": float(c)} for i, c in points]
    return {"height": CURVE_HEIGHT, "autosize": {"type": "fit-x", "contains": "padding"},
            "title": {"text": title, "anchor": "start"}, "data": {"values": values},
            "mark": {"type": "line", "strokeWidth": 2},
            "encoding": {"x": {"field": "iteration", "type": "quantitative"},
                         "y": {"field": "cost", "type": "quantitative", "title": "cost J", "scale": {"zero": True}},
                         "tooltip": [{"field": "iteration"}, {"field": "cost", "format": ".4f"}]}}


def histogram_spec(counts: Sequence[tuple[str, int]], result: str | None = None,
                   title: str = "The class's predictions") -> dict:
    """One bar per answer (in the order given) with how many chose it; the run's answer marked when known."""
    values = [{"answer": a, "count": int(n), "result": a == result} for a, n in counts]
    colour = {"field": "result", "type": "nominal", "legend": None,
              "scale": {"domain": [False, True], "range": ["#7f7f7f", "#0072b2"]}}
    return {"height": HISTOGRAM_HEIGHT, "autosize": {"type": "fit-x", "contains": "padding"},
            "title": {"text": title, "anchor": "start"}, "data": {"values": values},
            "mark": {"type": "bar"},
            "encoding": {"x": {"field": "answer", "type": "nominal", "sort": None, "title": None,
                               "axis": {"labelAngle": 0, "labelLimit": 160}},
                         "y": {"field": "count", "type": "quantitative", "title": "students",
                               "axis": {"tickMinStep": 1}},
                         "color": colour if result is not None else {"value": "#7f7f7f"},
                         "tooltip": [{"field": "answer"}, {"field": "count"}]}}
