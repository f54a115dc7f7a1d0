"""Schema migrations with Alembic, run from code (no alembic.ini): ``upgrade(engine)`` or ``python -m store migrate``.

Several replicas may start at once against one PostgreSQL: the upgrade runs in one transaction that
first takes an advisory lock, so one replica migrates and the others then find the schema at head.
On SQLite the transaction begins IMMEDIATE, which serialises it the same way.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .database import transaction

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
ADVISORY_LOCK_KEY = 7_311_400_014  # any constant shared by all replicas


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has a head revision"
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with transaction(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to call from many processes at once."""
    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        command.upgrade(alembic_config(conn), revision)
