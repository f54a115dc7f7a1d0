"""Every step of every lesson played on the Lesson page (AppTest) with scripted predictions; every check its
file declares is verified on the run the page made.  Needs the course data (../shared/data; CI has it)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest_shared import needs_data
from ui import lessons as L
from ui.session import SESSION_KEY

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "lesson.py")
MAX_TICKS = 400
LESSONS = L.load_all([L.LESSONS_DIR])[0]


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def state(at: AppTest):
    return at.session_state[SESSION_KEY].lesson


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def predict(at: AppTest, p: L.Prediction) -> None:
    said = L.scripted_prediction(p)
    if p.kind == "number":
        at.text_input("lesson_number").input(f"{said * 100:g}" if p.unit == "%" else f"{said:g}").run()
    else:
        options = list(p.options) if p.kind == "choice" else list(L.CURVE_SHAPES.values())
        index = said if p.kind == "choice" else list(L.CURVE_SHAPES).index(said)
        at.radio("lesson_choice").set_value(options[index]).run()
    assert at.button("lesson_run").disabled, "the run must stay locked until the prediction is in"
    at.button("lesson_lock").click().run()
    no_exception(at)


def run_to_the_end(at: AppTest) -> dict:
    """Press Run, then let the page tick; the run is hurried along between ticks (the same Trainer, fewer
    script runs), its last iterations always trained by the page's own tick."""
    at.button("lesson_run").click().run()
    no_exception(at)
    for _ in range(MAX_TICKS):
        answer = state(at).progress.answer()
        if answer.metrics is not None:
            return answer.metrics
        run = at.session_state[SESSION_KEY].run
        if run is not None and not run.done and run.config.num_iterations - run.iteration > 50:
            run.advance(run.config.num_iterations - run.iteration - 50)
        at.run()
        no_exception(at)
    raise AssertionError("the step's run did not finish")


@needs_data
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_play_every_step(lesson: L.Lesson):
    at = page().run()
    no_exception(at)
    at.button(f"lesson_start_{lesson.id}").click().run()
    for index, step in enumerate(lesson.steps):
        assert at.subheader[0].value == step.title
        assert state(at).progress.step == index
        predict(at, step.prediction)
        metrics = run_to_the_end(at)
        assert L.failed_checks(step, metrics) == [], f"{lesson.path.name}: {step.title}"
        s = at.session_state[SESSION_KEY]
        assert s.data_key == step.data and s.run.config.layer_dims[1:] == step.config.layer_dims[1:]
        said = [m.value for m in at.markdown if "You said" in m.value]
        assert len(said) == 1
        assert not any("Expert note" in i.value for i in at.info), "the note comes after the explanation"
        assert at.button("lesson_next").disabled if index < len(lesson.steps) - 1 else True
        at.text_input("lesson_explain").input(f"Because of step {index + 1}.").run()
        at.button("lesson_send").click().run()
        assert any("Expert note" in i.value for i in at.info)
        if index < len(lesson.steps) - 1:
            at.button("lesson_next").click().run()
            no_exception(at)
    assert any("Lesson done" in s.value for s in at.success)


def _step_one_of_xor(at: AppTest) -> L.Lesson:
    lesson = next(x for x in LESSONS if x.id == "09_xor")
    at.button("lesson_start_09_xor").click().run()
    predict(at, lesson.steps[0].prediction)
    run_to_the_end(at)
    at.text_input("lesson_explain").input("One *line*: [see](https://evil.example) <b>x</b>").run()
    at.button("lesson_send").click().run()
    return lesson


def test_explanations_render_literally_and_the_run_unlocks_only_after_a_prediction():
    from ui.text import literal

    at = page().run()
    at.button("lesson_start_09_xor").click().run()
    assert at.button("lesson_run").disabled
    at.button("lesson_lock").click().run()  # nothing chosen: refused, still locked
    assert any("Choose an answer" in w.value for w in at.warning) and at.button("lesson_run").disabled
    at = page().run()
    _step_one_of_xor(at)
    wrote = [m.value for m in at.markdown if m.value.startswith("You wrote")]
    assert wrote == [f"You wrote: “{literal('One *line*: [see](https://evil.example) <b>x</b>')}”"]


def test_a_number_prediction_is_checked_and_shown_back():
    at = page().run()
    at.button("lesson_start_02_depth").click().run()
    for bad in ("seventy", "150", "-1"):
        at.text_input("lesson_number").input(bad).run()
        at.button("lesson_lock").click().run()
        assert at.warning and at.button("lesson_run").disabled
    at.text_input("lesson_number").input("90").run()
    at.button("lesson_lock").click().run()
    assert [s.value for s in at.success] == ["You predicted: **90\\%**"] and not at.button("lesson_run").disabled


def test_a_reload_comes_back_to_the_same_step_with_its_answers():
    from ui.session import new_session

    at = page().run()
    lesson = _step_one_of_xor(at)
    at.button("lesson_next").click().run()
    predict(at, lesson.steps[1].prediction)
    first = at.session_state[SESSION_KEY]
    again = page()
    reloaded = new_session()
    reloaded.identity = first.identity  # the same browser (its cookie), a new tab session
    again.session_state[SESSION_KEY] = reloaded
    again.run()
    no_exception(again)
    assert again.subheader[0].value == lesson.steps[1].title
    from ui.text import literal
    assert [s.value for s in again.success] == [f"You predicted: **{literal(L.CURVE_SHAPES['flat'])}**"]
    progress = again.session_state[SESSION_KEY].lesson.progress
    assert progress.answers[0].explanation.startswith("One *line*") and progress.answers[0].metrics is not None


def test_the_page_in_the_app():
    at = AppTest.from_file(str(Path(PAGE).parents[1] / "app.py"), default_timeout=60).run()
    at.switch_page("views/lesson.py").run()
    no_exception(at)
    assert at.title[0].value == "Lessons" and len([b for b in at.button if b.label.startswith("Start")]) == len(LESSONS)
