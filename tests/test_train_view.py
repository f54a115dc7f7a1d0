"""The Train page's pace (a speed that holds, the time left within 20% at every speed, with an injected
clock), the speed read from a link, and the live region's throttled announcements."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ui import learning
from ui.train_view import Announcer, SpeedBucket, observed_eta, speed_from_link, time_left

TOTAL = 3000


def _simulate(speed: int | None, machine_rate: float, seed: int, tick=(0.2, 0.5)):
    """A run of TOTAL iterations with ticks at random intervals (a busy server); returns (times, iterations,
    shown time left) per tick, all from the injected clock."""
    rng = np.random.RandomState(seed)
    bucket, state = SpeedBucket(), learning.ViewState()
    now, iteration, rows = 0.0, 0, []
    bucket.set_speed(speed, now)
    while iteration < TOTAL:
        now += rng.uniform(*tick)                       # the next tick, late or early
        cap = bucket.allowance(now)
        can = int(machine_rate * 0.15)                  # what a 0.15 s slice trains on this machine
        trained = min(TOTAL - iteration, can if cap is None else min(cap, can))
        bucket.spend(trained)
        iteration += trained
        learning.note_progress(state, iteration, now)
        observed = observed_eta(state.samples, TOTAL - iteration, speed)
        rows.append((now, iteration, time_left(TOTAL - iteration, speed, observed)))
    return rows


@pytest.mark.parametrize("speed", [s for s in learning.SPEEDS if s] + [None])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_time_left_is_within_20_percent_of_the_truth_at_every_speed(speed, seed):
    total = 40_000 if speed is None else speed * 40  # about 40 s of training at every speed
    global TOTAL_
    rows = _simulate_total(speed, 4000.0, seed, total)
    end = rows[-1][0]
    checked = 0
    for now, iteration, shown in rows:
        truth = end - now
        if truth < 6.0 or now < 4.0:
            continue  # the first seconds say little of the pace; in the last ones "3 s" is all a person reads
        assert shown is not None and math.isfinite(shown)
        assert abs(shown - truth) <= 0.2 * truth, (speed, now, iteration, shown, truth)
        checked += 1
    assert checked >= 3
    if speed is not None:  # the speed holds: N it/s really is N it/s, however the ticks fall
        assert end == pytest.approx(total / speed, rel=0.1)


def _simulate_total(speed, machine_rate, seed, total):
    global TOTAL
    saved, TOTAL = TOTAL, total
    try:
        return _simulate(speed, machine_rate, seed)
    finally:
        TOTAL = saved


def test_a_machine_slower_than_the_speed_shows_its_own_pace():
    rows = _simulate_total(500, 1000.0, 3, 6000)  # 0.15 s slices of a 1000 it/s machine, ticks ~0.43 s apart
    end = rows[-1][0]
    late = [(shown, end - now) for now, it, shown in rows if end - now >= 6 and now >= 4.0]
    assert late and all(abs(shown - truth) <= 0.2 * truth for shown, truth in late)


def test_a_pause_earns_no_burst():
    bucket = SpeedBucket()
    bucket.set_speed(20, 0.0)
    assert bucket.allowance(0.5) == 10
    bucket.spend(10)
    assert bucket.allowance(60.0) == 21  # a minute later: one second's worth (and the fraction) at most
    bucket.pause(61.0)
    assert bucket.allowance(61.1) == 2
    with pytest.raises(ValueError):
        bucket.set_speed(0, 0.0)
    with pytest.raises(ValueError):
        bucket.set_speed(float("nan"), 0.0)
    assert SpeedBucket().allowance(5.0) is None


def test_time_left_edges():
    assert time_left(0, 100, None) == 0.0
    assert time_left(500, 100, None) == 5.0
    assert time_left(500, 100, 12.0) == 12.0   # the machine is slower than the speed
    assert time_left(500, 100, 2.0) == 5.0     # a burst never promises more than the speed
    assert time_left(500, None, None) is None


@pytest.mark.parametrize("query, expected", [
    ({"speed": "100"}, 100), ({"speed": ["5", "20"]}, 20), ({"speed": "0"}, 0), ({"speed": "7"}, None),
    ({"speed": "-5"}, None), ({"speed": "1e3"}, None), ({"speed": "9" * 400}, None), ({"speed": " 20 "}, 20),
    ({"speed": []}, None), ({}, None), ({"speed": "<b>5</b>"}, None)])
def test_speed_from_link_takes_only_a_listed_speed(query, expected):
    assert speed_from_link(query, learning.SPEEDS) == expected


def test_the_live_region_speaks_at_most_every_few_seconds_and_at_once_on_news():
    a = Announcer(every=5.0)
    first = a.update(0.0, "running", 100, 2500, 0.69)
    assert first == "Training running: iteration 100 of 2,500, cost 0.6900."
    assert a.update(1.0, "running", 400, 2500, 0.6) == first      # too soon: unchanged
    assert a.update(5.0, "running", 1600, 2500, 0.4).startswith("Training running: iteration 1,600")
    done = a.update(5.5, "done", 2500, 2500, 0.1, "Overfitting: the test cost rose from iteration 800.")
    assert done == ("Training done: iteration 2,500 of 2,500, cost 0.1000. "
                    "Overfitting: the test cost rose from iteration 800.")
    assert len(a.history) == 3
    assert a.update(6.0, "no run yet", 0, 2500, float("nan")).endswith("no cost yet.")
