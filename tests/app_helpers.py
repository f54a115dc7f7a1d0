"""Helpers shared by the AppTests of the pages."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import dnn
from ui.session import SESSION_KEY, Session


def sess(at: AppTest) -> Session:
    """The app's one Session object of this AppTest."""
    return at.session_state[SESSION_KEY]


def put_run(at: AppTest, hidden=(7,), iterations=100, init="course", act="relu", train=None) -> dnn.Trainer:
    """A run of a small network on the session's dataset, trained ``train`` (default all) iterations,
    put in the session as if the Train page had made it."""
    s = sess(at)
    ds = s.dataset
    cfg = dnn.TrainConfig(layer_dims=(ds.n_x, *hidden, 1), hidden_activation=act, init=init,
                          num_iterations=iterations, record_every=10, accuracy_every=10)
    run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    run.advance(iterations if train is None else train)
    s.config, s.run = cfg, run
    return run


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def use_data(at: AppTest, dataset, key: str) -> None:
    """Switch the session's data as the Data page does."""
    from ui.controller import Controller
    Controller(sess(at)).switch_dataset(dataset, key)


_ESCAPED = r"\\([!-/:-@\[-`{-~])"  # a backslash before ASCII punctuation: CommonMark shows the character


def rendered(markdown: str) -> str:
    """The text a reader sees for Markdown that uses no syntax but backslash escapes and ** emphasis."""
    import re
    return re.sub(_ESCAPED, r"\1", markdown.replace("**", ""))


def unescaped_syntax(markdown: str, chars: str = "[]()!<>`:") -> list[str]:
    """The Markdown/HTML/directive characters of ``markdown`` that are NOT backslash-escaped (would be
    interpreted: a link, an image, a tag, a code span, a :directive:)."""
    import re
    plain = re.sub(_ESCAPED, "", markdown)
    return [c for c in plain if c in chars]
