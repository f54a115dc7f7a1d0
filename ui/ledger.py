"""The server's memory ledger: what every live session's run may use, held under one total.

dnn's memory budget (DNN_MEMORY_BUDGET_MB) bounds one run; three tabs at that budget still exhaust a
laptop.  Each session reserves its run's estimate (the trainer, dnn.estimate_memory_bytes, plus the
page's drawing of it after Start) before the run is made; the reservation replaces the session's
previous one and is freed when the session ends (its Session object is collected).  A run that would
take the sum over DNN_MEMORY_TOTAL_MB is refused with a message.  Pure Python apart from
``process_ledger`` (one per server process, Streamlit's cache_resource).
"""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path

import streamlit as st

from dnn.units import fmt_bytes
from ui import logs

MB = 1024 * 1024
FALLBACK_TOTAL_MB = 4096
MEMINFO = Path("/proc/meminfo")
# The page's drawing after Start: the network graph's and histograms' copies of the weights, Inspect's
# snapshots and the charts' JSON, about four float64 copies of the parameters (measured peaks of the
# largest allowed network were 1.7x its trainer estimate; the weights dominate them).
DRAWING_COPIES = 4


def machine_total_mb(meminfo: Path = MEMINFO) -> int | None:
    """MemTotal of this machine in MB, or None where /proc/meminfo is missing or unreadable."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def total_bytes(environ: Mapping[str, str] | None = None, meminfo: Path = MEMINFO) -> int:
    """DNN_MEMORY_TOTAL_MB, or half of the machine's memory (4096 MB when it cannot be read)."""
    env = os.environ if environ is None else environ
    raw = env.get("DNN_MEMORY_TOTAL_MB", "").strip()
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            raise ValueError(f"DNN_MEMORY_TOTAL_MB={raw!r} is not a number of megabytes.") from None
        if not mb > 0:
            raise ValueError(f"DNN_MEMORY_TOTAL_MB must be positive, got {raw!r}.")
        return int(mb * MB)
    found = machine_total_mb(meminfo)
    return (found // 2 if found else FALLBACK_TOTAL_MB) * MB


def drawing_bytes(layer_dims: Sequence[int]) -> int:
    """What the page's drawing of a run of this shape holds, on top of the trainer."""
    params = sum(int(a) * int(b) + int(b) for a, b in zip(layer_dims[:-1], layer_dims[1:], strict=True))
    return DRAWING_COPIES * 8 * params


class MemoryLedger:
    """Reservations of the live sessions, in bytes, never above ``total``."""

    def __init__(self, total: int) -> None:
        if total <= 0:
            raise ValueError("The memory total must be positive.")
        self.total = int(total)
        self._lock = threading.Lock()
        self._held: dict[str, int] = {}
        self._watched: set[str] = set()

    def reserve(self, key: str, nbytes: int) -> None:
        """Hold ``nbytes`` for ``key`` (replacing what it held); ValueError, holding nothing new, when the sum
        would pass the total."""
        nbytes = int(nbytes)
        if nbytes < 0:
            raise ValueError("A reservation cannot be negative.")
        with self._lock:
            others = sum(v for k, v in self._held.items() if k != key)
            if others + nbytes > self.total:
                raise ValueError(
                    f"The server is short of memory: this run needs about {fmt_bytes(nbytes)} and the runs open "
                    f"in other tabs and sessions hold {fmt_bytes(others)} of the {fmt_bytes(self.total)} this "
                    "server gives training. "
                    "Try a smaller network or dataset, or try again when a classmate has finished.")
            self._held[key] = nbytes

    def release(self, key: str) -> None:
        with self._lock:
            self._held.pop(key, None)

    def held(self, key: str | None = None) -> int:
        """Bytes held by ``key``, or by everyone."""
        with self._lock:
            return self._held.get(key, 0) if key is not None else sum(self._held.values())

    def watch(self, owner: object, key: str) -> None:
        """Free ``key``'s reservation when ``owner`` (a session's Session) is garbage collected: when
        Streamlit forgets a closed session, its run's memory goes back to the others (once per key)."""
        with self._lock:
            if key in self._watched:
                return
            self._watched.add(key)
        weakref.finalize(owner, self._forget, key)

    def _forget(self, key: str) -> None:
        with self._lock:
            self._held.pop(key, None)
            self._watched.discard(key)


def run_bytes(config, m: int, m_test: int, memory_settings: Mapping[str, object]) -> int:
    """A run's reservation: dnn's estimate of the trainer plus the page's drawing of it."""
    import dnn

    trainer = dnn.estimate_memory_bytes(config.layer_dims, m, config.dtype, m_test,
                                        **memory_settings)  # type: ignore[arg-type]  # settings.memory_settings' names and types
    return int(trainer) + drawing_bytes(config.layer_dims)


def admit(ledger: MemoryLedger, session, config, X_train, X_test) -> None:
    """Reserve the memory of the run ``session`` (a ui.session.Session) is about to make (ValueError when it
    does not fit), freed when the session goes."""
    from ui import settings

    m_test = 0 if X_test is None else int(X_test.shape[1])
    ledger.reserve(session.id, run_bytes(config, int(X_train.shape[1]), m_test, settings.memory_settings(config)))
    ledger.watch(session, session.id)


@st.cache_resource(show_spinner=False)
def process_ledger() -> MemoryLedger:
    """The one ledger of this server process (DNN_MEMORY_TOTAL_MB, read when the server first needs it).

    A bad value is the operator's mistake, not the student's: it is logged once and the default is used, so
    no page fails for it."""
    try:
        return MemoryLedger(total_bytes())
    except ValueError as exc:
        logs.logger("ledger").error("%s Using the default: half of the machine's memory.", exc)
        return MemoryLedger(total_bytes({}))
