import math

import numpy as np
import pytest

import dnn


@pytest.mark.parametrize("kwargs, message", [
    (dict(layer_dims=()), "at least an input size"),
    (dict(layer_dims=(12288,)), "at least an input size"),
    (dict(layer_dims=(12288, 0, 1)), "at least 1 unit"),
    (dict(layer_dims=(12288, -3, 1)), "at least 1 unit"),
    (dict(layer_dims=(12288, 2.5, 1)), "whole number"),
    (dict(layer_dims=(12288, 7, 2)), "output layer must have 1 unit"),
    (dict(learning_rate=0), "positive finite"),
    (dict(learning_rate=-0.1), "positive finite"),
    (dict(learning_rate=math.nan), "positive finite"),
    (dict(learning_rate=math.inf), "positive finite"),
    (dict(learning_rate="0.1"), "positive finite"),
    (dict(num_iterations=0), "num_iterations"),
    (dict(num_iterations=-5), "num_iterations"),
    (dict(seed=-1), "seed"),
    (dict(hidden_activation="softmax"), "Unknown activation"),
    (dict(init="zeros"), "Unknown initialisation"),
    (dict(dtype="float16"), "Unknown precision"),
])
def test_bad_config_is_refused_with_a_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dnn.TrainConfig(**kwargs)


def test_config_is_frozen_and_normalised():
    cfg = dnn.TrainConfig(layer_dims=[4, np.int64(3), 1])
    assert cfg.layer_dims == (4, 3, 1) and cfg.L == 2
    with pytest.raises(Exception):
        cfg.seed = 3


def test_memory_estimate_and_budget(monkeypatch):
    assert dnn.parameter_count([12288, 20, 7, 5, 1]) == 12288 * 20 + 20 + 20 * 7 + 7 + 7 * 5 + 5 + 5 + 1
    small = dnn.estimate_memory_bytes([12288, 20, 7, 5, 1], 209, "float64")
    assert small == dnn.estimate_memory_bytes([12288, 20, 7, 5, 1], 209, "float32") * 2
    assert dnn.check_memory([12288, 20, 7, 5, 1], 209, "float64") == small
    with pytest.raises(ValueError, match="more than the"):
        dnn.check_memory([12288, 100000, 1], 209, "float64")
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "1")
    with pytest.raises(ValueError, match="fewer or smaller hidden layers"):
        dnn.check_memory([12288, 20, 7, 5, 1], 209, "float64")
