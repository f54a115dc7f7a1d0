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
STATE_KEY = "lesson_state"
MAX_TICKS = 400
LESSONS = L.load_all([L.LESSONS_DIR])[0]


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def state(at: AppTest):
    return at.session_state[STATE_KEY]


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
