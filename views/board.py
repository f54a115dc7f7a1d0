"""Class board: a teacher opens a class under a short code (with a link and a QR code); students submit
their current run under a display name; everyone sees architecture, parameters, accuracies and a small
cost curve, sortable and updating live.  The teacher removes entries, closes or reopens the class.

Names and titles are shown literally: in a table (never Markdown) or through ui.text.literal.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from store import EntrySummary, StoreError, entry_summary
from store.records import NAME_MAX, TITLE_MAX
from ui import store_hooks
from ui.controller import controller
from ui.share import fallback_page_url, qr_png, render_copy_link, share_url, sibling_url
from ui.text import literal

URL_PATH = "board"  # this page's url_path in app.py
BOARD_PARAM = "board"
REFRESH_SECONDS = 3.0
EXTRAS_KEY = "board_code"
from ui.session import (BOARD_CLOSE as CLOSE, BOARD_CODE as CODE, BOARD_JOIN as JOIN,  # noqa: E402
                        BOARD_LINK, BOARD_MINE as MY_BOARDS, BOARD_NAME as NAME, BOARD_OPEN as OPEN_BOARD,
                        BOARD_REMOVE as REMOVE, BOARD_REMOVE_CHOICE as REMOVE_CHOICE, BOARD_REOPEN as REOPEN,
                        BOARD_SUBMIT as SUBMIT, BOARD_TABLE as TABLE, BOARD_TITLE as TITLE)


def page_url() -> str:
    if st.context.url:
        return sibling_url(st.context.url, URL_PATH, URL_PATH)
    return fallback_page_url(st.get_option("server.address"), st.get_option("server.port"), URL_PATH,
                             st.get_option("server.baseUrlPath"))


def _arch(summary: EntrySummary) -> str:
    return f"{list(summary.layer_dims)} {summary.hidden_activation} lr={summary.learning_rate:g}"


def rows(entries) -> list[dict]:
    """One table row per entry (a damaged entry says so instead of failing the board)."""
    out = []
    for e in entries:
        s = e.summary
        when = dt.datetime.fromtimestamp(e.created_at, dt.timezone.utc).strftime("%H:%M:%S")
        if s is None:
            out.append({"#": e.id, "name": e.display_name, "architecture": e.problem, "layers": None,
                        "parameters": None, "train acc": None, "test acc": None, "iterations": None,
                        "cost": [], "submitted": when})
            continue
        out.append({"#": e.id, "name": e.display_name, "architecture": _arch(s), "layers": len(s.layer_dims) - 1,
                    "parameters": s.parameter_count, "train acc": s.train_acc, "test acc": s.test_acc,
                    "iterations": s.iteration, "cost": list(s.costs), "submitted": when})
    return out


COLUMNS = {
    "#": st.column_config.NumberColumn("#", width="small"),
    "name": st.column_config.TextColumn("Name"),
    "architecture": st.column_config.TextColumn("Architecture"),
    "layers": st.column_config.NumberColumn("L", help="layers with weights"),
    "parameters": st.column_config.NumberColumn("Parameters", format="localized"),
    "train acc": st.column_config.NumberColumn("Train acc", format="percent"),
    "test acc": st.column_config.NumberColumn("Test acc", format="percent"),
    "iterations": st.column_config.NumberColumn("Iterations"),
    "cost": st.column_config.LineChartColumn("Cost"),
    "submitted": st.column_config.TextColumn("Submitted (UTC)"),
}


def _set_code(code: str | None) -> None:
    controller().s.extras[EXTRAS_KEY] = code
    if code:
        st.query_params[BOARD_PARAM] = code
    elif BOARD_PARAM in st.query_params:
        del st.query_params[BOARD_PARAM]


def _notice(kind: str, text: str) -> None:
    store_hooks.state_of(controller().s).notice(kind, text)


def _open_board(store, owner: str) -> None:
    try:
        board = store.boards.open(owner, st.session_state.get(TITLE, ""))
    except (StoreError, ValueError) as exc:
        _notice("error", str(exc))
        return
    _set_code(board.code)


def _join(store) -> None:
    try:
        _set_code(store.boards.get(st.session_state.get(CODE, "")).code)
    except StoreError as exc:
        _notice("error", str(exc))


def _submit(store, code: str) -> None:
    s = controller().s
    state = store_hooks.state_of(s)
    run = s.run
    if run is None or run.iteration == 0:
        _notice("warning", "Train a run first (Train page): the board shows a trained network.")
        return
    try:
        store.boards.submit(code, state.owner, st.session_state.get(NAME, ""), entry_summary(run, s.data_key),
                            run_id=state.run_id)
    except (StoreError, ValueError) as exc:
        _notice("error", str(exc))
        return
    _notice("info", "Your run is on the board.")


def _teacher_action(action, *args) -> None:
    try:
        action(*args)
    except StoreError as exc:
        _notice("error", str(exc))


def choose_board(store, owner: str) -> str | None:
    """Open a class (teacher) or join one by code (student); returns the board to show."""
    code = controller().s.extras.get(EXTRAS_KEY) or st.query_params.get(BOARD_PARAM)
    teach, join = st.columns(2)
    with teach.container(border=True):
        st.markdown("**Teach:** open a class board")
        st.text_input("Class title", key=TITLE, max_chars=TITLE_MAX, placeholder="Lab 3: best test accuracy, at most 3 layers")
        st.button("Open a class", key=OPEN_BOARD, on_click=_open_board, args=(store, owner))
        mine = store.boards.of_teacher(owner)
        if mine:
            names = {b.code: f"{b.code} · {b.title}{'' if b.is_open else ' (closed)'}" for b in mine}
            pick = st.selectbox("Your classes", list(names), format_func=names.get, key=MY_BOARDS, index=None)
            if pick and pick != code:
                _set_code(pick)
                code = pick
    with join.container(border=True):
        st.markdown("**Learn:** join a class")
        st.text_input("Class code", key=CODE, max_chars=8, placeholder="K7WQ3M")
        st.button("Join", key=JOIN, on_click=_join, args=(store,))
    return code


@st.fragment(run_every=REFRESH_SECONDS)
def live_board(store, code: str, owner: str) -> None:
    """The board itself, re-read every few seconds."""
    try:
        board = store.boards.get(code)
        entries = store.boards.entries(board.code)
        teacher = store.boards.is_teacher(board.code, owner)
    except StoreError as exc:
        st.error(literal(str(exc), limit=600))
        return
    st.subheader(f"{literal(board.title)} · class {board.code}")
    count = "1 entry" if len(entries) == 1 else f"{len(entries)} entries"
    st.caption(f"{'Open' if board.is_open else 'Closed'} · {count} · updates every {REFRESH_SECONDS:g} s; "
               "click a column title to sort.")
    st.dataframe(rows(entries), column_config=COLUMNS, hide_index=True, key=TABLE, width="stretch")
    if teacher:
        teacher_tools(store, board, entries, owner)


def teacher_tools(store, board, entries, owner: str) -> None:
    with st.container(border=True):
        st.markdown("**Teacher**")
        if entries:
            names = {e.id: f"#{e.id} {e.display_name}" for e in entries}
            pick = st.selectbox("Entry", list(names), format_func=names.get, key=REMOVE_CHOICE)  # plain text
            st.button("Remove entry", key=REMOVE, on_click=_teacher_action,
                      args=(store.boards.remove, board.code, owner, pick))
        if board.is_open:
            st.button("Close the class", key=CLOSE, on_click=_teacher_action,
                      args=(store.boards.set_open, board.code, owner, False))
        else:
            st.button("Reopen the class", key=REOPEN, on_click=_teacher_action,
                      args=(store.boards.set_open, board.code, owner, True))
        link = share_url(page_url(), {BOARD_PARAM: board.code})
        render_copy_link(link, key=BOARD_LINK)
        st.image(qr_png(link, px=360), caption=f"Class {board.code}: scan to join", width="content")


def submit_form(store, code: str) -> None:
    with st.container(border=True):
        st.markdown("**Submit your current run**")
        st.text_input("Display name (shown to the class)", key=NAME, max_chars=NAME_MAX)
        st.button("Submit to the board", key=SUBMIT, on_click=_submit, args=(store, code))


def main() -> None:
    st.title("Class board")
    found, problem = store_hooks.current_store()
    if found is None:
        st.error(literal(f"Class boards need the run store: {problem}", limit=600))
        return
    owner = store_hooks.state_of(controller().s).owner
    code = choose_board(found, owner)
    if not code:
        st.info("Open a class as a teacher, or type the code your teacher shows.")
        return
    submit_form(found, code)
    live_board(found, code, owner)


main()
