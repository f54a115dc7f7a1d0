"""Challenges are judged by the server from the stored run (its parameters measured on the challenge's own
data): an entry whose stored run misses the target is never ranked, whatever its submitter claims."""
from __future__ import annotations

import pytest

import dnn
from store import open_store
from store.codec import config_to_json, history_to_json, model_bytes, snapshot
from store.lessons import SqlChallengeStore
from ui import lessons as L
from ui import lessons_challenge as J
from ui import settings

FLOWER = next(c for x in L.load_all([L.LESSONS_DIR])[0] for c in x.challenges if c.id.endswith("/flower90"))
OWNER, LEASE = "student-browser-token-001", "lease-of-the-tab-00000001"


def _trained(dataset, hidden, values) -> dnn.Trainer:
    config = settings.make_config(dataset.n_x, hidden, values)
    run = dnn.Trainer(config, dataset.X_train, dataset.train_y, dataset.X_test, dataset.test_y)
    run.advance(config.num_iterations)
    return run


def _store_run(found, run: dnn.Trainer, dataset) -> str:
    snap = snapshot(run)
    return found.runs.create(OWNER, LEASE, label="mine", dataset=dataset.name, config=config_to_json(run.config),
                             history=history_to_json(snap.history), status=run.status.value,
                             iteration=run.iteration, model=model_bytes(snap, dataset.classes)).run_id


@pytest.fixture(scope="module")
def runs():
    flower = dnn.toy_dataset("flower")
    good = _trained(flower, (10,), {"hidden_activation": "tanh", "init": "xavier", "learning_rate": 5.0,
                                     "num_iterations": 2000})
    bad = _trained(flower, (4,), {"hidden_activation": "tanh", "init": "xavier", "learning_rate": 1.2,
                                   "num_iterations": 1000})
    moons = dnn.toy_dataset("moons")
    other = _trained(moons, (10,), {"hidden_activation": "tanh", "learning_rate": 1.0, "num_iterations": 300})
    return flower, good, bad, moons, other


def test_the_target_in_words():
    assert J.describe(FLOWER) == "90% ≤ test accuracy · hidden layers = 1"


@pytest.mark.parametrize("kind", ["memory", "sql"])
def test_only_stored_runs_that_meet_the_target_are_ranked(tmp_path, runs, kind):
    flower, good, bad, moons, other = runs
    found = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    board, _ = found.boards.open_class("teacher-browser-token-01", "Lab")
    entries = J.MemoryChallengeStore() if kind == "memory" else SqlChallengeStore(found.engine)

    judged = {}
    for who, run, data in (("good", good, flower), ("bad", bad, flower), ("other", other, moons)):
        stored = found.runs.load(_store_run(found, run, data), OWNER)
        judged[who] = J.judge_stored(FLOWER, stored, flower)
    assert judged["good"].meets and judged["good"].problem is None
    assert judged["good"].metrics["test_accuracy"] == pytest.approx(good.test_accuracy())
    assert not judged["bad"].meets and judged["bad"].failures == ("test accuracy: 84%",)
    assert not judged["other"].meets and "Toy: moons" in judged["other"].problem

    for who in ("good", "bad", "other"):
        j = judged[who]
        entries.enter(board.code, FLOWER.id, f"student-{who}", who.title(), None, j.metrics, j.meets)
    ranked = J.ranking(FLOWER, entries.entries(board.code, FLOWER.id))
    assert [e.name for e in ranked] == ["Good"]
    assert len(entries.entries(board.code, FLOWER.id)) == 3, "entries that miss are kept, just not ranked"
    # Entering again replaces the student's entry.
    entries.enter(board.code, FLOWER.id, "student-bad", "Bad", None, judged["good"].metrics, True)
    assert [e.name for e in J.ranking(FLOWER, entries.entries(board.code, FLOWER.id))] == ["Good", "Bad"]
    found.close()


def test_an_untrained_run_is_not_judged_a_success(runs):
    flower = runs[0]
    config = settings.make_config(2, (10,), {"num_iterations": 10})
    fresh = dnn.Trainer(config, flower.X_train, flower.train_y, flower.X_test, flower.test_y)
    assert not J.judge_run(FLOWER, fresh).meets


def _train_in_session(at, hidden, values) -> None:
    """Train a flower run in the app session as Train would (through its controller, so the store saves it)."""
    from ui import toy_link
    from ui.controller import Controller
    from ui.session import SESSION_KEY

    ctl = Controller(at.session_state[SESSION_KEY])
    ctl.switch_dataset(toy_link.toy_data("flower", toy_link.ToyOptions()), "flower")
    ctl.set_config(settings.make_config(2, hidden, values))
    ctl.reset()
    ctl.start()
    run = ctl.s.run
    run.advance(run.config.num_iterations - run.iteration)
    ctl.pause()


def test_a_challenge_on_the_lesson_page(app_test):
    teacher = app_test("views/board.py")
    teacher.text_input(key="board_title").input("Lab").run()
    teacher.button(key="board_open").click().run()
    code = teacher.session_state["dnn_explorer"].board_code
    student = app_test("views/board.py")
    student.text_input(key="board_code_input").input(code).run()
    student.button(key="board_join").click().run()
    student.switch_page("views/lesson.py").run()
    enter = f"lesson_enter_{FLOWER.id.replace('/', '__')}"

    _train_in_session(student, (4,), {"hidden_activation": "tanh", "init": "xavier", "learning_rate": 1.2,
                                      "num_iterations": 1000})
    student.button(enter).click().run()
    assert not student.exception
    assert any(e.value.startswith("Not yet: test accuracy") for e in student.error)
    assert not student.dataframe, "an entry that misses the target is not ranked"

    _train_in_session(student, (10,), {"hidden_activation": "tanh", "init": "xavier", "learning_rate": 5.0,
                                       "num_iterations": 2000})
    student.button(enter).click().run()
    assert any("meets it" in s.value for s in student.success)
    rows = student.dataframe[0].value.to_dict("records")
    assert rows == [{"rank": 1, "name": "anonymous", "test accuracy": "90%"}]
    teacher.switch_page("views/lesson.py").run()
    assert teacher.dataframe[0].value.to_dict("records") == rows, "the class sees the same ranking"
