"""Operator commands: ``python -m store migrate | purge | where``.

``migrate`` brings the schema to head (deploy/replicas.sh runs it once before starting replicas);
``purge`` deletes expired runs and boards now; ``where`` prints the database in use, password hidden.
"""
from __future__ import annotations

import argparse
import sys

from . import open_store
from .database import database_url, redact
from .migrate import current_revision, head_revision


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("migrate", "purge", "where"))
    args = parser.parse_args(argv)
    url = database_url()
    if args.command == "where":
        print(redact(url))
        return 0
    store = open_store(url)
    try:
        if args.command == "migrate":
            print(f"{redact(url)}: schema at {current_revision(store.engine)} (head {head_revision()})")
        else:
            print(f"purged {store.runs.purge_expired()} runs and {store.boards.purge_expired()} boards")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
