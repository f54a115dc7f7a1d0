"""Every cap and lifetime of the run store, in one table; operators override them by environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

DAY = 86_400.0
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps and lifetimes. ``Limits.from_env()`` reads ``DNN_STORE_<FIELD>`` (e.g. DNN_STORE_RUN_TTL_DAYS)."""

    runs_per_owner: int = 30            # a browser's runs; the oldest unshared ones make room
    bytes_per_owner: int = 150 * MB     # a browser's stored bytes (models, histories, configs)
    # One row.  The course's five-layer net [12288, 20, 7, 5, 1] (246k parameters) is 1.8 MB stored in
    # float64, 0.9 MB in float32; 8 MB holds a float64 network of about a million parameters (a first hidden
    # layer of 80 units on 64x64 colour images), four times the course's largest.  Checked from an estimate
    # before the run is encoded; bigger runs stay in their page and can be downloaded.
    bytes_per_run: int = 8 * MB
    runs_total: int = 20_000
    bytes_total: int = 8 * 1024 * MB
    run_ttl_days: float = 30.0          # unshared runs untouched this long are deleted
    shared_ttl_days: float = 180.0      # shared runs untouched this long are deleted
    board_ttl_days: float = 60.0        # class boards (and their entries) this old are deleted
    entries_per_board: int = 300
    entries_per_student: int = 5        # per board and browser
    boards_per_teacher: int = 20

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, with each ``DNN_STORE_<NAME>`` that parses as a positive number applied."""
        env = os.environ if environ is None else environ
        changes = {}
        for f in fields(cls):
            raw = env.get(f"DNN_STORE_{f.name.upper()}", "").strip()
            if not raw:
                continue
            try:
                value = int(raw) if f.type == "int" else float(raw)
            except ValueError:
                raise ValueError(f"DNN_STORE_{f.name.upper()}={raw!r} is not a number.") from None
            if value <= 0:
                raise ValueError(f"DNN_STORE_{f.name.upper()} must be positive, got {raw!r}.")
            changes[f.name] = value
        return replace(cls(), **changes)  # type: ignore[arg-type]  # each value has its field's type
