"""Where the store lives and how to reach it: SQLite in the data folder by default, PostgreSQL by DATABASE_URL.

- ``DATABASE_URL`` (``postgresql://...``, ``postgres://...`` or ``sqlite:///...``) names the database;
- otherwise ``$DNN_DATA_HOME/store.sqlite3``, with ``DNN_DATA_HOME`` defaulting to ``.dnn-explorer/``
  beside app.py.  That folder is the only place the app writes to.
"""
from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from .errors import DISK_FULL_MESSAGE, UNAVAILABLE_MESSAGE, DiskFull, StoreUnavailable

DEFAULT_DATA_HOME = Path(__file__).resolve().parents[1] / ".dnn-explorer"
SQLITE_FILE = "store.sqlite3"
SQLITE_BUSY_MS = 10_000
CONNECT_TIMEOUT_S = 5


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """The folder for the SQLite store: $DNN_DATA_HOME, or .dnn-explorer/ beside app.py."""
    env = os.environ if environ is None else environ
    raw = env.get("DNN_DATA_HOME", "").strip()
    return Path(raw).expanduser().resolve() if raw else DEFAULT_DATA_HOME


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The SQLAlchemy URL to use, with PostgreSQL URLs pointed at the psycopg 3 driver."""
    env = os.environ if environ is None else environ
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_home(env) / SQLITE_FILE}"
    try:
        url = sa.engine.make_url(raw)
    except sa.exc.ArgumentError:
        raise ValueError("DATABASE_URL is not a database URL (expected postgresql://user:pass@host:port/db).") from None
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg"):
        url = url.set(drivername="postgresql+psycopg")
    elif url.drivername != "sqlite":
        raise ValueError(f"DATABASE_URL names {url.drivername!r}; the store supports PostgreSQL and SQLite.")
    return url.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: sa.engine.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:  # read-only disk, no permission, a file in the way...
            message = DISK_FULL_MESSAGE if is_disk_full(exc) else (
                "The server cannot create the folder its run store lives in (DNN_DATA_HOME), so runs are not "
                "saved; everything else works. Tell whoever runs the server (its log says why).")
            raise StoreUnavailable(message, detail=f"{type(exc).__name__}: {exc}") from exc
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    # SQLAlchemy's documented recipe for real SQLite transactions, with BEGIN IMMEDIATE so that two
    # writers queue on the busy timeout instead of failing on a read-to-write lock upgrade.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url`` (from :func:`database_url`); creates the SQLite folder if needed."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # pre_ping: a replica survives a database restart without handing out dead connections.
    # connect_timeout: an unreachable host fails in seconds instead of the system's TCP timeout (minutes).
    return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=10,
                            connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full"), PostgreSQL's disk_full (53100) or ENOSPC."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return True
    if getattr(orig, "sqlstate", None) == "53100":
        return True
    text = str(orig).lower()
    return "database or disk is full" in text or "no space left on device" in text


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction; a database that cannot be reached becomes StoreUnavailable (DiskFull when full).

    The page's message names no host, port or user: the driver's words go to ``detail`` for the log."""
    try:
        with engine.begin() as conn:
            yield conn
    except (sa.exc.OperationalError, sa.exc.InterfaceError, OSError) as exc:
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        reason = lines[0][:300] if lines else type(exc).__name__
        if is_disk_full(exc):
            raise DiskFull(DISK_FULL_MESSAGE, detail=reason) from exc
        raise StoreUnavailable(UNAVAILABLE_MESSAGE, detail=reason) from exc
