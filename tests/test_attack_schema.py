"""Migration 0002 (boards a teacher controls, one entry per run, minted identities) on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import store
from store.database import transaction
from store.migrate import alembic_config, upgrade
from store.schema import metadata

from pg import pg_url, postgres_server  # noqa: F401  fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'store.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    eng = store.make_engine(url)
    yield eng
    eng.dispose()


def _revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_0002_keeps_the_newest_entry_of_a_run_submitted_many_times_and_matches_the_schema(engine):
    upgrade(engine, "0001")
    with transaction(engine) as conn:
        conn.execute(sa.text("INSERT INTO boards (code, teacher, title, is_open, created_at, updated_at) "
                             "VALUES ('ABCDEF', 't', 'Lab', TRUE, 1, 1)"))
        for i, run in enumerate(["r1", "r1", "r2", "r1", None, None]):
            conn.execute(sa.text("INSERT INTO board_entries (board_code, submitter, run_id, display_name, summary,"
                                 " created_at) VALUES ('ABCDEF', 's', :run, 'Ada', '{}', :t)"), {"run": run, "t": i})
    upgrade(engine, "0002")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, run_id FROM board_entries ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(3, "r2"), (4, "r1"), (5, None), (6, None)]
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO board_entries (board_code, submitter, run_id, display_name,"
                                 " summary, created_at) VALUES ('ABCDEF', 'x', 'r2', 'Bo', '{}', 9)"))


def test_0002_at_head_agrees_with_store_schema_and_downgrades(engine):
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = [d for d in compare_metadata(context, metadata)]
    assert diff == []
    with transaction(engine) as conn:
        command.downgrade(alembic_config(conn), "0001")
    assert _revision(engine) == "0001"
    assert "identities" not in sa.inspect(engine).get_table_names()
