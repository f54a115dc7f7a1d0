"""Tests for dnn.modelio: pickle-free .npz model files."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from dnn.modelio import FORMAT_VERSION, load_model, save_model

DIMS = [6, 4, 3, 1]


def _params(seed=0):
    rng = np.random.RandomState(seed)
    p = {}
    for l in range(1, len(DIMS)):
        p[f"W{l}"] = rng.randn(DIMS[l], DIMS[l - 1])
        p[f"b{l}"] = rng.randn(DIMS[l], 1)
    return p


def _save(target=None, **over):
    kwargs = dict(
        layer_dims=DIMS, hidden_activation="tanh", hyperparameters={"learning_rate": 0.0075, "init": "sqrt", "seed": 1},
        classes=[b"non-cat", b"cat"], cost_iterations=[0, 100, 200], costs=[0.69, 0.5, 0.25],
    )
    kwargs.update(over)
    params = kwargs.pop("parameters", _params())
    buf = io.BytesIO() if target is None else target
    save_model(buf, params, **kwargs)
    return buf.getvalue() if target is None else None


def _arrays(data: bytes) -> dict:
    with np.load(io.BytesIO(data)) as z:
        return {k: z[k] for k in z.files}


def _resave(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_round_trip_bytes_path_and_file(tmp_path):
    data = _save()
    for source in (data, io.BytesIO(data)):
        m = load_model(source)
        for k, v in _params().items():
            np.testing.assert_array_equal(m.parameters[k], v)
        assert m.layer_dims == tuple(DIMS) and m.hidden_activation == "tanh"
        assert m.hyperparameters == {"learning_rate": 0.0075, "init": "sqrt", "seed": 1}
        assert m.classes == ("non-cat", "cat")
        np.testing.assert_array_equal(m.cost_iterations, [0, 100, 200])
        np.testing.assert_array_equal(m.costs, [0.69, 0.5, 0.25])
    path = tmp_path / "model.bin"
    _save(target=path)
    assert path.exists() and not (tmp_path / "model.bin.npz").exists()
    assert load_model(path).layer_dims == tuple(DIMS)
    assert int(_arrays(data)["format_version"]) == FORMAT_VERSION


def test_save_refuses_inconsistent_models():
    bad = _params()
    bad["W2"] = bad["W2"].T
    with pytest.raises(ValueError, match="do not chain"):
        _save(parameters=bad)
    with pytest.raises(ValueError, match="Unknown hidden activation"):
        _save(hidden_activation="swish")
    with pytest.raises(ValueError, match="hyperparameters"):
        _save(hyperparameters={"f": object()})
    nan = _params()
    nan["b1"][0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        _save(parameters=nan)


def test_load_refuses_non_npz():
    with pytest.raises(ValueError, match="not a saved model"):
        load_model(b"just some text")
    with pytest.raises(ValueError, match="damaged"):
        load_model(b"PK\x03\x04 broken zip")
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    with pytest.raises(ValueError, match="not a saved model"):
        load_model(buf.getvalue())


def test_load_refuses_pickled_object_arrays():
    arrays = _arrays(_save())
    arrays["meta"] = np.array([{"hidden_activation": "relu"}], dtype=object)
    with pytest.raises(ValueError, match="pickled"):
        load_model(_resave(arrays))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda a: a.pop("W3"), r"missing parameters \['W3'\]"),
        (lambda a: a.pop("costs"), "no 'costs'"),
        (lambda a: a.update(W2=np.zeros((3, 5))), "do not chain"),
        (lambda a: a.update(b1=np.zeros(4)), "do not chain"),
        (lambda a: a.update(layer_dims=np.array([6, 4, 2, 1])), "do not chain"),
        (lambda a: a.update(W1=np.full((4, 6), np.inf)), "finite"),
        (lambda a: a.update(meta=np.array('{"hidden_activation": "swish", "hyperparameters": {}}')), "swish"),
        (lambda a: a.update(meta=np.array("{not json")), "not valid JSON"),
        (lambda a: a.update(meta=np.array("[1, 2]")), "JSON object"),
        (lambda a: a.update(format_version=np.array(99)), "version"),
        (lambda a: a.update(costs=np.array([0.1, 0.2])), "equal length"),
        (lambda a: a.update(layer_dims=np.array([6.0, 4.0, 3.0, 1.0])), "whole numbers"),
        (lambda a: a.update(W4=np.zeros((1, 1))), "Unexpected parameters"),
    ],
)
def test_load_refuses_malformed_archives(edit, message):
    arrays = _arrays(_save())
    edit(arrays)
    with pytest.raises(ValueError, match=message):
        load_model(_resave(arrays))


def test_saved_meta_is_plain_json_text():
    arrays = _arrays(_save())
    assert arrays["meta"].dtype.kind == "U" and arrays["meta"].shape == ()
    assert json.loads(str(arrays["meta"]))["hidden_activation"] == "tanh"
    assert arrays["classes"].dtype.kind == "U"
