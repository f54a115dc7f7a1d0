"""Step by step: the course's helper functions in order, each with its formula, code and test case.

One lazy tab per function: every case is checked for the summary (cheap), only the open one is drawn.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np
import streamlit as st

from dnn.testcases import STEP_CASES, StepCase, matches
from ui.session import STEP_TAB
from ui.widgets import lazy_tabs

# What the Train page's engine (dnn/engine.py) does differently from these functions, and why.
OWN_LOOP = """The Train page's engine calls these same `linear_forward`, `linear_backward` and activation
functions for every layer but the first. It has its own code, for speed, in these places, each tested against
a plain loop written from the course's formulas (same costs to about 1e-15):
- **Layer 1.** W1 X is by far the largest product (12,288 inputs per image). With gradient descent or momentum
  (and L2), every update adds a combination of the training images to W1, so the engine keeps those
  coefficients and gets Z1 from the 209 x 209 matrix X^T X, never multiplying by the images while training.
  With L1 it keeps W1 X up to date instead of recomputing it; with Adam it computes W1 X and dZ1 X^T.
- **The output.** dZL = AL - Y directly (what dAL times the sigmoid's derivative simplifies to), and the cost
  from the logits, log(1 + e^z) - y z, which never takes log(0).
- **No dA0.** The gradient for the images themselves is never needed to train.
- **L2, L1, dropout, mini-batches, momentum, Adam, decay** are the course's next chapter: no step here."""


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts (parameters, grads) as flat "parameters['W1']" entries."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        label = f"{prefix}[{name!r}]" if prefix else name
        out.update(_flat(value, label) if isinstance(value, dict) else {label: value})
    return out


def describe(values: dict[str, Any]) -> str:
    """name (shape) = values, one block per entry, printed like NumPy does."""
    lines = []
    for name, value in _flat(values).items():
        if isinstance(value, np.ndarray) and value.ndim == 0:  # the course's costs are 0-d arrays
            lines.append(f"{name} = {value.item()!r}")
        elif isinstance(value, np.ndarray):
            text = np.array2string(value, precision=8, suppress_small=False, separator=", ")
            lines.append(f"{name} {value.shape} =\n{text}")
        else:
            lines.append(f"{name} = {value!r}")
    return "\n".join(lines)


def tab_label(number: int, case: StepCase) -> str:
    return f"{number}. {case.name}"


def run_case(case: StepCase) -> tuple[dict, dict | None, str | None]:
    """(inputs, live output or None, error or None) of a case."""
    inputs = case.inputs()
    try:
        return inputs, case.call(inputs), None
    except ValueError as exc:
        return inputs, None, str(exc)


def show_case(number: int, case: StepCase, inputs: dict, live: dict | None, error: str | None) -> None:
    st.subheader(f"{number}. `{case.name}`")
    st.latex(case.formula)  # on a phone it wraps (theme.SCREEN_CSS), never scrolls sideways
    with st.expander("The code (from dnn, as it runs in this app)"):
        st.code(inspect.getsource(case.function), language="python", wrap_lines=True)
    with st.expander("The course's test-case inputs", expanded=False):
        st.code(describe(inputs), language="text", wrap_lines=True)
    if live is None:
        st.error(f"`{case.name}` raised: {error}")
        return
    left, right = st.columns(2)
    left.markdown("**Expected (the course)**")
    left.code(describe(case.expected), language="text", wrap_lines=True)
    right.markdown("**Live output (dnn)**")
    right.code(describe({k: live[k] for k in case.expected if k in live} or live), language="text",
               wrap_lines=True)
    if matches(live, case.expected):
        st.success("✅ The live output matches the course's expected output.")
    else:
        st.error("❌ The live output differs from the course's expected output.")


def main() -> None:
    st.title("Step by step")
    st.markdown("The course builds the network from small helper functions. Here they are in the "
                "course's order: the formula, the code this app actually runs, the course's test case, "
                "and the output the course expects beside the output computed live.")
    results = [run_case(case) for case in STEP_CASES]
    ok = sum(live is not None and matches(live, case.expected)
             for case, (_, live, _) in zip(STEP_CASES, results, strict=True))
    st.info(f"{ok} of {len(STEP_CASES)} functions reproduce the course's expected output.")
    with st.expander("Where training uses its own loop, for speed"):
        st.markdown(OWN_LOOP)
    st.header("The functions")
    lazy_tabs([tab_label(k, c) for k, c in enumerate(STEP_CASES, start=1)], STEP_TAB,
              [functools.partial(show_case, k, case, *result)
               for k, (case, result) in enumerate(zip(STEP_CASES, results, strict=True), start=1)])


main()
