"""Hostile .npz model uploads (issue 9): entries refused from their headers, metadata from its text."""
from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import numpy as np
import pytest

import dnn
from dnn.config import TrainConfig
from dnn.modelio import MAX_META_CHARS, MAX_UNPACKED_BYTES, load_model, save_model
from dnn.units import fmt_bytes

import hostile

DIMS = (6, 4, 3, 1)


def _run(**config) -> dnn.Trainer:
    rng = np.random.RandomState(0)
    X = rng.randn(6, 20)
    Y = (X[:1] > 0).astype(int)
    cfg = TrainConfig(layer_dims=DIMS, num_iterations=30, record_every=10, accuracy_every=10, **config)
    run = dnn.Trainer(cfg, X, Y)
    run.advance(20)
    return run


def _model(run: dnn.Trainer | None = None) -> bytes:
    buf = io.BytesIO()
    dnn.save_run(buf, run or _run(), ["a", "b"])
    return buf.getvalue()


def _refused(data: bytes, match: str) -> str:
    with pytest.raises(ValueError, match=match) as info:
        load_model(data)
    return str(info.value)


def test_deflate_bomb_is_refused_from_the_zip_header():
    bomb = hostile.npz_deflate_bomb(_model(), "format_version", n_bytes=3 * 2**30)
    assert len(bomb) < 5 * 2**20  # 3 GiB of zeros deflate to about 3 MiB
    message = _refused(bomb, "unpacks to 3 GiB")
    assert fmt_bytes(MAX_UNPACKED_BYTES) in message


def test_entry_whose_npy_header_lies_about_its_size_is_refused():
    entries = hostile.npz_entries(_model())
    # A zip entry of 200 kB whose .npy header declares 1 value: the rest would be inflated for nothing.
    entries["format_version"] = hostile.npy_header((), "<i8") + bytes(200_000)
    _refused(hostile.npz(entries), "declares 8 bytes of data in an entry of")


def test_header_declaring_a_huge_array_is_refused_before_reading():
    entries = hostile.npz_entries(_model())
    entries["costs"] = hostile.npy_header((10**12,), "<f8") + bytes(64)
    _refused(hostile.npz(entries), "1,000,000,000,000 items")
    entries = hostile.npz_entries(_model())
    entries["W1"] = hostile.npy_header((4, 6_000_000), "<f8") + bytes(64)
    _refused(hostile.npz(entries), r"W1 has shape \(4, 6000000\).*do not chain")


def test_zip_entry_declared_smaller_than_its_data_stops_at_the_declared_size():
    entries = hostile.npz_entries(_model())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name + ".npy", data)
        z.writestr("extra.npy", bytes(50 * 2**20))  # compressed to ~50 kB
    data = bytearray(buf.getvalue())
    # The central directory's declared size of extra.npy becomes 16 bytes: reading must stop there.
    index = data.rfind(b"extra.npy")
    header = data.rfind(b"PK\x01\x02", 0, index)
    data[header + 24:header + 28] = (16).to_bytes(4, "little")
    model = load_model(bytes(data))  # unknown entries are never inflated, whatever they declare
    assert model.layer_dims == DIMS


def test_huge_layer_dims_are_refused_before_any_parameter_is_read():
    entries = hostile.npz_entries(_model())
    entries["layer_dims"] = hostile.npy(np.array([10**6, 10**6, 1]))
    _refused(hostile.npz(entries), "parameters, more than a model of this app can have")


def test_encrypted_and_too_many_entries_are_refused():
    entries = {f"x{i}": hostile.npy(np.zeros(1)) for i in range(500)}
    _refused(hostile.npz(entries), "500 entries")
    data = bytearray(_model())
    pos = data.find(b"PK\x01\x02")
    data[pos + 8] |= 1
    _refused(bytes(data), "encrypted")


@pytest.mark.parametrize("iteration, message", [
    (float("inf"), "Infinity"), ([1], "iteration must be a whole number"),
    (None, "iteration must be a whole number"), (10**30, "iteration must be a whole number"),
    (-1, "iteration must be a whole number"), (20.0, "iteration must be a whole number"),
    (True, "iteration must be a whole number"),
])
def test_bad_iteration_values_are_value_errors(iteration, message):
    run = _run()
    bad = hostile.with_hyper(_model(run), iteration=iteration) if iteration != float("inf") else \
        hostile.with_meta(_model(run), json.dumps({"hidden_activation": "relu",
                                                   "hyperparameters": {"iteration": float("inf")}}))
    with pytest.raises(ValueError, match=message):
        dnn.load_run(bad, run.X, run.Y)


@pytest.mark.parametrize("field, value, message", [
    ("learning_rate", "fast", "'learning_rate' = 'fast' is not of the expected type"),
    ("learning_rate", None, "'learning_rate' = None"),
    ("learning_rate", [0.1], "'learning_rate'"),
    ("seed", 1.5, "'seed' = 1.5"),
    ("seed", True, "'seed' = True"),
    ("init", 3, "'init' = 3"),
    ("num_iterations", {"a": 1}, "number, text, true/false, null or a flat list"),
    ("shiny_new_knob", 1, "settings this app does not know: shiny_new_knob"),
    ("learning_rate", -1.0, "learning rate must be a positive finite number"),
])
def test_every_setting_is_type_checked_before_building_the_config(field, value, message):
    run = _run()
    with pytest.raises(ValueError, match=message):
        dnn.load_run(hostile.with_hyper(_model(run), **{field: value}), run.X, run.Y)


def test_nan_and_infinity_constants_are_refused():
    for constant in ("NaN", "Infinity", "-Infinity"):
        text = f'{{"hidden_activation": "relu", "hyperparameters": {{"learning_rate": {constant}}}}}'
        _refused(hostile.with_meta(_model(), text), "not a number this app accepts")


def test_deeply_nested_metadata_is_refused_without_recursion():
    deep = '{"hidden_activation": "relu", "hyperparameters": {"x": ' + "[" * 200_000 + "]" * 200_000 + "}}"
    with pytest.raises(ValueError, match="characters long"):
        load_model(hostile.with_meta(_model(), deep))
    nested = '{"hidden_activation": "relu", "hyperparameters": {"x": ' + "[" * 50 + "]" * 50 + "}}"
    _refused(hostile.with_meta(_model(), nested), "nested deeper than")
    tricky = '{"hidden_activation": "relu", "hyperparameters": {"x": "[[[[[[[[[[[[[[[[[[[[[[[["}}'
    assert load_model(hostile.with_meta(_model(), tricky)).hyperparameters["x"].startswith("[[[")


def test_metadata_length_and_field_types():
    _refused(hostile.with_meta(_model(), " " * (MAX_META_CHARS + 1)), "characters long")
    _refused(hostile.with_meta(_model(), '{"hidden_activation": 7, "hyperparameters": {}}'), "must be text")
    _refused(hostile.with_meta(_model(), '{"hidden_activation": "relu", "hyperparameters": {"x": [[1]]}}'),
             "flat list")
    _refused(hostile.with_meta(_model(), '{"hidden_activation": "relu", "hyperparameters": {"x": "%s"}}' % ("a" * 300)),
             "over 256 characters")


def test_every_train_config_field_round_trips():
    """save_run/load_run go over dataclasses.fields(TrainConfig): whatever fields the engine adds."""
    run = _run(seed=7, learning_rate=0.02, init="he", dtype="float32")
    back = dnn.load_run(_model(run), run.X, run.Y)
    assert back.config == run.config and back.iteration == 20
    saved = load_model(_model(run)).hyperparameters
    names = {f.name for f in dataclasses.fields(TrainConfig)} - {"layer_dims", "hidden_activation"}
    assert set(saved) == names | {"iteration"}


def test_pickled_entry_is_refused_from_its_header():
    entries = hostile.npz_entries(_model())
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    entries["classes"] = buf.getvalue()
    _refused(hostile.npz(entries), "pickled")


def test_save_model_output_still_loads():
    rng = np.random.RandomState(0)
    params = {f"W{l}": rng.randn(DIMS[l], DIMS[l - 1]) for l in range(1, 4)}
    params.update({f"b{l}": rng.randn(DIMS[l], 1) for l in range(1, 4)})
    buf = io.BytesIO()
    save_model(buf, params, layer_dims=DIMS, hidden_activation="relu", hyperparameters={"keep_prob": [0.5, 1.0]},
               classes=["a", "b"], cost_iterations=[0], costs=[0.7])
    model = load_model(buf.getvalue())
    assert model.hyperparameters == {"keep_prob": [0.5, 1.0]}
    np.testing.assert_allclose(model.parameters["W2"], params["W2"])
