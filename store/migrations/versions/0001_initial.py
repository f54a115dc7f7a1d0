"""Runs, class boards and board entries.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("iteration", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("lease", sa.String(64), nullable=True),
        sa.Column("share_token", sa.String(64), nullable=True),
        sa.Column("shared_at", sa.Float, nullable=True),
        sa.UniqueConstraint("share_token", name="uq_runs_share_token"),
    )
    op.create_index("ix_runs_owner", "runs", ["owner"])
    op.create_index("ix_runs_updated_at", "runs", ["updated_at"])
    op.create_table(
        "boards",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("teacher", sa.String(64), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("is_open", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_boards_teacher", "boards", ["teacher"])
    op.create_index("ix_boards_created_at", "boards", ["created_at"])
    op.create_table(
        "board_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), nullable=False),
        sa.Column("submitter", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("display_name", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_board_entries_board_code", "board_entries", ["board_code"])


def downgrade() -> None:
    op.drop_table("board_entries")
    op.drop_table("boards")
    op.drop_table("runs")
