"""How many examples of a class (or of a toy set) are kept for testing: one formula, one accepted range.

Used by the photo builder (per class), the photo zip loader (per class) and the toy datasets (per set).
"""
from __future__ import annotations

TEST_FRACTION = 0.2
# The share kept for testing: the toy page's train share (10-90 %) and the builder's test share (5-50 %) both
# fall inside; beyond it one side of the split is a handful of examples.
MIN_TEST_FRACTION, MAX_TEST_FRACTION = 0.05, 0.95


def check_test_fraction(test_fraction: object) -> float:
    """``test_fraction`` as a float, or a ValueError when it is not a number from 0.05 to 0.95."""
    try:
        value = float(test_fraction)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = float("nan")
    if not MIN_TEST_FRACTION <= value <= MAX_TEST_FRACTION:  # also refuses NaN
        raise ValueError(f"test_fraction must be from {MIN_TEST_FRACTION:g} to {MAX_TEST_FRACTION:g} (the share "
                         f"kept for testing); got {test_fraction!r}.")
    return value


def split_sizes(n: int, test_fraction: float = TEST_FRACTION) -> tuple[int, int]:
    """(n_train, n_test) of ``n`` examples: round(n * test_fraction) for testing, at least one of each when
    n >= 2; fewer than 2 all train.  ValueError for a fraction outside the accepted range."""
    fraction = check_test_fraction(test_fraction)
    if n < 2:
        return n, 0
    n_test = min(n - 1, max(1, int(round(n * fraction))))
    return n - n_test, n_test
