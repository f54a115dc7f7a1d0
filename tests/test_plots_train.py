"""The Data/Model/Train figures: right types, right number of traces, never a NaN."""

import numpy as np
import pandas as pd
import pytest

import dnn
from ui import plots_train, settings, theme


def test_decision_boundary_data_covers_grid_and_points():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(2, 30), (rng.rand(1, 30) > 0.5).astype(int)
    calls = []

    def proba(grid):
        calls.append(grid.shape)
        return 1 / (1 + np.exp(-grid[0:1]))

    df = plots_train.decision_boundary_data(X, Y, proba, resolution=20)
    assert calls == [(2, 400)]
    assert (df["layer"] == "grid").sum() == 400 and (df["layer"] == "train").sum() == 30
    assert not df[["x", "x2", "y", "y2", "p"]].isna().any().any()
    grid = df[df["layer"] == "grid"]
    assert grid["x"].min() < X[0].min() and grid["x2"].max() > X[0].max()
    spec = plots_train.decision_boundary_spec(("red", "blue"))
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rect", "point", "point"]
    # Training points filled, test points hollow; the class by shape as well as colour.
    assert [layer["mark"].get("filled") for layer in spec["layer"][1:]] == [True, False]
    for layer in spec["layer"][1:]:
        assert layer["encoding"]["shape"]["scale"]["range"] == list(theme.CLASS_SHAPES)


def test_boundary_is_one_to_one_with_no_blank_band_and_optional_test_points():
    rng = np.random.RandomState(2)
    X, Y = rng.randn(2, 40) * np.array([[3.0], [1.0]]), (rng.rand(1, 40) > 0.5).astype(int)
    Xt, Yt = rng.randn(2, 10), (rng.rand(1, 10) > 0.5).astype(int)
    proba = lambda g: 1 / (1 + np.exp(-g[0:1]))  # noqa: E731
    extent = plots_train.boundary_extent(X, resolution=20)
    df = plots_train.decision_boundary_data(X, Y, proba, resolution=20, X_test=Xt, Y_test=Yt, discrete=True)
    grid = df[df["layer"] == "grid"]
    # Cells reach the extent's edges (overlapping a hair), so no blank band shows inside the axes.
    assert grid["x"].min() <= extent[0] and grid["x2"].max() >= extent[1]
    assert grid["y"].min() <= extent[2] and grid["y2"].max() >= extent[3]
    assert set(grid["p"]) <= {0.0, 1.0} and (df["layer"] == "test").sum() == 10
    spec = plots_train.decision_boundary_spec(("red", "blue"), extent, side=300)
    x_dom = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    y_dom = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert (x_dom, y_dom) == (list(extent[:2]), list(extent[2:]))
    assert spec["width"] == 300 and spec["width"] / (x_dom[1] - x_dom[0]) == pytest.approx(
        spec["height"] / (y_dom[1] - y_dom[0]), rel=0.01)


def test_decision_boundary_replaces_nan_probabilities():
    X, Y = np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([[0, 1]])
    df = plots_train.decision_boundary_data(X, Y, lambda g: np.full((1, g.shape[1]), np.nan), resolution=5)
    assert df["p"].between(0, 1).all()


def test_decision_boundary_with_a_trainer_is_one_vectorized_forward_pass():
    # Its speed is a benchmark's business; here: the whole grid goes through the network in one call.
    rng = np.random.RandomState(1)
    X = rng.randn(2, 400)
    Y = (X[0] * X[1] > 0).astype(int).reshape(1, -1)
    run = dnn.Trainer(settings.make_config(2, (20, 7)), X, Y)
    run.advance(20)
    calls = []

    def proba(grid):
        calls.append(grid.shape)
        return run.predict_proba(grid)
    df = plots_train.decision_boundary_data(X, Y, proba, resolution=80)
    assert calls == [(2, 80 * 80)]
    assert len(df) == 80 * 80 + 400


def test_toy_scatter_has_one_trace_per_class():
    X = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    fig = plots_train.toy_scatter_figure(X, np.array([[0, 1, 1]]), ("blue", "red"))
    assert len(fig.data) == 2 and len(fig.data[0].x) == 1 and len(fig.data[1].x) == 2


def test_shape_table_matches_the_course():
    table = plots_train.shape_table((12288, 20, 7, 5, 1), 209)
    assert isinstance(table, pd.DataFrame) and len(table) == 5
    assert table.loc[1, "W"] == "W1 (20, 12288)" and table.loc[1, "Z"] == "Z1 (20, 209)"
    assert table.loc[4, "A"] == "A4 (1, 209)"
    assert table["parameters"].sum() == dnn.parameter_count((12288, 20, 7, 5, 1))


def test_class_colours_follow_colour_names():
    assert plots_train.class_colours(("red", "blue")) == ("#d62728", "#1f77b4")
    assert plots_train.class_colours(("non-cat", "cat")) == plots_train.CLASS_COLOURS
    spec = plots_train.decision_boundary_spec(("red", "blue"))
    assert spec["layer"][1]["encoding"]["fill"]["scale"]["range"] == ["#d62728", "#1f77b4"]


def test_a_huge_toy_set_draws_at_most_max_points_per_set():
    rng = np.random.RandomState(3)
    X, Y = rng.randn(2, 10_001), (rng.rand(1, 10_001) > 0.5).astype(int)
    df = plots_train.decision_boundary_data(X, Y, lambda g: np.full((1, g.shape[1]), 0.5), resolution=5)
    shown = df[df["layer"] == "train"]
    assert 0 < len(shown) <= plots_train.MAX_POINTS
    np.testing.assert_allclose(shown["x"].iloc[:2], X[0, [0, 6]])


def _valid(spec, df):
    import json

    import altair as alt
    return alt.Chart.from_dict({**spec, "data": {"values": json.loads(df.to_json(orient="records"))}})


@pytest.mark.parametrize("dark", [False, True])
def test_the_boundary_speaks_and_reads_in_both_themes(dark):
    rng = np.random.RandomState(3)
    X, Y = rng.randn(2, 40), (rng.rand(1, 40) > 0.5).astype(int)
    proba = lambda g: (g[0:1] > 0).astype(float)  # noqa: E731  (the right half of the plane is class 1)
    df = plots_train.decision_boundary_data(X, Y, proba, resolution=20, X_test=X[:, :10], Y_test=Y[:, :10])
    text = plots_train.describe_boundary(df, ("non-cat", "it's \\ a 'cat'"))
    share = float((df[df.layer == "grid"].p > 0.5).mean())
    assert f"{share:.0%} of it is predicted it's" in text
    assert "40 training points drawn filled, 10 test points hollow" in text
    assert text.endswith("non-cat as circles, it's \\ a 'cat' as triangles.")
    spec = plots_train.decision_boundary_spec(("non-cat", "it's \\ a 'cat'"), plots_train.boundary_extent(X, 20),
                                              dark=dark, description=text)
    assert spec["description"] == text and spec["config"]["aria"] is False
    fill = spec["layer"][1]["encoding"]["fill"]["scale"]["range"]
    assert fill == list(theme.class_colours(dark))
    # A quote in a class name cannot end the Vega expression's string early.
    assert "'it\\'s \\\\ a \\'cat\\''" in spec["layer"][1]["encoding"]["fill"]["legend"]["labelExpr"]
    middle = spec["layer"][0]["encoding"]["color"]["scale"]["range"][1]
    assert theme.contrast(middle, theme.background(dark)) < 1.5  # the undecided middle is the page's own tone
    _valid(spec, df)


def test_toy_scatter_shows_the_class_by_shape_too():
    X = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    fig = plots_train.toy_scatter_figure(X, np.array([[0, 1, 1]]), ("non-cat", "cat"), dark=True)
    assert [t.marker.symbol for t in fig.data] == list(theme.CLASS_SYMBOLS)
    assert [t.marker.color for t in fig.data] == list(theme.CLASS_COLOURS_DARK)
