"""The live network graph: one node per drawn unit, pictures of what each computes, edges by sign and |w|."""
import json

import altair as alt
import numpy as np
import pytest

import dnn
from dnn import TrainConfig, Trainer
from ui import plots_graph as pg
from ui import theme


@pytest.fixture(scope="module")
def flower_run():
    ds = dnn.toy_dataset("flower")
    run = Trainer(TrainConfig(layer_dims=(2, 8, 3, 1), learning_rate=0.5, init="he", num_iterations=300),
                  ds.X_train, ds.train_y)
    run.advance(300)
    return ds, run


@pytest.fixture(scope="module")
def image_case():
    ds = dnn.synthetic_dataset(seed=0)
    run = Trainer(TrainConfig(layer_dims=(ds.n_x, 20, 7, 5, 1), num_iterations=20), ds.X_train, ds.train_y)
    run.advance(20)
    idx = pg.example_strip(ds.test_y, 9)
    return ds, run, pg.image_probe(ds.test_x_orig[idx]), idx


def _valid(spec):
    """Altair validates against the vega-lite schema; datasets become inline values for that."""
    spec = dict(spec)
    spec["datasets"] = {k: json.loads(v.astype({c: str for c in v.select_dtypes("category")}).to_json(orient="records"))
                        for k, v in spec["datasets"].items()}
    return alt.LayerChart.from_dict(spec)


def test_plane_graph_has_a_picture_per_unit_and_edges_by_sign(flower_run):
    ds, run = flower_run
    probe = pg.plane_probe(ds.X_train, side=10)
    layout = pg.graph_layout(run.config.layer_dims, probe, max_units=6)
    assert layout.shown == (2, 6, 3, 1)
    data = pg.graph_data(run.parameters, "relu", probe, layout)
    frames, cells, edges = data["frames"], data["cells"], data["edges"]
    assert len(frames) == 2 + 6 + 3 + 1
    assert (cells.groupby("node", observed=True).size() == 100).all()
    # Edges between drawn units only, coloured by the sign of their weight, wider for larger |w|.
    assert len(edges) == 2 * 6 + 6 * 3 + 3 * 1
    W2 = run.parameters["W2"]
    e = edges[edges["info"].str.startswith("W2[")].reset_index(drop=True)
    signs = np.sign(W2[:3, :6]).ravel()
    assert list(e["fill"]) == [pg._hex(pg.POSITIVE) if s >= 0 else pg._hex(pg.NEGATIVE) for s in signs]
    order = np.argsort(np.abs(W2[:3, :6]).ravel())
    assert np.all(np.diff(e["width"].to_numpy()[order]) >= -1e-6)
    assert e["width"].max() == pytest.approx(pg.MAX_EDGE_WIDTH)
    labels = list(data["labels"]["title"])
    assert "layer 1\n8" in labels and "+2 more" in labels
    for table in data.values():
        assert not table[[c for c in ("x", "y") if c in table]].isna().any().any()
    assert cells["fill"].astype(str).str.match(r"^#[0-9a-f]{6}$").all()


def test_the_output_node_is_the_decision_boundary(flower_run):
    ds, run = flower_run
    probe = pg.plane_probe(ds.X_train, side=12)
    layout = pg.graph_layout(run.config.layer_dims, probe)
    pictures = pg.unit_pictures(run.parameters, "relu", probe, layout)
    P, colours = pictures[-1][0]
    np.testing.assert_allclose(P.ravel(), run.predict_proba(probe.X).ravel())
    # P > 0.5 is drawn blue-ish, P < 0.5 orange-ish: the colour says which class.
    expected = pg.diverging_colours(P - 0.5, 0.5)
    assert (colours == expected).all()
    hidden, _ = pictures[1][0]
    A1 = np.maximum(run.parameters["W1"][:1] @ probe.X + run.parameters["b1"][:1], 0)
    np.testing.assert_allclose(hidden.ravel(), A1.ravel())


def test_image_graph_shows_weights_in_layer_1_and_the_mosaic_deeper(image_case):
    ds, run, probe, idx = image_case
    layout = pg.graph_layout(run.config.layer_dims, probe)
    assert layout.shown == (1, 6, 6, 5, 1) and probe.shape == (3, 3)
    pictures = pg.unit_pictures(run.parameters, "relu", probe, layout)
    w_pic, w_col = pictures[1][0]
    assert w_pic.shape == (pg.WEIGHT_SIDE, pg.WEIGHT_SIDE)
    W1 = run.parameters["W1"][0].reshape(64, 64, 3).mean(axis=-1)
    block = 64 // pg.WEIGHT_SIDE
    np.testing.assert_allclose(w_pic[0, 0], W1[:block, :block].mean())
    # Deeper units: their activation on each mosaic image, in the mosaic's order.
    snap = run.snapshot(ds.X_test[:, idx])
    A2 = snap.caches[2].linear_cache.A_prev  # A2 is layer 3's input
    np.testing.assert_allclose(pictures[2][0][0].ravel(), A2[0])
    np.testing.assert_allclose(pictures[-1][0][0].ravel(), snap.AL.ravel())
    # The input node is the mosaic of the same images, in colour.
    inp = pictures[0][0][1]
    assert inp.shape == (3 * pg.THUMB_SIDE, 3 * pg.THUMB_SIDE)
    data = pg.graph_data(run.parameters, "relu", probe, layout)
    assert list(data["labels"]["title"])[:2] == ["input\n12,288", "layer 1\n20"]
    assert "+14 more" in list(data["labels"]["title"])
    fan = data["edges"][data["edges"]["info"].str.startswith("|W1")]
    assert len(fan) == 6 and (fan["fill"] == pg.EDGE_GREY).all()


def test_spec_is_valid_square_and_independent_of_the_weights(flower_run, image_case):
    ds, run = flower_run
    probe = pg.plane_probe(ds.X_train)
    layout = pg.graph_layout(run.config.layer_dims, probe)
    data = pg.graph_data(run.parameters, "relu", probe, layout)
    spec = pg.graph_spec(layout, data)
    _valid(spec)
    w, h = pg.graph_size(layout)
    x_dom = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    y_dom = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert w / (x_dom[1] - x_dom[0]) == pytest.approx(h / (y_dom[1] - y_dom[0]), rel=0.02)  # square pixels
    later = dict(run.parameters, W2=-run.parameters["W2"])
    assert pg.graph_spec(layout) == pg.graph_spec(layout)
    other = pg.graph_spec(layout, pg.graph_data(later, "relu", probe, layout))
    assert {k: v for k, v in other.items() if k != "datasets"} == {k: v for k, v in spec.items() if k != "datasets"}
    hover = spec["layer"][2]["params"][0]
    assert hover["select"]["on"] == "pointerover, pointerdown" and hover["select"]["fields"] == ["node"]
    _, run2, probe2, _ = image_case
    layout2 = pg.graph_layout(run2.config.layer_dims, probe2)
    _valid(pg.graph_spec(layout2, pg.graph_data(run2.parameters, "relu", probe2, layout2)))


def test_dead_units_say_so_when_hovered():
    params = {"W1": np.array([[1.0, 0.0], [-1.0, -1.0]]), "b1": np.array([[0.0], [-100.0]]),
              "W2": np.array([[1.0, 1.0]]), "b2": np.zeros((1, 1))}
    probe = pg.plane_probe(np.array([[0.0, 1.0], [0.0, 1.0]]), side=4)
    layout = pg.graph_layout((2, 2, 1), probe)
    frames = pg.graph_data(params, "relu", probe, layout)["frames"]
    info = dict(zip(frames["title"], frames["info"], strict=True))
    assert "dead" in info["layer 1, unit 2"] and "dead" not in info["layer 1, unit 1"]


def test_colours_are_clipped_and_nan_is_white():
    c = pg.diverging_colours(np.array([-5.0, 0.0, 5.0, np.nan]), 1.0)
    assert list(c) == [pg._hex(pg.NEGATIVE), "#ffffff", pg._hex(pg.POSITIVE), "#ffffff"]
    assert list(pg.rgb_hex(np.array([[0, 0, 0], [255, 16, 1]], dtype=np.uint8))) == ["#000000", "#ff1001"]


def test_probes_refuse_wrong_shapes():
    with pytest.raises(ValueError, match="2, m"):
        pg.plane_probe(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="k, px, px, 3"):
        pg.image_probe(np.zeros((4, 8, 8)))


def test_example_strip_alternates_classes():
    Y = np.array([[0, 0, 0, 1, 1, 0, 1]])
    assert list(pg.example_strip(Y, 5)) == [3, 0, 4, 1, 6]


def test_redraw_keeps_the_graph_under_its_share():
    assert pg.redraw_due(0.0, 0.0)
    assert not pg.redraw_due(0.3, 0.08)          # 0.08 s every 0.3 s would be 21%
    assert pg.redraw_due(0.46, 0.08)
    cost, interval = 0.08, 0.08 * (1 - pg.GRAPH_SHARE) / pg.GRAPH_SHARE
    assert cost / (cost + interval) == pytest.approx(pg.GRAPH_SHARE)


@pytest.mark.parametrize("dark", [False, True])
def test_the_graph_speaks_enlarges_by_tap_or_choice_and_reads_in_both_themes(dark):
    probe = pg.image_probe(np.random.RandomState(0).rand(9, 64, 64, 3))
    layout = pg.graph_layout((12288, 20, 7, 1), probe, max_units=6)
    text = pg.describe_graph(layout)
    assert text.startswith("Network graph of layer_dims [12288, 20, 7, 1] (6 of 20, 6 of 7 units drawn)")
    assert "tap a unit" in text
    spec = pg.graph_spec(layout, dark=dark, description=text, selected="L1 unit 2")
    assert spec["description"] == text and spec["config"]["aria"] is False
    hover = spec["layer"][2]["params"][0]
    assert hover["value"] == [{"node": "L1 unit 2"}] and "pointerdown" in hover["select"]["on"]
    selected_ink = spec["layer"][2]["encoding"]["stroke"]["condition"]["value"]
    hint = spec["layer"][-1]["mark"]["color"]
    bg = theme.background(dark)
    assert theme.contrast(selected_ink, bg) >= 7 and theme.contrast(hint, bg) >= theme.TEXT_CONTRAST
    assert "value" not in pg.graph_spec(layout)["layer"][2]["params"][0]
    alt.Chart.from_dict(spec)
