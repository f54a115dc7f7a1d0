"""Issue 18 item 6: stable probabilities, and a model whose output is not finite is refused on load."""
from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

import dnn
from dnn.activations import sigmoid
from dnn.finite import INPUT_BOUND, output_bound

DIMS = (12288, 20, 7, 5, 1)


def _params(dims=DIMS, scale=0.01, seed=1, dtype=np.float64) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(seed)
    out = {}
    for l in range(1, len(dims)):
        out[f"W{l}"] = (rng.randn(dims[l], dims[l - 1]) * scale).astype(dtype)
        out[f"b{l}"] = np.zeros((dims[l], 1), dtype=dtype)
    return out


def _file(params, dims=DIMS, act="relu", **hyper) -> bytes:
    buf = io.BytesIO()
    dnn.save_model(buf, params, layer_dims=dims, hidden_activation=act, hyperparameters=hyper,
                   classes=["non-cat", "cat"], cost_iterations=[], costs=[])
    return buf.getvalue()


def test_the_sigmoid_is_finite_and_silent_for_any_logit():
    z = np.array([-np.inf, -1e308, -800.0, -40.0, -1.0, 0.0, 1e-20, 1.0, 40.0, 800.0, 1e308, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from exp
        for dtype in (np.float64, np.float32):
            top = np.finfo(dtype).max
            A, cache = sigmoid(np.clip(z, -top, top).astype(dtype))
            assert A.dtype == dtype and np.all(np.isfinite(A)) and np.all((A >= 0) & (A <= 1))
            assert cache is not None
    A = sigmoid(z)[0]
    assert A[0] == 0.0 and A[-1] == 1.0 and A[5] == 0.5
    normal = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(normal)[0], 1 / (1 + np.exp(-normal)), rtol=1e-15, atol=0)


def test_a_trained_course_sized_model_loads():
    saved = dnn.load_model(_file(_params()))
    assert saved.layer_dims == DIMS
    assert output_bound(saved.parameters, DIMS, "relu") < 1e6


@pytest.mark.parametrize("case", ["huge", "cancelling", "float32", "bias", "tanh_last"])
def test_a_model_whose_output_could_overflow_is_refused_with_a_message(case):
    params, act, hyper = _params(), "relu", {}
    if case == "huge":  # finite but huge weights: Z2 overflows to inf, P(cat) would be nan
        params = _params(scale=1e200)
    elif case == "cancelling":  # +-1e308 in one row: W1 x can be inf - inf = nan
        params["W1"][0, :2] = (1e308, -1e308)
    elif case == "float32":  # fine in float64, inf once the model runs in float32
        params = _params(scale=1e18)
        hyper = {"dtype": "float32"}
    elif case == "bias":
        params["b3"][0, 0] = 1.7e308
    elif case == "tanh_last":  # tanh bounds the hidden layers, not the output layer's Z
        params, act = _params(), "tanh"
        params["W4"][:] = 1e306
    with pytest.raises(ValueError, match="not a finite number"):
        dnn.load_model(_file(params, act=act, **hyper))


def test_the_forged_model_really_answers_nan_without_the_check():
    """The check refuses what the forward pass would turn into P = nan (not a made-up danger)."""
    params = _params()
    params["W1"][0, :2] = (1e308, -1e308)
    x = np.zeros((DIMS[0], 1))
    x[:2, 0] = 2.0  # 2e308 overflows to inf, -2e308 to -inf: their sum is nan
    with np.errstate(all="ignore"):
        p = dnn.predict_proba(x, params, "relu")
    assert np.isnan(p).all()
    saved = dnn.load_model(_file(params), finite_output=False)  # the store's diverged runs: kept as they were
    assert saved.layer_dims == DIMS


def test_tanh_hidden_layers_bound_the_next_layer():
    params = _params(dims=(2, 3, 1), scale=1.0)
    params["W1"][:] = 1e150  # tanh saturates: huge first-layer weights are harmless after it
    params["W2"][:] = 1e160  # ... while after a ReLU they multiply: 1e150 * 1e160 overflows
    assert output_bound(params, (2, 3, 1), "tanh") == pytest.approx(3e160), "Z2 <= 3 units x 1e160 x 1"
    dnn.load_model(_file(params, dims=(2, 3, 1), act="tanh"))
    with pytest.raises(ValueError, match="not a finite number"):
        dnn.load_model(_file(params, dims=(2, 3, 1), act="relu"))
    assert INPUT_BOUND >= 255, "raw pixel values are inside the checked range too"


def test_a_diverged_run_still_comes_back_from_the_store(tmp_path):
    from store import Limits, open_store, restore_trainer

    ds_x = np.random.RandomState(0).randn(2, 40)
    ds_y = (ds_x[0:1] > 0).astype(int)
    cfg = dnn.TrainConfig(layer_dims=(2, 5, 1), learning_rate=100.0, num_iterations=200, init="large",
                          record_every=1, accuracy_every=1)
    run = dnn.Trainer(cfg, ds_x, ds_y)
    run.advance(200)
    st_ = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}", Limits())
    try:
        import store as store_lib
        owner, lease = "alice-browser-token-0001", store_lib.new_token()
        saved = st_.runs.create(owner, lease, label="#1 diverged", dataset="moons",
                                config=store_lib.config_to_json(cfg), history=store_lib.history_to_json(run.history),
                                status=run.status.value, iteration=run.iteration,
                                model=store_lib.model_bytes(run, ("a", "b")))
        back = restore_trainer(st_.runs.load(saved.run_id, owner), ds_x, ds_y)
        assert back.iteration == run.iteration
    finally:
        st_.close()
