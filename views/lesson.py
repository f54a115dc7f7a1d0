"""Lesson: predict, run, explain.  A lesson (lessons/*.toml, see ui/lessons.py) walks through 3-8 steps; each
step asks for a prediction before its run button unlocks, runs the real training live, shows the prediction
beside the result, asks for a one-line explanation, and only then reveals the expert note.

Progress lives in the Session (this tab) and in a progress store under the browser's identity (a reload comes
back to the same step with the same answers).  Anything a student types is shown through ui.text.literal.
"""
from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui import datasets, lessons, lessons_plots, settings, toy_link
from ui.controller import Controller, controller
from ui.identity import identity
from ui.lessons_progress import (DONE, EXPLANATION_MAX, PREDICT, LessonProgress, LessonView, MemoryProgressStore,
                                 clean_explanation, finite_or_none, thin)
from ui.text import literal

# This page's state in st.session_state (a LessonView) until the Session has a typed field for it.
STATE_KEY = "lesson_state"
LESSON_PARAM = "lesson"        # ?lesson=<id> opens a lesson
# Widget keys (one prefix, so no other page's key is taken).
CHOICE, NUMBER, EXPLAIN_BOX = "lesson_choice", "lesson_number", "lesson_explain"
LOCK, RUN, SEND, NEXT, BACK, LEAVE, RESTART = ("lesson_lock", "lesson_run", "lesson_send", "lesson_next",
                                              "lesson_back", "lesson_leave", "lesson_restart")
PAGE_SCRIPTS = {"train": "views/train.py", "model": "views/model.py", "data": "views/data.py",
                "inspect": "views/inspect.py", "results": "views/results.py", "step-by-step": "views/step_by_step.py"}
PAGE_TITLES = {"train": "Train", "model": "Model", "data": "Data", "inspect": "Inspect", "results": "Results",
               "step-by-step": "Step by step"}


def start_key(lesson_id: str) -> str:
    return f"lesson_start_{lesson_id}"


@st.cache_resource
def progress_store() -> MemoryProgressStore:
    """The server's progress store (in memory: a reload finds its progress; a restart does not)."""
    return MemoryProgressStore()


@st.cache_data(ttl=10, show_spinner=False)
def all_lessons() -> tuple[list[lessons.Lesson], list[str]]:
    """Every lesson file, read again at most every 10 s (a teacher's new file shows up without a restart)."""
    return lessons.load_all()


def view_of(ctl: Controller) -> LessonView:
    found = st.session_state.get(STATE_KEY)
    if not isinstance(found, LessonView):
        found = st.session_state[STATE_KEY] = LessonView()
    return found


def owner(ctl: Controller) -> str:
    return identity(ctl.s).token


def save(ctl: Controller, view: LessonView) -> None:
    if view.progress is not None:
        progress_store().save(owner(ctl), view.progress)


def restore(ctl: Controller, view: LessonView, by_id: dict[str, lessons.Lesson]) -> None:
    """On the tab's first visit: the lesson a ?lesson= link names, else the browser's latest progress."""
    if view.restored:
        return
    view.restored = True
    wanted = st.query_params.get(LESSON_PARAM)
    if wanted in by_id:
        view.progress = progress_store().load(owner(ctl), wanted) or LessonProgress(wanted)
        return
    view.progress = progress_store().latest(owner(ctl))


# ----- setting a step up and running it -----------------------------------------------------------------
def step_dataset(step: lessons.Step):
    """The server's cached copy of the step's data, or None when it is not on this computer."""
    if step.data in settings.TOY_NAMES:
        return toy_link.toy_data(step.data, step.toy or toy_link.ToyOptions())
    return datasets.by_key(step.data)


def is_step_run(ctl: Controller, step: lessons.Step) -> bool:
    """Whether the session's current run is this step's model on this step's data."""
    s, run = ctl.s, ctl.s.run
    return (run is not None and s.data_key == step.data and step_dataset(step) is s.dataset
            and settings.same_model(run.config, step.config_for(s.dataset.n_x)))


def on_run(step: lessons.Step) -> None:
    """Set the app up as the step says and start its run (a finished run of the same setup is reused)."""
    ctl, view = controller(), view_of(controller())
    answer = view.progress.answer()
    if answer.prediction is None:
        return
    dataset = step_dataset(step)
    if dataset is None:
        view.problem = "This step needs the course's cat data, which is not on this computer (see Data)."
        return
    view.problem = None
    answer.started = True
    if is_step_run(ctl, step) and ctl.s.run.done:
        record(ctl, view)
        return
    ctl.pause()
    if step.data in settings.TOY_NAMES:
        ctl.s.toy_options = step.toy or toy_link.ToyOptions()
    if ctl.s.data_key != step.data or ctl.s.dataset is not dataset:
        ctl.switch_dataset(dataset, step.data)
    ctl.set_config(step.config_for(dataset.n_x))
    ctl.reset()
    if not ctl.start():
        view.problem = ctl.s.error
        answer.started = False
    save(ctl, view)


def record(ctl: Controller, view: LessonView) -> bool:
    """Measure the step's finished run into the progress (once); True when it did."""
    progress = view.progress
    lesson = lesson_by_id().get(progress.lesson_id)
    answer = progress.answer()
    if lesson is None or not answer.started or answer.metrics is not None:
        return False
    step = lesson.steps[progress.step]
    run = ctl.s.run
    if not is_step_run(ctl, step) or not run.done:
        return False
    metrics = lessons.measure(run)
    answer.metrics = {k: finite_or_none(v) for k, v in metrics.items()}
    answer.metrics["curve_shape"] = metrics["curve_shape"]
    answer.curve = thin([(i, c) for i, c in zip(run.history.cost_iterations, run.history.costs)])
    save(ctl, view)
    return True


def lesson_by_id() -> dict[str, lessons.Lesson]:
    return {lesson.id: lesson for lesson in all_lessons()[0]}


# ----- callbacks ------------------------------------------------------------------------------------------
def on_start(lesson_id: str) -> None:
    ctl = controller()
    view = view_of(ctl)
    view.progress = progress_store().load(owner(ctl), lesson_id) or LessonProgress(lesson_id)
    view.problem = None
    save(ctl, view)


def on_lock(step: lessons.Step) -> None:
    ctl = controller()
    view = view_of(ctl)
    p = step.prediction
    raw = st.session_state.get(NUMBER if p.kind == "number" else CHOICE)
    if raw is None:
        view.problem = "Choose an answer first." if p.kind != "number" else "Type a number first."
        return
    if p.kind == "number":
        try:
            value: Any = lessons.parse_number(p, raw)
        except ValueError as exc:
            view.problem = str(exc)
            return
    elif p.kind == "choice":
        value = p.options.index(raw)
    else:
        value = next(shape for shape, words in lessons.CURVE_SHAPES.items() if words == raw)
    view.problem = None
    view.progress.answer().prediction = value
    save(ctl, view)


def on_send() -> None:
    ctl = controller()
    view = view_of(ctl)
    try:
        view.progress.answer().explanation = clean_explanation(st.session_state.get(EXPLAIN_BOX, ""))
        view.problem = None
    except ValueError as exc:
        view.problem = str(exc)
    save(ctl, view)


def on_move(delta: int, steps: int) -> None:
    ctl = controller()
    view = view_of(ctl)
    view.progress.step = max(0, min(steps - 1, view.progress.step + delta))
    view.problem = None
    for key in (CHOICE, NUMBER, EXPLAIN_BOX):
        st.session_state.pop(key, None)
    save(ctl, view)


def on_leave() -> None:
    view = view_of(controller())
    view.progress, view.problem = None, None


def on_restart() -> None:
    ctl = controller()
    view = view_of(ctl)
    view.progress = LessonProgress(view.progress.lesson_id)
    save(ctl, view)


# ----- drawing --------------------------------------------------------------------------------------------
def chooser(found: list[lessons.Lesson], problems: list[str]) -> None:
    st.title("Lessons")
    st.caption("Each step asks what you expect before it runs. Predict, run, compare, explain.")
    for problem in problems:
        st.warning(f"A lesson file cannot be used: {literal(problem, 300)}", icon=":material/warning:")
    for lesson in found:
        box = st.container(border=True)
        box.markdown(f"**{literal(lesson.title)}**  \n{literal(lesson.goal, 400)}")
        box.button(f"Start ({len(lesson.steps)} steps)", key=start_key(lesson.id), on_click=on_start,
                   args=(lesson.id,), icon=":material/school:")


def prediction_widget(step: lessons.Step, answer) -> None:
    p = step.prediction
    st.markdown(f"**Your prediction.** {p.question}")
    if answer.prediction is not None:
        st.success(f"You predicted: **{said(p, answer.prediction)}**", icon=":material/lock:")
        return
    if p.kind == "curve":
        cols = st.columns(len(lessons.CURVE_SHAPES))
        for col, (shape, words) in zip(cols, lessons.CURVE_SHAPES.items()):
            col.vega_lite_chart(lessons_plots.sketch_spec(shape), width="stretch",
                                alt=f"A cost curve that {words}")
            col.caption(words)
        st.radio("The curve", list(lessons.CURVE_SHAPES.values()), index=None, key=CHOICE, horizontal=True,
                 label_visibility="collapsed")
    elif p.kind == "choice":
        st.radio("Your answer", list(p.options), index=None, key=CHOICE, label_visibility="collapsed")
    else:
        unit = " (in %)" if p.unit == "%" else ""
        st.text_input(f"Your number{unit}", key=NUMBER, max_chars=40, placeholder="e.g. 75" if p.unit else "")
    st.button("Lock in my prediction", key=LOCK, on_click=on_lock, args=(step,), type="primary",
              icon=":material/lock:")


def said(p: lessons.Prediction, value: Any) -> str:
    """The prediction as shown back (Markdown-safe)."""
    if p.kind == "choice":
        return literal(p.options[int(value)])
    if p.kind == "curve":
        return literal(lessons.CURVE_SHAPES.get(value, str(value)))
    return literal(f"{value:.0%}" if p.unit == "%" else f"{value:,.6g}")


def live(ctl: Controller) -> None:
    """The step's run, ticking while it trains (a fragment on the session's refresh interval); a full rerun
    when it ends shows the result."""
    st.fragment(run_every=ctl.s.tick_seconds if ctl.s.running else None)(_live_body)()


def _live_body() -> None:
    ctl = controller()
    result = ctl.tick()
    run = ctl.s.run
    if run is None:
        return
    st.progress(min(1.0, run.iteration / run.config.num_iterations),
                text=f"Training: iteration {run.iteration:,} of {run.config.num_iterations:,}")
    points = list(zip(run.history.cost_iterations, run.history.costs))
    if points:
        st.vega_lite_chart(lessons_plots.curve_spec(thin(points)), width="stretch",
                           alt="The cost of this step's run so far")
    if result.finished or run.done:
        st.rerun()


def result_box(step: lessons.Step, answer) -> None:
    """The prediction beside the result, the step's focus highlighted."""
    p, m = step.prediction, answer.metrics
    v = lessons.verdict(p, answer.prediction, m)
    box = st.container(border=True)
    mark = "✅" if v.right else "❌"
    verb = "it reached" if p.kind == "number" else "the run says"
    box.markdown(f"{mark} You said **{literal(v.said)}**; {verb} **{literal(v.got)}**.")
    focus = [name for name in step.focus if name != "curve"]
    if focus:
        row = box.container(horizontal=True, gap="medium")
        for name in focus:
            row.metric(lessons.METRICS[name].capitalize(), lessons.format_metric(name, m.get(name)), width="content")
    if "curve" in step.focus and answer.curve:
        box.vega_lite_chart(lessons_plots.curve_spec(answer.curve), width="stretch",
                            alt=f"The cost curve of this step's run: it {lessons.CURVE_SHAPES[m['curve_shape']]}")
    box.markdown(f"**Result.** {step.result}")
    script = PAGE_SCRIPTS.get(step.page)
    if script:
        try:
            box.page_link(script, label=f"Look at this run on {PAGE_TITLES[step.page]}", icon=":material/visibility:")
        except StreamlitAPIException:  # the page runs outside the app's navigation (a test)
            pass


def explanation(step: lessons.Step, answer) -> None:
    st.markdown(f"**Explain in one line.** {step.explain}")
    if answer.explanation is None:
        st.text_input("Your explanation", key=EXPLAIN_BOX, max_chars=EXPLANATION_MAX, label_visibility="collapsed",
                      placeholder="One line, in your own words")
        st.button("Send my explanation", key=SEND, on_click=on_send, icon=":material/send:")
        return
    st.markdown(f"You wrote: “{literal(answer.explanation, EXPLANATION_MAX)}”")
    st.info(f"**Expert note.** {step.note}", icon=":material/lightbulb:")


def navigation(lesson: lessons.Lesson, progress: LessonProgress, answer) -> None:
    row = st.container(horizontal=True, gap="small")
    n = len(lesson.steps)
    row.button("Previous step", key=BACK, on_click=on_move, args=(-1, n), disabled=progress.step == 0,
               icon=":material/arrow_back:")
    last = progress.step == n - 1
    if not last:
        row.button("Next step", key=NEXT, on_click=on_move, args=(1, n), disabled=answer.phase != DONE,
                   type="primary", icon=":material/arrow_forward:")
    row.button("All lessons", key=LEAVE, on_click=on_leave, icon=":material/list:")
    if last and answer.phase == DONE:
        right = [lessons.verdict(s.prediction, a.prediction, a.metrics).right
                 for s, a in ((lesson.steps[i], progress.answers.get(i)) for i in range(n))
                 if a is not None and a.metrics is not None and a.prediction is not None]
        st.success(f"Lesson done: {progress.score(right)}. The runs stay in your run history (Train).",
                   icon=":material/celebration:")
        row.button("Do it again", key=RESTART, on_click=on_restart, icon=":material/replay:")


def lesson_page(ctl: Controller, view: LessonView, lesson: lessons.Lesson) -> None:
    progress = view.progress
    progress.step = max(0, min(progress.step, len(lesson.steps) - 1))
    step, answer = lesson.steps[progress.step], progress.answer()
    if answer.started and answer.metrics is None:
        record(ctl, view)
    st.title(lesson.title)
    st.caption(f"Step {progress.step + 1} of {len(lesson.steps)} · {literal(lesson.goal, 400)}")
    st.progress((progress.step + (answer.phase == DONE)) / len(lesson.steps))
    st.subheader(step.title)
    st.markdown(step.text)
    prediction_widget(step, answer)
    if view.problem:
        st.warning(literal(view.problem), icon=":material/warning:")
    if answer.phase != PREDICT:
        running = answer.started and answer.metrics is None
        st.button("Run this step", key=RUN, on_click=on_run, args=(step,), disabled=running or answer.metrics is not None,
                  type="primary", icon=":material/play_arrow:",
                  help="Sets the app up as the step says and trains the network.")
        if running and is_step_run(ctl, step):
            live(ctl)
    else:
        st.button("Run this step", key=RUN, disabled=True, icon=":material/lock:",
                  help="Lock in a prediction first: the run unlocks then.")
    if answer.metrics is not None:
        result_box(step, answer)
        explanation(step, answer)
    navigation(lesson, progress, answer)


ctl = controller()
view = view_of(ctl)
found, problems = all_lessons()
by_id = {lesson.id: lesson for lesson in found}
restore(ctl, view, by_id)
if view.progress is not None and view.progress.lesson_id not in by_id:
    st.warning(f"The lesson {literal(view.progress.lesson_id)} is no longer available.", icon=":material/warning:")
    view.progress = None
if view.progress is None:
    chooser(found, problems)
else:
    lesson_page(ctl, view, by_id[view.progress.lesson_id])
