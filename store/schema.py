"""The store's tables in SQLAlchemy Core: one description for SQLite and PostgreSQL.

The migrations in store/migrations/versions create exactly these; test_store checks they agree.
Times are UTC seconds since the epoch (floats): portable and easy to compare in both databases.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=False, index=True),   # SHA-256 of the browser token
    sa.Column("label", sa.String(80), nullable=False),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("config", sa.Text, nullable=False),                    # JSON of the TrainConfig
    sa.Column("history", sa.Text, nullable=False),                   # JSON of the engine's History
    sa.Column("model", sa.LargeBinary, nullable=True),               # .npz from dnn.save_run, no pickle
    sa.Column("size", sa.Integer, nullable=False),                   # bytes of config + history + model
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("iteration", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False, index=True),
    sa.Column("lease", sa.String(64), nullable=True),                # the session allowed to save it
    sa.Column("share_token", sa.String(64), nullable=True),
    sa.Column("shared_at", sa.Float, nullable=True),
    sa.Column("origin", sa.String(64), nullable=True, index=True),  # keyed digest of the client address
    sa.UniqueConstraint("share_token", name="uq_runs_share_token"),
)

boards = sa.Table(
    "boards", metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("teacher", sa.String(64), nullable=False, index=True),  # SHA-256 of the teacher token
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("is_open", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("updated_at", sa.Float, nullable=False),
    # The teacher's power: SHA-256 of a secret shown once in the admin link, never the student cookie.
    sa.Column("admin_hash", sa.String(64), nullable=True, index=True),
    sa.Column("join_pin_hash", sa.String(64), nullable=True),       # optional join PIN (keyed digest)
    sa.Column("origin", sa.String(64), nullable=True, index=True),
)

board_entries = sa.Table(
    "board_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("submitter", sa.String(64), nullable=False),           # SHA-256 of the browser token
    sa.Column("run_id", sa.String(32), nullable=True),
    sa.Column("display_name", sa.String(40), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),                   # JSON snapshot, see records.EntrySummary
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("name_key", sa.String(160), nullable=False, server_default=""),  # confusable skeleton of the name
    sa.Column("dataset", sa.String(64), nullable=False, server_default=""),
    sa.Column("test_size", sa.Integer, nullable=True),               # examples in the test set the figures use
    sa.Column("origin", sa.String(64), nullable=True, index=True),
    sa.UniqueConstraint("board_code", "run_id", name="uq_board_entries_run"),  # one entry per run
    sa.Index("ix_board_entries_board_created", "board_code", "created_at"),
    sa.Index("ix_board_entries_board_name", "board_code", "name_key"),
)

# Identities the server minted (signed dnn_browser values): when and from which address, so that new
# identities per address can be limited and the newest ones found.
identities = sa.Table(
    "identities", metadata,
    sa.Column("owner", sa.String(64), primary_key=True),             # SHA-256 of the browser token
    sa.Column("origin", sa.String(64), nullable=True, index=True),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
)

# Lessons (store/lessons.py): each browser's progress per lesson, the lesson a class board follows, its
# students' answers and challenge entries.
LESSON_ID_MAX = 40
EXPLANATION_MAX = 200     # characters of a one-line explanation

lesson_progress = sa.Table(
    "lesson_progress", metadata,
    sa.Column("owner", sa.String(64), primary_key=True),               # SHA-256 of the browser token
    sa.Column("lesson_id", sa.String(LESSON_ID_MAX), primary_key=True),
    sa.Column("progress", sa.Text, nullable=False),                     # LessonProgress.to_json()
    sa.Column("updated_at", sa.Float, nullable=False, index=True),
)

class_lessons = sa.Table(
    "class_lessons", metadata,
    sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), primary_key=True),
    sa.Column("lesson_id", sa.String(LESSON_ID_MAX), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("result", sa.Text, nullable=True),                        # JSON metrics of the teacher's run
    sa.Column("curve", sa.Text, nullable=False),                        # JSON [[iteration, cost], ...]
    sa.Column("shown", sa.Text, nullable=False),                        # JSON [answer id, ...]
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

class_answers = sa.Table(
    "class_answers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("student", sa.String(64), nullable=False),                # ui.lesson_class.student_key
    sa.Column("prediction", sa.Text, nullable=False),                   # JSON
    sa.Column("explanation", sa.String(EXPLANATION_MAX), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("board_code", "step", "student", name="uq_class_answers_student"),
    sa.Index("ix_class_answers_board_step", "board_code", "step"),
)

challenge_entries = sa.Table(
    "challenge_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("board_code", sa.String(8), sa.ForeignKey("boards.code", ondelete="CASCADE"), nullable=False),
    sa.Column("challenge", sa.String(90), nullable=False),             # <lesson id>/<challenge id>
    sa.Column("student", sa.String(64), nullable=False),
    sa.Column("display_name", sa.String(40), nullable=False),
    sa.Column("run_id", sa.String(32), nullable=True),
    sa.Column("metrics", sa.Text, nullable=False),                      # JSON, measured by the server
    sa.Column("meets", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("board_code", "challenge", "student", name="uq_challenge_entries_student"),
    sa.Index("ix_challenge_entries_board_challenge", "board_code", "challenge"),
)
