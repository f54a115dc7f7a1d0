"""Comparison in one click (issue 20 item 3): the runs to compare, queued on the controller, and the
history's choice of runs on the charts, where every new run joins by itself.

``preset_pair`` and ``regularisation_trio`` are pure (tested without Streamlit); ``render_buttons`` and
``render_picker`` are what views/train.py calls.  A queued comparison trains its configs one after the
other (``Controller.queue``), each joining the run history and the charts when it finishes.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import streamlit as st

import dnn
from ui import learning, settings
from ui.controller import Controller, controller
from ui.session import COMPARE_PRESETS, COMPARE_TRIO, Session
from ui.session import HISTORY_RUNS as COMPARE_PICK  # the history's "Earlier runs on the charts"

if TYPE_CHECKING:  # for annotations only
    from streamlit.delta_generator import DeltaGenerator

# The course's regularisation assignment: L2 with lambd = 0.7, dropout with keep_prob = 0.86.
L2_LAMBD, DROPOUT_KEEP_PROB = 0.7, 0.86


def preset_pair(n_x: int) -> list[dnn.TrainConfig]:
    """The course's two-layer and five-layer presets for data with ``n_x`` inputs (72% vs 80% on the cats)."""
    return [settings.preset_config("two_layer", n_x), settings.preset_config("five_layer", n_x)]


def regularisation_trio(config: dnn.TrainConfig) -> list[dnn.TrainConfig]:
    """``config`` with no regularisation, with L2 (lambd 0.7) and with dropout (keep_prob 0.86), as in the
    course's regularisation assignment; everything else (network, seed, iterations) the same."""
    plain = replace(config, lambd=0.0, keep_prob=1.0)
    return [plain, replace(plain, lambd=L2_LAMBD), replace(plain, keep_prob=DROPOUT_KEEP_PROB)]


def queue_presets() -> None:
    ctl = controller()
    ctl.queue(preset_pair(ctl.s.dataset.n_x))


def queue_trio() -> None:
    ctl = controller()
    ctl.queue(regularisation_trio(ctl.s.config))


def render_buttons(ctl: Controller, container: DeltaGenerator | None = None) -> None:
    """Two buttons: train the two course presets, or this network without / with L2 / with dropout, one
    after the other, all ending on the same charts.  Never disabled (a button disabled by its own click
    drops the keyboard focus, as Train's Start and Pause avoid): pressed during a run, the current run goes
    to the history and the comparison starts."""
    box = container or st
    cols = box.columns(2)
    cols[0].button("Compare the two course presets", key=COMPARE_PRESETS, on_click=queue_presets,
                   icon=":material/compare_arrows:",
                   help="Trains the course's two-layer net, then its five-layer net, and draws both on the same "
                        "charts.")
    cols[1].button("No regularisation / L2 / dropout", key=COMPARE_TRIO, on_click=queue_trio,
                   icon=":material/stacked_line_chart:",
                   help=f"Trains this network three times: without regularisation, with L2 (λ = {L2_LAMBD}) and "
                        f"with dropout (keep_prob = {DROPOUT_KEEP_PROB}), on the same charts.")
    if ctl.s.queue:
        waiting = len(ctl.s.queue)
        box.caption(f"Comparison under way: {waiting} more run{'s' if waiting > 1 else ''} after this one.")


# ----- which earlier runs are on the charts: all of them unless taken off ----------------------------
def hidden_indices(s: Session) -> list[int]:
    """The history records the user took off the charts; every other run, every new one included, is drawn
    (kept in the session, so it holds across pages, reloads of the page and restores)."""
    off = learning.view_state(s).hidden_runs
    return [k for k, r in enumerate(s.runs) if r.label in off]


def _picked(labels: list[str]) -> None:
    s = controller().s
    chosen = set(st.session_state.get(COMPARE_PICK, []))
    learning.view_state(s).hidden_runs = {lab for lab in labels if lab not in chosen}


def render_picker(s: Session, container: DeltaGenerator | None = None) -> None:
    """The history's runs on the charts, as tags; untick one to take it off (it stays in the history)."""
    labels = [r.label for r in s.runs]
    off = learning.view_state(s).hidden_runs
    st.session_state[COMPARE_PICK] = [lab for lab in labels if lab not in off]
    (container or st).multiselect("Earlier runs on the charts", labels, key=COMPARE_PICK, on_change=_picked,
                                  args=(labels,), help="Every run joins the charts when it ends; untick one "
                                                       "to take it off.")
