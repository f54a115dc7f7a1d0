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

from store import StoreError
from ui import board_link, datasets, lesson_class, lessons, lessons_plots, settings, store_hooks, toy_link
from ui import lessons_challenge as challenges
from ui.controller import Controller, controller
from ui.identity import identity
from ui.lessons_progress import (
    DONE,
    EXPLANATION_MAX,
    PREDICT,
    LessonProgress,
    LessonView,
    clean_explanation,
    finite_or_none,
    thin,
)
from ui.lessons_stores import challenge_store, class_store, progress_store
from ui.text import literal

# This page's state in st.session_state (a LessonView) until the Session has a typed field for it.
LESSON_PARAM = "lesson"        # ?lesson=<id> opens a lesson
# Widget keys (one prefix, so no other page's key is taken).
CHOICE, NUMBER, EXPLAIN_BOX = "lesson_choice", "lesson_number", "lesson_explain"
LOCK, RUN, SEND, NEXT, BACK, LEAVE, RESTART = ("lesson_lock", "lesson_run", "lesson_send", "lesson_next",
                                              "lesson_back", "lesson_leave", "lesson_restart")
SHOW_PICK, SHOW, STOP_CLASS, SOLO = "lesson_show_pick", "lesson_show", "lesson_stop_class", "lesson_solo"
CLASS_REFRESH_SECONDS = 2.0
PAGE_SCRIPTS = {"train": "views/train.py", "model": "views/model.py", "data": "views/data.py",
                "inspect": "views/inspect.py", "results": "views/results.py", "step-by-step": "views/step_by_step.py"}
PAGE_TITLES = {"train": "Train", "model": "Model", "data": "Data", "inspect": "Inspect", "results": "Results",
               "step-by-step": "Step by step"}


def start_key(lesson_id: str) -> str:
    return f"lesson_start_{lesson_id}"


def challenge_key(kind: str, challenge_id: str) -> str:
    return f"lesson_{kind}_{challenge_id.replace('/', '__')}"


def challenge_data(challenge: lessons.Challenge):
    """The challenge's own data: a toy set with its default points, or the named data set."""
    if challenge.data in settings.TOY_NAMES:
        return toy_link.toy_data(challenge.data, toy_link.ToyOptions())
    return datasets.by_key(challenge.data)


def judge_mine(ctl: Controller, challenge: lessons.Challenge) -> tuple[challenges.Judgement, str | None]:
    """(the judgement of this tab's run, its stored row): from the stored run when the store holds it, so
    what is judged is exactly what the store keeps; from the server's own copy of the run otherwise."""
    dataset = challenge_data(challenge)
    if dataset is None:
        return challenges.Judgement(False, {}, (), "The challenge's data is not on this computer."), None
    found, _ = store_hooks.current_store(ctl.s.id)
    state = ctl.s.store
    if found is not None and state is not None and state.run_id is not None:
        store_hooks.settle(found, state, wait=True, session_id=ctl.s.id)
        try:
            stored = found.runs.load(state.run_id, state.owner)
        except StoreError as exc:
            return challenges.Judgement(False, {}, (), str(exc)), None
        return challenges.judge_stored(challenge, stored, dataset), state.run_id
    run = ctl.s.run
    if run is None or ctl.s.dataset is not dataset:
        return challenges.Judgement(False, {}, (), f"Train a run on “{dataset.name}” first."), None
    return challenges.judge_run(challenge, run), None


def teach_key(lesson_id: str) -> str:
    return f"lesson_teach_{lesson_id}"


def class_role(ctl: Controller) -> tuple[str | None, bool]:
    """(the class board this tab has open or None, whether this tab is its teacher)."""
    code = ctl.s.board_code
    if not code:
        return None, False
    admins = board_link.link(ctl.s).admins
    assert admins is not None, "board_link.link() always fills admins with a dict"
    admin = admins.get(code)
    if not admin:
        return code, False
    found, _ = store_hooks.current_store(ctl.s.id)
    return code, found is not None and found.boards.is_teacher(code, admin)


def student(ctl: Controller) -> str:
    return lesson_class.student_key(owner(ctl))


@st.cache_data(ttl=10, show_spinner=False)
def all_lessons() -> tuple[list[lessons.Lesson], list[str]]:
    """Every lesson file, read again at most every 10 s (a teacher's new file shows up without a restart)."""
    return lessons.load_all()


def view_of(ctl: Controller) -> LessonView:
    if ctl.s.lesson is None:
        ctl.s.lesson = LessonView()
    return ctl.s.lesson


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
    assert view.progress is not None, "this button is drawn only on a lesson's page, which has a progress"
    answer = view.progress.answer()
    if answer.prediction is None and not class_role(ctl)[1]:
        return
    dataset = step_dataset(step)
    if dataset is None:
        view.problem = "This step needs the course's cat data, which is not on this computer (see Data)."
        return
    view.problem = None
    answer.started = True
    if is_step_run(ctl, step) and ctl.s.run is not None and ctl.s.run.done:
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
    assert progress is not None, "a step is recorded only from a lesson's page, which has a progress"
    lesson = lesson_by_id().get(progress.lesson_id)
    answer = progress.answer()
    if lesson is None or not answer.started or answer.metrics is not None:
        return False
    step = lesson.steps[progress.step]
    run = ctl.s.run
    if not is_step_run(ctl, step) or run is None or not run.done:
        return False
    metrics = lessons.measure(run)
    answer.metrics = {k: finite_or_none(v) for k, v in metrics.items()}
    answer.metrics["curve_shape"] = metrics["curve_shape"]
    answer.curve = thin(list(zip(run.history.cost_iterations, run.history.costs, strict=False)))
    save(ctl, view)
    code, teacher = class_role(ctl)
    taught = class_store().get(code) if teacher else None
    if taught is not None and taught.lesson_id == progress.lesson_id and taught.step == progress.step:
        class_store().set_result(code, progress.step, answer.metrics, answer.curve)
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
    assert view.progress is not None, "this button is drawn only on a lesson's page, which has a progress"
    view.progress.answer().prediction = value
    save(ctl, view)
    code = ctl.s.board_code
    followed = class_store().get(code) if code else None
    if (followed is not None and followed.lesson_id == view.progress.lesson_id and view.solo != code
            and not class_role(ctl)[1]):
        try:
            class_store().predict(code, student(ctl), view.progress.step, value)
        except lesson_class.ClassError as exc:
            view.problem = str(exc)


def on_send() -> None:
    ctl = controller()
    view = view_of(ctl)
    try:
        text = clean_explanation(st.session_state.get(EXPLAIN_BOX, ""))
        assert view.progress is not None, "this button is drawn only on a lesson's page, which has a progress"
        view.progress.answer().explanation = text
        view.problem = None
    except ValueError as exc:
        view.problem = str(exc)
        return
    save(ctl, view)
    code = ctl.s.board_code
    followed = class_store().get(code) if code else None
    if followed is not None and followed.lesson_id == view.progress.lesson_id and view.solo != code:
        try:
            class_store().explain(code, student(ctl), view.progress.step, text)
        except lesson_class.ClassError as exc:
            view.problem = str(exc)


def on_move(delta: int, steps: int) -> None:
    ctl = controller()
    view = view_of(ctl)
    assert view.progress is not None, "this button is drawn only on a lesson's page, which has a progress"
    view.progress.step = max(0, min(steps - 1, view.progress.step + delta))
    view.problem = None
    code, teacher = class_role(ctl)
    if teacher and class_store().get(code) is not None:
        class_store().move(code, view.progress.step)
    for key in (CHOICE, NUMBER, EXPLAIN_BOX):
        st.session_state.pop(key, None)
    save(ctl, view)


def on_leave() -> None:
    view = view_of(controller())
    view.progress, view.problem = None, None


def on_restart() -> None:
    ctl = controller()
    view = view_of(ctl)
    assert view.progress is not None, "this button is drawn only on a lesson's page, which has a progress"
    view.progress = LessonProgress(view.progress.lesson_id)
    save(ctl, view)


def on_teach(code: str, lesson_id: str) -> None:
    ctl = controller()
    if not class_role(ctl)[1]:
        return
    view = view_of(ctl)
    class_store().start(code, lesson_id)
    view.progress, view.problem, view.solo = LessonProgress(lesson_id), None, None
    save(ctl, view)


def on_stop_class(code: str) -> None:
    ctl = controller()
    if class_role(ctl)[1]:
        class_store().stop(code)


def on_solo(code: str) -> None:
    view = view_of(controller())
    view.solo, view.progress = code, None


def on_show(code: str, answers: list[lesson_class.ClassAnswer]) -> None:
    if not class_role(controller())[1]:
        return
    picked = st.session_state.get(SHOW_PICK) or []
    labels = {explanation_label(a): a.id for a in answers}
    class_store().show(code, [labels[p] for p in picked if p in labels])


def on_judge(challenge: lessons.Challenge, code: str | None) -> None:
    """Judge this tab's run for ``challenge`` on the server; with a class code, enter it (ranked only if it meets)."""
    ctl = controller()
    view = view_of(ctl)
    judgement, run_id = judge_mine(ctl, challenge)
    view.judged[challenge.id] = judgement
    if code and judgement.problem is None:
        name = board_link.link(ctl.s).name or "anonymous"
        challenge_store().enter(code, challenge.id, student(ctl), name, run_id, judgement.metrics, judgement.meets)


def explanation_label(a: lesson_class.ClassAnswer) -> str:
    return f"#{a.id}: {a.explanation}"


# ----- drawing --------------------------------------------------------------------------------------------
def chooser(found: list[lessons.Lesson], problems: list[str], teach: str | None) -> None:
    st.title("Lessons")
    st.caption("Each step asks what you expect before it runs. Predict, run, compare, explain.")
    for problem in problems:
        st.warning(f"A lesson file cannot be used: {literal(problem, 300)}", icon=":material/warning:")
    for lesson in found:
        box = st.container(border=True)
        box.markdown(f"**{literal(lesson.title)}**  \n{literal(lesson.goal, 400)}")
        row = box.container(horizontal=True, gap="small")
        row.button(f"Start ({len(lesson.steps)} steps)", key=start_key(lesson.id), on_click=on_start,
                   args=(lesson.id,), icon=":material/school:")
        if teach:
            row.button(f"Teach to class {teach}", key=teach_key(lesson.id), on_click=on_teach,
                       args=(teach, lesson.id), icon=":material/groups:", type="primary")
    if not teach:
        st.caption("Teaching a class? Open a class board first (Class board page): its lessons can then be "
                   "taught to everyone who joined it, their devices following your steps.")


def challenge_section(found: list[lessons.Lesson], code: str | None) -> None:
    items = [c for lesson in found for c in lesson.challenges]
    if not items:
        return
    st.header("Challenges")
    st.caption("Train your own run (Model, Train), then check it here: the server measures the run it stored, "
               "on the challenge's own data." + (f" Entries for class {code} are ranked when they meet the target."
                                                 if code else " Join a class board to enter it for your class."))
    view = view_of(controller())
    for c in items:
        box = st.container(border=True)
        box.markdown(f"**{literal(c.title)}** · target: {literal(challenges.describe(c))}  \n{literal(c.text, 400)}")
        row = box.container(horizontal=True, gap="small")
        row.button("Check my run", key=challenge_key("judge", c.id), on_click=on_judge, args=(c, None),
                   icon=":material/rule:")
        if code:
            row.button(f"Enter it for class {code}", key=challenge_key("enter", c.id), on_click=on_judge,
                       args=(c, code), icon=":material/emoji_events:")
        judged = view.judged.get(c.id)
        if judged is not None:
            if judged.problem:
                box.warning(literal(judged.problem, 300), icon=":material/warning:")
            elif judged.meets:
                box.success(f"Your stored run meets it: {lessons.METRICS[c.rank]} "
                            f"{lessons.format_metric(c.rank, judged.metrics.get(c.rank))}.", icon=":material/check:")
            else:
                box.error("Not yet: " + literal("; ".join(judged.failures), 300), icon=":material/close:")
        if code:
            ranked = challenges.ranking(c, challenge_store().entries(code, c.id))
            if ranked:
                box.dataframe([{"rank": i + 1, "name": e.name,
                                lessons.METRICS[c.rank]: lessons.format_metric(c.rank, e.metrics.get(c.rank))}
                               for i, e in enumerate(ranked)], hide_index=True, key=challenge_key("table", c.id))


def prediction_widget(step: lessons.Step, answer) -> None:
    p = step.prediction
    st.markdown(f"**Your prediction.** {p.question}")
    if answer.prediction is not None:
        st.success(f"You predicted: **{said(p, answer.prediction)}**", icon=":material/lock:")
        return
    if p.kind == "curve":
        sketches(st)
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
    points = list(zip(run.history.cost_iterations, run.history.costs, strict=False))
    if points:
        st.vega_lite_chart(lessons_plots.curve_spec(thin(points)), width="stretch",
                           alt="The cost of this step's run so far")
    if result.finished or run.done:
        st.rerun()


def result_box(step: lessons.Step, answer, verdict: bool = True) -> None:
    """The prediction beside the result (``verdict``), the step's focus highlighted."""
    p, m = step.prediction, answer.metrics
    box = st.container(border=True)
    if verdict:
        v = lessons.verdict(p, answer.prediction, m)
        mark = ":material/check_circle: **Right.**" if v.right else ":material/cancel: **Not this time.**"
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


def class_panel(code: str, step: lessons.Step, index: int) -> None:
    """The projector: the class's predictions as a histogram (the run's answer marked once it is in), how many
    answered, and the explanations the teacher chose to show, without names.  Refreshes by itself."""
    store = class_store()
    taught = store.get(code)
    if taught is None:
        return
    answers = store.answers(code, index)
    counts, hit = lesson_class.histogram(step.prediction, [a.prediction for a in answers], taught.result)
    st.vega_lite_chart(lessons_plots.histogram_spec(counts, hit, f"Class {code}: {len(answers)} predictions"),
                       width="stretch", alt=f"The class's predictions: {', '.join(f'{a} {n}' for a, n in counts)}")
    st.caption(f"{len(answers)} {'prediction' if len(answers) == 1 else 'predictions'} so far: "
               + literal(", ".join(f"{a} {n}" for a, n in counts), 400))
    if taught.result is not None:
        right, got = sum(n for a, n in counts if a == hit), literal(lessons.outcome(step.prediction, taught.result))
        st.markdown(f"**The run:** {got} · {right} of {len(answers)} predicted it")
    shown = [a for a in answers if a.id in taught.shown and a.explanation]
    if shown:
        st.markdown("**From the class:**")
        for a in shown:
            st.markdown(f"> {literal(a.explanation, 200)}")


def question(step: lessons.Step) -> None:
    """The step's question as the projector shows it: the choices, or the curve pictures to pick from."""
    p = step.prediction
    st.markdown(f"**The question.** {p.question}")
    if p.kind == "curve":
        sketches(st)
    elif p.kind == "choice":
        st.markdown("  \n".join(f"{chr(65 + i)}. {literal(o)}" for i, o in enumerate(p.options)))


def sketches(where) -> None:
    for col, (shape, words) in zip(where.columns(len(lessons.CURVE_SHAPES)), lessons.CURVE_SHAPES.items(), strict=True):
        col.vega_lite_chart(lessons_plots.sketch_spec(shape), width="stretch", alt=f"A cost curve that {words}")
        col.caption(f"**{shape}**: {words}")


def teacher_tools(code: str, index: int) -> None:
    answers = [a for a in class_store().answers(code, index) if a.explanation]
    if not answers:
        st.caption("Students' explanations appear here once they send them.")
        return
    taught = class_store().get(code)
    st.multiselect("Explanations to show on the projector (no names)", [explanation_label(a) for a in answers],
                   default=[explanation_label(a) for a in answers if taught and a.id in taught.shown],
                   key=SHOW_PICK, max_selections=lesson_class.MAX_SHOWN)
    st.button("Show them", key=SHOW, on_click=on_show, args=(code, answers), icon=":material/co_present:")


def teacher_page(ctl: Controller, view: LessonView, lesson: lessons.Lesson, code: str) -> None:
    """The teacher's screen (the projector): the step, the class's predictions, the run, the explanations."""
    progress = view.progress
    assert progress is not None, "main() gives the teacher's tab the class lesson's progress before this"
    taught = class_store().get(code)
    progress.step = taught.step
    step, answer = lesson.steps[progress.step], progress.answer()
    if answer.started and answer.metrics is None:
        record(ctl, view)
    # One small line for the lesson, so the step, its question and the class's answers fit the projector.
    st.caption(f"**{literal(lesson.title)}** · class {literal(code)} · step {progress.step + 1} of {len(lesson.steps)}")
    st.subheader(step.title)
    st.markdown(step.text)
    question(step)
    st.fragment(run_every=CLASS_REFRESH_SECONDS)(class_panel)(code, step, progress.step)
    running = answer.started and answer.metrics is None
    st.button("Run this step", key=RUN, on_click=on_run, args=(step,), disabled=running or answer.metrics is not None,
              type="primary", icon=":material/play_arrow:", help="Runs the step here, on the projector.")
    if view.problem:
        st.warning(literal(view.problem), icon=":material/warning:")
    if running and is_step_run(ctl, step):
        live(ctl)
    if answer.metrics is not None:
        result_box(step, answer, verdict=False)
        with st.expander("Expert note"):
            st.markdown(step.note)
        teacher_tools(code, progress.step)
    row = st.container(horizontal=True, gap="small")
    n = len(lesson.steps)
    row.button("Previous step", key=BACK, on_click=on_move, args=(-1, n), disabled=progress.step == 0,
               icon=":material/arrow_back:")
    row.button("Next step", key=NEXT, on_click=on_move, args=(1, n), disabled=progress.step == n - 1,
               type="primary", icon=":material/arrow_forward:")
    row.button("End the class lesson", key=STOP_CLASS, on_click=on_stop_class, args=(code,), icon=":material/stop:")


def follow_class(code: str, seen: int) -> None:
    """A student's page redraws when the teacher moves on or the run comes in."""
    taught = class_store().get(code)
    if taught is None or taught.version != seen:
        st.rerun()


def student_page(ctl: Controller, view: LessonView, lesson: lessons.Lesson, code: str) -> None:
    """A student following the class: the teacher's step, their prediction, the class's result beside it."""
    taught = class_store().get(code)
    if view.progress is None or view.progress.lesson_id != taught.lesson_id:
        view.progress = progress_store().load(owner(ctl), taught.lesson_id) or LessonProgress(taught.lesson_id)
    progress = view.progress
    progress.step = taught.step
    step, answer = lesson.steps[progress.step], progress.answer()
    if taught.result is not None and answer.metrics is None:
        answer.started, answer.metrics, answer.curve = True, dict(taught.result), list(taught.curve)
        save(ctl, view)
    st.caption(f"**{literal(lesson.title)}** · following class {literal(code)} · "
               f"step {progress.step + 1} of {len(lesson.steps)}")
    st.fragment(run_every=CLASS_REFRESH_SECONDS)(follow_class)(code, taught.version)
    st.subheader(step.title)
    st.markdown(step.text)
    prediction_widget(step, answer)
    if view.problem:
        st.warning(literal(view.problem), icon=":material/warning:")
    if answer.metrics is None:
        st.info("Your teacher runs this step on the projector; your result appears here.",
                icon=":material/hourglass_top:")
    elif answer.prediction is None:
        result_box(step, answer, verdict=False)
    else:
        result_box(step, answer)
        explanation(step, answer)
    st.button("Leave the class lesson", key=SOLO, on_click=on_solo, args=(code,), icon=":material/logout:")


def lesson_page(ctl: Controller, view: LessonView, lesson: lessons.Lesson) -> None:
    progress = view.progress
    assert progress is not None, "main() shows a lesson's page only for a progress it holds"
    progress.step = max(0, min(progress.step, len(lesson.steps) - 1))
    step, answer = lesson.steps[progress.step], progress.answer()
    if answer.started and answer.metrics is None:
        record(ctl, view)
    st.caption(f"**{literal(lesson.title)}** · step {progress.step + 1} of {len(lesson.steps)}")
    st.progress((progress.step + (answer.phase == DONE)) / len(lesson.steps))
    st.subheader(step.title)
    st.markdown(step.text)
    prediction_widget(step, answer)
    if view.problem:
        st.warning(literal(view.problem), icon=":material/warning:")
    if answer.phase != PREDICT:
        running = answer.started and answer.metrics is None
        st.button("Run this step", key=RUN, on_click=on_run, args=(step,),
                  disabled=running or answer.metrics is not None,
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


def main() -> None:
    ctl = controller()
    view = view_of(ctl)
    found, problems = all_lessons()
    by_id = {lesson.id: lesson for lesson in found}
    restore(ctl, view, by_id)
    code, teacher = class_role(ctl)
    taught = class_store().get(code) if code else None
    if taught is not None and taught.lesson_id in by_id and view.solo != code:
        assert code is not None, "a class lesson was found under this code"
        if teacher:
            if view.progress is None or view.progress.lesson_id != taught.lesson_id:
                view.progress = LessonProgress(taught.lesson_id)
            teacher_page(ctl, view, by_id[taught.lesson_id], code)
        else:
            student_page(ctl, view, by_id[taught.lesson_id], code)
        return
    if view.progress is not None and view.progress.lesson_id not in by_id:
        st.warning(f"The lesson {literal(view.progress.lesson_id)} is no longer available.", icon=":material/warning:")
        view.progress = None
    if view.progress is None:
        chooser(found, problems, code if teacher else None)
        challenge_section(found, code)
    else:
        lesson_page(ctl, view, by_id[view.progress.lesson_id])


main()
