"""The store in the app (AppTest): a reload brings the runs back and the interrupted run continues, a share
link opens a run read-only, My runs forgets, and the class board with two browsers."""
from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest

import dnn
from store.identities import mint, verify
from ui import board_link, store_hooks
from ui import identity as identity_module
from ui.board_link import percent
from ui.controller import Controller, figures
from ui.identity import Identity
from ui.store_hooks import run_store, writer
from ui.text import isolate

from app_helpers import put_run, sess

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
    return sess(at).store.owner


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
    assert list(data_home.iterdir()) and all(p.name.startswith("store.sqlite3") or p.name == "secret.key"
                                          for p in data_home.iterdir())


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


def _link(at) -> board_link.BoardLink:
    found = sess(at).board_link
    assert found is not None, "the session has no BoardLink yet"
    return found


def _board_rows(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def _open_class(app_test, title: str = "Lab 3: best test accuracy", pin: str = ""):
    teacher = app_test("views/board.py")
    teacher.text_input(key="board_title").input(title).run()
    if pin:
        teacher.text_input(key="board_pin").input(pin).run()
    teacher.button(key="board_open").click().run()
    return teacher, sess(teacher).board_code


def _trained_student(app_test, query=None):
    student = app_test("views/train.py", query=SMALL, setup=_capped)
    student.button(key="start").click().run()
    student.button(key="pause").click().run()
    return student


def test_the_class_board_with_a_teacher_and_a_student(app_test):
    teacher, code = _open_class(app_test)
    assert len(code) == 6 and teacher.query_params["board"] in (code, [code])
    assert len(teacher.get("image")) == 1, "the class link's QR code"

    student = _trained_student(app_test)
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
    assert row["name"] == isolate(name), "names are shown literally, in a table, isolated"
    n_x = run.config.layer_dims[0]
    assert row["parameters"] == n_x * 7 + 7 + 7 + 1 and row["layers"] == 2
    assert row["dataset"] == sess(student).data_key and row["test examples"] == run.X_test.shape[1]
    _, train_acc, test_acc = figures(run, False)
    assert row["iterations"] == run.iteration
    assert f"{row['train acc']:.1f}%" == percent(train_acc) == f"{train_acc:.1%}", "Train's figure, Train's format"
    assert f"{row['test acc']:.1f}%" == percent(test_acc)
    assert len(row["cost"]) == len(run.history.costs)

    teacher.button(key="board_close").click().run()
    student.button(key="board_submit").click().run()
    assert "closed" in _texts(student)
    teacher.button(key="board_remove").click().run()
    teacher.run()
    assert _board_rows(teacher) == []


def test_a_visitor_by_code_sees_join_first_and_the_board_stays_joined(app_test):
    _, code = _open_class(app_test, "Lab")
    student = _trained_student(app_test)
    student.switch_page("views/board.py")
    student.query_params["board"] = code
    student.run()
    assert student.button(key="board_join") and student.text_input(key="board_code_input").value == code
    assert student.expander and student.expander[0].label.startswith("Teach")
    student.button(key="board_join").click().run()
    assert sess(student).board_code == code
    student.switch_page("views/train.py").run()
    student.switch_page("views/board.py").run()
    assert not student.exception and sess(student).board_code == code
    assert student.query_params["board"] in (code, [code]), "the joined class is back in the link"
    assert "board_join" not in [b.key for b in student.button]


def test_the_teachers_power_is_the_teacher_link_not_the_browser(app_test):
    teacher, code = _open_class(app_test, "Lab")
    admin = _link(teacher).admins[code]
    # The same browser in a new session (a reload) lists the class but may not manage it without the link.
    again = app_test("views/board.py")
    again.query_params["board"] = code
    again.run()
    again.button(key="board_join").click().run()
    assert "board_close" not in [b.key for b in again.button]
    projector = app_test("views/board.py")
    projector.query_params["board"] = code
    projector.query_params["teacher"] = admin
    projector.run()
    assert "teacher" not in projector.query_params, "the key leaves the address bar"
    assert "board_close" in [b.key for b in projector.button]
    forged = app_test("views/board.py")
    forged.query_params["board"] = code
    forged.query_params["teacher"] = admin[:-2] + "xx"
    forged.run()
    assert "not valid" in _texts(forged) and "board_close" not in [b.key for b in forged.button]


def test_a_join_pin_keeps_out_who_does_not_know_it(app_test):
    _, code = _open_class(app_test, "Lab", pin="2468")
    student = _trained_student(app_test)
    student.switch_page("views/board.py").run()
    student.text_input(key="board_code_input").input(code).run()
    student.button(key="board_join").click().run()
    assert "join PIN" in _texts(student) and not sess(student).board_code
    student.text_input(key="board_join_pin").input("2468").run()
    student.button(key="board_join").click().run()
    assert sess(student).board_code == code
    student.text_input(key="board_name").input("Ada").run()
    student.button(key="board_submit").click().run()
    assert "on the board" in _texts(student)


def test_formula_names_are_neutralised_and_look_alikes_refused(app_test):
    teacher, code = _open_class(app_test, "Lab")
    for name, expect in [('=HYPERLINK("http://e.vil","x")', "on the board"), ("Ada", "on the board"),
                         ("\u0410da", "looks like")]:
        student = _trained_student(app_test)
        student.switch_page("views/board.py").run()
        student.text_input(key="board_code_input").input(code).run()
        student.button(key="board_join").click().run()
        student.text_input(key="board_name").input(name).run()
        student.button(key="board_submit").click().run()
        assert expect in _texts(student), (name, _texts(student))
    teacher.run()
    cells = [r["name"] for r in _board_rows(teacher)]
    assert len(cells) == 2 and all(c[0] not in "=+-@" for c in cells)


def test_train_offers_submit_to_the_joined_class(app_test):
    _, code = _open_class(app_test, "Lab 7")
    student = app_test("views/board.py")
    student.query_params["board"] = code
    student.run()
    student.button(key="board_join").click().run()
    assert sess(student).board_code == code, _texts(student)
    student.switch_page("views/train.py").run()
    s = sess(student)
    put_run(student, hidden=(3,), iterations=20)
    ctl = Controller(s)
    assert s.run.status == dnn.Status.DONE and not s.running, s.run.status
    assert s.board_code == code and store_hooks.current_store(s.id)[0] is not None
    offered = []
    with patch.object(board_link.st, "button", lambda label, **kw: offered.append(label)), \
            patch.object(board_link.st, "container", lambda **kw: board_link.st), \
            patch.object(board_link.st, "text_input", lambda *a, **kw: None):
        board_link.submit_offer(ctl)
    assert offered == ["Submit to Lab 7"]
    student.run()  # the Train page itself offers it, under the numbers, and submits with the name typed there
    [offer] = [b for b in student.button if b.key == board_link.OFFER_SUBMIT]
    assert offer.label == "Submit to Lab 7"
    offer.click().run()  # no name yet: refused, and said where the student looks (a toast: the offer's
    # fragment rerun does not draw the page's notices)
    refused = [t.value for t in student.toast]
    assert len(refused) == 1 and "name" in refused[0].lower(), refused
    assert run_store().boards.entries(code) == []
    [offer] = [b for b in student.button if b.key == board_link.OFFER_SUBMIT]
    student.text_input(key=board_link.OFFER_NAME).input("Grace")
    offer.click().run()
    assert not student.exception
    found = run_store()
    assert [e.display_name for e in found.boards.entries(code)] == ["Grace"], _texts(student)
    assert [t.value for t in student.toast] == [f"Your run is on class board {code}."], "the student is told"
    board_link.link(s).name = "Ada"
    with patch.object(board_link.identity, "origin", lambda: "o" * 32):
        board_link.submit_run(found, s, code, "Ada")
    entries = {e.display_name: e for e in found.boards.entries(code)}  # a run not yet saved has no run id
    assert set(entries) == {"Grace", "Ada"}
    assert entries["Grace"].summary.train_acc == entries["Ada"].summary.train_acc == figures(s.run, False)[1]


def test_a_forged_cookie_is_not_an_identity():
    key = b"k" * 32
    for forged in ("alice-browser-token-0001", "A" * 44, None):
        me = identity_module.from_cookies({"dnn_browser": forged} if forged else {}, key)
        assert not me.returning and verify(me.token, key) and me.token != forged
    signed = mint(key)
    assert identity_module.from_cookies({"dnn_browser": signed}, key) == Identity(signed, True)
    assert identity_module.client_address(None, {"X-Real-IP": "10.1.2.3"}) == "10.1.2.3"
    assert identity_module.client_address("10.9.9.9", {"X-Real-IP": "10.1.2.3"}) == "10.9.9.9"
    assert identity_module.client_address(None, {"X-Real-IP": "<script>"}) == "local"


def test_without_a_reachable_store_the_app_trains_and_says_runs_are_not_saved(app_test, monkeypatch):
    from pg import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    at = app_test("views/train.py", query=SMALL, setup=_capped)
    at.button(key="start").click().run()
    at.run()
    assert not at.exception and sess(at).running and sess(at).run.iteration > 5
    assert "Runs are not being saved" in _texts(at) and "cannot be reached" in _texts(at)
    assert sess(at).store.offline
