"""Where the lesson page keeps what outlives a tab: a browser's progress, the lesson a class follows, challenge
entries.  In the run store's database when it is open and has the lesson tables (every replica, every restart),
else in this server process.  The one place the page's stores are chosen."""
from __future__ import annotations

import streamlit as st

from store.lessons import SqlChallengeStore, SqlClassStore, SqlProgressStore, has_tables
from ui import lesson_class, store_hooks
from ui.lessons_challenge import MemoryChallengeStore
from ui.lessons_progress import MemoryProgressStore, SqlProgress


@st.cache_resource
def memory_stores() -> tuple:
    """Progress, class lessons and challenge entries in this server process: when the run store cannot be opened."""
    return MemoryProgressStore(), lesson_class.MemoryClassStore(), MemoryChallengeStore()


@st.cache_resource(show_spinner=False)
def sql_stores(location: str, _engine) -> tuple | None:
    """Progress, class lessons and challenge entries in the run store's database (every replica sees them),
    once it has the lesson tables (migration 0003); None before."""
    if not has_tables(_engine):
        return None
    return SqlProgress(SqlProgressStore(_engine)), SqlClassStore(_engine), SqlChallengeStore(_engine)


def _stores() -> tuple:
    found, _ = store_hooks.current_store()
    sql = None if found is None else sql_stores(found.location, found.engine)
    return sql or memory_stores()


def progress_store():
    """Where a browser's progress outlives its tab: the database when there is one, else this process."""
    return _stores()[0]


def class_store():
    """Where class lessons live: the database when there is one (replicas), else this process."""
    return _stores()[1]


def challenge_store():
    return _stores()[2]
