"""A run saved as .npz comes back as a run with the same predictions and history."""
import io

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dnn


def data(seed=0, m=30):
    rng = np.random.RandomState(seed)
    X = rng.randn(8, m)
    return X, (X[:1] > 0).astype(np.int64)


def trained(iters=40, **kw):
    X, Y = data()
    Xt, Yt = data(1, 10)
    run = dnn.Trainer(dnn.TrainConfig((8, 4, 1), num_iterations=100, record_every=10, **kw), X, Y, Xt, Yt)
    run.advance(iters)
    return run


def test_round_trip_keeps_predictions_history_and_iteration():
    run = trained(hidden_activation="tanh", init="he", seed=7)
    buf = io.BytesIO()
    dnn.save_run(buf, run, [b"non-cat", b"cat"])
    back = dnn.load_run(buf.getvalue(), run.X, run.Y, run.X_test, run.Y_test)
    assert back.config == run.config and back.iteration == 40
    assert back.history.cost_iterations == run.history.cost_iterations
    assert_allclose(back.history.costs, run.history.costs, rtol=0)
    assert_allclose(back.predict_proba(run.X), run.predict_proba(run.X), rtol=1e-12)
    assert back.status == dnn.Status.PAUSED


def test_loaded_run_continues_like_the_original():
    run = trained()
    buf = io.BytesIO()
    dnn.save_run(buf, run, ["a", "b"])
    back = dnn.load_run(io.BytesIO(buf.getvalue()), run.X, run.Y)
    run.advance(60)
    back.advance(60)
    assert back.status == dnn.Status.DONE
    assert_allclose(back.parameters["W1"], run.parameters["W1"], rtol=1e-10)
    assert_allclose(back.history.costs, run.history.costs, rtol=1e-10)


def test_model_for_other_data_is_refused():
    run = trained()
    buf = io.BytesIO()
    dnn.save_run(buf, run, ["a", "b"])
    with pytest.raises(ValueError, match="expects inputs of size 8"):
        dnn.load_run(buf.getvalue(), np.ones((5, 3)), np.ones((1, 3)))
    with pytest.raises(ValueError):
        dnn.load_run(b"not a model", run.X, run.Y)


def test_one_config_codec_for_the_download_and_the_store():
    """The run store's config column and a downloaded model file's settings are one encoding (dnn.persist),
    so a type the file refuses is refused by the store too."""
    import store
    from dnn.persist import config_from_dict, config_to_dict

    cfg = dnn.TrainConfig(layer_dims=(2, 5, 1), optimizer="adam", batch_size=16, keep_prob=0.8, dtype="float32",
                          num_iterations=30, record_every=3, accuracy_every=3)
    assert store.config_to_json(cfg) == config_to_dict(cfg) and config_from_dict(config_to_dict(cfg)) == cfg
    X = np.random.RandomState(0).randn(2, 20)
    run = dnn.Trainer(cfg, X, (X[:1] > 0).astype(int))
    run.advance(30)
    buf = io.BytesIO()
    dnn.save_run(buf, run, ("a", "b"))
    saved = dnn.load_model(buf.getvalue())
    stored = {k: v for k, v in config_to_dict(cfg).items() if k not in ("layer_dims", "hidden_activation")}
    assert {k: v for k, v in saved.hyperparameters.items() if k != "iteration"} == stored
    assert store.config_from_json(store.config_to_json(cfg)) == cfg
    for bad in ({**config_to_dict(cfg), "learning_rate": "fast"}, {**config_to_dict(cfg), "knob": 1}):
        with pytest.raises(ValueError, match="expected type|does not know"):
            store.config_from_json(bad)
