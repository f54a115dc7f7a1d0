"""The store in the app (AppTest): a reload brings the runs back and the interrupted run continues, a share
link opens a run read-only, My runs forgets, and the class board with two browsers."""
from __future__ import annotations

from pathlib import Path

import pytest

from app_helpers import sess
from ui import identity as identity_module
from ui.identity import Identity
from ui.store_hooks import EXTRAS_KEY, run_store, writer

ROOT = Path(__file__).resolve().parents[1]

SMALL = {"hidden": "7", "iters": "300", "lr": "0.0075", "init": "sqrt"}
ME = "the-same-browser-token-01"


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DNN_DATA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def same_browser(monkeypatch):
    """Every new session comes with this browser's cookie, as after a reload."""
    monkeypatch.setattr(identity_module, "from_cookies", lambda cookies: Identity(ME, True))


def _capped(session) -> None:
    session.max_iterations_per_tick = 5


def _texts(at) -> str:
    return " ".join(e.value for kind in (at.info, at.warning, at.error) for e in kind)


def _drain() -> None:
    """Wait until the store's writer thread has written every save handed to it (it runs them in order)."""
    writer().submit(lambda: None).result(timeout=60)


def _owner(at) -> str:
    return sess(at).extras[EXTRAS_KEY].owner


def test_a_reload_brings_the_runs_back_and_the_interrupted_run_continues(app_test, same_browser, data_home):
    at = app_test("views/train.py", query=SMALL, setup=_capped)
    at.button(key="start").click().run()
    at.run()
    assert not at.exception and sess(at).running
    _drain()
    saved = run_store().runs.list(ME)[0]
    assert saved.status == "running" and saved.iteration >= 5
    again = app_test("views/train.py", setup=_capped)  # a new session of the same browser
    s = sess(again)
    assert not again.exception
    assert s.running and s.run.iteration > saved.iteration, "it continues from its last saved state"
    assert s.run.config.layer_dims == sess(at).run.config.layer_dims
    assert "Welcome back" in _texts(again) and f"at iteration {saved.iteration} of 300" in _texts(again)
    assert list(data_home.iterdir()) and all(p.name.startswith("store.sqlite3") for p in data_home.iterdir())


def test_a_share_link_opens_the_run_read_only_in_another_browser(app_test):
    owner = app_test("views/train.py", query=SMALL, setup=_capped)
    owner.button(key="start").click().run()
    owner.button(key="pause").click().run()
    mine = sess(owner)
    _drain()
    store = run_store()
    row = store.runs.list(_owner(owner))[0]
    token = store.runs.share(row.id, _owner(owner))
    viewer = app_test("views/results.py", query={"share": token})
    assert not viewer.exception and "shared run" in _texts(viewer)
    assert sess(viewer).run.iteration == mine.run.iteration == row.iteration
    assert _owner(viewer) != _owner(owner)
    viewer.switch_page("views/inspect.py").run()
    viewer.switch_page("views/photo.py").run()
    assert not viewer.exception
    assert store.runs.list(_owner(viewer)) == [] and store.runs.open_shared(token).summary == \
        store.runs.list(_owner(owner))[0]


def test_my_runs_lists_shares_and_forgets(app_test):
    at = app_test("views/train.py", query=SMALL, setup=_capped)
    at.button(key="start").click().run()
    at.button(key="pause").click().run()
    _drain()
    at.switch_page("views/runs.py").run()
    assert not at.exception and len(at.dataframe) == 1
    at.button(key="runs_share").click().run()
    assert run_store().runs.list(_owner(at))[0].shared
    assert at.button(key="runs_forget").disabled
    at.checkbox(key="runs_forget_confirm").check().run()
    at.button(key="runs_forget").click().run()
    assert run_store().runs.list(_owner(at)) == [] and "Deleted 1 stored run" in _texts(at)


def _board_rows(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_the_class_board_with_a_teacher_and_a_student(app_test):
    teacher = app_test("views/board.py")
    teacher.text_input(key="board_title").input("Lab 3: best test accuracy").run()
    teacher.button(key="board_open").click().run()
    code = sess(teacher).extras["board_code"]
    assert len(code) == 6 and teacher.query_params["board"] in (code, [code])
    assert len(teacher.get("image")) == 1, "the class link's QR code"

    student = app_test("views/train.py", query=SMALL, setup=_capped)
    student.button(key="start").click().run()
    student.button(key="pause").click().run()
    student.switch_page("views/board.py").run()
    student.text_input(key="board_code_input").input(code.lower()).run()
    student.button(key="board_join").click().run()
    name = "**Ada** <b>hi</b> [x](http://e.vil)"
    student.text_input(key="board_name").input(name).run()
    student.button(key="board_submit").click().run()
    assert not student.exception and "on the board" in _texts(student)
    assert "board_remove" not in [b.key for b in student.button], "only the teacher removes entries"

    teacher.run()  # the live board re-reads the store
    [row] = _board_rows(teacher)
    run = sess(student).run
    assert row["name"] == name, "names are shown literally, in a table"
    n_x = run.config.layer_dims[0]
    assert row["parameters"] == n_x * 7 + 7 + 7 + 1 and row["layers"] == 2
    assert row["iterations"] == run.iteration and row["train acc"] == pytest.approx(run.history.train_acc[-1])
    assert len(row["cost"]) == len(run.history.costs)

    teacher.button(key="board_close").click().run()
    student.button(key="board_submit").click().run()
    assert "closed" in _texts(student)
    teacher.button(key="board_remove").click().run()
    teacher.run()
    assert _board_rows(teacher) == []


def test_a_board_name_that_is_too_long_or_empty_is_refused(app_test):
    teacher = app_test("views/board.py")
    teacher.text_input(key="board_title").input("   ").run()
    teacher.button(key="board_open").click().run()
    assert "empty" in _texts(teacher) and not sess(teacher).extras.get("board_code")
    teacher.text_input(key="board_code_input").input("NOPE99").run()  # O is not in the code alphabet
    teacher.button(key="board_join").click().run()
    assert "6 letters and digits" in _texts(teacher)
    teacher.text_input(key="board_code_input").input("ABCDEF").run()
    teacher.button(key="board_join").click().run()
    assert "no class board ABCDEF" in _texts(teacher)


def test_without_a_reachable_store_the_app_trains_and_says_runs_are_not_saved(app_test, monkeypatch):
    from pg import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    at = app_test("views/train.py", query=SMALL, setup=_capped)
    at.button(key="start").click().run()
    at.run()
    assert not at.exception and sess(at).running and sess(at).run.iteration > 5
    assert "Runs are not being saved" in _texts(at) and "cannot be reached" in _texts(at)
    assert sess(at).extras[EXTRAS_KEY].offline
