"""Text from outside (a link, a file, a folder or class name, a loader's note) shown literally.

Streamlit renders Markdown in titles, captions, alerts and metric labels: a link value such as
``[Session expired: log in](https://evil.example)`` would become a real link and ``![](https://x/p.png)`` an
image.  ``literal`` backslash-escapes every character Markdown, Streamlit's directives (``:red[...]``,
``:material/x:``) or HTML could interpret.  Escapes cannot stop GitHub's autolinks (a bare URL, ``www.`` or
an e-mail address becomes a link whatever is escaped around it), so text holding one is shown as a code
span instead, where nothing is interpreted.  Either way the reader sees exactly the text.
"""
from __future__ import annotations

import re

MAX_SHOWN = 200  # characters of an outside value shown back; longer ones are cut with an ellipsis
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_AUTOLINKABLE = re.compile(r"://|www\.|@", re.IGNORECASE)


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def literal(value: object, limit: int = MAX_SHOWN) -> str:
    """``value`` as Markdown that renders as exactly its text (one line, at most ``limit`` characters)."""
    text = " ".join(str(value).split())  # no line breaks: a newline could start a heading or a list
    if len(text) > limit:
        text = text[:limit] + "…"
    if not text:
        return ""
    if _AUTOLINKABLE.search(text):
        return _code_span(text)
    return _PUNCTUATION.sub(r"\\\1", text)
