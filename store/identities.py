"""Browser identities the server minted, and how many a client address may get.

A browser token is a random part and an HMAC-SHA256 of it under the server's secret (44 URL-safe
characters, so the store's token checks accept it unchanged).  A token that does not verify was not
minted here: ``verify`` refuses it, so a client cannot make up identities offline, only ask the server,
and the server notes each one it mints with a keyed digest of the client's address (``origin_of``):
``IdentityStore.register`` refuses more than ``identities_per_address_hour`` per address.

The secret: ``DNN_SECRET_KEY`` (at least 32 characters), or ``secret.key`` in the data folder, created
on first use (mode 0600).  Replicas share it through the environment or a shared data folder.
Tokens minted before signing existed stay valid for browsers the store already knows (``known``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

import sqlalchemy as sa

from .database import data_home, transaction
from .errors import QuotaExceeded
from .schema import board_entries, boards, identities, runs
from .tokens import TOKEN_PATTERN, digest

SECRET_FILE = "secret.key"
MIN_SECRET = 32
HOUR = 3600.0
_BODY, _SIG = 22, 22  # characters of the random part (16 bytes) and of the signature (16 bytes)


@dataclass(frozen=True)
class IdentityCaps:
    """Per-address limits. ``from_env`` reads ``DNN_<FIELD>`` (e.g. DNN_IDENTITIES_PER_ADDRESS_HOUR)."""

    identities_per_address_hour: int = 60  # a class of 30 on one address, each with a spare private window
    runs_per_address_hour: int = 900       # 30 students x 30 runs an hour (a run a couple of minutes each)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IdentityCaps:
        return replace(cls(), **positive_ints_from_env(cls, environ))


def positive_ints_from_env(cls, environ: Mapping[str, str] | None) -> dict[str, int]:
    """``DNN_<FIELD>`` for each field of the dataclass ``cls`` that is set; ValueError unless a positive integer."""
    env = os.environ if environ is None else environ
    found = {}
    for f in fields(cls):
        name = f"DNN_{f.name.upper()}"
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) <= 0:
            raise ValueError(f"{name}={raw!r} must be a positive whole number.")
        found[f.name] = int(raw)
    return found


def server_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """The signing secret: $DNN_SECRET_KEY, or the data folder's secret.key (made once, readable by us only)."""
    env = os.environ if environ is None else environ
    raw = env.get("DNN_SECRET_KEY", "").strip()
    if raw:
        if len(raw) < MIN_SECRET:
            raise ValueError(f"DNN_SECRET_KEY must be at least {MIN_SECRET} characters long.")
        return raw.encode("utf-8")
    path = data_home(env) / SECRET_FILE
    return _read_or_create(path)


def _read_or_create(path: Path) -> bytes:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:  # the first process writes it; O_EXCL makes the others read it
            out.write(secrets.token_hex(32))
    for _ in range(50):  # another process may have created the file a moment ago and still be writing
        value = path.read_text().strip()
        if len(value) >= MIN_SECRET:
            return value.encode("ascii")
        time.sleep(0.01)
    raise ValueError(f"The secret file {path} is damaged (shorter than {MIN_SECRET} characters); delete it.")


def _sign(body: str, secret: bytes) -> str:
    mac = hmac.new(secret, b"dnn_browser:" + body.encode("ascii"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def mint(secret: bytes) -> str:
    """A fresh signed browser token."""
    body = secrets.token_urlsafe(16)
    return body + _sign(body, secret)


def verify(token: object, secret: bytes) -> bool:
    """Whether ``token`` is a browser token this server (this secret) minted."""
    if not isinstance(token, str) or len(token) != _BODY + _SIG or not TOKEN_PATTERN.fullmatch(token):
        return False
    return hmac.compare_digest(_sign(token[:_BODY], secret), token[_BODY:])


def origin_of(address: str, secret: bytes) -> str:
    """A keyed digest of a client address: countable, but no address is stored."""
    return hmac.new(secret, b"address:" + str(address).encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class IdentityStore:
    """The minted identities in the store: registered with their origin, counted per address."""

    def __init__(self, engine: sa.Engine, caps: IdentityCaps | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._engine, self.caps, self._clock = engine, caps or IdentityCaps.from_env(), clock

    def register(self, token: str, origin: str | None) -> None:
        """Note a newly minted token; QuotaExceeded when its address had too many new ones this hour."""
        who, now = digest(token, "browser token"), self._clock()
        with transaction(self._engine) as conn:
            if origin is not None:
                recent = conn.execute(sa.select(sa.func.count()).where(
                    identities.c.origin == origin, identities.c.created_at > now - HOUR)).scalar_one()
                if recent >= self.caps.identities_per_address_hour:
                    raise QuotaExceeded(
                        f"Your network started {recent} new browsers here in the last hour, the most allowed: "
                        "your work stays in this page but is not saved. Use the browser you started with.")
            conn.execute(identities.insert().values(owner=who, origin=origin, created_at=now))

    def accepts(self, token: str, secret: bytes) -> bool:
        """Whether the store should take ``token`` as an owner: minted here (signed), or known from before."""
        return verify(token, secret) or self.known(token)

    def check_new_run(self, origin: str | None) -> None:
        """QuotaExceeded when the address ``origin`` created runs_per_address_hour runs in the last hour
        (for RunStore.create, which then stores ``origin`` on the row)."""
        if origin is None:
            return
        with transaction(self._engine) as conn:
            recent = conn.execute(sa.select(sa.func.count()).select_from(runs).where(
                runs.c.origin == origin, runs.c.created_at > self._clock() - HOUR)).scalar_one()
        if recent >= self.caps.runs_per_address_hour:
            raise QuotaExceeded(f"Your network started {recent} runs here in the last hour, the most allowed: "
                                "this run stays in this page but is not saved.")

    def known(self, token: str) -> bool:
        """Whether the store has met this browser (minted here, or owning runs, boards or entries before)."""
        try:
            who = digest(token)
        except ValueError:
            return False
        with transaction(self._engine) as conn:
            for column in (identities.c.owner, runs.c.owner, boards.c.teacher, board_entries.c.submitter):
                if conn.execute(sa.select(column).where(column == who).limit(1)).first() is not None:
                    return True
        return False

    def forget_since(self, since: float) -> int:
        """Operator clean-up: forget identities minted since ``since`` (their runs are store.runs' business)."""
        with transaction(self._engine) as conn:
            return conn.execute(identities.delete().where(identities.c.created_at >= since)).rowcount
