"""Operator commands: ``python -m store migrate | purge | where | forget``.

``migrate`` brings the schema to head (deploy/replicas.sh runs it once before starting replicas);
``purge`` deletes expired runs and boards now; ``where`` prints the database in use, password hidden;
``forget --since TIME [--owner ID ...] [--dry-run]`` deletes the runs and class-board entries created since
TIME (ISO 8601, UTC unless it says otherwise, or seconds since the epoch), or by the given identities (a
browser's dnn_browser cookie or its SHA-256 digest), or both: the broom after a flood.
"""
from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from . import open_store
from .database import database_url, redact
from .migrate import current_revision, head_revision


def parse_time(raw: str) -> float:
    """Seconds since the epoch from an ISO 8601 date or time (UTC unless it names a zone) or a number."""
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a time: use e.g. 2026-12-03T14:00 or 1796392800") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("migrate", "purge", "where", "forget"))
    parser.add_argument("--since", type=parse_time, help="forget: what was created at or after this time")
    parser.add_argument("--owner", action="append", default=[],
                        help="forget: what this identity created (cookie value or its SHA-256); repeatable")
    parser.add_argument("--dry-run", action="store_true", help="forget: only count what would go")
    args = parser.parse_args(argv)
    if args.command == "forget" and args.since is None and not args.owner:
        parser.error("forget needs --since and/or --owner")
    url = database_url()
    if args.command == "where":
        print(redact(url))
        return 0
    store = open_store(url)
    try:
        if args.command == "migrate":
            print(f"{redact(url)}: schema at {current_revision(store.engine)} (head {head_revision()})")
        elif args.command == "forget":
            n_runs, n_entries = store.runs.forget_created(since=args.since, owners=args.owner, dry_run=args.dry_run)
            verb = "would forget" if args.dry_run else "forgot"
            print(f"{verb} {n_runs} runs and {n_entries} class-board entries")
        else:
            print(f"purged {store.runs.purge_expired()} runs and {store.boards.purge_expired()} boards")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
