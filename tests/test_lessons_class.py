"""A lesson taught to a class board: the teacher starts it, students follow the step and predict, the
projector's histogram counts their predictions, the teacher's run brings the result to every student, and the
explanations the teacher picks are shown without names, literally."""
from __future__ import annotations

import json

import pytest

from ui import lesson_class as C
from ui import lessons as L
from ui.session import SESSION_KEY
from ui.text import literal

XOR = next(x for x in L.load_all([L.LESSONS_DIR])[0] if x.id == "09_xor")


def _open_class(app_test):
    teacher = app_test("views/board.py")
    teacher.text_input(key="board_title").input("Lab").run()
    teacher.button(key="board_open").click().run()
    return teacher, teacher.session_state[SESSION_KEY].board_code


def _join(app_test, code):
    student = app_test("views/board.py")
    student.text_input(key="board_code_input").input(code).run()
    student.button(key="board_join").click().run()
    assert student.session_state[SESSION_KEY].board_code == code
    student.switch_page("views/lesson.py").run()
    assert not student.exception, [e.value for e in student.exception]
    assert any(f"following class {code}" in c.value for c in student.caption)
    return student


def _histogram(at) -> dict[str, int]:
    """The bars of the one histogram on the page (Streamlit sends a spec's inline data as Arrow datasets)."""
    import pyarrow as pa

    bars = [c for c in at.get("vega_lite_chart") if json.loads(c.proto.spec).get("mark", {}).get("type") == "bar"]
    assert len(bars) == 1
    proto = bars[0].proto
    raw = proto.datasets[0].data.data if proto.datasets else proto.data.data
    rows = pa.ipc.open_stream(raw).read_all().to_pylist()
    return {r["answer"]: r["count"] for r in rows}


def _predict(at, option: str) -> None:
    at.radio("lesson_choice").set_value(option).run()
    at.button("lesson_lock").click().run()
    assert not at.exception


def test_a_class_follows_the_teacher(app_test):
    teacher, code = _open_class(app_test)
    teacher.switch_page("views/lesson.py").run()
    teacher.button(f"lesson_teach_{XOR.id}").click().run()
    assert not teacher.exception and teacher.subheader[0].value == XOR.steps[0].title
    from store.lessons import SqlClassStore
    from ui import store_hooks
    found, _ = store_hooks.current_store()
    assert SqlClassStore(found.engine).get(code).lesson_id == XOR.id, "the class lesson is in the database"

    ada, bob = _join(app_test, code), _join(app_test, code)
    for student in (ada, bob):
        assert student.subheader[0].value == XOR.steps[0].title
        assert f"lesson_teach_{XOR.id}" not in [b.key for b in student.button], "only the teacher starts lessons"
        assert "lesson_run" not in [b.key for b in student.button], "students do not run the class's step"
    options = XOR.steps[0].prediction.options
    _predict(ada, options[2])
    _predict(bob, options[0])
    teacher.run()
    assert _histogram(teacher) == {options[0]: 1, options[1]: 0, options[2]: 1}

    teacher.button("lesson_run").click().run()
    for _ in range(200):
        if teacher.session_state[SESSION_KEY].lesson.progress.answer().metrics is not None:
            break
        teacher.run()
    metrics = teacher.session_state[SESSION_KEY].lesson.progress.answer().metrics
    assert L.failed_checks(XOR.steps[0], metrics) == []
    assert any(m.value.startswith("**The run:**") and "1 of 2 predicted it" in m.value for m in teacher.markdown)

    ada.run()
    said = [m.value for m in ada.markdown if "You said" in m.value]
    assert said and "**Right.**" in said[0]
    bob.run()
    assert "**Not this time.**" in [m.value for m in bob.markdown if "You said" in m.value][0]
    late = _join(app_test, code)
    _predict(late, options[1])
    assert any("closed" in w.value for w in late.warning), "no prediction once the run is in"

    line = "Lines *can't* [do](https://x.example) XOR <script>"
    ada.text_input("lesson_explain").input(line).run()
    ada.button("lesson_send").click().run()
    assert any("Expert note" in i.value for i in ada.info)
    teacher.run()
    pick = teacher.multiselect("lesson_show_pick")
    assert len(pick.options) == 1 and "Ada" not in pick.options[0]
    pick.set_value([pick.options[0]]).run()
    teacher.button("lesson_show").click().run()
    assert f"> {literal(line, 200)}" in [m.value for m in teacher.markdown]

    teacher.button("lesson_next").click().run()
    ada.run()
    assert ada.subheader[0].value == XOR.steps[1].title, "students follow the teacher's step"
    teacher.button("lesson_stop_class").click().run()
    ada.run()
    assert not any("following class" in c.value for c in ada.caption)
    assert "lesson_leave" in [b.key for b in ada.button], "the lesson goes on alone, with its own buttons"


def test_the_memory_class_store():
    store = C.MemoryClassStore()
    with pytest.raises(C.ClassError):
        store.predict("ABC123", "s1", 0, 1)
    store.start("ABC123", "09_xor")
    a = store.predict("ABC123", "s1", 0, 1)
    assert store.predict("ABC123", "s1", 0, 2).id == a.id, "one prediction per student per step"
    store.predict("ABC123", "s2", 0, 0)
    with pytest.raises(C.ClassError):
        store.predict("ABC123", "s3", 1, 0)
    with pytest.raises(C.ClassError):
        store.explain("ABC123", "s9", 0, "no prediction yet")
    store.explain("ABC123", "s1", 0, "  because \n lines ")
    assert [x.explanation for x in store.answers("ABC123", 0)] == ["because lines", None]
    assert store.show("ABC123", [a.id, 999]).shown == (a.id,)
    store.set_result("ABC123", 0, {"test_accuracy": 0.6}, [(0, 0.7)])
    with pytest.raises(C.ClassError):
        store.predict("ABC123", "s4", 0, 0)
    moved = store.move("ABC123", 1)
    assert moved.result is None and moved.shown == () and moved.step == 1
    store.stop("ABC123")
    assert store.get("ABC123") is None and store.answers("ABC123", 0) == []
    assert C.student_key("token") != "token" and len(C.student_key("token")) == 64


def test_histograms():
    lessons = {x.id: x for x in L.load_all([L.LESSONS_DIR])[0]}
    choice = lessons["02_depth"].steps[2].prediction
    counts, hit = C.histogram(choice, [0, 0, 2], {"test_accuracy": 0.8})
    assert counts == [("higher", 2), ("about the same", 0), ("lower", 1)] and hit == "higher"
    number = lessons["02_depth"].steps[0].prediction
    counts, hit = C.histogram(number, [0.72, 0.95, 1.0, 0.05], {"test_accuracy": 0.72})
    assert len(counts) == 10 and sum(n for _, n in counts) == 4 and hit == "70%–80%"
    assert dict(counts)["90%–100%"] == 2
    curve = lessons["03_initialisation"].steps[0].prediction
    counts, hit = C.histogram(curve, ["flat", "smooth", "flat"], {"curve_shape": "flat"})
    assert dict(counts) == {"smooth": 1, "flat": 2, "noisy": 0, "explodes": 0} and hit == "flat"
    big = lessons["02_depth"].steps[1].prediction
    counts, hit = C.histogram(big, [100000, 245973, 300000], None)
    assert sum(n for _, n in counts) == 3 and hit is None
    assert C.histogram(big, [5, 5], None)[0] == [("5", 2)]
