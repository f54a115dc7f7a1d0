"""Step by step: the course's helper functions in order, each with its formula, code and test case."""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import streamlit as st

from dnn.testcases import STEP_CASES, StepCase, matches


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


def show_case(number: int, case: StepCase) -> bool:
    st.subheader(f"{number}. `{case.name}`")
    st.latex(case.formula)
    with st.expander("The code (from dnn, as it runs in this app)"):
        st.code(inspect.getsource(case.function), language="python")
    inputs = case.inputs()
    with st.expander("The course's test-case inputs", expanded=False):
        st.code(describe(inputs), language="text")
    try:
        live = case.call(inputs)
    except ValueError as exc:
        st.error(f"`{case.name}` raised: {exc}")
        return False
    ok = matches(live, case.expected)
    left, right = st.columns(2)
    left.markdown("**Expected (the course)**")
    left.code(describe(case.expected), language="text")
    right.markdown("**Live output (dnn)**")
    right.code(describe({k: live[k] for k in case.expected if k in live} or live), language="text")
    if ok:
        st.success("✅ The live output matches the course's expected output.")
    else:
        st.error("❌ The live output differs from the course's expected output.")
    return ok


def main() -> None:
    st.title("Step by step")
    st.markdown("The course builds the network from small helper functions. Here they are in the "
                "course's order: the formula, the code this app actually runs, the course's test case, "
                "and the output the course expects beside the output computed live.")
    summary = st.empty()
    results = [show_case(k, case) for k, case in enumerate(STEP_CASES, start=1)]
    summary.info(f"{sum(results)} of {len(results)} functions reproduce the course's expected output.")


main()
