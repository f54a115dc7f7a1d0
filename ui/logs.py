"""The server's log: Python ``logging`` under the "dnn_explorer" logger, configured once per process.

- ``configure()`` (first line of app.py) sets the level from ``DNN_LOG_LEVEL`` (default INFO) and writes to
  the terminal running the server (stderr), and also to ``DNN_LOG_FILE`` when that names a file;
- one helper per event worth a teacher's or an operator's attention: ``store_failure``, ``listener_failure``,
  ``refused_upload``, ``restored_runs``, ``store_offline``.

Every record carries a short session id (the first 8 hex digits of ``Session.id``) and never user data: no
names, no photos, no labels or text a user typed.  The helpers take only what is safe to write: the kind of
event, an exception's type, counts, and texts the app itself wrote (such as a store error's message, which
names only the app's own limits).
"""
from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable

from store.errors import StoreError

ROOT = "dnn_explorer"
LEVEL_ENV, FILE_ENV = "DNN_LOG_LEVEL", "DNN_LOG_FILE"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_MARK = "_dnn_explorer_handler"
REPEAT_SECONDS = 60.0
_lock = threading.Lock()
_last_offline: dict[str, float] = {}  # the process's log throttle: failure line -> when it was last written


def logger(name: str = "") -> logging.Logger:
    """``dnn_explorer`` or ``dnn_explorer.<name>``."""
    return logging.getLogger(f"{ROOT}.{name}" if name else ROOT)


def _level(raw: str | None) -> int:
    value = logging.getLevelName((raw or "INFO").strip().upper())
    return value if isinstance(value, int) else logging.INFO


def configure(environ: dict[str, str] | None = None) -> logging.Logger:
    """Give the app's logger its level and handlers; later calls change nothing (Streamlit reruns app.py on
    every interaction, so this is called often)."""
    env = os.environ if environ is None else environ
    root = logger()
    with _lock:
        if any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
            return root
        root.setLevel(_level(env.get(LEVEL_ENV)))
        handlers: list[logging.Handler] = [logging.StreamHandler()]
        path = env.get(FILE_ENV, "").strip()
        if path:
            try:
                handlers.append(logging.FileHandler(path, encoding="utf-8"))
            except OSError as exc:  # a log file that cannot be opened must not stop the app
                root.warning("DNN_LOG_FILE cannot be opened (%s); logging to the terminal only", type(exc).__name__)
        for handler in handlers:
            handler.setFormatter(logging.Formatter(FORMAT))
            setattr(handler, _HANDLER_MARK, True)
            root.addHandler(handler)
    return root


def short_id(session_id: str | None) -> str:
    """The first 8 hex digits of a session id: enough to follow one tab in the log, no more."""
    text = "".join(c for c in str(session_id or "") if c in "0123456789abcdef")
    return text[:8] or "-"


def store_failure(session_id: str | None, exc: BaseException, what: str = "save") -> None:
    """A save, restore or other store call that failed (its type and the app's own message)."""
    logger("store").warning("session %s: store %s failed: %s: %s", short_id(session_id), what,
                            type(exc).__name__, _safe(exc))


def store_offline(session_id: str | None, exc: BaseException, clock: Callable[[], float] = time.monotonic) -> None:
    """The store could not be opened: the app works without saving.  Pages ask for the store on every run,
    so the same failure is written at most once per REPEAT_SECONDS (the log must not flood)."""
    line = f"{type(exc).__name__}: {_safe(exc)}"
    with _lock:
        last = _last_offline.get(line)
        if last is not None and clock() - last < REPEAT_SECONDS:
            return
        if len(_last_offline) > 100:
            _last_offline.clear()
        _last_offline[line] = clock()
    logger("store").error("session %s: the run store cannot be opened, runs are not saved: %s",
                          short_id(session_id), line)


def listener_failure(session_id: str | None, event: str, listener: object, exc: BaseException) -> None:
    """A controller listener that raised; the traceback is the app's own code, never user data."""
    name = getattr(listener, "__qualname__", None) or type(listener).__name__
    logger("controller").error("session %s: listener %s failed on %r: %s at %s", short_id(session_id), name,
                               event, type(exc).__name__, where(exc))


def where(exc: BaseException) -> str:
    """Where an exception was raised (file:line in function, innermost last), without its message: the
    message of an arbitrary exception could quote user data."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    return " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in reversed(frames)) or "?"


def refused_upload(kind: str, reason: str, session_id: str | None) -> None:
    """An upload the app refused: ``kind`` (e.g. "model", "zip", "h5", "photo") and a short reason the app
    wrote (e.g. "too large", "not a zip"), never the file's name or contents."""
    logger("uploads").info("session %s: refused %s upload: %s", short_id(session_id), kind, reason[:200])


def restored_runs(session_id: str | None, count: int, interrupted: bool) -> None:
    """A returning browser's runs came back from the store."""
    logger("store").info("session %s: restored %d run(s)%s", short_id(session_id), count,
                         ", the latest continues training" if interrupted else "")


def _safe(exc: BaseException) -> str:
    """What may be written of an exception.  The store's messages are the app's own sentences, with the
    driver's words in ``detail`` (hosts and ports are for the operator's log, never the page); an OSError's
    errno and text; a database driver's first line (its SQL and parameters, on later lines, are left out).
    Anything else only says where it was raised: its message could quote user data."""
    if isinstance(exc, OSError):
        return f"errno {exc.errno}: {exc.strerror or ''}"
    text = str(exc).strip().splitlines()
    line = text[0][:300] if text else ""
    if isinstance(exc, StoreError):
        detail = str(getattr(exc, "detail", "") or "")
        return f"{line} [{detail[:300]}]" if detail else line
    if type(exc).__module__.split(".")[0] in ("sqlalchemy", "sqlite3", "psycopg"):
        return line
    return f"at {where(exc)}"
