"""The course's test cases: the inputs it draws, the calls it makes and the outputs it prints.

Used by the Step-by-step page to show the expected output beside the live one.
Inputs are drawn with a local RandomState, in the course's order, so they are
the same numbers the course's ``np.random.seed(s); np.random.randn(...)`` gives.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import core, init


class StepCase(NamedTuple):
    name: str
    function: Callable[..., Any]
    formula: str
    inputs: Callable[[], dict[str, Any]]
    call: Callable[[dict[str, Any]], dict[str, Any]]
    expected: dict[str, Any]


def _draw(seed: int, **shapes: tuple[int, int]) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(seed)
    return {name: rng.randn(*shape) for name, shape in shapes.items()}


def _caches_2hidden(d: dict[str, np.ndarray]) -> list[core.LayerCache]:
    return [core.LayerCache(core.LinearCache(d["A1"], d["W1"], d["b1"]), d["Z1"]),
            core.LayerCache(core.LinearCache(d["A2"], d["W2"], d["b2"]), d["Z2"])]


def _l_model_backward_inputs() -> dict[str, Any]:
    rng = np.random.RandomState(3)
    d: dict[str, Any] = {"AL": rng.randn(1, 2), "Y": np.array([[1, 0]])}
    for name, shape in [("A1", (4, 2)), ("W1", (3, 4)), ("b1", (3, 1)), ("Z1", (3, 2)),
                        ("A2", (3, 2)), ("W2", (1, 3)), ("b2", (1, 1)), ("Z2", (1, 2))]:
        d[name] = rng.randn(*shape)
    return d


def _update_inputs() -> dict[str, Any]:
    params = _draw(2, W1=(3, 4), b1=(3, 1), W2=(1, 3), b2=(1, 1))
    grads = _draw(3, dW1=(3, 4), db1=(3, 1), dW2=(1, 3), db2=(1, 1))
    return {"parameters": params, "grads": grads, "learning_rate": 0.1}


STEP_CASES: list[StepCase] = [
    StepCase(
        "initialize_parameters", init.initialize_parameters,
        r"W^{[1]} \sim 0.01\,\mathcal{N}(0,1)_{(n_h, n_x)},\; b^{[1]} = 0,\; "
        r"W^{[2]} \sim 0.01\,\mathcal{N}(0,1)_{(n_y, n_h)}",
        lambda: {"n_x": 3, "n_h": 2, "n_y": 1},
        lambda d: init.initialize_parameters(d["n_x"], d["n_h"], d["n_y"]),
        {"W1": np.array([[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]]),
         "b1": np.zeros((2, 1)), "W2": np.array([[0.01744812, -0.00761207]]), "b2": np.zeros((1, 1))},
    ),
    StepCase(
        "initialize_parameters_deep", init.initialize_parameters_deep,
        r"W^{[l]} \sim 0.01\,\mathcal{N}(0,1)_{(n^{[l]}, n^{[l-1]})},\quad b^{[l]} = 0",
        lambda: {"layer_dims": [5, 4, 3]},
        lambda d: {k: v[:1] if k.startswith("W") else v
                   for k, v in init.initialize_parameters_deep(d["layer_dims"]).items()},
        {"W1": np.array([[0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388]]),
         "b1": np.zeros((4, 1)), "W2": np.array([[-0.01185047, -0.0020565, 0.01486148, 0.00236716]]),
         "b2": np.zeros((3, 1))},
    ),
    StepCase(
        "linear_forward", core.linear_forward, r"Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}",
        lambda: _draw(1, A=(3, 2), W=(1, 3), b=(1, 1)),
        lambda d: {"Z": core.linear_forward(d["A"], d["W"], d["b"])[0]},
        {"Z": np.array([[3.26295337, -1.23429987]])},
    ),
    StepCase(
        "linear_activation_forward", core.linear_activation_forward,
        r"A^{[l]} = g(Z^{[l]}) = g(W^{[l]} A^{[l-1]} + b^{[l]}),\quad g \in \{\sigma, \mathrm{ReLU}\}",
        lambda: _draw(2, A_prev=(3, 2), W=(1, 3), b=(1, 1)),
        lambda d: {f"A ({act})": core.linear_activation_forward(d["A_prev"], d["W"], d["b"], act)[0]
                   for act in ("sigmoid", "relu")},
        {"A (sigmoid)": np.array([[0.96890023, 0.11013289]]), "A (relu)": np.array([[3.43896131, 0.0]])},
    ),
    StepCase(
        "L_model_forward", core.L_model_forward,
        r"[\mathrm{LINEAR} \to \mathrm{RELU}] \times (L-1) \to \mathrm{LINEAR} \to \mathrm{SIGMOID}",
        lambda: _draw(6, X=(5, 4), W1=(4, 5), b1=(4, 1), W2=(3, 4), b2=(3, 1), W3=(1, 3), b3=(1, 1)),
        lambda d: (lambda out: {"AL": out[0], "number of caches": len(out[1])})(
            core.L_model_forward(d["X"], {k: v for k, v in d.items() if k != "X"})),
        {"AL": np.array([[0.03921668, 0.70498921, 0.19734387, 0.04728177]]), "number of caches": 3},
    ),
    StepCase(
        "compute_cost", core.compute_cost,
        r"J = -\frac{1}{m} \sum_{i=1}^{m} \left(y^{(i)} \log a^{[L](i)} + (1-y^{(i)}) \log(1- a^{[L](i)})\right)",
        lambda: {"Y": np.array([[1, 1, 1]]), "AL": np.array([[0.8, 0.9, 0.4]])},
        lambda d: {"cost": core.compute_cost(d["AL"], d["Y"])},
        {"cost": 0.41493159961539694},
    ),
    StepCase(
        "linear_backward", core.linear_backward,
        r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T},\; db^{[l]} = \frac{1}{m} \sum_{i} dZ^{[l](i)},\; "
        r"dA^{[l-1]} = W^{[l]T} dZ^{[l]}",
        lambda: _draw(1, dZ=(1, 2), A=(3, 2), W=(1, 3), b=(1, 1)),
        lambda d: dict(zip(("dA_prev", "dW", "db"),
                           core.linear_backward(d["dZ"], core.LinearCache(d["A"], d["W"], d["b"])), strict=True)),
        {"dA_prev": np.array([[0.51822968, -0.19517421], [-0.40506361, 0.15255393], [2.37496825, -0.89445391]]),
         "dW": np.array([[-0.10076895, 1.40685096, 1.64992505]]), "db": np.array([[0.50629448]])},
    ),
    StepCase(
        "linear_activation_backward", core.linear_activation_backward,
        r"dZ^{[l]} = dA^{[l]} * g'(Z^{[l]}),\ \text{then linear\_backward}",
        lambda: _draw(2, dA=(1, 2), A=(3, 2), W=(1, 3), b=(1, 1), Z=(1, 2)),
        lambda d: {f"{name} ({act})": value for act in ("sigmoid", "relu") for name, value in zip(
            ("dA_prev", "dW", "db"), core.linear_activation_backward(
                d["dA"], core.LayerCache(core.LinearCache(d["A"], d["W"], d["b"]), d["Z"]), act), strict=True)},
        {"dA_prev (sigmoid)": np.array([[0.11017994, 0.01105339], [0.09466817, 0.00949723],
                                        [-0.05743092, -0.00576154]]),
         "dW (sigmoid)": np.array([[0.10266786, 0.09778551, -0.01968084]]), "db (sigmoid)": np.array([[-0.05729622]]),
         "dA_prev (relu)": np.array([[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]]),
         "dW (relu)": np.array([[0.44513824, 0.37371418, -0.10478989]]), "db (relu)": np.array([[-0.20837892]])},
    ),
    StepCase(
        "L_model_backward", core.L_model_backward,
        r"dA^{[L]} = -\left(\frac{Y}{A^{[L]}} - \frac{1-Y}{1-A^{[L]}}\right),\ \text{then backward through each layer}",
        _l_model_backward_inputs,
        lambda d: {k: v for k, v in core.L_model_backward(d["AL"], d["Y"], _caches_2hidden(d)).items()
                   if k in ("dW1", "db1", "dA1")},
        {"dW1": np.array([[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0, 0, 0, 0],
                          [0.05283652, 0.01005865, 0.01777766, 0.0135308]]),
         "db1": np.array([[-0.22007063], [0], [-0.02835349]]),
         "dA1": np.array([[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]])},
    ),
    StepCase(
        "update_parameters", core.update_parameters,
        r"W^{[l]} := W^{[l]} - \alpha\, dW^{[l]},\quad b^{[l]} := b^{[l]} - \alpha\, db^{[l]}",
        _update_inputs,
        lambda d: core.update_parameters(d["parameters"], d["grads"], d["learning_rate"]),
        {"W1": np.array([[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                         [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                         [-1.0535704, -0.86128581, 0.68284052, 2.20374577]]),
         "b1": np.array([[-0.04659241], [-1.28888275], [0.53405496]]),
         "W2": np.array([[-0.55569196, 0.0354055, 1.32964895]]), "b2": np.array([[-0.84610769]])},
    ),
]


def matches(actual: dict[str, Any], expected: dict[str, Any], atol: float = 1e-7) -> bool:
    """True when every expected output is present and equal to the printed digits."""
    return all(k in actual and np.allclose(actual[k], v, rtol=1e-6, atol=atol) for k, v in expected.items())
