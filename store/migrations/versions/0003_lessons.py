"""Lessons: each browser's progress per lesson, the lesson a class board follows, its students' answers, and
challenge entries (judged by the server from the stored run).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lesson_progress",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("lesson_id", sa.String(40), primary_key=True),
        sa.Column("progress", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_lesson_progress_updated_at", "lesson_progress", ["updated_at"])
    op.create_table(
        "class_lessons",
        sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), primary_key=True),
        sa.Column("lesson_id", sa.String(40), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("curve", sa.Text, nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "class_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("student", sa.String(64), nullable=False),
        sa.Column("prediction", sa.Text, nullable=False),
        sa.Column("explanation", sa.String(200), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("board_code", "step", "student", name="uq_class_answers_student"),
    )
    op.create_index("ix_class_answers_board_step", "class_answers", ["board_code", "step"])
    op.create_table(
        "challenge_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), nullable=False),
        sa.Column("challenge", sa.String(90), nullable=False),
        sa.Column("student", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("meets", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("board_code", "challenge", "student", name="uq_challenge_entries_student"),
    )
    op.create_index("ix_challenge_entries_board_challenge", "challenge_entries", ["board_code", "challenge"])


def downgrade() -> None:
    op.drop_table("challenge_entries")
    op.drop_table("class_answers")
    op.drop_table("class_lessons")
    op.drop_table("lesson_progress")
