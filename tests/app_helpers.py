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


def put_collapsed_run(at: AppTest) -> dnn.Trainer:
    """The course's five-layer net trained 300 iterations at lr 0.5: a whole ReLU layer dies, the network
    answers one class for everything and its saliency dA0 is exactly 0 (needs the course data)."""
    s = sess(at)
    ds = s.dataset
    cfg = dnn.TrainConfig(layer_dims=(ds.n_x, 20, 7, 5, 1), learning_rate=0.5, num_iterations=300)
    run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    run.advance(300)
    s.config, s.run = cfg, run
    return run


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def use_data(at: AppTest, dataset, key: str) -> None:
    """Switch the session's data as the Data page does."""
    from ui.controller import Controller
    Controller(sess(at)).switch_dataset(dataset, key)


_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def _tokens(markdown: str) -> list[tuple[str, str]]:
    """(kind, text) pieces of inline Markdown: "escaped" characters, "code" spans and "plain" characters,
    as CommonMark reads backslash escapes and backtick code spans."""
    out, i = [], 0
    while i < len(markdown):
        c = markdown[i]
        if c == "\\" and i + 1 < len(markdown) and markdown[i + 1] in _PUNCT:
            out.append(("escaped", markdown[i + 1]))
            i += 2
        elif c == "`":
            run = len(markdown[i:]) - len(markdown[i:].lstrip("`"))
            fence = "`" * run
            end = i + run
            while True:
                end = markdown.find(fence, end)
                if end < 0 or markdown[end + run:end + run + 1] != "`":
                    break
                end += run + len(markdown[end + run:]) - len(markdown[end + run:].lstrip("`"))
            if end < 0:
                out.append(("plain", fence))
                i += run
                continue
            code = markdown[i + run:end]
            if len(code) > 1 and code.startswith(" ") and code.endswith(" ") and code.strip():
                code = code[1:-1]
            out.append(("code", code))
            i = end + run
        else:
            out.append(("plain", c))
            i += 1
    return out


def rendered(markdown: str) -> str:
    """The text a reader sees for Markdown that uses no syntax but backslash escapes, code spans and **."""
    return "".join(text for _, text in _tokens(markdown.replace("**", "")))


def unescaped_syntax(markdown: str, chars: str = "[]()!<>`:") -> list[str]:
    """The Markdown/HTML/directive characters of ``markdown`` that are neither backslash-escaped nor inside a
    code span (they would be interpreted: a link, an image, a tag, a code span, a :directive:)."""
    return [text for kind, text in _tokens(markdown) if kind == "plain" and text in chars]


def autolinkable(markdown: str) -> list[str]:
    """Bare URLs, www. names and e-mail addresses outside code spans: GitHub Markdown links them even when
    every character around them is escaped."""
    import re
    plain = "".join(text if kind != "code" else " " for kind, text in _tokens(markdown))
    return re.findall(r"https?://\S+|www\.\S+|\S+@\S+\.\S+", plain, re.IGNORECASE)


def markdown_syntax(markdown: str) -> str:
    """``markdown`` with every escaped character and code span replaced by NUL: what is left is what
    Markdown could still interpret (look for "](", "![", "<tag")."""
    return "".join(text if kind == "plain" else "\0" for kind, text in _tokens(markdown))
