"""What the run store refuses, each with a message fit to show a user as it is."""
from __future__ import annotations


class StoreError(ValueError):
    """Base class: ``str(error)`` is a complete sentence for the page, never naming hosts, ports or users;
    ``detail`` holds what only the server's log may show (the database driver's own words)."""

    def __init__(self, message: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class NotFound(StoreError):
    """No such run, share link or class board (or it expired, or belongs to another browser)."""


class QuotaExceeded(StoreError):
    """A cap on runs or bytes (per browser, per run or in total) would be passed."""


class RunTooLarge(QuotaExceeded):
    """One run is over the per-run cap: it is never encoded or offered to the store again."""


class CorruptRecord(StoreError):
    """A stored row failed the checks on load (damaged, oversized or inconsistent)."""


class LeaseLost(StoreError):
    """Another tab or window took over this run; this session's copy is no longer saved."""


class BoardClosed(StoreError):
    """The class board no longer takes entries."""


class StoreUnavailable(StoreError):
    """The database cannot be reached; work stays in this session only."""


class DiskFull(StoreUnavailable):
    """The database's disk (or its size cap) is full: nothing more can be written until space is freed."""


DISK_FULL_MESSAGE = ("The server's disk is full, so your run could not be saved; it stays in this page. "
                     "Tell whoever runs the server (old runs can be removed with `python -m store forget`).")
UNAVAILABLE_MESSAGE = ("The run store cannot be reached right now; your work stays in this page until it is back. "
                       "If this lasts, tell whoever runs the server (its log says why).")
