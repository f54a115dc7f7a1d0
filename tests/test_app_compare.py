"""Train's one-click comparisons through app.py (issue 20 item 3): the two course presets and the
regularisation trio end on one chart without a manual step; every run stays ticked across pages."""
from __future__ import annotations

from dataclasses import replace

from test_app_train import _chart, _rows

from ui import compare, settings
from ui.session import COMPARE_PRESETS, COMPARE_TRIO
from ui.session import HISTORY_RUNS as COMPARE_PICK
from ui.text import isolate

from app_helpers import sess

MOONS = {"data": "moons", "hidden": "5", "iters": "40"}


def _fast(session) -> None:
    session.max_iterations_per_tick = 20


def _short(configs):
    return [settings.with_recording(replace(c, num_iterations=40)) for c in configs]


def _until_idle(at, budget: int = 40) -> None:
    s = sess(at)
    for _ in range(budget):
        if not s.running:
            return
        at.run()
    raise AssertionError(f"still training after {budget} reruns")


def test_one_click_trains_both_course_presets_and_draws_them_on_one_chart(app_test, monkeypatch):
    pair = compare.preset_pair
    monkeypatch.setattr(compare, "preset_pair", lambda n_x: _short(pair(n_x)))  # 40 iterations each: bounded
    at = app_test("views/train.py", query=MOONS, setup=_fast)
    at.button(key=COMPARE_PRESETS).click().run()
    _until_idle(at)
    at.run()
    s = sess(at)
    assert not at.exception and [settings.hidden_units(r.config) for r in s.runs] == [(7,), (20, 7, 5)]
    drawn = {r["run"] for r in _rows(_chart(at))}
    assert drawn == {r.label for r in s.runs}, "both presets on one chart, each by its one name"
    assert at.multiselect(key=COMPARE_PICK).value == [r.label for r in s.runs]
    table = at.dataframe[-1].value
    # The table shows each name in a bidirectional isolate (ui.text.isolate): the same name, safely wrapped.
    assert list(table["run"]) == [isolate(r.label) for r in s.runs], "the table names them the same way"


def test_the_trio_and_every_later_run_stay_on_the_charts_across_pages(app_test, monkeypatch):
    trio = compare.regularisation_trio
    monkeypatch.setattr(compare, "regularisation_trio", lambda c: _short(trio(c)))
    at = app_test("views/train.py", query=MOONS, setup=_fast)
    at.button(key=COMPARE_TRIO).click().run()
    _until_idle(at)
    at.switch_page("views/model.py").run()  # a widget not drawn on a page loses its state: the runs must not
    at.switch_page("views/train.py").run()
    at.button(key="start").click().run()
    _until_idle(at)
    at.run()
    s = sess(at)
    assert len(s.runs) == 4 and not at.exception
    assert at.multiselect(key=COMPARE_PICK).value == [r.label for r in s.runs], "every run still ticked"
    assert {r["run"] for r in _rows(_chart(at))} == {r.label for r in s.runs}
