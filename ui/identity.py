"""Which browser this is, across reloads and server restarts: a token the server minted, in a first-party cookie.

The store keeps a browser's runs under this token (as a digest).  Streamlit gives apps the cookies of
the connection read-only (``st.context.cookies``); a small script in the page (``st.html`` with
``unsafe_allow_javascript``, a public option) writes the cookie the first time, so every later
connection of this browser, after a reload or a reconnect to a restarted server, carries it.

The token is signed by the server (store.identities): a cookie the server did not mint is not an
identity, so a script cannot make up a thousand "students" offline; it has to ask the server, which
mints at most ``DNN_IDENTITIES_PER_ADDRESS_HOUR`` per client address.  A token from before signing is
still accepted when the store already knows it (its runs stay reachable).

The client address: the connection's own (``st.context.ip_address``), or, only when the connection
comes from this machine (NGINX in deploy/ runs there), the ``X-Real-IP`` header NGINX sets.

Why a cookie and not a token in the URL: a URL gets copied into chats and screenshots and would hand
over the runs with it; share links are separate, read-only tokens.  The risk: the cookie is set by
script, so it is not HttpOnly; the app never renders outside text as HTML (ui/text.py), which is what
would let a script read it.  A browser that blocks cookies gets a new, empty identity on each reload.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from store import QuotaExceeded, StoreError, new_token
from store.identities import IdentityStore, mint, origin_of, server_secret, verify
from store.tokens import TOKEN_PATTERN
from ui.session import Session

COOKIE = "dnn_browser"
MAX_AGE_SECONDS = 365 * 24 * 3600
PROXY_HEADER = "X-Real-IP"
LOCAL = "local"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    """``token`` names this browser; ``returning`` is True when it came with the connection's cookie.

    ``legacy`` is an unsigned cookie value to accept if the store knows it; ``refused`` says why this
    browser's work is not saved (its address started too many browsers), empty otherwise."""

    token: str
    returning: bool
    legacy: str | None = None
    refused: str = ""


@st.cache_resource(show_spinner=False)
def secret() -> bytes:
    """The server's signing secret (DNN_SECRET_KEY or the data folder's secret.key), read once per process.
    A data folder that cannot be written must not stop the app (the store is then off too): a secret for
    this process only, so identities last until the server restarts."""
    try:
        return server_secret()
    except (OSError, ValueError) as exc:
        _log.error("No signing secret from DNN_SECRET_KEY or the data folder (%s: %s); using one for this process "
                   "only.", type(exc).__name__, exc)
        return secrets.token_hex(32).encode("ascii")


def from_cookies(cookies: Mapping[str, str], key: bytes | None = None) -> Identity:
    """The identity a connection's signed cookie carries, or a freshly minted one (remembering an unsigned
    cookie as ``legacy`` for the store to vouch for)."""
    key = secret() if key is None else key
    value = cookies.get(COOKIE)
    if value is not None and verify(value, key):
        return Identity(value, True)
    legacy = value if isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) else None
    return Identity(mint(key), False, legacy=legacy)


def client_address(ip: str | None, headers: Mapping[str, str]) -> str:
    """The client's address: the connection's, or NGINX's ``X-Real-IP`` when the connection is from this
    machine (Streamlit reports those as None).  Anything unparsable counts as one "local" client."""
    if ip is None:
        ip = headers.get(PROXY_HEADER) or LOCAL
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return LOCAL


def origin() -> str:
    """This connection's client address as the store counts it (a keyed digest, no address stored)."""
    return origin_of(client_address(st.context.ip_address, st.context.headers), secret())


def cookie_script(token: str) -> str:
    """The script that stores ``token`` in this site's cookie for a year (the token is URL-safe text)."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError("Refusing to write a malformed browser token into the page.")
    cookie = json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={MAX_AGE_SECONDS}; SameSite=Lax")
    return (f"<script>document.cookie = {cookie} + (location.protocol === 'https:' ? '; Secure' : '');"
            "</script>")


def settle(found: Identity, identities: IdentityStore | None, where: str | None) -> Identity:
    """A new session's identity once the store has had its say: a known unsigned cookie is kept, a minted
    token is registered under the client's address, or refused (then unsigned: the store will not take it)."""
    if found.returning or identities is None:
        return found
    try:
        if found.legacy and identities.known(found.legacy):
            return Identity(found.legacy, True)
        identities.register(found.token, where)
    except QuotaExceeded as exc:
        return Identity(new_token(), False, refused=str(exc))
    except StoreError:
        _log.warning("Could not register a new browser identity: the store is unavailable.")
    return found


def identity(s: Session) -> Identity:
    """This tab's browser identity, read once per session; writes the cookie while the browser lacks it."""
    known = s.identity
    if known is None:
        from ui.store_hooks import current_store  # here: store_hooks imports this module

        found, _ = current_store(s.id)
        identities = None if found is None else IdentityStore(found.engine)
        known = s.identity = settle(from_cookies(st.context.cookies), identities, origin())
    if not known.returning and not known.refused:
        st.html(cookie_script(known.token), unsafe_allow_javascript=True)
    return known


def accepted(s: Session) -> str | None:
    """Why this session's browser may not put anything in the store, or None when it may."""
    me = identity(s)
    if me.refused:
        return me.refused
    if not verify(me.token, secret()) and not me.returning:
        return "This browser has no identity the server issued; reload the page."
    return None
