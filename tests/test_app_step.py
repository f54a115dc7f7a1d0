"""The Step-by-step page: every course helper with formula, code, inputs, and expected beside live output."""
from __future__ import annotations

import pytest

from dnn.testcases import STEP_CASES

from conftest_shared import needs_data

PAGE = "views/step_by_step.py"


def step_page(request, course: bool):
    if not course:
        request.getfixturevalue("no_course_data")
    return request.getfixturevalue("app_test")(page=PAGE)


@pytest.mark.parametrize("course", [pytest.param(True, marks=needs_data), False])
def test_every_case_is_shown_one_tab_at_a_time_and_matches(request, course):
    at = step_page(request, course)
    assert not at.exception
    n = len(STEP_CASES)
    assert n >= 10
    assert f"{n} of {n} functions" in at.info[0].value
    own_loop = at.expander[0]
    assert own_loop.label == "Where training uses its own loop, for speed"
    assert "X^T X" in own_loop.markdown[0].value and "No dA0" in own_loop.markdown[0].value
    code: list[str] = []
    for k, case in enumerate(STEP_CASES, 1):
        at.session_state["step_tab"] = f"{k}. {case.name}"  # the tab's label
        at.run()
        assert not at.exception and not at.error
        assert len(at.latex) == 1, "only the open tab is drawn"
        assert [s.value for s in at.subheader] == [f"{k}. `{case.name}`"]
        assert len(at.success) == 1
        shown = [c.value for c in at.code]
        # the code shown is the dnn source itself
        assert any(c.startswith(f"def {case.function.__name__}(") for c in shown), case.name
        code += shown
    # linear_forward's expected Z, printed once as the course's and once live (8 decimals)
    assert sum("3.26295337" in c and "-1.23429987" in c for c in code) == 2
    # compute_cost: the course's value and the live one
    assert sum("0.4149315996" in c for c in code) == 2
    # inputs show names with shapes
    assert any(c.startswith("A (3, 2) =") for c in code)
