"""Text from outside (a link, a file, a folder or class name, a loader's note) shown literally.

Streamlit renders Markdown in titles, captions, alerts and metric labels: a link value such as
``[Session expired: log in](https://evil.example)`` would become a real link and ``![](https://x/p.png)`` an
image.  ``literal`` escapes every character Markdown, Streamlit's directives (``:red[...]``, ``:material/x:``)
or HTML could interpret, so the text reads exactly as given.
"""
from __future__ import annotations

import re

MAX_SHOWN = 200  # characters of an outside value shown back; longer ones are cut with an ellipsis
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def literal(value: object, limit: int = MAX_SHOWN) -> str:
    """``value`` as Markdown that renders as exactly its text (one line, at most ``limit`` characters)."""
    text = " ".join(str(value).split())  # no line breaks: a newline could start a heading or a list
    if len(text) > limit:
        text = text[:limit] + "…"
    return _PUNCTUATION.sub(r"\\\1", text)
