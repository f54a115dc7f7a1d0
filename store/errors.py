"""What the run store refuses, each with a message fit to show a user as it is."""
from __future__ import annotations


class StoreError(ValueError):
    """Base class: ``str(error)`` is a complete sentence for the page."""


class NotFound(StoreError):
    """No such run, share link or class board (or it expired, or belongs to another browser)."""


class QuotaExceeded(StoreError):
    """A cap on runs or bytes (per browser, per run or in total) would be passed."""


class CorruptRecord(StoreError):
    """A stored row failed the checks on load (damaged, oversized or inconsistent)."""


class LeaseLost(StoreError):
    """Another tab or window took over this run; this session's copy is no longer saved."""


class BoardClosed(StoreError):
    """The class board no longer takes entries."""


class StoreUnavailable(StoreError):
    """The database cannot be reached; work stays in this session only."""
