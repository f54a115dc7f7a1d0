"""The one table of engine options the equivalence tests run: every option the course's next chapter teaches,
alone and in the combinations its notebooks use.  A new option joins here and every strategy, activation and
precision is checked against bench/reference.py's plain loop (tests/test_engine_options.py,
tests/test_conformance.py)."""
from __future__ import annotations

from typing import Any

OPTIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "l2": dict(lambd=0.7),
    "l1": dict(l1=0.05),
    "dropout": dict(keep_prob=0.8),
    "minibatch": dict(batch_size=8),
    "momentum": dict(optimizer="momentum", beta=0.9),
    "adam": dict(optimizer="adam", learning_rate=0.01),
    "inverse_decay": dict(decay="inverse", decay_rate=0.3),
    "scheduled_decay": dict(decay="scheduled", decay_rate=0.5, time_interval=7),
    # the combinations the course's notebooks use
    "l2+dropout": dict(lambd=0.7, keep_prob=0.86),
    "minibatch+momentum": dict(batch_size=8, optimizer="momentum"),
    "minibatch+adam": dict(batch_size=8, optimizer="adam", learning_rate=0.01),
    "minibatch+gd+scheduled": dict(batch_size=8, decay="scheduled", decay_rate=1.0, time_interval=3),
    "momentum+l2": dict(optimizer="momentum", lambd=0.5, beta=0.8),
    "l2+momentum+scheduled": dict(lambd=0.5, optimizer="momentum", decay="scheduled", decay_rate=0.5,
                                  time_interval=7),
    "everything": dict(batch_size=7, optimizer="adam", learning_rate=0.01, lambd=0.3, l1=0.01, keep_prob=0.9,
                       decay="inverse", decay_rate=0.1),  # 7: the last mini-batch is a short one
}
