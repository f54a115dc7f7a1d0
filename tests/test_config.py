import dataclasses
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
    (dict(init="ones"), "Unknown initialisation"),
    (dict(dtype="float16"), "Unknown precision"),
    (dict(lambd=-0.1), "lambd must be a finite number >= 0"),
    (dict(lambd=math.nan), "lambd"),
    (dict(lambd=math.inf), "lambd"),
    (dict(lambd="0.7"), "lambd"),
    (dict(l1=-1e-3), "l1 must be"),
    (dict(l1=math.inf), "l1 must be"),
    (dict(keep_prob=0.0), r"keep_prob must be in \(0, 1\]"),
    (dict(keep_prob=1.5), "keep_prob"),
    (dict(keep_prob=-0.2), "keep_prob"),
    (dict(keep_prob=math.nan), "keep_prob"),
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=-64), "batch_size"),
    (dict(batch_size=32.0), "batch_size"),
    (dict(batch_size=True), "batch_size"),
    (dict(optimizer="sgd"), "Unknown optimizer"),
    (dict(beta=1.0), r"beta must be in \[0, 1\)"),
    (dict(beta=-0.1), "beta must be"),
    (dict(beta1=1.0), "beta1 must be"),
    (dict(beta2=math.nan), "beta2 must be"),
    (dict(beta2=1.2), "beta2 must be"),
    (dict(epsilon=0.0), "epsilon must be a positive"),
    (dict(epsilon=-1e-8), "epsilon"),
    (dict(decay="exponential"), "Unknown learning-rate decay"),
    (dict(decay_rate=-1.0), "decay_rate"),
    (dict(decay_rate=math.inf), "decay_rate"),
    (dict(time_interval=0), "time_interval"),
])
def test_bad_config_is_refused_with_a_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dnn.TrainConfig(**kwargs)


def test_config_is_frozen_and_normalised():
    cfg = dnn.TrainConfig(layer_dims=[4, np.int64(3), 1])
    assert cfg.layer_dims == (4, 3, 1) and cfg.L == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
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


def test_defaults_are_todays_full_batch_gradient_descent():
    cfg = dnn.TrainConfig()
    assert (cfg.lambd, cfg.l1, cfg.keep_prob, cfg.batch_size, cfg.optimizer, cfg.decay) == (
        0.0, 0.0, 1.0, None, "gd", "none")
    assert (cfg.beta, cfg.beta1, cfg.beta2, cfg.epsilon, cfg.decay_rate, cfg.time_interval) == (
        0.9, 0.9, 0.999, 1e-8, 1.0, 1000)
    assert dnn.LIVE_FIELDS == ("learning_rate", "lambd", "l1", "keep_prob")
    assert {"zeros", "large"} <= set(dnn.INITIALIZATIONS)


def test_memory_counts_the_trainers_work_arrays():
    dims, m = (12288, 20, 7, 5, 1), 209
    base = dnn.estimate_memory_bytes(dims, m)
    gram = dnn.estimate_memory_bytes(dims, m, first_layer="gram")
    assert base == gram and base - dnn.estimate_memory_bytes(dims, m, first_layer="direct") >= m * m * 8
    assert dnn.estimate_memory_bytes(dims, m, m_test=50) - base >= 12288 * 50 * 8  # X_test in the working dtype
    params = dnn.parameter_count(dims)
    direct = dict(first_layer="direct")
    plain = dnn.estimate_memory_bytes(dims, m, **direct)
    assert dnn.estimate_memory_bytes(dims, m, optimizer="adam", **direct) - plain == 2 * params * 8
    assert dnn.estimate_memory_bytes(dims, m, optimizer="momentum", **direct) - plain == params * 8
    assert dnn.estimate_memory_bytes(dims, m, keep_prob=0.5) > base
    # Adam cannot use the Gram layer: no m x m matrix in its estimate
    adam = dnn.estimate_memory_bytes(dims, m, optimizer="adam")
    assert adam == dnn.estimate_memory_bytes(dims, m, optimizer="adam", **direct)
    assert dnn.check_memory(dims, m, "float64", m_test=50, optimizer="adam") == dnn.estimate_memory_bytes(
        dims, m, "float64", 50, optimizer="adam")
