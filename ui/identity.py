"""Which browser this is, across reloads and server restarts: a private token in a first-party cookie.

The store keeps a browser's runs under this token (as a digest).  Streamlit gives apps the cookies of
the connection read-only (``st.context.cookies``); a small script in the page (``st.html`` with
``unsafe_allow_javascript``, a public option) writes the cookie the first time, so every later
connection of this browser, after a reload or a reconnect to a restarted server, carries it.

Why a cookie and not a token in the URL: a URL gets copied into chats and screenshots and would hand
over the runs with it; share links are separate, read-only tokens.  The risk: the cookie is set by
script, so it is not HttpOnly; the app never renders outside text as HTML (ui/text.py), which is what
would let a script read it.  A browser that blocks cookies gets a new, empty identity on each reload.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

import streamlit as st

from store import new_token
from store.tokens import TOKEN_PATTERN
from ui.session import Session

COOKIE = "dnn_browser"
MAX_AGE_SECONDS = 365 * 24 * 3600
EXTRAS_KEY = "identity"


@dataclass(frozen=True)
class Identity:
    """``token`` names this browser; ``returning`` is True when it came with the connection's cookie."""

    token: str
    returning: bool


def from_cookies(cookies: Mapping[str, str]) -> Identity:
    """The identity a connection's cookies carry, or a fresh one when the cookie is absent or malformed."""
    value = cookies.get(COOKIE)
    if isinstance(value, str) and TOKEN_PATTERN.fullmatch(value):
        return Identity(value, True)
    return Identity(new_token(), False)


def cookie_script(token: str) -> str:
    """The script that stores ``token`` in this site's cookie for a year (the token is URL-safe text)."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError("Refusing to write a malformed browser token into the page.")
    cookie = json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={MAX_AGE_SECONDS}; SameSite=Lax")
    return (f"<script>document.cookie = {cookie} + (location.protocol === 'https:' ? '; Secure' : '');"
            "</script>")


def identity(s: Session) -> Identity:
    """This tab's browser identity, read once per session; writes the cookie while the browser lacks it."""
    known = s.extras.get(EXTRAS_KEY)
    if known is None:
        known = s.extras[EXTRAS_KEY] = from_cookies(st.context.cookies)
    if not known.returning:
        st.html(cookie_script(known.token), unsafe_allow_javascript=True)
    return known
