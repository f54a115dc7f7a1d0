"""Helpers shared by the AppTests of the pages that need a trained network."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import dnn
from ui.state import CONFIG, DATASET, RUN


def put_run(at: AppTest, hidden=(7,), iterations=100, init="course", act="relu", train=None) -> dnn.Trainer:
    """A run of a small network on the session's dataset, trained ``train`` (default all) iterations,
    put in the session as if the Train page had made it."""
    ds = at.session_state[DATASET]
    cfg = dnn.TrainConfig(layer_dims=(ds.n_x, *hidden, 1), hidden_activation=act, init=init,
                          num_iterations=iterations, record_every=10, accuracy_every=10)
    run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    run.advance(iterations if train is None else train)
    at.session_state[CONFIG] = cfg
    at.session_state[RUN] = run
    return run
