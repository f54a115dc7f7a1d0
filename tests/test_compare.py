"""One-click comparisons (issue 20 item 3): Controller.queue trains configs one after the other and every
run ends in the history, named once; ui/compare's presets and regularisation trio.  Iteration budgets
are fixed (max_iterations_per_tick), never the clock."""
from __future__ import annotations

import pytest

from ui import compare, datasets, learning, pacing, settings
from ui.controller import Controller, current_label
from ui.session import Session

CAP = 25


def _ctl(key: str = "moons") -> Controller:
    ds = datasets.by_key(key)
    cfg = settings.make_config(ds.n_x, (5,), {"num_iterations": 60})
    return Controller(Session(dataset=ds, data_key=key, config=cfg, max_iterations_per_tick=CAP),
                      pacing.TrainingBoard())


def _ticks_until_idle(ctl: Controller, budget: int) -> int:
    for n in range(budget):
        if not ctl.s.running:
            return n
        ctl.tick()
    raise AssertionError(f"still running after {budget} ticks")


def test_the_two_presets_train_one_after_the_other_and_both_end_on_the_charts():
    ctl = _ctl()
    events = []
    ctl.subscribe(lambda event, s: events.append(event))
    two, five = (replace_iters(c, 50) for c in compare.preset_pair(ctl.s.dataset.n_x))
    assert ctl.queue([two, five]) and ctl.s.running and ctl.s.queue == [five]
    assert ctl.s.run.iteration == 0, "the first slice comes with the next tick"
    ticks = _ticks_until_idle(ctl, 20)
    assert ticks == 2 * -(-50 // CAP), "each run takes ceil(50 / CAP) ticks, no more"
    assert [r.config for r in ctl.s.runs] == [two, five] and ctl.s.queue == []
    assert all(r.status == "done" for r in ctl.s.runs) and ctl.s.run.config == five and ctl.s.run.done
    assert events.count("start") == 2 and events.count("finish") == 2
    labels, curves, names = learning.curve_runs((ctl.s.run, ctl.s.data_key), ctl.s.runs,
                                                compare_hidden(ctl))
    assert labels == [ctl.s.runs[1].label, ctl.s.runs[0].label] and len(curves) == 2, "both on one chart"
    assert names == [settings.run_label(1, two), settings.run_label(2, five)]
    assert current_label(ctl.s) == ctl.s.runs[1].label


def test_the_trio_differs_only_in_regularisation_and_keeps_everything_else():
    base = settings.make_config(2, (20, 7), {"num_iterations": 40, "lambd": 0.3, "seed": 4})
    plain, l2, drop = compare.regularisation_trio(base)
    assert (plain.lambd, plain.keep_prob) == (0.0, 1.0)
    assert (l2.lambd, l2.keep_prob) == (0.7, 1.0) and (drop.lambd, drop.keep_prob) == (0.0, 0.86)
    assert {c.layer_dims for c in (plain, l2, drop)} == {base.layer_dims} and {c.seed for c in (l2, drop)} == {4}
    ctl = _ctl()
    assert ctl.queue(compare.regularisation_trio(ctl.s.config))
    assert _ticks_until_idle(ctl, 3 * -(-60 // CAP) + 1) == 3 * -(-60 // CAP)
    assert [(r.config.lambd, r.config.keep_prob) for r in ctl.s.runs] == [(0.0, 1.0), (0.7, 1.0), (0.0, 0.86)]
    assert len({r.label for r in ctl.s.runs}) == 3, "three names for three runs"


def test_pause_keeps_the_queue_reset_drops_it_and_a_bad_config_ends_it_with_its_reason():
    ctl = _ctl()
    a, b, c = (replace_iters(ctl.s.config, n) for n in (30, 40, 50))
    ctl.queue([a, b, c])
    ctl.tick()
    ctl.pause()
    assert ctl.s.queue == [b, c] and not ctl.s.running
    ctl.start()  # Resume: the queue goes on
    _ticks_until_idle(ctl, 10)
    assert [r.config.num_iterations for r in ctl.s.runs] == [30, 40, 50]
    ctl.queue([a, b])
    ctl.reset()
    assert ctl.s.queue == [] and not ctl.s.running
    huge = settings.make_config(2, (1_000_000, 1_000_000), {"num_iterations": 10})
    ctl.queue([a, huge, c])
    _ticks_until_idle(ctl, 5)
    assert ctl.s.queue == [] and ctl.s.error and "allowed" in ctl.s.error
    assert not ctl.queue([huge]) and ctl.s.queue == []
    with pytest.raises(ValueError):
        ctl.queue([])


def test_every_new_run_stays_on_the_charts_unless_taken_off():
    ctl = _ctl()
    for lr in (0.1, 0.5, 1.0):
        ctl.s.config = settings.make_config(2, (5,), {"num_iterations": 25, "learning_rate": lr})
        ctl.start()
        _ticks_until_idle(ctl, 3)
    assert compare.hidden_indices(ctl.s) == []
    learning.view_state(ctl.s).hidden_runs = {ctl.s.runs[0].label}
    assert compare.hidden_indices(ctl.s) == [0]


def replace_iters(config, n):
    from dataclasses import replace
    return settings.with_recording(replace(config, num_iterations=n))


def compare_hidden(ctl):
    return compare.hidden_indices(ctl.s)


SCRIPT = """
from ui import compare
from ui.controller import controller
ctl = controller()
ctl.s.max_iterations_per_tick = None
compare.render_buttons(ctl)
compare.render_picker(ctl.s)
"""


def test_in_a_page_one_click_queues_the_presets_and_both_runs_are_ticked_on_the_charts(monkeypatch):

    from streamlit.testing.v1 import AppTest

    from ui.session import COMPARE_PRESETS, COMPARE_TRIO, SESSION_KEY
    from ui.session import HISTORY_RUNS as COMPARE_PICK

    pair = compare.preset_pair
    monkeypatch.setattr(compare, "preset_pair", lambda n_x: [replace_iters(c, 30) for c in pair(n_x)])
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    s = at.session_state[SESSION_KEY]
    s.dataset, s.data_key = datasets.by_key("moons"), "moons"
    at.button(key=COMPARE_PRESETS).click().run()
    assert s.running and s.run.config == compare.preset_pair(2)[0] and len(s.queue) == 1
    assert settings.hidden_units(s.run.config) == (7,) and s.run.config.init == "course"
    assert not at.button(key=COMPARE_PRESETS).disabled and not at.button(key=COMPARE_TRIO).disabled
    assert any("1 more run after this one" in c.value for c in at.caption)
    ctl = Controller(s, pacing.TrainingBoard())
    _ticks_until_idle(ctl, 10)
    at.run()
    assert [r.config.layer_dims for r in s.runs] == [(2, 7, 1), (2, 20, 7, 5, 1)]
    assert at.multiselect(key=COMPARE_PICK).value == [r.label for r in s.runs], "both on the charts, unasked"
    at.multiselect(key=COMPARE_PICK).unselect(s.runs[0].label).run()
    assert compare.hidden_indices(s) == [0] and at.multiselect(key=COMPARE_PICK).value == [s.runs[1].label]
