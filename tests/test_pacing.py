"""Pacing: pure functions for refresh interval, slice length and iteration budgets; the shared board."""
from __future__ import annotations

import threading

import pytest

from ui import pacing


def test_alone_five_refreshes_a_second_with_most_of_it_training():
    assert pacing.tick_seconds(0) == pacing.tick_seconds(1) == 0.2
    assert pacing.slice_seconds(1) == 0.15


@pytest.mark.parametrize("n,tick", [(2, 0.5), (3, 1.0), (4, 1.0), (5, 2.0), (8, 2.0), (50, 2.0)])
def test_more_people_refresh_less_often(n, tick):
    assert pacing.tick_seconds(n) == tick


@pytest.mark.parametrize("n", [2, 3, 4, 8, 16, 100])
def test_shared_slices_fill_at_most_half_of_the_time(n):
    assert n * pacing.slice_seconds(n) <= 0.5 * pacing.tick_seconds(n) + 1e-12
    assert pacing.slice_seconds(n) <= pacing.SHARED_SLICE_SECONDS


def test_iteration_budgets():
    assert pacing.slice_iterations(100, None) == 100
    assert pacing.slice_iterations(100, 10) == 10
    assert pacing.slice_iterations(3, 10) == 3
    assert pacing.budget_for_speed(None, 0.2) is None
    assert pacing.budget_for_speed(50, 0.2) == 10
    assert pacing.budget_for_speed(1, 0.2) == 1, "at least one iteration per tick"
    with pytest.raises(ValueError):
        pacing.budget_for_speed(0, 0.2)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_board_counts_sessions_that_trained_recently():
    clock = FakeClock()
    board = pacing.TrainingBoard(clock)
    assert board.tick("a", True) == 1
    assert board.tick("b", True) == 2
    clock.now += pacing.TrainingBoard.ACTIVE_SECONDS + 0.1
    assert board.tick("a", True) == 1, "b stopped ticking: it no longer counts"
    assert board.tick("a", False) == 0


def test_the_head_count_holds_while_ticks_come_late():
    """Eight sessions at the slowest pace, every tick three times as late as asked (a busy server): the
    count, and so every session's refresh interval, stays put.  (Forgetting a session after one tick
    interval made the count fall to 4 and rise to 8 again and again, and each change reran all eight
    pages at once.)"""
    clock = FakeClock()
    board = pacing.TrainingBoard(clock)
    sessions = [f"s{k}" for k in range(8)]
    for name in sessions:
        board.tick(name, True)
    counts = set()
    late = 3 * pacing.MAX_TICK_SECONDS
    for step in range(200):  # one session ticks per step, in turn, each one 'late' seconds after its last
        clock.now += late / len(sessions)
        counts.add(pacing.tick_seconds(board.tick(sessions[step % len(sessions)], True)))
    assert counts == {pacing.MAX_TICK_SECONDS}


def test_one_turn_at_a_time():
    board = pacing.TrainingBoard()
    with board.turn() as first:
        assert first
        result = []
        other = threading.Thread(target=lambda: result.append(board.turn(wait=0.01).__enter__()))
        other.start()
        other.join()
        assert result == [False]
    with board.turn() as again:
        assert again
