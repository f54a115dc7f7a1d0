"""Runs in the store: saved as they go, listed and loaded by their browser, shared read-only by link.

Every call is one short transaction.  A run is saved only by the session holding its lease (a token the
session passes in), so two tabs of one browser never overwrite each other: the last to adopt a run wins
and the other is told.  Owners are browser tokens, stored as digests.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

import dnn
from dnn.units import fmt_bytes

from .database import transaction
from .errors import CorruptRecord, LeaseLost, NotFound, QuotaExceeded, RunTooLarge
from .identities import IdentityStore
from .limits import DAY, MB, Limits
from .records import LABEL_MAX, STATUSES, RunSummary, Saved, StoredRun, clean_text, dumps
from .schema import board_entries, identities, runs
from .tokens import RUN_ID_PATTERN, check_token, digest, new_run_id, new_token

# A "running" run saved this recently is being trained by some session, so it is not evicted to make room.
ACTIVE_SECONDS = 120.0
# Rows stored under an earlier, larger per-run cap still load (the load check guards memory, not quota).
LOAD_MAX_BYTES = 25 * MB
_log = logging.getLogger("dnn_explorer.store")
_SUMMARY_COLUMNS = (runs.c.id, runs.c.label, runs.c.dataset, runs.c.status, runs.c.iteration, runs.c.created_at,
                    runs.c.updated_at, runs.c.size, runs.c.share_token)


def _summary(row: sa.Row) -> RunSummary:
    return RunSummary(row.id, row.label, row.dataset, row.status, int(row.iteration), float(row.created_at),
                      float(row.updated_at), int(row.size), row.share_token)


def _run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.fullmatch(run_id):
        raise NotFound("There is no such run (the run id is malformed).")
    return run_id


def _check_status(status: str) -> str:
    status = getattr(status, "value", status)
    if status not in STATUSES:
        raise ValueError(f"Unknown run status {status!r}; expected one of {', '.join(STATUSES)}.")
    return status


def _payload(config: dict[str, Any], history: dict[str, Any], model: bytes | None) -> dict[str, Any]:
    try:
        config_text, history_text = dumps(config), dumps(history)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"A run's config and history must be plain finite JSON ({exc}).") from None
    blob = None if model is None else bytes(model)
    size = len(config_text) + len(history_text) + (0 if blob is None else len(blob))
    return {"config": config_text, "history": history_text, "model": blob, "size": size}


class RunStore:
    """Runs of many browsers in one database (see store.open_store)."""

    def __init__(self, engine: sa.Engine, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        self._engine, self.limits, self._clock = engine, limits, clock

    # ----- saving ---------------------------------------------------------------
    def create(self, owner: str, lease: str, *, label: str, dataset: str, config: dict[str, Any],
               history: dict[str, Any], status: str, iteration: int, model: bytes | None = None,
               origin: str | None = None) -> Saved:
        """Store a new run for the browser ``owner``, held by the session ``lease``.  ``origin`` (the keyed
        digest of the client's address, store.identities.origin_of) is counted against
        DNN_RUNS_PER_ADDRESS_HOUR (QuotaExceeded past it) and kept on the row."""
        who, now = digest(owner, "browser token"), self._clock()
        if origin is not None:
            origin = clean_text(origin, "address digest", 64)
            IdentityStore(self._engine, clock=self._clock).check_new_run(origin)
        row = _payload(config, history, model)
        row.update(id=new_run_id(), owner=who, label=clean_text(label, "run name", LABEL_MAX),
                   dataset=clean_text(dataset, "dataset name", 64), status=_check_status(status),
                   iteration=int(iteration), created_at=now, updated_at=now, lease=check_token(lease, "lease"),
                   origin=origin)
        self.purge_expired(now)
        with transaction(self._engine) as conn:
            evicted = self._make_room(conn, who, row["id"], row["size"])
            conn.execute(runs.insert().values(**row))
        return Saved(row["id"], evicted)

    def save(self, run_id: str, owner: str, lease: str, *, status: str, iteration: int,
             history: dict[str, Any], model: bytes | None, label: str | None = None) -> Saved:
        """Update a run's progress; LeaseLost when another session adopted it, NotFound when it is gone."""
        who, run_id = digest(owner, "browser token"), _run_id(run_id)
        row = _payload({}, history, model)
        del row["config"]
        values = dict(history=row["history"], model=row["model"], status=_check_status(status),
                      iteration=int(iteration), updated_at=self._clock())
        if label is not None:
            values["label"] = clean_text(label, "run name", LABEL_MAX)
        with transaction(self._engine) as conn:
            current = conn.execute(sa.select(runs.c.lease, sa.func.length(runs.c.config).label("config_len"))
                                   .where(runs.c.id == run_id, runs.c.owner == who)).first()
            if current is None:
                raise NotFound("This run is no longer in the store (it was deleted, forgotten or expired).")
            if current.lease != lease:
                raise LeaseLost("This run is now open in another tab or window; changes made here are no longer "
                                "saved. Reload this page to continue it here.")
            size = row["size"] + int(current.config_len or 0)
            evicted = self._make_room(conn, who, run_id, size)
            conn.execute(runs.update().where(runs.c.id == run_id).values(size=size, **values))
        return Saved(run_id, evicted)

    def adopt(self, run_id: str, owner: str, lease: str) -> None:
        """Make the session ``lease`` the one that saves this run (after a reload or restart)."""
        run_id = _run_id(run_id)
        with transaction(self._engine) as conn:
            done = conn.execute(runs.update().where(runs.c.id == run_id, runs.c.owner == digest(owner))
                                .values(lease=check_token(lease, "lease"))).rowcount
        if not done:
            raise NotFound("This run is no longer in the store (it was deleted, forgotten or expired).")

    def check_size(self, size: int) -> None:
        """RunTooLarge when a run of ``size`` bytes (an estimate before encoding, or the encoded size) is over
        the per-run cap: callers check before encoding, so a run that cannot be stored is never encoded."""
        if size > self.limits.bytes_per_run:
            raise RunTooLarge(f"This run needs about {fmt_bytes(size)}, more than the "
                              f"{fmt_bytes(self.limits.bytes_per_run)} one stored run may use, so it is kept in "
                              "this page only: download the model to keep it.")

    def _make_room(self, conn: sa.Connection, who: str, run_id: str, size: int) -> tuple[str, ...]:
        """Check the caps for a run of ``size`` bytes; remove the browser's oldest idle unshared runs if needed,
        and when the whole store is full, idle unshared runs of the newest identities (see _make_global_room)."""
        lim = self.limits
        self.check_size(size)
        active_since = self._clock() - ACTIVE_SECONDS
        mine = conn.execute(sa.select(runs.c.id, runs.c.size, runs.c.status, runs.c.share_token, runs.c.updated_at)
                            .where(runs.c.owner == who, runs.c.id != run_id)
                            .order_by(runs.c.updated_at)).all()
        count, total = len(mine) + 1, sum(r.size for r in mine) + size
        evict = []
        for r in mine:
            if count <= lim.runs_per_owner and total <= lim.bytes_per_owner:
                break
            if r.share_token is None and (r.status != "running" or r.updated_at < active_since):
                evict.append(r.id)
                count, total = count - 1, total - r.size
        if count > lim.runs_per_owner or total > lim.bytes_per_owner:
            raise QuotaExceeded(
                f"This browser already keeps {len(mine)} runs ({fmt_bytes(total - size)}); the most allowed is "
                f"{lim.runs_per_owner} runs and {fmt_bytes(lim.bytes_per_owner)}, and the rest are shared or training. "
                "Delete or unshare some on the My runs page.")
        if evict:
            conn.execute(runs.delete().where(runs.c.id.in_(evict)))
        evict += self._make_global_room(conn, who, run_id, size, active_since)
        return tuple(evict)

    def _make_global_room(self, conn: sa.Connection, who: str, run_id: str, size: int,
                          active_since: float) -> list[str]:
        """Keep the whole store under runs_total and bytes_total.  When a save would pass them, idle unshared
        runs go, those of the NEWEST identities first (an identity's age: when the server minted it, else its
        first run), each identity's least recently saved first: one person minting fresh identities to fill
        the store removes their own flood, not the class's earlier work.  Refused only when that is not enough.
        Returns the ids of ``who``'s own runs that went (the page tells its owner; others' are logged)."""
        lim = self.limits
        old = conn.execute(sa.select(runs.c.size).where(runs.c.id == run_id)).scalar() or 0
        count, total = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(runs.c.size), 0))).one()
        extra_runs = (int(count) + 1 - lim.runs_total) if old == 0 else 0
        extra_bytes = int(total) - old + size - lim.bytes_total
        if extra_runs <= 0 and extra_bytes <= 0:
            return []
        first = (sa.select(runs.c.owner, sa.func.min(runs.c.created_at).label("first"))
                 .group_by(runs.c.owner).subquery())
        born = sa.func.coalesce(identities.c.created_at, first.c.first).label("born")
        candidates = conn.execute(
            sa.select(runs.c.id, runs.c.size, runs.c.owner)
            .select_from(runs.join(first, first.c.owner == runs.c.owner)
                         .outerjoin(identities, identities.c.owner == runs.c.owner))
            .where(runs.c.id != run_id, runs.c.share_token.is_(None),
                   sa.or_(runs.c.status != "running", runs.c.updated_at < active_since))
            .order_by(born.desc(), runs.c.owner, runs.c.updated_at)).all()
        doomed, mine = [], []
        for r in candidates:
            if extra_runs <= 0 and extra_bytes <= 0:
                break
            doomed.append(r.id)
            if r.owner == who:
                mine.append(r.id)
            extra_runs, extra_bytes = extra_runs - 1, extra_bytes - int(r.size)
        if extra_runs > 0 or extra_bytes > 0:
            raise QuotaExceeded("The run store of this server is full; your run stays in this page only. "
                                "Tell whoever runs the server (old runs expire by themselves).")
        conn.execute(runs.delete().where(runs.c.id.in_(doomed)))
        _log.warning("store full: %d idle unshared run(s) of the newest identities removed to make room", len(doomed))
        return mine

    # ----- reading ----------------------------------------------------------------
    def list(self, owner: str) -> list[RunSummary]:
        """The browser's runs, most recently saved first (no arrays are read)."""
        with transaction(self._engine) as conn:
            rows = conn.execute(sa.select(*_SUMMARY_COLUMNS).where(runs.c.owner == digest(owner))
                                .order_by(runs.c.updated_at.desc())).all()
        return [_summary(r) for r in rows]

    def load(self, run_id: str, owner: str) -> StoredRun:
        """One of the browser's runs, every array checked (CorruptRecord when damaged or oversized)."""
        return self._load(runs.c.id == _run_id(run_id), runs.c.owner == digest(owner))

    def open_shared(self, share_token: str) -> StoredRun:
        """A shared run, read-only for whoever has the link."""
        try:
            check_token(share_token, "share link")
        except ValueError:
            raise NotFound("This share link is not valid: check that it was copied whole.") from None
        return self._load(runs.c.share_token == share_token)

    def _load(self, *where: sa.ColumnElement[bool]) -> StoredRun:
        sizes = (sa.func.coalesce(sa.func.length(runs.c.model), 0) + sa.func.length(runs.c.history)
                 + sa.func.length(runs.c.config)).label("actual")
        with transaction(self._engine) as conn:
            head = conn.execute(sa.select(*_SUMMARY_COLUMNS, sizes).where(*where)).first()
            if head is None:
                raise NotFound("This run is not in the store (it was deleted, unshared or has expired).")
            most = max(self.limits.bytes_per_run, LOAD_MAX_BYTES)
            if head.actual > most:
                raise CorruptRecord(f"The stored run '{head.label}' is {fmt_bytes(head.actual)}, over the "
                                    f"{fmt_bytes(most)} a run may use, so it was not loaded.")
            body = conn.execute(sa.select(runs.c.config, runs.c.history, runs.c.model)
                                .where(runs.c.id == head.id)).one()
        return _checked(_summary(head), body)

    # ----- deleting, sharing, expiry ---------------------------------------------------
    def delete(self, run_id: str, owner: str) -> None:
        """Delete one of the browser's runs (nothing happens for another browser's run)."""
        run_id = _run_id(run_id)
        with transaction(self._engine) as conn:
            conn.execute(runs.delete().where(runs.c.id == run_id, runs.c.owner == digest(owner)))

    def forget(self, owner: str) -> int:
        """Delete every run and board entry of this browser; returns the number of runs deleted."""
        who = digest(owner, "browser token")
        with transaction(self._engine) as conn:
            conn.execute(board_entries.delete().where(board_entries.c.submitter == who))
            return conn.execute(runs.delete().where(runs.c.owner == who)).rowcount

    def forget_created(self, *, since: float | None = None, owners: Sequence[str] = (),
                       dry_run: bool = False) -> tuple[int, int]:
        """The operator's broom: delete the runs (and class-board entries) created at or after ``since``, or
        by the identities ``owners`` (browser tokens or their SHA-256 digests), or both when both are given.
        Returns (runs, board entries) deleted, or that would be with ``dry_run``."""
        if since is None and not owners:
            raise ValueError("Say what to forget: a time (--since) and/or identities (--owner).")
        who = [o.lower() if len(o) == 64 and all(c in "0123456789abcdefABCDEF" for c in o) else digest(o, "identity")
               for o in owners]
        run_where, entry_where = [], []
        if since is not None:
            run_where.append(runs.c.created_at >= float(since))
            entry_where.append(board_entries.c.created_at >= float(since))
        if who:
            run_where.append(runs.c.owner.in_(who))
            entry_where.append(board_entries.c.submitter.in_(who))
        with transaction(self._engine) as conn:
            if dry_run:
                n_runs = conn.execute(sa.select(sa.func.count()).select_from(runs).where(*run_where)).scalar()
                n_entries = conn.execute(sa.select(sa.func.count()).select_from(board_entries)
                                         .where(*entry_where)).scalar()
                return int(n_runs or 0), int(n_entries or 0)
            n_entries = conn.execute(board_entries.delete().where(*entry_where)).rowcount
            n_runs = conn.execute(runs.delete().where(*run_where)).rowcount
        _log.warning("operator forgot %d run(s) and %d board entr(ies)", n_runs, n_entries)
        return int(n_runs), int(n_entries)

    def share(self, run_id: str, owner: str) -> str:
        """The run's share token (made on first use); anyone with it can view the run, not change it."""
        who, run_id = digest(owner), _run_id(run_id)
        with transaction(self._engine) as conn:
            token = conn.execute(sa.select(runs.c.share_token).where(runs.c.id == run_id, runs.c.owner == who)).first()
            if token is None:
                raise NotFound("This run is not in the store, so it cannot be shared.")
            if token.share_token:
                return token.share_token
            fresh = new_token()
            conn.execute(runs.update().where(runs.c.id == run_id)
                         .values(share_token=fresh, shared_at=self._clock(), updated_at=self._clock()))
            return fresh

    def unshare(self, run_id: str, owner: str) -> None:
        """Make the run's link stop working."""
        run_id = _run_id(run_id)
        with transaction(self._engine) as conn:
            conn.execute(runs.update().where(runs.c.id == run_id, runs.c.owner == digest(owner))
                         .values(share_token=None, shared_at=None))

    def usage(self, owner: str) -> tuple[int, int]:
        """(runs, bytes) this browser keeps in the store."""
        with transaction(self._engine) as conn:
            count, total = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(runs.c.size), 0))
                                        .where(runs.c.owner == digest(owner))).one()
        return int(count), int(total)

    def purge_expired(self, now: float | None = None) -> int:
        """Delete unshared runs untouched for run_ttl_days and shared ones untouched for shared_ttl_days."""
        now = self._clock() if now is None else now
        lim = self.limits
        with transaction(self._engine) as conn:
            return conn.execute(runs.delete().where(sa.or_(
                sa.and_(runs.c.share_token.is_(None), runs.c.updated_at < now - lim.run_ttl_days * DAY),
                sa.and_(runs.c.share_token.is_not(None), runs.c.updated_at < now - lim.shared_ttl_days * DAY),
            ))).rowcount


def _checked(summary: RunSummary, body: sa.Row) -> StoredRun:
    """Parse the JSON and load the model through dnn.load_model: a damaged row becomes CorruptRecord."""
    name = summary.label
    try:
        config, history = json.loads(body.config), json.loads(body.history)
        if not isinstance(config, dict) or not isinstance(history, dict):
            raise ValueError("the config and history must be JSON objects")
        _check_status(summary.status)
        # A diverged run is stored with its last parameters, whose output may overflow: it is restored as it was.
        model = None if body.model is None else dnn.load_model(bytes(body.model), finite_output=False)
    except (ValueError, TypeError) as exc:
        raise CorruptRecord(f"The stored run '{name}' is damaged and was not loaded: {exc}") from None
    return StoredRun(summary, config, history, model)
