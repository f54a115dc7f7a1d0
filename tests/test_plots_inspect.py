"""Unit tests of ui/plots_inspect.py: the numbers behind the Inspect, Results and Photo figures."""
from __future__ import annotations

import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import dnn
from ui import plots_inspect as pi


def test_downsample_block_means_and_float32():
    M = np.arange(20 * 1000, dtype=np.float64).reshape(20, 1000)
    small = pi.downsample(M, max_rows=10, max_cols=100)
    assert small.dtype == np.float32 and small.shape == (10, 100)
    assert small[0, 0] == pytest.approx(M[:2, :10].mean())
    # already small: unchanged values
    assert np.array_equal(pi.downsample(M[:3, :4]), M[:3, :4].astype(np.float32))


def test_downsample_uneven_blocks_ignore_padding():
    M = np.ones((5, 7))
    small = pi.downsample(M, max_rows=2, max_cols=2)
    assert small.shape == (2, 2) and np.all(small == 1)


def test_histogram_counts_every_finite_value_and_handles_constants():
    values = np.r_[np.random.RandomState(0).randn(1000), np.nan, np.inf]
    centres, counts = pi.histogram(values, bins=25)
    assert len(centres) == len(counts) == 25 and counts.sum() == 1000
    centres, counts = pi.histogram(np.zeros(7))
    assert counts.sum() == 7 and centres.min() < 0 < centres.max()
    assert pi.histogram(np.array([np.nan]))[1].size == 0


def test_dead_fraction_needs_all_examples_non_positive():
    Z = np.array([[-1.0, -2.0, 0.0], [1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [3.0, 2.0, 1.0]])
    assert pi.dead_fraction(Z) == 0.5  # rows 0 and 2


@pytest.mark.parametrize("error, word", [(1e-9, "great"), (3e-6, "ok"), (1e-3, "suspicious"), (np.nan, "suspicious")])
def test_gradcheck_verdicts(error, word):
    assert word in pi.gradcheck_verdict(error)


def test_gradcheck_table_one_row_per_layer():
    table = pi.gradcheck_table({1: 1e-9, 2: 1e-4})
    assert list(table["layer"]) == [1, 2] and "great" in table["verdict"][0] and "suspicious" in table["verdict"][1]


def test_weight_tiles_reshape_rows_and_stretch_each_to_full_range():
    rng = np.random.RandomState(1)
    W1 = rng.randn(60, 8 * 8 * 3)
    W1[3] = 0.25  # a constant row must not divide by zero
    tiles = pi.weight_tiles(W1, 8, max_units=50)
    assert len(tiles) == 50 and tiles[0].shape == (8, 8, 3) and tiles[0].dtype == np.uint8
    assert tiles[0].min() == 0 and tiles[0].max() == 255
    assert np.all(tiles[3] == 128)
    # the reshape follows the course's flattening (pixel-major, then colour)
    order = np.argsort(W1[0])
    assert tiles[0].reshape(-1)[order[0]] == 0 and tiles[0].reshape(-1)[order[-1]] == 255


def test_confusion_counts_rows_true_columns_predicted():
    y = np.array([[0, 0, 1, 1, 1]])
    p = np.array([[0, 1, 1, 1, 0]])
    assert pi.confusion_counts(y, p).tolist() == [[1, 1], [1, 2]]
    assert pi.confusion_counts(y, p).sum() == 5


def test_mislabeled_order_most_confident_mistake_first():
    probs = np.array([0.9, 0.45, 0.2, 0.99, 0.6, 0.01])
    y = np.array([[0, 1, 0, 0, 1, 1]])
    assert pi.mislabeled_order(probs, y) == [3, 5, 0, 1]  # |p-0.5|: .49, .49, .4, .05


def test_saliency_normalised_max_over_channels():
    dA0 = np.zeros((4 * 4 * 3, 1))
    dA0[5 * 3 + 2] = -2.0   # pixel 5, blue channel
    dA0[0] = 1.0            # pixel 0, red channel
    s = pi.saliency(dA0, 4, percentile=100)
    assert s.shape == (4, 4) and s[1, 1] == 1.0 and s[0, 0] == 0.5 and s.max() == 1.0
    # a single extreme pixel does not darken the rest: the scale is a high percentile
    dA0 = np.ones(20 * 20 * 3)
    dA0[0] = 1000.0
    s = pi.saliency(dA0, 20)
    assert s[0, 0] == 1.0 and np.all(s.ravel()[1:] == 1.0)
    assert np.all(pi.saliency(np.zeros(48), 4) == 0)


def test_overlay_is_rgb_uint8_and_hot_where_salient():
    image = np.full((4, 4, 3), 100, dtype=np.uint8)
    heat = np.zeros((4, 4))
    heat[0, 0] = 1.0
    out = pi.overlay(image, heat)
    assert out.shape == (4, 4, 3) and out.dtype == np.uint8
    assert out[0, 0, 0] > out[1, 1, 0] and out[0, 0, 2] < out[1, 1, 2]


def test_layer_values_from_course_caches():
    rng = np.random.RandomState(0)
    params = dnn.initialize_parameters_deep([5, 4, 3, 1], init="sqrt", seed=1)
    X = rng.randn(5, 6)
    AL, caches = dnn.L_model_forward(X, params)
    Zs, As = pi.layer_values(AL, caches)
    assert [z.shape for z in Zs] == [(4, 6), (3, 6), (1, 6)] and As[-1] is AL
    assert np.allclose(As[0], np.maximum(Zs[0], 0))


def test_forward_pass_figure_bars_and_wide_layers_as_strips():
    Zs = [np.linspace(-1, 1, 20), np.linspace(-1, 1, 500), np.array([0.3])]
    As = [np.maximum(z, 0) for z in Zs]
    fig = pi.forward_pass_figure(Zs, As)
    kinds = [type(t).__name__ for t in fig.data]
    assert kinds == ["Bar", "Bar", "Heatmap", "Heatmap", "Bar", "Bar"]
    assert len(fig.data[0].y) == 20 and np.asarray(fig.data[2].z).shape[1] <= pi.MAX_BARS


def test_histograms_figure_sends_counts_not_raw_values():
    big = np.random.RandomState(0).randn(20, 12288)
    fig = pi.histograms_figure([{"dW1": big, "db1": big[:, :1]}], bins=30)
    assert len(fig.data) == 2 and all(isinstance(t, go.Bar) for t in fig.data)
    assert len(fig.data[0].x) == 30 and sum(fig.data[0].y) == big.size


def test_grad_norms_figure_log_scale_skips_bad_points():
    fig = pi.grad_norms_figure([0, 10, 20], {"dW1": [1e-3, 0.0, np.nan], "db1": [1.0, 2.0, 3.0]})
    assert fig.layout.yaxis.type == "log"
    assert list(fig.data[0].x) == [0] and list(fig.data[1].y) == [1.0, 2.0, 3.0]
    assert fig.data[1].line.dash == "dot"


def test_confusion_figure_writes_counts_and_class_names():
    fig = pi.confusion_figure(np.array([[10, 2], [3, 35]]), ["non-cat", "cat"])
    assert np.asarray(fig.data[0].z).sum() == 50
    assert list(fig.data[0].x) == ["non-cat", "cat"] and list(fig.data[0].y) == ["non-cat", "cat"]
    assert fig.layout.xaxis.title.text == "predicted" and fig.layout.yaxis.title.text == "true"
    assert fig.data[0].showscale and fig.data[0].colorbar.title.text == "examples"


def test_forward_pass_axes_are_fixed_by_the_batch_ranges():
    Zs, As = [np.array([[-1.0], [2.0]]), np.array([[0.3]])], [np.array([[0.0], [2.0]]), np.array([[0.6]])]
    ranges = pi.layer_ranges(Zs, As)
    assert ranges == [((-1.0, 2.0), (0.0, 2.0)), ((0.0, 0.3), (0.0, 0.6))]
    fig = pi.forward_pass_figure(Zs, As, ranges=ranges)
    np.testing.assert_allclose(fig.layout.yaxis.range, [-1.15, 2.15])
    L = len(As)
    assert fig.layout[f"xaxis{L + 1}"].title.text == "unit", "the bottom row names the units"


def test_batch_heatmap_counts_examples_on_its_axis_and_has_a_colour_bar():
    A = np.abs(np.random.RandomState(0).randn(5, 320))
    fig = pi.batch_heatmap_figure([A])
    assert list(fig.layout.xaxis.range) == [-0.5, 319.5]
    assert max(fig.data[0].x) > 300, "the x values are example numbers, not block numbers"
    assert fig.layout.coloraxis.colorbar.title.text == "A"


def test_batch_heatmap_figure_downsampled():
    fig = pi.batch_heatmap_figure([np.ones((300, 1000)), np.ones((1, 1000))])
    assert all(np.asarray(t.z).shape[0] <= 64 and np.asarray(t.z).shape[1] <= 256 for t in fig.data)


def test_preview_image_upright_thumbnail_or_none():
    buf = io.BytesIO()
    Image.new("RGBA", (800, 400), (255, 0, 0, 128)).save(buf, format="PNG")
    thumb = pi.preview_image(buf.getvalue(), size=200)
    assert thumb.shape == (100, 200, 3)
    assert pi.preview_image(b"not an image") is None


def test_enlarge_nearest_neighbour():
    img = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    big = pi.enlarge(img, 3)
    assert big.shape == (6, 6, 3) and np.array_equal(big[::3, ::3], img)


def test_grad_norms_name_the_first_to_last_ratio_and_colour_each_layer():
    from ui import plots_inspect as pi_

    norms = {"dW1": [1e-3, 1e-5], "db1": [1e-3, 1e-5], "dW2": [0.1, 0.01], "db2": [0.1, 0.01],
             "dW3": [0.5, 0.02], "db3": [0.5, 0.02]}
    assert pi_.norm_ratio(norms) == pytest.approx(1e-5 / 0.02)
    assert pi_.norm_ratio({"dW1": [0.1]}) is None
    assert pi_.norm_ratio({"dW1": [float("nan")], "dW2": [0.1]}) is None
    text = pi_.describe_grad_norms(norms)
    assert text.startswith("Gradient norms of dW and db for layers 1, 2, 3")
    assert "||dW1|| is 0.0005 times ||dW3|| (vanishing gradients in the first layer)." in text
    fig = pi_.grad_norms_figure([0, 10], norms)
    colours = {t.name: t.line.color for t in fig.data}
    assert colours["‖dW1‖"] == colours["‖db1‖"] != colours["‖dW2‖"] != colours["‖dW3‖"]
    assert "0.0005" in fig.layout.title.text


def test_grad_norms_overlay_the_same_net_with_another_initialisation():
    from ui import plots_inspect as pi_

    norms = {"dW1": [1e-4, 1e-5], "dW2": [0.1, 0.05]}
    ref = ([0, 10], {"dW1": [0.05, 0.04], "db1": [0.1, 0.1], "dW2": [0.1, 0.06]})
    fig = pi_.grad_norms_figure([0, 10], norms, reference=ref)
    names = [t.name for t in fig.data]
    assert names[:2] == ["‖dW1‖, 1/√n init", "‖dW2‖, 1/√n init"]  # db of the reference is left out
    assert [t.line.dash for t in fig.data[:2]] == ["dash", "dash"]
    assert fig.data[0].line.color == fig.data[2].line.color  # the same layer, the same colour
    assert list(fig.data[0].y) == [0.05, 0.04]
