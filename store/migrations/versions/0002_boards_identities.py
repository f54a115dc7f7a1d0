"""Boards a teacher controls, one entry per run, the dataset on each entry, identities the server minted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _drop_duplicate_run_entries() -> None:
    # Before the unique constraint: keep only the newest entry of a run submitted several times.
    op.execute(sa.text(
        "DELETE FROM board_entries WHERE run_id IS NOT NULL AND id NOT IN ("
        " SELECT keep FROM (SELECT MAX(id) AS keep FROM board_entries WHERE run_id IS NOT NULL"
        " GROUP BY board_code, run_id) AS newest)"))


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("origin", sa.String(64), nullable=True))
        batch.create_index("ix_runs_origin", ["origin"])
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("admin_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("join_pin_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(64), nullable=True))
        batch.create_index("ix_boards_admin_hash", ["admin_hash"])
        batch.create_index("ix_boards_origin", ["origin"])
    _drop_duplicate_run_entries()
    with op.batch_alter_table("board_entries") as batch:
        batch.add_column(sa.Column("name_key", sa.String(160), nullable=False, server_default=""))
        batch.add_column(sa.Column("dataset", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("test_size", sa.Integer, nullable=True))
        batch.add_column(sa.Column("origin", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_board_entries_run", ["board_code", "run_id"])
        batch.create_index("ix_board_entries_origin", ["origin"])
        batch.create_index("ix_board_entries_board_created", ["board_code", "created_at"])
        batch.create_index("ix_board_entries_board_name", ["board_code", "name_key"])
    op.create_table(
        "identities",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("origin", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_identities_origin", "identities", ["origin"])
    op.create_index("ix_identities_created_at", "identities", ["created_at"])


def downgrade() -> None:
    op.drop_table("identities")
    with op.batch_alter_table("board_entries") as batch:
        batch.drop_index("ix_board_entries_board_name")
        batch.drop_index("ix_board_entries_board_created")
        batch.drop_index("ix_board_entries_origin")
        batch.drop_constraint("uq_board_entries_run", type_="unique")
        for column in ("origin", "test_size", "dataset", "name_key"):
            batch.drop_column(column)
    with op.batch_alter_table("boards") as batch:
        batch.drop_index("ix_boards_origin")
        batch.drop_index("ix_boards_admin_hash")
        for column in ("origin", "join_pin_hash", "admin_hash"):
            batch.drop_column(column)
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_origin")
        batch.drop_column("origin")
