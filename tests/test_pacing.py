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


# ----- fair turns (issue 22.6) ------------------------------------------------------------
def _wait_until(predicate, limit: float = 30.0) -> None:
    """Wait for another thread to reach a state (a bound against a hang, not a timing assumption)."""
    import time
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "the other thread never got there"
        time.sleep(0.001)


def test_a_client_that_asks_again_at_once_does_not_take_the_turn_from_a_waiting_classmate():
    board = pacing.TrainingBoard(FakeClock())
    order: list[str] = []

    def classmate() -> None:
        with board.turn(wait=30, session="victim") as mine:
            order.append("victim" if mine else "victim refused")

    victim = threading.Thread(target=classmate)
    for round_ in range(10):  # the hog trains turn after turn; the classmate starts waiting during the 5th
        with board.turn(wait=30, session="hog") as mine:
            assert mine
            order.append("hog")
            if round_ == 4:
                victim.start()
                _wait_until(lambda: board.waiting() == 1)
    victim.join(30)
    assert order[:6] == ["hog"] * 5 + ["victim"], "the classmate waiting gets the next turn"
    assert order.count("hog") == 10


def test_round_robin_between_waiting_sessions():
    board = pacing.TrainingBoard(FakeClock())
    order: list[str] = []
    release = threading.Event()

    def want(name: str) -> None:
        with board.turn(wait=30, session=name) as mine:
            if mine:
                order.append(name)

    with board.turn(session="b"):  # b was served most recently; a and c never
        threads = [threading.Thread(target=want, args=(n,)) for n in ("b", "a", "c")]
        for k, t in enumerate(threads):
            t.start()
            _wait_until(lambda k=k: board.waiting() == k + 1)
        release.set()
    for t in threads:
        t.join(30)
    assert order == ["a", "c", "b"], "never-served sessions in arrival order, then the one served last"


def test_back_to_back_ticks_train_nothing_while_others_train():
    clock = FakeClock()
    board = pacing.TrainingBoard(clock)
    assert board.tick("a", True) == 1 and board.tick("b", True) == 2
    interval = pacing.tick_seconds(2)
    trained = []
    for _ in range(10):  # a rerun every 1/20 of the interval: two ticks from the bucket, then one per half interval
        clock.now += interval / 20
        board.tick("b", True)  # the classmate keeps counting as training
        board.tick("a", True)
        with board.turn(session="a") as mine:
            trained.append(mine)
    assert trained == [True, True] + [False] * 8
    clock.now += interval / 2
    board.tick("a", True)
    with board.turn() as by_thread:  # the session of this thread's last tick, its bucket refilled
        assert by_thread


def test_start_and_the_first_tick_both_train():
    clock = FakeClock()
    board = pacing.TrainingBoard(clock)
    board.tick("other", True)
    for _ in range(2):  # Start's own slice, then the live view's first tick a moment later
        clock.now += 0.001
        board.tick("new", True)
        with board.turn(session="new") as mine:
            assert mine


def test_alone_a_tick_is_never_early():
    clock = FakeClock()
    board = pacing.TrainingBoard(clock)
    for _ in range(5):
        board.tick("solo", True)
        with board.turn(session="solo") as mine:
            assert mine


@pytest.mark.parametrize("dims,m,ok", [((12288, 20, 7, 5, 1), 209, True), ((2, 50, 50, 1), 100, True),
                                       ((12288, 100, 1), 2000, False), ((12288, 500, 500, 1), 1000, False)])
def test_a_network_whose_iteration_would_freeze_the_class_is_refused(dims, m, ok):
    env = {"DNN_FLOPS_PER_SECOND": "5e9"}
    if ok:
        assert pacing.check_iteration_seconds(dims, m, environ=env) <= 0.5
    else:
        with pytest.raises(ValueError, match="too big for a shared server"):
            pacing.check_iteration_seconds(dims, m, environ=env)
        assert pacing.check_iteration_seconds(dims, m, batch_size=64, environ=env) < 0.5 or dims[1] == 500
        pacing.check_iteration_seconds(dims, m, environ={**env, "DNN_MAX_ITERATION_SECONDS": "0"})


def test_iteration_limits_from_the_environment():
    assert pacing.iteration_flops((10, 5, 1), 4) == 6 * (50 + 5) * 4
    with pytest.raises(ValueError, match="DNN_MAX_ITERATION_SECONDS"):
        pacing.check_iteration_seconds((2, 1), 1, environ={"DNN_MAX_ITERATION_SECONDS": "-1"})
    with pytest.raises(ValueError, match="too big"):
        pacing.check_iteration_seconds((100, 100, 1), 100, environ={"DNN_MAX_ITERATION_SECONDS": "1e-9"})
