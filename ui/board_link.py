"""The class board a session joined, a run's figures as the board shows them, and Train's "Submit to <class>".

One source for a run's final figures: ui.controller.figures (what Train's metrics show), formatted the way
Train formats them (one decimal of a percent), so a board row and the Train page never disagree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

import dnn
from store import EntrySummary, Store, StoreError
from store.records import NAME_MAX
from ui import identity, store_hooks
from ui.controller import Controller, figures
from ui.session import Session
from ui.text import literal

OFFER_NAME, OFFER_SUBMIT = "board_offer_name", "board_offer_submit"


@dataclass
class BoardLink:
    """What a session remembers of class boards: the name it submits under, join PINs and admin secrets."""

    name: str = ""
    pins: dict[str, str] | None = None
    admins: dict[str, str] | None = None


def link(s: Session) -> BoardLink:
    """This session's BoardLink (created on first use)."""
    if s.board_link is None:
        s.board_link = BoardLink(pins={}, admins={})
    return s.board_link


def percent(value: float | None) -> str:
    """An accuracy as Train shows it: one decimal of a percent, a dash when there is none."""
    return "—" if value is None or math.isnan(value) else f"{value:.1%}"


def percent_value(value: float | None) -> float | None:
    """The number whose one-decimal rendering ("%.1f%%") is exactly ``percent(value)``."""
    return None if value is None or math.isnan(value) else float(f"{value * 100:.1f}")


def examples_tested(run: dnn.Trainer) -> int | None:
    """How many examples the test accuracy is measured on (None without a test set)."""
    return None if run.X_test is None else int(run.X_test.shape[1])


def board_summary(run: dnn.Trainer, dataset: str) -> EntrySummary:
    """What the board keeps of a run: its architecture, cost curve and Train's figures of the current network."""
    _, train_acc, test_acc = figures(run, False)
    h, cfg = run.history, run.config
    return EntrySummary.build(
        layer_dims=cfg.layer_dims, hidden_activation=cfg.hidden_activation, learning_rate=cfg.learning_rate,
        iteration=run.iteration, dataset=dataset, train_acc=None if math.isnan(train_acc) else train_acc,
        test_acc=None if math.isnan(test_acc) else test_acc, cost_iterations=h.cost_iterations, costs=h.costs)


def submit_run(found: Store, s: Session, code: str, name: str) -> int:
    """Put this session's current run on board ``code`` (replacing its earlier entry); StoreError or
    ValueError carry the sentence to show."""
    refused = identity.accepted(s)
    if refused:
        raise StoreError(refused)
    run = s.run
    if run is None or run.iteration == 0:
        raise StoreError("Train a run first (Train page): the board shows a trained network.")
    if s.running:
        raise StoreError("Pause or finish the run first: the board shows the network as it is when you submit.")
    state = store_hooks.state_of(s)
    pin = (link(s).pins or {}).get(code)
    entry = found.boards.submit(code, state.owner, name, board_summary(run, s.data_key), run_id=state.run_id,
                                test_size=examples_tested(run), origin=identity.origin(), pin=pin)
    link(s).name = name
    return entry


def _submit(ctl: Controller, found: Store, code: str) -> None:
    state = store_hooks.state_of(ctl.s)
    try:
        submit_run(found, ctl.s, code, st.session_state.get(OFFER_NAME) or link(ctl.s).name)
    except (StoreError, ValueError) as exc:
        state.notice("error", str(exc))
        # Said here too, as below: the notices are drawn by a full rerun, not by the fragment's.
        st.toast(str(exc), icon=":material/error:")
        return
    state.notice("info", f"Your run is on class board {code}.")
    # The button lives in Train's live fragment, whose rerun does not redraw the page's notices: say it here too.
    st.toast(f"Your run is on class board {code}.", icon=":material/leaderboard:")


def submit_offer(ctl: Controller) -> None:
    """On Train, once a run is done: "Submit to <class>" for the board this session joined."""
    s, code = ctl.s, ctl.s.board_code
    if not code or s.run is None or s.running or s.run.status != dnn.Status.DONE:
        return
    found, _ = store_hooks.current_store(s.id)
    if found is None:
        return
    try:
        board = found.boards.get(code)
    except StoreError:
        return
    if not board.is_open:
        return
    row = st.container(horizontal=True, vertical_alignment="bottom")
    if not link(s).name:
        row.text_input("Your name on the board", key=OFFER_NAME, max_chars=NAME_MAX)
    row.button(f"Submit to {literal(board.title, limit=40)}", key=OFFER_SUBMIT, on_click=_submit,
               args=(ctl, found, code), icon=":material/leaderboard:")
