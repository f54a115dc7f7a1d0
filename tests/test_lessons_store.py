"""Lessons in the store (SQLite and PostgreSQL) behave as the in-memory stores do: progress per browser and
lesson, and a class lesson with one answer per student per step."""
from __future__ import annotations

import pytest

from store import open_store
from store.lessons import SqlClassStore, SqlProgressStore, has_tables
from ui import lesson_class as C
from ui.lessons_progress import LessonProgress, MemoryProgressStore, SqlProgress

from pg import pg_url, postgres_server  # noqa: F401  fixtures

TEACHER = "teacher-browser-token-0001"
ALICE, BOB = "alice-browser-token-0001", "bob-browser-token-000002"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    found = open_store(url)
    yield found
    found.close()


@pytest.fixture(params=["memory", "sql"])
def classes(request, db):
    return C.MemoryClassStore() if request.param == "memory" else SqlClassStore(db.engine)


def test_the_migration_made_the_tables(db):
    assert has_tables(db.engine)


@pytest.mark.parametrize("kind", ["memory", "sql"])
def test_progress(db, kind):
    rows = MemoryProgressStore() if kind == "memory" else SqlProgress(SqlProgressStore(db.engine))
    p = LessonProgress("02_depth", step=2)
    p.answer(0).prediction, p.answer(0).metrics, p.answer(0).curve = 0.9, {"test_accuracy": 0.72}, [(0, 0.69)]
    rows.save(ALICE, LessonProgress("01_pixels"))
    rows.save(ALICE, p)
    assert rows.load(ALICE, "02_depth") == p and rows.latest(ALICE).lesson_id in ("02_depth", "01_pixels")
    assert rows.load(BOB, "02_depth") is None and rows.latest(BOB) is None
    p.step = 3
    rows.save(ALICE, p)
    assert rows.load(ALICE, "02_depth").step == 3


def test_a_class_lesson(db, classes):
    board, _ = db.boards.open_class(TEACHER, "Lab")
    code = board.code
    with pytest.raises(C.ClassError):
        classes.predict(code, "s1", 0, 1)
    assert classes.get(code) is None
    started = classes.start(code, "09_xor")
    assert (started.lesson_id, started.step, started.result) == ("09_xor", 0, None)
    a = classes.predict(code, "s1", 0, 1)
    assert classes.predict(code, "s1", 0, 2).id == a.id, "one prediction per student per step"
    classes.predict(code, "s2", 0, "flat")
    assert [(x.student, x.prediction) for x in classes.answers(code, 0)] == [("s1", 2), ("s2", "flat")]
    with pytest.raises(C.ClassError):
        classes.predict(code, "s3", 1, 0)
    with pytest.raises(C.ClassError):
        classes.explain(code, "s9", 0, "no prediction yet")
    classes.explain(code, "s1", 0, "  because \n lines ")
    assert classes.mine(code, "s1", 0).explanation == "because lines" and classes.mine(code, "s3", 0) is None
    before = classes.get(code).version
    shown = classes.show(code, [a.id, 99999])
    assert shown.shown == (a.id,) and shown.version > before
    result = classes.set_result(code, 0, {"test_accuracy": 0.6, "curve_shape": "flat"}, [(0, 0.7), (10, 0.69)])
    assert result.result == {"test_accuracy": 0.6, "curve_shape": "flat"} and result.curve == ((0, 0.7), (10, 0.69))
    with pytest.raises(C.ClassError):
        classes.predict(code, "s4", 0, 0)
    with pytest.raises(C.ClassError):
        classes.set_result(code, 1, {}, [])
    moved = classes.move(code, 1)
    assert (moved.step, moved.result, moved.shown, moved.curve) == (1, None, (), ())
    again = classes.start(code, "01_pixels")
    assert again.step == 0 and classes.answers(code, 0) == [], "a new lesson starts with no answers"
    classes.stop(code)
    assert classes.get(code) is None


def test_purging_an_expired_board_deletes_its_lesson_rows(db):
    """purge_expired empties every child table itself: a SQLite connection without PRAGMA foreign_keys (the
    default; here a plain engine on the same file) does not cascade."""
    import sqlalchemy as sa

    from store.boards import BoardStore
    from store.lessons import SqlChallengeStore
    from store.schema import board_entries, boards, challenge_entries, class_answers, class_lessons

    classes, challenges = SqlClassStore(db.engine), SqlChallengeStore(db.engine)
    codes = [db.boards.open_class(TEACHER, title)[0].code for title in ("Old", "New")]
    for code in codes:
        classes.start(code, "09_xor")
        classes.predict(code, ALICE, 0, 1)
        challenges.enter(code, "09_xor/flower", ALICE, "Alice", None, {"test_accuracy": 0.9}, True)
    old, new = codes
    with db.engine.begin() as conn:
        conn.execute(boards.update().where(boards.c.code == old).values(created_at=0.0))
    plain = sa.create_engine(db.engine.url) if db.engine.dialect.name == "sqlite" else db.engine
    assert BoardStore(plain, db.boards.limits).purge_expired() == 1
    if plain is not db.engine:
        plain.dispose()
    with db.engine.begin() as conn:
        for table in (class_lessons, class_answers, challenge_entries):
            left = sorted(conn.execute(sa.select(table.c.board_code)).scalars())
            assert left == [new], table.name
        assert conn.execute(sa.select(sa.func.count()).select_from(board_entries)).scalar() == 0
    assert classes.get(new).lesson_id == "09_xor" and classes.get(old) is None
