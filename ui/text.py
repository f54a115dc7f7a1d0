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


# ----- names and table cells --------------------------------------------------------------
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def isolate(name: object) -> str:
    """``name`` in a bidirectional isolate, so right-to-left text cannot reorder the columns around it."""
    text = str(name).replace(FSI, "").replace(PDI, "")
    return f"{FSI}{text}{PDI}"


def safe_cell(value: object) -> object:
    """A table or CSV cell a spreadsheet cannot run: text starting with = + - @, a tab or a return gets a
    leading apostrophe (OWASP's CSV-injection advice); numbers, None and lists pass unchanged."""
    if isinstance(value, str) and value.lstrip(FSI + " ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_rows(rows: list[dict]) -> list[dict]:
    """Every text cell of ``rows`` through :func:`safe_cell`: use it for every st.dataframe that shows
    outside text (its toolbar exports CSV)."""
    return [{k: safe_cell(v) for k, v in row.items()} for row in rows]
