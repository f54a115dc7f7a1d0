"""Lesson files: loading, the schema's errors (file and line), metrics, curve shapes and prediction scoring.

Every check of every shipped lesson is verified by playing the lessons in the app: tests/test_lessons_play.py.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import dnn
from ui import lessons as L

SHIPPED = L.LESSONS_DIR
MINIMAL = '''title = "T"
goal = "G"
{steps}'''
STEP = '''
[[steps]]
title = "S{i}"
text = "Some text."
setup = "data=xor&hidden=2&act=tanh&lr=0.5&iters=50&seed=1"
result = "A claim."
explain = "Why?"
note = "Because."

[steps.predict]
kind = "choice"
question = "Which?"
options = ["a", "b"]
answer = "a"

[[steps.checks]]
metric = "test_accuracy"
at_least = 0.0
'''


def minimal(n: int = 3) -> str:
    return MINIMAL.format(steps="".join(STEP.format(i=i) for i in range(n)))


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, name: str = "mine.toml") -> str:
    with pytest.raises(L.LessonError) as info:
        L.load_lesson(write(tmp_path, text, name))
    return str(info.value)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


# ----- the shipped lessons -------------------------------------------------------------------------
def test_at_least_eight_lessons_ship_and_all_load():
    lessons, problems = L.load_all([SHIPPED])
    assert problems == []
    assert len(lessons) >= 8
    for lesson in lessons:
        assert L.MIN_STEPS <= len(lesson.steps) <= L.MAX_STEPS
        assert all(step.checks for step in lesson.steps)


def test_the_course_topics_are_covered():
    setups = " ".join(s.setup for lesson in L.load_all([SHIPPED])[0] for s in lesson.steps)
    for needle in ("init=course", "lambd=0.7", "keep=0.", "batch=", "opt=momentum", "opt=adam", "data=xor&hidden=none",
                   "hidden=7&", "hidden=20,7,5", "lr=50"):
        assert needle in setups, needle


def test_a_number_prediction_from_a_text_box():
    step = L.load_lesson(SHIPPED / "02_depth.toml").steps[0]
    p = step.prediction
    assert p.kind == "number" and p.unit == "%"
    assert L.parse_number(p, "72") == pytest.approx(0.72)
    assert L.parse_number(p, " 72.5% ") == pytest.approx(0.725)
    for bad in ("", "abc", "nan", "inf", "1e400", "-5", "101", "[72](http://x)"):
        with pytest.raises(ValueError):
            L.parse_number(p, bad)


# ----- the schema's errors name the file and the line ----------------------------------------------------
def test_a_valid_minimal_lesson_loads(tmp_path):
    lesson = L.load_lesson(write(tmp_path, minimal()))
    assert lesson.id == "mine" and len(lesson.steps) == 3
    assert lesson.steps[1].line == line_of(minimal(), "[[steps]]", 1)
    assert lesson.steps[0].data == "xor" and lesson.steps[0].config.layer_dims == (2, 2, 1)


def test_toml_syntax_error_names_its_line(tmp_path):
    text = minimal().replace('note = "Because."', 'note = "Because.', 1)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, 'note = ')}:"), message


@pytest.mark.parametrize("step", [0, 2])
def test_unknown_key_in_a_step(tmp_path, step):
    text = minimal()
    lines = text.splitlines()
    head = line_of(text, "[[steps]]", step)
    lines.insert(head, 'colour = "red"')
    text = "\n".join(lines)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {head + 1}:") and "colour" in message, message


def test_unknown_metric_in_the_second_check_of_the_second_step(tmp_path):
    text = minimal()
    lines = text.splitlines()
    at = line_of(text, "at_least = 0.0", 1)
    lines[at:at] = ["", "[[steps.checks]]", 'metric = "happiness"', "at_least = 1"]
    text = "\n".join(lines)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, 'happiness')}:"), message
    assert "happiness" in message and "test_accuracy" in message


@pytest.mark.parametrize("setup, why", [
    ("data=xor&hidden=2&lr=banana", "lr"),
    ("data=mars&hidden=2", "data"),
    ("hidden=2&lr=0.1", "data"),
    ("data=xor&hidden=2&colour=red", "colour"),
    ("data=xor&iters=9000", "iters"),
    ("data=course&points=50", "toy"),
    ("data=xor&points=5", "points"),
])
def test_a_bad_setup_names_the_setup_line(tmp_path, setup, why):
    text = minimal().replace("data=xor&hidden=2&act=tanh&lr=0.5&iters=50&seed=1", setup, 1)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, 'setup = ')}:"), message
    assert why in message


def test_an_answer_that_is_not_an_option(tmp_path):
    text = minimal().replace('answer = "a"', 'answer = "c"', 1)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, 'answer = ')}:") and "'c'" in message


def test_a_missing_key_names_its_step(tmp_path):
    text = minimal()
    lines = text.splitlines()
    second = line_of(text, 'result = "A claim."', 1)
    del lines[second - 1]
    text = "\n".join(lines)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, '[[steps]]', 1)}:") and "result" in message


@pytest.mark.parametrize("n", [0, 2, 9])
def test_three_to_eight_steps(tmp_path, n):
    assert "3 to 8 steps" in error_of(tmp_path, minimal(n))


@pytest.mark.parametrize("replace, needle, at", [
    (('kind = "choice"', 'kind = "essay"'), "kind", "kind ="),
    (('at_least = 0.0', 'at_least = "high"'), "at_least", "at_least ="),
    (('at_least = 0.0', 'at_least = nan'), "at_least", "at_least ="),
    (('title = "S1"', 'title = ""'), "title", 'title = ""'),
    (('title = "S1"', 'title = 3'), "title", "title = 3"),
    (('options = ["a", "b"]', 'options = ["a"]'), "options", "options ="),
    (('[[steps.checks]]\nmetric = "test_accuracy"', '[[steps.checks]]\nmetric = "curve_shape"'), "equals",
     'metric = "curve_shape"'),
])
def test_wrong_values_name_their_line(tmp_path, replace, needle, at):
    text = minimal().replace(*replace, 1)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, at)}: ") and needle in message, message


def test_bad_file_names_encodings_and_sizes(tmp_path):
    assert "file's name" in error_of(tmp_path, minimal(), "My Lesson.toml")
    bad = tmp_path / "latin.toml"
    bad.write_bytes(minimal().encode("utf-8") + b"\n# caf\xe9\n")
    with pytest.raises(L.LessonError, match=r"latin\.toml, line 1: not UTF-8"):
        L.load_lesson(bad)
    big = write(tmp_path, minimal() + "#" * L.MAX_FILE_BYTES, "big.toml")
    with pytest.raises(L.LessonError, match="at most"):
        L.load_lesson(big)


def test_a_broken_file_does_not_hide_the_others(tmp_path):
    write(tmp_path, minimal(), "good.toml")
    write(tmp_path, "title = ", "broken.toml")
    lessons, problems = L.load_all([tmp_path])
    assert [lesson.id for lesson in lessons] == ["good"]
    assert len(problems) == 1 and problems[0].startswith("broken.toml, line 1:")


def test_garbage_and_mutated_files_fail_only_with_a_lesson_error(tmp_path):
    """Hostile input: random bytes and random line deletions/duplications of a valid file."""
    rng = np.random.RandomState(0)
    base = minimal().splitlines()
    for case in range(150):
        if case % 3 == 0:
            text = bytes(rng.randint(32, 127, size=rng.randint(1, 400)).astype(np.uint8)).decode("ascii")
        else:
            lines = list(base)
            for _ in range(rng.randint(1, 4)):
                i = rng.randint(len(lines))
                if rng.rand() < 0.5:
                    del lines[i]
                else:
                    lines.insert(i, lines[rng.randint(len(lines))])
            text = "\n".join(lines)
        try:
            L.load_lesson(write(tmp_path, text, f"case{case}.toml"))
        except L.LessonError as exc:
            assert re.match(rf"case{case}\.toml, line \d+: ", str(exc)), str(exc)


# ----- metrics and shapes ---------------------------------------------------------------------------------
def test_curve_shapes():
    assert L.curve_shape([0.7, 0.5, 0.3, 0.2, 0.15]) == "smooth"
    assert L.curve_shape([0.693, 0.69, 0.68, 0.67]) == "flat"
    assert L.curve_shape([0.7, 0.5, 0.6, 0.3, 0.45, 0.2]) == "noisy"
    assert L.curve_shape([0.7, 0.9, 0.5]) == "explodes"
    assert L.curve_shape([0.7, 0.5], diverged=True) == "explodes"
    assert L.curve_shape([0.7, float("nan")]) == "explodes"
    for shape in L.CURVE_SHAPES:  # each picture offered to students is classified as what it shows
        assert L.curve_shape(L.curve_sketch(shape)) == shape


def test_cost_climb():
    assert L.cost_climb([1.0, 0.5, 0.25]) == 0
    assert L.cost_climb([1.0, 0.5, 0.75, 0.0]) == pytest.approx(0.25)
    assert L.cost_climb([0.5]) == 0


def test_measure_a_real_run():
    ds = dnn.toy_dataset("xor")
    cfg = L.settings.make_config(2, (2,), {"hidden_activation": "tanh", "learning_rate": 0.5, "num_iterations": 40})
    run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    run.advance(40)
    m = L.measure(run)
    assert m["parameters"] == 9 and m["n_x"] == 2 and m["iterations"] == 40 and m["hidden_layers"] == 1
    assert m["status"] == "done" and m["updates_per_epoch"] == 1 and m["training_examples"] == 320
    np.testing.assert_allclose(m["test_accuracy"], run.test_accuracy())
    np.testing.assert_allclose(m["final_cost"], run.cost())
    assert m["grad_dW1"] == run.history.grad_norms["dW1"][0] and m["grad_dW_last"] == run.history.grad_norms["dW2"][0]
    assert set(m) == set(L.METRICS)


def test_checks():
    c = L.Check("test_accuracy", at_least=0.7, at_most=0.74)
    assert c.holds({"test_accuracy": 0.72}) and not c.holds({"test_accuracy": 0.75})
    assert not c.holds({"test_accuracy": float("nan")}) and not c.holds({})
    assert L.Check("status", equals="diverged").holds({"status": "diverged"})
    step = L.load_lesson(SHIPPED / "02_depth.toml").steps[0]
    problems = L.failed_checks(step, {"test_accuracy": 0.5, "train_accuracy": 1.0, "parameters": 86031})
    assert len(problems) == 1 and problems[0].startswith(f"line {step.checks[0].line}: ")


# ----- scoring a prediction ---------------------------------------------------------------------------------
def test_verdicts():
    lessons = {lesson.id: lesson for lesson in L.load_all([SHIPPED])[0]}
    number = lessons["02_depth"].steps[0].prediction
    v = L.verdict(number, 0.9, {"test_accuracy": 0.72})
    assert (v.right, v.said, v.got) == (False, "90%", "72%")
    assert L.verdict(number, 0.75, {"test_accuracy": 0.72}).right
    choice = lessons["02_depth"].steps[2].prediction
    assert L.verdict(choice, 0, {}).right and not L.verdict(choice, 1, {}).right
    assert L.verdict(choice, 1, {}).got == "higher"
    curve = lessons["03_initialisation"].steps[0].prediction
    v = L.verdict(curve, "smooth", {"curve_shape": "flat"})
    assert not v.right and v.got == L.CURVE_SHAPES["flat"]
    for lesson in lessons.values():
        for step in lesson.steps:
            p = step.prediction
            said = L.scripted_prediction(p)
            assert p.kind != "number" or p.low <= said <= p.high


def test_format_metric():
    assert L.format_metric("test_accuracy", 0.72) == "72%"
    assert L.format_metric("parameters", 245973) == "245,973"
    assert L.format_metric("grad_dW1", 9.9e-5) == "9.9e-05"
    assert L.format_metric("final_cost", float("nan")) == "—"
    assert L.format_metric("curve_shape", "flat") == "flat"
    assert math.isnan(L.cost_climb([1.0, float("nan")]))


# ----- progress and figures ---------------------------------------------------------------------------------
def test_progress_round_trips_through_json_and_the_memory_store():
    from ui.lessons_progress import DONE, EXPLAIN, PREDICT, RUN, LessonProgress, MemoryProgressStore

    p = LessonProgress("02_depth", step=1)
    a = p.answer()
    assert a.phase == PREDICT
    a.prediction = 0.9
    assert a.phase == RUN
    a.started, a.metrics, a.curve = True, {"test_accuracy": 0.72, "final_cost": None}, [(0, 0.69), (10, 0.6)]
    assert a.phase == EXPLAIN
    a.explanation = "It memorises."
    assert a.phase == DONE
    back = LessonProgress.from_json(p.to_json())
    assert back == p
    store = MemoryProgressStore()
    store.save("me", LessonProgress("01_pixels"))
    store.save("me", p)
    assert store.latest("me") == p and store.load("me", "01_pixels") == LessonProgress("01_pixels")
    assert store.latest("you") is None and store.load("you", "02_depth") is None
    store.save("me", LessonProgress("01_pixels", step=2))
    assert store.latest("me").lesson_id == "01_pixels"
    for bad in ("", "[]", '{"lesson": "x"}', '{"lesson": "x", "step": "two", "answers": {}}', "null"):
        with pytest.raises(ValueError):
            LessonProgress.from_json(bad)


def test_explanations_are_one_short_line():
    from ui.lessons_progress import EXPLANATION_MAX, clean_explanation, thin

    assert clean_explanation("  two\nlines\t here ") == "two lines here"
    assert len(clean_explanation("x" * 1000)) == EXPLANATION_MAX
    with pytest.raises(ValueError):
        clean_explanation(" \n ")
    points = [(i, float(i)) for i in range(1000)]
    assert len(thin(points)) == 100 and thin(points)[-1] == (999, 999.0) and thin(points[:5]) == points[:5]


def test_figures():
    from ui import lessons_plots as P

    for shape in L.CURVE_SHAPES:
        spec = P.sketch_spec(shape)
        assert len(spec["data"]["values"]) == 40 and spec["encoding"]["x"]["axis"] is None
    spec = P.curve_spec([(0, 0.69), (10, 0.5)])
    assert spec["data"]["values"] == [{"iteration": 0, "cost": 0.69}, {"iteration": 10, "cost": 0.5}]
    spec = P.histogram_spec([("higher", 3), ("lower", 1)], result="higher")
    assert [v["result"] for v in spec["data"]["values"]] == [True, False]
    assert P.histogram_spec([("a", 0)])["encoding"]["color"] == {"value": "#7f7f7f"}


# ----- challenges in a lesson file ---------------------------------------------------------------------------
CHALLENGE = '''
[[challenges]]
id = "flower90"
title = "The flower at 90%"
text = "Reach it."
data = "flower"

[[challenges.checks]]
metric = "test_accuracy"
at_least = 0.9
'''


def test_a_challenge_loads(tmp_path):
    lesson = L.load_lesson(write(tmp_path, minimal() + CHALLENGE))
    (c,) = lesson.challenges
    assert (c.id, c.data, c.rank) == ("mine/flower90", "flower", "test_accuracy")
    assert c.checks[0].holds({"test_accuracy": 0.91}) and not c.checks[0].holds({"test_accuracy": 0.89})


@pytest.mark.parametrize("replace, needle, at", [
    (('data = "flower"', 'data = "mars"'), "data must be", 'data = "mars"'),
    (('id = "flower90"', 'id = "Flower 90"'), "challenge id", 'id = "Flower'),
    (('metric = "test_accuracy"\nat_least = 0.9', 'metric = "joy"\nat_least = 0.9'), "joy", 'metric = "joy"'),
    (('title = "The flower at 90%"', 'titel = "x"'), "titel", "titel ="),
])
def test_challenge_errors_name_their_line(tmp_path, replace, needle, at):
    text = minimal() + CHALLENGE.replace(*replace, 1)
    message = error_of(tmp_path, text)
    assert message.startswith(f"mine.toml, line {line_of(text, at)}: ") and needle in message, message


def test_two_challenges_with_one_id(tmp_path):
    text = minimal() + CHALLENGE + CHALLENGE
    message = error_of(tmp_path, text)
    assert "share an id" in message and message.startswith(f"mine.toml, line {line_of(text, 'id = ', 1)}:")
