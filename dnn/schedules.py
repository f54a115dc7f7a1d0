"""Learning-rate decay as table entries: the rate for an epoch from the initial rate lr0.

    none:       lr0
    inverse:    lr0 / (1 + decay_rate * epoch)
    scheduled:  lr0 / (1 + decay_rate * floor(epoch / time_interval))

An epoch is one pass over the training set: one iteration in full-batch training.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Schedule = Callable[[float, int, Any], float]


def _none(lr0: float, epoch: int, config: Any) -> float:
    return lr0


def _inverse(lr0: float, epoch: int, config: Any) -> float:
    lr: float = lr0 / (1 + config.decay_rate * epoch)
    return lr


def _scheduled(lr0: float, epoch: int, config: Any) -> float:
    lr: float = lr0 / (1 + config.decay_rate * (epoch // config.time_interval))
    return lr


DECAYS: dict[str, Schedule] = {"none": _none, "inverse": _inverse, "scheduled": _scheduled}
