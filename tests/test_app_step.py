"""The Step-by-step page: every course helper with formula, code, inputs, and expected beside live output."""
from __future__ import annotations

import pytest

from conftest_shared import needs_data
from dnn.testcases import STEP_CASES

PAGE = "views/step_by_step.py"


def step_page(request, course: bool):
    if not course:
        request.getfixturevalue("no_course_data")
    return request.getfixturevalue("app_test")(page=PAGE)


@pytest.mark.parametrize("course", [pytest.param(True, marks=needs_data), False])
def test_every_case_is_shown_and_matches(request, course):
    at = step_page(request, course)
    assert not at.exception
    n = len(STEP_CASES)
    assert n >= 10
    assert len(at.latex) == n
    assert [s.value for s in at.subheader] == [f"{k}. `{c.name}`" for k, c in enumerate(STEP_CASES, 1)]
    assert len(at.success) == n and not at.error
    assert f"{n} of {n} functions" in at.info[0].value
    code = [c.value for c in at.code]
    # the code shown is the dnn source itself
    for case in STEP_CASES:
        assert any(c.startswith(f"def {case.function.__name__}(") for c in code), case.name
    # linear_forward's expected Z, printed once as the course's and once live (8 decimals)
    assert sum("3.26295337" in c and "-1.23429987" in c for c in code) == 2
    # compute_cost: the course's value and the live one
    assert sum("0.4149315996" in c for c in code) == 2
    # inputs show names with shapes
    assert any(c.startswith("A (3, 2) =") for c in code)
